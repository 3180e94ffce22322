package reactive_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/reactive"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// charmFile is one file of a test charm directory.
type charmFile struct {
	path string // relative to the charm directory, with slashes
	body string
	mode fs.FileMode // 0 means 0o755
}

// writeCharm writes the files into a new charm directory and returns it.
func writeCharm(tb testing.TB, files ...charmFile) string {
	tb.Helper()
	dir := tb.TempDir()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.path))
		require.NoError(tb, os.MkdirAll(filepath.Dir(p), 0o755))
		mode := f.mode
		if mode == 0 {
			mode = 0o755
		}
		require.NoError(tb, os.WriteFile(p, []byte(f.body), mode))
		require.NoError(tb, os.Chmod(p, mode)) // WriteFile's mode is masked by the umask
	}
	return dir
}

// testBinaryAsCLI makes the test binary answer as charms.reactive when an
// external handler calls it (TestMain runs reactive.Main under
// REACTIVE_TEST_CHARM_MODE, and Main is the command line under that name),
// and returns its path for RunOptions.CLIExecutable. UNIT_STATE_DB points
// at the hook's store (when it is a file): a child that opened it instead
// of using the hook's channel would wait for the hook's lock and fail.
func testBinaryAsCLI(tb testing.TB, dbPath string) string {
	tb.Helper()
	exe, err := os.Executable()
	require.NoError(tb, err)
	if dbPath == "" {
		dbPath = filepath.Join(tb.TempDir(), "never-opened.db")
	}
	tb.Setenv(charmModeEnv, "ok")
	tb.Setenv("UNIT_STATE_DB", dbPath)
	return exe
}

// extRun is the outcome of one hook run with external handlers.
type extRun struct {
	res    *reactive.Result
	err    error
	rec    *recorder
	stdout string // external handlers' stdout (of --invoke)
	stderr string // external handlers' stderr
}

// runExternal runs one hook of reg on the charm in charmDir, with the test
// binary as charms.reactive. mod, if not nil, adjusts the options.
func runExternal(tb testing.TB, reg *reactive.Registry, s *flags.Store, exe, charmDir, hook string, mod func(*reactive.RunOptions)) extRun {
	tb.Helper()
	rec := &recorder{}
	var stdout, stderr bytes.Buffer
	opts := reactive.RunOptions{
		Store:         s,
		Env:           hookenv.Env{HookName: hook, CharmDir: charmDir},
		Runner:        noTools,
		Logger:        slog.New(rec),
		Metadata:      &reactive.Metadata{},
		CLIExecutable: exe,
		Stdout:        &stdout,
		Stderr:        &stderr,
	}
	if mod != nil {
		mod(&opts)
	}
	res, err := reg.Run(context.Background(), opts)
	require.NotNil(tb, res)
	require.Equal(tb, res.Err, err)
	return extRun{res: res, err: err, rec: rec, stdout: stdout.String(), stderr: stderr.String()}
}

// readLog returns the content of a handler's log file ("" when missing).
func readLog(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	require.NoError(tb, err)
	return string(b)
}

const shebang = "#!/bin/sh\n"

// Ensure that discovery follows charms.reactive's rules file by file (B21b,
// B21c: an executable without extension is a handler, a README.md is not), finds
// each file once under its own path (B9), and returns the handlers in the
// documented order: the roots reactive/, hooks/reactive/, hooks/relations/, and
// in each directory its files in byte order before its subdirectories (a sorted
// os.walk: docs/design.md, "Decision 4").
func TestDiscoverExternal(t *testing.T) {
	files := []struct {
		name string
		charmFile
		want bool
	}{
		{"shell script with .sh", charmFile{path: "reactive/handler.sh", body: shebang}, true},
		{"no extension (B21b)", charmFile{path: "reactive/noext", body: "#!/bin/bash\necho\n"}, true},
		{"binary: not valid UTF-8", charmFile{path: "reactive/binary", body: "\x7fELF\xff\xfe\x00\x01"}, true},
		{"hidden file has no extension", charmFile{path: "reactive/.hidden", body: shebang}, true},
		{"last extension counts", charmFile{path: "reactive/x.tar.sh", body: shebang}, true},
		{"executable text without shebang", charmFile{path: "reactive/text", body: "echo hi\n"}, false},
		{"empty executable", charmFile{path: "reactive/empty", body: ""}, false},
		{"shebang after 1 byte", charmFile{path: "reactive/late", body: " #!/bin/sh\n"}, false},
		{"not executable", charmFile{path: "reactive/noexec.sh", body: shebang, mode: 0o644}, false},
		{"python module", charmFile{path: "reactive/mod.py", body: "#!/usr/bin/env python3\n"}, false},
		{"compiled python", charmFile{path: "reactive/mod.pyc", body: "\xff\xfe\x00\x00"}, false},
		{"README.md (B21c)", charmFile{path: "hooks/relations/iface/README.md", body: shebang}, false},
		{"other extension", charmFile{path: "reactive/notes.txt", body: shebang}, false},
		{"directly in __pycache__", charmFile{path: "reactive/__pycache__/not-a-handler", body: shebang}, false},
		{"below __pycache__", charmFile{path: "reactive/__pycache__/deeper/handler", body: shebang}, true},
		{"nested directory", charmFile{path: "reactive/a/nested.sh", body: shebang}, true},
		{"root file after subdirectory name", charmFile{path: "reactive/b.sh", body: shebang}, true},
		{"hooks/reactive root", charmFile{path: "hooks/reactive/b", body: shebang}, true},
		{"hooks/relations root", charmFile{path: "hooks/relations/iface/requires.sh", body: shebang}, true},
		{"same name in another root (B9)", charmFile{path: "hooks/reactive/handler.sh", body: shebang}, true},
		{"not a root", charmFile{path: "hooks/install", body: shebang}, false},
		{"charm top level", charmFile{path: "dispatch", body: shebang}, false},
		{"inside a linked directory", charmFile{path: "elsewhere/linked.sh", body: shebang}, false},
	}
	var cf []charmFile
	for _, f := range files {
		cf = append(cf, f.charmFile)
	}
	dir := writeCharm(t, cf...)
	require.NoError(t, os.Symlink(filepath.Join(dir, "elsewhere"), filepath.Join(dir, "reactive", "linkdir")))
	require.NoError(t, os.Symlink(filepath.Join(dir, "reactive", "handler.sh"), filepath.Join(dir, "reactive", "link.sh")))
	require.NoError(t, os.Symlink(filepath.Join(dir, "missing"), filepath.Join(dir, "reactive", "dangling")))

	got, err := reactive.DiscoverExternal(dir)
	require.NoError(t, err)
	names := map[string]string{}
	var order []string
	for _, h := range got {
		_, dup := names[h.Name]
		assert.False(t, dup, "%s found twice", h.Name)
		names[h.Name] = h.Path
		order = append(order, h.Name)
	}
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			p, found := names[f.path]
			assert.Equal(t, f.want, found, "%s: handler?", f.path)
			if found {
				assert.Equal(t, filepath.Join(dir, filepath.FromSlash(f.path)), p, "the absolute path is run")
			}
		})
	}
	assert.Equal(t, []string{
		"reactive/.hidden", "reactive/b.sh", "reactive/binary", "reactive/handler.sh",
		"reactive/link.sh", "reactive/noext", "reactive/x.tar.sh",
		"reactive/__pycache__/deeper/handler", "reactive/a/nested.sh",
		"hooks/reactive/b", "hooks/reactive/handler.sh",
		"hooks/relations/iface/requires.sh",
	}, order)
}

// Ensure that a charm without handler roots, a missing and an empty charm
// directory have no external handlers and no error.
func TestDiscoverExternal_Nothing(t *testing.T) {
	for name, dir := range map[string]string{
		"no roots":      writeCharm(t, charmFile{path: "hooks/install", body: shebang}),
		"missing":       filepath.Join(t.TempDir(), "nope"),
		"empty":         "",
		"root is afile": writeCharm(t, charmFile{path: "reactive", body: shebang}),
	} {
		t.Run(name, func(t *testing.T) {
			got, err := reactive.DiscoverExternal(dir)
			require.NoError(t, err)
			assert.Empty(t, got)
		})
	}
}

// protocolScript logs every call (its arguments and what it sees of the
// environment), answers --test with "out put\n" and the exit status in
// $EXT_TEST_CODE until it has been invoked once, and exits 0 on --invoke.
const protocolScript = shebang + `log="$EXT_LOG"
{ printf call; for a in "$@"; do printf ' [%s]' "$a"; done; printf '\n'
  printf 'hook=%s charm_dir=%s juju_charm_dir=%s probe=%s socket=%s\n' "$JUJU_HOOK_NAME" "$CHARM_DIR" "$JUJU_CHARM_DIR" "$EXT_PROBE" "${CHARMKIT_CLI_SOCKET:+set}"
} >> "$log"
case "$1" in
--test)
	[ -e "$log.invoked" ] && exit 1
	printf 'out put\n'
	exit "$EXT_TEST_CODE" ;;
--invoke)
	echo "invoked" # to RunOptions.Stdout
	echo "note" >&2
	touch "$log.invoked" ;;
esac
`

// Ensure the external-handler protocol (B10a, B10b, B11): the handler runs as
// "<abs path> --test" with the environment passed through (plus CHARM_DIR,
// JUJU_HOOK_NAME and the hook's channel); exit 0 means invoke, and "<abs path>
// --invoke <stdout of --test>" follows with the output byte for byte, trailing
// newline included; the display id is `<relpath> "<output>"`. A non-zero --test
// means no invocation.
func TestExternalProtocol(t *testing.T) {
	for _, tc := range []struct {
		name    string
		code    string
		invoked []string
		log     string
	}{
		{
			name:    "B10a B11 test exits 0",
			code:    "0",
			invoked: []string{"reactive/ext.sh \"out put\n\""},
			log: "call [--test]\n" + "ENV\n" +
				"call [--invoke] [out put\n]\n" + "ENV\n" +
				"call [--test]\n" + "ENV\n",
		},
		{
			name: "B10b test exits 1",
			code: "1",
			log: "call [--test]\n" + "ENV\n" + // hooks phase
				"call [--test]\n" + "ENV\n", // main loop, iteration 0
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeCharm(t, charmFile{path: "reactive/ext.sh", body: protocolScript})
			logPath := filepath.Join(t.TempDir(), "log")
			exe := testBinaryAsCLI(t, "")
			t.Setenv("EXT_LOG", logPath)
			t.Setenv("EXT_TEST_CODE", tc.code)
			t.Setenv("EXT_PROBE", "passed-through")
			r := runExternal(t, reactive.NewRegistry(), newStore(t), exe, dir, "install", nil)
			require.NoError(t, r.err)
			env := "hook=install charm_dir=" + dir + " juju_charm_dir=" + dir + " probe=passed-through socket=set"
			assert.Equal(t, strings.ReplaceAll(tc.log, "ENV", env), readLog(t, logPath))
			assert.Equal(t, tc.invoked, r.res.Invoked)
			if tc.invoked != nil {
				assert.Contains(t, r.rec.at(slog.LevelInfo), "Invoking reactive handler: "+tc.invoked[0])
				assert.Equal(t, "invoked\n", r.stdout, "--invoke's stdout goes to RunOptions.Stdout")
				assert.Equal(t, "note\n", r.stderr)
			}
		})
	}
}

// Ensure that an executable the system cannot execute fails the hook with
// the broken-handler error naming the file (B10c), that any other error
// starting it propagates as itself (B10d, ENOENT for a missing
// interpreter), and that nothing is persisted either way.
func TestExternalStartErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		file   charmFile
		is     error
		broken bool
	}{
		{"B10c ENOEXEC", charmFile{path: "reactive/broken", body: "\xff\xfe\xfd not a program"}, syscall.ENOEXEC, true},
		{"B10d ENOENT", charmFile{path: "reactive/nointerp.sh", body: "#!/nonexistent/interpreter\n"}, fs.ErrNotExist, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeCharm(t, tc.file)
			s := newStore(t)
			reg := reactive.NewRegistry()
			reg.AtStart("pre", func(_ context.Context, h *reactive.Hook) error { return h.SetFlag("pre") })
			reg.Handle("never", reactive.OnHook("install"), c0(nil2))
			r := runExternal(t, reg, s, "", dir, "install", nil)
			require.Error(t, r.err)
			assert.Equal(t, 1, r.res.ExitCode)
			assert.ErrorIs(t, r.err, tc.is)
			assert.Equal(t, tc.broken, errors.Is(r.err, reactive.ErrBrokenHandler))
			var ee *reactive.ExternalError
			require.ErrorAs(t, r.err, &ee)
			assert.Equal(t, tc.file.path, ee.Name)
			assert.Equal(t, "--test", ee.Arg)
			assert.Contains(t, r.err.Error(), `external handler "`+tc.file.path+`" --test: `)
			if tc.broken {
				assert.Contains(t, r.err.Error(), "only handler files may be marked as executable")
			}
			assert.Equal(t, []string{"Hook error:\n" + r.err.Error()}, r.rec.at(slog.LevelError))
			assert.Empty(t, r.res.Invoked, "the hooks phase failed while testing")
			assert.Empty(t, dump(t, s), "nothing persisted")
		})
	}
}

// countScript appends "test" to $EXT_LOG on every --test and never asks to
// be invoked.
const countScript = shebang + `[ "$1" = --test ] && echo test >> "$EXT_LOG"
exit 1
`

// Ensure that an external handler, which watches no flag, is tested in every
// test pass (E7): the hooks phase and every main-loop iteration, including the
// last, empty one; and that the tracer, when on, starts no --test of its own
// (docs/design.md, "Decision 7").
func TestExternalTestedEveryIteration(t *testing.T) {
	for _, trace := range []bool{false, true} {
		t.Run(map[bool]string{false: "trace off", true: "trace on"}[trace], func(t *testing.T) {
			dir := writeCharm(t, charmFile{path: "reactive/count.sh", body: countScript})
			logPath := filepath.Join(t.TempDir(), "log")
			t.Setenv("EXT_LOG", logPath)
			c := &calls{}
			reg := reactive.NewRegistry()
			reg.Handle("h0", reactive.OnHook("install"), c.fn("h0", sets("a")))
			reg.Handle("h1", reactive.When("a"), c.fn("h1", sets("b")))
			reg.Handle("h2", reactive.When("b"), c.fn("h2", nil))
			r := runExternal(t, reg, newStore(t), "", dir, "install", func(o *reactive.RunOptions) { o.Trace = trace })
			require.NoError(t, r.err)
			assert.Equal(t, []string{"h0", "h1", "h2"}, r.res.Invoked)
			// hooks phase, iterations 0, 1 and 2 (empty: the loop ends).
			assert.Equal(t, strings.Repeat("test\n", 4), readLog(t, logPath))
		})
	}
}

// retestScript passes --test while flag x is set in the main loop, as seen
// through the hook's channel, and logs each answer.
const retestScript = shebang + `case "$1" in
--test)
	if charms.reactive when x; then echo pass >> "$EXT_LOG"; exit 0; fi
	echo fail >> "$EXT_LOG"; exit 1 ;;
--invoke) echo invoke >> "$EXT_LOG" ;;
esac
`

// Ensure that the re-test after a clear (docs/design.md, "Re-test after a
// clear") runs the external handler's --test again, which sees the hook's
// uncommitted clear through the channel and drops the handler from the batch.
func TestExternal_RetestAfterClearDrops(t *testing.T) {
	s, dbPath := newCLIStore(t)
	setFlags(t, s, "x")
	dir := writeCharm(t, charmFile{path: "reactive/retest.sh", body: retestScript})
	logPath := filepath.Join(t.TempDir(), "log")
	exe := testBinaryAsCLI(t, dbPath)
	t.Setenv("EXT_LOG", logPath)
	reg := reactive.NewRegistry()
	reg.Handle("g", reactive.When("x"), c0(clears("x")))
	r := runExternal(t, reg, s, exe, dir, "install", nil)
	require.NoError(t, r.err)
	assert.Equal(t, []string{"g"}, r.res.Invoked)
	// hooks phase (when is false there), iteration 0 (queued), the re-test
	// after g's clear (dropped), iteration 1 (empty).
	assert.Equal(t, "fail\npass\nfail\nfail\n", readLog(t, logPath))
	assert.Empty(t, storedFlags(t, s))
}

// chainScript is queued once go.done is set and bash.done is not, and sets
// bash.done when invoked.
const chainScript = shebang + `case "$1" in
--test) charms.reactive when go.done && charms.reactive when_not bash.done && echo go ;;
--invoke) charms.reactive set_flag bash.done ;;
esac
`

// Ensure flags flow both ways between Go and bash handlers within one hook:
// a Go handler's uncommitted flag queues the bash handler in the next
// iteration, and the bash handler's set_flag (sent over the hook's channel)
// queues a Go handler in the iteration after; everything is committed once,
// with the hook, on a real SQLite store the children never open.
func TestExternal_FlagsFlowBetweenGoAndBash(t *testing.T) {
	s, dbPath := newCLIStore(t)
	dir := writeCharm(t, charmFile{path: "reactive/chain.sh", body: chainScript})
	exe := testBinaryAsCLI(t, dbPath)
	reg := reactive.NewRegistry()
	var sawBash bool
	reg.Handle("a", reactive.WhenNot("go.done"), c0(sets("go.done")))
	reg.Handle("b", reactive.When("bash.done"), func(_ context.Context, h *reactive.Hook) error {
		sawBash = h.IsFlagSet("bash.done")
		return h.SetFlag("final")
	})
	r := runExternal(t, reg, s, exe, dir, "config-changed", nil)
	require.NoError(t, r.err, "stderr: %s", r.stderr)
	assert.Equal(t, []string{"a", "reactive/chain.sh \"go\n\"", "b"}, r.res.Invoked)
	assert.Equal(t, 3, r.res.Iterations, "a in 0, chain.sh in 1, b in 2")
	assert.True(t, sawBash)
	assert.True(t, r.res.Committed)
	assert.Equal(t, []string{"bash.done", "final", "go.done"}, storedFlags(t, s))
}

// phaseScript logs the phase it is tested in, as the charms.reactive
// command sees it, and passes until it has been invoked once.
const phaseScript = shebang + `case "$1" in
--test)
	if charms.reactive hook "$JUJU_HOOK_NAME"; then p=hooks
	elif charms.reactive when; then p=other
	else p=neither; fi
	echo "test $p" >> "$EXT_LOG"
	[ ! -e "$EXT_LOG.invoked" ] ;;
--invoke) touch "$EXT_LOG.invoked"; echo invoke >> "$EXT_LOG" ;;
esac
`

// Ensure the phases an external handler is tested in (E7, and docs/design.md,
// "Restricted hooks"): in a normal hook, the hooks phase and then the main loop;
// in a restricted hook, exactly one test, in the restricted phase (neither a
// hook nor a when test holds there), and it is invoked.
func TestExternalTestedInEveryPhase(t *testing.T) {
	for _, tc := range []struct {
		hook string
		log  string
	}{
		{"install", "test hooks\ninvoke\ntest other\n"},
		{reactive.HookCollectMetrics, "test neither\ninvoke\n"},
	} {
		t.Run(tc.hook, func(t *testing.T) {
			dir := writeCharm(t, charmFile{path: "reactive/phase.sh", body: phaseScript})
			logPath := filepath.Join(t.TempDir(), "log")
			exe := testBinaryAsCLI(t, "")
			t.Setenv("EXT_LOG", logPath)
			r := runExternal(t, reactive.NewRegistry(), newStore(t), exe, dir, tc.hook, nil)
			require.NoError(t, r.err, "stderr: %s", r.stderr)
			assert.Equal(t, tc.log, readLog(t, logPath))
			assert.Equal(t, []string{`reactive/phase.sh ""`}, r.res.Invoked)
		})
	}
}

// failingInvoke is queued when pre is set; its --invoke sets a flag over
// the channel and then fails.
const failingInvoke = shebang + `case "$1" in
--test) charms.reactive when pre ;;
--invoke) charms.reactive set_flag bash.partial; exit 3 ;;
esac
`

// Ensure that a failed hook persists nothing, external handlers or not (X13,
// docs/design.md, "Decision 2"): a non-zero --invoke fails the hook with exit 1
// and an error naming the file and the exit status, and the flag the handler set
// before failing is rolled back with everything else; and a failing Go handler
// in a charm that has an external handler (which was tested, and upstream
// commits the store for) leaves the store empty too.
func TestFailedHookWithExternalPersistsNothing(t *testing.T) {
	t.Run("failing --invoke", func(t *testing.T) {
		s, dbPath := newCLIStore(t)
		dir := writeCharm(t, charmFile{path: "reactive/ext.sh", body: failingInvoke})
		exe := testBinaryAsCLI(t, dbPath)
		reg := reactive.NewRegistry()
		var seen bool
		reg.Handle("pre", reactive.OnHook("install"), c0(sets("pre")))
		reg.Handle("after", reactive.When("bash.partial"), func(context.Context, *reactive.Hook) error {
			seen = true
			return nil
		})
		r := runExternal(t, reg, s, exe, dir, "install", nil)
		require.Error(t, r.err)
		assert.Equal(t, 1, r.res.ExitCode)
		var ee *exec.ExitError
		require.ErrorAs(t, r.err, &ee)
		assert.Equal(t, 3, ee.ExitCode())
		var xe *reactive.ExternalError
		require.ErrorAs(t, r.err, &xe)
		assert.Equal(t, "--invoke", xe.Arg)
		assert.Equal(t, `external handler "reactive/ext.sh" --invoke: exit status 3`, r.err.Error())
		assert.Equal(t, []string{"Hook error:\n" + r.err.Error()}, r.rec.at(slog.LevelError))
		assert.False(t, seen, "dispatch stopped at the failure")
		assert.False(t, r.res.Committed)
		assert.Empty(t, dump(t, s), "nothing persisted, not even the flag set by the failed handler")
	})
	t.Run("X13 failing Go handler", func(t *testing.T) {
		s := newStore(t)
		dir := writeCharm(t, charmFile{path: "reactive/ext.sh", body: countScript})
		logPath := filepath.Join(t.TempDir(), "log")
		t.Setenv("EXT_LOG", logPath)
		reg := reactive.NewRegistry()
		reg.Handle("pre", reactive.OnHook("install"), c0(sets("pre")))
		reg.Handle("boom", reactive.When("pre"), c0(func(*reactive.Hook) error { return errors.New("boom") }))
		r := runExternal(t, reg, s, "", dir, "install", nil)
		require.Error(t, r.err)
		assert.Equal(t, 1, r.res.ExitCode)
		assert.Equal(t, "test\ntest\n", readLog(t, logPath), "ext.sh was tested before the failure")
		assert.Empty(t, dump(t, s), "nothing persisted")
	})
}

// onceScript passes --test until it has been invoked once.
const onceScript = shebang + `case "$1" in
--test) [ ! -e "$0.done" ] ;;
--invoke) touch "$0.done" ;;
esac
`

// Ensure external handlers come after every Go handler in a batch, in
// discovery order (the roots in upstream's order, sorted within each), and
// that RunOptions.NoExternalHandlers switches them off.
func TestExternal_RegistrationOrder(t *testing.T) {
	files := []charmFile{
		{path: "hooks/relations/db/requires.sh", body: onceScript},
		{path: "hooks/reactive/c", body: onceScript},
		{path: "reactive/b.sh", body: onceScript},
		{path: "reactive/a.sh", body: onceScript},
	}
	reg := reactive.NewRegistry()
	reg.Handle("go.first", reactive.OnHook("install"), c0(nil2))
	reg.Handle("go.second", reactive.OnHook("install"), c0(nil2))

	r := runExternal(t, reg, newStore(t), "", writeCharm(t, files...), "install", nil)
	require.NoError(t, r.err)
	assert.Equal(t, []string{
		"go.first", "go.second",
		`reactive/a.sh ""`, `reactive/b.sh ""`, `hooks/reactive/c ""`, `hooks/relations/db/requires.sh ""`,
	}, r.res.Invoked)

	r = runExternal(t, reg, newStore(t), "", writeCharm(t, files...), "install", func(o *reactive.RunOptions) {
		o.NoExternalHandlers = true
	})
	require.NoError(t, r.err)
	assert.Equal(t, []string{"go.first", "go.second"}, r.res.Invoked)
}

// Ensure the registration records (REACTIVE_LOG_OPTS=register): with
// LogRegistrations, one DEBUG record per Go handler (and per condition) and per
// external handler, in registration order, before any handler runs; none without
// it.
func TestExternal_LogRegistrations(t *testing.T) {
	dir := writeCharm(t, charmFile{path: "reactive/count.sh", body: countScript})
	t.Setenv("EXT_LOG", filepath.Join(t.TempDir(), "log"))
	reg := reactive.NewRegistry()
	reg.Handle("install", reactive.All(reactive.WhenNot("app.installed"), reactive.OnlyOnce()), c0(nil2))
	for _, on := range []bool{true, false} {
		r := runExternal(t, reg, newStore(t), "", dir, "install", func(o *reactive.RunOptions) { o.LogRegistrations = on })
		require.NoError(t, r.err)
		var want []string
		if on {
			want = []string{
				"Registering reactive handler for install",
				"  Adding predicate for install: WhenNone(\"app.installed\")",
				"  Adding predicate for install: OnlyOnce()",
				"Registering external reactive handler for reactive/count.sh",
			}
		}
		assert.Equal(t, want, r.rec.at(slog.LevelDebug), "LogRegistrations=%v", on)
	}
}

// Ensure that with CLIExecutable set, a child started by a Go handler with
// Hook.RunCommand finds that program on its PATH as charms.reactive, and
// its command joins the hook's transaction.
func TestHook_RunCommand_CharmsReactiveOnPath(t *testing.T) {
	s, dbPath := newCLIStore(t)
	exe := testBinaryAsCLI(t, dbPath)
	reg := reactive.NewRegistry()
	reg.Handle("child", reactive.OnHook("install"), func(_ context.Context, h *reactive.Hook) error {
		return h.RunCommand(exec.Command("/bin/sh", "-c", "charms.reactive set_flag via.path"))
	})
	r := runExternal(t, reg, s, exe, t.TempDir(), "install", nil)
	require.NoError(t, r.err)
	assert.Equal(t, []string{"via.path"}, storedFlags(t, s))
}

// libraryStyle is queued the way charms.reactive.sh queues a bash handler:
// it asks the test subcommand, which applies the watch rule of the hook's
// FlagWatch record, and passes when a spec's name is printed.
const libraryStyle = shebang + `case "$1" in
--test)
	out=$(charms.reactive test "'on_x' 'lib.sh:3:on_x' 'when' 'x'") || exit 2
	echo "test [$out]" >> "$EXT_LOG"
	[ -n "$out" ] && echo "$out" ;;
--invoke) echo "invoke $2" >> "$EXT_LOG" ;;
esac
`

// Ensure that a bash handler filtering itself with the FlagWatch record, as the
// bash library does (through charms.reactive test), sees the hook's current
// record through the channel: "when x" is queued in the iteration after x was
// set, and not again in the next one although x is still set.
func TestExternal_WatchRuleThroughChannel(t *testing.T) {
	dir := writeCharm(t, charmFile{path: "reactive/lib.sh", body: libraryStyle})
	logPath := filepath.Join(t.TempDir(), "log")
	exe := testBinaryAsCLI(t, "")
	t.Setenv("EXT_LOG", logPath)
	reg := reactive.NewRegistry()
	reg.Handle("a", reactive.WhenNot("x"), c0(sets("x")))
	s := newStore(t)
	r := runExternal(t, reg, s, exe, dir, "install", nil)
	require.NoError(t, r.err, "stderr: %s", r.stderr)
	assert.Equal(t, []string{"a", "reactive/lib.sh \"on_x\n\""}, r.res.Invoked)
	// hooks phase, iteration 0 (x not set yet), iteration 1 (x changed in
	// 0), iteration 2 (x set, but unchanged in 1).
	assert.Equal(t, "test []\ntest []\ntest [on_x]\ninvoke on_x\n\ntest []\n", readLog(t, logPath))
	assert.Equal(t, []string{"x"}, flagList(t, s))
}

// Ensure that a clear made by a bash handler over the channel triggers the
// re-test of the rest of the batch, as a Go handler's does: a.sh clears x when
// invoked, so b.sh, queued after it in the same batch because x was set, is
// tested again and dropped.
func TestExternal_BashClearRetestsBatch(t *testing.T) {
	s := newStore(t)
	setFlags(t, s, "x")
	body := shebang + `case "$1" in
--test) charms.reactive when x ;;
--invoke) [ "$(basename "$0")" = a.sh ] && charms.reactive clear_flag x; echo "$(basename "$0")" >> "$EXT_LOG" ;;
esac
`
	dir := writeCharm(t, charmFile{path: "reactive/a.sh", body: body}, charmFile{path: "reactive/b.sh", body: body})
	logPath := filepath.Join(t.TempDir(), "log")
	exe := testBinaryAsCLI(t, "")
	t.Setenv("EXT_LOG", logPath)
	r := runExternal(t, reactive.NewRegistry(), s, exe, dir, "install", nil)
	require.NoError(t, r.err, "stderr: %s", r.stderr)
	assert.Equal(t, []string{`reactive/a.sh ""`}, r.res.Invoked)
	assert.Equal(t, "a.sh\n", readLog(t, logPath))
	assert.Empty(t, flagList(t, s))
}

// Ensure that cancelling the hook's context (Main does on SIGTERM) kills a
// running external handler and fails the hook with the cancellation.
func TestExternal_ContextCancelKillsHandler(t *testing.T) {
	dir := writeCharm(t, charmFile{path: "reactive/slow.sh", body: shebang + "exec sleep 30\n"})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	s := newStore(t)
	res, err := reactive.NewRegistry().Run(ctx, reactive.RunOptions{
		Store:  s,
		Env:    hookenv.Env{HookName: "install", CharmDir: dir},
		Runner: noTools,
	})
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), `external handler "reactive/slow.sh" --test: `)
	assert.Equal(t, 1, res.ExitCode)
	assert.Empty(t, dump(t, s))
}
