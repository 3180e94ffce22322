package jujucmd

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Option declares one command-line option of a hook tool, as a gnuflag
// definition in Juju's SetFlags would. gnuflag keeps no difference between
// long and short names: any name may be given with two dashes ("--o",
// "--output"), and a one-letter name also with one ("-o", and "-ofile" or
// "-ab" for clustered one-letter options).
type Option struct {
	// Name is the option's name without dashes, e.g. "format"; it is the
	// name [Args] looks values up by. It may itself be one letter.
	Name string
	// Short is an optional one-letter alias, e.g. "o" for "output".
	Short string
	// Value reports whether the option takes a value ("--format json",
	// "--format=json", "-o file", "-ofile"). Otherwise it is a boolean
	// switch: given alone it is true, and "--app=false" (any value
	// strconv.ParseBool accepts) sets it explicitly.
	Value bool
	// Default is a value option's value when it is not given.
	Default string
	// Check, if not nil, validates a value option's value while parsing, as
	// a gnuflag Value's Set does. Its error becomes the usage error
	// `invalid value "<v>" for option <-x|--name>: <error>`.
	Check func(value string) error
}

// names returns the option's names, Name first.
func (o Option) names() []string {
	if o.Short == "" {
		return []string{o.Name}
	}
	return []string{o.Name, o.Short}
}

// Args is a parsed command line: the options' values and the positional
// arguments.
type Args struct {
	// Positional holds the non-option arguments in order, including every
	// argument after "--".
	Positional []string

	byName map[string]*Option // every name and alias → its option
	values map[string]string  // by Option.Name, value options
	bools  map[string]bool    // by Option.Name, switches
	given  map[string]bool    // by Option.Name, options on the command line
}

// lookup returns the option called name (a Name or a Short); a name no
// option has is a mistake in the caller's code, so it panics.
func (a *Args) lookup(name string) *Option {
	o, ok := a.byName[name]
	if !ok {
		panic(fmt.Sprintf("jujucmd: no option %q defined", name))
	}
	return o
}

// Value returns the value of the value option called name (its Name or
// Short): the last one given, or its Default. It panics if no option has
// that name.
func (a *Args) Value(name string) string {
	o := a.lookup(name)
	if v, ok := a.values[o.Name]; ok {
		return v
	}
	return o.Default
}

// Bool returns the value of the switch called name (its Name or Short):
// false unless given. It panics if no option has that name.
func (a *Args) Bool(name string) bool {
	return a.bools[a.lookup(name).Name]
}

// IsSet reports whether the option called name (its Name or Short) was given
// on the command line, under any of its names. It panics if no option has
// that name.
func (a *Args) IsSet(name string) bool {
	return a.given[a.lookup(name).Name]
}

// Parse parses args (without the command name) against opts the way gnuflag
// does for Juju's hook tools, with interspersed options allowed:
//
//   - "--name", "--name=value" and "--name value"; "-n", "-nvalue",
//     "-n value" and clusters of one-letter switches such as "-ab";
//   - "--" ends the options: every later argument is positional, as are
//     "-" and "";
//   - an undefined -h or --help stops parsing and returns [ErrHelp];
//   - a value option's value may start with a dash ("--format -x").
//
// A command-line mistake is a *[UsageError] with gnuflag's text (Juju calls
// flags "options"): `option provided but not defined: --x`,
// `option needs an argument: -o`, `invalid value "x" for option --app: …`.
// Options are named in errors by the name given, with one dash for a
// one-byte name and two otherwise; a name with a non-printable character is
// quoted as Go's %q does, so the message stays one line (see withDashes).
// An invalid opts (an empty or repeated name, a Short that is not one
// letter) is a mistake in the caller's code: Parse panics.
func Parse(args []string, opts ...Option) (*Args, error) {
	a := &Args{
		byName: map[string]*Option{},
		values: map[string]string{},
		bools:  map[string]bool{},
		given:  map[string]bool{},
	}
	for i := range opts {
		o := &opts[i]
		if o.Name == "" || strings.HasPrefix(o.Name, "-") || strings.Contains(o.Name, "=") {
			panic(fmt.Sprintf("jujucmd: invalid option name %q", o.Name))
		}
		if o.Short != "" && (utf8.RuneCountInString(o.Short) != 1 || o.Short == "-" || o.Short == "=") {
			panic(fmt.Sprintf("jujucmd: option %q: short name %q is not one letter", o.Name, o.Short))
		}
		for _, n := range o.names() {
			if _, dup := a.byName[n]; dup {
				panic(fmt.Sprintf("jujucmd: option %q defined twice", n))
			}
			a.byName[n] = o
		}
	}
	p := parser{args: a, rest: args}
	for len(p.rest) > 0 {
		if err := p.next(); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// parser holds the arguments still to parse.
type parser struct {
	args *Args
	rest []string
}

// next parses one argument: a positional one, "--", a long option (with its
// value) or a cluster of one-letter options (with a value for the last).
func (p *parser) next() error {
	arg := p.rest[0]
	p.rest = p.rest[1:]
	switch {
	case arg == "-" || arg == "" || arg[0] != '-':
		p.args.Positional = append(p.args.Positional, arg)
		return nil
	case arg == "--":
		p.args.Positional = append(p.args.Positional, p.rest...)
		p.rest = nil
		return nil
	case arg[1] == '-':
		name, val, inline := strings.Cut(arg[2:], "=")
		if inline && name == "" {
			// gnuflag's "empty flag in argument %q", with Juju's word for
			// flags (inference: not seen in a Juju transcript).
			return Usagef("empty option in argument %q", arg)
		}
		return p.option(name, val, inline)
	}
	// One-letter options: each rune is an option until one takes a value,
	// which is the rest of the argument ("-ofile") or the next argument.
	cluster := arg[1:]
	for cluster != "" {
		_, n := utf8.DecodeRuneInString(cluster)
		name, tail := cluster[:n], cluster[n:]
		o, known := p.args.byName[name]
		if known && !o.Value && !strings.HasPrefix(tail, "=") {
			p.set(o, "true")
			cluster = tail
			continue
		}
		// A value follows in the argument (gnuflag keeps a "=" in it:
		// "-r=3" is the value "=3"), or is the next argument.
		return p.option(name, tail, tail != "")
	}
	return nil
}

// option sets the option called name; inline reports whether its value was
// part of the argument ("--name=value", "-nvalue") rather than to be taken
// from the next argument.
func (p *parser) option(name, val string, inline bool) error {
	o, known := p.args.byName[name]
	if !known {
		if name == "h" || name == "help" {
			return ErrHelp
		}
		return Usagef("option provided but not defined: %s", withDashes(name))
	}
	if !o.Value {
		if !inline {
			p.set(o, "true")
			return nil
		}
		if _, err := strconv.ParseBool(val); err != nil {
			return Usagef("invalid value %q for option %s: %w", val, withDashes(name), err)
		}
		p.set(o, val)
		return nil
	}
	if !inline {
		if len(p.rest) == 0 {
			return Usagef("option needs an argument: %s", withDashes(name))
		}
		val, p.rest = p.rest[0], p.rest[1:]
	}
	if o.Check != nil {
		if err := o.Check(val); err != nil {
			return Usagef("invalid value %q for option %s: %w", val, withDashes(name), err)
		}
	}
	p.set(o, val)
	return nil
}

// set records a value already checked: a switch's is one ParseBool accepts.
func (p *parser) set(o *Option, val string) {
	p.args.given[o.Name] = true
	if o.Value {
		p.args.values[o.Name] = val
		return
	}
	b, _ := strconv.ParseBool(val)
	p.args.bools[o.Name] = b
}

// withDashes names an option as gnuflag's errors do: one dash before a
// one-byte name, two before a longer one, whatever the user typed.
//
// gnuflag prints the name as typed ("%s"), so an unknown option containing
// a newline makes Juju print an "ERROR ..." message of two lines, the second
// without the "ERROR " prefix. The fake tools keep every message on one
// line instead: a name with a character strconv.IsPrint rejects (a control
// character such as a newline, a tab or a carriage return, or invalid UTF-8)
// is quoted as Go's %q quotes it, dashes included
// (`option provided but not defined: "-\n"`). Every printable name keeps
// gnuflag's text byte for byte.
func withDashes(name string) string {
	s := "-" + name
	if len(name) > 1 {
		s = "--" + name
	}
	if !printable(name) {
		return strconv.Quote(s)
	}
	return s
}

// printable reports whether s is valid UTF-8 made only of characters
// strconv.IsPrint accepts (letters, marks, numbers, punctuation, symbols and
// the ASCII space).
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !strconv.IsPrint(r) {
			return false
		}
	}
	return true
}
