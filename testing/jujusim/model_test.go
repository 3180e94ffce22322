package jujusim_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/testing/jujusim"
)

// Ensure that Deploy runs Juju's first hooks in order on every unit and that
// the leader's secret reaches every unit.
func TestModel_Deploy(t *testing.T) {
	t.Parallel()
	m := newModel(t, 3)
	require.NoError(t, m.Deploy())

	assert.Equal(t, []string{
		"shared/0 install", "shared/0 leader-elected", "shared/0 config-changed", "shared/0 start",
		"shared/1 install", "shared/1 leader-settings-changed", "shared/1 config-changed", "shared/1 start",
		"shared/2 install", "shared/2 leader-settings-changed", "shared/2 config-changed", "shared/2 start",
	}, hooks(t, m))
	settings, err := m.LeaderSettings()
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"secret": "secret-from-shared/0-install"}, settings)
	for _, u := range m.Units() {
		assert.Equal(t, "secret-from-shared/0-install\n", readFile(t, u, "secret"), u.Name())
		assert.Empty(t, u.Pending(), u.Name())
	}
	st, err := m.Unit(0).Status()
	require.NoError(t, err)
	assert.Equal(t, "ready (leader)", st.Message)
	st, err = m.Unit(2).Status()
	require.NoError(t, err)
	assert.Equal(t, "ready (follower)", st.Message)
	require.NoError(t, m.CheckLeases())
}

// Ensure that every fake tool is linked into a unit's tools directory.
func TestModel_ToolsOnPath(t *testing.T) {
	t.Parallel()
	m := newModel(t, 1)
	want := jujusim.ToolNames()
	assert.Subset(t, want, []string{"is-leader", "leader-get", "leader-set", "config-get", "status-set", "status-get", "juju-log",
		"application-version-set", "relation-ids", "relation-list", "relation-get", "relation-set"})
	var got []string
	for _, name := range want {
		ev := mustExec(t, m.Unit(0), "command -v "+name)
		if ev.ExitCode == 0 {
			got = append(got, name)
		}
	}
	assert.Equal(t, want, got)
}

// Ensure that Event.Queued tells resolver-chosen hooks from one-offs.
func TestEvent_Queued(t *testing.T) {
	t.Parallel()
	m := deployed(t, 2)
	_, err := m.Unit(0).Exec("leader-set q=1")
	require.NoError(t, err)
	ev, err := m.Unit(1).Run("leader-settings-changed")
	require.NoError(t, err)
	assert.True(t, ev.Queued, "pending after the leader's write")
	ev, err = m.Unit(1).Run("leader-settings-changed")
	require.NoError(t, err)
	assert.False(t, ev.Queued, "a one-off: nothing was pending")
	require.NoError(t, m.CheckInvariants())
}

// Ensure that a unit added after deployment runs its first hooks and gets
// the secret, and that its status history and juju-log records are kept.
func TestModel_AddUnitLater(t *testing.T) {
	t.Parallel()
	m := deployed(t, 1)
	u, err := m.AddUnit()
	require.NoError(t, err)
	assert.Equal(t, "shared/1", u.Name())
	assert.False(t, u.Installed())
	assert.Equal(t, []string{"install", "leader-settings-changed", "config-changed", "start"}, u.Pending())
	require.NoError(t, m.Settle())
	assert.True(t, u.Installed())
	assert.False(t, u.IsLeader())
	assert.True(t, m.Unit(0).IsLeader())
	assert.Equal(t, "secret-from-shared/0-install\n", readFile(t, u, "secret"))
	history, err := u.StatusHistory()
	require.NoError(t, err)
	require.Len(t, history, 4, "one status-set per hook")
	assert.Equal(t, "ready (follower)", history[3].Message)
	logs, err := u.Logs()
	require.NoError(t, err)
	require.Len(t, logs, 4)
	assert.Equal(t, jujusim.LogRecord{Level: "DEBUG", Message: "hook install"}, logs[0])
	assert.Equal(t, []string{"shared/0", "shared/1"}, []string{m.Units()[0].Name(), m.Units()[1].Name()})
}
