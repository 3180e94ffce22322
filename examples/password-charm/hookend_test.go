//go:build linux

package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/testing/jujusim"
)

// How the compiled charm ends its hooks: SIGTERM, a store it cannot write.
// The bounds are generous (a loaded two-core machine runs these tests).
const (
	// hookBound bounds a hook that should end by itself, or the wait for
	// something a running hook does.
	hookBound = 15 * time.Second
	// termBound bounds the end of a hook after SIGTERM: the grace period
	// (reactive.DefaultTermGrace, 5 s) and the last log flush (2 s), with
	// room to spare.
	termBound = 15 * time.Second
)

// compiledHook returns the command running the compiled charm (built as
// make charm builds it) for one hook of unit in the directory setup made,
// in a process group of its own that is killed when the test ends.
func compiledHook(tb testing.TB, dir, unit, hook string, extra ...string) *exec.Cmd {
	tb.Helper()
	cmd := exec.Command(jujusim.BuildCharm(tb, "."))
	cmd.Dir = filepath.Join(dir, "charm")
	cmd.Env = append([]string{
		"PATH=" + filepath.Join(dir, "bin") + ":/usr/bin:/bin",
		"FAKE_STATE=" + filepath.Join(dir, "state"),
		"JUJU_CONTEXT_ID=" + unit + "-" + hook,
		"JUJU_UNIT_NAME=" + unit,
		"JUJU_MODEL_NAME=test",
		"JUJU_MODEL_UUID=00000000-0000-4000-8000-000000000000",
		"JUJU_CHARM_DIR=" + filepath.Join(dir, "charm"),
		"JUJU_DISPATCH_PATH=hooks/" + hook,
		"JUJU_VERSION=3.6.4",
	}, extra...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}

// started is a hook process the test may signal.
type started struct {
	cmd  *exec.Cmd
	out  *strings.Builder
	done chan error
}

// start starts cmd; its output is read once it has ended.
func start(tb testing.TB, cmd *exec.Cmd) *started {
	tb.Helper()
	s := &started{cmd: cmd, out: &strings.Builder{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = s.out, s.out
	cmd.WaitDelay = time.Second
	require.NoError(tb, cmd.Start())
	go func() { s.done <- cmd.Wait() }()
	tb.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	})
	return s
}

// wait waits up to bound for the end of the process: its exit code (-1 for
// a death by signal) and whether it ended.
func (s *started) wait(tb testing.TB, bound time.Duration) (int, bool) {
	tb.Helper()
	select {
	case err := <-s.done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), true
		}
		require.NoError(tb, err)
		return 0, true
	case <-time.After(bound):
		return 0, false
	}
}

// run runs cmd for at most hookBound and returns its exit code and output.
func run(tb testing.TB, cmd *exec.Cmd) (int, string) {
	tb.Helper()
	s := start(tb, cmd)
	code, ended := s.wait(tb, hookBound)
	require.True(tb, ended, "the hook did not end within %v", hookBound)
	return code, s.out.String()
}

// poll polls cond every 20 ms for up to bound and reports whether it held.
func poll(bound time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(bound)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

// unitState returns every row of the unit's store, reopened as the next
// hook opens it.
func unitState(tb testing.TB, dir string) map[string]string {
	tb.Helper()
	s, err := flags.Open(filepath.Join(dir, "charm", ".unit-state.db"), nil)
	require.NoError(tb, err)
	defer s.Close()
	out := map[string]string{}
	require.NoError(tb, s.View(context.Background(), func(tx *flags.Tx) error {
		for k, v := range tx.Range("", false) {
			out[k] = string(v)
		}
		return nil
	}))
	return out
}

// logText returns what the fake juju-log has recorded so far.
func logText(dir string) string {
	b, _ := os.ReadFile(filepath.Join(dir, "state", "log"))
	return string(b)
}

// installedFollower is a follower that installed with the leader's
// password and now sees a new motd setting: its next hook has changes to
// commit (the motd snapshot, the motd file).
func installedFollower(t *testing.T) (dir string, before map[string]string) {
	t.Helper()
	dir = setup(t, false)
	settings := filepath.Join(dir, "state", "settings.json")
	require.NoError(t, os.WriteFile(settings, []byte(`{"admin_password":"from-leader"}`), 0o644))
	code, out := run(t, compiledHook(t, dir, "password/1", "install"))
	require.Equal(t, 0, code, out)
	before = unitState(t, dir)
	require.NoError(t, os.WriteFile(settings, []byte(`{"admin_password":"from-leader","motd":"hello"}`), 0o644))
	return dir, before
}

// Ensure that SIGTERM ends a hook of the compiled charm that waits on a
// hook tool that does not answer: the tool is stopped, the hook exits 1
// within the bound with nothing committed, and its log records, those made
// before the signal included, reach juju-log.
func TestDispatch_SIGTERMWhileAToolHangs(t *testing.T) {
	dir, before := installedFollower(t)
	marker := filepath.Join(dir, "state", "status-set.started")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bin", "status-set"),
		[]byte("#!/bin/sh\n: > \""+marker+"\"\nexec sleep 60\n"), 0o755))

	s := start(t, compiledHook(t, dir, "password/1", "leader-settings-changed"))
	require.True(t, poll(hookBound, func() bool { _, err := os.Stat(marker); return err == nil }), "status-set never ran")
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	code, ended := s.wait(t, termBound)
	require.True(t, ended, "the hook was still running %v after SIGTERM", termBound)
	assert.Equal(t, 1, code, s.out.String())
	assert.Equal(t, before, unitState(t, dir), "nothing of the hook was committed")
	logs := logText(dir)
	for _, want := range []string{
		"Invoking reactive handler: store_motd",
		"Invoking reactive handler: ready",
		"hook terminated by SIGTERM; nothing was committed",
	} {
		assert.Contains(t, logs, want)
	}
}

// Ensure that SIGTERM ends a hook of the compiled charm that waits for the
// store's lock, which another process holds (a charms.reactive command in
// juju exec, say): the hook ends within the bound with a non-zero status,
// the store is as it was, and the records it made while waiting reach
// juju-log (in the background, before the signal).
func TestDispatch_SIGTERMWhileWaitingForTheStore(t *testing.T) {
	dir, before := installedFollower(t)
	store, err := flags.Open(filepath.Join(dir, "charm", ".unit-state.db"), nil)
	require.NoError(t, err)
	defer store.Close()
	tx, err := store.Begin(context.Background())
	require.NoError(t, err)
	defer tx.Rollback()

	s := start(t, compiledHook(t, dir, "password/1", "leader-settings-changed"))
	require.True(t, poll(hookBound, func() bool {
		return strings.Contains(logText(dir), "Reactive main running for hook leader-settings-changed")
	}),
		"the records of the waiting hook never reached juju-log: %q", logText(dir))
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	code, ended := s.wait(t, termBound)
	require.True(t, ended, "the hook was still running %v after SIGTERM", termBound)
	assert.NotEqual(t, 0, code, s.out.String())
	assert.Contains(t, logText(dir), "SIGTERM")
	require.NoError(t, tx.Rollback())
	assert.Equal(t, before, unitState(t, dir))
}

// Ensure that a hook of the compiled charm whose commit fails because the
// disk is full (simulated with a file size limit, SIGXFSZ ignored) fails
// with exit status 1 and an error that says why, that the store keeps the
// previous state, and that the same hook succeeds once there is room.
func TestDispatch_DiskFull(t *testing.T) {
	dir, before := installedFollower(t)
	require.NoError(t, os.Remove(filepath.Join(dir, "state", "log"))) // the tools write under the limit too

	// 4 KiB: the store's file (several pages) can be written no more.
	hook := compiledHook(t, dir, "password/1", "leader-settings-changed")
	limited := exec.Command("/bin/sh", append([]string{"-c", `trap '' XFSZ; ulimit -f "$0" && exec "$@"`, strconv.Itoa(4096 / 512), hook.Path}, hook.Args[1:]...)...)
	limited.Env, limited.Dir, limited.SysProcAttr = hook.Env, hook.Dir, hook.SysProcAttr
	code, out := run(t, limited)
	assert.Equal(t, 1, code, out)
	logs := logText(dir) + out // a juju-log over the limit falls back to stderr
	assert.Contains(t, logs, "Hook error:")
	assert.Contains(t, logs, "The unit's state could not be written: the process may not write files past 4096 bytes (RLIMIT_FSIZE)")
	assert.Equal(t, before, unitState(t, dir), "the store keeps the previous state")

	code, out = run(t, compiledHook(t, dir, "password/1", "leader-settings-changed"))
	require.Equal(t, 0, code, out)
	assert.NotEqual(t, before, unitState(t, dir))
	assert.Equal(t, "hello", read(t, filepath.Join(dir, "charm", "motd")))
}
