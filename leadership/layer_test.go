package leadership

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/reactive"
)

// forEach runs fn for every hook runner and backend.
func forEach(t *testing.T, fn func(t *testing.T, runHook hookRunner, bc backendCase)) {
	t.Helper()
	for _, rn := range runners {
		for _, bc := range backendCases {
			t.Run(rn.name+"/"+bc.name, func(t *testing.T) { fn(t, rn.run, bc) })
		}
	}
}

// storeDump returns every key and raw value of a store.
func storeDump(tb testing.TB, store *flags.Store) map[string]string {
	tb.Helper()
	out := map[string]string{}
	require.NoError(tb, store.View(context.Background(), func(tx *flags.Tx) error {
		for _, k := range tx.Keys("") {
			out[k], _ = tx.GetRaw(k)
		}
		return nil
	}))
	return out
}

func writeTool(bc backendCase) string {
	if bc.opts.PeerRelation != "" {
		return "relation-set"
	}
	return "leader-set"
}

// Ensure that Set on a follower returns ErrNotLeader without running a tool
// or changing a flag; returned, it fails the hook and nothing is committed;
// ignored, the hook succeeds unchanged (scenario 18).
func TestSet_Follower(t *testing.T) {
	forEach(t, func(t *testing.T, runHook hookRunner, bc backendCase) {
		m := newModel("password/0")
		m.settings["k"] = "v"
		m.appData["k"] = "v"
		store := seed(t, L("L.set.k"), map[string]*string{"k": str("v")})
		before := storeDump(t, store)

		var setErr error
		run := runHook(t, m, bc.opts, store, "password/1", nil, func(ctx context.Context, s *session, f *flags.Flags) error {
			setErr = s.set(ctx, f, map[string]string{"k": "new"})
			return setErr
		})
		require.ErrorIs(t, run.err, ErrNotLeader)
		require.ErrorIs(t, setErr, hookenv.ErrNotLeader, "the same sentinel as hookenv's")
		assert.Equal(t, 0, m.countCalls(writeTool(bc)))
		assert.Equal(t, 1, m.countCalls("is-leader"), "no re-check on a follower")
		assert.Equal(t, before, storeDump(t, store), "nothing committed")

		run = runHook(t, m, bc.opts, store, "password/1", nil, func(ctx context.Context, s *session, f *flags.Flags) error {
			err := s.set(ctx, f, map[string]string{"k": "new"})
			assert.ErrorIs(t, err, ErrNotLeader)
			return nil
		})
		require.NoError(t, run.err)
		assert.Equal(t, []string{}, append([]string{}, run.events...), "the ignored call changed no flag")
		assert.Equal(t, 0, m.countCalls(writeTool(bc)))
	})
}

// Ensure that the reactive path logs no WARNING for a follower's Set (the Python
// layer warns "called before flag").
func TestSet_FollowerNoWarning(t *testing.T) {
	m := newModel("password/0")
	rec := &recordHandler{}
	r := reactive.NewRegistry()
	Register(r, nil)
	r.Handle("write", reactive.OnHook(testHook), func(ctx context.Context, h *reactive.Hook) error {
		err := Set(ctx, h, map[string]string{"k": "v"})
		if !errors.Is(err, ErrNotLeader) {
			return errors.New("want ErrNotLeader")
		}
		return nil
	})
	_, err := r.Run(context.Background(), reactive.RunOptions{
		Store:  flags.OpenMemory(),
		Env:    hookenv.Env{InHook: true, HookName: testHook, UnitName: "password/1", AppName: "password"},
		Runner: m.hook("password/1"),
		Logger: slog.New(rec),
	})
	require.NoError(t, err)
	assert.Empty(t, rec.atLeast(slog.LevelWarn))
	assert.Contains(t, rec.messages(), "Initializing Leadership Layer (is follower)")
}

// Ensure the lease tracking (docs/design.md, "Lease tracking and ErrNotLeader";
// scenario 19): no extra is-leader within 30 s; one extra is-leader after 30 s;
// when that says false, ErrNotLeader without a write, a second Set returns it
// without asking, and leadership.is_leader stays set for the rest of the hook.
func TestSet_Lease(t *testing.T) {
	tests := []struct {
		name      string
		advance   time.Duration
		loseLease bool
		wantErr   error
		isLeader  int // is-leader calls in the hook
		writes    int // write tool calls, refused ones included
	}{
		{name: "a: two writes within the guarantee", advance: 29 * time.Second, isLeader: 1, writes: 2},
		{name: "b: guarantee lapsed, still leader", advance: 31 * time.Second, isLeader: 2, writes: 2},
		{name: "b: exactly 30 s counts as lapsed", advance: 30 * time.Second, isLeader: 2, writes: 2},
		{name: "c: guarantee lapsed, lease lost", advance: 31 * time.Second, loseLease: true, wantErr: ErrNotLeader, isLeader: 2, writes: 1},
		{name: "c: lease lost within the guarantee is Juju's refusal", advance: 10 * time.Second, loseLease: true, wantErr: hookenv.ErrNotLeader, isLeader: 1, writes: 2},
	}
	for _, tc := range tests {
		forEach(t, func(t *testing.T, runHook hookRunner, bc backendCase) {
			t.Run(tc.name, func(t *testing.T) {
				m := newModel("password/0")
				now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
				clock := func() time.Time { return now }
				run := runHook(t, m, bc.opts, flags.OpenMemory(), "password/0", clock, func(ctx context.Context, s *session, f *flags.Flags) error {
					require.NoError(t, s.set(ctx, f, map[string]string{"a": "1"}))
					now = now.Add(tc.advance)
					if tc.loseLease {
						m.leader = "password/1"
					}
					err := s.set(ctx, f, map[string]string{"b": "2"})
					if tc.wantErr == nil {
						require.NoError(t, err)
						return nil
					}
					require.ErrorIs(t, err, tc.wantErr)
					if tc.advance >= hookenv.LeadershipGuarantee {
						calls := m.countCalls("is-leader")
						require.ErrorIs(t, s.set(ctx, f, map[string]string{"c": "3"}), ErrNotLeader)
						assert.Equal(t, calls, m.countCalls("is-leader"), "no is-leader after a false answer")
					}
					assert.True(t, f.IsSet(IsLeaderFlag), "is_leader keeps its hook-start value")
					assert.False(t, f.IsSet(SetFlag("b")))
					return nil
				})
				require.NoError(t, run.err)
				assert.Equal(t, tc.isLeader, m.countCalls("is-leader"), "is-leader calls: %q", m.calls)
				assert.Equal(t, tc.writes, m.countCalls(writeTool(bc)), "writes: %q", m.calls)
			})
		})
	}
}

// Ensure that Set checks the lease exactly once per write: through the
// hook's tools, whose Leader is the layer's tracker, or itself when no tool
// will run (an empty write) or when something replaced Tools.Leader.
func TestSet_LeaseCheckedOnce(t *testing.T) {
	tests := []struct {
		name     string
		settings map[string]string
		replace  bool // set Tools.Leader to nil before the write
	}{
		{name: "empty write", settings: map[string]string{}},
		{name: "Tools.Leader replaced", settings: map[string]string{"a": "1"}, replace: true},
	}
	for _, tc := range tests {
		forEach(t, func(t *testing.T, runHook hookRunner, bc backendCase) {
			t.Run(tc.name, func(t *testing.T) {
				m := newModel("password/0")
				now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
				clock := func() time.Time { return now }
				run := runHook(t, m, bc.opts, flags.OpenMemory(), "password/0", clock, func(ctx context.Context, s *session, f *flags.Flags) error {
					assert.Same(t, s.tracker, s.tools.Leader, "the layer installed its tracker")
					if tc.replace {
						s.tools.Leader = nil
					}
					now = now.Add(31 * time.Second)
					m.leader = "password/1"
					require.ErrorIs(t, s.set(ctx, f, tc.settings), ErrNotLeader)
					return nil
				})
				require.NoError(t, run.err)
				assert.Equal(t, 2, m.countCalls("is-leader"), "is-leader calls: %q", m.calls)
				assert.Equal(t, 0, m.countCalls(writeTool(bc)), "writes: %q", m.calls)
			})
		})
	}
}

// Ensure that a failing is-leader or settings read fails the hook before
// any handler runs, with the hookenv tool error (never "not leader"), and
// leaves the store unchanged (scenario 20).
func TestStart_ToolFails(t *testing.T) {
	forEach(t, func(t *testing.T, runHook hookRunner, bc backendCase) {
		tools := []string{"is-leader", "leader-get"}
		if bc.opts.PeerRelation != "" {
			tools = []string{"is-leader", "relation-ids", "relation-get"}
		}
		for _, tool := range tools {
			t.Run(tool, func(t *testing.T) {
				m := newModel("password/0")
				m.settings["k"] = "new"
				m.appData["k"] = "new"
				m.fail[tool] = true
				store := seed(t, L("L.set.k", "L.is_leader"), map[string]*string{"k": str("v")})
				before := storeDump(t, store)
				ran := false
				run := runHook(t, m, bc.opts, store, "password/0", nil, func(context.Context, *session, *flags.Flags) error {
					ran = true
					return nil
				})
				var te *hookenv.ToolError
				require.ErrorAs(t, run.err, &te)
				assert.Equal(t, tool, te.Tool)
				assert.NotErrorIs(t, run.err, ErrNotLeader)
				assert.False(t, ran, "no handler ran")
				assert.Equal(t, before, storeDump(t, store))
			})
		}
	})
}

// Ensure that on Juju 4 (no leader-get/leader-set) the leader-settings
// backend fails the hook saying exactly that, while the peer backend works
// (scenario 24; the timeline runs the peer backend without leader tools).
func TestJuju4(t *testing.T) {
	for _, rn := range runners {
		t.Run(rn.name, func(t *testing.T) {
			m := newModel("password/0")
			m.noLeaderTools = true
			store := flags.OpenMemory()
			run := rn.run(t, m, Options{}, store, "password/0", nil, nil)
			require.ErrorIs(t, run.err, ErrNoLeaderSettings)
			require.ErrorIs(t, run.err, hookenv.ErrToolNotFound)
			assert.Contains(t, run.err.Error(), "leader-get")
			assert.Contains(t, run.err.Error(), "no peer relation is configured")
			assert.Empty(t, storeDump(t, store))

			run = rn.run(t, m, Options{PeerRelation: "peers"}, store, "password/0", nil, generateSecret("p"))
			require.NoError(t, run.err)
			assert.Equal(t, map[string]string{"admin_password": "p"}, m.appData)
		})
	}
}

// Ensure that with the peer backend and no peer relation yet, the hook
// computes is_leader only, and Set returns ErrPeerUnavailable without a tool.
func TestPeerUnavailable(t *testing.T) {
	for _, rn := range runners {
		t.Run(rn.name, func(t *testing.T) {
			m := newModel("password/0")
			m.peerRelID = ""
			store := seed(t, L("L.changed", "L.changed.k", "L.set.k"), map[string]*string{"k": str("v")})
			var setErr error
			run := rn.run(t, m, Options{PeerRelation: "peers"}, store, "password/0", nil, func(ctx context.Context, s *session, f *flags.Flags) error {
				setErr = s.set(ctx, f, map[string]string{"k": "x"})
				_, ok := s.get("k")
				assert.False(t, ok)
				return nil
			})
			require.NoError(t, run.err)
			require.ErrorIs(t, setErr, ErrPeerUnavailable)
			assert.Equal(t, L("+L.is_leader"), run.events)
			fl, snap, _ := unitState(t, store)
			assert.Equal(t, L("L.changed", "L.changed.k", "L.is_leader", "L.set.k"), fl)
			assert.Equal(t, map[string]*string{"k": str("v")}, snap)
			assert.Equal(t, 0, m.countCalls("relation-get")+m.countCalls("relation-set"))
		})
	}
}

// Ensure that bad keys or values are rejected before any tool runs, with
// errors wrapping hookenv.ErrInvalidArgument or flags.ErrInvalidFlag.
func TestSet_BadInput(t *testing.T) {
	tests := []struct {
		name     string
		settings map[string]string
		want     error
	}{
		{"key with =", map[string]string{"a=b": "x"}, hookenv.ErrInvalidArgument},
		{"empty key", map[string]string{"": "x"}, hookenv.ErrInvalidArgument},
		{"key starting with -", map[string]string{"-a": "x"}, hookenv.ErrInvalidArgument},
		{"value with surrounding space", map[string]string{"a": " x"}, hookenv.ErrInvalidArgument},
		{"key with a control character", map[string]string{"a\x01": "x"}, flags.ErrInvalidFlag},
		{"value with NUL", map[string]string{"a": "x\x00"}, hookenv.ErrInvalidArgument},
	}
	for _, tc := range tests {
		forEach(t, func(t *testing.T, runHook hookRunner, bc backendCase) {
			t.Run(tc.name, func(t *testing.T) {
				m := newModel("password/0")
				run := runHook(t, m, bc.opts, flags.OpenMemory(), "password/0", nil, func(ctx context.Context, s *session, f *flags.Flags) error {
					before := len(m.calls)
					err := s.set(ctx, f, tc.settings)
					require.ErrorIs(t, err, tc.want)
					assert.Contains(t, err.Error(), "leadership: writing leader settings")
					assert.Len(t, m.calls, before, "no tool ran")
					return nil
				})
				require.NoError(t, run.err)
			})
		})
	}
}

// Ensure that a unit whose first hook fails has an empty store afterwards
// (scenario 17), and that the retry starts from scratch.
func TestFirstHookFails(t *testing.T) {
	forEach(t, func(t *testing.T, runHook hookRunner, bc backendCase) {
		m := newModel("password/0")
		m.settings["admin_password"] = "p"
		m.appData["admin_password"] = "p"
		store := flags.OpenMemory()
		run := runHook(t, m, bc.opts, store, "password/1", nil, failHook("install"))
		require.ErrorIs(t, run.err, errInjected)
		assert.Equal(t, L("+L.changed.admin_password", "+L.set.admin_password", "+L.changed"), run.events)
		assert.Empty(t, storeDump(t, store))
		run = runHook(t, m, bc.opts, store, "password/1", nil, nil)
		require.NoError(t, run.err)
		assert.Equal(t, L("+L.changed.admin_password", "+L.set.admin_password", "+L.changed"), run.events)
	})
}

// Ensure that Get and GetAll run no tool and serve the
// hook-start read plus this hook's writes (docs/design.md, "leadership.Get").
func TestGet_NoToolCalls(t *testing.T) {
	forEach(t, func(t *testing.T, runHook hookRunner, bc backendCase) {
		m := newModel("password/0")
		m.settings = map[string]string{"a": "1", "gone": "x"}
		m.appData = map[string]string{"a": "1", "gone": "x"}
		run := runHook(t, m, bc.opts, flags.OpenMemory(), "password/0", nil, func(ctx context.Context, s *session, f *flags.Flags) error {
			before := len(m.calls)
			v, ok := s.get("a")
			assert.True(t, ok)
			assert.Equal(t, "1", v)
			_, ok = s.get("b")
			assert.False(t, ok)
			assert.Len(t, m.calls, before, "reads run no tool")
			require.NoError(t, s.set(ctx, f, map[string]string{"b": "2", "gone": ""}))
			before = len(m.calls)
			assert.Equal(t, map[string]string{"a": "1", "b": "2"}, s.all())
			got := s.all()
			got["a"] = "changed"
			assert.Equal(t, "1", s.all()["a"], "all returns a copy")
			assert.Len(t, m.calls, before)
			return nil
		})
		require.NoError(t, run.err)
	})
}

// Ensure that a restricted hook runs no leadership tool and leaves every
// flag alone, changed flags included; Set there returns ErrNotStarted
// (scenario 22).
func TestRestrictedHook(t *testing.T) {
	m := newModel("password/0")
	store := seed(t, L("L.changed", "L.changed.motd", "L.is_leader", "L.set.motd"), map[string]*string{"motd": str("hello")})
	r := reactive.NewRegistry()
	Register(r, nil)
	var setErr error
	var got map[string]string
	var ok bool
	r.Handle("metrics", reactive.CollectMetrics(), func(ctx context.Context, h *reactive.Hook) error {
		setErr = Set(ctx, h, map[string]string{"x": "1"})
		_, ok = Get(h, "motd")
		got = GetAll(h)
		assert.Nil(t, h.Tools().Leader, "no lease tracker installed")
		return nil
	})
	res, err := r.Run(context.Background(), reactive.RunOptions{
		Store:  store,
		Env:    hookenv.Env{InHook: true, HookName: "collect-metrics", UnitName: "password/0", AppName: "password"},
		Runner: m.hook("password/0"),
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"metrics"}, res.Invoked)
	assert.Empty(t, m.calls)
	require.ErrorIs(t, setErr, ErrNotStarted)
	assert.False(t, ok)
	assert.Empty(t, got)
	fl, snap, _ := unitState(t, store)
	assert.Equal(t, L("L.changed", "L.changed.motd", "L.is_leader", "L.set.motd"), fl)
	assert.Equal(t, map[string]*string{"motd": str("hello")}, snap)
}

// Ensure that Register rejects an invalid peer endpoint name at once.
func TestRegister_BadPeerRelation(t *testing.T) {
	defer func() {
		assert.Regexp(t, `^leadership: Register at \S+: invalid peer relation endpoint name "Bad Name" in Options.PeerRelation: name the peer endpoint of the charm's metadata`, fmt.Sprint(recover()))
	}()
	Register(reactive.NewRegistry(), &Options{PeerRelation: "Bad Name"})
}

// Ensure that one Layer serves hooks running in parallel, each with its own
// state (the layer keeps nothing per hook in itself).
func TestLayer_ParallelHooks(t *testing.T) {
	r := reactive.NewRegistry()
	Register(r, nil)
	r.Handle("write", reactive.All(reactive.When(IsLeaderFlag), reactive.WhenNot(SetFlag("unit"))), func(ctx context.Context, h *reactive.Hook) error {
		return Set(ctx, h, map[string]string{"unit": h.Env().UnitName})
	})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			unit := "app/" + string(rune('0'+i))
			m := newModel(unit)
			store := flags.OpenMemory()
			_, err := r.Run(context.Background(), reactive.RunOptions{
				Store:  store,
				Env:    hookenv.Env{InHook: true, HookName: "install", UnitName: unit, AppName: "app"},
				Runner: m.hook(unit),
			})
			assert.NoError(t, err)
			assert.Equal(t, map[string]string{"unit": unit}, m.settings)
		}()
	}
	wg.Wait()
}

// recordHandler is a slog.Handler that keeps every record.
type recordHandler struct {
	mu      sync.Mutex
	records []slog.Record
}

func (h *recordHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, r)
	return nil
}
func (h *recordHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *recordHandler) WithGroup(string) slog.Handler      { return h }

func (h *recordHandler) atLeast(level slog.Level) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, r := range h.records {
		if r.Level >= level {
			out = append(out, r.Message)
		}
	}
	return out
}

func (h *recordHandler) messages() []string { return h.atLeast(slog.LevelDebug) }

// Ensure that Delete removes keys in one write, with the deletion's flag
// events and tombstones.
func TestLayer_Delete(t *testing.T) {
	m := newModel("password/0")
	m.settings = map[string]string{"a": "1", "b": "2", "c": "3"}
	store := seed(t, L("L.is_leader", "L.set.a", "L.set.b", "L.set.c"), map[string]*string{"a": str("1"), "b": str("2"), "c": str("3")})
	r := reactive.NewRegistry()
	var events []string
	r.AtStart("test.events", func(_ context.Context, h *reactive.Hook) error {
		f := h.Flags()
		prev := f.OnChange
		f.OnChange = func(flag string, set bool) {
			if set {
				events = append(events, "+"+flag)
			} else {
				events = append(events, "-"+flag)
			}
			prev(flag, set)
		}
		return nil
	})
	Register(r, nil)
	r.Handle("delete", reactive.OnHook("config-changed"), func(ctx context.Context, h *reactive.Hook) error {
		return Delete(ctx, h, "c", "a")
	})
	_, err := r.Run(context.Background(), reactive.RunOptions{
		Store:  store,
		Env:    hookenv.Env{InHook: true, HookName: "config-changed", UnitName: "password/0", AppName: "password"},
		Runner: m.hook("password/0"),
	})
	require.NoError(t, err)
	assert.Equal(t, 1, m.countCalls("leader-set"))
	assert.Equal(t, map[string]string{"b": "2"}, m.settings)
	assert.Equal(t, L("+L.changed.a", "+L.changed", "-L.set.a", "+L.changed.c", "-L.set.c"), events)
	_, snap, _ := unitState(t, store)
	assert.Equal(t, map[string]*string{"a": nil, "b": str("2"), "c": nil}, snap)
}
