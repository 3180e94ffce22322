package charmtest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/testing/charmtest"
)

// A failing write fails the hook, whose error the framework logs at ERROR
// (juju-log, so the controller's debug-log): neither the error nor any log
// record may show the values the write carried.
func TestRun_FailedWritesKeepValuesOutOfTheLog(t *testing.T) {
	t.Parallel()
	const pw = "2x05Hq7ZmW3vK9"
	for _, tc := range []struct {
		tool  string
		write func(ctx context.Context, h *reactive.Hook) error
	}{
		{"leader-set", func(ctx context.Context, h *reactive.Hook) error {
			return leadership.Set(ctx, h, map[string]string{"admin_password": pw})
		}},
		{"relation-set", func(ctx context.Context, h *reactive.Hook) error {
			return h.Tools().RelationSet(ctx, "peers:0", true, map[string]string{"admin_password": pw})
		}},
		{"state-set", func(ctx context.Context, h *reactive.Hook) error {
			return h.Tools().StateSet(ctx, map[string]string{"admin_password": pw})
		}},
		{"status-set", func(ctx context.Context, h *reactive.Hook) error {
			return h.Tools().StatusSet(ctx, hookenv.Status{State: "active", Message: "password " + pw})
		}},
	} {
		t.Run(tc.tool, func(t *testing.T) {
			t.Parallel()
			register := func(r *reactive.Registry) {
				leadership.Register(r, nil)
				r.Handle("write", reactive.When(leadership.IsLeaderFlag), tc.write)
			}
			u := charmtest.Unit{Name: "app/0", Leader: true,
				Relations: []charmtest.Relation{{ID: "peers:0", RemoteApp: "app"}},
				Faults:    map[string]charmtest.Fault{tc.tool: {Cause: "connection is shut down"}}}
			out := u.Run(t, register, "config-changed")
			require.Error(t, out.Err)
			assert.NotContains(t, out.Err.Error(), pw[:6])
			var logged []string
			for _, l := range out.Logs {
				logged = append(logged, l.Level+" "+l.Message)
			}
			all := strings.Join(logged, "\n")
			assert.Contains(t, all, "ERROR Hook error", "the hook's error is logged")
			assert.Contains(t, all, tc.tool, "the error names the tool")
			assert.NotContains(t, all, pw[:6], "no value in the log")
		})
	}
}
