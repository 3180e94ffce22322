// Package charmdir finds a charm's directory from a Go package's
// directory, the way charmkit vet and testing/charmtest both look for it.
package charmdir

import (
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// Find returns the first directory, from dir upwards, that holds
// metadata.yaml or a charmcraft.yaml with the metadata inline (a name),
// stopping at the directory holding go.mod (the module root, included).
// It returns "" when there is none.
func Find(dir string) string {
	for {
		if isFile(filepath.Join(dir, "metadata.yaml")) {
			return dir
		}
		if p := filepath.Join(dir, "charmcraft.yaml"); isFile(p) {
			if b, err := os.ReadFile(p); err == nil && CharmcraftHasName(b) {
				return dir
			}
		}
		if isFile(filepath.Join(dir, "go.mod")) {
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// CharmcraftHasName reports whether a charmcraft.yaml holds the metadata
// inline (it has a name), rather than build instructions only.
func CharmcraftHasName(b []byte) bool {
	var v struct {
		Name string `yaml:"name"`
	}
	return yaml.Unmarshal(b, &v) == nil && v.Name != ""
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
