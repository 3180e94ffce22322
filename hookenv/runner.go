package hookenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
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
