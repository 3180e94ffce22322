//go:build unix

package reactive_test

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/reactive"
)

// Ensure that SIGTERM ends a hook whose handler ignores its context (it
// waits in open(2) of a FIFO that nobody writes): the process exits within
// the grace period (plus a last log flush) with 128+SIGTERM, the store holds
// exactly what the previous hook committed, and the records made before the
// signal, with the reason of the exit, reach juju-log.
func TestMain_SIGTERMEndsStuckHook(t *testing.T) {
	dir := t.TempDir()
	jl := newJujuLog(t, dir, "")
	out, code, ended := runBounded(t, installHookCommand(t, "ok", dir, jl.tools), hookBound)
	require.True(t, ended, out)
	require.Equal(t, 0, code, out)
	before := storeDump(t, dir)
	require.Contains(t, before, "reactive.states.app.installed")

	fifo, mark := filepath.Join(dir, "fifo"), filepath.Join(dir, "mark")
	mkfifo(t, fifo)
	p := startHook(t, installHookCommand(t, "block", dir, jl.tools, fifoEnv+"="+fifo, markEnv+"="+mark))
	require.True(t, waitFor(hookBound, exists(mark)), "the handler did not start blocking: %s", p.out.String())
	start := time.Now()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	code, ended = p.wait(t, termBound)
	require.True(t, ended, "the hook was still running %v after SIGTERM: %s", termBound, p.out.String())
	t.Logf("ended %v after SIGTERM", time.Since(start).Round(time.Millisecond))
	assert.Equal(t, 128+int(syscall.SIGTERM), code, p.out.String())
	assert.Equal(t, before, storeDump(t, dir), "nothing of the hook was committed")
	logs := jl.text()
	for _, want := range []string{
		"Invoking reactive handler: end",
		"blocking on the FIFO",
		"did not end within 5s of SIGTERM",
	} {
		assert.Contains(t, logs, want)
	}
}

// Ensure that SIGTERM ends a hook whose handler honours its context at
// once, with exit status 1 and its changes rolled back, and that the log
// records, the error included, are sent to juju-log before the process
// exits.
func TestMain_SIGTERMFlushesLog(t *testing.T) {
	dir := t.TempDir()
	jl := newJujuLog(t, dir, "")
	mark := filepath.Join(dir, "mark")
	p := startHook(t, installHookCommand(t, "wait", dir, jl.tools, markEnv+"="+mark))
	require.True(t, waitFor(hookBound, exists(mark)), p.out.String())
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	code, ended := p.wait(t, termBound)
	require.True(t, ended, p.out.String())
	assert.Equal(t, 1, code, p.out.String())
	assert.Empty(t, storeFlags(t, dir), "the hook's flags were rolled back")
	logs := jl.text()
	for _, want := range []string{
		"Invoking reactive handler: end",
		"waiting for the hook's context to end",
		"Hook error:",
		"terminated by SIGTERM",
	} {
		assert.Contains(t, logs, want)
	}
}

// Ensure that after SIGTERM the last log flush has a short deadline of its
// own: with a juju-log that never answers, the hook still ends within the
// bound, and the records go to stderr (which Juju logs) instead.
func TestMain_SIGTERMWithHungJujuLog(t *testing.T) {
	dir := t.TempDir()
	jl := newJujuLog(t, dir, "exec sleep 60")
	mark := filepath.Join(dir, "mark")
	p := startHook(t, installHookCommand(t, "wait", dir, jl.tools, markEnv+"="+mark))
	require.True(t, waitFor(hookBound, exists(mark)), p.out.String())
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	code, ended := p.wait(t, termBound)
	require.True(t, ended, "the hook was still running %v after SIGTERM: %s", termBound, p.out.String())
	assert.NotEqual(t, 0, code)
	assert.Empty(t, storeFlags(t, dir))
	assert.Contains(t, p.out.String(), "juju-log: INFO: waiting for the hook's context to end\n")
}

// Ensure that the records of a hook that hangs reach juju-log while it
// hangs (the batch is sent in the background once a record has waited
// reactive.LogFlushInterval), and that SIGTERM still ends it, here after the
// shorter grace period CHARMKIT_TERM_GRACE asks for.
func TestMain_LogsOfHungHookReachJujuLog(t *testing.T) {
	dir := t.TempDir()
	jl := newJujuLog(t, dir, "")
	fifo, mark := filepath.Join(dir, "fifo"), filepath.Join(dir, "mark")
	mkfifo(t, fifo)
	p := startHook(t, installHookCommand(t, "block", dir, jl.tools, fifoEnv+"="+fifo, markEnv+"="+mark, reactive.TermGraceEnv+"=1s"))
	require.True(t, waitFor(hookBound, exists(mark)), p.out.String())
	sent := waitFor(hookBound, func() bool { return strings.Contains(jl.text(), "blocking on the FIFO") })
	select {
	case <-p.done:
		t.Fatalf("the hook ended on its own: %s", p.out.String())
	default:
	}
	assert.True(t, sent, "the records of the hung hook did not reach juju-log within %v: %q", hookBound, jl.text())
	assert.Contains(t, jl.text(), "Reactive main running for hook install")

	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	code, ended := p.wait(t, termBound)
	require.True(t, ended, p.out.String())
	assert.Equal(t, 128+int(syscall.SIGTERM), code)
	assert.Empty(t, storeFlags(t, dir))
	assert.Contains(t, jl.text(), "did not end within 1s of SIGTERM")
}

// heldOutputScript is an external handler whose --test leaves a process
// behind that holds its standard output open: the hook waits for the end
// of that output (as charms.reactive does) until it is cancelled.
const heldOutputScript = shebang + `case "$1" in
--test) sleep 1000 & : > "$` + markEnv + `"; exit 0 ;;
esac
`

// Ensure that SIGTERM stops the wait for the output of an external
// handler's --test that a process it left behind still holds: the hook
// fails by itself at once (exit status 1, not the forced exit after the
// grace period), with nothing committed.
func TestMain_SIGTERMStopsWaitForHandlerOutput(t *testing.T) {
	dir := writeCharm(t, charmFile{path: "reactive/held.sh", body: heldOutputScript})
	jl := newJujuLog(t, dir, "")
	mark := filepath.Join(dir, "mark")
	p := startHook(t, installHookCommand(t, "ok", dir, jl.tools, markEnv+"="+mark))
	require.True(t, waitFor(hookBound, exists(mark)), p.out.String())
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	code, ended := p.wait(t, termBound)
	require.True(t, ended, "the hook was still running %v after SIGTERM: %s", termBound, p.out.String())
	assert.Equal(t, 1, code, "the hook ended by itself: %s", jl.text())
	assert.Empty(t, storeFlags(t, dir))
	assert.Contains(t, jl.text(), `external handler "reactive/held.sh" --test`)
}
