package reactive_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/reactive"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// openSQLite opens a fresh SQLite store in a temporary directory.
func openSQLite(tb testing.TB) *flags.Store {
	tb.Helper()
	s, err := flags.Open(filepath.Join(tb.TempDir(), ".unit-state.db"), &flags.Options{LockTimeout: time.Second})
	require.NoError(tb, err)
	tb.Cleanup(func() {
		checkNoOpenTx(tb, s)
		require.NoError(tb, s.Close())
	})
	return s
}

// stores returns the store constructors every failure test runs against.
func stores() map[string]func(testing.TB) *flags.Store {
	return map[string]func(testing.TB) *flags.Store{"memory": newStore, "sqlite": openSQLite}
}

// Ensure how a hook ends decides what persists (X10-X14; docs/design.md, "How a
// hook ends").
func TestHookEndings(t *testing.T) {
	for _, tc := range []struct {
		row       string
		end       func(h *reactive.Hook) error
		exitCode  int
		hookError bool
		persisted bool
	}{
		{"X10-error", func(*reactive.Hook) error { return errors.New("boom") }, 1, true, false},
		{"X10-panic", func(*reactive.Hook) error { panic("kaboom") }, 1, true, false},
		{"X11-stop", func(*reactive.Hook) error { return reactive.ErrStop }, 0, false, true},
		{"X12-abort", func(*reactive.Hook) error { return reactive.Abort(3) }, 3, false, false},
		{"abort-0-is-stop", func(*reactive.Hook) error { return reactive.Abort(0) }, 0, false, true},
	} {
		for storeName, open := range stores() {
			for _, trace := range []bool{false, true} {
				t.Run(tc.row+"/"+storeName+map[bool]string{true: "/trace"}[trace], func(t *testing.T) {
					s := open(t)
					setFlags(t, s, "before")
					before := dump(t, s)
					exitRan := false
					r := reactive.NewRegistry()
					r.RegisterTrigger(flags.Trigger{When: "pre", SetFlag: "triggered"})
					r.AtExit("exit", func(context.Context, *reactive.Hook) error { exitRan = true; return nil })
					r.Handle("hook", reactive.OnHook("config-changed"), func(_ context.Context, h *reactive.Hook) error {
						return h.SetFlag("pre")
					})
					r.Handle("fail", reactive.When("pre"), func(_ context.Context, h *reactive.Hook) error {
						if err := h.SetFlag("x"); err != nil {
							return err
						}
						return tc.end(h)
					})
					r.Handle("never", reactive.When("x"), func(context.Context, *reactive.Hook) error {
						t.Error("dispatch went on after the hook ended")
						return nil
					})
					res, rec := runHook(t, r, s, "config-changed", func(o *reactive.RunOptions) { o.Trace = trace })
					assert.Equal(t, tc.exitCode, res.ExitCode)
					assert.Equal(t, []string{"hook", "fail"}, res.Invoked)
					errs := rec.at(slog.LevelError)
					if tc.hookError {
						require.Len(t, errs, 1)
						assert.True(t, strings.HasPrefix(errs[0], "Hook error:\n"), errs[0])
						assert.Contains(t, errs[0], `handler "fail"`)
					} else {
						assert.Empty(t, errs)
					}
					rows := dump(t, s)
					if !tc.persisted {
						assert.Equal(t, before, rows, "nothing persisted")
						assert.False(t, exitRan)
						assert.False(t, res.Committed)
						return
					}
					assert.NoError(t, res.Err)
					assert.True(t, res.Stopped)
					assert.True(t, exitRan)
					assert.Equal(t, []string{"before", "pre", "triggered", "x"}, flagList(t, s))
					assert.NotContains(t, rows, "reactive.flag_set_triggers.pre", "exit work cleared the triggers")
					assert.Equal(t, `{"iteration": 0, "changes": ["pre", "triggered"], "pending": ["x"]}`, rows[reactive.StateWatchKey], "the watch record stays")
				})
			}
		}
	}
	t.Run("panic-stack-logged", func(t *testing.T) {
		r := reactive.NewRegistry()
		r.Handle("p", reactive.When(), func(context.Context, *reactive.Hook) error { panic("kaboom") })
		res, rec := runHook(t, r, newStore(t), "install", nil)
		var pe *reactive.PanicError
		require.ErrorAs(t, res.Err, &pe)
		assert.Equal(t, "kaboom", pe.Value)
		assert.Equal(t, `handler "p" panicked: kaboom`, res.Err.Error())
		assert.Contains(t, rec.at(slog.LevelError)[0], "Hook error:\nhandler \"p\" panicked: kaboom\ngoroutine ")
	})
}

// Ensure Run's start and exit work, and what it logs (M1, M2).
func TestRunNormalAndRestrictedHooks(t *testing.T) {
	t.Run("M1a", func(t *testing.T) {
		starts := 0
		r := reactive.NewRegistry()
		r.AtStart("start", func(context.Context, *reactive.Hook) error { starts++; return nil })
		res, rec := runHook(t, r, newStore(t), "hook_name", nil)
		require.NoError(t, res.Err)
		assert.Equal(t, 1, starts)
		assert.True(t, res.Committed)
		assert.Equal(t, []record{{slog.LevelInfo, "Reactive main running for hook hook_name"}}, rec.recs)
	})
	t.Run("M1b", func(t *testing.T) {
		r := reactive.NewRegistry()
		r.AtStart("start", func(_ context.Context, h *reactive.Hook) error {
			if err := h.SetFlag("a"); err != nil {
				return err
			}
			return reactive.Abort(1)
		})
		s := newStore(t)
		res, rec := runHook(t, r, s, "hook_name", nil)
		var ab *reactive.AbortError
		require.ErrorAs(t, res.Err, &ab)
		assert.Equal(t, 1, res.ExitCode)
		assert.False(t, res.Committed)
		assert.Empty(t, dump(t, s))
		assert.Empty(t, rec.at(slog.LevelError))
	})
	t.Run("M2a", func(t *testing.T) {
		starts := 0
		r := reactive.NewRegistry()
		r.AtStart("start", func(context.Context, *reactive.Hook) error { starts++; return nil })
		s := newStore(t)
		res, rec := runHook(t, r, s, "meter-status-changed", nil)
		require.NoError(t, res.Err)
		assert.Zero(t, starts)
		assert.True(t, res.Committed)
		assert.Equal(t, []string{"Reactive main running for hook meter-status-changed", "Restricted mode."}, rec.at(slog.LevelInfo))
		assert.Equal(t, `"restricted"`, dump(t, s)[reactive.PhaseKey])
	})
	t.Run("M2b", func(t *testing.T) {
		r := reactive.NewRegistry()
		r.Handle("msc", reactive.MeterStatusChanged(), func(_ context.Context, h *reactive.Hook) error {
			if err := h.SetFlag("a"); err != nil {
				return err
			}
			return reactive.Abort(1)
		})
		s := newStore(t)
		res, _ := runHook(t, r, s, "meter-status-changed", nil)
		assert.Equal(t, 1, res.ExitCode)
		assert.Empty(t, dump(t, s))
	})
	t.Run("start-error", func(t *testing.T) {
		r := reactive.NewRegistry()
		r.AtStart("is-leader", func(context.Context, *reactive.Hook) error { return errors.New("is-leader: exit status 1") })
		r.Handle("h", reactive.When(), func(context.Context, *reactive.Hook) error { t.Error("dispatch ran"); return nil })
		res, rec := runHook(t, r, newStore(t), "install", nil)
		assert.Equal(t, 1, res.ExitCode)
		assert.Equal(t, []string{"Hook error:\nstart callback \"is-leader\": is-leader: exit status 1"}, rec.at(slog.LevelError))
	})
	t.Run("start-stop", func(t *testing.T) {
		exitRan := false
		r := reactive.NewRegistry()
		r.AtStart("stop", func(_ context.Context, h *reactive.Hook) error { _ = h.SetFlag("s"); return reactive.ErrStop })
		r.AtExit("exit", func(context.Context, *reactive.Hook) error { exitRan = true; return nil })
		r.Handle("h", reactive.When(), func(context.Context, *reactive.Hook) error { t.Error("dispatch ran"); return nil })
		s := newStore(t)
		res, _ := runHook(t, r, s, "install", nil)
		require.NoError(t, res.Err)
		assert.True(t, exitRan)
		assert.Equal(t, []string{"s"}, flagList(t, s))
	})
	t.Run("exit-error", func(t *testing.T) {
		r := reactive.NewRegistry()
		r.AtExit("bad", func(context.Context, *reactive.Hook) error { return errors.New("nope") })
		r.Handle("h", reactive.OnHook("install"), c0(sets("a")))
		s := newStore(t)
		res, rec := runHook(t, r, s, "install", nil)
		assert.Equal(t, 1, res.ExitCode)
		assert.Equal(t, []string{"Hook error:\nexit callback \"bad\": nope"}, rec.at(slog.LevelError))
		assert.Empty(t, dump(t, s))
	})
	t.Run("no-store", func(t *testing.T) {
		res, err := reactive.NewRegistry().Run(context.Background(), reactive.RunOptions{})
		assert.ErrorIs(t, err, reactive.ErrNoStore)
		assert.Equal(t, 1, res.ExitCode)
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		r := reactive.NewRegistry()
		r.Handle("a", reactive.OnHook("install"), func(context.Context, *reactive.Hook) error { cancel(); return nil })
		r.Handle("b", reactive.When(), func(context.Context, *reactive.Hook) error { t.Error("ran after cancel"); return nil })
		s := newStore(t)
		res, err := r.Run(ctx, reactive.RunOptions{Store: s, Runner: noTools, Env: envFor("app/0")})
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 1, res.ExitCode)
	})
}

// c0 turns an action into a handler.
func c0(do func(h *reactive.Hook) error) reactive.HandlerFunc {
	return func(_ context.Context, h *reactive.Hook) error { return do(h) }
}

// Ensure triggers registered on the registry fire in charms.reactive's
// order, and are traced (X16).
func TestTriggerOrder(t *testing.T) {
	var order []string
	r := reactive.NewRegistry()
	r.RegisterTrigger(flags.Trigger{When: "a", SetFlag: "b"})
	r.RegisterTrigger(flags.Trigger{When: "a", ClearFlag: "x"})
	r.RegisterTrigger(flags.Trigger{When: "a", Callback: func() error { order = append(order, "callback"); return nil }})
	r.RegisterTrigger(flags.Trigger{When: "b", SetFlag: "c"})
	r.RegisterTrigger(flags.Trigger{WhenNot: "c", SetFlag: "d"})
	var pending string
	r.Handle("set-a", reactive.OnHook("install"), func(_ context.Context, h *reactive.Hook) error {
		if err := h.SetFlag("a"); err != nil {
			return err
		}
		pending = dumpTx(h)[reactive.StateWatchKey]
		return nil
	})
	r.Handle("clear-c", reactive.When("a"), c0(clears("c")))
	s := newStore(t)
	setFlags(t, s, "x")
	res, rec := runHook(t, r, s, "install", func(o *reactive.RunOptions) { o.Trace = true })
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"callback"}, order)
	assert.Equal(t, `{"iteration": 0, "changes": [], "pending": ["a", "b", "c", "x"]}`, pending)
	var flagLines []string
	for _, m := range rec.at(slog.LevelDebug) {
		for _, l := range strings.Split(m, "\n") {
			if strings.Contains(l, " flag ") {
				flagLines = append(flagLines, strings.TrimPrefix(l, "tracer: "))
			}
		}
	}
	assert.Equal(t, []string{"set flag x", "set flag a", "set flag b", "set flag c", "cleared flag x", "cleared flag c", "set flag d"}, flagLines)
	assert.Equal(t, []string{"a", "b", "d"}, flagList(t, s))
}

func dumpTx(h *reactive.Hook) map[string]string {
	out := map[string]string{}
	for k, v := range h.KV().Range("", false) {
		out[k] = string(v)
	}
	return out
}

// Ensure start callbacks added while they run run in the same pass, and exit
// callbacks added while they run never run; neither list carries over (X17).
func TestStartExitCallbackReentrancy(t *testing.T) {
	var log []string
	r := reactive.NewRegistry()
	r.AtStart("s1", func(_ context.Context, h *reactive.Hook) error {
		log = append(log, "s1")
		h.AtStart("s-added", func(context.Context, *reactive.Hook) error { log = append(log, "s-added"); return nil })
		h.AtExit("e-from-start", func(context.Context, *reactive.Hook) error { log = append(log, "e-from-start"); return nil })
		return nil
	})
	r.AtStart("s2", func(context.Context, *reactive.Hook) error { log = append(log, "s2"); return nil })
	r.AtExit("e1", func(_ context.Context, h *reactive.Hook) error {
		log = append(log, "e1")
		h.AtExit("e-added", func(context.Context, *reactive.Hook) error { log = append(log, "e-added"); return nil })
		return nil
	})
	r.AtExit("e2", func(context.Context, *reactive.Hook) error { log = append(log, "e2"); return nil })
	r.Handle("h", reactive.OnHook("install"), func(_ context.Context, h *reactive.Hook) error {
		log = append(log, "h")
		h.AtStart("too-late", func(context.Context, *reactive.Hook) error { log = append(log, "too-late"); return nil })
		h.AtExit("e-from-handler", func(context.Context, *reactive.Hook) error { log = append(log, "e-from-handler"); return nil })
		return nil
	})
	s := newStore(t)
	runHook(t, r, s, "install", nil)
	assert.Equal(t, []string{"s1", "s2", "s-added", "h", "e-from-handler", "e-from-start", "e2", "e1"}, log)
	log = nil
	runHook(t, r, s, "install", nil)
	assert.Equal(t, []string{"s1", "s2", "s-added", "h", "e-from-handler", "e-from-start", "e2", "e1"}, log, "nothing carried over")
}

// Ensure set/clear through the hook notify the watch on real transitions
// only, and values are kept (B12).
func TestSetGetClearFlag(t *testing.T) {
	var states1, states2 map[string]string
	r := reactive.NewRegistry()
	r.Handle("b12", reactive.OnHook("install"), func(_ context.Context, h *reactive.Hook) error {
		for _, step := range []error{h.SetFlag("foo"), h.SetFlagValue("bar.ready", "bar"), h.SetFlag("qux"), h.SetFlag("qux")} {
			if step != nil {
				return step
			}
		}
		states1 = values(h)
		if err := h.ClearFlag("foo"); err != nil {
			return err
		}
		if err := h.ClearFlag("bar.ready"); err != nil {
			return err
		}
		if err := h.ClearFlag("never-set"); err != nil {
			return err
		}
		states2 = values(h)
		return reactive.ErrStop
	})
	s := newStore(t)
	res, _ := runHook(t, r, s, "install", nil)
	require.NoError(t, res.Err)
	assert.Equal(t, map[string]string{"foo": "null", "bar.ready": `"bar"`, "qux": "null"}, states1)
	assert.Equal(t, map[string]string{"qux": "null"}, states2)
	assert.Equal(t, `{"iteration": 0, "changes": [], "pending": ["foo", "bar.ready", "qux", "foo", "bar.ready"]}`, dump(t, s)[reactive.StateWatchKey])
}

func values(h *reactive.Hook) map[string]string {
	out := map[string]string{}
	for k, v := range h.Flags().Values() {
		out[k] = string(v)
	}
	return out
}

// Ensure the hook's accessors and per-hook values.
func TestHook_Accessors(t *testing.T) {
	type key struct{}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var got []any
	r := reactive.NewRegistry()
	r.AtStart("layer", func(_ context.Context, h *reactive.Hook) error {
		h.SetValue(key{}, "from start")
		return nil
	})
	r.Handle("h", reactive.OnHook("leader-elected"), func(_ context.Context, h *reactive.Hook) error {
		got = append(got, h.Name(), h.CharmDir(), h.Now(), h.Restricted(), h.Value(key{}), h.Current(), h.Tools() != nil, h.Logger() != nil, h.Env().UnitName)
		if err := h.RegisterTrigger(flags.Trigger{When: "later", SetFlag: "fired"}); err != nil {
			return err
		}
		if err := h.ToggleFlag("later", true); err != nil {
			return err
		}
		return h.RegisterTrigger(flags.Trigger{})
	})
	s := newStore(t)
	res, _ := runHook(t, r, s, "leader-elected", func(o *reactive.RunOptions) {
		o.Clock = func() time.Time { return now }
		o.Env.CharmDir = "/charm"
		o.Env.UnitName = "app/0"
	})
	assert.ErrorContains(t, res.Err, "one of When or WhenNot must be given")
	assert.Equal(t, []any{"leader-elected", "/charm", now, false, "from start", "h", true, true, "app/0"}, got)

	r2 := reactive.NewRegistry()
	r2.Handle("h", reactive.OnHook("start"), func(_ context.Context, h *reactive.Hook) error {
		if err := h.RegisterTrigger(flags.Trigger{When: "later", SetFlag: "fired"}); err != nil {
			return err
		}
		return h.ToggleFlag("later", true)
	})
	runHook(t, r2, s, "start", nil)
	assert.Equal(t, []string{"fired", "later"}, flagList(t, s))
}

// Ensure one registry runs hooks concurrently on separate stores.
func TestRun_Concurrent(t *testing.T) {
	c := &sync.Map{}
	r := reactive.NewRegistry()
	r.Handle("H1", reactive.WhenNot("app.installed"), c0(sets("app.installed")))
	r.Handle("H2", reactive.When("app.installed"), func(_ context.Context, h *reactive.Hook) error {
		c.Store(h.Env().UnitName, true)
		return nil
	})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := flags.OpenMemory()
			unit := "app/" + string(rune('0'+i))
			res, err := r.Run(context.Background(), reactive.RunOptions{Store: s, Runner: noTools, Env: envFor(unit)})
			assert.NoError(t, err)
			assert.Equal(t, []string{"H1", "H2"}, res.Invoked)
		}()
	}
	wg.Wait()
	n := 0
	c.Range(func(any, any) bool { n++; return true })
	assert.Equal(t, 8, n)
}

// Ensure panicking with ErrStop or an AbortError still fails the hook.
func TestRun_PanicWithSignalValues(t *testing.T) {
	for _, v := range []any{reactive.ErrStop, reactive.Abort(3)} {
		r := reactive.NewRegistry()
		r.Handle("p", reactive.OnHook("install"), func(_ context.Context, h *reactive.Hook) error {
			_ = h.SetFlag("x")
			panic(v)
		})
		s := newStore(t)
		res, rec := runHook(t, r, s, "install", nil)
		assert.Equal(t, 1, res.ExitCode, "panic(%v)", v)
		assert.Len(t, rec.at(slog.LevelError), 1)
		assert.Empty(t, dump(t, s))
	}
}

// Ensure the framework's own flag: upgrade.series.in-progress is set in
// pre-series-upgrade and cleared in post-series-upgrade, before the start
// callbacks, and never in restricted hooks (docs/design.md, "Automatic flags").
func TestSeriesUpgradeFlag(t *testing.T) {
	var seenAtStart []bool
	r := reactive.NewRegistry()
	r.AtStart("layer", func(_ context.Context, h *reactive.Hook) error {
		seenAtStart = append(seenAtStart, h.IsFlagSet(reactive.SeriesUpgradeFlag))
		return nil
	})
	s := newStore(t)
	for _, tc := range []struct {
		hook string
		want []string
	}{
		{"pre-series-upgrade", []string{"upgrade.series.in-progress"}},
		{"update-status", []string{"upgrade.series.in-progress"}},
		{"collect-metrics", []string{"upgrade.series.in-progress"}},
		{"post-series-upgrade", nil},
	} {
		res, _ := runHook(t, r, s, tc.hook, nil)
		require.NoError(t, res.Err)
		assert.Equal(t, tc.want, flagList(t, s), tc.hook)
	}
	assert.Equal(t, []bool{true, true, false}, seenAtStart)
}

// Ensure damaged dispatcher bookkeeping left in the store does not fail the
// hook: dispatch resets it.
func TestRun_DamagedBookkeeping(t *testing.T) {
	s := newStore(t)
	require.NoError(t, s.Update(context.Background(), func(tx *flags.Tx) error {
		if err := tx.SetRaw(reactive.StateWatchKey, `{"iteration": "x"}`); err != nil {
			return err
		}
		return tx.SetRaw(reactive.PhaseKey, `42`)
	}))
	c := &calls{}
	res, _ := runHook(t, workedExample(c), s, "config-changed", func(o *reactive.RunOptions) { o.Trace = true })
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"H0", "H1", "H2", "H4", "H3"}, c.names)
	rows := dump(t, s)
	assert.NotContains(t, rows, reactive.StateWatchKey)
	assert.Equal(t, `"other"`, rows[reactive.PhaseKey])
}

// Ensure a Go hook runs on a store written by the Python reactive stack
// (testdata/python-leader-after-deploy.db: the password charm's leader after
// install, leader-elected, config-changed, start) and leaves the
// dispatcher's bookkeeping byte for byte as Python leaves it.
func TestPythonStore_DispatchBookkeeping(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "python-leader-after-deploy.db"))
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), ".unit-state.db")
	require.NoError(t, os.WriteFile(path, src, 0o600))
	s, err := flags.Open(path, nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	before := dump(t, s)
	assert.Equal(t, `"other"`, before[reactive.PhaseKey])
	assert.Equal(t, "false", before["reactive.dispatch.removed_state"])

	c := &calls{}
	r := reactive.NewRegistry()
	r.Handle("generate_secret", reactive.All(reactive.When("leadership.is_leader"), reactive.WhenNot("leadership.set.admin_password")), c.fn("generate_secret", nil))
	r.Handle("ready", reactive.When("password.stored"), c.fn("ready", nil))
	r.Handle("waiting", reactive.WhenNot("password.stored"), c.fn("waiting", nil))
	res, _ := runHook(t, r, s, "update-status", nil)
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"ready"}, c.names)
	assert.Equal(t, before, dump(t, s), "an update-status hook that changes nothing leaves every row as Python wrote it")
	assert.Equal(t, []string{"leadership.is_leader", "leadership.set.admin_password", "password.stored"}, flagList(t, s))
}

// Ensure flag changes made by exit callbacks leave a watch record in the store,
// as upstream's FlagWatch does (docs/design.md, "Store keys").
func TestExitCallbackFlagChangesRecorded(t *testing.T) {
	r := reactive.NewRegistry()
	r.AtExit("exit", func(_ context.Context, h *reactive.Hook) error { return h.SetFlag("late") })
	s := newStore(t)
	res, _ := runHook(t, r, s, "install", nil)
	require.NoError(t, res.Err)
	assert.Equal(t, `{"iteration": 0, "changes": [], "pending": ["late"]}`, dump(t, s)[reactive.StateWatchKey])
	assert.Equal(t, []string{"late"}, flagList(t, s))
}

// Ensure that an action runs like a hook with no name: its OnAction
// handler in the hooks phase (OnHook handlers never), then the handlers
// whose flags hold; an action no handler names runs the flag-driven ones
// and logs a WARNING naming it.
func TestRun_Action(t *testing.T) {
	newReg := func(c *calls) *reactive.Registry {
		r := reactive.NewRegistry()
		r.Handle("on_backup", reactive.OnAction("backup"), c.fn("on_backup", sets("backup.requested")))
		r.Handle("on_install_hook", reactive.OnHook("install"), c.fn("on_install_hook", nil))
		r.Handle("do_backup", reactive.When("backup.requested"), c.fn("do_backup", clears("backup.requested")))
		r.Handle("always", reactive.WhenNot("never"), c.fn("always", nil))
		return r
	}
	action := func(name string) func(*reactive.RunOptions) {
		return func(o *reactive.RunOptions) { o.Env.HookName, o.Env.ActionName = "", name }
	}

	t.Run("named", func(t *testing.T) {
		c := &calls{}
		s := newStore(t)
		res, rec := runHook(t, newReg(c), s, "", action("backup"))
		require.NoError(t, res.Err)
		assert.Equal(t, []string{"on_backup", "do_backup", "always"}, c.names)
		assert.Empty(t, rec.at(slog.LevelWarn))
		assert.NotContains(t, flagList(t, s), "backup.requested")
	})
	t.Run("not named", func(t *testing.T) {
		c := &calls{}
		res, rec := runHook(t, newReg(c), newStore(t), "", action("restore"))
		require.NoError(t, res.Err)
		assert.Equal(t, []string{"always"}, c.names)
		warns := rec.at(slog.LevelWarn)
		require.Len(t, warns, 1)
		assert.Contains(t, warns[0], `reactive.OnAction("restore")`)
	})
	t.Run("a hook of the same name", func(t *testing.T) {
		c := &calls{}
		r := reactive.NewRegistry()
		r.Handle("on_action", reactive.OnAction("update-status"), c.fn("on_action", nil))
		r.Handle("on_hook", reactive.OnHook("update-status"), c.fn("on_hook", nil))
		res, _ := runHook(t, r, newStore(t), "update-status", nil)
		require.NoError(t, res.Err)
		assert.Equal(t, []string{"on_hook"}, c.names)
		c.names = nil
		res, _ = runHook(t, r, newStore(t), "", action("update-status"))
		require.NoError(t, res.Err)
		assert.Equal(t, []string{"on_action"}, c.names)
	})
	t.Run("failed action keeps nothing", func(t *testing.T) {
		c := &calls{}
		r := reactive.NewRegistry()
		r.Handle("on_backup", reactive.OnAction("backup"), c.fn("on_backup", sets("backup.requested")))
		r.Handle("fail", reactive.When("backup.requested"), c.fn("fail", func(*reactive.Hook) error { return errors.New("disk full") }))
		s := newStore(t)
		before := dump(t, s)
		res, _ := runHook(t, r, s, "", action("backup"))
		require.ErrorContains(t, res.Err, "disk full")
		assert.Equal(t, 1, res.ExitCode)
		assert.Equal(t, before, dump(t, s))
	})
}
