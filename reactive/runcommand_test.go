package reactive_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"testing"

	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/reactive"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// childCLI returns a command re-running the test binary as the
// charms.reactive command with args (see TestCLIChildProcess).
func childCLI(t *testing.T, dbPath string, args ...string) *exec.Cmd {
	t.Helper()
	raw, err := json.Marshal(args)
	require.NoError(t, err)
	cmd := exec.Command(os.Args[0], "-test.run=^TestCLIChildProcess$")
	// UNIT_STATE_DB points at the hook's store: the child must not open it
	// (the hook holds its lock), so a child that did would fail after the
	// lock timeout instead of answering.
	cmd.Env = append(os.Environ(), helperEnv+"="+string(raw), "UNIT_STATE_DB="+dbPath)
	return cmd
}

// Ensure that a child started with Hook.RunCommand uses the charms.reactive
// command on the hook's open transaction: it sees a flag set earlier in the
// hook, its set_flag reaches the watch (a handler waiting for that flag runs
// in the next iteration), and its change is committed with the hook, or
// rolled back with it when the hook fails.
func TestHook_RunCommand(t *testing.T) {
	for _, fail := range []bool{false, true} {
		name := "success"
		if fail {
			name = "failure"
		}
		t.Run(name, func(t *testing.T) {
			s, dbPath := newCLIStore(t)
			r := reactive.NewRegistry()
			var sawPre, after bool
			r.Handle("child", reactive.WhenNot("child.set"), func(_ context.Context, h *reactive.Hook) error {
				if err := h.SetFlag("pre"); err != nil {
					return err
				}
				sawPre = h.RunCommand(childCLI(t, dbPath, "is_flag_set", "pre")) == nil
				return h.RunCommand(childCLI(t, dbPath, "set_flag", "child.set"))
			})
			r.Handle("after", reactive.When("child.set"), func(context.Context, *reactive.Hook) error {
				after = true
				if fail {
					return errors.New("boom")
				}
				return nil
			})
			res, err := r.Run(t.Context(), reactive.RunOptions{
				Store: s,
				Env:   hookenv.Env{HookName: "config-changed", CharmDir: t.TempDir()},
			})
			assert.True(t, sawPre, "the child sees the hook's uncommitted flag")
			assert.True(t, after, "the child's set_flag enabled a handler in the next iteration")
			if fail {
				require.Error(t, err)
				assert.Empty(t, storedFlags(t, s), "a failed hook rolls back the child's change too")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []string{"child", "after"}, res.Invoked)
			assert.Equal(t, []string{"child.set", "pre"}, storedFlags(t, s))
		})
	}
}

// Ensure that a failing child is reported to the handler with its exit code.
func TestHook_RunCommand_ExitCode(t *testing.T) {
	s, dbPath := newCLIStore(t)
	r := reactive.NewRegistry()
	var code int
	r.Handle("child", reactive.When(), func(_ context.Context, h *reactive.Hook) error {
		code = exitCode(t, h.RunCommand(childCLI(t, dbPath, "is_flag_set", "nope")))
		return reactive.ErrStop
	})
	_, err := r.Run(t.Context(), reactive.RunOptions{Store: s, Env: hookenv.Env{HookName: "install"}})
	require.NoError(t, err)
	assert.Equal(t, 1, code, "is_flag_set of an unset flag exits 1")
}
