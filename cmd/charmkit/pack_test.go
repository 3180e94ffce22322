package main

import (
	"archive/zip"
	"bytes"
	"debug/elf"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// passwordCharm is the example charm's directory, from the module root.
const passwordCharm = "examples/password-charm"

func readZip(tb testing.TB, path string) (names []string, files map[string]*zip.File) {
	tb.Helper()
	zr, err := zip.OpenReader(path)
	require.NoError(tb, err)
	tb.Cleanup(func() { zr.Close() })
	files = map[string]*zip.File{}
	for _, f := range zr.File {
		names = append(names, f.Name)
		files[f.Name] = f
	}
	return names, files
}

func content(tb testing.TB, f *zip.File) []byte {
	tb.Helper()
	rc, err := f.Open()
	require.NoError(tb, err)
	defer rc.Close()
	b, err := io.ReadAll(rc)
	require.NoError(tb, err)
	return b
}

// Ensure that the command, as `make charm` runs it, builds a static Linux
// binary with CGO_ENABLED=0 and packs it as dispatch.
func TestPack_Build(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "password.charm")
	r := charmkit(t, repoRoot, "pack", "-o", out, passwordCharm)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, out+"\n", r.stdout, "the archive's path")
	names, zf := readZip(t, out)
	assert.Equal(t, []string{"dispatch", "metadata.yaml", "config.yaml", "actions.yaml", "manifest.yaml"}, names)
	bin := content(t, zf["dispatch"])
	f, err := elf.NewFile(bytes.NewReader(bin))
	require.NoError(t, err, "dispatch is an ELF binary")
	assert.Equal(t, elf.EM_X86_64, f.Machine)
	for _, p := range f.Progs {
		assert.NotEqual(t, elf.PT_INTERP, p.Type, "statically linked: no program interpreter")
	}
	assert.Equal(t, os.FileMode(0o755), zf["dispatch"].Mode().Perm())
}

// Ensure that -pkg builds another package than the charm directory, here
// the same charm named by its import path from a copy of its YAML files.
func TestPack_Pkg(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, f := range []string{"metadata.yaml", "config.yaml", "manifest.yaml"} {
		b, err := os.ReadFile(filepath.Join(repoRoot, passwordCharm, f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), b, 0o644))
	}
	out := filepath.Join(dir, "out.charm")
	r := charmkit(t, repoRoot, "pack", "-o", out, "-pkg", "./"+passwordCharm, dir)
	require.Equal(t, 0, r.code, r.stderr)
	_, zf := readZip(t, out)
	_, err := elf.NewFile(bytes.NewReader(content(t, zf["dispatch"])))
	assert.NoError(t, err)
}

// Ensure that the command writes the archive to -o from a prebuilt binary,
// leaving no temporary file, and names it after the charm by default.
func TestPack_Prebuilt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	require.NoError(t, os.WriteFile(bin, []byte("binary"), 0o755))
	out := filepath.Join(dir, "out.charm")
	charmDir := filepath.Join(repoRoot, passwordCharm)
	r := charmkit(t, dir, "pack", "-o", out, "-dispatch", bin, charmDir)
	require.Equal(t, 0, r.code, r.stderr)
	names, zf := readZip(t, out)
	assert.Equal(t, []string{"dispatch", "metadata.yaml", "config.yaml", "actions.yaml", "manifest.yaml"}, names)
	assert.Equal(t, "binary", string(content(t, zf["dispatch"])))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2, "only the binary and the archive")

	r = charmkit(t, dir, "pack", "-dispatch", bin, charmDir)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "password.charm\n", r.stdout, "named after the charm")
	assert.FileExists(t, filepath.Join(dir, "password.charm"))
}

// Ensure that mistakes are reported with what to pass instead, usage
// mistakes with exit 2.
func TestPack_Errors(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	noGo := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(noGo, "metadata.yaml"), []byte("name: x\n"), 0o644))
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"bad arch", []string{"-arch", "mips", passwordCharm}, 2,
			"charmkit pack: unsupported architecture \"mips\" (want one of amd64, arm64, ppc64le, s390x, riscv64)\n"},
		{"two directories", []string{"a", "extra"}, 2, "charmkit pack: unexpected arguments [\"extra\"] (pass one charm directory)\n"},
		{"no metadata", []string{empty}, 1,
			"charmkit pack: no metadata.yaml or charmcraft.yaml in " + empty + ": pass the charm directory\n"},
		{"no Go package", []string{noGo}, 1,
			"charmkit pack: no Go main package in " + noGo + ": pass -pkg with the package that builds the charm's dispatch, or -dispatch with a built binary\n"},
		{"pkg and dispatch", []string{"-pkg", ".", "-dispatch", "x", passwordCharm}, 1, "charmkit pack: pass -pkg or -dispatch, not both\n"},
		{"bad metadata", []string{"-dispatch", "x", filepath.Join(passwordCharm, "charm")}, 1,
			"charmkit pack: no metadata.yaml or charmcraft.yaml in " + filepath.Join(passwordCharm, "charm") + ": pass the charm directory\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := charmkit(t, repoRoot, append([]string{"pack"}, tc.args...)...)
			assert.Equal(t, tc.code, r.code)
			assert.Equal(t, tc.stderr, r.stderr)
			assert.Empty(t, r.stdout)
		})
	}
}
