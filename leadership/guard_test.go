package leadership_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/testing/charmtest"
)

// Ensure that the layer installs its lease tracker as the hook's
// Tools.Leader, so a leader-only write through h.Tools() gets the same check
// as leadership.Set (docs/design.md, "Lease tracking and ErrNotLeader"): on a
// follower ErrNotLeader before the tool runs; on a leader no is-leader within
// the 30-second guarantee, and one is-leader just before the write once it
// has lapsed (a false answer: ErrNotLeader, no write). Without the layer
// nothing checks and Juju refuses the write itself.
func TestToolsLeader_InstalledByLayer(t *testing.T) {
	t.Parallel()
	peers := charmtest.Relation{ID: "peers:1", RemoteApp: "app", Units: map[string]map[string]string{"app/2": {}}}
	appStatus := func(ctx context.Context, h *reactive.Hook) error {
		return h.Tools().StatusSet(ctx, hookenv.Status{State: "active", Message: "ok", Application: true})
	}
	appData := func(ctx context.Context, h *reactive.Hook) error {
		return h.Tools().RelationSet(ctx, "peers:1", true, map[string]string{"k": "v"})
	}
	tests := []struct {
		name     string
		noLayer  bool
		unit     charmtest.Unit
		write    reactive.HandlerFunc
		tools    []string // the hook's tool calls, in order
		notLeadr bool     // the write returned an error matching ErrNotLeader
	}{
		{name: "follower: status-set --application",
			unit: charmtest.Unit{Name: "app/1"}, write: appStatus,
			tools: []string{"is-leader", "leader-get"}, notLeadr: true},
		{name: "follower: relation-set --app",
			unit: charmtest.Unit{Name: "app/1", Relations: []charmtest.Relation{peers}}, write: appData,
			tools: []string{"is-leader", "leader-get"}, notLeadr: true},
		{name: "leader within the guarantee",
			unit: charmtest.Unit{Leader: true, Now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), ClockStep: time.Second}, write: appStatus,
			tools: []string{"is-leader", "leader-get", "status-set"}},
		{name: "leader past the guarantee",
			unit: charmtest.Unit{Leader: true, ClockStep: 31 * time.Second}, write: appStatus,
			tools: []string{"is-leader", "leader-get", "is-leader", "status-set"}},
		{name: "leader past the guarantee, relation-set --app",
			unit: charmtest.Unit{Leader: true, Relations: []charmtest.Relation{peers}, ClockStep: 31 * time.Second}, write: appData,
			tools: []string{"is-leader", "leader-get", "is-leader", "relation-set"}},
		{name: "lease lost past the guarantee",
			unit: charmtest.Unit{Leader: true, LoseLeadershipAfter: 1, ClockStep: 31 * time.Second}, write: appStatus,
			tools: []string{"is-leader", "leader-get", "is-leader"}, notLeadr: true},
		{name: "without the layer, Juju refuses", noLayer: true,
			unit: charmtest.Unit{Name: "app/1"}, write: appStatus,
			tools: []string{"status-set"}, notLeadr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var writeErr error
			charm := func(r *reactive.Registry) {
				if !tc.noLayer {
					leadership.Register(r, nil)
				}
				r.Handle("write", reactive.OnHook("config-changed"), func(ctx context.Context, h *reactive.Hook) error {
					writeErr = tc.write(ctx, h)
					return nil
				})
			}
			out := tc.unit.Run(t, charm, "config-changed")
			require.NoError(t, out.Err)
			var tools []string
			for _, c := range out.Calls {
				tools = append(tools, c.Tool)
			}
			assert.Equal(t, tc.tools, tools)
			assert.Equal(t, tc.notLeadr, errors.Is(writeErr, hookenv.ErrNotLeader), "write: %v", writeErr)
			if tc.notLeadr && !tc.noLayer {
				var te *hookenv.ToolError
				assert.False(t, errors.As(writeErr, &te), "refused before the tool ran: %v", writeErr)
			}
		})
	}
}
