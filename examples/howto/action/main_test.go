package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/testing/charmtest"
)

// snippet:test

// The action copies the file and reports where; a bad name fails the action
// with a message for the user. charmtest checks the parameters against
// actions.yaml before the action runs, as Juju does.
func TestBackup(t *testing.T) {
	t.Parallel()
	out := charmtest.Unit{Name: "app/0"}.Run(t, Register, "install")
	require.NoError(t, out.Err)

	act := out.RunAction(t, Register, "backup", nil) // name: actions.yaml's default
	require.NoError(t, act.Err)
	assert.False(t, act.Action.Failed)
	assert.Equal(t, map[string]any{"path": "/var/backups/howto-action/app.conf.bak"}, act.Action.Results)
	assert.Equal(t, "port = 8080\n", act.Files["/var/backups/howto-action/app.conf.bak"])

	act = out.RunAction(t, Register, "backup", map[string]any{"name": "../../etc/passwd"})
	require.NoError(t, act.Err, "the process succeeded; the action failed")
	assert.True(t, act.Action.Failed)
	assert.Equal(t, `name "../../etc/passwd": give a file name, not a path`, act.Action.Message)
}

// end snippet
