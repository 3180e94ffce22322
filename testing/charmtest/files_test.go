package charmtest_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/charmkit/charmkit/testing/charmtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ensure that ReadFiles reads named files, or every file but the store.
func TestReadFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "sub"), 0o755))
	for name, data := range map[string]string{"config.yaml": "options: {}\n", "sub/x": "x", ".unit-state.db": "db", ".unit-state.db-journal": "j"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), []byte(data), 0o600))
	}
	all, err := charmtest.ReadFiles(dir)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"config.yaml": "options: {}\n", "sub/x": "x"}, all)
	some, err := charmtest.ReadFiles(dir, "sub/x")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"sub/x": "x"}, some)
	_, err = charmtest.ReadFiles(dir, "missing.yaml")
	assert.ErrorIs(t, err, os.ErrNotExist)
	_, err = charmtest.ReadFiles(dir, "../escape")
	assert.ErrorContains(t, err, "not a clean path")
}

// Ensure that a tool call renders as a command line with ambiguous arguments quoted.
func TestToolCall_String(t *testing.T) {
	t.Parallel()
	tests := []struct {
		call charmtest.ToolCall
		want string
	}{
		{charmtest.ToolCall{Tool: "is-leader"}, "is-leader"},
		{charmtest.ToolCall{Tool: "leader-set", Args: []string{"motd="}}, "leader-set motd="},
		{charmtest.ToolCall{Tool: "status-set", Args: []string{"--", "active", "ready (leader)"}}, `status-set -- active "ready (leader)"`},
		{charmtest.ToolCall{Tool: "status-set", Args: []string{"--", "maintenance", ""}}, `status-set -- maintenance ""`},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, tc.call.String(), "%#v", tc.call)
	}
}
