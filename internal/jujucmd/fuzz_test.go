package jujucmd_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/internal/jujucmd"
)

// FuzzParse checks that no command line makes Parse panic, that every
// failure is help or a one-line usage error, and that arguments after "--"
// come back positional and unchanged. The arguments are the fuzzed
// string split at NUL bytes.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"", "--format=json", "-r\x003\x00key", "-aoout\x00--app=0", "--\x00-x",
		"--=x", "---", "--", "-", "-h", "--help=1", "-a=true", "--app=maybe", "-é",
		"-\n", "--x\r\ny", "-\xff",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Split(line, "\x00")
		p, err := jujucmd.Parse(args, toolOptions()...)
		if err != nil {
			assert.Nil(t, p)
			if errors.Is(err, jujucmd.ErrHelp) {
				return
			}
			var ue *jujucmd.UsageError
			require.ErrorAs(t, err, &ue, "Parse(%q)", args)
			assert.Equal(t, 2, jujucmd.ExitCode(err))
			assert.NotEmpty(t, err.Error())
			assert.NotContains(t, err.Error(), "\n", "Parse(%q): the ERROR line must stay one line", args)
			return
		}
		// Whatever came before, a "--" followed by arguments that would be
		// errors as options leaves those arguments positional, or fails.
		tail := []string{"-x", "--format=bad"}
		q, err := jujucmd.Parse(append(args, append([]string{"--"}, tail...)...), toolOptions()...)
		if err == nil {
			require.GreaterOrEqual(t, len(q.Positional), len(tail), "Parse(%q)", args)
			assert.Equal(t, tail, q.Positional[len(q.Positional)-len(tail):], "Parse(%q) + -- %q", args, tail)
		}
		assert.NoError(t, jujucmd.CheckFormat(p.Value("format")), "Parse(%q) let a bad format through", args)
	})
}
