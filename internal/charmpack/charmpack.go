// Package charmpack builds a charm written with charmkit into the .charm
// archive Juju deploys, for `charmkit pack`.
//
// A charm directory holds metadata.yaml (or a charmcraft.yaml with the
// metadata inline), and optionally config.yaml, actions.yaml,
// manifest.yaml, the directories hooks/, reactive/, templates/ and files/,
// and the Go main package that is the charm's dispatch binary. Pack builds
// that package as a static Linux binary (CGO_ENABLED=0, GOOS=linux, the
// chosen GOARCH) and writes a zip with dispatch (mode 0755) at its root,
// then the YAML files, then the directories. Entries carry a fixed time, so
// the same inputs give the same archive byte for byte.
//
// The package is internal: the command is the supported interface, and the
// steps (reading the charm directory, checking a binary, writing the zip)
// are exported only so that they can be tested one by one.
package charmpack

import (
	"archive/zip"
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Archs are the architectures a charm can be built for, as GOARCH names
// (Juju uses the same names).
var Archs = []string{"amd64", "arm64", "ppc64le", "s390x", "riscv64"}

// ValidArch reports whether a is one of [Archs].
func ValidArch(a string) bool { return slices.Contains(Archs, a) }

// ErrNoMetadata is matched (errors.Is) by the error returned when the
// charm directory has neither metadata.yaml nor charmcraft.yaml; so is
// fs.ErrNotExist.
var ErrNoMetadata = errors.New("no metadata.yaml or charmcraft.yaml")

type noMetadataError struct{ dir string }

func (e *noMetadataError) Error() string {
	return fmt.Sprintf("%v in %s: pass the charm directory", ErrNoMetadata, e.dir)
}

func (e *noMetadataError) Is(target error) bool {
	return target == ErrNoMetadata || target == fs.ErrNotExist
}

// ErrNoPackage is returned (wrapped, with the directory) when there is no
// Go main package to build and no prebuilt binary.
var ErrNoPackage = errors.New("no Go main package")

// Options says what to pack.
type Options struct {
	Dir      string    // the charm directory; "" is the current directory
	Out      string    // the archive to write; "" is <charm name>.charm in the current directory
	Arch     string    // the target architecture (GOARCH); "" is amd64
	Pkg      string    // the Go package to build as dispatch, as go build takes it; "" is Dir itself
	Dispatch string    // a binary to pack instead of building one
	Stderr   io.Writer // where go build's output goes; nil discards it
}

// Pack builds the charm and writes its archive; it returns the archive's
// path.
func Pack(ctx context.Context, o Options) (string, error) {
	if o.Dir == "" {
		o.Dir = "."
	}
	if o.Arch == "" {
		o.Arch = "amd64"
	}
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	if !ValidArch(o.Arch) {
		return "", fmt.Errorf("unsupported architecture %q (want one of %s)", o.Arch, strings.Join(Archs, ", "))
	}
	if o.Pkg != "" && o.Dispatch != "" {
		return "", errors.New("pass -pkg or -dispatch, not both")
	}
	charm, err := ReadCharmDir(o.Dir, o.Arch)
	if err != nil {
		return "", err
	}
	binary := o.Dispatch
	if binary == "" {
		pkg, buildDir := o.Pkg, ""
		if pkg == "" {
			if !HasMainPackage(o.Dir) {
				return "", fmt.Errorf("%w in %s: pass -pkg with the package that builds the charm's dispatch, or -dispatch with a built binary", ErrNoPackage, o.Dir)
			}
			pkg, buildDir = ".", o.Dir
		}
		tmp, err := os.MkdirTemp("", "charmkit-pack")
		if err != nil {
			return "", err
		}
		defer os.RemoveAll(tmp)
		binary = filepath.Join(tmp, "dispatch")
		if err := Build(ctx, buildDir, pkg, o.Arch, binary, o.Stderr); err != nil {
			return "", err
		}
	}
	dispatch, err := os.ReadFile(binary)
	if err != nil {
		return "", fmt.Errorf("reading the charm binary: %w", err)
	}
	if err := CheckBinary(dispatch, o.Arch); err != nil {
		return "", fmt.Errorf("%s: %w", binary, err)
	}
	out := o.Out
	if out == "" {
		out = charm.Name + ".charm"
	}
	if err := writeFileAtomic(out, func(w io.Writer) error { return WriteCharm(w, dispatch, charm.Files) }); err != nil {
		return "", err
	}
	return out, nil
}

// HasMainPackage reports whether dir holds a Go main package (a non-test
// .go file saying package main).
func HasMainPackage(dir string) bool {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, n), nil, parser.PackageClauseOnly)
		if err == nil && f.Name.Name == "main" {
			return true
		}
	}
	return false
}

// Build runs go build for pkg in dir ("" is the current directory) and
// writes a static Linux binary for arch to out. go build's output goes to
// stderr.
func Build(ctx context.Context, dir, pkg, arch, out string, stderr io.Writer) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-ldflags=-s -w", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
	cmd.Stderr = stderr
	cmd.Stdout = stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building the charm binary (go build %s for linux/%s): %w", pkg, arch, err)
	}
	return nil
}

var elfMachines = map[string]elf.Machine{
	"amd64":   elf.EM_X86_64,
	"arm64":   elf.EM_AARCH64,
	"ppc64le": elf.EM_PPC64,
	"s390x":   elf.EM_S390,
	"riscv64": elf.EM_RISCV,
}

// CheckBinary checks a dispatch binary: not empty and, when it is an ELF
// file, built for arch and statically linked (no program interpreter).
// Anything else, such as a script, is packed as it is.
func CheckBinary(data []byte, arch string) error {
	if len(data) == 0 {
		return errors.New("empty dispatch binary")
	}
	if !bytes.HasPrefix(data, []byte(elf.ELFMAG)) {
		return nil
	}
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("dispatch: %w", err)
	}
	if want := elfMachines[arch]; f.Machine != want {
		return fmt.Errorf("dispatch is built for %s, not %s (%s)", f.Machine, arch, want)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return errors.New("dispatch is dynamically linked (it names a program interpreter): build it with CGO_ENABLED=0")
		}
	}
	return nil
}

// File is one entry of the archive besides dispatch.
type File struct {
	Name string      // slash-separated path in the archive
	Mode fs.FileMode // 0644, 0755, or fs.ModeSymlink with Data the link's target
	Data []byte
}

// Charm is what goes into the archive besides dispatch.
type Charm struct {
	Name  string // from the metadata
	Files []File // metadata.yaml, config.yaml, actions.yaml, manifest.yaml, then the directories
}

// Dirs are the directories of the charm directory that are packed.
var Dirs = []string{"hooks", "reactive", "templates", "files"}

// metadataKeys are the keys of charmcraft.yaml that make metadata.yaml.
var metadataKeys = []string{
	"name", "display-name", "title", "summary", "description", "assumes", "charm-user",
	"containers", "devices", "docs", "extra-bindings", "issues", "maintainers",
	"min-juju-version", "peers", "provides", "requires", "resources", "series", "source",
	"storage", "subordinate", "tags", "terms", "website",
}

// ReadCharmDir reads and checks the charm directory: the metadata (from
// metadata.yaml, or charmcraft.yaml, whose metadata, config and actions
// sections become metadata.yaml, config.yaml and actions.yaml), config.yaml
// and actions.yaml when present, manifest.yaml (whose bases are rewritten
// to list only arch; generated with ubuntu 22.04 and 24.04 when absent) and
// the files under [Dirs].
func ReadCharmDir(dir, arch string) (*Charm, error) {
	read := func(name string) ([]byte, bool, error) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, fmt.Errorf("reading charm file: %w", err)
		}
		return b, true, nil
	}
	meta, ok, err := read("metadata.yaml")
	if err != nil {
		return nil, err
	}
	var config, actions []byte
	if !ok {
		cc, ok, err := read("charmcraft.yaml")
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, &noMetadataError{dir: dir}
		}
		meta, config, actions, err = splitCharmcraft(cc)
		if err != nil {
			return nil, fmt.Errorf("charmcraft.yaml: %w", err)
		}
	}
	var md struct {
		Name string `yaml:"name"`
	}
	if err := yaml.Unmarshal(meta, &md); err != nil {
		return nil, fmt.Errorf("metadata.yaml: %w", err)
	}
	if md.Name == "" {
		return nil, fmt.Errorf("metadata.yaml: no name")
	}
	c := &Charm{Name: md.Name, Files: []File{{"metadata.yaml", 0o644, meta}}}

	if b, ok, err := read("config.yaml"); err != nil {
		return nil, err
	} else if ok {
		config = b
	}
	if config != nil {
		var cfg struct {
			Options map[string]struct {
				Type string `yaml:"type"`
			} `yaml:"options"`
		}
		if err := yaml.Unmarshal(config, &cfg); err != nil {
			return nil, fmt.Errorf("config.yaml: %w", err)
		}
		for _, name := range sortedKeys(cfg.Options) {
			if t := cfg.Options[name].Type; !slices.Contains([]string{"string", "int", "float", "boolean", "secret"}, t) {
				return nil, fmt.Errorf("config.yaml: option %q: invalid type %q", name, t)
			}
		}
		c.Files = append(c.Files, File{"config.yaml", 0o644, config})
	}

	if b, ok, err := read("actions.yaml"); err != nil {
		return nil, err
	} else if ok {
		actions = b
	}
	if actions != nil {
		var a map[string]any
		if err := yaml.Unmarshal(actions, &a); err != nil {
			return nil, fmt.Errorf("actions.yaml: %w", err)
		}
		c.Files = append(c.Files, File{"actions.yaml", 0o644, actions})
	}

	manifest, ok, err := read("manifest.yaml")
	if err != nil {
		return nil, err
	}
	if ok {
		manifest, err = manifestFor(manifest, arch)
		if err != nil {
			return nil, err
		}
	} else {
		manifest = DefaultManifest(arch)
	}
	c.Files = append(c.Files, File{"manifest.yaml", 0o644, manifest})

	for _, d := range Dirs {
		files, err := readTree(dir, d)
		if err != nil {
			return nil, err
		}
		c.Files = append(c.Files, files...)
	}
	return c, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// splitCharmcraft makes metadata.yaml, config.yaml and actions.yaml from a
// charmcraft.yaml holding them inline (nil when a section is absent),
// keeping the keys in their order.
func splitCharmcraft(data []byte) (meta, config, actions []byte, err error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, nil, err
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, nil, nil, errors.New("not a mapping")
	}
	root := doc.Content[0]
	md := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch {
		case k.Value == "config":
			if config, err = yaml.Marshal(v); err != nil {
				return nil, nil, nil, err
			}
		case k.Value == "actions":
			if actions, err = yaml.Marshal(v); err != nil {
				return nil, nil, nil, err
			}
		case slices.Contains(metadataKeys, k.Value):
			key := *k
			if key.Value == "title" {
				key.Value = "display-name"
			}
			md.Content = append(md.Content, &key, v)
		}
	}
	if meta, err = yaml.Marshal(md); err != nil {
		return nil, nil, nil, err
	}
	return meta, config, actions, nil
}

// DefaultManifest is the manifest.yaml written when the charm has none:
// Ubuntu 22.04 and 24.04 on arch, in charmcraft's format.
func DefaultManifest(arch string) []byte {
	var b strings.Builder
	b.WriteString("# Written by charmkit pack.\nanalysis:\n  attributes:\n  - name: language\n    result: go\n  - name: framework\n    result: charmkit\nbases:\n")
	for _, ch := range []string{"22.04", "24.04"} {
		fmt.Fprintf(&b, "- architectures:\n  - %s\n  channel: '%s'\n  name: ubuntu\n", arch, ch)
	}
	return []byte(b.String())
}

// manifestFor returns the manifest with every base's architectures set to
// arch. A manifest without bases is an error: Juju needs them.
func manifestFor(manifest []byte, arch string) ([]byte, error) {
	var m map[string]any
	if err := yaml.Unmarshal(manifest, &m); err != nil {
		return nil, fmt.Errorf("manifest.yaml: %w", err)
	}
	bases, _ := m["bases"].([]any)
	if len(bases) == 0 {
		return nil, fmt.Errorf("manifest.yaml: no bases")
	}
	for i, b := range bases {
		base, ok := b.(map[string]any)
		if !ok || base["name"] == nil || base["channel"] == nil {
			return nil, fmt.Errorf("manifest.yaml: base %d needs a name and a channel", i)
		}
		base["architectures"] = []string{arch}
	}
	out, err := yaml.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("manifest.yaml: %w", err)
	}
	return out, nil
}

// readTree returns the files under dir/sub in lexical order: regular files
// (0755 when executable, else 0644) and symbolic links whose target stays
// inside the charm directory. A missing sub is no file.
func readTree(dir, sub string) ([]File, error) {
	root := filepath.Join(dir, sub)
	if _, err := os.Lstat(root); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	var out []File
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		switch {
		case d.IsDir():
			if d.Name() == ".git" || d.Name() == "__pycache__" {
				return filepath.SkipDir
			}
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			resolved := filepath.Join(filepath.Dir(p), target)
			if r, err := filepath.Rel(dir, resolved); filepath.IsAbs(target) || err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
				return fmt.Errorf("%s: symbolic link to %s leaves the charm directory", name, target)
			}
			out = append(out, File{name, fs.ModeSymlink | 0o777, []byte(filepath.ToSlash(target))})
		case d.Type().IsRegular():
			info, err := d.Info()
			if err != nil {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			mode := fs.FileMode(0o644)
			if info.Mode()&0o111 != 0 {
				mode = 0o755
			}
			out = append(out, File{name, mode, data})
		default:
			return fmt.Errorf("%s: not a regular file, directory or symbolic link", name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading charm directory %s: %w", sub, err)
	}
	return out, nil
}

// fixedTime stamps every entry, so the same inputs give the same archive.
var fixedTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// WriteCharm writes the .charm zip: dispatch (mode 0755) at the root, then
// the other files with their modes.
func WriteCharm(w io.Writer, dispatch []byte, files []File) error {
	if len(dispatch) == 0 {
		return fmt.Errorf("empty dispatch binary")
	}
	zw := zip.NewWriter(w)
	add := func(name string, mode fs.FileMode, data []byte) error {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: fixedTime}
		if mode&fs.ModeSymlink != 0 {
			h.Method = zip.Store
		}
		h.SetMode(mode)
		f, err := zw.CreateHeader(h)
		if err != nil {
			return fmt.Errorf("adding %s: %w", name, err)
		}
		if _, err := f.Write(data); err != nil {
			return fmt.Errorf("adding %s: %w", name, err)
		}
		return nil
	}
	if err := add("dispatch", 0o755, dispatch); err != nil {
		return err
	}
	for _, f := range files {
		if err := add(f.Name, f.Mode, f.Data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// writeFileAtomic writes path through a temporary file in the same
// directory, renamed into place only when fill succeeded.
func writeFileAtomic(path string, fill func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if err := fill(f); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
