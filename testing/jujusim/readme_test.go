package jujusim_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/testing/jujusim"
)

// Relating the two example charms, in short: every client unit gets the
// password (from a secret the password application grants to the
// relation), and loses it with the relation; a rotation then retires the
// password the clients knew, so that no live password is left outside
// Juju's secrets.
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

	password, err := m.Leader().ReadFile("admin_password") // the leader's copy of the password Juju keeps in a secret
	require.NoError(t, err)
	for _, u := range client.Units() {
		b, err := u.ReadFile("server_password")
		require.NoError(t, err)
		assert.Equal(t, string(password), string(b), u.Name())
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

	ev, err := m.Leader().RunAction("rotate-password", nil) // juju run password/leader rotate-password
	require.NoError(t, err)
	require.False(t, ev.Action.Failed, ev.Action.Message)
	require.NoError(t, m.Settle())          // every unit writes the new password; the old revision is removed
	require.NoError(t, m.CheckInvariants()) // relation rules, leader-only app writes, no live password outside its secret, ...
}
