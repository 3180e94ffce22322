package jujucmd_test

import (
	"errors"
	"fmt"

	"github.com/charmkit/charmkit/internal/jujucmd"
)

// relationGet parses a relation-get command line the way Juju does and
// returns what the tool would print, with its exit status.
func relationGet(args ...string) (string, int) {
	opts := append(jujucmd.FormatOptions(jujucmd.FormatSmart),
		jujucmd.Option{Name: "relation", Short: "r", Value: true},
		jujucmd.Option{Name: "app"})
	p, err := jujucmd.Parse(args, opts...)
	if err == nil && len(p.Positional) > 2 {
		err = jujucmd.Unrecognized(p.Positional[2:])
	}
	if errors.Is(err, jujucmd.ErrHelp) {
		return "Usage: relation-get [options] <key> <unit id>\n", jujucmd.ExitCode(err)
	}
	if err != nil {
		return "ERROR " + err.Error() + "\n", jujucmd.ExitCode(err)
	}
	out, err := jujucmd.Format(p.Value("format"), map[string]any{
		"key": p.Positional[0], "app": p.Bool("app"), "relation": p.Value("r"),
	})
	if err != nil {
		return "ERROR " + err.Error() + "\n", jujucmd.ExitCode(err)
	}
	return string(out), 0
}

func Example() {
	for _, args := range [][]string{
		{"password", "-r", "peer:1", "--app=true", "--format=json"},
		{"password", "--format", "yaml", "-rpeer:1"},
		{"--app=maybe", "password"},
		{"password", "app", "extra"},
		{"--format=xml"},
		{"-h"},
	} {
		out, code := relationGet(args...)
		fmt.Printf("%d %s", code, out)
	}
	// Output:
	// 0 {"app":true,"key":"password","relation":"peer:1"}
	// 0 app: false
	// key: password
	// relation: peer:1
	// 2 ERROR invalid value "maybe" for option --app: strconv.ParseBool: parsing "maybe": invalid syntax
	// 2 ERROR unrecognized args: ["extra"]
	// 2 ERROR invalid value "xml" for option --format: unknown format "xml"
	// 0 Usage: relation-get [options] <key> <unit id>
}

func ExampleFormat() {
	for _, format := range []string{"smart", "yaml", "json"} {
		out, _ := jujucmd.Format(format, true)
		fmt.Printf("%s: %q\n", format, out)
	}
	// Output:
	// smart: "True\n"
	// yaml: "true\n"
	// json: "true\n"
}
