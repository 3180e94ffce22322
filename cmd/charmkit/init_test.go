package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/charmkit/charmkit/internal/charminit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goIn runs the go command in dir, offline, without changing go.mod, and
// with CGO_ENABLED=0 as make test does.
func goIn(tb testing.TB, dir string, args ...string) result {
	tb.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=readonly", "CGO_ENABLED=0")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		require.True(tb, ok, "running go %q: %v", args, err)
		code = ee.ExitCode()
	}
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// Ensure that the module init creates builds, passes its own tests (the
// charmtest table and the three-unit jujusim test), passes go vet and
// charmkit vet (run as go tool charmkit, as its Makefile does) with nothing
// to report, is gofmt-clean and packs, offline: -replace points it at this
// checkout.
func TestInit_GeneratedModulePasses(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "demo_charm")
	r := charmkit(t, ".", "init", "-module", "example.com/demo", "-replace", repoRoot, dir)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Empty(t, r.stderr)
	assert.Contains(t, r.stdout, "created the charm demo-charm in "+dir+" (module example.com/demo):\n  go.mod\n  go.sum\n")
	for _, f := range []string{"main.go", "charm/charm.go", "charm/charm_test.go", "sim_test.go", "metadata.yaml", "config.yaml", "charmcraft.yaml", "Makefile", "README.md", ".gitignore"} {
		assert.Contains(t, r.stdout, "  "+f+"\n")
		assert.FileExists(t, filepath.Join(dir, filepath.FromSlash(f)))
	}
	assert.NotContains(t, r.stdout, "go get", "with -replace there is nothing to fetch")

	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	require.NoError(t, err)
	assert.Contains(t, string(gomod), "module example.com/demo\n")
	assert.Contains(t, string(gomod), "replace github.com/charmkit/charmkit => "+repoRoot+"\n")
	assert.Contains(t, string(gomod), "tool github.com/charmkit/charmkit/cmd/charmkit\n")
	meta, err := os.ReadFile(filepath.Join(dir, "metadata.yaml"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(meta), "name: demo-charm\n"), "the name comes from the directory")

	gofmt := goIn(t, dir, "fmt", "./...")
	assert.Equal(t, 0, gofmt.code, gofmt.stderr)
	assert.Empty(t, gofmt.stdout, "go fmt changed nothing")
	vet := goIn(t, dir, "vet", "./...")
	require.Equal(t, 0, vet.code, "go vet:\n%s%s", vet.stdout, vet.stderr)
	test := goIn(t, dir, "test", "-count=1", "./...")
	require.Equal(t, 0, test.code, "go test:\n%s%s", test.stdout, test.stderr)
	assert.Contains(t, test.stdout, "ok  \texample.com/demo\t")
	assert.Contains(t, test.stdout, "ok  \texample.com/demo/charm\t")

	// As the generated Makefile runs it: go.mod's tool directive works.
	cvet := goIn(t, dir, "tool", "charmkit", "vet", "./...")
	assert.Equal(t, 0, cvet.code, cvet.stderr)
	assert.Empty(t, cvet.stdout, "charmkit vet finds nothing")
	assert.Empty(t, cvet.stderr, "charmkit vet finds nothing")

	out := filepath.Join(t.TempDir(), "demo.charm")
	pack := charmkit(t, dir, "pack", "-o", out, ".")
	require.Equal(t, 0, pack.code, pack.stderr)
	names, _ := readZip(t, out)
	assert.Equal(t, []string{"dispatch", "metadata.yaml", "config.yaml", "manifest.yaml"}, names)
}

// Ensure that without -replace go.mod requires no unpublished version and
// the next steps say how to fetch charmkit; and that names and directories
// that cannot work are refused with exit status 2 (1 for a directory in
// use), writing nothing.
func TestInit_Options(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	dir := filepath.Join(base, "web")
	r := charmkit(t, ".", "init", "-name", "my-web", dir)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "created the charm my-web in "+dir+" (module web):\n")
	assert.Contains(t, r.stdout, "\nnext:\n  cd "+dir+"\n  go get github.com/charmkit/charmkit@latest\n  go mod tidy\n  make test")
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	require.NoError(t, err)
	assert.Regexp(t, `^module web\n\ngo 1\.[0-9]+(\.[0-9]+)?\n\ntool github.com/charmkit/charmkit/cmd/charmkit\n$`, string(gomod))
	assert.NoFileExists(t, filepath.Join(dir, "go.sum"))
	mk, err := os.ReadFile(filepath.Join(dir, "Makefile"))
	require.NoError(t, err)
	assert.Contains(t, string(mk), "\t$(GO) tool charmkit pack -o my-web.charm .\n")

	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no directory", []string{"init"}, 2, "charmkit init: pass the new module's directory"},
		{"two directories", []string{"init", "a", "b"}, 2, "charmkit init: pass the new module's directory"},
		{"directory in use", []string{"init", dir}, 1, "charmkit init: " + dir + " is not empty: init creates a new module; name a new directory\n"},
		{"bad name from the directory", []string{"init", filepath.Join(base, "9lives")}, 2, `"9lives" (from the directory's name) is not a valid charm name: pass -name`},
		{"bad name", []string{"init", "-name", "My_Charm", filepath.Join(base, "x")}, 2, `"My_Charm" is not a valid charm name`},
		{"bad module path", []string{"init", "-module", "example.com/a b", filepath.Join(base, "y")}, 2, `"example.com/a b" is not a valid module path: pass -module`},
		{"replace with no checkout", []string{"init", "-replace", base, filepath.Join(base, "z")}, 2, "-replace " + base + ": open " + filepath.Join(base, "go.mod")},
	}
	for _, tc := range tests {
		r := charmkit(t, ".", tc.args...)
		assert.Equal(t, tc.code, r.code, tc.name)
		assert.Contains(t, r.stderr, tc.want, tc.name)
		assert.Empty(t, r.stdout, tc.name)
	}
	for _, d := range []string{"9lives", "x", "y", "z"} {
		assert.NoDirExists(t, filepath.Join(base, d), "nothing written for a refused init")
	}
}

// Ensure that only a charmkit downloaded from the module proxy (which has a
// checksum) names its version in a new go.mod: a build inside a clone is
// stamped with a pseudo-version of a commit the proxy may not know.
func TestInstalledVersion(t *testing.T) {
	t.Parallel()
	const sum = "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
	tests := []struct {
		name    string
		path    string
		version string
		sum     string
		want    string
	}{
		{"release from the proxy", charminit.ModulePath, "v1.2.3", sum, "v1.2.3"},
		{"pseudo-version from the proxy", charminit.ModulePath, "v0.0.0-20261205173157-734f92e30313", sum, "v0.0.0-20261205173157-734f92e30313"},
		{"clean clone", charminit.ModulePath, "v0.0.0-20261205173157-734f92e30313", "", ""},
		{"dirty clone", charminit.ModulePath, "v0.0.0-20261205173157-734f92e30313+dirty", "", ""},
		{"dirty with a sum", charminit.ModulePath, "v1.2.4-0.20261205173157-734f92e30313+dirty", sum, ""},
		{"devel", charminit.ModulePath, "(devel)", "", ""},
		{"another main module", "example.com/other", "v1.0.0", sum, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bi := &debug.BuildInfo{Main: debug.Module{Path: tt.path, Version: tt.version, Sum: tt.sum}}
			assert.Equal(t, tt.want, installedVersion(bi))
		})
	}
}
