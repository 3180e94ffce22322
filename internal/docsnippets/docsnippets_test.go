package docsnippets

import (
	"context"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/internal/charmcheck"
	"github.com/charmkit/charmkit/internal/charmgraph"
	"github.com/charmkit/charmkit/internal/charminit"
	"github.com/charmkit/charmkit/internal/doccheck"
)

// update rewrites the documents' blocks from their sources:
//
//	go test ./internal/docsnippets -update
var update = flag.Bool("update", false, "rewrite the snippet and graph blocks of the documents from their sources")

// mustMark are the documents whose every Go block must name its source.
var mustMark = []string{"docs/howto/*.md", "docs/tutorial.md", "docs/porting.md"}

// documents returns the Markdown files of the repository, slash-separated
// and relative to root, with their text.
func documents(t *testing.T, root string) map[string]string {
	t.Helper()
	docs := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() && strings.HasSuffix(p, ".md") {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			docs[filepath.ToSlash(rel)] = string(b)
		}
		return nil
	})
	require.NoError(t, err)
	return docs
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := doccheck.ModuleRoot(".")
	require.NoError(t, err)
	return root
}

// check compares, or with -update rewrites, the blocks of kind in every
// document; want returns a block's expected body. It returns how many
// blocks it checked.
func check(t *testing.T, kind string, want func(b Block) (string, error)) int {
	root := moduleRoot(t)
	docs := documents(t, root)
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range docs {
			if !yield(n) {
				return
			}
		}
	})
	n := 0
	for _, name := range names {
		blocks, _, err := Parse(docs[name])
		if !assert.NoError(t, err, name) {
			continue
		}
		var changed []Block
		for _, b := range blocks {
			if b.Kind != kind {
				continue
			}
			n++
			body, err := want(b)
			if !assert.NoError(t, err, "%s:%d: %s", name, b.Line, b.Ref()) {
				continue
			}
			if body != b.Body {
				if *update {
					b.Body = body
					changed = append(changed, b)
					continue
				}
				assert.Equal(t, body, b.Body, "%s:%d: the block differs from %s (go test ./internal/docsnippets -update rewrites it)", name, b.Line, b.Ref())
			}
		}
		if len(changed) > 0 {
			all := blocks[:0:0]
			for _, b := range blocks {
				if i := slices.IndexFunc(changed, func(c Block) bool { return c.start == b.start }); i >= 0 {
					b = changed[i]
				}
				all = append(all, b)
			}
			require.NoError(t, os.WriteFile(filepath.Join(root, filepath.FromSlash(name)), []byte(Replace(docs[name], all)), 0o644))
			t.Logf("rewrote %d block(s) of %s", len(changed), name)
		}
	}
	return n
}

// Ensure that every snippet block of the documents is its source's region,
// verbatim: the code the how-tos and the tutorial show is code that
// compiles and that a test runs.
func TestSnippets(t *testing.T) {
	root := moduleRoot(t)
	n := check(t, "snippet", func(b Block) (string, error) {
		src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(b.Source)))
		if err != nil {
			return "", err
		}
		return Extract(string(src), b.Name)
	})
	assert.Positive(t, n, "the documents have snippet blocks")
}

// Ensure that every Go block of the how-tos, the tutorial and the porting
// guide names its source: none is written by hand.
func TestSnippets_GoBlocksMarked(t *testing.T) {
	root := moduleRoot(t)
	docs := documents(t, root)
	seen := 0
	for name, text := range docs {
		if !slices.ContainsFunc(mustMark, func(p string) bool { ok, _ := filepath.Match(p, name); return ok }) {
			continue
		}
		seen++
		blocks, fences, err := Parse(text)
		require.NoError(t, err, name)
		marked := map[int]bool{}
		for _, b := range blocks {
			marked[b.Line+1] = true
		}
		for _, f := range fences {
			if f.Lang == "go" && !marked[f.Line] {
				t.Errorf("%s:%d: a Go block without a <!-- snippet: path#name --> comment before it", name, f.Line)
			}
		}
	}
	assert.GreaterOrEqual(t, seen, 3, "the tutorial, the porting guide and the how-tos")
}

// Ensure that every graph block of the documents is what charmkit graph
// -format mermaid prints for its packages now (the same code path, in
// process).
//
// After a change of the charm's handlers:
//
//	go test ./internal/docsnippets -run TestGraphDoc -update
func TestGraphDoc(t *testing.T) {
	root := moduleRoot(t)
	graphs := map[string]string{}
	n := check(t, "graph", func(b Block) (string, error) {
		if b.Lang != "mermaid" {
			t.Errorf("graph %s: the block is %q, not mermaid", b.Source, b.Lang)
		}
		if g, ok := graphs[b.Source]; ok {
			return g, nil
		}
		res, err := charmcheck.Run(context.Background(), charmcheck.Config{Dir: root, Patterns: strings.Fields(b.Source)})
		if err != nil {
			return "", err
		}
		graphs[b.Source] = charmgraph.Mermaid(res.Charms)
		return graphs[b.Source], nil
	})
	assert.Positive(t, n, "the documents have graph blocks")
}

// tutorialFiles are the files of examples/tutorial that charmkit init wrote.
var tutorialFiles = []string{"main.go", "charm/charm.go", "charm/charm_test.go", "sim_test.go", "metadata.yaml", "config.yaml"}

// Ensure that examples/tutorial is what charmkit init writes today plus the
// tutorial's additions: every line init writes is there, in order, so the
// tutorial's "this is what init gave you" stays true.
func TestTutorialMatchesInit(t *testing.T) {
	root := moduleRoot(t)
	dir := filepath.Join(t.TempDir(), "tutorial")
	_, err := charminit.Init(charminit.Options{Dir: dir, Module: "github.com/charmkit/charmkit/examples/tutorial", Name: "mycharm"})
	require.NoError(t, err)
	for _, f := range tutorialFiles {
		gen, err := os.ReadFile(filepath.Join(dir, f))
		require.NoError(t, err)
		have, err := os.ReadFile(filepath.Join(root, "examples", "tutorial", f))
		require.NoError(t, err)
		if line, ok := subsequence(strings.Split(string(gen), "\n"), strings.Split(string(have), "\n")); !ok {
			t.Errorf("examples/tutorial/%s: line %q that charmkit init writes is missing (or out of order): "+
				"make the file charmkit init's output again, then add the tutorial's lines", f, line)
		}
	}
}

// subsequence reports whether want's lines all appear in have, in order,
// and the first that does not.
func subsequence(want, have []string) (string, bool) {
	j := 0
	for _, w := range want {
		for j < len(have) && have[j] != w {
			j++
		}
		if j == len(have) {
			return w, false
		}
		j++
	}
	return "", true
}
