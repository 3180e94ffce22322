package jujusim_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/testing/jujusim"
)

// Relating the two example charms, in short: every client unit gets the
// password, and loses it with the relation.
func TestPasswordClient(t *testing.T) {
	t.Parallel()
	m := jujusim.Start(t, jujusim.Options{Charm: "../../examples/password-charm", Units: 3,
		Dispatch: jujusim.BuildCharm(t, "github.com/charmkit/charmkit/examples/password-charm")})
	client, err := m.AddApplication(jujusim.AppOptions{Charm: "../../examples/password-client", Units: 2,
		Dispatch: jujusim.BuildCharm(t, "github.com/charmkit/charmkit/examples/password-client")})
	require.NoError(t, err)
	require.NoError(t, m.Deploy())

	rel, err := m.Relate("password-client", "password") // juju integrate
	require.NoError(t, err)
	require.NoError(t, m.Settle()) // relation-created, -joined, -changed on both sides
	settings, err := m.LeaderSettings()
	require.NoError(t, err)
	for _, u := range client.Units() {
		b, err := u.ReadFile("server_password")
		require.NoError(t, err)
		assert.Equal(t, settings["admin_password"], string(b), u.Name())
		flags, err := u.Flags()
		require.NoError(t, err)
		assert.Contains(t, flags, "server.available", u.Name())
	}

	require.NoError(t, m.RemoveRelation(rel)) // juju remove-relation
	require.NoError(t, m.Settle())
	for _, u := range client.Units() {
		_, err := u.ReadFile("server_password")
		assert.ErrorIs(t, err, os.ErrNotExist, u.Name())
	}
	require.NoError(t, m.CheckInvariants()) // relation rules: joined then changed, leader-only app writes, ...
}
