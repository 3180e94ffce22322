package hookenv_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/hookenv"
)

// execSize is what strs cost in execve's budget: each string, its NUL and its
// pointer.
func execSize(strs []string) int {
	n := 0
	for _, s := range strs {
		n += len(s) + 1 + 8
	}
	return n
}

// fillEnv sets an environment variable so large that only about left bytes of
// execve's budget remain for a tool's arguments.
func fillEnv(t *testing.T, left int) {
	t.Helper()
	fill := hookenv.ExecArgLimit() - execSize(os.Environ()) - left
	require.Greater(t, fill, 1024, "the environment already leaves less than %d bytes", left)
	// One variable holds at most 128 KiB (MAX_ARG_STRLEN), as an argument does.
	for i := 0; fill > 0; i++ {
		n := min(fill, 120*1024)
		t.Setenv(fmt.Sprintf("CHARMKIT_TEST_FILL_%d", i), strings.Repeat("x", n))
		fill -= n + len("CHARMKIT_TEST_FILL_00=") + 1 + 8
	}
}

// Settings each within the 128 KiB argument limit and together within the 2 MiB
// the limit used to be, but over what the environment leaves of execve's budget:
// refused before the call, naming the keys, instead of execve's "argument list too
// long".
func TestLeaderSetArgumentBudget(t *testing.T) {
	fillEnv(t, 600*1024)
	settings := map[string]string{}
	for i := range 8 {
		settings[fmt.Sprintf("blob%d", i)] = strings.Repeat("v", 100*1024+i)
	}
	f := newFake(t, "faults/none.txt") // after fillEnv: the tools get the large environment
	err := f.Tools().LeaderSet(t.Context(), settings)
	require.ErrorIs(t, err, hookenv.ErrInvalidArgument)
	msg := err.Error()
	assert.True(t, strings.HasPrefix(msg, "leader-set: invalid argument: settings of 819348 bytes do not fit"), msg)
	assert.Contains(t, msg, "environment")
	assert.Contains(t, msg, `largest: "blob7", "blob6", "blob5", "blob4", "blob3" and 3 more`, "the keys are named, largest first")
	assert.Equal(t, 0, f.Calls(), "no process started")

	// Within the budget the same call goes ahead.
	small := map[string]string{"blob0": settings["blob0"], "blob1": settings["blob1"]}
	_, err = hookenv.EncodeKeyValues(small)
	assert.NoError(t, err)
}

// The runner checks what it really passes to execve, whatever the wrapper: a
// free-text argument and an explicit environment too.
func TestExecRunnerArgumentBudget(t *testing.T) {
	limit := hookenv.ExecArgLimit()
	dir := t.TempDir()
	env := []string{"BIG=" + strings.Repeat("e", 100*1024)}
	for execSize(env) < limit-64*1024 {
		env = append(env, "MORE="+strings.Repeat("e", 100*1024))
	}
	r := hookenv.ExecRunner{Dir: dir, Env: env}
	_, err := r.Run(t.Context(), "juju-log", []string{"-l", "INFO", "--", strings.Repeat("m", 100*1024)}, nil)
	require.ErrorIs(t, err, hookenv.ErrInvalidArgument)
	assert.Regexp(t, `^juju-log: invalid argument: arguments of \d+ bytes and an environment of \d+ bytes exceed the \d+ bytes execve takes \(argument list too long\)$`, err.Error())
	assert.False(t, errors.Is(err, hookenv.ErrToolNotFound), "checked before looking for the tool")

	_, err = hookenv.ExecRunner{Dir: dir}.Run(t.Context(), "juju-log", []string{"--", strings.Repeat("m", 128*1024)}, nil)
	require.ErrorIs(t, err, hookenv.ErrInvalidArgument)
	assert.Equal(t, "juju-log: invalid argument: argument 2 is 131072 bytes, over the 131071-byte limit of one argument", err.Error())
}

func TestExecArgLimit(t *testing.T) {
	limit := hookenv.ExecArgLimit()
	assert.GreaterOrEqual(t, limit, 128*1024, "never less than 32 pages")
	assert.LessOrEqual(t, limit, 6*1024*1024, "never more than 3/4 of the kernel's 8 MiB stack limit")
}
