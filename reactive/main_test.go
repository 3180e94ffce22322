package reactive_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/reactive"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// charmModeEnv makes the test binary act as a tiny charm's dispatch binary.
const charmModeEnv = "REACTIVE_TEST_CHARM_MODE"

func TestMain(m *testing.M) {
	if mode, ok := os.LookupEnv(charmModeEnv); ok {
		reactive.Main(testCharm(mode))
		return // not reached: Main exits
	}
	os.Exit(m.Run())
}

// testCharm is the charm the re-executed test binary runs: install sets
// app.installed and records JUJU_HOOK_NAME as seen by a child process;
// mode decides how the second handler ends the hook.
func testCharm(mode string) *reactive.Registry {
	r := reactive.NewRegistry()
	r.Handle("install", reactive.WhenNot("app.installed"), func(_ context.Context, h *reactive.Hook) error {
		out, err := exec.Command("sh", "-c", `printf %s "$JUJU_HOOK_NAME"`).Output()
		if err != nil {
			return err
		}
		return h.SetFlagValue("app.installed", string(out))
	})
	r.Handle("end", reactive.When("app.installed"), func(ctx context.Context, h *reactive.Hook) error {
		if end, ok := endModes[mode]; ok {
			return end(ctx, h)
		}
		switch mode {
		case "error":
			return errors.New("disk full")
		case "panic":
			panic("kaboom")
		case "abort":
			return reactive.Abort(7)
		case "stop":
			if err := h.SetFlag("stopped"); err != nil {
				return err
			}
			return reactive.ErrStop
		}
		return nil
	})
	return r
}

// exitCode returns the exit status of a child process that ran: 0 when err
// is nil, the status of an *exec.ExitError; any other error (the process
// did not start) fails the test.
func exitCode(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	require.NoError(t, err)
	return 0
}

// installHookCommand returns a command that runs the test binary as the
// test charm (see testCharm; mode picks how it ends) in an install hook of
// unit app/0 whose charm directory is dir, with only toolsDir and the system
// directories on PATH, and the extra variables added.
func installHookCommand(t *testing.T, mode, dir, toolsDir string, extra ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe)
	cmd.Env = append([]string{
		charmModeEnv + "=" + mode,
		"PATH=" + toolsDir + ":/usr/bin:/bin",
		"JUJU_CONTEXT_ID=app-0-install-1",
		"JUJU_DISPATCH_PATH=hooks/install",
		"JUJU_UNIT_NAME=app/0",
		"JUJU_MODEL_NAME=m",
		"JUJU_MODEL_UUID=u",
		"JUJU_CHARM_DIR=" + dir,
	}, extra...)
	return cmd
}

// Ensure the charm binary runs a hook as a real process: exit codes 0, 1 and
// n, "Hook error:" through the juju-log fallback on stderr, the store
// committed only on success, and JUJU_HOOK_NAME exported from
// JUJU_DISPATCH_PATH before child processes start.
func TestMain_Process(t *testing.T) {
	for _, tc := range []struct {
		mode      string
		code      int
		stderr    string
		wantFlags []string
	}{
		{"ok", 0, "juju-log: INFO: Invoking reactive handler: end", []string{"app.installed"}},
		{"stop", 0, "juju-log: INFO: Invoking reactive handler: end", []string{"app.installed", "stopped"}},
		{"error", 1, "juju-log: ERROR: Hook error:\nhandler \"end\": disk full", nil},
		{"panic", 1, "juju-log: ERROR: Hook error:\nhandler \"end\" panicked: kaboom\ngoroutine", nil},
		{"abort", 7, "juju-log: INFO: Invoking reactive handler: end", nil},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			dir := t.TempDir()
			cmd := installHookCommand(t, tc.mode, dir, filepath.Join(dir, "no-tools"))
			var stderr strings.Builder
			cmd.Stderr = &stderr
			code := exitCode(t, cmd.Run())
			assert.Equal(t, tc.code, code, "stderr: %s", stderr.String())
			assert.Contains(t, stderr.String(), "juju-log: INFO: Reactive main running for hook install\n")
			assert.Contains(t, stderr.String(), tc.stderr)
			if tc.code != 1 {
				assert.NotContains(t, stderr.String(), "Hook error")
			}

			s, err := flags.Open(filepath.Join(dir, ".unit-state.db"), nil)
			require.NoError(t, err)
			defer s.Close()
			assert.Equal(t, tc.wantFlags, flagList(t, s))
			if tc.wantFlags != nil {
				assert.Equal(t, `"install"`, dump(t, s)["reactive.states.app.installed"], "JUJU_HOOK_NAME exported to children")
			}
		})
	}
}

// Ensure a malformed hook context fails the hook with exit 1 and the reason.
func TestMain_BadEnv(t *testing.T) {
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe)
	cmd.Env = []string{charmModeEnv + "=ok", "PATH=/usr/bin:/bin", "JUJU_CONTEXT_ID=x", "JUJU_HOOK_NAME=install", "JUJU_UNIT_NAME=not a unit"}
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, 1, ee.ExitCode())
	assert.Contains(t, string(out), "juju-log: ERROR: Hook error:\nreading the hook context: JUJU_UNIT_NAME")
}
