package files

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Errors matched with errors.Is.
var (
	// ErrSymlink is returned when the destination is a symbolic link: it is
	// never followed nor replaced.
	ErrSymlink = errors.New("files: destination is a symbolic link")
	// ErrNotRegular is returned when the destination exists but is neither a
	// regular file nor a symbolic link (a directory, a FIFO, a device).
	ErrNotRegular = errors.New("files: destination is not a regular file")
)

// TempMarker is the part of a temporary file's name that marks it as
// [Write]'s: ".<name>" + TempMarker + "<digits>".
const TempMarker = ".charmkit-tmp-"

// Default modes.
const (
	DefaultMode    fs.FileMode = 0o644
	DefaultDirMode fs.FileMode = 0o755
)

// modeBits are the mode bits a file may be given.
const modeBits = fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky

// Owner is a file's numeric owner and group.
type Owner struct {
	UID, GID int
}

// Options says how [Write] and [Render] write a file. The zero value writes
// a file with mode 0644 owned by the process's user (root in a hook), and
// creates missing parent directories with mode 0755.
type Options struct {
	// Mode is the file's permission bits, and optionally fs.ModeSetuid,
	// fs.ModeSetgid and fs.ModeSticky; zero means [DefaultMode]. The umask
	// does not apply.
	Mode fs.FileMode
	// Owner, when not nil, is the file's owner and group (changing them
	// needs privileges, which a hook has). When nil the file belongs to the
	// process's user and group, and the owner of an existing file is not
	// compared: a rewrite gives it to the process's user.
	Owner *Owner
	// DirMode is the mode of the parent directories that do not exist yet;
	// zero means [DefaultDirMode]. The umask applies.
	DirMode fs.FileMode
}

func (o Options) mode() fs.FileMode {
	if o.Mode == 0 {
		return DefaultMode
	}
	return o.Mode
}

func (o Options) dirMode() fs.FileMode {
	if o.DirMode == 0 {
		return DefaultDirMode
	}
	return o.DirMode
}

// Template is what [Render] executes: a *text/template.Template or a
// *html/template.Template.
type Template interface {
	Execute(w io.Writer, data any) error
}

// Write makes the file at path hold data, with the mode and owner of opts,
// and reports whether it changed anything: false when the file already had
// that content, mode and (if opts.Owner is set) owner, in which case
// nothing is written. The write is atomic (see the package documentation);
// path is used as given (see [Path] for system paths under test).
//
// The error names path, never data, and matches [ErrSymlink] when path is
// a symbolic link, [ErrNotRegular] when it is a directory or another
// special file, and ctx.Err() when ctx was done before the file was
// replaced; in every error case the destination is as it was and no
// temporary file is left.
func Write(ctx context.Context, path string, data []byte, opts Options) (changed bool, err error) {
	if path == "" {
		return false, errors.New("files: write: empty path")
	}
	if err := ctx.Err(); err != nil {
		return false, fail("writing", path, err)
	}
	mode := opts.mode()
	if err := checkMode(mode); err != nil {
		return false, fail("writing", path, err)
	}
	same, err := unchanged(path, data, mode, opts.Owner)
	if err != nil {
		return false, fail("writing", path, err)
	}
	if same {
		return false, nil
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, opts.dirMode()); err != nil {
		return false, fail("writing", path, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+TempMarker+"*")
	if err != nil {
		return false, fail("writing", path, err)
	}
	tmp := f.Name()
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				_ = f.Close()
			}
			_ = os.Remove(tmp)
		}
	}()
	// Content first, then owner, then mode: a write by an unprivileged
	// process and chown both clear the setuid and setgid bits. Until the
	// chmod the file is private (CreateTemp makes it 0600).
	if _, err := f.Write(data); err != nil {
		return false, fail("writing", path, err)
	}
	if opts.Owner != nil {
		if err := f.Chown(opts.Owner.UID, opts.Owner.GID); err != nil {
			return false, fail("writing", path, err)
		}
	}
	if err := f.Chmod(mode); err != nil {
		return false, fail("writing", path, err)
	}
	// The system may drop a bit silently (setgid for a group the process is
	// not in): the file would then differ from what was asked at every call.
	if fi, err := f.Stat(); err != nil {
		return false, fail("writing", path, err)
	} else if got := fi.Mode() & modeBits; got != mode {
		return false, fail("writing", path, fmt.Errorf("mode %v not applied: the file gets %v (setuid and setgid need privileges, or membership of the file's group)", mode, got))
	}
	if err := f.Sync(); err != nil {
		return false, fail("writing", path, err)
	}
	closed = true
	if err := f.Close(); err != nil {
		return false, fail("writing", path, err)
	}
	if err := ctx.Err(); err != nil {
		return false, fail("writing", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return false, fail("writing", path, err)
	}
	// The file is in place: from here on, report the change even if the
	// directory cannot be synced.
	if err := syncDir(dir); err != nil {
		return true, fail("writing", path, err)
	}
	return true, nil
}

// Render executes t with data and writes the result to path as [Write]
// does, reporting whether the file changed. The template runs into memory
// first: a template error writes nothing. Parse templates with
// Option("missingkey=error") so that a missing key is an error rather than
// "<no value>" in the file.
func Render(ctx context.Context, path string, t Template, data any, opts Options) (changed bool, err error) {
	if t == nil {
		return false, fail("rendering", path, errors.New("nil template"))
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return false, fail("rendering", path, err)
	}
	return Write(ctx, path, buf.Bytes(), opts)
}

// Remove removes the file at path and reports whether there was one. A
// symbolic link at path is not removed ([ErrSymlink]), nor a directory
// ([ErrNotRegular]).
func Remove(ctx context.Context, path string) (removed bool, err error) {
	if path == "" {
		return false, errors.New("files: remove: empty path")
	}
	if err := ctx.Err(); err != nil {
		return false, fail("removing", path, err)
	}
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fail("removing", path, err)
	case fi.Mode()&fs.ModeSymlink != 0:
		return false, fail("removing", path, ErrSymlink)
	case !fi.Mode().IsRegular():
		return false, fail("removing", path, ErrNotRegular)
	}
	if err := os.Remove(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, fail("removing", path, err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return true, fail("removing", path, err)
	}
	return true, nil
}

// tempRE matches the names of Write's temporary files.
var tempRE = regexp.MustCompile(`^\..+` + regexp.QuoteMeta(TempMarker) + `[0-9]+$`)

// IsTemp reports whether name (a file name or a path) is one of the
// temporary files [Write] creates: ".<name>.charmkit-tmp-<digits>". Only a
// process killed in the middle of a Write leaves one behind.
func IsTemp(name string) bool { return tempRE.MatchString(filepath.Base(name)) }

// RemoveTemp removes the temporary files a killed [Write] left in dir (not
// in its subdirectories) and returns their paths. Call it only when no
// other process may be writing there.
func RemoveTemp(dir string) (removed []string, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("files: removing temporary files in %s: %w", dir, err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !IsTemp(e.Name()) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("files: removing temporary files in %s: %w", dir, err)
		}
		removed = append(removed, p)
	}
	return removed, nil
}

// checkMode accepts permission bits and Go's setuid, setgid and sticky bits.
func checkMode(m fs.FileMode) error {
	if m&0o7000 != 0 {
		return fmt.Errorf("invalid mode %#o: in Go, setuid, setgid and sticky are fs.ModeSetuid, fs.ModeSetgid and fs.ModeSticky, not 0o4000, 0o2000 and 0o1000", uint32(m))
	}
	if m&^modeBits != 0 {
		return fmt.Errorf("invalid mode %v: only permission, setuid, setgid and sticky bits", m)
	}
	return nil
}

// unchanged reports whether path is a regular file that already has data,
// mode and owner (when not nil). A missing file is not unchanged.
func unchanged(path string, data []byte, mode fs.FileMode, owner *Owner) (bool, error) {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, err
	case fi.Mode()&fs.ModeSymlink != 0:
		return false, ErrSymlink
	case !fi.Mode().IsRegular():
		return false, ErrNotRegular
	}
	if fi.Mode()&modeBits != mode || fi.Size() != int64(len(data)) {
		return false, nil
	}
	if owner != nil && !ownedBy(fi, *owner) {
		return false, nil
	}
	f, err := os.OpenFile(path, os.O_RDONLY|oNoFollow, 0)
	if err != nil {
		return false, err
	}
	defer f.Close()
	cur, err := io.ReadAll(io.LimitReader(f, int64(len(data))+1))
	if err != nil {
		return false, err
	}
	return bytes.Equal(cur, data), nil
}

// syncDir makes a rename or removal in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// fail returns "files: <op> <path>: <err>". The wrapped error may name the
// temporary file; nothing names the content.
func fail(op, path string, err error) error {
	msg := err.Error()
	// An os error about path itself repeats it; keep the inner cause only.
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path == path {
		msg = pe.Op + ": " + pe.Err.Error()
	}
	return &Error{Op: op, Path: path, Err: err, msg: strings.TrimSpace(msg)}
}

// Error is the error of a failed [Write], [Render] or [Remove]: what was
// done, on which path, and why. It never holds the file's content.
type Error struct {
	Op   string // "writing", "rendering" or "removing"
	Path string
	Err  error
	msg  string
}

func (e *Error) Error() string { return "files: " + e.Op + " " + e.Path + ": " + e.msg }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }
