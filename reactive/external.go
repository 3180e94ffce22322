package reactive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"unicode/utf8"
)

// External handlers: executables found under the charm's handler
// directories, run with --test and --invoke (docs/design.md, "External
// handlers").

// externalRoots are the directories, relative to the charm directory, that
// discoverExternal searches, in this order (charms.reactive's discover).
var externalRoots = [...]string{"reactive", "hooks/reactive", "hooks/relations"}

// externalSniffLen is how many leading bytes decide whether an executable is
// a handler: a binary (not valid UTF-8) or a script starting with "#!".
const externalSniffLen = 1024

// ErrBrokenHandler is wrapped by the error of an external handler that is
// executable but cannot be executed (ENOEXEC, for example a binary for
// another machine). The hook fails; [syscall.ENOEXEC] is wrapped too.
var ErrBrokenHandler = errors.New("file is marked as executable but execution failed; only handler files may be marked as executable")

// externalFile is an executable found by discoverExternal.
type externalFile struct {
	// Path is the absolute path of the file; it is run as
	// "<Path> --test" and "<Path> --invoke <output of --test>".
	Path string
	// Name is the path relative to the charm directory, with slashes
	// ("reactive/configure.sh"). It identifies the handler in the
	// "Registering external reactive handler for <Name>" record.
	Name string
}

// ExternalError reports a failed run of an external handler: it could not
// be started, or its --invoke exited non-zero. errors.As reaches the
// underlying *exec.ExitError or *fs.PathError.
type ExternalError struct {
	Name string // the handler's path relative to the charm directory
	Arg  string // "--test" or "--invoke"
	Err  error
}

// Error returns `external handler "<name>" <arg>: <cause>`.
func (e *ExternalError) Error() string {
	return fmt.Sprintf("external handler %q %s: %v", e.Name, e.Arg, e.Err)
}

// Unwrap returns the cause.
func (e *ExternalError) Unwrap() error { return e.Err }

// discoverExternal finds the external handlers of the charm in charmDir (see
// [isExternalHandler] for what counts as one), in the order they are registered:
// the roots reactive/, hooks/reactive/ and hooks/relations/ in this order (a
// missing root is skipped), and within a root, top down, each directory's files
// in byte order before its subdirectories in byte order (charms.reactive's
// os.walk, sorted, so the order is the same on every machine). Symbolic links to
// directories are not followed, as os.walk does not.
//
// A file is an external handler when it is not directly inside a
// directory named __pycache__, its extension (Python's os.path.splitext)
// is "" or ".sh", it is executable by this process, and its first 1024
// bytes either are not valid UTF-8 (a binary) or start with "#!". So .py,
// .pyc, README.md, non-executable files and executable text without a
// shebang are not handlers.
//
// Directories that cannot be read are skipped (as os.walk does); a
// candidate file that cannot be read is an error. An empty charmDir finds
// nothing.
func discoverExternal(charmDir string) ([]externalFile, error) {
	if charmDir == "" {
		return nil, nil
	}
	abs, err := filepath.Abs(charmDir)
	if err != nil {
		return nil, fmt.Errorf("reactive: discovering external handlers: %w", err)
	}
	var out []externalFile
	for _, root := range externalRoots {
		dir := filepath.Join(abs, filepath.FromSlash(root))
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		if out, err = walkExternal(abs, dir, out); err != nil {
			return nil, fmt.Errorf("reactive: discovering external handlers: %w", err)
		}
	}
	return out, nil
}

// walkExternal is one level of os.walk(top down) with sorted names.
func walkExternal(charmDir, dir string, out []externalFile) ([]externalFile, error) {
	entries, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		return out, nil // os.walk ignores directories it cannot list
	}
	var subdirs []string
	pycache := filepath.Base(dir) == "__pycache__"
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		isDir := e.IsDir()
		if e.Type()&fs.ModeSymlink != 0 {
			if fi, err := os.Stat(p); err == nil && fi.IsDir() {
				continue // a link to a directory: listed, never entered
			}
		}
		if isDir {
			subdirs = append(subdirs, p)
			continue
		}
		if pycache {
			continue
		}
		ok, err := isExternalHandler(p)
		if err != nil {
			return nil, err
		}
		if ok {
			rel, err := filepath.Rel(charmDir, p)
			if err != nil {
				return nil, err
			}
			out = append(out, externalFile{Path: p, Name: filepath.ToSlash(rel)})
		}
	}
	for _, d := range subdirs {
		if out, err = walkExternal(charmDir, d, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// pyExt is Python's os.path.splitext(name)[1] for a base name: leading dots
// do not start an extension (".bashrc" has none).
func pyExt(name string) string {
	rest := strings.TrimLeft(name, ".")
	if i := strings.LastIndexByte(rest, '.'); i >= 0 {
		return rest[i:]
	}
	return ""
}

// isExternalHandler applies charms.reactive's discovery rules to one file:
// not directly inside __pycache__, no extension or .sh, executable, and its
// first 1024 bytes either not valid UTF-8 (a binary) or starting with "#!".
//
// Only a regular file (or a symbolic link to one) can be a handler: a FIFO,
// a device or a socket is skipped without being opened, since opening a
// FIFO for reading waits for a writer and would hang the hook. The file is
// opened without blocking and checked again once open, in case it was
// replaced in between.
func isExternalHandler(path string) (bool, error) {
	if ext := pyExt(filepath.Base(path)); ext != "" && ext != ".sh" {
		return false, nil
	}
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
		return false, nil // dangling links are skipped as os.walk lists them
	}
	if !executable(path) {
		return false, nil
	}
	f, err := openNonBlocking(path)
	if err != nil {
		return false, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return false, fmt.Errorf("reading %s: %w", path, err)
	} else if !fi.Mode().IsRegular() {
		return false, nil
	}
	buf := make([]byte, externalSniffLen)
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return false, fmt.Errorf("reading %s: %w", path, err)
	}
	buf = buf[:n]
	return !utf8.Valid(buf) || bytes.HasPrefix(buf, []byte("#!")), nil
}

// externalHandler is an external handler in one run: the file, and what
// its last --test said.
type externalHandler struct {
	handlerBase
	externalFile
	output string // stdout of the last --test, passed to --invoke
	passed bool   // the last --test exited 0 (the tracer's prediction)
}

// id is the id logged before an invocation: `<name> "<output>"`.
func (e *externalHandler) id() string { return e.Name + ` "` + e.output + `"` }

// predict is the last --test: the tracer starts no process.
func (e *externalHandler) predict(*run) bool { return e.passed }

func (e *externalHandler) logRegistration(l *slog.Logger) {
	logAt(l, slog.LevelDebug, "Registering external reactive handler for "+e.Name)
}

// withExternal returns the snapshot with the external handlers appended
// after the registry's, each tested in every phase and every iteration (it
// watches no flag). The registry's cached index is not modified.
func (s *snapshot) withExternal(exts []externalFile) *snapshot {
	if len(exts) == 0 {
		return s
	}
	n := len(s.handlers)
	out := *s
	out.handlers = slices.Clip(slices.Clone(s.handlers))
	ix := &index{watchers: s.index.watchers}
	for p := range ix.all {
		ix.all[p] = slices.Clone(s.index.all[p])
		ix.unwatched[p] = slices.Clone(s.index.unwatched[p])
	}
	for i, e := range exts {
		h := &externalHandler{
			handlerBase:  handlerBase{idx: n + i, name: e.Name, phases: inHooks | inOther | inRestricted},
			externalFile: e,
		}
		out.handlers = append(out.handlers, h)
		for p := range ix.all {
			ix.all[p] = append(ix.all[p], h.idx)
			ix.unwatched[p] = append(ix.unwatched[p], h.idx)
		}
	}
	out.index = ix
	return &out
}

// logRegistrations writes charms.reactive's register log records (the
// REACTIVE_LOG_OPTS=register option): one per Go handler with one per condition,
// then one per external handler.
func (ru *run) logRegistrations() {
	for _, h := range ru.snap.handlers {
		h.logRegistration(ru.logger)
	}
}

// command returns the command running the handler with args, wired to the
// hook: the process environment, CHARM_DIR and JUJU_CHARM_DIR, and (through
// Hook.RunCommand) the charms.reactive channel and JUJU_HOOK_NAME.
func (e *externalHandler) command(ctx context.Context, ru *run, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, e.Path, args...)
	cmd.Env = os.Environ()
	if d := ru.hook.env.CharmDir; d != "" {
		cmd.Env = append(cmd.Env, "CHARM_DIR="+d, "JUJU_CHARM_DIR="+d)
	}
	cmd.Stderr = ru.kids.stderr
	return cmd
}

// startErr turns an error from starting or running the handler into the
// hook's error.
func (e *externalHandler) startErr(ctx context.Context, arg string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		err = fmt.Errorf("%w: %w", ctxErr, err)
	} else if errors.Is(err, syscall.ENOEXEC) {
		err = fmt.Errorf("%w: %w", ErrBrokenHandler, err)
	}
	return &ExternalError{Name: e.Name, Arg: arg, Err: err}
}

// test runs "<path> --test": exit 0 means invoke, and stdout is kept for
// --invoke. It commits nothing: the child reads and writes the hook's open
// transaction through the charms.reactive channel (docs/design.md,
// "Decision 2").
func (e *externalHandler) test(ctx context.Context, ru *run) (bool, error) {
	ru.watch.flush()
	cmd := e.command(ctx, ru, "--test")
	var out bytes.Buffer
	cmd.Stdout = &out
	err := runHandler(ctx, ru, cmd)
	e.output = out.String()
	var ee *exec.ExitError
	switch {
	case err == nil:
		e.passed = true
		return true, nil
	case errors.As(err, &ee) && ctx.Err() == nil:
		e.passed = false
		return false, nil
	}
	return false, e.startErr(ctx, "--test", err)
}

// invoke runs "<path> --invoke <output of --test>"; a non-zero exit fails
// the hook.
func (e *externalHandler) invoke(ctx context.Context, ru *run) error {
	ru.watch.flush()
	cmd := e.command(ctx, ru, "--invoke", e.output)
	cmd.Stdout = ru.kids.stdout
	if err := runHandler(ctx, ru, cmd); err != nil {
		return e.startErr(ctx, "--invoke", err)
	}
	return nil
}

// runHandler runs an external handler as a child of the hook and waits for
// it. As Python's subprocess does, it reads the handler's output to its
// end, which a process the handler left behind may hold open after the
// handler has exited, but only until ctx ends: the output that is not a
// file goes through a pipe of this process, which is closed then (exec's
// own copying would wait for the end of the output whatever ctx says).
func runHandler(ctx context.Context, ru *run, cmd *exec.Cmd) error {
	var pipes []*outputPipe
	defer func() {
		for _, p := range pipes {
			p.close()
		}
	}()
	for _, w := range []*io.Writer{&cmd.Stdout, &cmd.Stderr} {
		if _, isFile := (*w).(*os.File); isFile || *w == nil {
			continue
		}
		p, err := newOutputPipe(*w)
		if err != nil {
			return fmt.Errorf("creating the output pipe: %w", err)
		}
		pipes = append(pipes, p)
		*w = p.w
	}
	err := ru.hook.RunCommand(cmd)
	for _, p := range pipes {
		if perr := p.wait(ctx); err == nil {
			err = perr
		}
	}
	return err
}

// outputPipe carries a child's output to a writer.
type outputPipe struct {
	r, w   *os.File
	copied chan struct{} // closed when the copy ended
}

func newOutputPipe(dst io.Writer) (*outputPipe, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	p := &outputPipe{r: r, w: w, copied: make(chan struct{})}
	go func() {
		defer close(p.copied)
		_, _ = io.Copy(dst, r)
	}()
	return p, nil
}

// wait closes this process's end for writing (the child has exited) and
// waits for the end of the output or of ctx, whichever comes first.
func (p *outputPipe) wait(ctx context.Context) error {
	p.w.Close()
	select {
	case <-p.copied:
		return nil
	case <-ctx.Done():
		p.r.Close()
		<-p.copied
		return fmt.Errorf("waiting for the end of its output, held open by a process it started: %w", context.Cause(ctx))
	}
}

// close releases the pipe and waits for the copy to end.
func (p *outputPipe) close() {
	p.w.Close()
	p.r.Close()
	<-p.copied
}

// prependPath returns env with dir in front of its PATH (the last PATH
// entry wins, as in os/exec).
func prependPath(env []string, dir string) []string {
	path := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	if path == "" {
		return append(env, "PATH="+dir)
	}
	return append(env, "PATH="+dir+string(os.PathListSeparator)+path)
}
