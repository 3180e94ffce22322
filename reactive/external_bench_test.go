package reactive_test

import (
	"testing"

	"github.com/charmkit/charmkit/reactive"
)

// BenchmarkDiscoverExternalNoRoots is what discovery costs a charm without
// reactive/, hooks/reactive/ or hooks/relations/ at the start of every
// hook: three failed stat calls. Target: a few microseconds.
func BenchmarkDiscoverExternalNoRoots(b *testing.B) {
	dir := writeCharm(b, charmFile{path: "hooks/install", body: shebang})
	b.ReportAllocs()
	for b.Loop() {
		hs, err := reactive.DiscoverExternal(dir)
		if err != nil || len(hs) != 0 {
			b.Fatalf("discover: %v, %d handlers", err, len(hs))
		}
	}
}

// BenchmarkDiscoverExternal walks a charm with 3 external handlers among 20
// other files in the three roots.
func BenchmarkDiscoverExternal(b *testing.B) {
	var files []charmFile
	for _, root := range []string{"reactive", "hooks/reactive", "hooks/relations/db"} {
		files = append(files, charmFile{path: root + "/handler.sh", body: shebang})
		for _, f := range []string{"a.py", "b.py", "README.md", "c.yaml", "d.py", "e.txt"} {
			files = append(files, charmFile{path: root + "/" + f, body: "x", mode: 0o644})
		}
	}
	files = append(files, charmFile{path: "reactive/__pycache__/a.pyc", body: "x"})
	dir := writeCharm(b, files...)
	b.ReportAllocs()
	for b.Loop() {
		hs, err := reactive.DiscoverExternal(dir)
		if err != nil || len(hs) != 3 {
			b.Fatalf("discover: %v, %d handlers", err, len(hs))
		}
	}
}
