package charmtest

import (
	"errors"
	"fmt"

	"github.com/charmkit/charmkit/internal/jujucmd"
)

// reply is what one fake tool call produces: stdout, an exit code and, for a
// non-zero code, the message Juju prints after "ERROR ".
type reply struct {
	out  []byte
	code int
	msg  string
}

func ok(out []byte) reply { return reply{out: out} }

// fail is the reply cmd.Main gives for err: exit 2 for a
// *jujucmd.UsageError, 1 for any other error.
func fail(err error) reply {
	return reply{code: jujucmd.ExitCode(err), msg: err.Error()}
}

// usageErr is a flag or argument error: exit 2.
func usageErr(format string, args ...any) reply {
	return fail(jujucmd.Usagef(format, args...))
}

// runErr is an error raised while running: exit 1.
func runErr(format string, args ...any) reply {
	return reply{code: 1, msg: fmt.Sprintf(format, args...)}
}

// stderr returns the bytes the tool writes to stderr.
func (r reply) stderr() string {
	if r.code == 0 {
		return ""
	}
	return "ERROR " + r.msg + "\n"
}

// Options several fake tools share, declared as Juju's tools declare them.
var (
	optRel = jujucmd.Option{Name: "relation", Short: "r", Value: true}
	optApp = jujucmd.Option{Name: "app"}
	// optDeprecatedFormat is the --format juju-log and relation-set still
	// accept (and ignore): any value, no check.
	optDeprecatedFormat = jujucmd.Option{Name: "format", Value: true}
)

// parse parses a tool's command line with jujucmd. When the returned Args
// is nil, the tool answers at once with the reply: usage (its stdout, exit
// 0) for -h/--help, or the usage error (exit 2).
func parse(usage string, args []string, opts ...jujucmd.Option) (*jujucmd.Args, reply) {
	p, err := jujucmd.Parse(args, opts...)
	switch {
	case errors.Is(err, jujucmd.ErrHelp):
		return nil, ok([]byte(usage))
	case err != nil:
		return nil, fail(err)
	}
	return p, reply{}
}
