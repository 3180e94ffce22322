package main

import (
	"testing"

	"github.com/charmkit/charmkit/testing/jujusim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLeaderRemoved(t *testing.T) {
	m := jujusim.Start(t, jujusim.Options{ // a model in t.TempDir(), closed when the test ends
		Charm:    "testdata/charm",           // metadata.yaml (and config.yaml)
		Dispatch: jujusim.BuildCharm(t, "."), // CGO_ENABLED=0 go build, once per test binary
		Units:    3,
	})
	require.NoError(t, m.Deploy()) // install, leader-elected / leader-settings-changed, config-changed, start

	require.NoError(t, m.RemoveUnit(m.Leader()))
	require.NoError(t, m.Elect(m.Unit(1))) // waits out the old leader's 30 s guarantee, on a simulated clock
	require.NoError(t, m.Settle())         // run every queued hook

	for _, u := range m.Units() {
		flags, err := u.Flags() // read from the unit's real .unit-state.db
		require.NoError(t, err)
		assert.Contains(t, flags, "leadership.set.greeting", u.Name())
	}
	settings, err := m.LeaderSettings() // what Juju holds
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"greeting": "hello"}, settings)
	require.NoError(t, m.CheckInvariants()) // e.g. no two units ever held a leadership guarantee at once
}
