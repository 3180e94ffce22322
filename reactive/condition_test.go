package reactive_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/reactive"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withTx runs fn in a transaction on a fresh store holding the flags.
func withTx(tb testing.TB, set []string, fn func(tx *flags.Tx)) {
	tb.Helper()
	s := newStore(tb)
	setFlags(tb, s, set...)
	require.NoError(tb, s.View(context.Background(), func(tx *flags.Tx) error {
		fn(tx)
		return nil
	}))
}

func check(tb testing.TB, tx *flags.Tx, c reactive.Condition, o reactive.CheckOptions) bool {
	tb.Helper()
	ok, err := reactive.Check(tx, c, o)
	require.NoError(tb, err)
	return ok
}

// Ensure the phase-aware truth tables of the When family: false in the
// hooks phase, set logic in the main loop (catalogue H12–H15).
func TestWhenFamilyTruthTables(t *testing.T) {
	flagSets := [][]string{nil, {"state1"}, {"state1", "state2"}}
	for _, tc := range []struct {
		row   string
		cond  reactive.Condition
		other [3]bool // none, one, both set
	}{
		{"H12", reactive.WhenAll("state1", "state2"), [3]bool{false, false, true}},
		{"H13", reactive.WhenAny("state1", "state2"), [3]bool{false, true, true}},
		{"H14", reactive.WhenNone("state1", "state2"), [3]bool{true, false, false}},
		{"H15", reactive.WhenNotAll("state1", "state2"), [3]bool{true, true, false}},
	} {
		t.Run(tc.row, func(t *testing.T) {
			for i, set := range flagSets {
				withTx(t, set, func(tx *flags.Tx) {
					assert.False(t, check(t, tx, tc.cond, reactive.CheckOptions{Phase: reactive.PhaseHooks}), "%s hooks %v", tc.cond, set)
					assert.Equal(t, tc.other[i], check(t, tx, tc.cond, reactive.CheckOptions{Phase: reactive.PhaseOther}), "%s other %v", tc.cond, set)
				})
			}
		})
	}
}

// Ensure that a hook condition holds in the hooks phase when the hook
// matches, never in the main loop, and reads the phase from the store when
// none is given (catalogue H11a–c).
func TestOnHookHoldsOnlyInHooksPhase(t *testing.T) {
	for _, tc := range []struct {
		row   string
		phase reactive.Phase
		hook  string
		want  bool
	}{
		{"H11a", reactive.PhaseHooks, "pat1", true},
		{"H11b", reactive.PhaseOther, "pat1", false},
		{"H11c", reactive.PhaseHooks, "other-hook", false},
	} {
		withTx(t, nil, func(tx *flags.Tx) {
			got := check(t, tx, reactive.OnHook("pat1", "pat2"), reactive.CheckOptions{Phase: tc.phase, Hook: tc.hook, Metadata: &reactive.Metadata{}})
			assert.Equal(t, tc.want, got, tc.row)
		})
	}
	t.Run("phase-from-store", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.Update(context.Background(), func(tx *flags.Tx) error { return tx.Set(reactive.PhaseKey, "hooks") }))
		require.NoError(t, s.View(context.Background(), func(tx *flags.Tx) error {
			assert.True(t, check(t, tx, reactive.OnHook("pat1"), reactive.CheckOptions{Hook: "pat1"}))
			assert.False(t, check(t, tx, reactive.When(), reactive.CheckOptions{Hook: "pat1"}))
			return nil
		}))
	})
}

// Ensure that OnAction holds only in the hooks phase of an action it
// names, never in a hook, even one named like the action.
func TestOnActionHoldsOnlyInItsAction(t *testing.T) {
	for _, tc := range []struct {
		name   string
		phase  reactive.Phase
		hook   string
		action string
		want   bool
	}{
		{"named action, hooks phase", reactive.PhaseHooks, "", "backup", true},
		{"second name", reactive.PhaseHooks, "", "restore", true},
		{"other action", reactive.PhaseHooks, "", "rotate", false},
		{"main loop", reactive.PhaseOther, "", "backup", false},
		{"restricted", reactive.PhaseRestricted, "", "backup", false},
		{"hook with the action's name", reactive.PhaseHooks, "backup", "", false},
	} {
		withTx(t, nil, func(tx *flags.Tx) {
			o := reactive.CheckOptions{Phase: tc.phase, Hook: tc.hook, Action: tc.action}
			assert.Equal(t, tc.want, check(t, tx, reactive.OnAction("backup", "restore"), o), tc.name)
		})
	}
	withTx(t, nil, func(tx *flags.Tx) {
		o := reactive.CheckOptions{Phase: reactive.PhaseHooks, Action: "backup"}
		assert.False(t, check(t, tx, reactive.OnHook("*"), o), "no hook pattern holds in an action")
	})
	assert.Equal(t, `OnAction("backup", "restore")`, reactive.OnAction("backup", "restore").String())
}

// Ensure that CollectMetrics and MeterStatusChanged hold only in the
// restricted phase of their own hook (catalogue H16).
func TestRestrictedConditions(t *testing.T) {
	withTx(t, nil, func(tx *flags.Tx) {
		for _, phase := range []reactive.Phase{reactive.PhaseRestricted, reactive.PhaseOther} {
			o := reactive.CheckOptions{Phase: phase, Hook: "meter-status-changed"}
			assert.False(t, check(t, tx, reactive.CollectMetrics(), o), "collect-metrics in %s", phase)
			assert.Equal(t, phase == reactive.PhaseRestricted, check(t, tx, reactive.MeterStatusChanged(), o), "meter-status-changed in %s", phase)
			o.Hook = "config-changed"
			assert.False(t, check(t, tx, reactive.MeterStatusChanged(), o), "config-changed in %s", phase)
		}
	})
}

// Ensure hook patterns match as any_hook does (H6).
func TestAnyHookRelationPatterns(t *testing.T) {
	md, err := reactive.ParseMetadata([]byte(`
name: test
requires:
  db1: {interface: mysql}
  db2: {interface: postgres}
provides:
  db3: {interface: mysql}
`))
	require.NoError(t, err)
	for _, tc := range []struct {
		row      string
		md       *reactive.Metadata
		hook     string
		patterns []string
		want     bool
	}{
		{"H6a", nil, "config-changed", []string{"foo", "bar"}, false},
		{"H6a", nil, "config-changed", []string{"foo", "config-changed"}, true},
		{"H6a", nil, "config-changed", []string{"foo", "config-{set,changed}"}, true},
		{"H6a", nil, "config-changed", []string{"foo", "config-{changed,set}"}, true},
		{"H6a", nil, "config-changed", []string{"foo", "{config,option}-{changed,set}"}, true},
		{"H6b", md, "db1-relation-changed", []string{"{requires:http}-relation-changed"}, false},
		{"H6b", md, "db1-relation-changed", []string{"{requires:postgres}-relation-changed"}, false},
		{"H6b", md, "db1-relation-changed", []string{"{requires:mysql}-relation-changed"}, true},
		{"H6c", md, "db3-relation-changed", []string{"{requires:mysql}-relation-changed"}, false},
		{"H6c", md, "db3-relation-changed", []string{"{provides:mysql}-relation-changed"}, true},
		{"H6c", md, "db3-relation-changed", []string{"{provides:mysql}-relation-{joined,changed}"}, true},
		{"peer-is-not-a-role", md, "db1-relation-changed", []string{"{peer:mysql}-relation-changed"}, false},
	} {
		got, err := reactive.AnyHook(tc.hook, tc.md, tc.patterns...)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, "%s: AnyHook(%q, %q)", tc.row, tc.hook, tc.patterns)
	}
}

// Ensure a Hook handler reads metadata.yaml from the charm directory when a
// pattern needs it (D1), and fails the hook clearly when there is none.
func TestOnHookExpandsFromMetadata(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "metadata.yaml"), []byte("requires:\n  db1: {interface: mysql}\n"), 0o644))
	c := &calls{}
	r := reactive.NewRegistry()
	r.Handle("h", reactive.OnHook("{requires:mysql}-relation-{joined,changed}"), c.fn("h", nil))
	for _, hook := range []string{"db1-relation-joined", "db1-relation-changed", "db1-relation-departed"} {
		res, _ := runHook(t, r, newStore(t), hook, func(o *reactive.RunOptions) { o.Env.CharmDir = dir; o.Metadata = nil })
		require.NoError(t, res.Err)
	}
	assert.Equal(t, []string{"h", "h"}, c.names)

	s := newStore(t)
	res, rec := runHook(t, r, s, "db1-relation-joined", func(o *reactive.RunOptions) { o.Metadata = nil })
	require.Error(t, res.Err)
	assert.Equal(t, 1, res.ExitCode)
	assert.ErrorContains(t, res.Err, "no metadata.yaml or charmcraft.yaml")
	require.Len(t, rec.at(slog.LevelError), 1)
	assert.Contains(t, rec.at(slog.LevelError)[0], "Hook error:\n")
	assert.Empty(t, dump(t, s))
}

// Ensure the When family: aliases, watched flags and printing (D2-D7).
func TestWhenFamilyAliasesAndWatches(t *testing.T) {
	fn := func(context.Context, *reactive.Hook) error { return nil }
	r := reactive.NewRegistry()
	for _, tc := range []struct {
		row  string
		cond reactive.Condition
		want string
	}{
		{"D2", reactive.WhenAll("foo", "bar", "qux"), `WhenAll("foo", "bar", "qux")`},
		{"D3", reactive.When("foo", "bar", "qux"), `WhenAll("foo", "bar", "qux")`},
		{"D4", reactive.WhenAny("foo", "bar", "qux"), `WhenAny("foo", "bar", "qux")`},
		{"D5", reactive.WhenNone("foo", "bar", "qux"), `WhenNone("foo", "bar", "qux")`},
		{"D6", reactive.WhenNot("foo", "bar", "qux"), `WhenNone("foo", "bar", "qux")`},
		{"D7", reactive.WhenNotAll("foo", "bar", "qux"), `WhenNotAll("foo", "bar", "qux")`},
	} {
		assert.Equal(t, tc.want, tc.cond.String(), tc.row)
		r.Handle(tc.row, tc.cond, fn)
	}
	for _, hi := range r.Handlers() {
		assert.Equal(t, []string{"foo", "bar", "qux"}, hi.Watched, hi.Name)
		assert.Contains(t, hi.Site, "reactive/condition_test.go:", hi.Name)
	}
	assert.Equal(t, `All(WhenAll("a"), OnlyOnce(), WhenFileChanged("f"), CollectMetrics(), MeterStatusChanged(), OnHook("x-{a,b}"))`,
		reactive.All(reactive.When("a"), reactive.OnlyOnce(), reactive.WhenFileChanged("f"), reactive.CollectMetrics(), reactive.MeterStatusChanged(), reactive.OnHook("x-{a,b}")).String())
}

// Ensure NotUnless warns about missing flags and runs the function anyway (D9).
func TestNotUnless(t *testing.T) {
	n := 0
	wrapped := reactive.NotUnless(func(context.Context, *reactive.Hook) error { n++; return nil }, "foo", "bar")
	r := reactive.NewRegistry()
	r.Handle("test", reactive.OnHook("config-changed"), wrapped)
	s := newStore(t)
	_, rec1 := runHook(t, r, s, "config-changed", nil)
	setFlags(t, s, "foo")
	_, rec2 := runHook(t, r, s, "config-changed", nil)
	setFlags(t, s, "bar")
	_, rec3 := runHook(t, r, s, "config-changed", nil)
	assert.Equal(t, 3, n)
	assert.Equal(t, []string{"test called before flags: foo, bar"}, rec1.at(slog.LevelWarn))
	assert.Equal(t, []string{"test called before flag: bar"}, rec2.at(slog.LevelWarn))
	assert.Empty(t, rec3.at(slog.LevelWarn))
	assert.Regexp(t, `^reactive: NotUnless at reactive/condition_test.go:\d+: nil function$`, panicMessage(func() { reactive.NotUnless(nil, "x") }))
	assert.Regexp(t, `^reactive: NotUnless at reactive/condition_test.go:\d+: invalid flag name: empty`, panicMessage(func() { reactive.NotUnless(wrapped, "") }))
}

// Ensure OnlyOnce holds until the handler has run, keyed by its name
// (D10, D11, X2, X22), and that it runs in the hooks phase when alone.
func TestOnlyOnce(t *testing.T) {
	c := &calls{}
	r := reactive.NewRegistry()
	r.Handle("flagger", reactive.When("go"), c.fn("flagger", nil))
	r.Handle("once", reactive.OnlyOnce(), c.fn("once", nil))
	s := newStore(t)
	setFlags(t, s, "go")
	require.NoError(t, s.View(context.Background(), func(tx *flags.Tx) error {
		ok, err := r.Test(tx, "once", reactive.CheckOptions{Phase: reactive.PhaseHooks})
		require.NoError(t, err)
		assert.True(t, ok, "before the first run")
		return nil
	}))
	runHook(t, r, s, "install", nil)
	assert.Equal(t, []string{"once", "flagger"}, c.names, "X2: only-once runs in the hooks phase")
	assert.Equal(t, "true", dump(t, s)["reactive.invoked.once"], "X22: keyed by the handler name")
	require.NoError(t, s.View(context.Background(), func(tx *flags.Tx) error {
		ok, err := r.Test(tx, "once", reactive.CheckOptions{Phase: reactive.PhaseHooks})
		require.NoError(t, err)
		assert.False(t, ok, "after the first run")
		return nil
	}))
	c.names = nil
	runHook(t, r, s, "config-changed", nil)
	assert.Equal(t, []string{"flagger"}, c.names)
}

// Ensure restricted hooks run only restricted, file-change and only-once
// handlers, with no start or exit work and no trace (D13, D14, X15, M2).
func TestRestrictedHookRunsOneBatch(t *testing.T) {
	c := &calls{}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644))
	r := reactive.NewRegistry()
	r.Handle("cm", reactive.CollectMetrics(), c.fn("cm", sets("cm.ran")))
	r.Handle("msc", reactive.MeterStatusChanged(), c.fn("msc", nil))
	r.Handle("wn", reactive.WhenNot("zzz"), c.fn("wn", nil))
	r.Handle("oo", reactive.OnlyOnce(), c.fn("oo", nil))
	r.Handle("fc", reactive.WhenFileChanged("f"), c.fn("fc", nil))
	r.Handle("after", reactive.When("cm.ran"), c.fn("after", nil))
	r.Handle("hk", reactive.OnHook("collect-metrics"), c.fn("hk", nil))
	r.AtStart("start", c.fn("atstart", nil))
	r.AtExit("exit", c.fn("atexit", nil))
	r.RegisterTrigger(flags.Trigger{When: "cm.ran", SetFlag: "triggered"})
	s := newStore(t)
	env := func(o *reactive.RunOptions) { o.Env.CharmDir = dir; o.Trace = true }

	res, rec := runHook(t, r, s, "collect-metrics", env)
	require.NoError(t, res.Err)
	assert.True(t, res.Restricted)
	assert.Equal(t, []string{"cm", "oo", "fc"}, c.names)
	assert.Equal(t, []string{"Reactive main running for hook collect-metrics", "Restricted mode.",
		"Invoking reactive handler: cm", "Invoking reactive handler: oo", "Invoking reactive handler: fc"}, rec.at(slog.LevelInfo))
	assert.Empty(t, rec.at(slog.LevelDebug), "no tracer output")
	rows := dump(t, s)
	assert.Equal(t, `"restricted"`, rows[reactive.PhaseKey])
	assert.Contains(t, rows, "reactive.flag_set_triggers.cm.ran", "no exit work: trigger records stay")
	assert.Contains(t, rows, "reactive.states.triggered", "triggers fire in restricted hooks")

	c.names = nil
	runHook(t, r, s, "config-changed", env)
	assert.Equal(t, []string{"atstart", "wn", "after", "atexit"}, c.names)

	c.names = nil
	res, _ = runHook(t, r, s, "meter-status-changed", env)
	assert.True(t, res.Restricted)
	assert.Equal(t, []string{"msc"}, c.names)
}

// Ensure registration rejects misuse with a panic naming the site.
func TestHandle_Misuse(t *testing.T) {
	fn := func(context.Context, *reactive.Hook) error { return nil }
	for _, tc := range []struct {
		name    string
		hname   string
		cond    reactive.Condition
		fn      reactive.HandlerFunc
		wantMsg string
	}{
		{"empty name", "", reactive.When("a"), fn, "empty handler name"},
		{"nil fn", "h", reactive.When("a"), nil, "nil handler function"},
		{"nil cond", "h", nil, fn, "nil condition"},
		{"nil inside All", "h", reactive.All(reactive.When("a"), nil), fn, "nil condition inside All"},
		{"empty flag", "h", reactive.When("a", ""), fn, "invalid flag name: empty"},
		{"control char", "h", reactive.WhenNot("a\nb"), fn, "control character"},
		{"WhenAny()", "h", reactive.WhenAny(), fn, "can never hold"},
		{"WhenNotAll()", "h", reactive.WhenNotAll(), fn, "can never hold"},
		{"OnHook()", "h", reactive.OnHook(), fn, "can never hold"},
		{"WhenFileChanged()", "h", reactive.WhenFileChanged(), fn, "can never hold"},
		{"hook and when (E8)", "h", reactive.All(reactive.OnHook("install"), reactive.When("a")), fn, "different dispatch phases"},
		{"restricted and when", "h", reactive.All(reactive.CollectMetrics(), reactive.WhenNot("a")), fn, "different dispatch phases"},
		{"restricted and hook", "h", reactive.All(reactive.MeterStatusChanged(), reactive.OnHook("x")), fn, "different dispatch phases"},
		{"two restricted hooks", "h", reactive.All(reactive.MeterStatusChanged(), reactive.CollectMetrics()), fn, "can never hold together"},
		{"set and unset", "h", reactive.All(reactive.When("x"), reactive.WhenNot("x")), fn, `flag "x" must be both set and unset`},
		{"OnAction()", "h", reactive.OnAction(), fn, "can never hold"},
		{"bad action name", "h", reactive.OnAction("Back_up"), fn, `"Back_up" is not an action name`},
		{"action and hook", "h", reactive.All(reactive.OnAction("backup"), reactive.OnHook("install")), fn, "OnHook never holds in one"},
		{"action and when", "h", reactive.All(reactive.OnAction("backup"), reactive.When("a")), fn, "different dispatch phases"},
		{"hook typo", "h", reactive.OnHook("install", "config-chagned"), fn,
			`OnHook("config-chagned") can never hold: "config-chagned" is not the name of a hook Juju runs (did you mean "config-changed"?)`},
		{"relation hook typo", "h", reactive.OnHook("{requires:mysql}-relation-chagned"), fn,
			`"<relation>-relation-chagned" is not the name of a hook Juju runs (did you mean "<relation>-relation-changed"?)`},
		{"no alternative is a hook", "h", reactive.OnHook("{instal,upgade-charm}"), fn,
			`it expands to "instal", "upgade-charm", none of which is a hook Juju runs (did you mean "install"?)`},
		{"bad role", "h", reactive.OnHook("{provide:http}-relation-joined"), fn,
			"its group {provide:http} matches no relation: the role must be provides, requires or peers"},
		{"action name as hook", "h", reactive.OnHook("backup"), fn, `for an action, use reactive.OnAction("backup")`},
		{"glob", "h", reactive.OnHook("*"), fn, `"*" is not the name of a hook Juju runs; hooks are Juju's own (collect-metrics, config-changed`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := reactive.NewRegistry()
			msg := panicMessage(func() { r.Handle(tc.hname, tc.cond, tc.fn) })
			assert.Contains(t, msg, tc.wantMsg)
			assert.Contains(t, msg, "reactive/condition_test.go:")
			assert.Empty(t, r.Handlers())
		})
	}
	t.Run("duplicate names both sites", func(t *testing.T) {
		r := reactive.NewRegistry()
		r.Handle("dup", reactive.When("a"), fn)
		msg := panicMessage(func() { r.Handle("dup", reactive.When("b"), fn) })
		assert.Regexp(t, `handler "dup" registered twice: at reactive/condition_test.go:\d+ and at reactive/condition_test.go:\d+`, msg)
	})
	t.Run("package-level Handle names the caller", func(t *testing.T) {
		saved := reactive.DefaultRegistry
		reactive.DefaultRegistry = reactive.NewRegistry()
		t.Cleanup(func() { reactive.DefaultRegistry = saved })
		msg := panicMessage(func() { reactive.Handle("h", reactive.OnHook("config-chagned"), fn) })
		assert.Regexp(t, `^reactive: handler "h" registered at reactive/condition_test.go:\d+: OnHook\("config-chagned"\) can never hold: .*did you mean "config-changed"`, msg)
	})
	t.Run("callbacks", func(t *testing.T) {
		r := reactive.NewRegistry()
		r.AtStart("s", fn)
		assert.Contains(t, panicMessage(func() { r.AtStart("s", fn) }), `AtStart callback "s" registered twice`)
		assert.Contains(t, panicMessage(func() { r.AtExit("", fn) }), "empty name")
		assert.Contains(t, panicMessage(func() { r.AtExit("e", nil) }), "nil function")
		assert.Contains(t, panicMessage(func() { r.RegisterTrigger(flags.Trigger{When: "a"}) }), "at least one of SetFlag")
	})
}

// Ensure that every pattern that may match a hook of some charm registers:
// Juju's hooks, the hooks named after a valid relation, storage or
// container name, patterns of which one expansion is a hook (as upstream's
// own tests write them), {role:interface} groups judged by their literal
// parts, and patterns too large to expand, which fail when a hook expands
// them, as before.
func TestHandle_HookPatternsThatMayMatch(t *testing.T) {
	fn := func(context.Context, *reactive.Hook) error { return nil }
	r := reactive.NewRegistry()
	for i, p := range []string{
		"install", "collect-metrics", "leader-deposed", "secret-remove", "pre-series-upgrade",
		"db-relation-joined", "juju-info-relation-broken", "data-storage-detaching", "web-pebble-custom-notice",
		"config-{set,changed}", "{config,option}-{changed,set}", "{install,upgrade-charm}",
		"{requires:mysql}-relation-{joined,changed}", "{peers:cluster}-relation-created", "{requires:mysql}-storage-attached",
		"{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}",
	} {
		assert.NotPanics(t, func() { r.Handle(fmt.Sprint("h", i), reactive.OnHook(p), fn) }, p)
	}
}

func panicMessage(f func()) (msg string) {
	defer func() {
		if v := recover(); v != nil {
			msg = fmt.Sprint(v)
		}
	}()
	f()
	return "no panic"
}

// Ensure the package-level functions register on DefaultRegistry, naming
// the caller's site.
func TestDefaultRegistry(t *testing.T) {
	saved := reactive.DefaultRegistry
	reactive.DefaultRegistry = reactive.NewRegistry()
	t.Cleanup(func() { reactive.DefaultRegistry = saved })

	var log []string
	reactive.Handle("h", reactive.When("a"), func(context.Context, *reactive.Hook) error { log = append(log, "h"); return nil })
	reactive.RegisterTrigger(flags.Trigger{When: "a", SetFlag: "b"})
	reactive.AtStart("s", func(_ context.Context, h *reactive.Hook) error { log = append(log, "s"); return h.SetFlag("a") })
	reactive.AtExit("e", func(context.Context, *reactive.Hook) error { log = append(log, "e"); return nil })
	infos := reactive.DefaultRegistry.Handlers()
	require.Len(t, infos, 1)
	assert.Contains(t, infos[0].Site, "reactive/condition_test.go:")
	assert.Equal(t, `WhenAll("a")`, infos[0].Condition)
	c, ok := reactive.DefaultRegistry.Condition("h")
	require.True(t, ok)
	assert.Equal(t, `WhenAll("a")`, c.String())
	_, ok = reactive.DefaultRegistry.Condition("nope")
	assert.False(t, ok)

	s := newStore(t)
	res, _ := runHook(t, reactive.DefaultRegistry, s, "install", nil)
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"s", "h", "e"}, log)
	assert.Equal(t, []string{"a", "b"}, flagList(t, s))
}

// Ensure WhenFileChangedHash uses the named hash, and an unknown hash is
// misuse (D8's sha256 variant).
func TestWhenFileChangedHash(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "file3", "abc")
	ran := 0
	r := reactive.NewRegistry()
	r.Handle("sha", reactive.WhenFileChangedHash("sha256", "file3"), func(context.Context, *reactive.Hook) error { ran++; return nil })
	s := newStore(t)
	runHook(t, r, s, "install", func(o *reactive.RunOptions) { o.Env.CharmDir = dir })
	runHook(t, r, s, "install", func(o *reactive.RunOptions) { o.Env.CharmDir = dir })
	assert.Equal(t, 1, ran)
	assert.Equal(t, `"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"`, dump(t, s)["reactive.files_changed.file3"])
	assert.Equal(t, `WhenFileChangedHash("sha256", "file3")`, reactive.WhenFileChangedHash("sha256", "file3").String())
	msg := panicMessage(func() {
		r.Handle("bad", reactive.WhenFileChangedHash("crc32", "f"), func(context.Context, *reactive.Hook) error { return nil })
	})
	assert.Contains(t, msg, `unknown hash type "crc32"`)
}

// Ensure the zero Registry is ready to use.
func TestRegistry_ZeroValue(t *testing.T) {
	var r reactive.Registry
	r.Handle("h", reactive.OnHook("install"), c0(sets("done")))
	s := newStore(t)
	res, _ := runHook(t, &r, s, "install", nil)
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"done"}, flagList(t, s))
}
