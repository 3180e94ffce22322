//go:build unix

package reactive_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/flags"
)

// Helpers for the tests that run the test charm as a process and watch it:
// signals, bounds, FIFOs, a recording juju-log.

// The bounds below are generous on purpose (a loaded two-core machine runs
// these tests): each is well above what the code promises.
const (
	// hookBound bounds a hook that should end by itself, or the wait for
	// something a running hook does.
	hookBound = 15 * time.Second
	// termBound bounds the end of a hook after SIGTERM: the grace period
	// (reactive.DefaultTermGrace, 5 s) and the last log flush (2 s), with
	// room to spare.
	termBound = 15 * time.Second
)

// syncBuffer is a bytes.Buffer safe for a child's output and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// hookProc is a hook process the test started and may signal.
type hookProc struct {
	cmd  *exec.Cmd
	out  *syncBuffer // stdout and stderr
	done chan struct{}
	err  error // of Wait, once done is closed
}

// startHook starts cmd in a process group of its own; the whole group is
// killed when the test ends, whatever happened.
func startHook(tb testing.TB, cmd *exec.Cmd) *hookProc {
	tb.Helper()
	p := &hookProc{cmd: cmd, out: &syncBuffer{}, done: make(chan struct{})}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	cmd.WaitDelay = time.Second // a grandchild holding the output does not hold the test
	require.NoError(tb, cmd.Start())
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	tb.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	})
	return p
}

// wait waits up to bound for the process to end and returns its exit code
// (-1 for a death by signal) and whether it ended.
func (p *hookProc) wait(tb testing.TB, bound time.Duration) (code int, ended bool) {
	tb.Helper()
	select {
	case <-p.done:
	case <-time.After(bound):
		return 0, false
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode(), true
	}
	require.NoError(tb, p.err)
	return 0, true
}

// runBounded runs cmd for at most bound and returns its output, its exit
// code and whether it ended (it is killed when not).
func runBounded(tb testing.TB, cmd *exec.Cmd, bound time.Duration) (string, int, bool) {
	tb.Helper()
	p := startHook(tb, cmd)
	code, ended := p.wait(tb, bound)
	return p.out.String(), code, ended
}

// waitFor polls cond every 20 ms for up to bound and reports whether it
// held.
func waitFor(bound time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(bound)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func exists(path string) func() bool {
	return func() bool {
		_, err := os.Stat(path)
		return err == nil
	}
}

// storeDump returns every key and value of the store in the charm
// directory dir, reopened as the next hook would open it.
func storeDump(tb testing.TB, dir string) map[string]string {
	tb.Helper()
	s, err := flags.Open(filepath.Join(dir, ".unit-state.db"), nil)
	require.NoError(tb, err)
	defer s.Close()
	return dump(tb, s)
}

// storeFlags returns the flags set in the store in the charm directory dir.
func storeFlags(tb testing.TB, dir string) []string {
	tb.Helper()
	s, err := flags.Open(filepath.Join(dir, ".unit-state.db"), nil)
	require.NoError(tb, err)
	defer s.Close()
	return flagList(tb, s)
}

// jujuLog is a stand-in juju-log in a tools directory of its own.
type jujuLog struct {
	tools string // the directory to put on PATH
	file  string // one line per call, the arguments joined, NUL for newlines
}

// newJujuLog installs a juju-log that records its calls; body, when not
// empty, replaces the script's recording line (to make it hang, say).
func newJujuLog(tb testing.TB, dir, body string) jujuLog {
	tb.Helper()
	j := jujuLog{tools: filepath.Join(dir, "tools"), file: filepath.Join(dir, "juju-log.calls")}
	require.NoError(tb, os.MkdirAll(j.tools, 0o755))
	if body == "" {
		body = "printf '%s\\n' \"$*\" | tr '\\n' '\\000' >> " + j.file + "\necho >> " + j.file
	}
	require.NoError(tb, os.WriteFile(filepath.Join(j.tools, "juju-log"), []byte("#!/bin/sh\n"+body+"\n"), 0o755))
	return j
}

// text returns what juju-log received so far, records on their own lines.
func (j jujuLog) text() string {
	b, _ := os.ReadFile(j.file)
	return strings.ReplaceAll(string(b), "\x00", "\n")
}

// mkfifo makes an executable FIFO at path and, when the test ends, opens it
// for writing once, which releases anything still blocked opening it for
// reading (a discovery that opened it, before non-regular files were
// skipped).
func mkfifo(tb testing.TB, path string) {
	tb.Helper()
	require.NoError(tb, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(tb, syscall.Mkfifo(path, 0o755))
	require.NoError(tb, os.Chmod(path, 0o755)) // Mkfifo's mode is masked by the umask
	tb.Cleanup(func() {
		if f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
}
