package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/testing/charmtest"
)

// snippet:test

// The leader publishes the user name and the password in its application's
// bag as soon as a client unit joins; a follower publishes nothing.
func TestShare(t *testing.T) {
	t.Parallel()
	client := charmtest.Relation{ID: "clients:3", RemoteApp: "client",
		Units: map[string]map[string]string{"client/0": {}}}

	leader := charmtest.Unit{Name: "server/0", Leader: true, Relations: []charmtest.Relation{client}}
	out := leader.Run(t, Register, "clients-relation-joined")
	require.NoError(t, out.Err)
	password, ok := out.Setting(PasswordKey)
	require.True(t, ok)
	assert.Equal(t, map[string]string{"username": "app", "password": password}, out.Relations[0].AppData)

	follower := charmtest.Unit{Name: "server/1", LeaderSettings: out.LeaderSettings, Relations: []charmtest.Relation{client}}
	out = follower.Run(t, Register, "clients-relation-joined")
	require.NoError(t, out.Err)
	assert.Empty(t, out.CallsTo("relation-set"))
}

// end snippet
