//go:build linux

package reactive_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withFileSizeLimit makes cmd run under a file size limit (RLIMIT_FSIZE) of
// limit bytes, with SIGXFSZ ignored, as on a full disk: a write that would
// go past the limit fails with EFBIG. POSIX sh counts the limit in 512-byte
// blocks; the limit applies to the hook tools the process starts too.
func withFileSizeLimit(tb testing.TB, cmd *exec.Cmd, limit int64) *exec.Cmd {
	tb.Helper()
	require.Zero(tb, limit%512, "a whole number of 512-byte blocks")
	args := append([]string{"-c", `trap '' XFSZ; ulimit -f "$0" && exec "$@"`, strconv.FormatInt(limit/512, 10), cmd.Path}, cmd.Args[1:]...)
	wrapped := exec.Command("/bin/sh", args...)
	wrapped.Env, wrapped.Dir = cmd.Env, cmd.Dir
	return wrapped
}

// Ensure that a hook whose commit fails because the disk is full (the
// store's file cannot grow) fails with exit status 1 and an error that
// says so, and that the store keeps the state of the previous hook.
func TestMain_DiskFullAtCommit(t *testing.T) {
	dir := t.TempDir()
	jl := newJujuLog(t, dir, "")
	out, code, ended := runBounded(t, installHookCommand(t, "ok", dir, jl.tools), hookBound)
	require.True(t, ended, out)
	require.Equal(t, 0, code, out)
	before := storeDump(t, dir)
	fi, err := os.Stat(filepath.Join(dir, ".unit-state.db"))
	require.NoError(t, err)

	cmd := withFileSizeLimit(t, installHookCommand(t, "grow", dir, jl.tools), fi.Size()/512*512)
	out, code, ended = runBounded(t, cmd, hookBound)
	require.True(t, ended, out)
	assert.Equal(t, 1, code, out)
	logs := jl.text()
	assert.Contains(t, logs, "Hook error:\nflags: commit: committing "+filepath.Join(dir, ".unit-state.db"))
	assert.Contains(t, logs, "The unit's state could not be written: the process may not write files past")
	assert.Contains(t, logs, "Nothing of this hook was saved")
	assert.Equal(t, before, storeDump(t, dir), "the store keeps the previous state")

	// With room again, the same hook commits.
	out, code, ended = runBounded(t, installHookCommand(t, "grow", dir, jl.tools), hookBound)
	require.True(t, ended, out)
	require.Equal(t, 0, code, out)
	assert.Equal(t, []string{"app.grown", "app.installed"}, storeFlags(t, dir))
}

// Ensure the same on a filesystem that is really full (a small tmpfs, when
// the test may mount one; the RLIMIT_FSIZE test above runs everywhere):
// SQLite's "database or disk is full", the free space in the error's
// explanation, exit status 1, the previous state kept.
func TestMain_DiskFullAtCommitENOSPC(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=1m,mode=0755"); err != nil {
		t.Skipf("cannot mount a small tmpfs here (%v); TestMain_DiskFullAtCommit covers the case", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(dir, 0) })
	jl := newJujuLog(t, t.TempDir(), "")
	out, code, ended := runBounded(t, installHookCommand(t, "ok", dir, jl.tools), hookBound)
	require.True(t, ended, out)
	require.Equal(t, 0, code, out)
	before := storeDump(t, dir)

	filler := filepath.Join(dir, "filler")
	f, err := os.Create(filler)
	require.NoError(t, err)
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			require.True(t, errors.Is(err, syscall.ENOSPC), "%v", err)
			break
		}
	}
	require.NoError(t, f.Close())

	out, code, ended = runBounded(t, installHookCommand(t, "grow", dir, jl.tools), hookBound)
	require.True(t, ended, out)
	assert.Equal(t, 1, code, out)
	logs := jl.text()
	assert.Contains(t, logs, "database or disk is full")
	assert.Contains(t, logs, "The unit's state could not be written: the filesystem holding "+dir+" is full")
	require.NoError(t, os.Remove(filler))
	assert.Equal(t, before, storeDump(t, dir), "the store keeps the previous state")
}
