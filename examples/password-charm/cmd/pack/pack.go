package main

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"gopkg.in/yaml.v3"
)

// charmFile is one file of the archive besides dispatch.
type charmFile struct {
	name string
	data []byte
}

var archs = []string{"amd64", "arm64", "ppc64le", "s390x", "riscv64"}

func validArch(a string) bool { return slices.Contains(archs, a) }

// readCharmDir reads and checks metadata.yaml, config.yaml and
// manifest.yaml from dir; the manifest's bases are rewritten to list only
// arch, the architecture of the binary being packed.
func readCharmDir(dir, arch string) ([]charmFile, error) {
	read := func(name string) ([]byte, error) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("reading charm file: %w", err)
		}
		return b, nil
	}
	meta, err := read("metadata.yaml")
	if err != nil {
		return nil, err
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
	config, err := read("config.yaml")
	if err != nil {
		return nil, err
	}
	var cfg struct {
		Options map[string]struct {
			Type string `yaml:"type"`
		} `yaml:"options"`
	}
	if err := yaml.Unmarshal(config, &cfg); err != nil {
		return nil, fmt.Errorf("config.yaml: %w", err)
	}
	for name, o := range cfg.Options {
		if !slices.Contains([]string{"string", "int", "float", "boolean", "secret"}, o.Type) {
			return nil, fmt.Errorf("config.yaml: option %q: invalid type %q", name, o.Type)
		}
	}
	manifest, err := read("manifest.yaml")
	if err != nil {
		return nil, err
	}
	manifest, err = manifestFor(manifest, arch)
	if err != nil {
		return nil, err
	}
	return []charmFile{
		{"metadata.yaml", meta},
		{"config.yaml", config},
		{"manifest.yaml", manifest},
	}, nil
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

// fixedTime stamps every entry, so the same inputs give the same archive.
var fixedTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// writeCharm writes the .charm zip: dispatch (mode 0755) at the root, then
// the other files (mode 0644).
func writeCharm(w io.Writer, dispatch []byte, files []charmFile) error {
	if len(dispatch) == 0 {
		return fmt.Errorf("empty dispatch binary")
	}
	zw := zip.NewWriter(w)
	add := func(name string, mode os.FileMode, data []byte) error {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: fixedTime}
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
		if err := add(f.name, 0o644, f.data); err != nil {
			return err
		}
	}
	return zw.Close()
}
