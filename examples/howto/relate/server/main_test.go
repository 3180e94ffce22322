package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/testing/charmtest"
)

// snippet:test

// The leader keeps the user name and the password in a Juju secret and
// publishes its URI in its application's bag as soon as a client unit
// joins; a follower publishes nothing.
func TestShare(t *testing.T) {
	t.Parallel()
	client := charmtest.Relation{ID: "clients:3", RemoteApp: "client",
		Units: map[string]map[string]string{"client/0": {}}}

	leader := charmtest.Unit{Name: "server/0", Leader: true, Relations: []charmtest.Relation{client}}
	out := leader.Run(t, Register, "clients-relation-joined")
	require.NoError(t, out.Err)
	password, ok := out.Setting(PasswordKey)
	require.True(t, ok)
	require.Len(t, out.Secrets, 1)
	secret := out.Secrets[0]
	assert.Equal(t, map[string]string{"username": "app", "password": password}, secret.Revisions[len(secret.Revisions)-1])
	uri := out.Relations[0].AppData["secret-user"]
	assert.True(t, strings.HasSuffix(uri, "/"+strings.TrimPrefix(secret.ID, "secret:")), "the bag names the secret: %s", uri)
	assert.NotContains(t, out.Relations[0].AppData, "password", "the password is in the secret only")

	follower := charmtest.Unit{Name: "server/1", LeaderSettings: out.LeaderSettings, Relations: []charmtest.Relation{client}}
	out = follower.Run(t, Register, "clients-relation-joined")
	require.NoError(t, out.Err)
	assert.Empty(t, out.CallsTo("relation-set"))
}

// end snippet
