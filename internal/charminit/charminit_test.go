package charminit

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ensure that the charm name comes from the directory's base name.
func TestDefaultName(t *testing.T) {
	t.Parallel()
	for dir, want := range map[string]string{
		"/tmp/mycharm":    "mycharm",
		"my_Charm":        "my-charm",
		"x/web.app/":      "web-app",
		"/srv/My Charm 2": "my-charm-2",
	} {
		assert.Equal(t, want, DefaultName(dir), dir)
	}
}

// Ensure that the go.mod reader finds the directive, the requirements of
// both forms and the module path.
func TestParseGoMod(t *testing.T) {
	t.Parallel()
	goLine, reqs, mod := parseGoMod([]byte(`module "github.com/charmkit/charmkit"

go 1.26.8

require example.com/one v1.0.0

require (
	// a comment
	example.com/two v0.2.0
	example.com/three v0.3.0 // indirect
)
`))
	assert.Equal(t, "1.26.8", goLine)
	assert.Equal(t, "github.com/charmkit/charmkit", mod)
	assert.Equal(t, []string{"example.com/one v1.0.0", "example.com/two v0.2.0", "example.com/three v0.3.0 // indirect"}, reqs)
}

// Ensure that the charm's files are written in a fixed order, go.mod first,
// and that every template executes.
func TestInit_Files(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "new")
	res, err := Init(Options{Dir: dir, Module: "example.com/new", Version: "v1.2.3"})
	require.NoError(t, err)
	assert.Equal(t, []string{".gitignore", "Makefile", "README.md", "charm/charm.go", "charm/charm_test.go", "charmcraft.yaml", "config.yaml", "main.go", "metadata.yaml", "sim_test.go"}, res.Files[1:])
	assert.Equal(t, "go.mod", res.Files[0])
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	require.NoError(t, err)
	assert.Contains(t, string(gomod), "\nrequire github.com/charmkit/charmkit v1.2.3\n")
	main, err := os.ReadFile(filepath.Join(dir, "main.go"))
	require.NoError(t, err)
	assert.Contains(t, string(main), "\t\"example.com/new/charm\"\n")
	assert.NotContains(t, string(main), "[[")
}
