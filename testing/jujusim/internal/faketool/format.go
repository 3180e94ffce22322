package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// formatValue renders v the way Juju's cmd output formatters do
// (spec/hook-tools.md §1.1).
func formatValue(format string, v any) ([]byte, error) {
	switch format {
	case "json":
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		return append(b, '\n'), nil
	case "yaml":
		switch x := v.(type) {
		case nil:
			return nil, nil
		case bool:
			if x {
				return []byte("true\n"), nil
			}
			return []byte("false\n"), nil
		}
		return formatYAML(v)
	default: // smart
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
}

func formatYAML(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding yaml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	out := bytes.TrimRight(buf.Bytes(), "\n")
	return append(out, '\n'), nil
}
