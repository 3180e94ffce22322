package main

import (
	"context"
	"io/fs"
	"maps"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/testing/charmtest"
)

// snippet:test

// The files are written, and the workload restarted, in the first hook, when
// an option changes and after a hand edit; never in a hook that changes
// nothing.
func TestConfigure(t *testing.T) {
	t.Parallel()
	restarts := 0
	register := func(r *reactive.Registry) {
		Register(r, func(context.Context) error { restarts++; return nil })
	}

	out := charmtest.Unit{}.Run(t, register, "install")
	require.NoError(t, out.Err)
	assert.Equal(t, "# Written by the charm: edits are overwritten.\nport = 8080\nlog-level = info\n", out.Files[ConfigFile])
	mode, _ := out.FileMode(ConfigFile)
	assert.Equal(t, fs.FileMode(0o640), mode)
	assert.Equal(t, serviceUnit, out.Files[UnitFile])
	assert.Equal(t, 1, restarts)

	out = out.Run(t, register, "update-status")
	require.NoError(t, out.Err)
	assert.Equal(t, 1, restarts, "same files: no restart")

	next := out.Unit
	next.Config = map[string]any{PortOption: 9090}
	out = next.Run(t, register, "config-changed")
	require.NoError(t, out.Err)
	assert.Contains(t, out.Files[ConfigFile], "port = 9090\n")
	assert.Equal(t, 2, restarts)

	next = out.Unit
	next.Files = maps.Clone(out.Files)
	next.Files[ConfigFile] = "port = 1\n" // an operator's edit
	out = next.Run(t, register, "update-status")
	require.NoError(t, out.Err)
	assert.Contains(t, out.Files[ConfigFile], "port = 9090\n", "the edit is undone")
	assert.Equal(t, 3, restarts)
}

// end snippet
