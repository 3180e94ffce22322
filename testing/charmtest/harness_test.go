package charmtest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/testing/charmtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// richConfig is richUnit's config.yaml: the options its Config sets.
const richConfig = "options:\n  motd: {type: string}\n  debug: {type: boolean, default: false}\n  n: {type: int}\n"

// richUnit returns a unit with every kind of state filled in. It builds a new
// value on every call, so two calls can be compared after one was used.
func richUnit() charmtest.Unit {
	return charmtest.Unit{
		Name:           "app/1",
		Leader:         true,
		LeaderSettings: map[string]string{"a": "1", "b": "2"},
		Snapshot:       map[string]string{"a": "1"},
		Tombstones:     []string{"gone"},
		Flags:          []string{"app.installed", "valued"},
		KV:             map[string]string{"app.port": "8080", "reactive.states.valued": `{"x":1}`},
		Config:         map[string]any{"motd": "hi", "debug": true, "n": 3},
		Relations: []charmtest.Relation{{
			ID: "peers:0", RemoteApp: "app",
			Units:     map[string]map[string]string{"app/0": {"k": "v"}},
			LocalData: map[string]string{"me": "1"},
			AppData:   map[string]string{"shared": "s"},
		}},
		Files:  map[string]string{"data/old.txt": "old", "config.yaml": richConfig},
		Status: charmtest.Status{State: "active", Message: "was fine"},
		Faults: map[string]charmtest.Fault{"application-version-set": {Message: "nope"}},
	}
}

// mutator is a charm whose single handler changes every kind of state, then
// fails when the flag "fail" is set.
func mutator(r *reactive.Registry) {
	leadership.Register(r, nil)
	r.Handle("mutate", reactive.When("app.installed"), func(ctx context.Context, h *reactive.Hook) error {
		if err := h.SetFlag("app.configured"); err != nil {
			return err
		}
		if err := h.ClearFlag("app.installed"); err != nil {
			return err
		}
		if err := h.KV().Set("app.port", 9090); err != nil {
			return err
		}
		if err := leadership.Set(ctx, h, map[string]string{"b": "", "c": "3"}); err != nil {
			return err
		}
		t := h.Tools()
		if err := t.StatusSet(ctx, hookenv.Status{State: "maintenance", Message: "mutating"}); err != nil {
			return err
		}
		if err := t.RelationSet(ctx, "peers:0", true, map[string]string{"shared": "", "new": "n"}); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(h.CharmDir(), "data", "new.txt"), []byte("new"), 0o600); err != nil {
			return err
		}
		if err := os.Remove(filepath.Join(h.CharmDir(), "data", "old.txt")); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		if h.IsFlagSet("fail") {
			return errors.New("boom")
		}
		return nil
	})
}

// Ensure that a hook never modifies the unit it was given.
func TestRun_InputNotMutated(t *testing.T) {
	t.Parallel()
	for _, fail := range []bool{false, true} {
		t.Run(fmt.Sprintf("fail=%v", fail), func(t *testing.T) {
			t.Parallel()
			u := richUnit()
			if fail {
				u.Flags = append(u.Flags, "fail")
			}
			want := richUnit()
			if fail {
				want.Flags = append(want.Flags, "fail")
			}
			out := u.Run(t, mutator, "config-changed")
			assert.Equal(t, fail, out.Err != nil, "hook error: %v", out.Err)
			assert.Equal(t, want, u, "the input unit is unchanged")
			out.Flags[0] = "changed-by-test"
			out.LeaderSettings["zzz"] = "x"
			out.Relations[0].AppData["zzz"] = "x"
			assert.Equal(t, want, u, "the result shares no map or slice with the input")
		})
	}
}

// Ensure that a successful hook commits every change and a failed one rolls
// the store back while keeping what Juju applied at once.
func TestRun_CommitAndRollback(t *testing.T) {
	t.Parallel()
	t.Run("success commits", func(t *testing.T) {
		t.Parallel()
		out := richUnit().Run(t, mutator, "config-changed")
		require.NoError(t, out.Err)
		assert.Equal(t, []string{"app.configured", "leadership.changed", "leadership.changed.b", "leadership.changed.c",
			"leadership.is_leader", "leadership.set.a", "leadership.set.c", "valued"}, out.Flags)
		assert.Equal(t, "9090", out.KV["app.port"])
		assert.Equal(t, `{"x":1}`, out.KV["reactive.states.valued"], "a flag's value survives")
		assert.Equal(t, map[string]string{"a": "1", "c": "3"}, out.LeaderSettings)
		assert.Equal(t, map[string]string{"a": "1", "c": "3"}, out.Snapshot)
		assert.Equal(t, []string{"b", "gone"}, out.Tombstones)
		assert.Equal(t, map[string]string{"new": "n"}, out.Relations[0].AppData, "relation-set applied after success")
		assert.Equal(t, charmtest.Status{State: "maintenance", Message: "mutating"}, out.Status)
		assert.Equal(t, map[string]string{"data/new.txt": "new", "config.yaml": richConfig}, out.Files)
		assert.Equal(t, 0, out.ExitCode)
	})
	t.Run("failure rolls back the store only", func(t *testing.T) {
		t.Parallel()
		u := richUnit()
		u.Flags = append(u.Flags, "fail")
		out := u.Run(t, mutator, "config-changed")
		require.Error(t, out.Err)
		assert.ErrorContains(t, out.Err, "boom")
		assert.Equal(t, 1, out.ExitCode)
		assert.Equal(t, []string{"app.installed", "fail", "valued"}, out.Flags, "flags as before the hook")
		assert.Equal(t, u.KV, out.KV, "other keys as before the hook")
		assert.Equal(t, u.Snapshot, out.Snapshot)
		assert.Equal(t, u.Tombstones, out.Tombstones)
		assert.Equal(t, map[string]string{"a": "1", "c": "3"}, out.LeaderSettings, "leader-set is Juju's: kept")
		assert.Equal(t, charmtest.Status{State: "maintenance", Message: "mutating"}, out.Status, "status-set is kept")
		assert.Equal(t, u.Relations[0].AppData, out.Relations[0].AppData, "relation-set of a failed hook is discarded")
		assert.Equal(t, map[string]string{"data/new.txt": "new", "config.yaml": richConfig}, out.Files, "files the charm wrote stay")
		assert.Contains(t, out.Events, "+app.configured", "events show what happened before the rollback")
	})
}

// Ensure that hooks chain: the result of one feeds the next, and a retry
// after a failure starts from the state before the failed hook.
func TestRun_Chain(t *testing.T) {
	t.Parallel()
	u := richUnit()
	u.Flags = append(u.Flags, "fail")
	failed := u.Run(t, mutator, "config-changed")
	require.Error(t, failed.Err)
	fixed := failed.Unit
	fixed.Flags = []string{"app.installed", "valued"}
	retry := fixed.Run(t, mutator, "config-changed")
	require.NoError(t, retry.Err)
	assert.Contains(t, retry.Events, "+leadership.changed.c", "the retry sees the failed hook's leader-set as a change")
	next := retry.Run(t, mutator, "update-status")
	require.NoError(t, next.Err)
	assert.Empty(t, next.Invoked, "app.installed was cleared, so mutate does not run again")
	// b was deleted by the failed hook before this unit's snapshot ever held
	// it, so no hook reports it (a key set and deleted unseen leaves no trace).
	assert.Equal(t, []string{"-leadership.changed.c", "-leadership.changed"}, next.Events)
}

// Ensure that parallel runs share nothing: each sees only its own data.
func TestRun_Parallel(t *testing.T) {
	t.Parallel()
	echo := func(r *reactive.Registry) {
		r.Handle("echo", reactive.OnHook("config-changed"), func(ctx context.Context, h *reactive.Hook) error {
			cfg, err := h.Tools().ConfigGet(ctx)
			if err != nil {
				return err
			}
			v, _ := cfg.String("v")
			if err := h.KV().Set("seen", v+"@"+h.Env().UnitName); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(h.CharmDir(), "v"), []byte(v), 0o600)
		})
	}
	for i := range 16 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			v := fmt.Sprintf("value-%d", i)
			u := charmtest.Unit{Name: fmt.Sprintf("app/%d", i), Config: map[string]any{"v": v}}
			out := u.Run(t, echo, "config-changed")
			require.NoError(t, out.Err)
			assert.Equal(t, fmt.Sprintf("%q", v+"@"+u.Name), out.KV["seen"])
			assert.Equal(t, map[string]string{"v": v}, out.Files)
		})
	}
}

// Ensure that bad input is refused with an error naming the problem.
func TestUnit_Validate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		unit charmtest.Unit
		want string
	}{
		{"bad unit name", charmtest.Unit{Name: "App"}, `unit name "App"`},
		{"empty setting", charmtest.Unit{LeaderSettings: map[string]string{"k": ""}}, `leader setting "k": empty value`},
		{"setting key with =", charmtest.Unit{LeaderSettings: map[string]string{"a=b": "v"}}, `leader setting "a=b"`},
		{"snapshot and tombstone", charmtest.Unit{Snapshot: map[string]string{"k": "v"}, Tombstones: []string{"k"}}, `snapshot key "k" is also a tombstone`},
		{"bad flag", charmtest.Unit{Flags: []string{""}}, "invalid flag name"},
		{"kv not json", charmtest.Unit{KV: map[string]string{"k": "not json"}}, `kv key "k": value is not valid JSON`},
		{"kv clashes with snapshot", charmtest.Unit{Snapshot: map[string]string{"k": "v"}, KV: map[string]string{"leadership.settings.k": `"v"`}}, "also given in Snapshot"},
		{"config type", charmtest.Unit{Config: map[string]any{"k": []string{"x"}}}, `config option "k": unsupported type []string`},
		{"relation id", charmtest.Unit{Relations: []charmtest.Relation{{ID: "peers", RemoteApp: "app"}}}, `relation id "peers"`},
		{"remote unit of another app", charmtest.Unit{Relations: []charmtest.Relation{{ID: "db:1", RemoteApp: "mysql", Units: map[string]map[string]string{"pg/0": nil}}}}, `remote unit "pg/0" is not a unit of "mysql"`},
		{"file outside", charmtest.Unit{Files: map[string]string{"../x": ""}}, `file "../x": not a clean path`},
		{"file is the store", charmtest.Unit{Files: map[string]string{".unit-state.db": ""}}, "unit state database"},
		{"status", charmtest.Unit{Status: charmtest.Status{State: "fine"}}, `status "fine"`},
		{"fault code", charmtest.Unit{Faults: map[string]charmtest.Fault{"is-leader": {ExitCode: 300}}}, "exit code 300 out of range"},
		{"negative step", charmtest.Unit{ClockStep: -time.Second}, "clock step -1s is negative"},
		{"env relation", charmtest.Unit{Env: charmtest.HookEnv{RelationID: "db:9"}}, `env relation "db:9" is not in Relations`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.unit.Validate()
			require.Error(t, err)
			assert.ErrorIs(t, err, charmtest.ErrInvalidUnit)
			assert.ErrorContains(t, err, tc.want)
			_, err = tc.unit.RunDir(t.Context(), t.TempDir(), mutator, "install")
			assert.ErrorIs(t, err, charmtest.ErrInvalidUnit, "RunDir refuses it too")
		})
	}
	t.Run("zero value is valid", func(t *testing.T) {
		t.Parallel()
		assert.NoError(t, charmtest.Unit{}.Validate())
	})
	t.Run("bad hook name", func(t *testing.T) {
		t.Parallel()
		_, err := charmtest.Unit{}.RunDir(t.Context(), t.TempDir(), mutator, "Install Me")
		assert.ErrorIs(t, err, charmtest.ErrInvalidUnit)
	})
	t.Run("registration panic", func(t *testing.T) {
		t.Parallel()
		_, err := charmtest.Unit{}.RunDir(t.Context(), t.TempDir(), func(r *reactive.Registry) {
			r.Handle("", reactive.When("x"), nil)
		}, "install")
		assert.ErrorContains(t, err, "registering the charm's handlers panicked")
	})
	t.Run("bad config.yaml", func(t *testing.T) {
		t.Parallel()
		u := charmtest.Unit{Files: map[string]string{"config.yaml": "options:\n  n:\n    type: int\n    default: nope\n"}}
		_, err := u.RunDir(t.Context(), t.TempDir(), mutator, "install")
		assert.ErrorIs(t, err, charmtest.ErrInvalidUnit)
		assert.ErrorContains(t, err, `option "n"`)
		assert.ErrorContains(t, u.Validate(), `Files["config.yaml"]: option "n": default nope is not of type int`, "Validate reports it too")
	})
}

// Ensure that config.yaml gives defaults that Config overrides.
func TestRun_ConfigDefaults(t *testing.T) {
	t.Parallel()
	var got hookenv.Config
	capture := func(r *reactive.Registry) {
		r.Handle("read", reactive.OnHook("config-changed"), func(ctx context.Context, h *reactive.Hook) error {
			var err error
			got, err = h.Tools().ConfigGet(ctx)
			return err
		})
	}
	u := charmtest.Unit{
		Files: map[string]string{"config.yaml": `options:
  s: {type: string, default: "d"}
  i: {type: int, default: 7}
  f: {type: float, default: 1}
  b: {type: boolean, default: false}
  none: {type: string}
`},
		Config: map[string]any{"b": true},
	}
	out := u.Run(t, capture, "config-changed")
	require.NoError(t, out.Err)
	// Juju prints a whole float as "1", which reads back as an integer;
	// hookenv.Config.Float accepts it.
	assert.Equal(t, hookenv.Config{"s": "d", "i": int64(7), "f": int64(1), "b": true, "none": nil}, got)
	f, ok := got.Float("f")
	assert.True(t, ok)
	assert.Equal(t, 1.0, f)
}

// Ensure that a failing is-leader or leader-get fails the hook before any
// handler runs, with the hookenv tool error, and leaves the store alone
// (leadership scenario 20, docs/design.md, "Leadership scenarios"); a missing tool is the missing-tool error.
func TestRun_StartFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tool  string
		fault charmtest.Fault
		check func(t *testing.T, err error)
	}{
		{"is-leader", charmtest.Fault{Message: "leadership status unknown: dial unix: no such file"}, func(t *testing.T, err error) {
			var te *hookenv.ToolError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, 1, te.ExitCode)
			assert.NotErrorIs(t, err, hookenv.ErrNotLeader)
		}},
		{"leader-get", charmtest.Fault{Message: "cannot read leadership settings: boom"}, func(t *testing.T, err error) {
			var te *hookenv.ToolError
			require.ErrorAs(t, err, &te)
		}},
		{"leader-get", charmtest.Fault{Missing: true}, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, hookenv.ErrToolNotFound)
		}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s %+v", tc.tool, tc.fault), func(t *testing.T) {
			t.Parallel()
			u := charmtest.Unit{
				Name: "password/1", Leader: true, Files: refFiles,
				Flags:          []string{"leadership.set.admin_password", "password.stored"},
				Snapshot:       map[string]string{"admin_password": "p"},
				LeaderSettings: map[string]string{"admin_password": "p", "motd": "new"},
				Faults:         map[string]charmtest.Fault{tc.tool: tc.fault},
			}
			out := u.Run(t, registerRef, "config-changed")
			require.Error(t, out.Err)
			tc.check(t, out.Err)
			assert.Empty(t, out.Invoked, "no handler ran")
			assert.Equal(t, u.Flags, out.Flags)
			assert.Equal(t, u.Snapshot, out.Snapshot)
			assert.Empty(t, out.CallsTo("leader-set"))
		})
	}
}

// Ensure that the clock drives the 30-second leadership guarantee
// (leadership scenario 19, docs/design.md, "Leadership scenarios").
func TestRun_LeaseClock(t *testing.T) {
	t.Parallel()
	var setErrs []error
	writer := func(r *reactive.Registry) {
		leadership.Register(r, nil)
		r.Handle("write", reactive.When(leadership.IsLeaderFlag), func(ctx context.Context, h *reactive.Hook) error {
			setErrs = []error{
				leadership.Set(ctx, h, map[string]string{"a": "1"}),
				leadership.Set(ctx, h, map[string]string{"b": "2"}),
			}
			return nil
		})
	}
	tests := []struct {
		name      string
		step      time.Duration
		lose      int
		isLeaders int
		leaderSet int
		notLeader bool
	}{
		{name: "within the guarantee", step: time.Second, isLeaders: 1, leaderSet: 2},
		{name: "lapsed, still leader", step: 31 * time.Second, isLeaders: 3, leaderSet: 2},
		{name: "lapsed, lease lost", step: 31 * time.Second, lose: 1, isLeaders: 2, leaderSet: 0, notLeader: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Not parallel: setErrs is shared by the subtests.
			u := charmtest.Unit{Leader: true, LoseLeadershipAfter: tc.lose, ClockStep: tc.step}
			out := u.Run(t, writer, "config-changed")
			require.NoError(t, out.Err)
			assert.Len(t, out.CallsTo("is-leader"), tc.isLeaders)
			assert.Len(t, out.CallsTo("leader-set"), tc.leaderSet)
			for _, err := range setErrs {
				assert.Equal(t, tc.notLeader, errors.Is(err, leadership.ErrNotLeader), "Set: %v", err)
			}
			assert.True(t, out.HasFlag(leadership.IsLeaderFlag), "is_leader keeps its hook-start value")
		})
	}
}

// Ensure that restricted hooks call no leadership tool and keep the flags
// (leadership scenario 22, docs/design.md, "Leadership scenarios").
func TestRun_RestrictedHook(t *testing.T) {
	t.Parallel()
	u := charmtest.Unit{
		Name: "password/0", Leader: true, Files: refFiles,
		Flags:          []string{"leadership.changed", "leadership.changed.motd", "leadership.is_leader", "leadership.set.admin_password", "leadership.set.motd", "password.stored"},
		Snapshot:       map[string]string{"admin_password": "p", "motd": "hello"},
		LeaderSettings: map[string]string{"admin_password": "p", "motd": "hello"},
	}
	out := u.Run(t, registerRef, "collect-metrics")
	require.NoError(t, out.Err)
	assert.Empty(t, out.Calls)
	assert.Equal(t, u.Flags, out.Flags)
}

// Ensure that a relation hook gets the relation's environment and that the
// peer-relation leadership backend works against the fake relation tools.
func TestRun_PeerBackend(t *testing.T) {
	t.Parallel()
	var env hookenv.Env
	charm := func(r *reactive.Registry) {
		leadership.Register(r, &leadership.Options{PeerRelation: "cluster"})
		r.Handle("publish", reactive.All(reactive.When(leadership.IsLeaderFlag), reactive.WhenNot(leadership.SetFlag("token"))),
			func(ctx context.Context, h *reactive.Hook) error {
				env = h.Env()
				return leadership.Set(ctx, h, map[string]string{"token": "t0k"})
			})
	}
	peer := charmtest.Relation{ID: "cluster:4", RemoteApp: "app", Units: map[string]map[string]string{"app/1": {}, "app/2": {}}}
	leader := charmtest.Unit{Leader: true, Relations: []charmtest.Relation{peer},
		Faults: map[string]charmtest.Fault{"leader-get": {Missing: true}, "leader-set": {Missing: true}}}
	out := leader.Run(t, charm, "cluster-relation-changed")
	require.NoError(t, out.Err)
	assert.Equal(t, "cluster:4", env.RelationID)
	assert.Equal(t, "cluster", env.RelationName)
	assert.Equal(t, "app/1", env.RemoteUnit)
	assert.Equal(t, "app", env.RemoteApp)
	assert.Equal(t, map[string]string{"token": "t0k"}, out.Relations[0].AppData)
	assert.Nil(t, out.LeaderSettings)

	follower := charmtest.Unit{Name: "app/1", Relations: []charmtest.Relation{{
		ID: "cluster:4", RemoteApp: "app", Units: map[string]map[string]string{"app/0": {}, "app/2": {}},
		AppData: out.Relations[0].AppData,
	}}}
	fout := follower.Run(t, charm, "cluster-relation-changed")
	require.NoError(t, fout.Err)
	assert.Equal(t, []string{"leadership.changed", "leadership.changed.token", "leadership.set.token"}, fout.Flags)
	assert.Equal(t, map[string]string{"token": "t0k"}, fout.Snapshot)
}

// Ensure that log records, juju-log calls, unknown tools and tool calls are
// all reported.
func TestRun_LogsAndCalls(t *testing.T) {
	t.Parallel()
	charm := func(r *reactive.Registry) {
		r.Handle("log", reactive.OnHook("install"), func(ctx context.Context, h *reactive.Hook) error {
			h.Logger().Warn("careful", "port", 80)
			_, err := h.Tools().Runner.Run(ctx, "juju-log", []string{"-l", "ERROR", "--", "via tool"}, nil)
			if err != nil {
				return err
			}
			_, err = h.Tools().Runner.Run(ctx, "no-such-tool", nil, nil)
			if !errors.Is(err, hookenv.ErrToolNotFound) {
				return fmt.Errorf("unknown tool: got %v", err)
			}
			return h.Tools().ApplicationVersionSet(ctx, "1.0")
		})
	}
	out := charmtest.Unit{}.Run(t, charm, "install")
	require.NoError(t, out.Err)
	assert.Contains(t, out.Logs, charmtest.LogRecord{Level: "WARNING", Message: "careful port=80"})
	assert.Contains(t, out.Logs, charmtest.LogRecord{Level: "ERROR", Message: "via tool"})
	assert.Equal(t, "juju-log", out.Calls[0].Tool, "the record came from a juju-log call")
	assert.Equal(t, "1.0", out.Version)
	require.Len(t, out.Calls, 3)
	assert.Equal(t, "no-such-tool", out.Calls[1].Tool)
	assert.Equal(t, `application-version-set -- 1.0`, out.Calls[2].String())
}

// Ensure that leadership.Set on a follower returns ErrNotLeader without running
// leader-set, and a hook that returns it commits nothing (leadership
// scenario 18, docs/design.md, "Leadership scenarios").
func TestRun_FollowerLeaderSet(t *testing.T) {
	t.Parallel()
	for _, ignore := range []bool{false, true} {
		t.Run(fmt.Sprintf("ignore=%v", ignore), func(t *testing.T) {
			t.Parallel()
			var setErr error
			charm := func(r *reactive.Registry) {
				leadership.Register(r, nil)
				r.Handle("write", reactive.OnHook("config-changed"), func(ctx context.Context, h *reactive.Hook) error {
					if err := h.SetFlag("app.tried"); err != nil {
						return err
					}
					setErr = leadership.Set(ctx, h, map[string]string{"k": "v"})
					if ignore {
						return nil
					}
					return setErr
				})
			}
			u := charmtest.Unit{Name: "app/1", LeaderSettings: map[string]string{"a": "1"}, Snapshot: map[string]string{"a": "1"},
				Flags: []string{"leadership.set.a"}}
			out := u.Run(t, charm, "config-changed")
			assert.ErrorIs(t, setErr, leadership.ErrNotLeader)
			assert.Empty(t, out.CallsTo("leader-set"), "no leader-set process")
			for _, l := range out.Logs {
				assert.NotEqual(t, "WARNING", l.Level, "no warning: %s", l.Message)
			}
			if ignore {
				require.NoError(t, out.Err)
				assert.Equal(t, []string{"app.tried", "leadership.set.a"}, out.Flags, "the call changed no flag")
			} else {
				require.ErrorIs(t, out.Err, leadership.ErrNotLeader)
				assert.Equal(t, u.Flags, out.Flags, "nothing committed")
			}
		})
	}
}

// Ensure that a lease lost during a hook carries into the next state, and
// that a relation hook needs its relation.
func TestRun_NextState(t *testing.T) {
	t.Parallel()
	t.Run("lease lost", func(t *testing.T) {
		t.Parallel()
		u := charmtest.Unit{Leader: true, LoseLeadershipAfter: 1, Flags: []string{"app.installed"}}
		out := u.Run(t, mutator, "config-changed")
		require.ErrorIs(t, out.Err, leadership.ErrNotLeader, "the Set in mutate re-checks nothing within 30 s, so leader-set is refused by Juju")
		assert.False(t, out.Leader, "the lease was lost during the hook")
		assert.Zero(t, out.LoseLeadershipAfter)
	})
	t.Run("lease kept", func(t *testing.T) {
		t.Parallel()
		u := charmtest.Unit{Leader: true, LoseLeadershipAfter: 5}
		out := u.Run(t, mutator, "config-changed")
		require.NoError(t, out.Err)
		assert.True(t, out.Leader)
		assert.Equal(t, 4, out.LoseLeadershipAfter, "one check used by the hook-start is-leader")
	})
	t.Run("relation hook without its relation", func(t *testing.T) {
		t.Parallel()
		_, err := charmtest.Unit{}.RunDir(t.Context(), t.TempDir(), mutator, "db-relation-changed")
		assert.ErrorIs(t, err, charmtest.ErrInvalidUnit)
		assert.ErrorContains(t, err, `no relation on endpoint "db"`)
	})
	t.Run("directory reused", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		_, err := charmtest.Unit{}.RunDir(t.Context(), dir, mutator, "install")
		require.NoError(t, err)
		_, err = charmtest.Unit{}.RunDir(t.Context(), dir, mutator, "install")
		assert.ErrorContains(t, err, "not empty")
	})
}

// Ensure that the hook gets the charm's metadata, as Juju's charm directory
// holds it, without a copy in Files: {role:interface} patterns expand from
// it, and the start checks report an OnHook pattern that can match no hook
// of the charm as a WARNING in Result.Logs.
func TestRun_CharmMetadata(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "metadata.yaml"), []byte("name: app\nrequires:\n  db:\n    interface: mysql\n"), 0o644))
	var ran []string
	register := func(r *reactive.Registry) {
		r.Handle("db", reactive.OnHook("{requires:mysql}-relation-changed"), func(context.Context, *reactive.Hook) error {
			ran = append(ran, "db")
			return nil
		})
		r.Handle("typo", reactive.OnHook("dbs-relation-changed"), func(context.Context, *reactive.Hook) error { return nil })
	}
	u := charmtest.Unit{Charm: dir, Relations: []charmtest.Relation{{ID: "db:1", RemoteApp: "mysql", Units: map[string]map[string]string{"mysql/0": {}}}},
		Env: charmtest.HookEnv{RelationID: "db:1", RemoteUnit: "mysql/0"}}
	out := u.Run(t, register, "db-relation-changed")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"db"}, ran)
	var warns []string
	for _, l := range out.Logs {
		if l.Level == "WARNING" {
			warns = append(warns, l.Message)
		}
	}
	require.Len(t, warns, 1, "%q", warns)
	assert.Contains(t, warns[0], `handler "typo"`)
	assert.Contains(t, warns[0], `OnHook("dbs-relation-changed") can never hold for this charm: hook "dbs-relation-changed" is named after relation "dbs", which the metadata does not declare (did you mean "db-relation-changed"?)`)
}
