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

// ExecRunner is the default [Runner]: it runs the tool found on PATH (or in Dir if
// set) as a child process and captures its stdout and stderr. The zero value is
// ready to use.
type ExecRunner struct {
	// Dir, if non-empty, is the directory holding the tools; PATH is not searched.
	Dir string
	// Env, if non-nil, is the child's environment; nil means the current process's.
	Env []string
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
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = r.Env
	cmd.WaitDelay = time.Second // do not hang on a grandchild holding stdout open
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	if err == nil {
		return stdout.Bytes(), nil
	}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		if ctxErr := ctx.Err(); ctxErr != nil {
			return stdout.Bytes(), fmt.Errorf("%s: %w", tool, ctxErr)
		}
		te := NewToolError(tool, args, exitErr.ExitCode(), stderr.String())
		te.err = exitErr
		return stdout.Bytes(), te
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, exec.ErrNotFound):
		return nil, fmt.Errorf("%w: %s: %w", ErrToolNotFound, tool, err)
	default:
		return nil, fmt.Errorf("running %s: %w", tool, err)
	}
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
