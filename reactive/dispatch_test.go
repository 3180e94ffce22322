package reactive_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/charmkit/charmkit/reactive"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// workedExample registers the five handlers of the worked example
// (docs/design.md, "Worked example").
func workedExample(c *calls) *reactive.Registry {
	r := reactive.NewRegistry()
	r.Handle("H0", reactive.OnHook("config-changed"), c.fn("H0", sets("cfg.dirty")))
	r.Handle("H1", reactive.WhenNot("app.installed"), c.fn("H1", sets("app.installed")))
	r.Handle("H2", reactive.When("app.installed", "cfg.dirty"), c.fn("H2", func(h *reactive.Hook) error {
		if err := h.ClearFlag("cfg.dirty"); err != nil {
			return err
		}
		return h.SetFlag("app.restart")
	}))
	r.Handle("H3", reactive.When("app.restart"), c.fn("H3", clears("app.restart")))
	r.Handle("H4", reactive.When("app.installed"), c.fn("H4", nil))
	return r
}

// Ensure that the worked example runs H0, H1, H2, H4, H3 in the first hook and
// H0, H2, H4, H3 in the second, with the LogTracer text of the design document
// (handler names in place of upstream ids).
func TestWorkedExample(t *testing.T) {
	c := &calls{}
	reg := workedExample(c)
	s := newStore(t)

	res, rec := runHook(t, reg, s, "config-changed", func(o *reactive.RunOptions) { o.Trace = true })
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"H0", "H1", "H2", "H4", "H3"}, c.names)
	assert.Equal(t, c.names, res.Invoked)
	assert.Equal(t, []string{"app.installed"}, flagList(t, s))
	assert.Equal(t, []string{
		"tracer: starting handler dispatch, 0 flags set",
		"tracer>\ntracer: hooks phase, 1 handlers queued\ntracer: ++   queue handler H0",
		"tracer: set flag cfg.dirty",
		"tracer>\ntracer: main dispatch loop, 1 handlers queued\ntracer: ++   queue handler H1",
		"tracer>\ntracer: set flag app.installed\ntracer: ++   queue handler H2\ntracer: ++   queue handler H4\ntracer: -- dequeue handler H1",
		"tracer>\ntracer: cleared flag cfg.dirty\ntracer: -- dequeue handler H2",
		"tracer: set flag app.restart",
		"tracer>\ntracer: cleared flag app.restart\ntracer: -- dequeue handler H3",
	}, rec.at(slog.LevelDebug))
	assert.Equal(t, []string{
		"Reactive main running for hook config-changed",
		"Invoking reactive handler: H0",
		"Invoking reactive handler: H1",
		"Invoking reactive handler: H2",
		"Invoking reactive handler: H4",
		"Invoking reactive handler: H3",
	}, rec.at(slog.LevelInfo))

	c.names = nil
	res, _ = runHook(t, reg, s, "config-changed", nil)
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"H0", "H2", "H4", "H3"}, c.names)
	assert.Equal(t, []string{"app.installed"}, flagList(t, s))

	c.names = nil
	runHook(t, reg, s, "update-status", nil)
	assert.Equal(t, []string{"H4"}, c.names, "update-status runs only H4")
}

// Ensure that dispatch follows charms.reactive's test_dispatch (B13): flag
// chains run one iteration per link, and matching handlers run again in
// every hook except the only-once one.
func TestDispatchChain(t *testing.T) {
	c := &calls{}
	r := reactive.NewRegistry()
	r.Handle("foo", reactive.When("foo"), c.fn("foo", sets("bar")))
	r.Handle("bar", reactive.All(reactive.When("bar"), reactive.OnlyOnce()), c.fn("bar", nil))
	r.Handle("both", reactive.When("foo", "bar"), c.fn("both", sets("qux")))
	r.Handle("qux", reactive.When("qux"), c.fn("qux", nil))
	r.Handle("foo2", reactive.When("foo"), c.fn("foo2", nil))
	r.Handle("bar2", reactive.When("bar"), c.fn("bar2", nil))
	s := newStore(t)

	t.Run("B13a", func(t *testing.T) {
		runHook(t, r, s, "config-changed", nil)
		assert.Empty(t, c.names)
	})
	t.Run("B13b", func(t *testing.T) {
		setFlags(t, s, "foo")
		res, _ := runHook(t, r, s, "config-changed", nil)
		require.NoError(t, res.Err)
		require.Len(t, c.names, 6)
		assert.ElementsMatch(t, []string{"foo", "foo2"}, c.names[0:2])
		assert.ElementsMatch(t, []string{"bar", "bar2", "both"}, c.names[2:5])
		assert.Equal(t, []string{"qux"}, c.names[5:])
		assert.Equal(t, 3, res.Iterations)
	})
	t.Run("B13c", func(t *testing.T) {
		c.names = nil
		runHook(t, r, s, "config-changed", nil)
		assert.ElementsMatch(t, []string{"foo", "both", "qux", "foo2", "bar2"}, c.names)
	})
}

// Ensure that a clear re-tests the rest of the batch (B14).
func TestClearRetestsBatch(t *testing.T) {
	for _, tc := range []struct {
		name  string
		order []string
		want  []string
	}{
		{"B14a", []string{"h1", "h2", "h3"}, []string{"h1", "h3"}},
		{"B14b", []string{"h2", "h1", "h3"}, []string{"h2", "h1", "h3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &calls{}
			defs := map[string]func(r *reactive.Registry){
				"h1": func(r *reactive.Registry) { r.Handle("h1", reactive.When("foo"), c.fn("h1", clears("foo"))) },
				"h2": func(r *reactive.Registry) { r.Handle("h2", reactive.When("foo"), c.fn("h2", nil)) },
				"h3": func(r *reactive.Registry) { r.Handle("h3", reactive.When("bar"), c.fn("h3", nil)) },
			}
			r := reactive.NewRegistry()
			for _, n := range tc.order {
				defs[n](r)
			}
			s := newStore(t)
			setFlags(t, s, "foo", "bar")
			runHook(t, r, s, "config-changed", nil)
			assert.Equal(t, tc.want, c.names)
		})
	}
}

// Ensure that hook handlers always run before flag handlers (B15).
func TestHooksPhaseRunsFirst(t *testing.T) {
	for _, order := range [][]string{{"h1", "h2"}, {"h2", "h1"}} {
		t.Run(order[0]+"-first", func(t *testing.T) {
			c := &calls{}
			r := reactive.NewRegistry()
			for _, n := range order {
				if n == "h1" {
					r.Handle("h1", reactive.When("foos"), c.fn("h1", nil))
				} else {
					r.Handle("h2", reactive.OnHook("start"), c.fn("h2", nil))
				}
			}
			s := newStore(t)
			setFlags(t, s, "foos")
			runHook(t, r, s, "start", nil)
			assert.Equal(t, []string{"h2", "h1"}, c.names)
		})
	}
}

// Ensure that stacked conditions AND together and that a clear lets a
// WhenNot handler run in the next iteration (D12).
func TestStackedConditions(t *testing.T) {
	c := &calls{}
	r := reactive.NewRegistry()
	r.Handle("test1", reactive.All(reactive.When("foo"), reactive.When("bar")), c.fn("test1", nil))
	r.Handle("test2", reactive.All(reactive.When("foo"), reactive.WhenNot("bar")), c.fn("test2", nil))
	s := newStore(t)
	setFlags(t, s, "foo", "bar")

	t.Run("D12a", func(t *testing.T) {
		c.names = nil
		runHook(t, r, s, "config-changed", nil)
		assert.Equal(t, []string{"test1"}, c.names)
	})
	t.Run("D12b", func(t *testing.T) {
		c.names = nil
		clearFlags(t, s, "bar")
		runHook(t, r, s, "config-changed", nil)
		assert.Equal(t, []string{"test2"}, c.names)
	})
	t.Run("D12c", func(t *testing.T) {
		c.names = nil
		r.Handle("test3", reactive.When("foo"), c.fn("test3", clears("bar")))
		setFlags(t, s, "bar")
		res, _ := runHook(t, r, s, "config-changed", nil)
		require.NoError(t, res.Err)
		assert.Equal(t, []string{"test1", "test3", "test2"}, c.names)
	})
}

// Ensure the observed rows about the loop: the cap (X1), repeated changes (X5),
// value-only sets (X6) and the set/clear asymmetry (X7).
func TestIterationCap(t *testing.T) {
	for _, tc := range []struct {
		name  string
		max   int
		runs  int
		limit int
	}{
		{"default", 0, 100, 100},
		{"configured", 7, 7, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			r := reactive.NewRegistry()
			r.Handle("always", reactive.When(), func(_ context.Context, _ *reactive.Hook) error { n++; return nil })
			s := newStore(t)
			res, rec := runHook(t, r, s, "update-status", func(o *reactive.RunOptions) { o.MaxIterations = tc.max })
			require.NoError(t, res.Err)
			assert.Equal(t, tc.runs, n)
			assert.True(t, res.CapReached)
			assert.Equal(t, []string{reactive.CapWarning(tc.limit)}, rec.at(slog.LevelWarn))
			assert.Equal(t, "Reactive dispatch reached the iteration cap of 100; handlers that still match will run in a later hook", reactive.CapWarning(100))
		})
	}
	t.Run("no-warning-below-cap", func(t *testing.T) {
		c := &calls{}
		r := workedExample(c)
		res, rec := runHook(t, r, newStore(t), "config-changed", nil)
		assert.False(t, res.CapReached)
		assert.Empty(t, rec.at(slog.LevelWarn))
	})
}

// Ensure that a When(x) handler clearing and setting x again runs once per
// iteration while it does so: the clear and the set are both changes
// (catalogue X5).
func TestClearAndSetAgainIsAChange(t *testing.T) {
	n := 0
	r := reactive.NewRegistry()
	r.Handle("x", reactive.When("x"), func(_ context.Context, h *reactive.Hook) error {
		n++
		if n < 3 {
			if err := h.ClearFlag("x"); err != nil {
				return err
			}
			return h.SetFlag("x")
		}
		return nil
	})
	s := newStore(t)
	setFlags(t, s, "x")
	runHook(t, r, s, "config-changed", nil)
	assert.Equal(t, 3, n)
}

// Ensure that setting a set flag again with a new value is no change: the
// handler runs once, and the new value is stored (catalogue X6).
func TestValueOnlySetIsNoChange(t *testing.T) {
	n := 0
	r := reactive.NewRegistry()
	r.Handle("v", reactive.When("v"), func(_ context.Context, h *reactive.Hook) error {
		n++
		return h.SetFlagValue("v", n)
	})
	s := newStore(t)
	setFlags(t, s, "v")
	runHook(t, r, s, "config-changed", nil)
	assert.Equal(t, 1, n)
	assert.Equal(t, "1", dump(t, s)["reactive.states.v"])
}

// Ensure that a set does not re-test the batch: a WhenNot(x) handler queued
// after the handler setting x still runs, with x set (catalogue X7).
func TestSetDoesNotRetest(t *testing.T) {
	c := &calls{}
	var sawX bool
	r := reactive.NewRegistry()
	r.Handle("h1", reactive.When("go"), c.fn("h1", sets("x")))
	r.Handle("h2", reactive.WhenNot("x"), c.fn("h2", func(h *reactive.Hook) error { sawX = h.IsFlagSet("x"); return nil }))
	s := newStore(t)
	setFlags(t, s, "go")
	runHook(t, r, s, "config-changed", nil)
	assert.Equal(t, []string{"h1", "h2"}, c.names)
	assert.True(t, sawX, "h2 runs with x set")
}

// Ensure flag changes made by start callbacks are traced, with predictions
// made in the phase the previous hook left in the store (as upstream's
// LogTracer, installed before the layers' start callbacks, does).
func TestTrace_StartCallbacks(t *testing.T) {
	r := reactive.NewRegistry()
	r.AtStart("layer", func(_ context.Context, h *reactive.Hook) error { return h.SetFlag("leader") })
	r.Handle("h", reactive.When("leader"), c0(clears("leader")))
	s := newStore(t)
	trace := func(o *reactive.RunOptions) { o.Trace = true }
	_, rec := runHook(t, r, s, "install", trace)
	first := rec.at(slog.LevelDebug)
	require.NotEmpty(t, first)
	assert.Equal(t, "tracer: set flag leader", first[0], "no phase stored yet: nothing predicted")
	_, rec = runHook(t, r, s, "update-status", trace)
	second := rec.at(slog.LevelDebug)
	require.NotEmpty(t, second)
	assert.Equal(t, "tracer>\ntracer: set flag leader\ntracer: ++   queue handler h", second[0])
	assert.Equal(t, "tracer>\ntracer: starting handler dispatch, 1 flags set\ntracer: set flag leader", second[1])
}

// Ensure a reader of the transaction (the command line inside a hook) sees
// the current iteration, committed changes and phase while a handler runs.
func TestWatchRecordCurrentForReaders(t *testing.T) {
	type seen struct {
		phase             reactive.Phase
		restart, installd bool
	}
	var got []seen
	probe := func(h *reactive.Hook) error {
		tx := h.Flags().Tx() // not KV: no explicit flush
		p, err := reactive.CurrentPhase(tx)
		require.NoError(t, err)
		a, err := reactive.WatchAllows(tx, []string{"app.restart"})
		require.NoError(t, err)
		b, err := reactive.WatchAllows(tx, []string{"app.installed"})
		require.NoError(t, err)
		got = append(got, seen{p, a, b})
		return nil
	}
	r := reactive.NewRegistry()
	r.Handle("H0", reactive.OnHook("config-changed"), c0(func(h *reactive.Hook) error { _ = probe(h); return h.SetFlag("app.installed") }))
	r.Handle("H1", reactive.When("app.installed"), c0(func(h *reactive.Hook) error { _ = probe(h); return h.SetFlag("app.restart") }))
	r.Handle("H2", reactive.When("app.restart"), c0(func(h *reactive.Hook) error { _ = probe(h); return h.ClearFlag("app.restart") }))
	res, _ := runHook(t, r, newStore(t), "config-changed", nil)
	require.NoError(t, res.Err)
	assert.Equal(t, []seen{
		{reactive.PhaseHooks, true, true},  // iteration 0
		{reactive.PhaseOther, true, true},  // iteration 0
		{reactive.PhaseOther, true, false}, // iteration 1: app.restart changed
	}, got)
}
