package reactive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/hookenv"
)

// DefaultMaxIterations is the main loop's iteration cap (charms.reactive's 100).
const DefaultMaxIterations = 100

// ErrStop, returned by a handler or a callback, ends the hook early and
// successfully (Python's SystemExit(0)): the rest of dispatch is skipped,
// the exit callbacks run and everything is committed. Returned by an exit
// callback it skips the remaining exit callbacks, then commits.
var ErrStop = errors.New("reactive: stop dispatch")

// ErrNoStore is returned by [Registry.Run] when [RunOptions.Store] is nil.
var ErrNoStore = errors.New("reactive: no store")

// AbortError ends a hook with an exit code and nothing persisted, without
// the "Hook error" log (Python's SystemExit(n)). Create it with [Abort].
type AbortError struct {
	Code int // the process exit code
}

// Error returns "reactive: abort with exit code N".
func (e *AbortError) Error() string {
	return "reactive: abort with exit code " + strconv.Itoa(e.Code)
}

// Abort returns an [*AbortError] with the exit code. A handler or callback
// returns it to end the hook at once: nothing is committed and the process
// exits with code. Abort(0) is the same as [ErrStop].
func Abort(code int) error {
	if code == 0 {
		return ErrStop
	}
	return &AbortError{Code: code}
}

// PanicError reports a panic in a handler or callback; the hook fails.
type PanicError struct {
	Where string // e.g. `handler "install"`
	Value any    // the value passed to panic
	Stack []byte // the goroutine's stack at the panic
}

// Error returns "<where> panicked: <value>".
func (e *PanicError) Error() string { return fmt.Sprintf("%s panicked: %v", e.Where, e.Value) }

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// RunOptions configures one hook run. Only Store is required.
type RunOptions struct {
	// Store holds the unit's state; the hook is one transaction on it.
	Store *flags.Store
	// Env is the hook context; Env.HookName is the hook.
	Env hookenv.Env
	// Runner runs hook tools; nil means hookenv.ExecRunner{}.
	Runner hookenv.Runner
	// Logger receives the framework's records; nil discards them.
	Logger *slog.Logger
	// Trace writes charms.reactive's LogTracer text (docs/design.md,
	// "Tracing") as DEBUG records on Logger. Off by default.
	Trace bool
	// MaxIterations caps the main loop; 0 means DefaultMaxIterations.
	MaxIterations int
	// Clock is the run's clock ([Hook.Now]); nil means time.Now.
	Clock func() time.Time
	// Metadata is the charm's metadata, as [Hook.Metadata] returns it: the
	// relations for {role:interface} hook patterns, and what the checks of
	// the hook's start compare OnHook patterns with, so give the whole of
	// it. Nil means reading metadata.yaml (or charmcraft.yaml) from
	// Env.CharmDir when a pattern or a layer needs it.
	Metadata *Metadata
	// NoExternalHandlers switches off the discovery of external (bash)
	// handlers under Env.CharmDir (docs/design.md, "External handlers");
	// with it, only the registry's handlers run.
	NoExternalHandlers bool
	// CLIExecutable, when set, is the program that child processes of the
	// hook (external handlers, [Hook.RunCommand]) find on their PATH as
	// charms.reactive: a private directory holding a charms.reactive
	// symbolic link to it is put first on their PATH. [Main] sets it to
	// the charm binary.
	CLIExecutable string
	// Stdout and Stderr receive the output of external handlers: their
	// stderr, and the stdout of --invoke (the stdout of --test is the
	// handler's answer). Nil means the process's os.Stdout and os.Stderr.
	Stdout, Stderr io.Writer
	// LogRegistrations logs, at DEBUG when the hook starts, one record per
	// registered handler ("Registering reactive handler for <name>", and
	// "  Adding predicate for <name>: <condition>" per condition) and per
	// external handler ("Registering external reactive handler for
	// <path>"), as charms.reactive does with REACTIVE_LOG_OPTS=register.
	// [Main] sets it from that variable.
	LogRegistrations bool
}

// Result reports what one hook run did.
type Result struct {
	Hook       string   // the hook name
	Restricted bool     // the hook ran in restricted mode
	Invoked    []string // handler names, in invocation order
	Iterations int      // main-loop iterations that ran a batch
	CapReached bool     // the main loop stopped at its iteration cap
	Stopped    bool     // ErrStop ended dispatch early
	Committed  bool     // the hook's changes were committed
	Err        error    // why the hook failed; nil on success
	ExitCode   int      // 0 on success, 1 on error, n for Abort(n)
}

// isRestrictedHook reports whether the hook runs in restricted mode.
func isRestrictedHook(hook string) bool {
	return hook == HookCollectMetrics || hook == HookMeterStatusChanged
}

// capWarning is the text of the WARNING record logged when the main loop
// reaches its iteration cap (docs/design.md, "Decision 16").
func capWarning(limit int) string {
	return "Reactive dispatch reached the iteration cap of " + strconv.Itoa(limit) +
		"; handlers that still match will run in a later hook"
}

// logAt logs msg at level without the caller's program counter: slog's
// Logger methods unwind the stack to find it, which costs more than the
// record itself in a short hook process, and the framework's records have
// no source worth showing.
func logAt(l *slog.Logger, level slog.Level, msg string) {
	ctx := context.Background()
	if l.Enabled(ctx, level) {
		_ = l.Handler().Handle(ctx, slog.NewRecord(time.Now(), level, msg, 0))
	}
}

// isPanic reports whether err comes from a panic (which fails the hook
// whatever value was passed to panic).
func isPanic(err error) bool {
	var pe *PanicError
	return errors.As(err, &pe)
}

// isStop reports whether err is ErrStop, returned (not panicked).
func isStop(err error) bool { return errors.Is(err, ErrStop) && !isPanic(err) }

// run is the state of one hook run: the dispatcher's, and the Hook's
// through [hookRun].
type run struct {
	snap *snapshot
	evaluator
	hook    *Hook
	watch   *flagWatch
	tracer  tracer
	result  *Result
	logger  *slog.Logger
	maxIter int
	cands   candidates // the main loop's candidate set
	calls   callbacks  // this hook's start and exit callbacks
	kids    children   // child processes: the charms.reactive channel, output
}

// callbacks are the start and exit callbacks of one hook, with whether each
// list has run (docs/design.md, "Decision 18").
type callbacks struct {
	atStart, atExit     []callback
	startDone, exitDone bool
}

// Run runs one hook as one transaction (docs/design.md, "Decision 2"):
// begin; write the registry's triggers; unless restricted, the start
// callbacks; dispatch; unless restricted, the exit callbacks (clearing the
// stored triggers); commit once. An error, a panic or [Abort] rolls back,
// so the store is exactly as before.
//
// It logs INFO "Reactive main running for hook <hook>" (and "Restricted
// mode." in restricted hooks), INFO "Invoking reactive handler: <name>"
// before each handler, ERROR "Hook error:\n<error>" on failure (with the
// stack for a panic), and one WARNING when the main loop reaches its cap
// (docs/design.md, "Decision 16").
//
// The returned error is Result.Err. The Result is never nil.
func (r *Registry) Run(ctx context.Context, opts RunOptions) (*Result, error) {
	hook := opts.Env.HookName
	res := &Result{Hook: hook, Restricted: isRestrictedHook(hook)}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	fail := func(err error) (*Result, error) {
		res.Err, res.ExitCode = err, 1
		logAt(logger, slog.LevelError, "Hook error:\n"+err.Error())
		return res, err
	}
	logAt(logger, slog.LevelInfo, "Reactive main running for hook "+hook)
	if res.Restricted {
		logAt(logger, slog.LevelInfo, "Restricted mode.")
	}
	if opts.Store == nil {
		return fail(ErrNoStore)
	}
	snap := r.snapshot()
	if a := opts.Env.ActionName; a != "" && !snap.handlesAction(a) {
		// As in charms.reactive, an action still runs every handler whose
		// flags hold; the warning catches an action the charm forgot.
		logAt(logger, slog.LevelWarn, fmt.Sprintf("no handler is registered with reactive.OnAction(%q): only flag-driven handlers run in this action", a))
	}
	if !opts.NoExternalHandlers {
		exts, err := discoverExternal(opts.Env.CharmDir)
		if err != nil {
			return fail(err)
		}
		snap = snap.withExternal(exts)
	}
	// The hook's transaction is managed (docs/design.md, "Decision 2"): what
	// the handlers reach (Hook.KV, Hook.Flags().Tx(), the CLI children's
	// commands) refuses Commit and Rollback, and only Update ends it:
	// committed when the hook succeeds, rolled back otherwise.
	began := false
	var hookErr error
	err := opts.Store.Update(ctx, func(tx *flags.Tx) error {
		began = true
		hookErr = runHook(ctx, snap, tx, opts, logger, res)
		return hookErr
	})
	switch {
	case !began:
		return fail(fmt.Errorf("opening the hook's transaction: %w", err))
	case hookErr != nil:
		res.Err = hookErr
		var ab *AbortError
		if errors.As(hookErr, &ab) && !isPanic(hookErr) {
			res.ExitCode = ab.Code
			return res, hookErr
		}
		res.ExitCode = 1
		msg := "Hook error:\n" + hookErr.Error()
		var pe *PanicError
		if errors.As(hookErr, &pe) {
			msg += "\n" + string(pe.Stack)
		}
		logAt(logger, slog.LevelError, msg)
		return res, hookErr
	case err != nil:
		return fail(err)
	}
	res.Committed = true
	return res, nil
}

// runHook runs the hook in its transaction and returns why it failed, or
// nil when it may be committed.
func runHook(ctx context.Context, snap *snapshot, tx *flags.Tx, opts RunOptions, logger *slog.Logger, res *Result) error {
	ru := newRun(snap, tx, opts, logger, res)
	if opts.LogRegistrations {
		ru.logRegistrations()
	}
	err := ru.main(ctx, opts.Trace && !res.Restricted)
	if isStop(err) {
		res.Stopped, err = true, nil
	}
	if err == nil && !res.Restricted {
		err = ru.exit(ctx)
	}
	if err == nil {
		err = ru.watch.err
	}
	if cerr := ru.kids.close(); err == nil {
		err = cerr
	}
	return err
}

func newRun(snap *snapshot, tx *flags.Tx, opts RunOptions, logger *slog.Logger, res *Result) *run {
	clock := opts.Clock
	if clock == nil {
		clock = time.Now
	}
	runner := opts.Runner
	if runner == nil {
		runner = hookenv.ExecRunner{}
	}
	maxIter := opts.MaxIterations
	if maxIter <= 0 {
		maxIter = DefaultMaxIterations
	}
	ru := &run{
		snap: snap,
		evaluator: evaluator{
			tx:        tx,
			fl:        flags.New(tx),
			hookName:  opts.Env.HookName,
			action:    opts.Env.ActionName,
			charmDir:  opts.Env.CharmDir,
			md:        opts.Metadata,
			mdLoaded:  opts.Metadata != nil,
			hookMatch: map[*atom]bool{},
			latch:     map[*atom]map[string]*string{},
		},
		tracer:  nullTracer{},
		result:  res,
		logger:  logger,
		maxIter: maxIter,
		cands:   candidates{mark: make([]uint32, len(snap.handlers))},
		calls:   callbacks{atStart: snap.atStart},
	}
	ru.kids = children{fl: ru.fl, exe: opts.CLIExecutable, stdout: opts.Stdout, stderr: opts.Stderr}
	if ru.kids.stdout == nil {
		ru.kids.stdout = os.Stdout
	}
	if ru.kids.stderr == nil {
		ru.kids.stderr = os.Stderr
	}
	ru.hook = &Hook{
		name:       opts.Env.HookName,
		env:        opts.Env,
		tools:      &hookenv.Tools{Runner: runner},
		logger:     logger,
		tx:         tx,
		fl:         ru.fl,
		clock:      clock,
		restricted: res.Restricted,
		run:        ru,
	}
	// Exit callbacks run last in, first out: the built-in trigger clearing
	// (registered by charms.reactive at import) runs after the registry's.
	ru.calls.atExit = append([]callback{{name: "reactive.clear-triggers", fn: func(context.Context, *Hook) error {
		return ru.fl.ClearTriggers()
	}}}, snap.atExit...)
	ru.fl.OnChange = func(f string, set bool) {
		if set {
			ru.tracer.setFlag(f)
		} else {
			ru.tracer.clearFlag(f)
		}
		ru.watch.change(f)
	}
	return ru
}

// main is the protected block: triggers, start callbacks, dispatch. With
// trace, the tracer is installed before the start callbacks.
func (ru *run) main(ctx context.Context, trace bool) error {
	ru.watch = loadWatch(ru.tx)
	// Until dispatch sets it, the phase is the one the last hook left in the
	// store, as upstream's predicates (and so the tracer) read it; a value
	// that is not a string is ignored.
	ru.phase, _ = currentPhase(ru.tx)
	for _, t := range ru.snap.triggers {
		if err := ru.fl.RegisterTrigger(t); err != nil {
			return fmt.Errorf("registering trigger: %w", err)
		}
	}
	if !ru.result.Restricted {
		if trace {
			// Installed by the first start callback, as charms.reactive's
			// LogTracer, and switched off by an exit callback registered then.
			ru.tracer = newLogTracer(func(s string) { logAt(ru.logger, slog.LevelDebug, s) }, ru.traceQueued)
			ru.calls.atExit = append(ru.calls.atExit, callback{name: "reactive.trace-off", fn: func(context.Context, *Hook) error {
				ru.tracer = nullTracer{}
				return nil
			}})
		}
		if err := ru.manageAutomaticFlags(); err != nil {
			ru.calls.startDone = true
			return err
		}
		for i := 0; i < len(ru.calls.atStart); i++ {
			c := ru.calls.atStart[i]
			if err := ru.call(ctx, "start callback", c); err != nil {
				ru.calls.startDone = true
				ru.watch.flush()
				return err
			}
		}
		ru.checkStart()
	}
	ru.calls.startDone = true
	err := ru.dispatch(ctx)
	ru.watch.flush()
	return err
}

// SeriesUpgradeFlag is set by the framework in a pre-series-upgrade hook
// and cleared in a post-series-upgrade hook, before the registry's start
// callbacks run (charms.reactive's _manage_automatic_flags).
const SeriesUpgradeFlag = "upgrade.series.in-progress"

// manageAutomaticFlags is the built-in start work of every normal hook
// (docs/design.md, "Automatic flags").
func (ru *run) manageAutomaticFlags() error {
	switch ru.hook.name {
	case "pre-series-upgrade":
		return ru.fl.Set(SeriesUpgradeFlag)
	case "post-series-upgrade":
		return ru.fl.Clear(SeriesUpgradeFlag)
	}
	return nil
}

// exit runs the exit callbacks, last in first out.
func (ru *run) exit(ctx context.Context) error {
	list := ru.calls.atExit
	ru.calls.exitDone = true
	// Flag changes made here are recorded by the watch after dispatch reset
	// it, and stay in the store, as upstream's do.
	defer ru.watch.flush()
	for i := len(list) - 1; i >= 0; i-- {
		err := ru.call(ctx, "exit callback", list[i])
		if isStop(err) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// call runs a handler or callback, turning a panic into a *PanicError.
func (ru *run) call(ctx context.Context, what string, c callback) (err error) {
	where := what + " " + strconv.Quote(c.name)
	ru.hook.current = c.name
	defer func() {
		ru.hook.current = ""
		if v := recover(); v != nil {
			err = &PanicError{Where: where, Value: v, Stack: debug.Stack()}
		}
	}()
	if err := c.fn(ctx, ru.hook); err != nil {
		if errors.Is(err, ErrStop) {
			return err
		}
		var ab *AbortError
		if errors.As(err, &ab) {
			return err
		}
		return fmt.Errorf("%s: %w", where, err)
	}
	return nil
}

// The run as the Hook sees it (hookRun).

func (ru *run) runCommand(cmd *exec.Cmd) error {
	rules := cliRules{hook: ru.hook.name, charmDir: ru.hook.env.CharmDir}
	if ru.mdLoaded {
		rules.md = ru.md
	}
	return ru.kids.run(cmd, ru.hook.name, rules)
}

func (ru *run) syncWatch() {
	if ru.watch != nil {
		ru.watch.flush()
	}
}

func (ru *run) layer(name string) Layer { return findLayer(ru.snap.layers, name) }

func (ru *run) metadata() (*Metadata, error) { return ru.loadMetadata() }

func (ru *run) addCallback(exit bool, c callback) {
	switch {
	case exit && !ru.calls.exitDone:
		ru.calls.atExit = append(ru.calls.atExit, c)
	case !exit && !ru.calls.startDone:
		ru.calls.atStart = append(ru.calls.atStart, c)
	}
}
