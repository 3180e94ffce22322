package charmpack_test

import (
	"archive/zip"
	"bytes"
	"context"
	"debug/elf"
	"encoding/binary"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/charmkit/charmkit/internal/charmpack"
)

// charmDir is the password charm's directory.
const charmDir = "../../examples/password-charm"

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

// fakeELF returns the 64-byte header of a little-endian 64-bit ELF
// executable for machine, with no program header: enough for debug/elf.
func fakeELF(machine elf.Machine) []byte {
	h := make([]byte, 64)
	copy(h, elf.ELFMAG)
	h[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	h[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	h[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	binary.LittleEndian.PutUint16(h[16:], uint16(elf.ET_EXEC))
	binary.LittleEndian.PutUint16(h[18:], uint16(machine))
	binary.LittleEndian.PutUint32(h[20:], uint32(elf.EV_CURRENT))
	binary.LittleEndian.PutUint16(h[52:], 64) // header size
	return h
}

// Ensure that the archive has the layout Juju accepts: an executable
// dispatch at the root, metadata.yaml, config.yaml, actions.yaml and a
// manifest.yaml whose bases name the binary's architecture.
func TestWriteCharm(t *testing.T) {
	charm, err := charmpack.ReadCharmDir(charmDir, "arm64")
	require.NoError(t, err)
	assert.Equal(t, "password", charm.Name)
	var buf bytes.Buffer
	require.NoError(t, charmpack.WriteCharm(&buf, []byte("\x7fELF fake"), charm.Files))

	names, zf := readZip(t, buf.Bytes())
	assert.Equal(t, []string{"dispatch", "metadata.yaml", "config.yaml", "actions.yaml", "manifest.yaml"}, names)
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

	var actions map[string]struct{ Description string }
	require.NoError(t, yaml.Unmarshal(content(t, zf["actions.yaml"]), &actions))
	assert.Contains(t, actions, "rotate-password")

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
	charm, err := charmpack.ReadCharmDir(charmDir, "amd64")
	require.NoError(t, err)
	var a, b bytes.Buffer
	require.NoError(t, charmpack.WriteCharm(&a, []byte("bin"), charm.Files))
	require.NoError(t, charmpack.WriteCharm(&b, []byte("bin"), charm.Files))
	assert.Equal(t, a.Bytes(), b.Bytes())
}

func write(tb testing.TB, dir, name, data string, mode fs.FileMode) {
	tb.Helper()
	p := filepath.Join(dir, name)
	require.NoError(tb, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(tb, os.WriteFile(p, []byte(data), mode))
}

// Ensure that bad charm files are reported, naming the problem.
func TestReadCharmDir_Errors(t *testing.T) {
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
		{"actions not yaml", "actions.yaml", "a: [\n", "actions.yaml"},
		{"link out of the charm", "files/x", "", "files/link: symbolic link to ../../outside leaves the charm directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for n, d := range good {
				write(t, dir, n, d, 0o644)
			}
			write(t, dir, tc.file, tc.data, 0o644)
			if tc.file == "files/x" {
				require.NoError(t, os.Symlink("../../outside", filepath.Join(dir, "files", "link")))
			}
			_, err := charmpack.ReadCharmDir(dir, "amd64")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
	t.Run("missing file", func(t *testing.T) {
		dir := t.TempDir()
		_, err := charmpack.ReadCharmDir(dir, "amd64")
		require.ErrorIs(t, err, os.ErrNotExist)
		require.ErrorIs(t, err, charmpack.ErrNoMetadata)
		assert.Contains(t, err.Error(), "metadata.yaml")
		assert.EqualError(t, err, "no metadata.yaml or charmcraft.yaml in "+dir+": pass the charm directory")
	})
	t.Run("empty dispatch", func(t *testing.T) {
		assert.EqualError(t, charmpack.WriteCharm(io.Discard, nil, nil), "empty dispatch binary")
	})
}

// Ensure that optional files and the packed directories go into the
// archive in a fixed order with their modes (executables 0755, links kept
// as links), and that a missing manifest is written for both Ubuntu bases.
func TestReadCharmDir_Layout(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "metadata.yaml", "name: full\n", 0o644)
	write(t, dir, "actions.yaml", "backup:\n  description: back up\n", 0o644)
	write(t, dir, "hooks/install", "#!/bin/sh\n", 0o755)
	write(t, dir, "reactive/b.sh", "#!/bin/bash\n", 0o755)
	write(t, dir, "reactive/a/README.md", "docs\n", 0o644)
	write(t, dir, "templates/conf.tmpl", "x={{.X}}\n", 0o644)
	write(t, dir, "files/.git/HEAD", "ignored\n", 0o644)
	write(t, dir, "src/ignored.txt", "not packed\n", 0o644)
	require.NoError(t, os.Symlink("../reactive/b.sh", filepath.Join(dir, "hooks", "start")))

	charm, err := charmpack.ReadCharmDir(dir, "s390x")
	require.NoError(t, err)
	var names []string
	modes := map[string]fs.FileMode{}
	for _, f := range charm.Files {
		names = append(names, f.Name)
		modes[f.Name] = f.Mode
	}
	assert.Equal(t, []string{"metadata.yaml", "actions.yaml", "manifest.yaml", "hooks/install", "hooks/start",
		"reactive/a/README.md", "reactive/b.sh", "templates/conf.tmpl"}, names)
	assert.Equal(t, fs.FileMode(0o755), modes["hooks/install"])
	assert.Equal(t, fs.FileMode(0o644), modes["reactive/a/README.md"])
	assert.NotZero(t, modes["hooks/start"]&fs.ModeSymlink)
	assert.Equal(t, string(charmpack.DefaultManifest("s390x")), string(charm.Files[2].Data))

	var mf struct {
		Bases []struct {
			Name, Channel string
			Architectures []string
		}
	}
	require.NoError(t, yaml.Unmarshal(charmpack.DefaultManifest("s390x"), &mf))
	require.Len(t, mf.Bases, 2)
	assert.Equal(t, "22.04", mf.Bases[0].Channel)
	assert.Equal(t, "24.04", mf.Bases[1].Channel)
	for _, b := range mf.Bases {
		assert.Equal(t, "ubuntu", b.Name)
		assert.Equal(t, []string{"s390x"}, b.Architectures)
	}

	var buf bytes.Buffer
	require.NoError(t, charmpack.WriteCharm(&buf, []byte("#!/bin/sh\n"), charm.Files))
	_, zf := readZip(t, buf.Bytes())
	assert.NotZero(t, zf["hooks/start"].Mode()&fs.ModeSymlink)
	assert.Equal(t, "../reactive/b.sh", string(content(t, zf["hooks/start"])))
}

// Ensure that a charmcraft.yaml holding the metadata inline gives
// metadata.yaml (title as display-name), config.yaml and actions.yaml, and
// that build keys stay out.
func TestReadCharmDir_Charmcraft(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "charmcraft.yaml", `type: charm
name: cc
title: A charm
summary: s
description: d
bases:
- build-on: [{name: ubuntu, channel: "22.04"}]
requires:
  db: {interface: mysql}
config:
  options:
    port: {type: int, default: 80}
actions:
  backup: {description: back up}
parts:
  charm: {plugin: dump, source: .}
`, 0o644)
	charm, err := charmpack.ReadCharmDir(dir, "amd64")
	require.NoError(t, err)
	assert.Equal(t, "cc", charm.Name)
	files := map[string]string{}
	for _, f := range charm.Files {
		files[f.Name] = string(f.Data)
	}
	assert.Equal(t, "name: cc\ndisplay-name: A charm\nsummary: s\ndescription: d\nrequires:\n    db: {interface: mysql}\n", files["metadata.yaml"])
	assert.Equal(t, "options:\n    port: {type: int, default: 80}\n", files["config.yaml"])
	assert.Equal(t, "backup: {description: back up}\n", files["actions.yaml"])

	t.Run("without metadata", func(t *testing.T) {
		dir := t.TempDir()
		write(t, dir, "charmcraft.yaml", "type: charm\n", 0o644)
		_, err := charmpack.ReadCharmDir(dir, "amd64")
		assert.EqualError(t, err, "metadata.yaml: no name")
	})
}

// Ensure that a dispatch binary is checked: an ELF file must be for the
// architecture and static; other files (scripts) pass.
func TestCheckBinary(t *testing.T) {
	assert.NoError(t, charmpack.CheckBinary(fakeELF(elf.EM_X86_64), "amd64"))
	assert.NoError(t, charmpack.CheckBinary(fakeELF(elf.EM_AARCH64), "arm64"))
	assert.EqualError(t, charmpack.CheckBinary(fakeELF(elf.EM_X86_64), "arm64"), "dispatch is built for EM_X86_64, not arm64 (EM_AARCH64)")
	assert.NoError(t, charmpack.CheckBinary([]byte("#!/bin/sh\nexec ./charm \"$@\"\n"), "amd64"))
	assert.EqualError(t, charmpack.CheckBinary(nil, "amd64"), "empty dispatch binary")
	assert.ErrorContains(t, charmpack.CheckBinary([]byte("\x7fELF fake"), "amd64"), "dispatch:")

	self, err := os.ReadFile("/bin/sh")
	if err == nil && bytes.HasPrefix(self, []byte(elf.ELFMAG)) {
		f, err := elf.NewFile(bytes.NewReader(self))
		require.NoError(t, err)
		dynamic := false
		for _, p := range f.Progs {
			dynamic = dynamic || p.Type == elf.PT_INTERP
		}
		if dynamic && f.Machine == elf.EM_X86_64 {
			assert.ErrorContains(t, charmpack.CheckBinary(self, "amd64"), "dynamically linked")
		}
	}
}

// Ensure that Pack's own checks come before any build.
func TestPack_Errors(t *testing.T) {
	ctx := context.Background()
	_, err := charmpack.Pack(ctx, charmpack.Options{Dir: charmDir, Arch: "mips"})
	assert.EqualError(t, err, `unsupported architecture "mips" (want one of amd64, arm64, ppc64le, s390x, riscv64)`)
	_, err = charmpack.Pack(ctx, charmpack.Options{Dir: charmDir, Pkg: ".", Dispatch: "x"})
	assert.EqualError(t, err, "pass -pkg or -dispatch, not both")
	dir := t.TempDir()
	write(t, dir, "metadata.yaml", "name: x\n", 0o644)
	_, err = charmpack.Pack(ctx, charmpack.Options{Dir: dir})
	require.ErrorIs(t, err, charmpack.ErrNoPackage)
	assert.EqualError(t, err, "no Go main package in "+dir+": pass -pkg with the package that builds the charm's dispatch, or -dispatch with a built binary")
	assert.True(t, charmpack.HasMainPackage(charmDir))
	assert.False(t, charmpack.HasMainPackage(filepath.Join(charmDir, "charm")))
}
