package reactive_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/reactive"
)

// Ensure that discovery lists the external handlers of a charm: the
// executables with a shebang (or binaries) under reactive/, hooks/reactive/
// and hooks/relations/, in the order they run after the Go handlers.
func TestDiscoverExternal_Listing(t *testing.T) {
	charm := t.TempDir()
	for path, mode := range map[string]os.FileMode{
		"reactive/configure.sh":           0o755,
		"reactive/notes.sh":               0o644, // not executable
		"reactive/README.md":              0o755, // not a handler extension
		"hooks/relations/db/requires.sh":  0o755,
		"hooks/reactive/leadership":       0o755,
		"reactive/__pycache__/stale-file": 0o755, // skipped
	} {
		p := filepath.Join(charm, path)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte("#!/bin/sh\n"), mode))
		require.NoError(t, os.Chmod(p, mode)) // WriteFile's mode is masked by the umask
	}
	hs, err := reactive.DiscoverExternal(charm)
	require.NoError(t, err)
	var names []string
	for _, h := range hs {
		names = append(names, h.Name)
	}
	assert.Equal(t, []string{"reactive/configure.sh", "hooks/reactive/leadership", "hooks/relations/db/requires.sh"}, names)
}
