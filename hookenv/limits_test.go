package hookenv_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/hookenv"
)

// misbehave is the test binary started as a hook tool with HOOKENV_FAKE_MODE set:
// a tool that hangs or floods.
//
//   - "sleep": sleep for a minute;
//   - "sleep-group": start a grandchild ("sleep", writing its pid to
//     HOOKENV_FAKE_PIDFILE) that shares stdout, then sleep;
//   - "flood" / "flood-stderr": write HOOKENV_FAKE_BYTES bytes to stdout / stderr,
//     then exit 0.
func misbehave(mode string) int {
	switch mode {
	case "sleep":
		time.Sleep(time.Minute)
	case "sleep-group":
		exe, _ := os.Executable()
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), "HOOKENV_FAKE_MODE=sleep")
		cmd.Stdout = os.Stdout
		if err := cmd.Start(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
		// Written whole, then renamed: a test that sees the file reads
		// the pid, even when it kills this process right away.
		pidfile := os.Getenv("HOOKENV_FAKE_PIDFILE")
		err := os.WriteFile(pidfile+".tmp", []byte(strconv.Itoa(cmd.Process.Pid)), 0o600)
		if err == nil {
			err = os.Rename(pidfile+".tmp", pidfile)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 3
		}
		time.Sleep(time.Minute)
	case "flood", "flood-stderr":
		n, _ := strconv.Atoi(os.Getenv("HOOKENV_FAKE_BYTES"))
		w := os.Stdout
		if mode == "flood-stderr" {
			w = os.Stderr
		}
		chunk := []byte(strings.Repeat("true\n", 64*1024/5))
		for n > 0 {
			k, err := w.Write(chunk[:min(n, len(chunk))])
			if err != nil {
				return 4
			}
			n -= k
		}
	default:
		return 5
	}
	return 0
}

// misbehaving returns an ExecRunner whose every tool is this test binary in the
// given mode.
func misbehaving(t *testing.T, mode string, env ...string) hookenv.ExecRunner {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	dir := t.TempDir()
	for _, name := range []string{"is-leader", "leader-get"} {
		require.NoError(t, os.Symlink(exe, filepath.Join(dir, name)))
	}
	return hookenv.ExecRunner{Dir: dir, Env: append(append(os.Environ(), "HOOKENV_FAKE_MODE="+mode), env...)}
}

// alive reports whether process pid still exists (a zombie counts as gone: it
// has exited and only waits for its parent).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the command name in parentheses.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

// waitGone waits up to 5 seconds for process pid to end.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("process %d outlived the tool that started it", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestExecRunnerDefaults(t *testing.T) {
	assert.Equal(t, time.Minute, hookenv.DefaultToolTimeout)
	assert.Equal(t, 8<<20, hookenv.DefaultMaxOutput)
}

// A tool that hangs is killed at the timeout, with its process group, and the
// error says so.
func TestExecRunnerTimeout(t *testing.T) {
	t.Parallel()
	pidfile := filepath.Join(t.TempDir(), "pid")
	r := misbehaving(t, "sleep-group", "HOOKENV_FAKE_PIDFILE="+pidfile)
	r.Timeout = 300 * time.Millisecond
	start := time.Now()
	_, err := r.Run(t.Context(), "is-leader", []string{"--format=json"}, nil)
	elapsed := time.Since(start)
	require.ErrorIs(t, err, hookenv.ErrToolTimeout)
	assert.Equal(t, "is-leader: hook tool timed out after 300ms", err.Error())
	var te *hookenv.ToolError
	assert.False(t, errors.As(err, &te), "a killed tool did not answer: not a *ToolError")
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the caller's context did not expire")
	assert.Less(t, elapsed, 5*time.Second)

	b, err := os.ReadFile(pidfile)
	require.NoError(t, err)
	pid, err := strconv.Atoi(string(b))
	require.NoError(t, err)
	waitGone(t, pid)
}

// Through Tools too: the wrapper returns the runner's error.
func TestExecRunnerTimeoutThroughTools(t *testing.T) {
	t.Parallel()
	r := misbehaving(t, "sleep")
	r.Timeout = 200 * time.Millisecond
	_, err := (&hookenv.Tools{Runner: r}).LeaderGet(t.Context())
	require.ErrorIs(t, err, hookenv.ErrToolTimeout)
}

// The caller's cancellation mid-call kills the tool and its process group at once.
func TestExecRunnerCanceledMidCall(t *testing.T) {
	t.Parallel()
	pidfile := filepath.Join(t.TempDir(), "pid")
	r := misbehaving(t, "sleep-group", "HOOKENV_FAKE_PIDFILE="+pidfile)
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		for {
			if _, err := os.Stat(pidfile); err == nil {
				cancel()
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	start := time.Now()
	_, err := r.Run(ctx, "is-leader", []string{"--format=json"}, nil)
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, hookenv.ErrToolTimeout)
	assert.Less(t, time.Since(start), 10*time.Second)
	b, err := os.ReadFile(pidfile)
	require.NoError(t, err)
	pid, err := strconv.Atoi(string(b))
	require.NoError(t, err)
	waitGone(t, pid)
}

// A tool that prints 64 MB is stopped at the cap: the error names the tool and
// the limit, and the call costs memory in proportion to the cap, not the output.
func TestExecRunnerOutputCap(t *testing.T) {
	// Not parallel: it measures the process's allocations.
	const flood = 64 << 20
	r := misbehaving(t, "flood", "HOOKENV_FAKE_BYTES="+strconv.Itoa(flood))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := (&hookenv.Tools{Runner: r}).IsLeader(t.Context())
	runtime.ReadMemStats(&after)
	require.ErrorIs(t, err, hookenv.ErrOutputTooLarge)
	assert.Equal(t, "is-leader: hook tool output over the limit: more than 8388608 bytes on stdout", err.Error())
	grown := after.TotalAlloc - before.TotalAlloc
	t.Logf("a 64 MB flood cost %d bytes of allocation", grown)
	assert.Less(t, grown, uint64(3*hookenv.DefaultMaxOutput), "allocated %d bytes for a capped read", grown)

	r = misbehaving(t, "flood-stderr", "HOOKENV_FAKE_BYTES="+strconv.Itoa(flood))
	r.MaxOutput = 4096
	_, err = r.Run(t.Context(), "leader-get", []string{"--format=json", "-"}, nil)
	require.ErrorIs(t, err, hookenv.ErrOutputTooLarge)
	assert.Equal(t, "leader-get: hook tool output over the limit: more than 4096 bytes on stderr", err.Error())

	// Output within the cap is returned whole.
	r = misbehaving(t, "flood", "HOOKENV_FAKE_BYTES=4096")
	r.MaxOutput = 4096
	out, err := r.Run(t.Context(), "is-leader", nil, nil)
	require.NoError(t, err)
	assert.Len(t, out, 4096)
}
