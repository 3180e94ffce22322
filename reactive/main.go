package reactive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/hookenv"
)

// TraceEnv is the environment variable that switches tracing on in [Main]:
// when it is "1" or "true", the LogTracer text (and every other DEBUG
// record) goes to juju-log. Off by default, since every juju-log call is a
// process (docs/design.md, "Decision 7").
const TraceEnv = "CHARMKIT_TRACE"

// LogImmediateEnv is the environment variable that makes [Main] send every
// log record to juju-log the moment it is made. By default records are
// queued and sent when the hook ends (or once one has waited
// [LogFlushInterval]), one juju-log process per run of records of the same
// level, so a hook that logs ten lines starts one process, not ten; set it
// to "1" or "true" to watch a long hook live.
const LogImmediateEnv = "CHARMKIT_LOG_IMMEDIATE"

// LogFlushInterval is how long a log record may wait in [Main]'s batch: once
// a record has waited this long, the queue is sent to juju-log in the
// background, so a hook that hangs shows what it logged until two seconds
// before, and a hook killed with SIGKILL loses at most the records of its
// last two seconds. A hook that ends sooner sends everything at its end.
const LogFlushInterval = 2 * time.Second

// DefaultTermGrace is how long [Main] lets a hook run on after SIGTERM or
// SIGINT. The signal cancels the hook's context at once, which ends a hook
// whose handlers and tools honour it within moments; a hook still running
// after the grace period (a handler stuck in a call that ignores its
// context) is ended by Main itself: it logs why, sends the queued log
// records (for at most two seconds more) and exits with 128 plus the
// signal's number (143 for SIGTERM), without committing.
const DefaultTermGrace = 5 * time.Second

// TermGraceEnv is the environment variable that replaces [DefaultTermGrace]
// for a hook: a Go duration such as "10s". A value that does not parse, or
// is not positive, leaves the default.
const TermGraceEnv = "CHARMKIT_TERM_GRACE"

// termFlushTimeout bounds the last sending of the log records once the
// hook's context is cancelled, so a juju-log that no longer answers (the
// unit agent is stopping) cannot keep the hook alive; what is not sent by
// then is written to stderr, which Juju logs too.
const termFlushTimeout = 2 * time.Second

// TerminatedError is the cause ([context.Cause]) of a hook's context that
// [Main] cancelled because the process received SIGTERM or SIGINT.
type TerminatedError struct {
	Signal os.Signal
}

// Error returns "hook terminated by SIGTERM" (or SIGINT).
func (e *TerminatedError) Error() string { return "hook terminated by " + signalName(e.Signal) }

func signalName(sig os.Signal) string {
	switch sig {
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGINT:
		return "SIGINT"
	}
	return sig.String()
}

// LogOptsEnv is charms.reactive's REACTIVE_LOG_OPTS: a comma-separated
// list of options. With "register" in it, [Main] logs every handler's
// registration at DEBUG ([RunOptions.LogRegistrations]) and lowers the
// juju-log level to DEBUG.
const LogOptsEnv = "REACTIVE_LOG_OPTS"

// logOptsRegister reports whether REACTIVE_LOG_OPTS names "register".
func logOptsRegister(getenv func(string) string) bool {
	for _, o := range strings.Split(getenv(LogOptsEnv), ",") {
		if o == "register" {
			return true
		}
	}
	return false
}

func envTrue(getenv func(string) string, key string) bool {
	v := getenv(key)
	return v == "1" || strings.EqualFold(v, "true")
}

// Main is the entry point of a charm's dispatch binary:
//
//	func main() {
//		r := reactive.NewRegistry()
//		mycharm.Register(r)
//		reactive.Main(r)
//	}
//
// In a hook (JUJU_CONTEXT_ID set, no arguments) it reads the hook context
// ([hookenv.LoadEnv]), exports JUJU_HOOK_NAME when it is not set, opens the
// store at [flags.DefaultPath], logs through juju-log
// ([hookenv.NewBatchLogHandler]: records are sent when the hook ends, or in
// the background once one has waited [LogFlushInterval], see
// [LogImmediateEnv]; stderr when juju-log is missing), runs the hook
// with [Registry.Run] and exits 0 on success, 1 on failure (after logging
// "Hook error:" and the cause) and n for [Abort](n).
//
// A hook always ends. SIGTERM and SIGINT cancel the hook's context (its
// cause is a [*TerminatedError]), which fails the hook at the next handler
// and stops the hook tools and external handlers running; nothing is
// committed and the queued log records are sent, within two seconds, before
// the process exits 1. A hook still running [DefaultTermGrace] after the
// signal (see [TermGraceEnv]) is ended by Main: it exits with 128 plus the
// signal's number, with nothing committed (the store keeps the state of the
// last hook that succeeded). SIGKILL cannot be caught: the store then holds
// the old state or, if the process died within its commit, the new one,
// and the log records of the last [LogFlushInterval] may be lost.
//
// Child processes of the hook (external handlers found under the charm's
// reactive/, hooks/reactive/ and hooks/relations/, and [Hook.RunCommand]
// children) find this binary on their PATH as charms.reactive, and their
// charms.reactive commands join the hook's transaction. With
// REACTIVE_LOG_OPTS=register ([LogOptsEnv]) every registration is logged
// at DEBUG.
//
// Invoked with arguments, or under the name charms.reactive, the binary is
// a charms.reactive command line instead (docs/design.md, "Decision 8").
// Run by hand outside a hook with no arguments, it says so and how to use
// it, and exits 2.
func Main(r *Registry) {
	t := newTerminator(termGrace(os.Getenv), os.Exit)
	os.Exit(runMain(t.context(), r, os.Args, os.Getenv, os.Setenv, os.Stderr))
}

// termGrace returns the grace period TermGraceEnv asks for, or
// DefaultTermGrace.
func termGrace(getenv func(string) string) time.Duration {
	if d, err := time.ParseDuration(getenv(TermGraceEnv)); err == nil && d > 0 {
		return d
	}
	return DefaultTermGrace
}

// terminator turns SIGTERM and SIGINT into the end of the hook: the first
// signal cancels the hook's context at once and starts the grace period; if
// the process still runs when it is over, the terminator runs the last
// words the hook registered (the reason, the log flush) for a bounded time
// and exits with 128 plus the signal's number. Later signals are ignored.
type terminator struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	grace  time.Duration
	exit   func(int)
	sigs   chan os.Signal

	mu        sync.Mutex
	lastWords func(sig os.Signal, grace time.Duration)
}

type terminatorKey struct{}

func newTerminator(grace time.Duration, exit func(int)) *terminator {
	ctx, cancel := context.WithCancelCause(context.Background())
	t := &terminator{cancel: cancel, grace: grace, exit: exit, sigs: make(chan os.Signal, 2)}
	t.ctx = context.WithValue(ctx, terminatorKey{}, t)
	signal.Notify(t.sigs, syscall.SIGTERM, syscall.SIGINT)
	go t.watch()
	return t
}

// context returns the hook's context, cancelled by the first signal.
func (t *terminator) context() context.Context { return t.ctx }

// terminatorOf returns the terminator behind ctx, or nil.
func terminatorOf(ctx context.Context) *terminator {
	t, _ := ctx.Value(terminatorKey{}).(*terminator)
	return t
}

// setLastWords registers what runs before a forced exit.
func (t *terminator) setLastWords(f func(sig os.Signal, grace time.Duration)) {
	t.mu.Lock()
	t.lastWords = f
	t.mu.Unlock()
}

func (t *terminator) watch() {
	sig := <-t.sigs
	t.cancel(&TerminatedError{Signal: sig})
	time.AfterFunc(t.grace, func() { t.forceExit(sig) })
}

// forceExit ends a process still running after the grace period.
func (t *terminator) forceExit(sig os.Signal) {
	t.mu.Lock()
	f := t.lastWords
	t.mu.Unlock()
	if f != nil {
		done := make(chan struct{})
		go func() {
			defer close(done)
			f(sig, t.grace)
		}()
		select {
		case <-done:
		case <-time.After(termFlushTimeout + time.Second):
		}
	}
	code := 1
	if s, ok := sig.(syscall.Signal); ok {
		code = 128 + int(s)
	}
	t.exit(code)
}

// runMain is Main without the process: it returns the exit code.
func runMain(ctx context.Context, r *Registry, args []string, getenv func(string) string, setenv func(k, v string) error, stderr io.Writer) int {
	argv0 := ""
	if len(args) > 0 {
		argv0 = args[0]
	}
	if len(args) > 1 || filepath.Base(argv0) == "charms.reactive" || getenv("JUJU_CONTEXT_ID") == "" {
		if len(args) <= 1 && filepath.Base(argv0) != "charms.reactive" {
			return notInHook(argv0, stderr)
		}
		var rest []string
		if len(args) > 1 {
			rest = args[1:]
		}
		return RunCLI(ctx, rest, CLIOptions{Getenv: getenv, Stderr: stderr, Registry: r})
	}
	runner := hookenv.Runner(hookenv.ExecRunner{})
	trace := envTrue(getenv, TraceEnv)
	logRegister := logOptsRegister(getenv)
	level := slog.LevelInfo
	if trace || logRegister {
		level = slog.LevelDebug
	}
	var logger *slog.Logger
	// flushLogs sends what is queued and stops the background sending.
	flushLogs := func(context.Context) {}
	if envTrue(getenv, LogImmediateEnv) {
		logger = slog.New(hookenv.NewLogHandler(runner, &slog.HandlerOptions{Level: level}))
	} else {
		batch := hookenv.NewBatchLogHandler(runner, &slog.HandlerOptions{Level: level})
		// The background sends outlive a cancelled hook: what they carry
		// was logged before the signal.
		bg, stopBg := context.WithCancel(context.WithoutCancel(ctx))
		stopAuto := batch.AutoFlush(bg, LogFlushInterval)
		flushLogs = func(fctx context.Context) {
			_ = batch.Flush(fctx)
			stopBg()
			stopAuto()
		}
		// Sent on every way out of the hook, with a context of its own:
		// the hook's may be cancelled by then, and if it is, the sending
		// has a short deadline.
		defer func() {
			fctx, cancel := context.WithoutCancel(ctx), context.CancelFunc(func() {})
			if ctx.Err() != nil {
				fctx, cancel = context.WithTimeout(fctx, termFlushTimeout)
			}
			defer cancel()
			flushLogs(fctx)
		}()
		logger = slog.New(batch)
	}
	if t := terminatorOf(ctx); t != nil {
		t.setLastWords(func(sig os.Signal, grace time.Duration) {
			logAt(logger, slog.LevelError, fmt.Sprintf("Hook error:\nthe hook did not end within %v of %s; exiting without committing", grace, signalName(sig)))
			fctx, cancel := context.WithTimeout(context.Background(), termFlushTimeout)
			defer cancel()
			flushLogs(fctx)
		})
	}
	hookError := func(err error) int {
		logAt(logger, slog.LevelError, "Hook error:\n"+err.Error())
		return 1
	}
	env, err := hookenv.LoadEnv(getenv, argv0)
	if err != nil {
		return hookError(fmt.Errorf("reading the hook context: %w", err))
	}
	if getenv("JUJU_HOOK_NAME") == "" && env.HookName != "" {
		if err := setenv("JUJU_HOOK_NAME", env.HookName); err != nil {
			return hookError(fmt.Errorf("exporting JUJU_HOOK_NAME: %w", err))
		}
	}
	store, err := flags.Open(flags.DefaultPath(getenv), nil)
	if err != nil {
		return hookError(fmt.Errorf("opening the unit state: %w", err))
	}
	defer store.Close()
	// Children find this binary on their PATH as charms.reactive; when it
	// cannot be found, they find whatever the PATH holds.
	exe, _ := os.Executable()
	res, _ := r.Run(ctx, RunOptions{
		Store: store, Env: env, Runner: runner, Logger: logger, Trace: trace,
		CLIExecutable: exe, LogRegistrations: logRegister,
	})
	if ctx.Err() != nil && !res.Committed {
		logAt(logger, slog.LevelError, context.Cause(ctx).Error()+"; nothing was committed")
	}
	if hint := storeWriteHint(res.Err, flags.DefaultPath(getenv)); hint != "" {
		logAt(logger, slog.LevelError, hint)
	}
	return res.ExitCode
}

// storeWriteHint explains a hook error that comes from SQLite failing to
// write the store (SQLITE_FULL, or an I/O error: a write refused with EFBIG
// is one) when the cause can be seen: the filesystem holding the store is
// (nearly) full, or the process may not write files past a size limit. It
// returns "" when err is no such error or no cause shows.
func storeWriteHint(err error, path string) string {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return ""
	}
	if c := se.Code() & 0xff; c != sqlite3.SQLITE_FULL && c != sqlite3.SQLITE_IOERR {
		return ""
	}
	cause := diskFullCause(path)
	if cause == "" {
		return ""
	}
	return "The unit's state could not be written: " + cause +
		". Nothing of this hook was saved; the unit keeps the state of its last successful hook, and the hook can be retried once there is room."
}
