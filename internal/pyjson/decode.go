package pyjson

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// Unmarshal decodes one JSON value the way Python's json.loads does, as far
// as Go can hold it: objects as map[string]any, arrays as []any, integers
// as int64 (an integer out of int64's range as float64), other numbers as
// float64, strings, bools and nil.
func Unmarshal(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return numbers(v), nil
}

// numbers turns json.Number values into int64 or float64.
func numbers(v any) any {
	switch v := v.(type) {
	case json.Number:
		s := v.String()
		if !strings.ContainsAny(s, ".eE") {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return i
			}
		}
		f, _ := strconv.ParseFloat(s, 64) // out of range: ±Inf, as Python
		return f
	case []any:
		for i := range v {
			v[i] = numbers(v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = numbers(v[k])
		}
	}
	return v
}

// Truthy is Python's bool(v) for a decoded JSON value: false for nil,
// false, 0, 0.0, "", an empty list and an empty object.
func Truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case int64:
		return v != 0
	case int:
		return v != 0
	case float64:
		return v != 0
	case string:
		return v != ""
	case []any:
		return len(v) > 0
	case map[string]any:
		return len(v) > 0
	}
	return true
}
