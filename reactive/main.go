package reactive

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

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
// queued and sent when the hook ends, one juju-log process per run of
// records of the same level, so a hook that logs ten lines starts one
// process, not ten; set it to "1" or "true" to watch a long hook live.
const LogImmediateEnv = "CHARMKIT_LOG_IMMEDIATE"

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
// ([hookenv.NewBatchLogHandler]: records are sent when the hook ends, see
// [LogImmediateEnv]; stderr when juju-log is missing), runs the hook
// with [Registry.Run] and exits 0 on success, 1 on failure (after logging
// "Hook error:" and the cause) and n for [Abort](n). SIGTERM and SIGINT
// cancel the hook's context, which fails the hook at the next handler.
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
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	code := runMain(ctx, r, os.Args, os.Getenv, os.Setenv, os.Stderr)
	stop()
	os.Exit(code)
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
	if envTrue(getenv, LogImmediateEnv) {
		logger = slog.New(hookenv.NewLogHandler(runner, &slog.HandlerOptions{Level: level}))
	} else {
		batch := hookenv.NewBatchLogHandler(runner, &slog.HandlerOptions{Level: level})
		// Sent on every way out of the hook, with a context of its own:
		// the hook's may be cancelled by then.
		defer batch.Flush(context.WithoutCancel(ctx))
		logger = slog.New(batch)
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
	return res.ExitCode
}
