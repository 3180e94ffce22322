// Command faketool is the fake Juju hook-tool binary used by jujusim. It is
// symlinked under every tool name into each simulated unit's tools directory
// and, like jujuc, picks the command from basename(argv[0]). Instead of
// talking to a unit agent over a socket it reads and writes the simulated
// model's files (see the modelfs package), under flock.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/charmkit/charmkit/internal/jujucmd"
	"github.com/charmkit/charmkit/testing/jujusim/internal/modelfs"
)

func main() {
	cwd, _ := os.Getwd()
	os.Exit(run(filepath.Base(os.Args[0]), os.Args[1:], os.Getenv, os.Stdin, cwd, os.Stdout, os.Stderr))
}

// handler runs one tool. It writes its output through inv and returns an
// error: a *jujucmd.UsageError exits 2, anything else exits 1.
type handler func(inv *invocation) error

var tools = map[string]handler{
	"is-leader":               isLeader,
	"leader-get":              leaderGet,
	"leader-set":              leaderSet,
	"config-get":              configGet,
	"status-set":              statusSet,
	"status-get":              statusGet,
	"juju-log":                jujuLog,
	"application-version-set": applicationVersionSet,
	"relation-ids":            relationIDs,
	"relation-list":           relationList,
	"relation-get":            relationGet,
	"relation-set":            relationSet,
	"action-get":              notInAction,
	"action-set":              notInAction,
	"action-fail":             notInAction,
	"action-log":              notInAction,
}

// toolNames lists the tools this binary implements, sorted.
func toolNames() []string {
	names := make([]string, 0, len(tools))
	for n := range tools {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// invocation is one tool call inside a hook context.
type invocation struct {
	tool   string
	args   []string
	cwd    string
	stdin  io.Reader
	layout modelfs.Layout
	ctx    modelfs.ContextMeta
	now    int64 // simulated time, Unix ns
	out    bytes.Buffer
	errb   bytes.Buffer
	input  []byte // stdin actually read, for the call log
}

func run(tool string, args []string, getenv func(string) string, stdin io.Reader, cwd string, stdout, stderr io.Writer) int {
	for _, name := range []string{"JUJU_CONTEXT_ID", "JUJU_AGENT_SOCKET_ADDRESS", "JUJU_AGENT_SOCKET_NETWORK"} {
		if getenv(name) == "" {
			fmt.Fprintf(stderr, "ERROR %s not set\n", name)
			return 1
		}
	}
	ctxID := getenv("JUJU_CONTEXT_ID")
	unitDir := filepath.Dir(getenv("JUJU_AGENT_SOCKET_ADDRESS"))
	layout := modelfs.Layout{Root: filepath.Dir(filepath.Dir(unitDir))}

	badRequest := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "ERROR bad request: "+format+"\n", a...)
		return 1
	}
	var live modelfs.UnitContext
	if _, err := modelfs.ReadJSON(filepath.Join(unitDir, "context.json"), &live); err != nil {
		return badRequest("%v", err)
	}
	var meta modelfs.ContextMeta
	ok, err := modelfs.ReadJSON(layout.ContextFile(ctxID, "meta.json"), &meta)
	if err != nil {
		return badRequest("%v", err)
	}
	if !ok || live.ID != ctxID {
		return badRequest("expected context id %q, got %q", live.ID, ctxID)
	}
	if _, known := tools[tool]; !known {
		return badRequest("unknown command: %s", tool)
	}
	// One tool call at a time per context, as jujuc's mutex does.
	unlock, err := modelfs.Lock(layout.ContextFile(ctxID, "lock"), true)
	if err != nil {
		return badRequest("%v", err)
	}
	defer unlock()
	if modelfs.Exists(layout.ContextFile(ctxID, "closed")) {
		return badRequest("expected context id %q, got %q", "", ctxID)
	}

	inv := &invocation{tool: tool, args: args, cwd: cwd, stdin: stdin, layout: layout, ctx: meta}
	var clk modelfs.Clock
	if _, err := modelfs.ReadJSON(layout.ClockFile(), &clk); err != nil {
		fmt.Fprintf(stderr, "ERROR %v\n", err)
		return 1
	}
	inv.now = clk.Now

	code := inv.dispatch()
	if err := inv.record(code); err != nil {
		fmt.Fprintf(stderr, "jujusim: recording call: %v\n", err)
	}
	stdout.Write(inv.out.Bytes())
	stderr.Write(inv.errb.Bytes())
	return code
}

func (inv *invocation) dispatch() int {
	var faults map[string]modelfs.Fault
	if _, err := modelfs.ReadJSON(inv.layout.UnitFile(inv.ctx.Unit, "faults.json"), &faults); err != nil {
		fmt.Fprintf(&inv.errb, "ERROR %v\n", err)
		return 1
	}
	if f, ok := faults[inv.tool]; ok && f.Cause != "" {
		fmt.Fprintf(&inv.errb, "ERROR %s\n", causeError(inv.tool, f.Cause))
		return 1
	} else if ok {
		inv.errb.WriteString(f.Stderr)
		if f.Stderr != "" && !strings.HasSuffix(f.Stderr, "\n") {
			inv.errb.WriteByte('\n')
		}
		return f.Code
	}
	var err error
	if restrictedHooks[inv.ctx.Hook] && inv.tool != "juju-log" {
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

func (inv *invocation) record(code int) error {
	unlock, err := modelfs.Lock(inv.layout.UnitLock(inv.ctx.Unit), true)
	if err != nil {
		return err
	}
	defer unlock()
	return modelfs.AppendJSONL(inv.layout.UnitFile(inv.ctx.Unit, "calls.jsonl"), modelfs.Call{
		Context: inv.ctx.ID, Unit: inv.ctx.Unit, Hook: inv.ctx.Hook, Tool: inv.tool,
		Args: append([]string{}, inv.args...), Stdin: string(inv.input), Exit: code,
		Stdout: inv.out.String(), Stderr: inv.errb.String(),
		SimTime: inv.now, Wall: time.Now().UnixNano(),
	})
}

// emit formats v and writes it to stdout, or to the -o file.
func (inv *invocation) emit(p *jujucmd.Args, v any) error {
	b, err := jujucmd.Format(p.Value("format"), v)
	if err != nil {
		return err
	}
	if path := p.Value("output"); path != "" {
		if !filepath.IsAbs(path) {
			path = filepath.Join(inv.cwd, path)
		}
		return os.WriteFile(path, b, 0o644)
	}
	inv.out.Write(b)
	return nil
}

// parse parses the tool's arguments against opts. On -h/--help it prints a
// short usage text ending in usage to stdout and returns nil, nil (exit 0);
// on a bad command line it returns nil and the *jujucmd.UsageError (exit 2).
func (inv *invocation) parse(usage string, opts ...jujucmd.Option) (*jujucmd.Args, error) {
	p, err := jujucmd.Parse(inv.args, opts...)
	if errors.Is(err, jujucmd.ErrHelp) {
		fmt.Fprintf(&inv.out, "Usage: %s %s\n", inv.tool, usage)
		return nil, nil
	}
	return p, err
}

// restrictedHooks run in Juju's restricted context, where every tool but
// juju-log fails.
var restrictedHooks = map[string]bool{"collect-metrics": true, "meter-status-changed": true}

// restrictedError is the error a tool gives in a restricted context: Juju's
// ErrRestrictedContext (a NotImplemented error, hence the doubled wording),
// annotated as the tool annotates its context's errors. Unlike Juju, it is
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

// causeError is the error a tool reports when its call to the controller
// fails with cause, annotated as the tool annotates it.
func causeError(tool, cause string) string {
	switch tool {
	case "is-leader":
		return "leadership status unknown: " + cause
	case "leader-get":
		return "cannot read leadership settings: " + cause
	case "leader-set":
		return "cannot write leadership settings: cannot write settings: failed to merge leadership settings: " + cause
	}
	return cause
}

func notInAction(inv *invocation) error {
	return errors.New("not running an action")
}
