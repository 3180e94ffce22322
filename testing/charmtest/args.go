package charmtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// reply is what one fake tool call produces: stdout, an exit code and, for a
// non-zero code, the message Juju prints after "ERROR ".
type reply struct {
	out  []byte
	code int
	msg  string
}

func ok(out []byte) reply { return reply{out: out} }

// usageErr is a flag or argument error: exit 2.
func usageErr(format string, args ...any) reply {
	return reply{code: 2, msg: fmt.Sprintf(format, args...)}
}

// runErr is an error raised while running: exit 1.
func runErr(format string, args ...any) reply {
	return reply{code: 1, msg: fmt.Sprintf(format, args...)}
}

// stderr returns the bytes the tool writes to stderr.
func (r reply) stderr() string {
	if r.code == 0 {
		return ""
	}
	return "ERROR " + r.msg + "\n"
}

// option declares one command-line option of a fake tool, with its aliases
// ("o", "output"). One-letter names take one dash, longer names two, as
// gnuflag does.
type option struct {
	names []string
	value bool // takes a value; otherwise a boolean switch
}

var (
	optFormat = option{names: []string{"format"}, value: true}
	optOutput = option{names: []string{"o", "output"}, value: true}
	optRel    = option{names: []string{"r", "relation"}, value: true}
	optApp    = option{names: []string{"app"}}
)

// parsedArgs is a parsed command line: options by their first name, and the
// positional arguments.
type parsedArgs struct {
	set  map[string]bool
	vals map[string]string
	pos  []string
	help bool
}

// parseArgs parses args the way gnuflag does for Juju's commands:
// interspersed options, "--name=value" and "--name value", "--" ending the
// options, -h/--help.
func parseArgs(args []string, opts ...option) (parsedArgs, *reply) {
	p := parsedArgs{set: map[string]bool{}, vals: map[string]string{}}
	byName := map[string]option{}
	for _, o := range opts {
		for _, n := range o.names {
			byName[n] = o
		}
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			p.pos = append(p.pos, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			p.pos = append(p.pos, a)
			continue
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		dashes := len(a) - len(strings.TrimLeft(a, "-"))
		if name == "h" || name == "help" {
			p.help = true
			continue
		}
		o, known := byName[name]
		if !known || (dashes == 1) != (len(name) == 1) || dashes > 2 {
			r := usageErr("option provided but not defined: %s", strings.SplitN(a, "=", 2)[0])
			return p, &r
		}
		canon := o.names[0]
		if !o.value {
			if hasVal {
				r := usageErr("invalid value %q for option %s: boolean option takes no value", val, a)
				return p, &r
			}
			p.set[canon] = true
			continue
		}
		if !hasVal {
			if i+1 >= len(args) {
				r := usageErr("option needs an argument: %s", a)
				return p, &r
			}
			i++
			val = args[i]
		}
		p.set[canon] = true
		p.vals[canon] = val
	}
	return p, nil
}

// format returns the --format value, checked.
func (p parsedArgs) format() (string, *reply) {
	f, ok := p.vals["format"]
	if !ok {
		return "smart", nil
	}
	switch f {
	case "smart", "yaml", "json":
		return f, nil
	}
	r := usageErr("invalid value %q for option --format: unknown format %q", f, f)
	return "", &r
}

// unrecognized is cmd.CheckEmpty's error for extra positional arguments.
func unrecognized(args []string) reply {
	return usageErr("unrecognized args: %q", args)
}

// formatValue renders v the way Juju's output formatters do
// (spec/hook-tools.md §1.1). JSON is byte-exact (Go's encoding/json, as Juju);
// YAML comes from yaml.v3 with two-space indentation, which matches yaml.v2 for
// the flat maps and scalars hook tools print.
func formatValue(format string, v any) ([]byte, error) {
	switch format {
	case "json":
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("encoding json: %w", err)
		}
		return append(b, '\n'), nil
	case "yaml":
		switch x := v.(type) {
		case nil:
			return nil, nil
		case bool:
			return []byte(fmt.Sprintf("%t\n", x)), nil
		}
		return formatYAML(v)
	}
	switch x := v.(type) { // smart
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

func formatYAML(v any) ([]byte, error) {
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
