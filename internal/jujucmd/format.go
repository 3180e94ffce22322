package jujucmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// The output formats of Juju's hook tools (docs/design.md, "Output formats").
const (
	FormatSmart = "smart"
	FormatYAML  = "yaml"
	FormatJSON  = "json"
)

// allFormats are the formats a tool accepts when its caller names none.
var allFormats = []string{FormatSmart, FormatYAML, FormatJSON}

// Format renders v the way Juju's cmd output formatters do
// (docs/design.md, "Output formats"), for format "smart", "yaml" or "json":
//
//   - json: Go's encoding/json (compact, map keys sorted, <>& escaped) plus
//     "\n"; nil is "null\n". Byte-exact to Juju.
//   - yaml: nil prints nothing; a bool is "true\n"/"false\n"; anything else
//     is YAML with two-space indentation and exactly one trailing newline.
//   - smart: nil, "" and an empty []string print nothing; a string prints
//     verbatim plus "\n"; a bool is "True\n"/"False\n"; a []string is one
//     item a line; anything else is as yaml.
//
// Juju encodes YAML with gopkg.in/yaml.v2 and this package with yaml.v3 (the
// project's dependency); the two agree on the flat maps and scalars hook
// tools print. Any other format name is an error.
func Format(format string, v any) ([]byte, error) {
	switch format {
	case FormatJSON:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("encoding json: %w", err)
		}
		return append(b, '\n'), nil
	case FormatYAML:
		switch x := v.(type) {
		case nil:
			return nil, nil
		case bool:
			return fmt.Appendf(nil, "%t\n", x), nil
		}
		return formatYAML(v)
	case FormatSmart:
		switch x := v.(type) {
		case nil:
			return nil, nil
		case string:
			if x == "" {
				return nil, nil
			}
			return []byte(x + "\n"), nil
		case bool:
			if x {
				return []byte("True\n"), nil
			}
			return []byte("False\n"), nil
		case []string:
			if len(x) == 0 {
				return nil, nil
			}
			return []byte(strings.Join(x, "\n") + "\n"), nil
		}
		return formatYAML(v)
	}
	return nil, fmt.Errorf("unknown format %q", format)
}

// formatYAML encodes v with two-space indentation and exactly one trailing
// newline, as Juju's yaml formatter prints it.
func formatYAML(v any) (out []byte, err error) {
	defer func() {
		// yaml.v3 panics on some values it cannot encode (e.g. a func).
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("encoding yaml: %v", r)
		}
	}()
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding yaml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encoding yaml: %w", err)
	}
	return append(bytes.TrimRight(buf.Bytes(), "\n"), '\n'), nil
}

// checkFormat is the check Juju's formatter value makes when --format is
// parsed: the error follows `invalid value "x" for option --format: `.
func checkFormat(format string, formats []string) error {
	if len(formats) == 0 {
		formats = allFormats
	}
	if !slices.Contains(formats, format) {
		return fmt.Errorf("unknown format %q", format)
	}
	return nil
}

// CheckFormat returns nil if format is one of formats (smart, yaml and json
// when none are given) and otherwise the usage error Juju gives for it:
// `invalid value "bad" for option --format: unknown format "bad"`. Options
// made by [FormatOptions] make this check while parsing, as Juju does;
// CheckFormat serves a format obtained some other way.
func CheckFormat(format string, formats ...string) error {
	if err := checkFormat(format, formats); err != nil {
		return Usagef("invalid value %q for option --format: %w", format, err)
	}
	return nil
}

// FormatOptions returns the options of a hook tool that prints a value, as
// Juju's cmd.Output declares them: --format (default def, checked against
// formats while parsing; smart, yaml and json when none are given) and
// -o/--output FILE (default "", meaning stdout).
func FormatOptions(def string, formats ...string) []Option {
	formats = slices.Clone(formats)
	return []Option{
		{Name: "format", Value: true, Default: def, Check: func(v string) error { return checkFormat(v, formats) }},
		{Name: "output", Short: "o", Value: true},
	}
}
