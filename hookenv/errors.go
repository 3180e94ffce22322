package hookenv

import (
	"errors"
	"fmt"
	"strings"
)

// ErrToolNotFound is returned (wrapped, naming the tool) when a hook tool is not
// installed: the executable does not exist on PATH or in [ExecRunner.Dir]. Juju 4
// removed leader-get and leader-set, so callers check for it with errors.Is.
var ErrToolNotFound = errors.New("hook tool not found")

// ErrNotLeader reports a leader-only operation on a unit that is not, or no longer,
// the leader. [LeaderTracker.RequireLeader] returns it before any tool runs, and a
// [*ToolError] matches it (errors.Is) when Juju refused a write with one of its
// "not the leader" messages.
var ErrNotLeader = errors.New("unit is not the leader")

// ErrSecretNotFound is matched by a [*ToolError] of a secret tool that answered
// "not found" (exit 1): no such secret, none the unit may see by that ID or
// label, no such key. ops maps the same answers to SecretNotFoundError.
var ErrSecretNotFound = errors.New("secret not found")

// ErrInvalidArgument is wrapped by every error a wrapper returns for input Juju would
// reject (a key with "=", an unknown status, a bad port, ...). No tool was run.
var ErrInvalidArgument = errors.New("invalid argument")

// ErrBadOutput is wrapped when a tool exited 0 but its stdout could not be decoded.
var ErrBadOutput = errors.New("cannot decode tool output")

// ToolError reports a hook tool that ran and exited with a non-zero status.
// Juju exits 2 for a usage error (bad flags or arguments) and 1 for an error while
// running; either way it writes one line "ERROR <message>" to stderr.
type ToolError struct {
	Tool     string   // the tool, e.g. "leader-set"
	Args     []string // the arguments after the tool name
	ExitCode int      // the exit status (-1 when killed by a signal)
	Stderr   string   // everything the tool wrote to stderr
	Message  string   // Juju's "ERROR ..." line with "ERROR " trimmed (or trimmed stderr when there is none)

	err error // the *exec.ExitError, if any
}

// Error returns the tool, its quoted arguments, the exit status and Juju's message,
// e.g. `leader-get "--format=json" "password": exit status 1: cannot read leadership settings`.
func (e *ToolError) Error() string {
	var b strings.Builder
	b.WriteString(e.Tool)
	for _, a := range e.Args {
		fmt.Fprintf(&b, " %q", a)
	}
	fmt.Fprintf(&b, ": exit status %d", e.ExitCode)
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Unwrap returns the underlying *exec.ExitError when the error came from [ExecRunner].
func (e *ToolError) Unwrap() error { return e.err }

// Is reports whether the error means "this unit is not the leader": it matches
// [ErrNotLeader] for Juju's refusals of leader-only writes (leader-set's
// "... not the leader", status-set --application's "this unit is not the leader",
// relation-set --app's "cannot write relation settings"). A write refused in a lost
// race ("failed to merge leadership settings") is not ErrNotLeader.
//
// It matches [ErrSecretNotFound] for a secret tool's "not found" answers.
func (e *ToolError) Is(target error) bool {
	if e.ExitCode != 1 {
		return false
	}
	if target == ErrSecretNotFound {
		return strings.HasPrefix(e.Tool, "secret-") && strings.Contains(e.Message, "not found")
	}
	if target != ErrNotLeader {
		return false
	}
	switch {
	case strings.HasSuffix(e.Message, "cannot write settings: not the leader"):
		return true
	case e.Message == "this unit is not the leader":
		return true
	case e.Tool == "relation-set" && e.Message == "cannot write relation settings":
		return true
	}
	return false
}

// NewToolError builds a [*ToolError] for a tool that exited with code, filling
// Message from the last "ERROR " line of stderr. Fake runners use it to report
// failures exactly as [ExecRunner] does.
func NewToolError(tool string, args []string, code int, stderr string) *ToolError {
	return &ToolError{
		Tool:     tool,
		Args:     append([]string(nil), args...),
		ExitCode: code,
		Stderr:   stderr,
		Message:  errorMessage(stderr),
	}
}

// errorMessage extracts Juju's message from stderr: the last line starting with
// "ERROR ", without that prefix; failing that, the whole stderr trimmed.
func errorMessage(stderr string) string {
	lines := strings.Split(strings.TrimRight(stderr, "\r\n"), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if msg, ok := strings.CutPrefix(strings.TrimRight(lines[i], "\r"), "ERROR "); ok {
			return msg
		}
	}
	return strings.TrimSpace(stderr)
}

// invalidf returns an error wrapping [ErrInvalidArgument] with a message naming the
// tool and the problem.
func invalidf(tool, format string, args ...any) error {
	return fmt.Errorf("%s: %w: %s", tool, ErrInvalidArgument, fmt.Sprintf(format, args...))
}

// badOutputf returns an error wrapping [ErrBadOutput] for output that decoded but
// does not have the expected shape.
func badOutputf(tool, format string, args ...any) error {
	return fmt.Errorf("%s: %w: %s", tool, ErrBadOutput, fmt.Sprintf(format, args...))
}

// invalidWrap prefixes a validation error with the tool name.
func invalidWrap(tool string, err error) error {
	return fmt.Errorf("%s: %w", tool, err)
}
