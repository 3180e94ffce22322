package reactive

import (
	"context"
	"fmt"
	"log/slog"
	"os/exec"
	"strings"
	"time"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/internal/callsite"
)

// Hook is one hook's context, handed to every handler and callback. It
// holds the hook's transaction: every flag and key/value change made
// through it becomes durable only when the hook succeeds.
//
// A Hook is used by one goroutine at a time (handlers run one after
// another).
type Hook struct {
	name       string
	env        hookenv.Env
	tools      *hookenv.Tools
	logger     *slog.Logger
	tx         *flags.Tx
	fl         *flags.Flags
	clock      func() time.Time
	restricted bool
	values     map[any]any
	run        hookRun
	current    string // the handler or callback now running
}

// hookRun is what a Hook asks of the run that made it.
type hookRun interface {
	// runCommand runs a child of the hook with the charms.reactive channel.
	runCommand(cmd *exec.Cmd) error
	// syncWatch writes the dispatcher's watch record to the transaction.
	syncWatch()
	// layer returns the registry's layer of that name, or nil.
	layer(name string) Layer
	// addCallback adds a start callback, or an exit callback (exit), for
	// this hook; once that list has run, nothing.
	addCallback(exit bool, c callback)
	// metadata returns the charm's metadata, read once per hook.
	metadata() (*Metadata, error)
}

// RunCommand runs cmd, a child process of this hook, and waits for it. The child
// can use the charms.reactive command line (the charm binary under that name, or
// with a subcommand) on this hook's own state: its commands are sent to this
// process and applied in the hook's open transaction, so it sees the hook's
// uncommitted flags, its flag changes reach the watch and the triggers like a
// handler's own, and they are committed or rolled back with the hook
// (docs/design.md, "Decision 2"). The store's file is never opened by the child.
//
// RunCommand adds CHARMKIT_CLI_SOCKET and JUJU_HOOK_NAME to cmd.Env (to
// the current environment when cmd.Env is nil), and, when
// [RunOptions.CLIExecutable] is set (as [Main] does), puts a directory
// holding a charms.reactive link to it first on the child's PATH. A child
// started any other way that calls charms.reactive waits for the store's
// lock, which the hook holds, and fails with flags.ErrLocked.
func (h *Hook) RunCommand(cmd *exec.Cmd) error { return h.run.runCommand(cmd) }

// Name returns the hook's name (docs/design.md, "Decision 17"), e.g.
// "config-changed".
func (h *Hook) Name() string { return h.name }

// Env returns the hook context read from the environment.
func (h *Hook) Env() hookenv.Env { return h.env }

// Tools returns the hook tools. There is one Tools per hook, so what Juju
// snapshots per hook (config-get) is read once.
func (h *Hook) Tools() *hookenv.Tools { return h.tools }

// Logger returns the hook's logger.
func (h *Hook) Logger() *slog.Logger { return h.logger }

// Flags returns the hook's flag set. Its OnChange field belongs to the
// dispatcher; do not replace it. Its transaction (Flags().Tx()) is the one
// [Hook.KV] returns.
func (h *Hook) Flags() *flags.Flags { return h.fl }

// SetFlag sets a flag (with no value).
func (h *Hook) SetFlag(name string) error { return h.fl.Set(name) }

// SetFlagValue sets a flag and stores a value with it (a legacy feature of
// charms.reactive; changing only the value is not a flag change).
func (h *Hook) SetFlagValue(name string, v any) error { return h.fl.SetValue(name, v) }

// ClearFlag clears a flag. Any clear, even of a flag that is not set, makes
// the dispatcher re-test the rest of its batch.
func (h *Hook) ClearFlag(name string) error { return h.fl.Clear(name) }

// ToggleFlag sets the flag when on is true and clears it otherwise.
func (h *Hook) ToggleFlag(name string, on bool) error { return h.fl.Toggle(name, on) }

// IsFlagSet reports whether a flag is set.
func (h *Hook) IsFlagSet(name string) bool { return h.fl.IsSet(name) }

// KV returns the unit's key/value data, in the hook's transaction. The
// transaction is managed: the hook commits it when it succeeds and rolls it
// back otherwise, and its Commit and Rollback return [flags.ErrTxManaged]
// without doing anything, so no write of a failed hook persists. Once the
// hook has ended it refuses every write ([flags.ErrTxDone]). The
// dispatcher's bookkeeping (reactive.state_watch) is written to it when KV
// is called, so reads through the returned Tx see the current record.
func (h *Hook) KV() *flags.Tx {
	if h.run != nil {
		h.run.syncWatch()
	}
	return h.tx
}

// Layer returns the layer registered under name on the hook's registry
// (see [Registry.AddLayer]), or nil.
func (h *Hook) Layer(name string) Layer {
	if h.run == nil {
		return nil
	}
	return h.run.layer(name)
}

// Metadata returns the charm's metadata: [RunOptions.Metadata] when it is
// set, else metadata.yaml (or charmcraft.yaml) read from the charm
// directory the first time the hook asks, and shared with the expansion of
// {role:interface} hook patterns and the checks of the hook's start (see
// the package documentation, "Mistakes caught at registration and at
// start"). A layer that needs the metadata reads it here, so that a hook
// reads it once.
func (h *Hook) Metadata() (*Metadata, error) {
	if h.run == nil {
		return ReadMetadata(h.CharmDir())
	}
	return h.run.metadata()
}

// CharmDir returns the charm directory.
func (h *Hook) CharmDir() string { return h.env.CharmDir }

// Now returns the current time from the run's clock.
func (h *Hook) Now() time.Time { return h.clock() }

// Restricted reports whether the hook runs in restricted mode
// (collect-metrics, meter-status-changed).
func (h *Hook) Restricted() bool { return h.restricted }

// Current returns the name of the handler or callback that is running.
func (h *Hook) Current() string { return h.current }

// RegisterTrigger registers a trigger from inside the hook; it applies from
// then on, in this hook only.
func (h *Hook) RegisterTrigger(t flags.Trigger) error { return h.fl.RegisterTrigger(t) }

// AtExit adds an exit callback for this hook. Exit callbacks run last in,
// first out after dispatch, only when the hook succeeds; one added while
// the exit callbacks run never runs.
func (h *Hook) AtExit(name string, fn HandlerFunc) {
	if fn == nil {
		panic(fmt.Sprintf("reactive: Hook.AtExit %q at %s: nil function", name, callsite.Charm(0)))
	}
	h.run.addCallback(true, callback{name: name, fn: fn})
}

// AtStart adds a start callback for this hook. Called while the start
// callbacks run, it runs at the end of the same pass; called later, it
// never runs (as charm-helpers' atstart).
func (h *Hook) AtStart(name string, fn HandlerFunc) {
	if fn == nil {
		panic(fmt.Sprintf("reactive: Hook.AtStart %q at %s: nil function", name, callsite.Charm(0)))
	}
	h.run.addCallback(false, callback{name: name, fn: fn})
}

// SetValue stores per-hook state for layers (for example the leadership
// layer's hook-start settings). Use an unexported key type, as with
// context.Context values.
func (h *Hook) SetValue(key, value any) {
	if h.values == nil {
		h.values = map[any]any{}
	}
	h.values[key] = value
}

// Value returns what [Hook.SetValue] stored under key, or nil.
func (h *Hook) Value(key any) any { return h.values[key] }

// NotUnless wraps fn so that calling it while some of the flags are not set
// logs a WARNING "<handler> called before flag: a" (or "flags: a, b"), and
// then runs it anyway (charms.reactive not_unless). It panics when a flag
// name is invalid.
func NotUnless(fn HandlerFunc, flagNames ...string) HandlerFunc {
	if fn == nil {
		panic(fmt.Sprintf("reactive: NotUnless at %s: nil function", callsite.Charm(0)))
	}
	for _, f := range flagNames {
		if err := flags.ValidateName(f); err != nil {
			panic(fmt.Sprintf("reactive: NotUnless at %s: %v", callsite.Charm(0), err))
		}
	}
	return func(ctx context.Context, h *Hook) error {
		var missing []string
		for _, f := range flagNames {
			if !h.fl.IsSet(f) {
				missing = append(missing, f)
			}
		}
		if len(missing) > 0 {
			word := "flags"
			if len(missing) == 1 {
				word = "flag"
			}
			logAt(h.logger, slog.LevelWarn, h.current+" called before "+word+": "+strings.Join(missing, ", "))
		}
		return fn(ctx, h)
	}
}
