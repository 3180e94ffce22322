package main

import (
	"archive/zip"
	"bytes"
	"context"
	"debug/elf"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// charmDir is the password charm's directory, two levels up.
const charmDir = "../.."

// readZip returns the entries of a zip archive by name, in order.
func readZip(tb testing.TB, data []byte) (names []string, files map[string]*zip.File) {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(tb, err)
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

// Ensure that the archive has the layout Juju accepts: an executable
// dispatch at the root, metadata.yaml, config.yaml and a manifest.yaml whose
// bases name the binary's architecture.
func TestWriteCharm(t *testing.T) {
	files, err := readCharmDir(charmDir, "arm64")
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, writeCharm(&buf, []byte("\x7fELF fake"), files))

	names, zf := readZip(t, buf.Bytes())
	assert.Equal(t, []string{"dispatch", "metadata.yaml", "config.yaml", "manifest.yaml"}, names)
	assert.Equal(t, os.FileMode(0o755), zf["dispatch"].Mode().Perm())
	assert.True(t, zf["dispatch"].Mode().IsRegular())
	assert.Equal(t, os.FileMode(0o644), zf["metadata.yaml"].Mode().Perm())
	assert.Equal(t, "\x7fELF fake", string(content(t, zf["dispatch"])))

	var md struct {
		Name  string
		Peers map[string]struct{ Interface string }
	}
	require.NoError(t, yaml.Unmarshal(content(t, zf["metadata.yaml"]), &md))
	assert.Equal(t, "password", md.Name)
	assert.Contains(t, md.Peers, "cluster")

	var cfg struct {
		Options map[string]struct {
			Type    string
			Default any
		}
	}
	require.NoError(t, yaml.Unmarshal(content(t, zf["config.yaml"]), &cfg))
	assert.Equal(t, "admin_password", cfg.Options["password-file"].Default)
	assert.Equal(t, "", cfg.Options["motd"].Default)
	assert.Equal(t, "", cfg.Options["fail-on-unit"].Default)

	var mf struct {
		Bases []struct {
			Name          string
			Channel       string
			Architectures []string
		}
	}
	require.NoError(t, yaml.Unmarshal(content(t, zf["manifest.yaml"]), &mf))
	require.NotEmpty(t, mf.Bases)
	for _, b := range mf.Bases {
		assert.Equal(t, "ubuntu", b.Name)
		assert.Equal(t, []string{"arm64"}, b.Architectures)
	}
}

// Ensure that the same inputs give the same archive, byte for byte.
func TestWriteCharm_Deterministic(t *testing.T) {
	files, err := readCharmDir(charmDir, "amd64")
	require.NoError(t, err)
	var a, b bytes.Buffer
	require.NoError(t, writeCharm(&a, []byte("bin"), files))
	require.NoError(t, writeCharm(&b, []byte("bin"), files))
	assert.Equal(t, a.Bytes(), b.Bytes())
}

// Ensure that bad charm files and flags are reported, naming the problem.
func TestPackErrors(t *testing.T) {
	write := func(tb testing.TB, dir, name, data string) {
		tb.Helper()
		require.NoError(tb, os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644))
	}
	good := map[string]string{
		"metadata.yaml": "name: x\n",
		"config.yaml":   "options:\n  a: {type: string, default: ''}\n",
		"manifest.yaml": "bases:\n- {name: ubuntu, channel: '22.04', architectures: [amd64]}\n",
	}
	tests := []struct {
		name    string
		file    string
		data    string
		wantErr string
	}{
		{"metadata without name", "metadata.yaml", "summary: x\n", "metadata.yaml: no name"},
		{"metadata not yaml", "metadata.yaml", "name: [\n", "metadata.yaml"},
		{"config option with a bad type", "config.yaml", "options:\n  a: {type: str}\n", `config.yaml: option "a": invalid type "str"`},
		{"manifest without bases", "manifest.yaml", "analysis: {}\n", "manifest.yaml: no bases"},
		{"manifest base without channel", "manifest.yaml", "bases:\n- {name: ubuntu}\n", "manifest.yaml: base 0 needs a name and a channel"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for n, d := range good {
				write(t, dir, n, d)
			}
			write(t, dir, tc.file, tc.data)
			_, err := readCharmDir(dir, "amd64")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
	t.Run("missing file", func(t *testing.T) {
		_, err := readCharmDir(t.TempDir(), "amd64")
		require.ErrorIs(t, err, os.ErrNotExist)
		assert.Contains(t, err.Error(), "metadata.yaml")
	})
	t.Run("empty dispatch", func(t *testing.T) {
		assert.EqualError(t, writeCharm(io.Discard, nil, nil), "empty dispatch binary")
	})
	t.Run("bad flags", func(t *testing.T) {
		var stderr bytes.Buffer
		err := run(context.Background(), []string{"-arch", "mips"}, &stderr)
		assert.EqualError(t, err, `unsupported architecture "mips" (want one of amd64, arm64, ppc64le, s390x, riscv64)`)
		err = run(context.Background(), []string{"extra"}, &stderr)
		assert.EqualError(t, err, `unexpected arguments ["extra"]`)
	})
}

// Ensure that the command writes the archive to -o from a prebuilt binary,
// leaving no temporary file.
func TestRun_Prebuilt(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	require.NoError(t, os.WriteFile(bin, []byte("binary"), 0o755))
	out := filepath.Join(dir, "out.charm")
	require.NoError(t, run(context.Background(), []string{"-o", out, "-src", charmDir, "-dispatch", bin}, io.Discard))
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	names, zf := readZip(t, data)
	assert.Equal(t, []string{"dispatch", "metadata.yaml", "config.yaml", "manifest.yaml"}, names)
	assert.Equal(t, "binary", string(content(t, zf["dispatch"])))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2, "only the binary and the archive")
}

// Ensure that the command, as `make charm` runs it, builds a static Linux
// binary with CGO_ENABLED=0 and packs it as dispatch.
func TestRun_Build(t *testing.T) {
	out := filepath.Join(t.TempDir(), "password.charm")
	var stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-o", out}, &stderr), stderr.String())
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	names, zf := readZip(t, data)
	assert.Equal(t, []string{"dispatch", "metadata.yaml", "config.yaml", "manifest.yaml"}, names)
	bin := content(t, zf["dispatch"])
	f, err := elf.NewFile(bytes.NewReader(bin))
	require.NoError(t, err, "dispatch is an ELF binary")
	assert.Equal(t, elf.EM_X86_64, f.Machine)
	for _, p := range f.Progs {
		assert.NotEqual(t, elf.PT_INTERP, p.Type, "statically linked: no program interpreter")
	}
	assert.Equal(t, os.FileMode(0o755), zf["dispatch"].Mode().Perm())
}
