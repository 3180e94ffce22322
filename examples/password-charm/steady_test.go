package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/hookenv"
)

// fileState is what any write to a file changes.
type fileState struct {
	size         int64
	ino          uint64
	mtime, ctime syscall.Timespec
}

func stateOf(tb testing.TB, path string) fileState {
	tb.Helper()
	fi, err := os.Stat(path)
	require.NoError(tb, err)
	st := fi.Sys().(*syscall.Stat_t)
	mtime, ctime := statTimes(st)
	return fileState{size: fi.Size(), ino: st.Ino, mtime: mtime, ctime: ctime}
}

// Ensure that a steady-state hook writes nothing to the unit's store
// (docs/design.md, "A steady-state hook writes nothing"): after a follower's
// install and one config-changed, update-status and config-changed leave the
// store file as it was (size, inode, modification and change times), and no
// journal file is created meanwhile.
func TestDispatch_SteadyStateWritesNothing(t *testing.T) {
	dir := setup(t, false)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "state", "settings.json"), []byte(`{"admin_password":"from-leader"}`), 0o644))
	for _, hook := range []string{"install", "config-changed"} {
		out, err := runDispatch(t, dir, "password/1", hook)
		require.NoError(t, err, out)
	}
	charmDir := filepath.Join(dir, "charm")
	db := filepath.Join(charmDir, ".unit-state.db")
	before := stateOf(t, db)

	w, err := fsnotify.NewWatcher()
	require.NoError(t, err)
	defer w.Close()
	require.NoError(t, w.Add(charmDir))
	time.Sleep(10 * time.Millisecond) // a write would show in the times
	for _, hook := range []string{"update-status", "config-changed"} {
		out, err := runDispatch(t, dir, "password/1", hook)
		require.NoError(t, err, out)
	}
	var touched []string
	for quiet := false; !quiet; {
		select {
		case ev := <-w.Events:
			if strings.HasPrefix(filepath.Base(ev.Name), ".unit-state.db") {
				touched = append(touched, ev.String())
			}
		case err := <-w.Errors:
			require.NoError(t, err)
		case <-time.After(200 * time.Millisecond):
			quiet = true
		}
	}
	assert.Empty(t, touched, "no write, chmod or journal file in the charm directory")
	assert.Equal(t, before, stateOf(t, db), "the store file is untouched")
	assert.Equal(t, "from-leader", read(t, filepath.Join(charmDir, "secret", "pw")))
}

// BenchmarkSteadyStateHook measures the time a steady-state hook of the
// compiled password charm spends in the framework: the whole process (exec,
// Go runtime start, package initialisation, reading the hook context,
// opening the store, dispatch, closing, exit) less the hook tools.
//
// Method. The charm is built as make charm builds it (CGO_ENABLED=0 go
// build). The hook tools are one small static Go program
// (testdata/faketool) under every tool's name, answering at once as a
// follower of a deployed charm is answered. The unit runs install and
// config-changed; each iteration then execs the charm for update-status, a
// steady-state follower hook, and times it from start to exit (wall) and by
// the CPU time of the process and its children (rusage). Right after, the
// benchmark runs the same tool command lines the hook ran (recorded once,
// 6 of them) through hookenv.ExecRunner, as the charm does, and times them
// the same way (CPU: this process's and the tools', as starting a tool costs
// its parent too). Framework time = hook - tools, for wall and CPU time. The
// metrics are medians over all iterations (use -benchtime=200x or more on a
// busy machine): framework-ms, framework-cpu-ms, hook-ms (the whole
// process, tools included), tools-ms and tools-cpu-ms (the 6 tool
// processes: a sixth of it is what starting a minimal static Go program
// costs on the machine, a yardstick for the rest). ns/op covers both execs.
func BenchmarkSteadyStateHook(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "dispatch")
	tools := filepath.Join(dir, "tools")
	goBuild(b, bin, ".")
	goBuild(b, filepath.Join(tools, "faketool"), "./testdata/faketool")
	for _, name := range []string{"relation-ids", "is-leader", "leader-get", "leader-set", "config-get", "status-set", "juju-log"} {
		require.NoError(b, os.Symlink("faketool", filepath.Join(tools, name)))
	}
	charmDir := filepath.Join(dir, "charm")
	require.NoError(b, os.Mkdir(charmDir, 0o755))
	env := []string{
		"PATH=" + tools,
		"JUJU_CONTEXT_ID=password-1-hook",
		"JUJU_UNIT_NAME=password/1",
		"JUJU_MODEL_NAME=bench",
		"JUJU_MODEL_UUID=00000000-0000-4000-8000-000000000000",
		"JUJU_CHARM_DIR=" + charmDir,
		"JUJU_VERSION=3.6.4",
	}
	hook := func(name string, extra ...string) *exec.Cmd {
		cmd := exec.Command(bin)
		cmd.Dir = charmDir
		cmd.Env = append(slices.Concat(env, extra), "JUJU_DISPATCH_PATH=hooks/"+name)
		return cmd
	}
	for _, h := range []string{"install", "config-changed"} {
		out, err := hook(h).CombinedOutput()
		require.NoError(b, err, "%s: %s", h, out)
	}
	// The tool command lines of one steady-state hook.
	logPath := filepath.Join(dir, "tools.log")
	out, err := hook("update-status", "FAKE_TOOL_LOG="+logPath).CombinedOutput()
	require.NoError(b, err, "%s", out)
	var calls [][]string
	f, err := os.Open(logPath)
	require.NoError(b, err)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var argv []string
		require.NoError(b, json.Unmarshal(sc.Bytes(), &argv))
		calls = append(calls, argv)
	}
	require.NoError(b, f.Close())
	require.Len(b, calls, 6, "relation-ids, is-leader, leader-get, config-get, status-set, juju-log: %q", calls)
	runner := hookenv.ExecRunner{Dir: tools, Env: env}

	var fw, fwCPU, whole, tl, tlCPU []time.Duration
	ctx := context.Background()
	for b.Loop() {
		cmd := hook("update-status")
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("update-status: %v: %s", err, out)
		}
		hookWall, hookCPU := time.Since(start), cpuTime(cmd.ProcessState)

		var toolWall, toolCPU time.Duration
		for _, c := range calls {
			cpu0 := usage()
			start := time.Now()
			if _, err := runner.Run(ctx, c[0], c[1:], nil); err != nil {
				b.Fatalf("%q: %v", c, err)
			}
			toolWall += time.Since(start)
			toolCPU += usage() - cpu0
		}
		whole, tl, tlCPU = append(whole, hookWall), append(tl, toolWall), append(tlCPU, toolCPU)
		fw, fwCPU = append(fw, hookWall-toolWall), append(fwCPU, hookCPU-toolCPU)
	}
	ms := func(d []time.Duration) float64 {
		slices.Sort(d)
		return float64(d[len(d)/2]) / float64(time.Millisecond)
	}
	b.ReportMetric(ms(fw), "framework-ms")
	b.ReportMetric(ms(fwCPU), "framework-cpu-ms")
	b.ReportMetric(ms(whole), "hook-ms")
	b.ReportMetric(ms(tl), "tools-ms")
	b.ReportMetric(ms(tlCPU), "tools-cpu-ms")
}

// goBuild builds the package at pkg into out, as make charm does.
func goBuild(tb testing.TB, out, pkg string) {
	tb.Helper()
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(tb, cmd.Run(), "go build %s: %s", pkg, stderr.String())
}

// cpuTime is the user and system CPU time of a process and its waited-for
// children.
func cpuTime(ps *os.ProcessState) time.Duration {
	return rusageCPU(ps.SysUsage().(*syscall.Rusage))
}

// usage is the CPU time of this process and its waited-for children: a
// tool's own, and what starting it costs its parent, as in the hook.
func usage() time.Duration {
	var self, children syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	return rusageCPU(&self) + rusageCPU(&children)
}

func rusageCPU(ru *syscall.Rusage) time.Duration {
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
