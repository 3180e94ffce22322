package leadership

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/reactive"
)

// backendCase is one backend the conformance tables run against.
type backendCase struct {
	name string
	opts Options
}

var backendCases = []backendCase{
	{"leader-settings", Options{}},
	{"peer-relation", Options{PeerRelation: "peers"}},
}

// errInjected is what a test handler returns to fail its hook.
var errInjected = errors.New("injected failure")

// work is what the handlers of a test hook do once the layer has started.
type work func(ctx context.Context, s *session, f *flags.Flags) error

// hookRun is the outcome of one hook run by runSessionHook.
type hookRun struct {
	events []string // flag transitions in order, "+f" or "-f", lost ones included
	err    error
}

// runSessionHook runs one hook of unit against m without the reactive
// dispatcher: it begins a transaction on store, runs the layer's start
// computation and then fn, and commits if both succeed (rolling back
// otherwise), the way the reactive framework runs a hook. clock nil means a
// fixed time.
func runSessionHook(tb testing.TB, m *model, opts Options, store *flags.Store, unit string, clock func() time.Time, fn work) hookRun {
	tb.Helper()
	ctx := context.Background()
	if clock == nil {
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		clock = func() time.Time { return t0 }
	}
	hc := m.hook(unit)
	tools := &hookenv.Tools{Runner: hc}
	app, _, _ := strings.Cut(unit, "/")
	s := newSession(opts, tools, app, clock)
	tx, err := store.Begin(ctx)
	require.NoError(tb, err)
	f := flags.New(tx)
	var run hookRun
	f.OnChange = func(flag string, set bool) {
		if set {
			run.events = append(run.events, "+"+flag)
		} else {
			run.events = append(run.events, "-"+flag)
		}
	}
	run.err = s.start(ctx, f, slog.New(slog.DiscardHandler))
	if run.err == nil && fn != nil {
		run.err = fn(ctx, s, f)
	}
	if run.err != nil {
		require.NoError(tb, tx.Rollback())
		hc.end(false)
		return run
	}
	require.NoError(tb, tx.Commit(ctx))
	hc.end(true)
	return run
}

// unitState returns the unit's committed leadership.* flags (sorted), its
// snapshot, and every key of its store.
func unitState(tb testing.TB, store *flags.Store) (leaderFlags []string, snap map[string]*string, keys []string) {
	tb.Helper()
	require.NoError(tb, store.View(context.Background(), func(tx *flags.Tx) error {
		for _, fl := range flags.New(tx).List() {
			if strings.HasPrefix(fl, "leadership.") {
				leaderFlags = append(leaderFlags, fl)
			}
		}
		var err error
		snap, err = Snapshot(tx)
		keys = tx.Keys("")
		return err
	}))
	return leaderFlags, snap, keys
}

// str returns a pointer to s, for snapshot literals.
func str(s string) *string { return &s }

// seed commits the given flags and snapshot entries into a new memory store.
func seed(tb testing.TB, flagNames []string, snap map[string]*string) *flags.Store {
	tb.Helper()
	store := flags.OpenMemory()
	require.NoError(tb, store.Update(context.Background(), func(tx *flags.Tx) error {
		f := flags.New(tx)
		for _, n := range flagNames {
			if err := f.Set(n); err != nil {
				return err
			}
		}
		for k, v := range snap {
			var val any
			if v != nil {
				val = *v
			}
			if err := tx.Set(SnapshotPrefix+k, val); err != nil {
				return err
			}
		}
		return nil
	}))
	return store
}

// Handler work used by the tables, after the reference charm
// (docs/design.md, "The reference charm").

// generateSecret is generate_secret: the leader publishes admin_password once.
func generateSecret(p string) work {
	return func(ctx context.Context, s *session, f *flags.Flags) error {
		if f.IsSet(IsLeaderFlag) && !f.IsSet(SetFlag("admin_password")) {
			return s.set(ctx, f, map[string]string{"admin_password": p})
		}
		return nil
	}
}

// syncMotd is sync_motd: the leader mirrors config motd ("" deletes).
func syncMotd(motd string) work {
	return func(ctx context.Context, s *session, f *flags.Flags) error {
		if !f.IsSet(IsLeaderFlag) {
			return nil
		}
		cur, _ := s.get("motd")
		if cur != motd {
			return s.set(ctx, f, map[string]string{"motd": motd})
		}
		return nil
	}
}

// failHook is maybe_fail for a unit named in fail-on-unit: the leader
// writes crash_marker, then the hook fails.
func failHook(hook string) work {
	return func(ctx context.Context, s *session, f *flags.Flags) error {
		if f.IsSet(IsLeaderFlag) {
			if err := s.set(ctx, f, map[string]string{"crash_marker": hook}); err != nil {
				return err
			}
		}
		return errInjected
	}
}

// all runs each work in turn.
func all(ws ...work) work {
	return func(ctx context.Context, s *session, f *flags.Flags) error {
		for _, w := range ws {
			if err := w(ctx, s, f); err != nil {
				return err
			}
		}
		return nil
	}
}

// hookRunner runs one hook of unit with fn as the handlers' work.
type hookRunner func(tb testing.TB, m *model, opts Options, store *flags.Store, unit string, clock func() time.Time, fn work) hookRun

// runners are the two ways the tables run a hook: the layer's session
// directly, and the real reactive dispatcher with the layer registered.
var runners = []struct {
	name string
	run  hookRunner
}{
	{"session", runSessionHook},
	{"reactive", runReactiveHook},
}

// testHook is the hook name runReactiveHook runs.
const testHook = "update-status"

// runReactiveHook runs one hook through reactive.Registry.Run with the layer
// registered, fn as the one handler (on testHook), and a start callback
// registered before the layer's that records flag events.
func runReactiveHook(tb testing.TB, m *model, opts Options, store *flags.Store, unit string, clock func() time.Time, fn work) hookRun {
	tb.Helper()
	return runNamedHook(tb, testHook, m, opts, store, unit, clock, fn)
}

// runNamedHook is runReactiveHook for the named hook.
func runNamedHook(tb testing.TB, hook string, m *model, opts Options, store *flags.Store, unit string, clock func() time.Time, fn work) hookRun {
	tb.Helper()
	if clock == nil {
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		clock = func() time.Time { return t0 }
	}
	var run hookRun
	r := reactive.NewRegistry()
	r.AtStart("test.record-events", func(_ context.Context, h *reactive.Hook) error {
		f := h.Flags()
		prev := f.OnChange
		f.OnChange = func(flag string, set bool) {
			if set {
				run.events = append(run.events, "+"+flag)
			} else {
				run.events = append(run.events, "-"+flag)
			}
			if prev != nil {
				prev(flag, set)
			}
		}
		return nil
	})
	Register(r, &opts)
	if fn != nil {
		r.Handle("test.work", reactive.OnHook(hook), func(ctx context.Context, h *reactive.Hook) error {
			return fn(ctx, sessionOf(h), h.Flags())
		})
	}
	hc := m.hook(unit)
	app, _, _ := strings.Cut(unit, "/")
	_, run.err = r.Run(context.Background(), reactive.RunOptions{
		Store:  store,
		Env:    hookenv.Env{InHook: true, HookName: hook, UnitName: unit, AppName: app},
		Runner: hc,
		Clock:  clock,
	})
	hc.end(run.err == nil)
	return run
}
