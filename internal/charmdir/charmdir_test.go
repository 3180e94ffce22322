package charmdir

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func write(t *testing.T, path, text string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
}

// Ensure that Find walks up to the first directory with metadata, takes a
// charmcraft.yaml only when it holds the metadata, and stops at go.mod.
func TestFind(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "go.mod"), "module x\n")
	write(t, filepath.Join(root, "a", "metadata.yaml"), "name: a\n")
	write(t, filepath.Join(root, "b", "charmcraft.yaml"), "type: charm\n")
	write(t, filepath.Join(root, "c", "charmcraft.yaml"), "name: c\ntype: charm\n")
	for _, d := range []string{"a/charm/x", "b/charm", "c/charm"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, d), 0o755))
	}
	assert.Equal(t, filepath.Join(root, "a"), Find(filepath.Join(root, "a", "charm", "x")))
	assert.Equal(t, "", Find(filepath.Join(root, "b", "charm")), "build-only charmcraft.yaml, then go.mod")
	assert.Equal(t, filepath.Join(root, "c"), Find(filepath.Join(root, "c", "charm")))
	write(t, filepath.Join(root, "metadata.yaml"), "name: top\n")
	assert.Equal(t, root, Find(filepath.Join(root, "b", "charm")), "the module root itself counts")
}
