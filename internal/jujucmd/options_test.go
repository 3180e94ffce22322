package jujucmd_test

import (
	"errors"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/internal/jujucmd"
)

// toolOptions are the options of a tool like relation-get, plus a one-letter
// switch (-a/--all as config-get has) for clusters.
func toolOptions() []jujucmd.Option {
	return append(jujucmd.FormatOptions("smart"),
		jujucmd.Option{Name: "relation", Short: "r", Value: true},
		jujucmd.Option{Name: "app"},
		jujucmd.Option{Name: "all", Short: "a"},
		jujucmd.Option{Name: "log-level", Short: "l", Value: true, Default: "INFO"},
	)
}

// parsed is what a test expects of a successful Parse.
type parsed struct {
	pos              []string
	format, output   string
	relation, level  string
	app, all         bool
	appSet, levelSet bool
}

// summarise reads back every option of toolOptions.
func summarise(tb testing.TB, p *jujucmd.Args) parsed {
	tb.Helper()
	return parsed{
		pos: p.Positional, format: p.Value("format"), output: p.Value("o"),
		relation: p.Value("relation"), level: p.Value("log-level"),
		app: p.Bool("app"), all: p.Bool("a"),
		appSet: p.IsSet("app"), levelSet: p.IsSet("l"),
	}
}

// defaults is summarise's result for an empty command line.
var defaults = parsed{format: "smart", level: "INFO"}

// with returns defaults changed by f.
func with(f func(*parsed)) parsed {
	p := defaults
	f(&p)
	return p
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want parsed
	}{
		{"nothing", nil, defaults},
		{"positional", []string{"key", "app/0"}, with(func(p *parsed) { p.pos = []string{"key", "app/0"} })},
		{"long with equals", []string{"--format=json"}, with(func(p *parsed) { p.format = "json" })},
		{"long with next arg", []string{"--format", "yaml"}, with(func(p *parsed) { p.format = "yaml" })},
		{"long name of one letter", []string{"--o", "out.txt"}, with(func(p *parsed) { p.output = "out.txt" })},
		{"short with next arg", []string{"-o", "out.txt"}, with(func(p *parsed) { p.output = "out.txt" })},
		{"short with value attached", []string{"-oout.txt"}, with(func(p *parsed) { p.output = "out.txt" })},
		{"short keeps an equals sign", []string{"-r=3"}, with(func(p *parsed) { p.relation = "=3" })},
		{"alias by its long name", []string{"--relation=db:1"}, with(func(p *parsed) { p.relation = "db:1" })},
		{"value may start with a dash", []string{"--output", "-x"}, with(func(p *parsed) { p.output = "-x" })},
		{"empty value", []string{"--output="}, defaults},
		{"last value wins", []string{"--format=json", "--format", "yaml"}, with(func(p *parsed) { p.format = "yaml" })},
		{"interspersed", []string{"key", "--app", "app/0", "-r", "db:1"}, with(func(p *parsed) {
			p.pos, p.app, p.appSet, p.relation = []string{"key", "app/0"}, true, true, "db:1"
		})},
		{"switch", []string{"--app"}, with(func(p *parsed) { p.app, p.appSet = true, true })},
		{"switch =true", []string{"--app=true"}, with(func(p *parsed) { p.app, p.appSet = true, true })},
		{"switch =1", []string{"--app=1"}, with(func(p *parsed) { p.app, p.appSet = true, true })},
		{"switch =false", []string{"--app=false"}, with(func(p *parsed) { p.appSet = true })},
		{"switch =0 after =true", []string{"--app", "--app=0"}, with(func(p *parsed) { p.appSet = true })},
		{"switch takes no next arg", []string{"--app", "false"}, with(func(p *parsed) {
			p.app, p.appSet, p.pos = true, true, []string{"false"}
		})},
		{"one-letter switch", []string{"-a"}, with(func(p *parsed) { p.all = true })},
		{"cluster ending in a value option", []string{"-aoout.txt"}, with(func(p *parsed) { p.all, p.output = true, "out.txt" })},
		{"cluster with value in next arg", []string{"-ao", "f"}, with(func(p *parsed) { p.all, p.output = true, "f" })},
		{"default unless given", []string{"-l", "DEBUG"}, with(func(p *parsed) { p.level, p.levelSet = "DEBUG", true })},
		{"given as the default", []string{"--log-level=INFO"}, with(func(p *parsed) { p.levelSet = true })},
		{"double dash ends options", []string{"--app", "--", "-x", "--format=bad"}, with(func(p *parsed) {
			p.app, p.appSet, p.pos = true, true, []string{"-x", "--format=bad"}
		})},
		{"lone dash and empty are positional", []string{"-", ""}, with(func(p *parsed) { p.pos = []string{"-", ""} })},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := jujucmd.Parse(tc.args, toolOptions()...)
			require.NoError(t, err, "Parse(%q)", tc.args)
			assert.Equal(t, tc.want, summarise(t, p), "Parse(%q)", tc.args)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // the text after "ERROR "; all exit 2
	}{
		{"unknown long", []string{"--nope"}, "option provided but not defined: --nope"},
		{"unknown long with value", []string{"--nope=1"}, "option provided but not defined: --nope"},
		{"unknown short", []string{"-x"}, "option provided but not defined: -x"},
		{"long name with one dash is a cluster", []string{"-format", "json"}, "option provided but not defined: -f"},
		{"unknown after a known switch", []string{"-ax"}, "option provided but not defined: -x"},
		{"unknown one letter with two dashes", []string{"--x"}, "option provided but not defined: -x"},
		{"three dashes", []string{"---app"}, "option provided but not defined: ---app"},
		{"unknown name with a newline is quoted", []string{"-\n"}, `option provided but not defined: "-\n"`},
		{"unknown long name with a newline", []string{"--a\nERROR b"}, `option provided but not defined: "--a\nERROR b"`},
		{"unknown name with a tab or CR", []string{"--x\ty\r"}, `option provided but not defined: "--x\ty\r"`},
		{"unknown name with invalid UTF-8", []string{"-\xff"}, `option provided but not defined: "-\xff"`},
		{"unknown name with a space stays as typed", []string{"--a b"}, "option provided but not defined: --a b"},
		{"unknown non-ASCII name stays as typed", []string{"-é"}, "option provided but not defined: --é"}, // gnuflag counts bytes
		{"empty name", []string{"--=json"}, `empty option in argument "--=json"`},
		{"long needs an argument", []string{"key", "--format"}, "option needs an argument: --format"},
		{"short needs an argument", []string{"-r"}, "option needs an argument: -r"},
		{"alias named as typed", []string{"--relation"}, "option needs an argument: --relation"},
		{"bad format", []string{"--format=bad"}, `invalid value "bad" for option --format: unknown format "bad"`},
		{"empty format", []string{"--format="}, `invalid value "" for option --format: unknown format ""`},
		{"bad format checked while parsing", []string{"--format", "xml", "--nope"}, `invalid value "xml" for option --format: unknown format "xml"`},
		{"unknown before bad format", []string{"--nope", "--format", "xml"}, "option provided but not defined: --nope"},
		{"bad boolean", []string{"--app=yes"}, `invalid value "yes" for option --app: strconv.ParseBool: parsing "yes": invalid syntax`},
		{"empty boolean", []string{"--app="}, `invalid value "" for option --app: strconv.ParseBool: parsing "": invalid syntax`},
		{"short boolean keeps the equals sign", []string{"-a=true"}, `invalid value "=true" for option -a: strconv.ParseBool: parsing "=true": invalid syntax`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := jujucmd.Parse(tc.args, toolOptions()...)
			require.Error(t, err, "Parse(%q)", tc.args)
			assert.Nil(t, p)
			assert.EqualError(t, err, tc.want, "Parse(%q)", tc.args)
			var ue *jujucmd.UsageError
			assert.ErrorAs(t, err, &ue)
			assert.Equal(t, 2, jujucmd.ExitCode(err))
		})
	}
}

func TestParseBoolErrorWrapsStrconv(t *testing.T) {
	_, err := jujucmd.Parse([]string{"--app=maybe"}, jujucmd.Option{Name: "app"})
	assert.ErrorIs(t, err, strconv.ErrSyntax)
}

func TestParseHelp(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"long", []string{"--help"}},
		{"short", []string{"-h"}},
		{"after positional", []string{"key", "-h"}},
		{"in a cluster", []string{"-ah"}},
		{"with a value", []string{"--help=1"}},
		{"stops parsing", []string{"--help", "--nope", "--format=bad"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := jujucmd.Parse(tc.args, toolOptions()...)
			require.ErrorIs(t, err, jujucmd.ErrHelp, "Parse(%q)", tc.args)
			assert.Equal(t, 0, jujucmd.ExitCode(err))
		})
	}
	t.Run("error before help wins", func(t *testing.T) {
		_, err := jujucmd.Parse([]string{"--nope", "--help"}, toolOptions()...)
		assert.EqualError(t, err, "option provided but not defined: --nope")
	})
	t.Run("no options at all", func(t *testing.T) {
		_, err := jujucmd.Parse([]string{"k=v", "--help"})
		assert.ErrorIs(t, err, jujucmd.ErrHelp)
	})
}

func TestParseCheck(t *testing.T) {
	errNotID := errors.New("invalid relation id")
	rel := jujucmd.Option{Name: "relation", Short: "r", Value: true, Check: func(v string) error {
		if _, err := strconv.Atoi(v); err != nil {
			return errNotID
		}
		return nil
	}}
	p, err := jujucmd.Parse([]string{"-r", "3"}, rel)
	require.NoError(t, err)
	assert.Equal(t, "3", p.Value("relation"))

	_, err = jujucmd.Parse([]string{"--relation", "x"}, rel)
	assert.EqualError(t, err, `invalid value "x" for option --relation: invalid relation id`)
	assert.ErrorIs(t, err, errNotID)
}

func TestParseBadDefinitionsPanic(t *testing.T) {
	tests := []struct {
		name string
		opts []jujucmd.Option
		want string
	}{
		{"empty name", []jujucmd.Option{{}}, `jujucmd: invalid option name ""`},
		{"dashed name", []jujucmd.Option{{Name: "--x"}}, `jujucmd: invalid option name "--x"`},
		{"long short", []jujucmd.Option{{Name: "output", Short: "ou"}}, `jujucmd: option "output": short name "ou" is not one letter`},
		{"repeated", []jujucmd.Option{{Name: "app"}, {Name: "app", Value: true}}, `jujucmd: option "app" defined twice`},
		{"short clashes", []jujucmd.Option{{Name: "o"}, {Name: "output", Short: "o"}}, `jujucmd: option "o" defined twice`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.PanicsWithValue(t, tc.want, func() { _, _ = jujucmd.Parse(nil, tc.opts...) })
		})
	}
	t.Run("unknown name looked up", func(t *testing.T) {
		p, err := jujucmd.Parse(nil, jujucmd.Option{Name: "app"})
		require.NoError(t, err)
		assert.PanicsWithValue(t, `jujucmd: no option "nope" defined`, func() { p.Value("nope") })
	})
}

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"success", nil, 0},
		{"help", jujucmd.ErrHelp, 0},
		{"usage", jujucmd.Usagef("no message specified"), 2},
		{"wrapped usage", errors.Join(errors.New("x"), jujucmd.Unrecognized([]string{"a"})), 2},
		{"run error", errors.New("cannot write leadership settings"), 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, jujucmd.ExitCode(tc.err))
		})
	}
}

func TestUnrecognized(t *testing.T) {
	tests := []struct {
		extra []string
		want  string
	}{
		{[]string{"blah"}, `unrecognized args: ["blah"]`},
		{[]string{"x", "y z"}, `unrecognized args: ["x" "y z"]`},
		{[]string{`a"b`}, `unrecognized args: ["a\"b"]`},
	}
	for _, tc := range tests {
		err := jujucmd.Unrecognized(tc.extra)
		assert.EqualError(t, err, tc.want, "Unrecognized(%q)", tc.extra)
		assert.Equal(t, 2, jujucmd.ExitCode(err))
	}
}

func TestUsagefWraps(t *testing.T) {
	base := errors.New(`expected "key=value", got "x"`)
	err := jujucmd.Usagef("%w", base)
	assert.EqualError(t, err, base.Error())
	assert.ErrorIs(t, err, base)
}
