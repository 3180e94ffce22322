package hookenv_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/hookenv"
)

// fakeClock is a settable clock.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time          { return c.now }
func (c *fakeClock) Advance(d time.Duration) { c.now = c.now.Add(d) }
func newClock() *fakeClock                   { return &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

// answers is an is-leader runner that plays a list of answers (true, false, or an
// error) and counts calls; it advances clock by step during each call, so the
// tracker must take its timestamp before the call.
type answers struct {
	tb    testing.TB
	clock *fakeClock
	step  time.Duration
	list  []any
	calls int
}

func (a *answers) Run(_ context.Context, tool string, args []string, _ []byte) ([]byte, error) {
	a.tb.Helper()
	require.Equal(a.tb, "is-leader", tool)
	require.Equal(a.tb, []string{"--format=json"}, args)
	require.Less(a.tb, a.calls, len(a.list), "more is-leader calls than answers")
	ans := a.list[a.calls]
	a.calls++
	if a.clock != nil {
		a.clock.Advance(a.step)
	}
	switch v := ans.(type) {
	case bool:
		if v {
			return []byte("true\n"), nil
		}
		return []byte("false\n"), nil
	case error:
		return nil, v
	}
	panic("bad answer")
}

func TestLeaderTracker(t *testing.T) {
	unknown := hookenv.NewToolError("is-leader", []string{"--format=json"}, 1, "ERROR leadership status unknown: boom\n")
	type step struct {
		advance time.Duration
		op      string // "ask", "require", "guaranteed"
		want    any    // bool for ask/guaranteed; nil or error for require
	}
	for _, tc := range []struct {
		name    string
		answers []any
		steps   []step
	}{
		{name: "true is guaranteed for 30 s", answers: []any{true},
			steps: []step{{0, "ask", true}, {0, "guaranteed", true}, {29 * time.Second, "guaranteed", true},
				{0, "require", nil}, {time.Second, "guaranteed", false}}},
		{name: "require re-asks once the guarantee lapsed", answers: []any{true, true},
			steps: []step{{0, "ask", true}, {31 * time.Second, "guaranteed", false}, {0, "require", nil},
				{0, "guaranteed", true}, {10 * time.Second, "require", nil}}},
		{name: "lease lost after the guarantee: ErrNotLeader, then sticky", answers: []any{true, false},
			steps: []step{{0, "ask", true}, {45 * time.Second, "require", hookenv.ErrNotLeader},
				{0, "ask", false}, {0, "require", hookenv.ErrNotLeader}, {0, "guaranteed", false}}},
		{name: "false at hook start is sticky without asking again", answers: []any{false},
			steps: []step{{0, "ask", false}, {0, "ask", false}, {time.Hour, "ask", false},
				{0, "require", hookenv.ErrNotLeader}, {0, "guaranteed", false}}},
		{name: "require without an earlier answer asks", answers: []any{true},
			steps: []step{{0, "guaranteed", false}, {0, "require", nil}, {0, "guaranteed", true}}},
		{name: "a failed call is an error, not false, and not sticky", answers: []any{unknown, true},
			steps: []step{{0, "require", unknown}, {0, "guaranteed", false}, {0, "ask", true}}},
		{name: "a failed re-check is an error", answers: []any{true, unknown},
			steps: []step{{0, "ask", true}, {time.Minute, "require", unknown}, {0, "guaranteed", false}}},
		{name: "clock going backwards is not guaranteed", answers: []any{true, true},
			steps: []step{{0, "ask", true}, {-time.Second, "guaranteed", false}, {0, "require", nil}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := newClock()
			run := &answers{tb: t, list: tc.answers}
			lt := &hookenv.LeaderTracker{Tools: &hookenv.Tools{Runner: run}, Clock: clock.Now}
			for i, s := range tc.steps {
				clock.Advance(s.advance)
				switch s.op {
				case "ask":
					got, err := lt.IsLeader(t.Context())
					require.NoError(t, err, "step %d", i)
					assert.Equal(t, s.want, got, "step %d: IsLeader", i)
				case "guaranteed":
					assert.Equal(t, s.want, lt.Guaranteed(), "step %d: Guaranteed", i)
				case "require":
					err := lt.RequireLeader(t.Context())
					if s.want == nil {
						assert.NoError(t, err, "step %d: RequireLeader", i)
					} else {
						assert.ErrorIs(t, err, s.want.(error), "step %d: RequireLeader", i)
					}
				}
			}
			assert.Equal(t, len(tc.answers), run.calls, "is-leader calls")
		})
	}
}

// Ensure the guarantee is measured from just before the call, so a slow is-leader
// never extends it.
func TestLeaderTrackerTimestampBeforeCall(t *testing.T) {
	clock := newClock()
	run := &answers{tb: t, clock: clock, step: 20 * time.Second, list: []any{true}}
	lt := &hookenv.LeaderTracker{Tools: &hookenv.Tools{Runner: run}, Clock: clock.Now}
	ok, err := lt.IsLeader(t.Context())
	require.NoError(t, err)
	require.True(t, ok)
	clock.Advance(9 * time.Second) // 29 s after the request, 9 s after the answer
	assert.True(t, lt.Guaranteed())
	clock.Advance(time.Second) // 30 s after the request
	assert.False(t, lt.Guaranteed())
}

// Ensure the tracker works against real is-leader processes: hook start, a re-check
// after the guarantee lapsed, and a lost lease.
func TestLeaderTrackerWithTools(t *testing.T) {
	f := newFake(t, "tools/is-leader/tracker-lapse.txt")
	clock := newClock()
	lt := &hookenv.LeaderTracker{Tools: f.Tools(), Clock: clock.Now}
	ctx := t.Context()
	ok, err := lt.IsLeader(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, lt.RequireLeader(ctx)) // within the guarantee: no process
	assert.Equal(t, 1, f.Calls())
	clock.Advance(hookenv.LeadershipGuarantee)
	require.NoError(t, lt.RequireLeader(ctx))
	assert.Equal(t, 2, f.Calls())
	clock.Advance(hookenv.LeadershipGuarantee)
	err = lt.RequireLeader(ctx)
	require.ErrorIs(t, err, hookenv.ErrNotLeader)
	assert.Equal(t, "unit is not the leader: is-leader answered false", err.Error())
	err = lt.RequireLeader(ctx)
	require.ErrorIs(t, err, hookenv.ErrNotLeader)
	assert.Equal(t, "unit is not the leader: is-leader answered false earlier in this hook", err.Error())
	assert.Equal(t, 3, f.Calls())
	var te *hookenv.ToolError
	assert.False(t, errors.As(err, &te), "a sticky false runs no tool")
}

// Ensure Tools.Leader guards every leader-only write: a unit that answered false
// gets ErrNotLeader and no write runs; reads and unit writes are not guarded.
func TestToolsLeaderGuard(t *testing.T) {
	var ran []string
	runner := hookenv.RunnerFunc(func(_ context.Context, tool string, args []string, _ []byte) ([]byte, error) {
		ran = append(ran, tool)
		if tool == "is-leader" {
			return []byte("false\n"), nil
		}
		return nil, nil
	})
	tools := &hookenv.Tools{Runner: runner}
	tools.Leader = &hookenv.LeaderTracker{Tools: tools}
	ctx := t.Context()
	for _, tc := range []struct {
		name string
		do   func() error
		want string
	}{
		{"leader-set", func() error { return tools.LeaderSet(ctx, map[string]string{"k": "v"}) },
			"leader-set: unit is not the leader: is-leader answered false"},
		{"status-set --application", func() error {
			return tools.StatusSet(ctx, hookenv.Status{State: "active", Application: true})
		}, "status-set: unit is not the leader: is-leader answered false earlier in this hook"},
		{"relation-set --app", func() error { return tools.RelationSet(ctx, "peers:0", true, map[string]string{"k": "v"}) },
			"relation-set: unit is not the leader: is-leader answered false earlier in this hook"},
	} {
		err := tc.do()
		require.ErrorIs(t, err, hookenv.ErrNotLeader, tc.name)
		assert.Equal(t, tc.want, err.Error())
	}
	require.NoError(t, tools.StatusSet(ctx, hookenv.Status{State: "active"}))
	require.NoError(t, tools.RelationSet(ctx, "peers:0", false, map[string]string{"k": "v"}))
	assert.Equal(t, []string{"is-leader", "status-set", "relation-set"}, ran, "one is-leader, then only the unit writes")
}
