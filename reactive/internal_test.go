package reactive

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmkit/charmkit/flags"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// beginTx returns a transaction on a fresh in-memory store, rolled back when
// the test ends.
func beginTx(tb testing.TB) *flags.Tx {
	tb.Helper()
	tx, err := flags.OpenMemory().Begin(context.Background())
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = tx.Rollback() })
	return tx
}

func watchRec(tb testing.TB, tx *flags.Tx) (watchRecord, bool) {
	tb.Helper()
	var rec watchRecord
	ok, err := tx.Get(StateWatchKey, &rec)
	require.NoError(tb, err)
	return rec, ok
}

func newTestWatch(tb testing.TB, tx *flags.Tx) *flagWatch {
	tb.Helper()
	w, err := newWatch(tx)
	require.NoError(tb, err)
	return w
}

// Ensure that reset deletes the watch record (B1).
func TestWatchReset(t *testing.T) {
	tx := beginTx(t)
	w := newTestWatch(t, tx)
	w.change("foo")
	w.flush()
	_, ok := watchRec(t, tx)
	require.True(t, ok)
	w.reset()
	_, ok = watchRec(t, tx)
	assert.False(t, ok)
}

// Ensure the watch rule, step by step as test_watch (B2a-B2i).
func TestWatchRule(t *testing.T) {
	tx := beginTx(t)
	w := newTestWatch(t, tx)
	w.reset()
	steps := []struct {
		row   string
		do    func()
		check [][]string
		want  []bool
	}{
		{"B2a", func() {}, [][]string{{"foos"}}, []bool{true}},
		{"B2b", func() { w.setIteration(0) }, [][]string{{"foos"}}, []bool{true}},
		{"B2c", func() { w.setIteration(1) }, [][]string{{"foos"}}, []bool{false}},
		{"B2d", func() { w.change("foos") }, [][]string{{"foos"}}, []bool{false}},
		{"B2e", func() { w.commit() }, [][]string{{"foos"}}, []bool{true}},
		{"B2f", func() { w.change("bars"); w.commit() }, [][]string{{"foos"}, {"bars"}, {"foos", "bars"}}, []bool{false, true, true}},
		{"B2g", func() { w.commit() }, [][]string{{"bars"}, {"foos", "bars"}}, []bool{false, false}},
		{"B2h", func() { w.change("foos"); w.change("bars"); w.commit() }, [][]string{{"foos"}, {"bars"}, {"foos", "bars"}, {"quxs"}}, []bool{true, true, true, false}},
		{"B2i", func() { w.commit() }, [][]string{{"foos"}}, []bool{false}},
	}
	for _, s := range steps {
		s.do()
		w.flush()
		for i, fl := range s.check {
			assert.Equal(t, s.want[i], w.watch(fl), "%s: watch(%v)", s.row, fl)
			// The stored record gives the same answer to another reader.
			got, err := WatchAllows(tx, fl)
			require.NoError(t, err)
			assert.Equal(t, s.want[i], got, "%s: WatchAllows(%v)", s.row, fl)
		}
	}
	w.reset()
	assert.True(t, w.watch([]string{"foos"}), "B2i: after reset")
}

// Ensure change appends to pending and commit moves pending to changes,
// in the store's JSON layout (B3, B4).
func TestWatchChangeCommit(t *testing.T) {
	tx := beginTx(t)
	w := newTestWatch(t, tx)
	w.change("foo")
	w.change("bar")
	w.flush()
	rec, _ := watchRec(t, tx)
	assert.Equal(t, watchRecord{Iteration: 0, Pending: []string{"foo", "bar"}, Changes: []string{}}, rec, "B3")
	w.commit()
	w.flush()
	rec, _ = watchRec(t, tx)
	assert.Equal(t, watchRecord{Iteration: 0, Pending: []string{}, Changes: []string{"foo", "bar"}}, rec, "B4")
	raw, _ := tx.GetRaw(StateWatchKey)
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(raw), &m))
	assert.Equal(t, map[string]any{"iteration": 0.0, "changes": []any{"foo", "bar"}, "pending": []any{}}, m)
}

// Ensure a handler's test ANDs its conditions, never invokes it, and obeys
// the watch (B6a-B6g).
func TestHandlerTest(t *testing.T) {
	tx := beginTx(t)
	fl := flags.New(tx)
	require.NoError(t, tx.Set(PhaseKey, "other"))
	called := 0
	fn := func(context.Context, *Hook) error { called++; return nil }
	r := NewRegistry()
	r.Handle("p1", When("p1"), fn)
	r.Handle("p1p2", All(When("p1"), When("p2")), fn)
	r.Handle("states", When("state1", "state2"), fn)
	require.NoError(t, fl.Set("p1"))
	test := func(name string) bool {
		ok, err := r.Test(tx, name, CheckOptions{})
		require.NoError(t, err)
		return ok
	}
	assert.True(t, test("p1"), "B6a")
	assert.False(t, test("p1p2"), "B6b")
	require.NoError(t, fl.Set("p2"))
	assert.True(t, test("p1p2"), "B6c")
	assert.Zero(t, called, "B6c: test never invokes")

	require.NoError(t, fl.Set("state1"))
	require.NoError(t, fl.Set("state2"))
	w := newTestWatch(t, tx)
	assert.True(t, test("states"), "B6d")
	w.setIteration(1)
	w.flush()
	assert.False(t, test("states"), "B6e")
	w.change("state1")
	w.flush()
	assert.False(t, test("states"), "B6f")
	w.commit()
	w.flush()
	assert.True(t, test("states"), "B6g")

	_, err := r.Test(tx, "nope", CheckOptions{})
	assert.ErrorContains(t, err, `no handler named "nope"`)
}

// Ensure the null tracer accepts every event (T1).
func TestNullTracer(t *testing.T) {
	var tr tracer = nullTracer{}
	assert.NotPanics(t, func() {
		tr.startDispatch(nil)
		tr.startPhase(PhaseHooks, nil)
		tr.startIteration(0, nil)
		tr.setFlag("flag_a")
		tr.clearFlag("flag_b")
	})
}

// Ensure the LogTracer's exact text (T2; docs/design.md, "Tracing").
func TestLogTracer(t *testing.T) {
	var logged []string
	evals := [][]string{{"handler_1"}, {"handler_2", "handler_3"}}
	n := 0
	tr := newLogTracer(func(s string) { logged = append(logged, s) }, func() []string {
		q := evals[n]
		n++
		return q
	})
	tr.startDispatch(nil)
	tr.startPhase(PhaseHooks, nil)
	tr.startIteration(0, nil)
	tr.setFlag("flag_a")
	tr.clearFlag("flag_b")
	assert.Equal(t, []string{
		"tracer: starting handler dispatch, 0 flags set",
		"tracer: hooks phase, 0 handlers queued",
		"tracer>\ntracer: set flag flag_a\ntracer: ++   queue handler handler_1",
		"tracer>\ntracer: cleared flag flag_b\ntracer: ++   queue handler handler_2\ntracer: ++   queue handler handler_3\ntracer: -- dequeue handler handler_1",
	}, logged)
}

// Ensure expansion stops on a relation name that would expand forever.
func TestExpandReplacements_Bounded(t *testing.T) {
	md := &Metadata{Requires: map[string]Relation{"{requires:x}": {Interface: "x"}}}
	_, err := ExpandHookPatterns(md, "{requires:x}")
	assert.ErrorIs(t, err, ErrPatternTooLarge)
	_, err = ExpandHookPatterns(nil, "{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}")
	assert.ErrorIs(t, err, ErrPatternTooLarge)
}

// FuzzExpandHookPatterns checks that expansion never panics or loops, and
// that a pattern without braces expands to itself.
func FuzzExpandHookPatterns(f *testing.F) {
	for _, s := range []string{"config-changed", "{a,b}-{c,d}", "{requires:mysql}-relation-{joined,changed}", "{", "}{,}", "{a:}"} {
		f.Add(s)
	}
	md := &Metadata{Requires: map[string]Relation{"db": {Interface: "mysql"}}}
	f.Fuzz(func(t *testing.T, p string) {
		got, err := ExpandHookPatterns(md, p)
		if err != nil {
			return
		}
		if !containsAny(p, "{}") {
			if len(got) != 1 || got[0] != p {
				t.Fatalf("expand(%q) = %q, want itself", p, got)
			}
		}
	})
}

func containsAny(s, chars string) bool {
	for _, c := range s {
		for _, d := range chars {
			if c == d {
				return true
			}
		}
	}
	return false
}

// Ensure runMain hands over to the command line with arguments or under
// the name charms.reactive, in a hook or not: the command line then
// answers what it was given (here, an unknown subcommand or none, exit 2).
func TestRunMain_CLIHandover(t *testing.T) {
	inHook := func(k string) string {
		if k == "JUJU_CONTEXT_ID" {
			return "ctx"
		}
		return ""
	}
	noEnv := func(string) string { return "" }
	setenv := func(string, string) error { return nil }
	r := NewRegistry()
	for _, tc := range []struct {
		args   []string
		getenv func(string) string
		stderr string
	}{
		{[]string{"/charm/dispatch", "frobnicate"}, inHook, "invalid choice: 'frobnicate'"},
		{[]string{"/charm/bin/charms.reactive"}, inHook, "the following arguments are required: COMMAND"},
		{[]string{"/charm/bin/charms.reactive"}, noEnv, "the following arguments are required: COMMAND"},
		{[]string{"/charm/dispatch", "frobnicate"}, noEnv, "invalid choice: 'frobnicate'"},
	} {
		var stderr strings.Builder
		assert.Equal(t, 2, runMain(context.Background(), r, tc.args, tc.getenv, setenv, &stderr), "%q", tc.args)
		assert.Contains(t, stderr.String(), tc.stderr, "%q", tc.args)
	}
}

// Ensure that the charm's binary run by hand, outside a hook and with no
// arguments, says that it is not in a hook and how to use it (a hook's
// shell, a charms.reactive command, charmtest), with the usage exit code,
// and opens no store; with a command, it is the command line.
func TestRunMain_NotInHook(t *testing.T) {
	noEnv := func(string) string { return "" }
	setenv := func(string, string) error { return nil }
	for _, argv0 := range []string{"/var/lib/juju/agents/unit-app-0/charm/dispatch", "./my-charm", ""} {
		var stderr strings.Builder
		assert.Equal(t, 2, runMain(context.Background(), NewRegistry(), []string{argv0}, noEnv, setenv, &stderr))
		name := filepath.Base(argv0)
		if argv0 == "" {
			name = "dispatch"
		}
		assert.True(t, strings.HasPrefix(stderr.String(), name+": not inside a Juju hook (JUJU_CONTEXT_ID is not set)\n"), stderr.String())
		for _, want := range []string{
			"juju debug-hooks <unit> <hook>, and run ./" + name + " there",
			"juju exec --unit <unit> -- ./" + name + " get_flags (" + name + " --help lists the commands)",
			"testing/charmtest",
		} {
			assert.Contains(t, stderr.String(), want)
		}
		assert.NotContains(t, stderr.String(), "usage:")
	}
	var stdout, stderr strings.Builder
	code := RunCLI(context.Background(), []string{"--help"}, CLIOptions{Stdout: &stdout, Stderr: &stderr, Getenv: noEnv})
	assert.Equal(t, 0, code, stderr.String())
	assert.Contains(t, stdout.String(), "get_flags", "the hint's --help lists the commands")
}
