package hookenv_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/hookenv"
)

// seq runs steps in order and collects their results.
func seq(steps ...func(context.Context, *hookenv.Tools) (any, error)) func(context.Context, *hookenv.Tools) (any, error) {
	return func(ctx context.Context, tools *hookenv.Tools) (any, error) {
		var out []any
		for _, s := range steps {
			v, err := s(ctx, tools)
			if err != nil {
				return out, err
			}
			out = append(out, v)
		}
		return out, nil
	}
}

func TestConfigGet(t *testing.T) {
	want := hookenv.Config{"a": int64(1), "b": true, "c": "x", "d": nil, "e": 0.5}
	runToolCases(t, []toolCase{
		{name: "all, typed", golden: "tools/config-get/all.txt",
			do:   func(ctx context.Context, tools *hookenv.Tools) (any, error) { return tools.ConfigGet(ctx) },
			want: want},
		{name: "snapshot: one process for the hook", golden: "tools/config-get/all.txt",
			do: seq(
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					c, err := tools.ConfigGet(ctx)
					c["a"] = "mutated" // callers get copies
					return nil, err
				},
				func(ctx context.Context, tools *hookenv.Tools) (any, error) { return tools.ConfigGet(ctx) },
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					v, ok, err := tools.ConfigGetKey(ctx, "d")
					return []any{v, ok}, err
				},
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					v, ok, err := tools.ConfigGetKey(ctx, "zz")
					return []any{v, ok}, err
				},
			),
			want: []any{nil, want, []any{nil, true}, []any{nil, false}}},
		{name: "garbage", golden: "faults/config-get-garbage.txt",
			do:      func(ctx context.Context, tools *hookenv.Tools) (any, error) { return tools.ConfigGet(ctx) },
			wantErr: is(hookenv.ErrBadOutput, "")},
		{name: "missing tool", golden: "faults/none.txt", without: []string{"config-get"},
			do:      func(ctx context.Context, tools *hookenv.Tools) (any, error) { return tools.ConfigGet(ctx) },
			wantErr: is(hookenv.ErrToolNotFound, "")},
	})
}

func TestConfigAccessors(t *testing.T) {
	c := hookenv.Config{"a": int64(1), "b": true, "c": "x", "d": nil, "e": 0.5}
	for _, tc := range []struct {
		key  string
		get  func(string) (any, bool)
		want any
		ok   bool
	}{
		{"c", func(k string) (any, bool) { return c.String(k) }, "x", true},
		{"a", func(k string) (any, bool) { return c.String(k) }, "", false},
		{"d", func(k string) (any, bool) { return c.String(k) }, "", false},
		{"b", func(k string) (any, bool) { return c.Bool(k) }, true, true},
		{"c", func(k string) (any, bool) { return c.Bool(k) }, false, false},
		{"a", func(k string) (any, bool) { return c.Int(k) }, int64(1), true},
		{"e", func(k string) (any, bool) { return c.Int(k) }, int64(0), false},
		{"e", func(k string) (any, bool) { return c.Float(k) }, 0.5, true},
		{"a", func(k string) (any, bool) { return c.Float(k) }, 1.0, true},
		{"missing", func(k string) (any, bool) { return c.Float(k) }, 0.0, false},
	} {
		got, ok := tc.get(tc.key)
		assert.Equal(t, tc.want, got, "key %q", tc.key)
		assert.Equal(t, tc.ok, ok, "key %q", tc.key)
	}
}

func TestLog(t *testing.T) {
	runToolCases(t, []toolCase{
		{name: "levels and a leading dash", golden: "tools/juju-log/levels.txt",
			do: func(ctx context.Context, tools *hookenv.Tools) (any, error) {
				for _, r := range []struct {
					l   slog.Level
					msg string
				}{{slog.LevelDebug, "debugging"}, {slog.LevelWarn, "-careful"}, {hookenv.LevelCritical, "meltdown"}} {
					if err := tools.Log(ctx, r.l, r.msg); err != nil {
						return nil, err
					}
				}
				return nil, nil
			}},
		{name: "outside a hook", golden: "tools/juju-log/no-context.txt",
			do: func(ctx context.Context, tools *hookenv.Tools) (any, error) {
				return nil, tools.Log(ctx, slog.LevelInfo, "hello")
			},
			wantErr: toolErr("juju-log", 1, "JUJU_CONTEXT_ID not set")},
		{name: "usage error keeps the ERROR line only", golden: "faults/usage-error.txt",
			do: func(ctx context.Context, tools *hookenv.Tools) (any, error) {
				return nil, tools.Log(ctx, slog.LevelInfo, "x")
			},
			wantErr: toolErr("juju-log", 2, "option provided but not defined: --bogus")},
	})
}

func TestJujuLevel(t *testing.T) {
	for _, tc := range []struct {
		l    slog.Level
		want string
	}{
		{hookenv.LevelTrace, "TRACE"}, {slog.LevelDebug - 1, "TRACE"}, {slog.LevelDebug, "DEBUG"},
		{slog.LevelInfo - 1, "DEBUG"}, {slog.LevelInfo, "INFO"}, {slog.LevelInfo + 2, "INFO"},
		{slog.LevelWarn, "WARNING"}, {slog.LevelError, "ERROR"}, {hookenv.LevelCritical - 1, "ERROR"},
		{hookenv.LevelCritical, "CRITICAL"}, {100, "CRITICAL"},
	} {
		assert.Equal(t, tc.want, hookenv.JujuLevel(tc.l), "JujuLevel(%v)", tc.l)
	}
}

func TestStatus(t *testing.T) {
	runToolCases(t, []toolCase{
		{name: "unit", golden: "tools/status-set/unit.txt",
			do: func(ctx context.Context, tools *hookenv.Tools) (any, error) {
				return nil, tools.StatusSet(ctx, hookenv.Status{State: "active", Message: "ready"})
			}},
		{name: "empty message and a leading dash", golden: "tools/status-set/empty-message.txt",
			do: seq(
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return nil, tools.StatusSet(ctx, hookenv.Status{State: "maintenance"})
				},
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return nil, tools.StatusSet(ctx, hookenv.Status{State: "waiting", Message: "-- waiting --"})
				}),
			want: []any{nil, nil}},
		{name: "application on a follower", golden: "tools/status-set/app-not-leader.txt",
			do: func(ctx context.Context, tools *hookenv.Tools) (any, error) {
				return nil, tools.StatusSet(ctx, hookenv.Status{State: "blocked", Message: "need db", Application: true})
			},
			wantErr: both(is(hookenv.ErrNotLeader, ""), toolErr("status-set", 1, "this unit is not the leader"))},
		{name: "get unit", golden: "tools/status-get/unit.txt",
			do:   func(ctx context.Context, tools *hookenv.Tools) (any, error) { return tools.StatusGet(ctx) },
			want: hookenv.StatusInfo{Status: "active", Message: "msg", Data: map[string]any{}}},
		{name: "get application", golden: "tools/status-get/application.txt",
			do: func(ctx context.Context, tools *hookenv.Tools) (any, error) { return tools.ApplicationStatusGet(ctx) },
			want: hookenv.ApplicationStatusInfo{
				StatusInfo: hookenv.StatusInfo{Status: "active", Data: map[string]any{}},
				Units: map[string]hookenv.StatusInfo{
					"app/0": {Status: "active", Message: "msg", Data: map[string]any{}},
					"app/1": {Status: "waiting", Data: map[string]any{}},
				}}},
		{name: "get application without the object", golden: "faults/status-get-app-garbage.txt",
			do:      func(ctx context.Context, tools *hookenv.Tools) (any, error) { return tools.ApplicationStatusGet(ctx) },
			wantErr: is(hookenv.ErrBadOutput, "status-get: cannot decode tool output: no \"application-status\" object")},
		{name: "application version after --", golden: "tools/application-version-set/ok.txt",
			do: func(ctx context.Context, tools *hookenv.Tools) (any, error) {
				return nil, tools.ApplicationVersionSet(ctx, "-1.2.3")
			}},
	})
}

func TestStatusSetRejectsBeforeCalling(t *testing.T) {
	tools := &hookenv.Tools{Runner: noTools(t)}
	for _, tc := range []struct {
		s    hookenv.Status
		want string
	}{
		{hookenv.Status{State: "error"}, `status-set: invalid argument: invalid status "error", expected one of [maintenance blocked waiting active]`},
		{hookenv.Status{State: ""}, `status-set: invalid argument: invalid status "", expected one of [maintenance blocked waiting active]`},
		{hookenv.Status{State: "Active"}, `status-set: invalid argument: invalid status "Active", expected one of [maintenance blocked waiting active]`},
		{hookenv.Status{State: "active", Message: "a\x00b"}, `status-set: invalid argument: message contains a NUL byte`},
	} {
		err := tools.StatusSet(t.Context(), tc.s)
		require.ErrorIs(t, err, hookenv.ErrInvalidArgument, "%+v", tc.s)
		assert.Equal(t, tc.want, err.Error())
	}
}
