package reactive_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/charmkit/charmkit/reactive"
)

// ExampleDiscoverExternal lists the external handlers of a charm: the
// executables with a shebang (or binaries) under reactive/, hooks/reactive/
// and hooks/relations/, in the order they run after the Go handlers.
func ExampleDiscoverExternal() {
	charm, err := os.MkdirTemp("", "charm")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(charm)
	for path, mode := range map[string]os.FileMode{
		"reactive/configure.sh":           0o755,
		"reactive/notes.sh":               0o644, // not executable
		"reactive/README.md":              0o755, // not a handler extension
		"hooks/relations/db/requires.sh":  0o755,
		"hooks/reactive/leadership":       0o755,
		"reactive/__pycache__/stale-file": 0o755, // skipped
	} {
		p := filepath.Join(charm, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			panic(err)
		}
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), mode); err != nil {
			panic(err)
		}
	}
	hs, err := reactive.DiscoverExternal(charm)
	if err != nil {
		panic(err)
	}
	for _, h := range hs {
		fmt.Println(h.Name)
	}
	// Output:
	// reactive/configure.sh
	// hooks/reactive/leadership
	// hooks/relations/db/requires.sh
}
