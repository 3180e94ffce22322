package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	moduleOnce sync.Once
	moduleDir  string
	moduleErr  error
)

// testModule is a temporary module, charmvettest, holding the analyzer's
// test charms (analysis/charmvet/testdata/src) and using this repository's
// charmkit through a replace directive, with its go.sum: it loads offline.
func testModule(tb testing.TB) string {
	tb.Helper()
	moduleOnce.Do(func() {
		moduleDir, moduleErr = os.MkdirTemp("", "charmvettest")
		if moduleErr != nil {
			return
		}
		if moduleErr = os.CopyFS(moduleDir, os.DirFS(filepath.Join(repoRoot, "analysis/charmvet/testdata/src"))); moduleErr != nil {
			return
		}
		var gomod, gosum []byte
		if gomod, moduleErr = os.ReadFile(filepath.Join(repoRoot, "go.mod")); moduleErr != nil {
			return
		}
		if gosum, moduleErr = os.ReadFile(filepath.Join(repoRoot, "go.sum")); moduleErr != nil {
			return
		}
		text := strings.Replace(string(gomod), "module github.com/charmkit/charmkit\n", "module charmvettest\n", 1) +
			"\nrequire github.com/charmkit/charmkit v0.0.0\n\nreplace github.com/charmkit/charmkit => " + repoRoot + "\n"
		if moduleErr = os.WriteFile(filepath.Join(moduleDir, "go.mod"), []byte(text), 0o644); moduleErr != nil {
			return
		}
		moduleErr = os.WriteFile(filepath.Join(moduleDir, "go.sum"), gosum, 0o644)
	})
	require.NoError(tb, moduleErr)
	return moduleDir
}

// Ensure that the examples get no diagnostic at all: no false positive on
// real charms (the password charm declares the one flag only its tests
// read).
func TestVet_Examples(t *testing.T) {
	t.Parallel()
	r := charmkit(t, repoRoot, "vet", "./examples/...")
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Empty(t, r.stdout)
	assert.Empty(t, r.stderr)
}

// Ensure that each of the five mistakes of the test charm is printed with
// its position, that errors exit 1, and that warnings alone exit 0 (and
// disappear with -unwatched=false).
func TestVet_Mistakes(t *testing.T) {
	t.Parallel()
	dir := testModule(t)
	r := charmkit(t, dir, "vet", "./mistakes")
	assert.Equal(t, 1, r.code, r.stderr)
	for _, want := range []string{
		`mistakes/mistakes.go:21:36: flag "leadership.is-leader" is watched but never set (did you mean "leadership.is_leader"?)`,
		`mistakes/mistakes.go:27:38: flag "leadership.set.api-token" is watched but never set: it is set while leader setting "api-token" has a value, and no code writes that key (the key written is "api_token")`,
		`mistakes/mistakes.go:30:32: leader setting "api-token" is read but never written`,
		`mistakes/mistakes.go:36:40: flag "config.changed.port" is watched but never set: config.* flags are set by the config layer, and this charm does not import it (config.Register)`,
		`mistakes/mistakes.go:43:12: config option "prot" is read but it is not in config.yaml (did you mean "port"?)`,
		`mistakes/mistakes.go:49:40: OnHook: "config-chagned" is neither a Juju hook nor a hook of the names in metadata.yaml (did you mean "config-changed"?)`,
		`mistakes/mistakes.go:52:21: warning: flag "orphan" is set but never watched`,
	} {
		assert.Contains(t, "\n"+r.stdout, "\n"+want, "output:\n%s", r.stdout)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	assert.Len(t, lines, 9, "one line per diagnostic, in position order")
	assert.True(t, strings.HasPrefix(lines[0], "mistakes/mistakes.go:21:"), lines[0])

	// A charm whose only finding is a warning.
	warn := filepath.Join(dir, "onlywarning")
	require.NoError(t, os.MkdirAll(warn, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(warn, "w.go"), []byte(`package onlywarning

import (
	"context"

	"github.com/charmkit/charmkit/reactive"
)

func Register(r *reactive.Registry) {
	r.Handle("install", reactive.OnHook("install"), func(ctx context.Context, h *reactive.Hook) error {
		return h.SetFlag("nobody.watches")
	})
}
`), 0o644))
	r = charmkit(t, dir, "vet", "./onlywarning")
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "onlywarning/w.go:11:20: warning: flag \"nobody.watches\" is set but never watched by any handler, trigger or imported layer (declare readers the analysis cannot see with //charmkit:flags reads)\n", r.stdout)
	r = charmkit(t, dir, "vet", "-unwatched=false", "./onlywarning")
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Empty(t, r.stdout)
}

// Ensure that a package that does not load is an error, not silence.
func TestVet_LoadError(t *testing.T) {
	t.Parallel()
	r := charmkit(t, repoRoot, "vet", "./no/such/dir")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "charmkit vet:")
	assert.Empty(t, r.stdout)
}

// Ensure that charmkit is a go vet tool (unitchecker): the same
// diagnostics, with facts from the dependencies (the layer's flag-name
// function), nothing on the examples, and the analyzer's flag.
func TestVet_VetTool(t *testing.T) {
	t.Parallel()
	dir := testModule(t)
	r := runIn(t, dir, "go", "vet", "-vettool="+charmkitBin, "./mistakes", "./usesdb")
	assert.NotEqual(t, 0, r.code)
	for _, want := range []string{
		`mistakes/mistakes.go:21:36: flag "leadership.is-leader" is watched but never set`,
		`mistakes/mistakes.go:49:40: OnHook: "config-chagned" is neither a Juju hook`,
		`mistakes/mistakes.go:52:21: warning: flag "orphan" is set but never watched`,
		`usesdb/charm.go:22:34: flag "db.cache.joined" is watched but never set: "cache" is not an endpoint in metadata.yaml`,
	} {
		assert.Contains(t, r.stderr, want)
	}
	assert.Len(t, regexp.MustCompile(`(?m)^(mistakes|usesdb)/.*\.go:\d+:\d+: `).FindAllStringIndex(r.stderr, -1), 9+1, "output:\n%s", r.stderr)

	r = runIn(t, dir, "go", "vet", "-vettool="+charmkitBin, "-charmvet.unwatched=false", "./mistakes")
	assert.NotContains(t, r.stderr, "warning:")

	r = runIn(t, repoRoot, "go", "vet", "-vettool="+charmkitBin, "./examples/...")
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Empty(t, r.stderr)
}
