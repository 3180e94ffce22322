package cli

import (
	"fmt"
	"slices"
	"strings"
)

// cmdKind is how a subcommand's result is shown (charm-helpers' cmdline).
type cmdKind int

const (
	kindPrint    cmdKind = iota // prints its return value
	kindTest                    // prints nothing; exit 0 for true, 1 for false
	kindNoOutput                // prints nothing; exit 0
)

// command is one subcommand: its argument shape, as argparse derives it
// from the Python function's signature, and its action.
type command struct {
	name       string
	help       string
	positional []string // required positional arguments
	variadic   string   // the *args parameter; "" when there is none
	options    []string // --options taking one value
	kind       cmdKind
	needsStore bool
	run        func(e *session, inv *invocation) (any, error)
}

// invocation is a parsed command line.
type invocation struct {
	format string
	help   string // set when -h/--help was given: the text to print
	cmd    *command
	pos    []string          // the required positionals, in order
	rest   []string          // the variadic values
	opts   map[string]string // the options given
}

// opt returns an option's value and whether it was given.
func (inv *invocation) opt(name string) (string, bool) {
	v, ok := inv.opts[name]
	return v, ok
}

var formats = []string{"raw", "json", "py", "yaml", "csv", "tab"}

const usageLine = "usage: " + Program + " [-h] [--format FMT | -r | -j | -p | -y | -c | -t] COMMAND ..."

// globalOptions are the long options of the top-level parser; argparse
// accepts any unambiguous prefix of them.
var globalOptions = []string{"--help", "--format", "--raw", "--json", "--py", "--yaml", "--csv", "--tab"}

func usagef(format string, a ...any) error {
	return fmt.Errorf(format+": %w", append(a, errUsage)...)
}

// matchLong resolves an unambiguous prefix of a long option, as argparse's
// allow_abbrev does.
func matchLong(tok string, known []string) (string, error) {
	if slices.Contains(known, tok) {
		return tok, nil
	}
	var hits []string
	for _, k := range known {
		if strings.HasPrefix(k, tok) {
			hits = append(hits, k)
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		return "", nil
	}
	return "", usagef("ambiguous option: %s could match %s", tok, strings.Join(hits, ", "))
}

// parse parses a charms.reactive command line: global options, the
// subcommand, then its arguments.
func parse(args []string) (*invocation, error) {
	inv := &invocation{format: "raw"}
	formatFrom := "" // the option that chose the format, for the exclusive group
	setFormat := func(opt, f string) error {
		if formatFrom != "" && formatFrom != opt {
			return usagef("argument %s: not allowed with argument %s", opt, formatFrom)
		}
		formatFrom, inv.format = opt, f
		return nil
	}
	i := 0
	for ; i < len(args); i++ {
		tok := args[i]
		if tok == "--" || !strings.HasPrefix(tok, "-") || tok == "-" {
			break
		}
		name, value, hasValue := tok, "", false
		if strings.HasPrefix(tok, "--") {
			if k, v, ok := strings.Cut(tok, "="); ok {
				name, value, hasValue = k, v, true
			}
			full, err := matchLong(name, globalOptions)
			if err != nil {
				return nil, err
			}
			if full == "" {
				return nil, usagef("unrecognized arguments: %s", tok)
			}
			name = full
		}
		switch name {
		case "-h", "--help":
			inv.help = mainHelp()
			return inv, nil
		case "--format":
			if !hasValue {
				if i+1 >= len(args) || strings.HasPrefix(args[i+1], "-") {
					return nil, usagef("argument --format: expected one argument")
				}
				i++
				value = args[i]
			}
			if !slices.Contains(formats, value) {
				return nil, usagef("argument --format: invalid choice: %s (choose from %s)", pyQuote(value), quotedList(formats))
			}
			if err := setFormat("--format", value); err != nil {
				return nil, err
			}
			continue
		}
		if hasValue {
			return nil, usagef("argument %s: ignored explicit argument %s", name, pyQuote(value))
		}
		f := ""
		for _, c := range formats {
			if name == "-"+c[:1] || name == "--"+c {
				f = c
			}
		}
		if f == "" {
			return nil, usagef("unrecognized arguments: %s", tok)
		}
		if err := setFormat("-"+f[:1]+"/--"+f, f); err != nil {
			return nil, err
		}
	}
	if i < len(args) && args[i] == "--" {
		i++
	}
	if i >= len(args) {
		return nil, usagef("the following arguments are required: COMMAND")
	}
	cmd := findCommand(args[i])
	if cmd == nil {
		return nil, usagef("argument COMMAND: invalid choice: %s (choose from %s)", pyQuote(args[i]), quotedList(commandNames()))
	}
	inv.cmd = cmd
	return inv, parseSubcommand(inv, args[i+1:])
}

// parseSubcommand parses the arguments of inv.cmd, as argparse does for a
// Python function: parameters with defaults are --options, the others are
// positionals, *args takes the remaining values.
func parseSubcommand(inv *invocation, args []string) error {
	cmd := inv.cmd
	long := make([]string, 0, len(cmd.options)+1)
	long = append(long, "--help")
	for _, o := range cmd.options {
		long = append(long, "--"+o)
	}
	inv.opts = map[string]string{}
	var pos []string
	onlyPos := false
	for i := 0; i < len(args); i++ {
		tok := args[i]
		if onlyPos || !strings.HasPrefix(tok, "-") || tok == "-" || isNegativeNumber(tok) {
			pos = append(pos, tok)
			continue
		}
		if tok == "--" {
			onlyPos = true
			continue
		}
		if tok == "-h" {
			inv.help = cmd.helpText()
			return nil
		}
		if !strings.HasPrefix(tok, "--") {
			return usagef("unrecognized arguments: %s", tok)
		}
		name, value, hasValue := strings.Cut(tok, "=")
		full, err := matchLong(name, long)
		if err != nil {
			return err
		}
		if full == "" {
			return usagef("unrecognized arguments: %s", tok)
		}
		if full == "--help" {
			inv.help = cmd.helpText()
			return nil
		}
		if !hasValue {
			if i+1 >= len(args) || (strings.HasPrefix(args[i+1], "-") && args[i+1] != "-" && !isNegativeNumber(args[i+1])) {
				return usagef("argument %s: expected one argument", full)
			}
			i++
			value = args[i]
		}
		inv.opts[strings.TrimPrefix(full, "--")] = value
	}
	if len(pos) < len(cmd.positional) {
		return usagef("the following arguments are required: %s", strings.Join(cmd.positional[len(pos):], ", "))
	}
	inv.pos = pos[:len(cmd.positional)]
	extra := pos[len(cmd.positional):]
	if cmd.variadic == "" && len(extra) > 0 {
		return usagef("unrecognized arguments: %s", strings.Join(extra, " "))
	}
	inv.rest = extra
	return nil
}

// isNegativeNumber reports whether tok looks like a negative number, which
// argparse takes as a positional when no option looks like one.
func isNegativeNumber(tok string) bool {
	if len(tok) < 2 || tok[0] != '-' {
		return false
	}
	dot := false
	for _, c := range tok[1:] {
		switch {
		case c >= '0' && c <= '9':
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return true
}

func quotedList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = pyQuote(s)
	}
	return strings.Join(q, ", ")
}

// usage returns the subcommand's usage line.
func (c *command) usage() string {
	var b strings.Builder
	b.WriteString("usage: " + Program + " " + c.name + " [-h]")
	for _, o := range c.options {
		fmt.Fprintf(&b, " [--%s %s]", o, strings.ToUpper(o))
	}
	for _, p := range c.positional {
		b.WriteString(" " + p)
	}
	if c.variadic != "" {
		fmt.Fprintf(&b, " [%s ...]", c.variadic)
	}
	return b.String()
}

func (c *command) helpText() string {
	return c.usage() + "\n\n" + c.help + "\n"
}

// mainHelp is the text of charms.reactive --help.
func mainHelp() string {
	var b strings.Builder
	b.WriteString(usageLine + "\n\nPerform common charm tasks\n\n")
	b.WriteString("options:\n")
	b.WriteString("  -h, --help     show this help message and exit\n")
	b.WriteString("  --format FMT   Select output format for returned data, where FMT is one of: " + strings.Join(formats, ", ") + "\n")
	b.WriteString("  -r, --raw      Output data as raw string (default)\n")
	b.WriteString("  -j, --json     Output data in JSON format\n")
	b.WriteString("  -p, --py       Output data as a nicely-formatted python data structure\n")
	b.WriteString("  -y, --yaml     Output data in YAML format\n")
	b.WriteString("  -c, --csv      Output data as excel-compatible CSV\n")
	b.WriteString("  -t, --tab      Output data in excel-compatible tab-delimited format\n")
	b.WriteString("\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-20s %s\n", c.name, c.help)
	}
	return b.String()
}

func findCommand(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

func commandNames() []string {
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	return names
}
