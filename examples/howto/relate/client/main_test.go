package main

import (
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/testing/charmtest"
)

// snippet:test

// The file follows the provider's application bag: written once the
// credentials are there, removed when the provider's last unit departs.
func TestCredentialsFile(t *testing.T) {
	t.Parallel()
	u := charmtest.Unit{Name: "client/0", Relations: []charmtest.Relation{{ID: "server:5", RemoteApp: "server",
		Units:         map[string]map[string]string{"server/0": {}},
		RemoteAppData: map[string]string{"username": "app", "password": "s3cret"}}}}
	out := u.Run(t, Register, "server-relation-changed")
	require.NoError(t, out.Err)
	assert.Equal(t, "app:s3cret\n", out.Files[CredentialsFile])
	mode, _ := out.FileMode(CredentialsFile)
	assert.Equal(t, fs.FileMode(0o600), mode)
	assert.True(t, out.HasFlag("server.available"))

	out = out.Run(t, Register, "server-relation-departed") // server/0 leaves
	require.NoError(t, out.Err)
	_, ok := out.File(CredentialsFile)
	assert.False(t, ok)
	assert.False(t, out.HasFlag("server.available"))
}

// end snippet
