package main

import (
	"fmt"
	"strings"
)

// flagDef describes one option of a tool, as gnuflag would parse it.
type flagDef struct {
	long  string // without dashes, e.g. "format"
	short string // one letter, e.g. "o"; may be empty
	value bool   // takes a value
	def   string // default for value options
}

// parsedFlags holds the parsed options and positional arguments.
type parsedFlags struct {
	vals map[string]string // by long name
	set  map[string]bool   // by long name, for bool options
	pos  []string
	help bool
}

func (p *parsedFlags) get(long string) string { return p.vals[long] }
func (p *parsedFlags) on(long string) bool    { return p.set[long] }

// usageError is an Init-time error: exit status 2.
type usageError struct{ msg string }

// Error returns the message printed after "ERROR ".
func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// parseFlags parses args gnuflag-style: interspersed options, "--opt=v" and
// "--opt v", "-o v", "--" ending option parsing. -h and --help are always
// accepted.
func parseFlags(args []string, defs []flagDef) (*parsedFlags, error) {
	p := &parsedFlags{vals: map[string]string{}, set: map[string]bool{}}
	for _, d := range defs {
		if d.value {
			p.vals[d.long] = d.def
		}
	}
	find := func(name string, long bool) *flagDef {
		for i := range defs {
			if long && defs[i].long == name || !long && defs[i].short == name && name != "" {
				return &defs[i]
			}
		}
		return nil
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
		long := strings.HasPrefix(a, "--")
		body := strings.TrimLeft(a, "-")
		name, val, hasVal := strings.Cut(body, "=")
		dashes := "-"
		if long {
			dashes = "--"
		}
		if name == "help" && long || name == "h" && !long {
			p.help = true
			continue
		}
		d := find(name, long)
		if d == nil {
			return nil, usagef("option provided but not defined: %s%s", dashes, name)
		}
		if !d.value {
			if hasVal {
				switch val {
				case "true", "1":
					p.set[d.long] = true
				case "false", "0":
					p.set[d.long] = false
				default:
					return nil, usagef("invalid value %q for flag %s%s: parse error", val, dashes, name)
				}
				continue
			}
			p.set[d.long] = true
			continue
		}
		if !hasVal {
			if i+1 >= len(args) {
				return nil, usagef("option needs an argument: %s%s", dashes, name)
			}
			i++
			val = args[i]
		}
		p.vals[d.long] = val
	}
	return p, nil
}

// formatFlags are the --format and -o/--output options shared by the tools
// that print values.
func formatFlags(def string) []flagDef {
	return []flagDef{
		{long: "format", value: true, def: def},
		{long: "output", short: "o", value: true},
	}
}

// checkFormat validates the --format value.
func checkFormat(p *parsedFlags, allowed ...string) error {
	f := p.get("format")
	for _, a := range allowed {
		if f == a {
			return nil
		}
	}
	return usagef("invalid value %q for option --format: unknown format %q", f, f)
}

// unrecognized is cmd.CheckEmpty's error.
func unrecognized(extra []string) error {
	return usagef("unrecognized args: %s", quoteSlice(extra))
}

// quoteSlice renders a []string as Go's %q does: ["a" "b"].
func quoteSlice(s []string) string { return fmt.Sprintf("%q", s) }
