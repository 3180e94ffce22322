package files_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"text/template"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/files"
)

// entries returns the names in dir, sorted.
func entries(tb testing.TB, dir string) []string {
	tb.Helper()
	es, err := os.ReadDir(dir)
	require.NoError(tb, err)
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func mode(tb testing.TB, p string) fs.FileMode {
	tb.Helper()
	fi, err := os.Lstat(p)
	require.NoError(tb, err)
	return fi.Mode()
}

func read(tb testing.TB, p string) string {
	tb.Helper()
	b, err := os.ReadFile(p)
	require.NoError(tb, err)
	return string(b)
}

// Ensure that Write creates the file and its directories, reports a change
// only when content or mode differ, and leaves an unchanged file alone.
func TestWrite_Changes(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	p := filepath.Join(dir, "etc", "app", "app.conf")

	changed, err := files.Write(ctx, p, []byte("port = 80\n"), files.Options{})
	require.NoError(t, err)
	assert.True(t, changed, "a new file is a change")
	assert.Equal(t, "port = 80\n", read(t, p))
	assert.Equal(t, fs.FileMode(0o644), mode(t, p), "default mode")
	assert.Equal(t, fs.ModeDir|0o755, mode(t, filepath.Dir(p))&(fs.ModeDir|0o755), "parent created")

	before, err := os.Stat(p)
	require.NoError(t, err)
	changed, err = files.Write(ctx, p, []byte("port = 80\n"), files.Options{})
	require.NoError(t, err)
	assert.False(t, changed, "same content and mode: no change")
	after, err := os.Stat(p)
	require.NoError(t, err)
	assert.True(t, os.SameFile(before, after), "the file was not rewritten")

	changed, err = files.Write(ctx, p, []byte("port = 80\n"), files.Options{Mode: 0o600})
	require.NoError(t, err)
	assert.True(t, changed, "a new mode is a change")
	assert.Equal(t, fs.FileMode(0o600), mode(t, p))

	changed, err = files.Write(ctx, p, []byte("port = 81\n"), files.Options{Mode: 0o600})
	require.NoError(t, err)
	assert.True(t, changed, "new content is a change")
	assert.Equal(t, "port = 81\n", read(t, p))

	changed, err = files.Write(ctx, p, []byte("port = 8\n"), files.Options{Mode: 0o600})
	require.NoError(t, err)
	assert.True(t, changed, "a prefix of the old content is a change")
	changed, err = files.Write(ctx, p, nil, files.Options{Mode: 0o600})
	require.NoError(t, err)
	assert.True(t, changed, "empty content is a change")
	assert.Equal(t, "", read(t, p))

	assert.Equal(t, []string{"app.conf"}, entries(t, filepath.Dir(p)), "no temporary file left")
}

// Ensure that the mode is exact (the umask does not apply), special bits
// included, and that directories get DirMode.
func TestWrite_Modes(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	for _, m := range []fs.FileMode{0o666, 0o400, 0o750, fs.ModeSetgid | 0o750} {
		p := filepath.Join(dir, fmt.Sprintf("f%o", uint32(m)))
		_, err := files.Write(ctx, p, []byte("x"), files.Options{Mode: m})
		if m&fs.ModeSetgid != 0 && err != nil {
			// Without privileges the system may refuse setgid: an error,
			// rather than a file that differs from the one asked for.
			assert.ErrorContains(t, err, "not applied")
			assert.NoFileExists(t, p)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, m, mode(t, p)&(fs.ModePerm|fs.ModeSetgid), "mode %v", m)
	}
	p := filepath.Join(dir, "private", "secret")
	_, err := files.Write(ctx, p, []byte("x"), files.Options{Mode: 0o600, DirMode: 0o700})
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o700), mode(t, filepath.Dir(p)).Perm())

	_, err = files.Write(ctx, filepath.Join(dir, "bad"), []byte("x"), files.Options{Mode: fs.ModeDir | 0o755})
	assert.ErrorContains(t, err, "invalid mode")
	_, err = files.Write(ctx, filepath.Join(dir, "bad"), []byte("x"), files.Options{Mode: 0o4755})
	assert.ErrorContains(t, err, "fs.ModeSetuid")
	assert.NoFileExists(t, filepath.Join(dir, "bad"))
}

// Ensure that Owner is applied and compared: the process's own uid and gid
// are always allowed; another owner needs privileges, and failing to get
// them leaves nothing behind.
func TestWrite_Owner(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	p := filepath.Join(dir, "owned")
	me := &files.Owner{UID: os.Getuid(), GID: os.Getgid()}
	changed, err := files.Write(ctx, p, []byte("x"), files.Options{Owner: me})
	require.NoError(t, err)
	assert.True(t, changed)
	changed, err = files.Write(ctx, p, []byte("x"), files.Options{Owner: me})
	require.NoError(t, err)
	assert.False(t, changed, "same owner: no change")

	other := &files.Owner{UID: os.Getuid() + 1000, GID: os.Getgid() + 1000}
	if os.Geteuid() == 0 {
		changed, err = files.Write(ctx, p, []byte("x"), files.Options{Owner: other})
		require.NoError(t, err)
		assert.True(t, changed, "a new owner is a change")
		fi, err := os.Stat(p)
		require.NoError(t, err)
		st := fi.Sys().(*syscall.Stat_t)
		assert.Equal(t, [2]int{other.UID, other.GID}, [2]int{int(st.Uid), int(st.Gid)})
		changed, err = files.Write(ctx, p, []byte("x"), files.Options{Owner: other})
		require.NoError(t, err)
		assert.False(t, changed)
		return
	}
	_, err = files.Write(ctx, p, []byte("y"), files.Options{Owner: other})
	require.Error(t, err)
	assert.ErrorIs(t, err, syscall.EPERM)
	assert.Equal(t, "x", read(t, p), "destination unchanged")
	assert.Equal(t, []string{"owned"}, entries(t, dir), "no temporary file left")
}

// Ensure that a symbolic link at the destination is neither followed nor
// replaced, and that a directory there is refused.
func TestWrite_Symlink(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	target := filepath.Join(dir, "shadow")
	require.NoError(t, os.WriteFile(target, []byte("root:x:0:0"), 0o600))
	link := filepath.Join(dir, "app.conf")
	require.NoError(t, os.Symlink(target, link))

	for name, call := range map[string]func() (bool, error){
		"write": func() (bool, error) { return files.Write(ctx, link, []byte("owned"), files.Options{}) },
		"render": func() (bool, error) {
			return files.Render(ctx, link, template.Must(template.New("t").Parse("x")), nil, files.Options{})
		},
		"remove": func() (bool, error) { return files.Remove(ctx, link) },
	} {
		changed, err := call()
		assert.ErrorIs(t, err, files.ErrSymlink, name)
		assert.ErrorContains(t, err, link, name)
		assert.False(t, changed, name)
		assert.Equal(t, "root:x:0:0", read(t, target), "%s: the link's target is untouched", name)
		assert.Equal(t, fs.ModeSymlink, mode(t, link)&fs.ModeSymlink, "%s: the link is still there", name)
	}
	dangling := filepath.Join(dir, "dangling")
	require.NoError(t, os.Symlink(filepath.Join(dir, "nowhere"), dangling))
	_, err := files.Write(ctx, dangling, []byte("x"), files.Options{})
	assert.ErrorIs(t, err, files.ErrSymlink)
	assert.NoFileExists(t, filepath.Join(dir, "nowhere"))

	sub := filepath.Join(dir, "sub")
	require.NoError(t, os.Mkdir(sub, 0o755))
	_, err = files.Write(ctx, sub, []byte("x"), files.Options{})
	assert.ErrorIs(t, err, files.ErrNotRegular)
	_, err = files.Remove(ctx, sub)
	assert.ErrorIs(t, err, files.ErrNotRegular)

	assert.ElementsMatch(t, []string{"shadow", "app.conf", "dangling", "sub"}, entries(t, dir), "no temporary file left")
}

// Ensure that an error names the path, never the content, and leaves no
// temporary file.
func TestWrite_ErrorsNameThePath(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()

	// A parent that is a file: fails for root too.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "file"), nil, 0o644))
	q := filepath.Join(dir, "file", "secret")
	_, err := files.Write(ctx, q, []byte("hunter2"), files.Options{})
	require.Error(t, err)
	assert.ErrorIs(t, err, syscall.ENOTDIR)
	assert.Contains(t, err.Error(), "files: writing "+q+": ")
	assert.NotContains(t, err.Error(), "hunter2")

	_, err = files.Write(ctx, "", []byte("x"), files.Options{})
	assert.ErrorContains(t, err, "empty path")

	if os.Geteuid() == 0 {
		t.Skip("root writes to read-only directories")
	}
	ro := filepath.Join(dir, "ro")
	require.NoError(t, os.Mkdir(ro, 0o755))
	p := filepath.Join(ro, "secret")
	require.NoError(t, os.WriteFile(p, []byte("old"), 0o600))
	require.NoError(t, os.Chmod(ro, 0o555))
	t.Cleanup(func() { _ = os.Chmod(ro, 0o755) })

	_, err = files.Write(ctx, p, []byte("hunter2"), files.Options{Mode: 0o600})
	require.Error(t, err)
	assert.ErrorIs(t, err, fs.ErrPermission)
	assert.Contains(t, err.Error(), "files: writing "+p+": ")
	assert.NotContains(t, err.Error(), "hunter2")
	var fe *files.Error
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, p, fe.Path)
	assert.Equal(t, "old", read(t, p))
	assert.Equal(t, []string{"secret"}, entries(t, ro))
}

// cancelAfter is a context whose Err turns to context.Canceled after n
// calls: it cancels Write at a precise point.
type cancelAfter struct {
	context.Context
	n int
}

func (c *cancelAfter) Err() error {
	if c.n <= 0 {
		return context.Canceled
	}
	c.n--
	return nil
}

func (c *cancelAfter) Done() <-chan struct{} { return nil }
func (c *cancelAfter) Deadline() (time.Time, bool) {
	return time.Time{}, false
}

// Ensure that a done context stops Write before the rename: nothing
// written, no temporary file, the old content kept.
func TestWrite_Cancelled(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "app.conf")
	require.NoError(t, os.WriteFile(p, []byte("old"), 0o644))

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	changed, err := files.Write(ctx, p, []byte("new"), files.Options{})
	assert.ErrorIs(t, err, context.Canceled)
	assert.False(t, changed)

	// Cancelled after the temporary file was written, before the rename.
	changed, err = files.Write(&cancelAfter{Context: t.Context(), n: 1}, p, []byte("new"), files.Options{})
	assert.ErrorIs(t, err, context.Canceled)
	assert.False(t, changed)
	assert.Equal(t, "old", read(t, p))
	assert.Equal(t, []string{"app.conf"}, entries(t, dir), "the temporary file was removed")

	_, err = files.Remove(ctx, p)
	assert.ErrorIs(t, err, context.Canceled)
	assert.FileExists(t, p)
}

// Ensure that Render writes the executed template, and that a template
// error writes nothing and does not leak the data.
func TestRender(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	p := filepath.Join(dir, "app.conf")
	tmpl := template.Must(template.New("app.conf").Option("missingkey=error").Parse("port = {{.port}}\ntoken = {{.token}}\n"))

	changed, err := files.Render(ctx, p, tmpl, map[string]any{"port": 80, "token": "t0k"}, files.Options{Mode: 0o640})
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Equal(t, "port = 80\ntoken = t0k\n", read(t, p))
	changed, err = files.Render(ctx, p, tmpl, map[string]any{"port": 80, "token": "t0k"}, files.Options{Mode: 0o640})
	require.NoError(t, err)
	assert.False(t, changed)

	q := filepath.Join(dir, "other.conf")
	_, err = files.Render(ctx, q, tmpl, map[string]any{"port": "hunter2"}, files.Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "files: rendering "+q+": ")
	assert.Contains(t, err.Error(), `map has no entry for key "token"`)
	assert.NotContains(t, err.Error(), "hunter2")
	assert.NoFileExists(t, q)

	_, err = files.Render(ctx, q, nil, nil, files.Options{})
	assert.ErrorContains(t, err, "nil template")
	assert.ElementsMatch(t, []string{"app.conf"}, entries(t, dir))
}

// Ensure that Remove reports whether a file was there.
func TestRemove(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	p := filepath.Join(t.TempDir(), "f")
	removed, err := files.Remove(ctx, p)
	require.NoError(t, err)
	assert.False(t, removed)
	require.NoError(t, os.WriteFile(p, nil, 0o644))
	removed, err = files.Remove(ctx, p)
	require.NoError(t, err)
	assert.True(t, removed)
	assert.NoFileExists(t, p)
	_, err = files.Remove(ctx, "")
	assert.ErrorContains(t, err, "empty path")
}

// Ensure that the temporary files a killed Write leaves are recognised and
// removed, and nothing else.
func TestRemoveTemp(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{".app.conf.charmkit-tmp-123", "app.conf", ".app.conf.charmkit-tmp-", "app.conf.charmkit-tmp-1", ".x.charmkit-tmp-9z"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), nil, 0o600))
	}
	require.NoError(t, os.Mkdir(filepath.Join(dir, ".d.charmkit-tmp-1"), 0o755))
	assert.True(t, files.IsTemp("/etc/.app.conf.charmkit-tmp-4242"))
	assert.False(t, files.IsTemp("app.conf"))

	removed, err := files.RemoveTemp(dir)
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join(dir, ".app.conf.charmkit-tmp-123")}, removed)
	assert.ElementsMatch(t, []string{"app.conf", ".app.conf.charmkit-tmp-", "app.conf.charmkit-tmp-1", ".x.charmkit-tmp-9z", ".d.charmkit-tmp-1"}, entries(t, dir))

	_, err = files.RemoveTemp(filepath.Join(dir, "missing"))
	assert.ErrorIs(t, err, fs.ErrNotExist)
}

// spyCtx calls fn at every Err call, before answering nil.
type spyCtx struct {
	context.Context
	fn func()
}

func (c spyCtx) Err() error { c.fn(); return nil }

// Ensure that the temporary file Write creates, which a killed Write would
// leave behind, has the documented name, in the destination's directory.
func TestWrite_TempName(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "app.conf")
	var seen [][]string
	ctx := spyCtx{Context: t.Context(), fn: func() { seen = append(seen, entries(t, dir)) }}
	_, err := files.Write(ctx, p, []byte("x"), files.Options{})
	require.NoError(t, err)
	require.Len(t, seen, 2, "checked at the start and before the rename")
	assert.Empty(t, seen[0])
	require.Len(t, seen[1], 1, "the temporary file, just before the rename")
	assert.True(t, strings.HasPrefix(seen[1][0], ".app.conf.charmkit-tmp-"), seen[1][0])
	assert.True(t, files.IsTemp(seen[1][0]))
	assert.Equal(t, []string{"app.conf"}, entries(t, dir))
}

// Ensure that Path maps system paths under the root of the context, then of
// CHARMKIT_ROOT, and leaves them alone on a real unit.
func TestPath(t *testing.T) {
	// Not parallel: it sets an environment variable.
	bg := context.Background()
	t.Setenv(files.RootEnv, "")
	assert.Equal(t, "/", files.Root(bg))
	assert.Equal(t, "/etc/app/app.conf", files.Path(bg, "/etc/app/app.conf"))

	ctx := files.WithRoot(bg, "/tmp/unit-root")
	assert.Equal(t, "/tmp/unit-root", files.Root(ctx))
	assert.Equal(t, "/tmp/unit-root/etc/app/app.conf", files.Path(ctx, "/etc/app/app.conf"))
	assert.Equal(t, "relative/x", files.Path(ctx, "relative/x"), "relative paths are left alone")

	t.Setenv(files.RootEnv, "root")
	wd, err := os.Getwd()
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(wd, "root"), files.Root(bg), "relative to the working directory")
	assert.Equal(t, filepath.Join(wd, "root", "etc", "x"), files.Path(bg, "/etc/x"))
	assert.Equal(t, "/tmp/unit-root", files.Root(ctx), "the context wins")
	assert.True(t, strings.HasPrefix(files.Path(files.WithRoot(bg, ""), "/etc/x"), wd), "an empty root is no root")
}

// Ensure that errors unwrap to the cause and print it once.
func TestError(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "missing-dir-is-a-file", "x")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "missing-dir-is-a-file"), nil, 0o644))
	_, err := files.Write(t.Context(), p, []byte("x"), files.Options{})
	require.Error(t, err)
	assert.True(t, errors.Is(err, syscall.ENOTDIR), "%v", err)
	assert.Equal(t, 1, strings.Count(err.Error(), p), "the path once: %v", err)
}
