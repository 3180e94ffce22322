package fakejuju

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/internal/jujucmd"
)

// Call is one hook-tool invocation.
type Call struct {
	// Context is JUJU_CONTEXT_ID: the hook context the call runs in.
	Context string
	// Tool is the tool's name, e.g. "leader-get".
	Tool string
	// Args are the arguments after the tool's name.
	Args []string
	// Stdin is read only by a tool that reads its standard input (e.g.
	// relation-set --file -); nil reads as empty.
	Stdin io.Reader
	// Dir is the caller's working directory, against which relative -o
	// and --file paths are resolved.
	Dir string
}

// Reply is what a tool call printed and its exit status.
type Reply struct {
	Stdout, Stderr []byte
	// ExitCode is 0 on success, 1 for an error while running and 2 for a
	// usage error, as Juju's cmd.Main; -1 means the tool was not found
	// (see [ErrToolNotFound]).
	ExitCode int
}

// ErrToolNotFound is returned by [Run] for a tool the fake does not serve or
// one a [Fault] made missing. It wraps hookenv.ErrToolNotFound.
var ErrToolNotFound = fmt.Errorf("fakejuju: %w", hookenv.ErrToolNotFound)

// ErrBadRequest is returned, wrapped, by [Run] when the context is not open,
// as the unit agent refuses a call whose context id is not the live one
// (the tool client prints "ERROR bad request: ..." and exits 1).
var ErrBadRequest = errors.New("bad request")

// toolFunc runs one tool. It writes its output through t and returns an
// error: a *jujucmd.UsageError exits 2, anything else 1.
type toolFunc func(t *invocation) error

// tools maps every tool the fake serves to its implementation.
var tools = map[string]toolFunc{}

// serve registers tool implementations; each file of the package adds its
// own group.
func serve(group map[string]toolFunc) {
	for name, fn := range group {
		if tools[name] != nil {
			panic("fakejuju: tool " + name + " served twice")
		}
		tools[name] = fn
	}
}

// ToolNames returns the names of the tools the fake serves, sorted.
func ToolNames() []string {
	names := make([]string, 0, len(tools))
	for n := range tools {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Serves reports whether the fake serves the named tool.
func Serves(tool string) bool { return tools[tool] != nil }

// invocation is one tool call inside a hook context.
type invocation struct {
	m     *Model
	c     *Context
	u     *Unit
	app   *App
	tool  string
	args  []string
	stdin io.Reader
	dir   string
	out   bytes.Buffer
	errb  bytes.Buffer
	input []byte // stdin actually read, for the journal
}

// Run runs one hook-tool call against the model in store, as Juju's unit
// agent serves it, and records it in the journal. The returned error is for
// calls that never reach a tool (see [ErrToolNotFound] and
// [ErrBadRequest]) and for failures of the store itself; a tool that fails
// is a Reply with a non-zero exit code.
func Run(store Store, call Call) (Reply, error) {
	var reply Reply
	var callErr error
	err := store.Update(func(m *Model) error {
		reply, callErr = m.run(call)
		return nil
	})
	if err != nil {
		return Reply{}, err
	}
	return reply, callErr
}

// run is [Run] on the model itself.
func (m *Model) run(call Call) (Reply, error) {
	c, ok := m.Contexts[call.Context]
	if !ok {
		return Reply{}, fmt.Errorf("%w: expected context id %q", ErrBadRequest, call.Context)
	}
	u := m.Units[c.Unit]
	if u == nil {
		return Reply{}, fmt.Errorf("%w: unit %q is gone", ErrBadRequest, c.Unit)
	}
	rec := ToolCall{Unit: c.Unit, Context: c.ID, Hook: c.Hook, Tool: call.Tool, Args: slices.Clone(call.Args), Time: m.Now}
	if rec.Args == nil {
		rec.Args = []string{}
	}
	fn := tools[call.Tool]
	f := u.Faults[call.Tool]
	if fn == nil || f.Missing {
		rec.ExitCode = -1
		m.record(Entry{Call: &rec})
		why := "not served by the fake"
		if fn != nil {
			why = "removed by a fault"
		}
		return Reply{ExitCode: -1}, fmt.Errorf("%w: %s: %s", ErrToolNotFound, call.Tool, why)
	}
	inv := &invocation{m: m, c: c, u: u, app: m.Apps[u.App()], tool: call.Tool, args: call.Args, stdin: call.Stdin, dir: call.Dir}
	if inv.stdin == nil {
		inv.stdin = bytes.NewReader(nil)
	}
	code := inv.dispatch(f)
	reply := Reply{Stdout: inv.out.Bytes(), Stderr: inv.errb.Bytes(), ExitCode: code}
	rec.ExitCode, rec.Stdout, rec.Stderr, rec.Stdin = code, string(reply.Stdout), string(reply.Stderr), string(inv.input)
	redactSecretCall(&rec)
	m.record(Entry{Call: &rec})
	return reply, nil
}

func (inv *invocation) dispatch(f Fault) int {
	if f.Active() {
		fmt.Fprintf(&inv.errb, "ERROR %s\n", f.text(inv.tool))
		return f.code()
	}
	var err error
	if inv.c.Restricted() && inv.tool != "juju-log" {
		err = restrictedError(inv.tool)
	} else {
		err = tools[inv.tool](inv)
	}
	if err == nil {
		return 0
	}
	fmt.Fprintf(&inv.errb, "ERROR %s\n", err)
	return jujucmd.ExitCode(err)
}

// restrictedError is the error a tool gives in a restricted context: Juju's
// ErrRestrictedContext (a NotImplemented error, hence the doubled wording),
// annotated as each tool annotates its context's errors. Unlike Juju, it is
// returned before the arguments are checked.
func restrictedError(tool string) error {
	const msg = "not implemented for restricted context not implemented"
	switch tool {
	case "is-leader":
		return errors.New("leadership status unknown: " + msg)
	case "leader-get":
		return errors.New("cannot read leadership settings: " + msg)
	case "leader-set":
		return errors.New("cannot write leadership settings: " + msg)
	}
	return errors.New(msg)
}

// parse parses the tool's arguments against opts. On -h/--help it prints a
// short usage to stdout and returns nil, nil (exit 0); on a bad command
// line it returns nil and the *jujucmd.UsageError (exit 2).
func (inv *invocation) parse(usage string, opts ...jujucmd.Option) (*jujucmd.Args, error) {
	p, err := jujucmd.Parse(inv.args, opts...)
	if errors.Is(err, jujucmd.ErrHelp) {
		fmt.Fprintf(&inv.out, "Usage: %s %s\n", inv.tool, usage)
		return nil, nil
	}
	return p, err
}

// emit formats v as the parsed --format asks and prints it, or writes it to
// the -o file.
func (inv *invocation) emit(p *jujucmd.Args, v any) error {
	b, err := jujucmd.Format(p.Value("format"), v)
	if err != nil {
		return err
	}
	if path := p.Value("output"); path != "" {
		return os.WriteFile(inv.path(path), b, 0o644)
	}
	inv.out.Write(b)
	return nil
}

// path resolves a path argument against the caller's directory.
func (inv *invocation) path(p string) string {
	if filepath.IsAbs(p) || inv.dir == "" {
		return p
	}
	return filepath.Join(inv.dir, p)
}

// readInput reads a --file argument: stdin for "-", else the file.
func (inv *invocation) readInput(file string) ([]byte, error) {
	if file == "-" {
		b, err := io.ReadAll(inv.stdin)
		inv.input = append(inv.input, b...)
		return b, err
	}
	return os.ReadFile(inv.path(file))
}

// Runner is a hookenv.Runner that runs tools in one context of the model in
// a store, in process: what testing/charmtest gives the charm's handlers.
type Runner struct {
	Store   Store
	Context string
	// Dir is the working directory tools resolve relative paths against
	// (the charm directory).
	Dir string
}

var _ hookenv.Runner = Runner{}

// Run implements hookenv.Runner: a non-zero exit is a *hookenv.ToolError, a
// missing tool an error wrapping hookenv.ErrToolNotFound, exactly as
// hookenv.ExecRunner reports them.
func (r Runner) Run(ctx context.Context, tool string, args []string, stdin []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", tool, err)
	}
	var in io.Reader
	if stdin != nil {
		in = bytes.NewReader(stdin)
	}
	reply, err := Run(r.Store, Call{Context: r.Context, Tool: tool, Args: args, Stdin: in, Dir: r.Dir})
	if err != nil {
		return nil, err
	}
	if reply.ExitCode != 0 {
		return reply.Stdout, hookenv.NewToolError(tool, args, reply.ExitCode, string(reply.Stderr))
	}
	return reply.Stdout, nil
}
