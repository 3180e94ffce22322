package hookenv

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"strings"
)

// Config holds a charm's configuration as config-get reports it. Values are
// bool, int64, float64, string, or nil for an option that is unset and has no
// default. Use the typed accessors rather than type switches.
type Config map[string]any

// String returns a string option; ok is false when the option is missing, unset or
// not a string.
func (c Config) String(key string) (string, bool) {
	s, ok := c[key].(string)
	return s, ok
}

// Bool returns a boolean option; ok is false when the option is missing, unset or
// not a boolean.
func (c Config) Bool(key string) (bool, bool) {
	b, ok := c[key].(bool)
	return b, ok
}

// Int returns an integer option; ok is false when the option is missing, unset or
// not an integer.
func (c Config) Int(key string) (int64, bool) {
	i, ok := c[key].(int64)
	return i, ok
}

// Float returns a numeric option as float64. Juju prints a float option with a
// whole value (1.0) as "1", so an integer value is accepted too.
func (c Config) Float(key string) (float64, bool) {
	switch v := c[key].(type) {
	case float64:
		return v, true
	case int64:
		return float64(v), true
	}
	return 0, false
}

// ConfigGet returns the whole configuration (`config-get --all --format=json`),
// options without a value included as nil. Juju snapshots config once per hook
// context, so the first answer is kept and later calls run no tool. The returned
// map is a copy.
func (t *Tools) ConfigGet(ctx context.Context) (Config, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.config == nil {
		out, err := t.run(ctx, "config-get", []string{"--all", "--format=json"}, nil)
		if err != nil {
			return nil, err
		}
		c, err := decodeConfig(out)
		if err != nil {
			return nil, err
		}
		t.config = c
	}
	return maps.Clone(t.config), nil
}

// ConfigGetKey returns one option (nil when it has no value) and whether the charm
// defines it, served from the same snapshot as [Tools.ConfigGet].
func (t *Tools) ConfigGetKey(ctx context.Context, key string) (any, bool, error) {
	if key == "" {
		return nil, false, invalidf("config-get", "empty key")
	}
	c, err := t.ConfigGet(ctx)
	if err != nil {
		return nil, false, err
	}
	v, ok := c[key]
	return v, ok, nil
}

// decodeConfig decodes config-get's JSON object, turning numbers into int64 when
// they are integers and float64 otherwise. null is an empty config.
func decodeConfig(out []byte) (Config, error) {
	var raw map[string]any
	if err := decodeJSON("config-get", out, &raw); err != nil {
		return nil, err
	}
	c := make(Config, len(raw))
	for k, v := range raw {
		tv, err := typedValue(v)
		if err != nil {
			return nil, fmt.Errorf("config-get: %w: option %q: %w", ErrBadOutput, k, err)
		}
		c[k] = tv
	}
	return c, nil
}

// typedValue converts json.Number into int64 or float64, recursively.
func typedValue(v any) (any, error) {
	switch v := v.(type) {
	case json.Number:
		s := v.String()
		if !strings.ContainsAny(s, ".eE") {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return i, nil
			}
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			// Not the number itself nor strconv's error, which quotes it: it
			// may be a secret.
			return nil, fmt.Errorf("a number of %d digits out of the range of float64", len(s))
		}
		return f, nil
	case map[string]any:
		for k, e := range v {
			te, err := typedValue(e)
			if err != nil {
				return nil, err
			}
			v[k] = te
		}
		return v, nil
	case []any:
		for i, e := range v {
			te, err := typedValue(e)
			if err != nil {
				return nil, err
			}
			v[i] = te
		}
		return v, nil
	}
	return v, nil
}
