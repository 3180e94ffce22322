// Package charmaction reads a charm's actions (actions.yaml, or the
// actions of charmcraft.yaml) and checks an action and its parameters the
// way Juju does before it runs the action: testing/charmtest and
// testing/jujusim share it.
package charmaction

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/charmkit/charmkit/internal/suggest"
)

// Actions are a charm's actions, by name, and where they were read from
// (for messages). A nil *Actions knows no actions and accepts any.
type Actions struct {
	File    string
	Actions map[string]Action
}

// Action is one action: the JSON schema of its parameters, of which the
// top level is checked (types, required parameters, additionalProperties)
// and the defaults applied.
type Action struct {
	Params               map[string]Param `yaml:"params"`
	Required             []string         `yaml:"required"`
	AdditionalProperties *bool            `yaml:"additionalProperties"`
}

// Param is one parameter of an action.
type Param struct {
	Type    any `yaml:"type"` // a JSON schema type or a list of them
	Default any `yaml:"default"`
}

// Parse reads the text of an actions.yaml; file names it in messages.
func Parse(text []byte, file string) (*Actions, error) {
	a := &Actions{File: file}
	if err := yaml.Unmarshal(text, &a.Actions); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if a.Actions == nil {
		a.Actions = map[string]Action{}
	}
	return a, nil
}

// FromCharmcraft returns the actions section of a charmcraft.yaml as the
// text of an actions.yaml, or nil when it has none.
func FromCharmcraft(text []byte) ([]byte, error) {
	var cc struct {
		Actions yaml.Node `yaml:"actions"`
	}
	if err := yaml.Unmarshal(text, &cc); err != nil {
		return nil, err
	}
	if cc.Actions.IsZero() {
		return nil, nil
	}
	return yaml.Marshal(&cc.Actions)
}

// Check checks the action name and its parameters and returns the
// parameters normalised (integers as int64, floats as float64, lists as
// []any, maps as map[string]any), with the defaults of those not given.
// Its errors name the action, the parameter and the file, never a value
// beyond its type.
func (a *Actions) Check(name string, params map[string]any) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range params {
		cv, err := Value(v)
		if err != nil {
			return nil, fmt.Errorf("action %q: parameter %q: %w", name, k, err)
		}
		out[k] = cv
	}
	if a == nil {
		return out, nil
	}
	spec, ok := a.Actions[name]
	if !ok {
		names := slices.Sorted(mapKeys(a.Actions))
		msg := fmt.Sprintf("action %q: %s declares no such action%s", name, a.File, suggest.DidYouMean(name, names))
		if len(names) > 0 {
			msg += fmt.Sprintf(" (actions: %s)", strings.Join(names, ", "))
		}
		return nil, errors.New(msg)
	}
	for _, k := range slices.Sorted(mapKeys(out)) {
		p, ok := spec.Params[k]
		if !ok {
			if spec.AdditionalProperties != nil && !*spec.AdditionalProperties {
				return nil, fmt.Errorf("action %q: parameter %q: %s declares no such parameter%s, and Juju refuses others (additionalProperties: false)",
					name, k, a.File, suggest.DidYouMean(k, slices.Sorted(mapKeys(spec.Params))))
			}
			continue
		}
		if want := p.types(); len(want) > 0 && !slices.Contains(want, jsonType(out[k])) {
			return nil, fmt.Errorf("action %q: parameter %q: %s, but %s declares it of type %s", name, k, describe(out[k]), a.File, strings.Join(want, " or "))
		}
	}
	for _, k := range slices.Sorted(mapKeys(spec.Params)) {
		if _, given := out[k]; !given && spec.Params[k].Default != nil {
			v, err := Value(spec.Params[k].Default)
			if err != nil {
				return nil, fmt.Errorf("%s: action %q: default of %q: %w", a.File, name, k, err)
			}
			out[k] = v
		}
	}
	for _, k := range spec.Required {
		if _, ok := out[k]; !ok {
			return nil, fmt.Errorf("action %q: parameter %q is required by %s", name, k, a.File)
		}
	}
	return out, nil
}

// Scalar normalises a scalar value as the hook tools report it (action
// parameters and config options alike): nil, a string, a bool, an integer
// (as int64) or a float (as float64). ok is false for any other type.
func Scalar(v any) (_ any, ok bool) {
	switch v := v.(type) {
	case nil, string, bool, int64, float64:
		return v, true
	case int:
		return int64(v), true
	case int32:
		return int64(v), true
	case uint8:
		return int64(v), true
	case uint16:
		return int64(v), true
	case uint32:
		return int64(v), true
	case float32:
		return float64(v), true
	}
	return nil, false
}

// Value normalises a parameter value: a [Scalar], or a list or map of them.
func Value(v any) (any, error) {
	if s, ok := Scalar(v); ok {
		return s, nil
	}
	switch v := v.(type) {
	case []string:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = e
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			c, err := Value(e)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			c, err := Value(e)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported type %T (want string, bool, integer, float64, nil, or a []any or map[string]any of them)", v)
}

// types returns the JSON schema types a parameter may have, none when any.
func (p Param) types() []string {
	var out []string
	switch t := p.Type.(type) {
	case string:
		out = []string{t}
	case []any:
		for _, v := range t {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
	}
	if slices.Contains(out, "number") {
		out = append(out, "integer") // every integer is a number
	}
	return out
}

// jsonType is the JSON schema type of a normalised value.
func jsonType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case int64:
		return "integer"
	case float64:
		if v == float64(int64(v)) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	default:
		return "object"
	}
}

// describe says what a value is, for messages: its type, and the value
// only for numbers and bools (a string parameter may be a secret).
func describe(v any) string {
	switch v := v.(type) {
	case string:
		return "a string"
	case bool:
		return fmt.Sprintf("%v is a bool", v)
	case int64:
		return fmt.Sprintf("%d is an integer", v)
	case float64:
		return fmt.Sprintf("%v is a float", v)
	case nil:
		return "null"
	case []any:
		return "a list"
	}
	return "a map"
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
