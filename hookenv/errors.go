package hookenv

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
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
//
// Args and Stderr hold the call as it was made and answered, values included:
// a leader-set's settings, a secret's content, a log message. They are there for
// programmatic use (tests, retries) and must never be logged or shown; Error
// renders the call without them (see [ToolError.Error]).
type ToolError struct {
	Tool     string   // the tool, e.g. "leader-set"
	Args     []string // the arguments after the tool name; may hold secrets: never log them
	ExitCode int      // the exit status (-1 when killed by a signal)
	Stderr   string   // everything the tool wrote to stderr; may quote arguments: never log it
	Message  string   // Juju's "ERROR ..." line with "ERROR " trimmed (or trimmed stderr when there is none)

	err error // the *exec.ExitError, if any
}

// Error returns the tool, its arguments with every value hidden, the exit status
// and Juju's message, e.g.
// `leader-set admin_password=… motd=…: exit status 1: cannot write leadership settings: ...`.
// A hook logs its error at ERROR, which reaches the controller's debug-log, so the
// text names the tool, the keys and the exit code and never a value. The
// arguments are rendered one by one:
//
//   - "--" is shown, and every argument after it is free text (a log, status or
//     action message, a version) and shows as "…";
//   - an option ("-x", "--name") is shown; its value ("--name=value", or the next
//     argument for "-r", "--file", "-l", "--endpoints" and their long names) is
//     shown only for the options whose values are the call's shape, not its data:
//     --format, -r/--relation, --file, -l/--log-level, --endpoints, --owner,
//     --rotate, --expire. Any other option's value shows as "…": "--label=…", and
//     "--description …" when an option that is not a known switch (--app,
//     --application, -a/--all, --include-data, --peek, --refresh) is followed by
//     an argument that does not start with "-";
//   - a key=value argument shows as "key=…", whatever the value;
//   - any other argument (a key, a unit or application name, a relation or secret
//     id, a port, "-") is shown when it is at most 256 bytes without white space or
//     control characters, and shows as "…" otherwise;
//   - a shown argument that is not printable text is quoted as by %q.
//
// Juju's message is shown after the exit status with every hidden value of 4
// bytes or more (as it is, or escaped as %q would) replaced by "…", in case Juju
// quoted an argument back. Data sent on stdin (relation-set, state-set) is not in
// the error at all.
func (e *ToolError) Error() string {
	var b strings.Builder
	b.WriteString(e.Tool)
	shown, hidden := redactArgs(e.Args)
	for _, a := range shown {
		b.WriteByte(' ')
		b.WriteString(a)
	}
	fmt.Fprintf(&b, ": exit status %d", e.ExitCode)
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(scrub(e.Message, hidden))
	}
	return b.String()
}

// hiddenMark stands for a value Error does not show.
const hiddenMark = "…"

// Options by how Error renders them: optShape's value is shown (when given
// inline), optShapeNext's too, and it may be the next argument; optSwitch takes no
// value. Any other option's value is hidden, inline or next.
const (
	optShape = iota + 1
	optShapeNext
	optSwitch
)

var knownOptions = map[string]int{
	"--format": optShape, "--owner": optShape, "--rotate": optShape, "--expire": optShape,
	"-r": optShapeNext, "--relation": optShapeNext, "--file": optShapeNext, "-l": optShapeNext,
	"--log-level": optShapeNext, "--endpoints": optShapeNext,
	"--app": optSwitch, "--application": optSwitch, "-a": optSwitch, "--all": optSwitch,
	"--include-data": optSwitch, "--peek": optSwitch, "--refresh": optSwitch,
}

// redactArgs renders args as [ToolError.Error] shows them, and returns the values
// it hid.
func redactArgs(args []string) (shown, hidden []string) {
	shown = make([]string, 0, len(args))
	hide := func(v string) {
		hidden = append(hidden, v)
		shown = append(shown, hiddenMark)
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			shown = append(shown, a)
			for _, rest := range args[i+1:] {
				hide(rest)
			}
			return shown, hidden
		case len(a) > 1 && a[0] == '-':
			name, val, inline := strings.Cut(a, "=")
			kind := knownOptions[name]
			switch {
			case inline && (kind == optShape || kind == optShapeNext):
				shown = append(shown, quoteArg(a))
			case inline:
				hidden = append(hidden, val)
				shown = append(shown, quoteArg(name)+"="+hiddenMark)
			default:
				shown = append(shown, quoteArg(a))
				if i+1 < len(args) {
					next := args[i+1]
					switch {
					case kind == optShapeNext:
						i++
						shown = append(shown, quoteArg(next))
					case kind == 0 && !strings.HasPrefix(next, "-"):
						i++
						hide(next)
					}
				}
			}
		case strings.Contains(a, "="):
			k, v, _ := strings.Cut(a, "=")
			hidden = append(hidden, v)
			shown = append(shown, quoteArg(k+"="+hiddenMark))
		case len(a) <= 256 && !strings.ContainsFunc(a, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) && utf8.ValidString(a):
			shown = append(shown, a)
		default:
			hide(a)
		}
	}
	return shown, hidden
}

// quoteArg returns a as it is when it is printable text without spaces, and
// quoted as by %q otherwise.
func quoteArg(a string) string {
	if a != "" && utf8.ValidString(a) && !strings.ContainsFunc(a, func(r rune) bool { return r == ' ' || !strconv.IsPrint(r) }) {
		return a
	}
	return strconv.Quote(a)
}

// scrub replaces in msg every hidden value of at least 4 bytes, as it is or as
// %q would quote it, with "…"; shorter ones would match ordinary words.
func scrub(msg string, hidden []string) string {
	for _, v := range hidden {
		if len(v) < 4 {
			continue
		}
		msg = strings.ReplaceAll(msg, v, hiddenMark)
		if q := strconv.Quote(v); q[1:len(q)-1] != v {
			msg = strings.ReplaceAll(msg, q[1:len(q)-1], hiddenMark)
		}
	}
	return msg
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
