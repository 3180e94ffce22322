package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// golden compares got with testdata/name, or rewrites it with -update.
func golden(tb testing.TB, name, got string) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(tb, os.MkdirAll("testdata", 0o755))
		require.NoError(tb, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(tb, err, "run go test ./cmd/charmkit -run Graph -update to write the golden files")
	assert.Equal(tb, string(want), got, "differs from %s (-update rewrites it)", path)
}

// Ensure that the graph of each example, in both formats, is the golden
// text: both edges (flags a handler watches, flags it sets or clears,
// through helper functions and the leadership layer's writes), and the
// same text every time.
func TestGraph_Golden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, dir string
		args      []string
	}{
		{"hello", repoRoot, []string{"./examples/hello"}},
		{"password", repoRoot, []string{"./examples/password-charm/..."}},
		{"clean", "", []string{"./clean"}}, // the analyzer's test charm: triggers, NotUnless, helpers
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.dir
			if dir == "" {
				dir = testModule(t)
			}
			for format, ext := range map[string]string{"dot": ".dot", "mermaid": ".mmd"} {
				args := append([]string{"graph", "-format", format}, tc.args...)
				r := charmkit(t, dir, args...)
				require.Equal(t, 0, r.code, r.stderr)
				assert.Empty(t, r.stderr)
				golden(t, tc.name+ext, r.stdout)
			}
			r := charmkit(t, dir, append([]string{"graph"}, tc.args...)...)
			golden(t, tc.name+".dot", r.stdout) // dot is the default, and the text is the same every time
		})
	}
}

// Ensure that a bad format is a usage error and that a package without
// handlers says so.
func TestGraph_Errors(t *testing.T) {
	t.Parallel()
	r := charmkit(t, repoRoot, "graph", "-format", "svg", "./examples/hello")
	assert.Equal(t, 2, r.code)
	assert.Equal(t, "charmkit graph: unknown format \"svg\" (want dot or mermaid)\n", r.stderr)

	r = charmkit(t, repoRoot, "graph", "./examples/password-charm")
	assert.Equal(t, 0, r.code)
	assert.Contains(t, r.stderr, "no handler registrations found")
	assert.Contains(t, r.stdout, "digraph charm {")
}
