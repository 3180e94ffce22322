package reactive_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/charmkit/charmkit/reactive"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeFile writes a file in dir.
func writeFile(tb testing.TB, dir, name, content string) {
	tb.Helper()
	require.NoError(tb, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
}

// Ensure file-change conditions latch (docs/design.md, "Decision 15"): a re-test
// after a clear or an early test does not use the change up (X3, X4, X8), and
// the order of stacked conditions does not matter (X9).
func TestFileChangedLatches(t *testing.T) {
	for _, tc := range []struct {
		row      string
		register func(r *reactive.Registry, c *calls)
		flags    []string
		want     []string
	}{
		{"X3", func(r *reactive.Registry, c *calls) {
			r.Handle("first", reactive.When("a"), c.fn("first", clears("never-set")))
			r.Handle("bounce", reactive.All(reactive.WhenFileChanged("f"), reactive.When("a")), c.fn("bounce", nil))
		}, []string{"a"}, []string{"first", "bounce"}},
		{"X4", func(r *reactive.Registry, c *calls) {
			r.Handle("hook", reactive.OnHook("config-changed"), c.fn("hook", clears("zz")))
			r.Handle("file", reactive.WhenFileChanged("f"), c.fn("file", nil))
		}, nil, []string{"hook", "file"}},
		{"X8", func(r *reactive.Registry, c *calls) {
			r.Handle("hook", reactive.OnHook("config-changed"), c.fn("hook", sets("z")))
			r.Handle("b", reactive.All(reactive.When("y"), reactive.WhenFileChanged("f")), c.fn("b", nil))
		}, []string{"y"}, []string{"hook", "b"}},
		{"X9", func(r *reactive.Registry, c *calls) {
			r.Handle("hook", reactive.OnHook("config-changed"), c.fn("hook", sets("z")))
			r.Handle("b", reactive.All(reactive.WhenFileChanged("f"), reactive.When("y")), c.fn("b", nil))
		}, []string{"y"}, []string{"hook", "b"}},
	} {
		t.Run(tc.row, func(t *testing.T) {
			for _, trace := range []bool{false, true} {
				dir := t.TempDir()
				writeFile(t, dir, "f", "v1")
				c := &calls{}
				r := reactive.NewRegistry()
				tc.register(r, c)
				s := newStore(t)
				setFlags(t, s, tc.flags...)
				res, _ := runHook(t, r, s, "config-changed", func(o *reactive.RunOptions) { o.Env.CharmDir = dir; o.Trace = trace })
				require.NoError(t, res.Err)
				assert.Equal(t, tc.want, c.names, "trace=%v", trace)
				assert.Len(t, dump(t, s)["reactive.files_changed.f"], 34, "digest recorded after the handler ran")

				// Unchanged file: the file handler does not run again.
				c.names = nil
				runHook(t, r, s, "config-changed", func(o *reactive.RunOptions) { o.Env.CharmDir = dir; o.Trace = trace })
				for _, n := range c.names {
					assert.NotContains(t, []string{"bounce", "file", "b"}, n, "trace=%v", trace)
				}
			}
		})
	}
}

// Ensure the digest semantics of any_file_changed: MD5 hex of the content, JSON
// null for a missing file, a file that never existed is not changed, a deleted
// file is changed once; and a failed hook leaves the change pending (D8; the
// latch of docs/design.md, "Decision 15").
func TestWhenFileChanged(t *testing.T) {
	dir := t.TempDir()
	n := 0
	fail := false
	r := reactive.NewRegistry()
	r.Handle("files", reactive.WhenFileChanged("file1", filepath.Join(dir, "file2")), func(context.Context, *reactive.Hook) error {
		n++
		if fail {
			return assert.AnError
		}
		return nil
	})
	s := newStore(t)
	run := func() *reactive.Result {
		res, _ := runHook(t, r, s, "update-status", func(o *reactive.RunOptions) { o.Env.CharmDir = dir })
		return res
	}
	steps := []struct {
		name   string
		before func()
		runs   int
		key1   string
	}{
		{"never existed", func() {}, 0, ""},
		{"appears", func() { writeFile(t, dir, "file1", "hello") }, 1, md5JSON("hello")},
		{"unchanged", func() {}, 1, md5JSON("hello")},
		{"second file appears", func() { writeFile(t, dir, "file2", "x") }, 2, md5JSON("hello")},
		{"failed hook keeps it pending", func() { writeFile(t, dir, "file1", "bye"); fail = true }, 3, md5JSON("hello")},
		{"retry", func() { fail = false }, 4, md5JSON("bye")},
		{"deleted", func() { require.NoError(t, os.Remove(filepath.Join(dir, "file1"))) }, 5, "null"},
		{"still deleted", func() {}, 5, "null"},
	}
	for _, st := range steps {
		st.before()
		run()
		assert.Equal(t, st.runs, n, st.name)
		assert.Equal(t, st.key1, dump(t, s)["reactive.files_changed.file1"], st.name)
	}
}

// md5JSON is the stored JSON of the MD5 digest of s.
func md5JSON(s string) string {
	sum := md5.Sum([]byte(s))
	return `"` + hex.EncodeToString(sum[:]) + `"`
}
