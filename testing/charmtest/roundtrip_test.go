package charmtest

import (
	"testing"

	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/testing/fakejuju"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ensure that the real hookenv wrappers decode what the fake tools print, so
// the fake cannot drift from what the framework parses.
func TestTools_HookenvRoundTrip(t *testing.T) {
	t.Parallel()
	u := Unit{
		Name:           "app/0",
		Leader:         true,
		LeaderSettings: map[string]string{"admin_password": "s3cret", "motd": "hi <&>"},
		Config:         map[string]any{"port": 8080, "debug": true, "ratio": 0.5, "name": "x", "unset": nil},
		Relations:      []Relation{peers, db},
		Status:         Status{State: "waiting", Message: "w"},
	}
	m := newTestModel(t, u, "config-changed")
	ctx := t.Context()
	tools := &hookenv.Tools{Runner: m}

	isLeader, err := tools.IsLeader(ctx)
	require.NoError(t, err)
	assert.True(t, isLeader)

	all, err := tools.LeaderGet(ctx)
	require.NoError(t, err)
	assert.Equal(t, u.LeaderSettings, all)
	v, found, err := tools.LeaderGetKey(ctx, "motd")
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, "hi <&>", v)

	require.NoError(t, tools.LeaderSet(ctx, map[string]string{"motd": "", "new": "n"}))
	all, err = tools.LeaderGet(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"admin_password": "s3cret", "new": "n"}, all)
	_, found, err = tools.LeaderGetKey(ctx, "motd")
	require.NoError(t, err)
	assert.False(t, found, "a deleted key is absent")

	cfg, err := tools.ConfigGet(ctx)
	require.NoError(t, err)
	assert.Equal(t, hookenv.Config{"port": int64(8080), "debug": true, "ratio": 0.5, "name": "x", "unset": nil}, cfg)

	require.NoError(t, tools.StatusSet(ctx, hookenv.Status{State: "active", Message: "-ready"}))
	require.NoError(t, tools.StatusSet(ctx, hookenv.Status{State: "blocked", Message: "app", Application: true}))
	st, err := tools.StatusGet(ctx)
	require.NoError(t, err)
	assert.Equal(t, "active", st.Status)
	assert.Equal(t, "-ready", st.Message)
	ast, err := tools.ApplicationStatusGet(ctx)
	require.NoError(t, err)
	assert.Equal(t, "blocked", ast.Status)
	assert.Equal(t, "active", ast.Units["app/0"].Status)
	require.NoError(t, tools.ApplicationVersionSet(ctx, "1.2"))
	m.view(t, func(m *fakejuju.Model) { assert.Equal(t, "1.2", m.Units["app/0"].Version) })

	ids, err := tools.RelationIDs(ctx, "peers")
	require.NoError(t, err)
	assert.Equal(t, []string{"peers:1"}, ids)
	units, err := tools.RelationList(ctx, "peers:1")
	require.NoError(t, err)
	assert.Equal(t, []string{"app/1", "app/2"}, units)
	app, err := tools.RelationApp(ctx, "db:3")
	require.NoError(t, err)
	assert.Equal(t, "mysql", app)
	bag, err := tools.RelationGet(ctx, "peers:1", true, "app")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"shared": "yes"}, bag)
	require.NoError(t, tools.RelationSet(ctx, "peers:1", true, map[string]string{"shared": "", "k": "v w"}))
	bag, err = tools.RelationGet(ctx, "peers:1", true, "app")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"k": "v w"}, bag, "the writer sees its pending write")
	val, found, err := tools.RelationGetKey(ctx, "peers:1", false, "addr", "app/2")
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, "10.0.0.3", val)

	require.NoError(t, tools.RelationSet(ctx, "db:3", false, map[string]string{"user": "u"}))
	mine, err := tools.RelationGet(ctx, "db:3", false, "app/0")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"user": "u"}, mine)
}

// Ensure that a follower's writes come back as the errors the wrappers promise.
func TestTools_HookenvFollowerErrors(t *testing.T) {
	t.Parallel()
	m := newTestModel(t, Unit{Name: "app/1", Relations: []Relation{dbFollower}}, "config-changed")
	ctx := t.Context()
	tools := &hookenv.Tools{Runner: m}

	err := tools.LeaderSet(ctx, map[string]string{"k": "v"})
	assert.ErrorIs(t, err, hookenv.ErrNotLeader)
	var te *hookenv.ToolError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "cannot write leadership settings: cannot write settings: not the leader", te.Message)

	err = tools.StatusSet(ctx, hookenv.Status{State: "active", Application: true})
	assert.ErrorIs(t, err, hookenv.ErrNotLeader)

	tracker := &hookenv.LeaderTracker{Tools: tools}
	ok, err := tracker.IsLeader(ctx)
	require.NoError(t, err)
	assert.False(t, ok)
	assert.ErrorIs(t, tracker.RequireLeader(ctx), hookenv.ErrNotLeader)
}
