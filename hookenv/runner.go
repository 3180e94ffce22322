package hookenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Runner runs one hook tool. stdin may be nil. It returns the tool's stdout.
//
// A tool that ran and exited non-zero is reported as a [*ToolError]; a tool that is
// not installed as an error wrapping [ErrToolNotFound].
type Runner interface {
	Run(ctx context.Context, tool string, args []string, stdin []byte) ([]byte, error)
}

// RunnerFunc adapts an ordinary function to the [Runner] interface.
type RunnerFunc func(ctx context.Context, tool string, args []string, stdin []byte) ([]byte, error)

// Run calls f(ctx, tool, args, stdin).
func (f RunnerFunc) Run(ctx context.Context, tool string, args []string, stdin []byte) ([]byte, error) {
	return f(ctx, tool, args, stdin)
}

// Defaults of [ExecRunner]'s limits.
const (
	// DefaultToolTimeout bounds one hook tool call when ExecRunner.Timeout is
	// zero. Juju's tools answer in milliseconds (they ask the unit agent, which
	// may ask the controller); a minute leaves room for a slow controller and
	// still ends a hook whose tool hangs well before Juju's own hook timeout.
	DefaultToolTimeout = time.Minute
	// DefaultMaxOutput caps each of a tool's stdout and stderr, in bytes, when
	// ExecRunner.MaxOutput is zero. The largest legitimate outputs are leader
	// settings, relation data and config, a few hundred KiB at most (leader-set
	// itself is limited to the 2 MiB of execve's argument budget); 8 MiB keeps
	// every real answer and bounds the memory a flooding tool can cost.
	DefaultMaxOutput = 8 << 20
)

// ErrToolTimeout is returned (wrapped, naming the tool and the timeout) when a
// hook tool ran past [ExecRunner.Timeout] and was killed.
var ErrToolTimeout = errors.New("hook tool timed out")

// ErrOutputTooLarge is returned (wrapped, naming the tool, the stream and the
// limit) when a hook tool wrote more than [ExecRunner.MaxOutput] bytes to stdout
// or stderr; it was killed, and what it wrote is not returned.
var ErrOutputTooLarge = errors.New("hook tool output over the limit")

// ExecRunner is the default [Runner]: it runs the tool found on PATH (or in Dir if
// set) as a child process and captures its stdout and stderr. The zero value is
// ready to use.
type ExecRunner struct {
	// Dir, if non-empty, is the directory holding the tools; PATH is not searched.
	Dir string
	// Env, if non-nil, is the child's environment; nil means the current process's.
	Env []string
	// Timeout bounds each call: a tool still running after it is killed, and
	// the call returns an error wrapping ErrToolTimeout. Zero (or negative)
	// means DefaultToolTimeout. The ctx given to Run bounds it too.
	Timeout time.Duration
	// MaxOutput caps each of stdout and stderr, in bytes: a tool that writes
	// more is killed, and the call returns an error wrapping ErrOutputTooLarge.
	// Zero (or negative) means DefaultMaxOutput.
	MaxOutput int
}

var (
	_ Runner = ExecRunner{}
	_ Runner = RunnerFunc(nil)
)

// Run runs tool with args, feeding stdin when it is non-nil.
func (r ExecRunner) Run(ctx context.Context, tool string, args []string, stdin []byte) ([]byte, error) {
	if err := checkToolName(tool); err != nil {
		return nil, err
	}
	for i, a := range args {
		if strings.IndexByte(a, 0) >= 0 {
			return nil, invalidf(tool, "argument %d contains a NUL byte", i+1)
		}
		if len(a) > maxArgLen {
			return nil, invalidf(tool, "argument %d is %d bytes, over the %d-byte limit of one argument", i+1, len(a), maxArgLen)
		}
	}
	path := tool
	if r.Dir != "" {
		path = filepath.Join(r.Dir, tool)
	} else {
		p, err := exec.LookPath(tool)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrToolNotFound, tool, err)
		}
		path = p
	}
	if err := checkExecSize(tool, path, args, r.Env); err != nil {
		return nil, err
	}
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = DefaultToolTimeout
	}
	limit := r.MaxOutput
	if limit <= 0 {
		limit = DefaultMaxOutput
	}
	// runCtx ends at the caller's end, at the timeout, or when an output
	// goes over the cap; exec then kills the tool's process group.
	capped, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	runCtx, cancel := context.WithTimeoutCause(capped, timeout, ErrToolTimeout)
	defer cancel()
	cmd := exec.CommandContext(runCtx, path, args...)
	cmd.Env = r.Env
	ownProcessGroup(cmd)
	cmd.WaitDelay = time.Second // do not hang on a grandchild holding stdout open
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	stdout := &cappedBuffer{limit: limit, stream: "stdout", stop: stop}
	stderr := &cappedBuffer{limit: limit, stream: "stderr", stop: stop}
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	err := cmd.Run()
	switch {
	case ctx.Err() != nil && err != nil:
		return nil, fmt.Errorf("%s: %w", tool, ctx.Err())
	case stdout.over || stderr.over:
		// Even if the tool exited 0 before it was killed: its answer is cut.
		return nil, fmt.Errorf("%s: %w", tool, context.Cause(capped))
	case errors.Is(context.Cause(runCtx), ErrToolTimeout) && err != nil:
		return nil, fmt.Errorf("%s: %w after %v", tool, ErrToolTimeout, timeout)
	case err == nil:
		return stdout.buf.Bytes(), nil
	}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		te := NewToolError(tool, args, exitErr.ExitCode(), stderr.buf.String())
		te.err = exitErr
		return stdout.buf.Bytes(), te
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, exec.ErrNotFound):
		return nil, fmt.Errorf("%w: %s: %w", ErrToolNotFound, tool, err)
	default:
		return nil, fmt.Errorf("running %s: %w", tool, err)
	}
}

// cappedBuffer keeps up to limit bytes of one output stream. A write that would
// go past the limit is refused (so exec stops reading the pipe), marks the
// buffer over and stops the run with an error naming the stream and the limit,
// which kills the tool. Memory stays bounded by the limit (twice it at most, as
// the buffer grows), whatever the tool writes.
type cappedBuffer struct {
	buf    bytes.Buffer
	limit  int
	stream string
	stop   context.CancelCauseFunc
	over   bool
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if c.over {
		return 0, ErrOutputTooLarge
	}
	if c.buf.Len()+len(p) > c.limit {
		c.over = true
		err := fmt.Errorf("%w: more than %d bytes on %s", ErrOutputTooLarge, c.limit, c.stream)
		c.stop(err)
		return 0, err
	}
	return c.buf.Write(p)
}

// checkToolName rejects names that are not a plain tool name.
func checkToolName(tool string) error {
	if tool == "" || strings.ContainsAny(tool, "/\\\x00") || tool == "." || tool == ".." {
		return fmt.Errorf("%w: bad hook tool name %q", ErrInvalidArgument, tool)
	}
	return nil
}

// checkExecSize refuses, before execve would with "argument list too long", a
// command line that with the environment does not fit in [execArgLimit]: the
// path (copied as the file name and as argv[0]), the arguments, the environment
// (env, or this process's when nil), their pointers and the two NULL pointers.
func checkExecSize(tool, path string, args, env []string) error {
	if env == nil {
		env = os.Environ()
	}
	argSize := execSize(args) + 2*(len(path)+1) + 3*ptrSize
	envSize := execSize(env) + ptrSize
	if limit := execArgLimit(); argSize+envSize > limit {
		return invalidf(tool, "arguments of %d bytes and an environment of %d bytes exceed the %d bytes execve takes (argument list too long)", argSize, envSize, limit)
	}
	return nil
}
