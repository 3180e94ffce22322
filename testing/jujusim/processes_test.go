package jujusim_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ensure that a steady-state config-changed hook of the compiled password
// charm starts few hook-tool processes (docs/design.md, "Deliberate
// improvements over Python"): one relation-ids for its clients endpoint, one
// is-leader and one leader-get at hook start, one config-get (cached for the
// hook), one status-set, and one juju-log for the hook's batched log
// records. The Python stack starts 13 on the leader and 11 on a follower
// for the charm without the clients endpoint.
func TestPasswordCharm_ToolProcessesPerHook(t *testing.T) {
	m := newPasswordModel(t, 2)
	require.NoError(t, m.Deploy())
	want := map[string]int{"relation-ids": 1, "is-leader": 1, "leader-get": 1, "config-get": 1, "status-set": 1, "juju-log": 1}
	for _, u := range m.Units() {
		ev, err := u.Run("config-changed")
		require.NoError(t, err)
		got := map[string]int{}
		for _, c := range ev.Calls {
			got[c.Tool]++
		}
		assert.Equal(t, want, got, "%s (leader=%v): %v", u.Name(), ev.Leader, ev.Calls)
	}
}
