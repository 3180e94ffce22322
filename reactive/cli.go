package reactive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/hookenv"
)

// CLIProgram is the program name the charms.reactive command uses in its
// usage and error messages.
const CLIProgram = "charms.reactive"

// CLISocketEnv is the environment variable through which a hook process
// tells the charms.reactive commands it starts where to send their commands
// (docs/design.md, "Decision 2"): the path of a unix socket served by
// [ServeCLI].
const CLISocketEnv = "CHARMKIT_CLI_SOCKET"

// GraphCommand is the project-specific subcommand that prints the handler
// and flag graph of [CLIOptions.Registry] in Graphviz DOT. Its name cannot
// clash with a charms.reactive subcommand.
const GraphCommand = "charmkit-graph"

// Exit codes of [RunCLI], as charms.reactive's.
const (
	// CLIExitOK is a successful command, and a test command that holds.
	CLIExitOK = 0
	// CLIExitFalse is a test command that does not hold, and a command that
	// failed (an error is then printed on stderr).
	CLIExitFalse = 1
	// CLIExitUsage is a command line that could not be parsed (argparse's 2).
	CLIExitUsage = 2
)

// errCLIUsage is wrapped by the errors of command lines that cannot be
// parsed: an unknown subcommand or option, a missing or extra argument.
var errCLIUsage = errors.New("usage error")

// errCLIUnsupported is wrapped by the error of a charms.reactive subcommand
// that has no Go counterpart (relation_call, render_template).
var errCLIUnsupported = errors.New("not supported by charmkit")

// CLIOptions configures [RunCLI]. The zero value writes to the process's
// standard output and error, reads the process environment and opens the
// store at [flags.DefaultPath].
type CLIOptions struct {
	// Stdout and Stderr receive the command's output; nil means os.Stdout
	// and os.Stderr.
	Stdout, Stderr io.Writer
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// Store is the unit's store. Nil means: open flags.DefaultPath(Getenv),
	// or, when CHARMKIT_CLI_SOCKET is set, send the command to the hook
	// process serving that socket. The command runs in one transaction that
	// is committed at exit unless the command failed.
	Store *flags.Store
	// Registry, when set, is drawn by the charmkit-graph subcommand.
	Registry *Registry
}

// RunCLI runs one charms.reactive command (args excludes the program name)
// and returns the exit code: 0 for success and for a test that holds, 1 for
// a test that does not hold or a failed command, 2 for a command line that
// cannot be parsed (with the usage on stderr).
//
// Global output options come before the subcommand: --format FMT or one of
// -r (raw, the default), -j (json), -p (py), -y (yaml), -c (csv), -t (tab).
// See the file docs/cli.md for every subcommand.
//
// Outside a hook the command runs in one transaction on the store, committed
// at exit. Inside a hook (CHARMKIT_CLI_SOCKET set and Store nil) the command
// line is sent to the hook process, which applies it in the hook's open
// transaction ([ServeCLI]); RunCLI prints what the hook process computed
// and returns its exit code.
func RunCLI(ctx context.Context, args []string, opts CLIOptions) int {
	stdout, stderr := opts.Stdout, opts.Stderr
	if stdout == nil {
		stdout = os.Stdout
	}
	if stderr == nil {
		stderr = os.Stderr
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	inv, err := parseCLI(args)
	if err != nil {
		return usageError(stderr, err)
	}
	if inv.help != "" {
		io.WriteString(stdout, inv.help)
		return CLIExitOK
	}
	if sock := getenv(CLISocketEnv); sock != "" && opts.Store == nil {
		cwd, _ := os.Getwd()
		return callCLIServer(ctx, sock, args, cwd, stdout, stderr)
	}
	env := &cliEnv{
		hook:     hookenv.HookName(getenv, ""),
		charmDir: charmDirFrom(getenv),
		registry: opts.Registry,
	}
	env.cwd, _ = os.Getwd()
	if !inv.cmd.needsStore {
		return env.execute(inv, stdout, stderr)
	}
	store := opts.Store
	if store == nil {
		path := flags.DefaultPath(getenv)
		s, err := flags.Open(path, nil)
		if err != nil {
			fmt.Fprintf(stderr, "%s: opening the unit state %s: %v\n", CLIProgram, path, err)
			return CLIExitFalse
		}
		defer s.Close()
		store = s
	}
	// One managed transaction: committed unless the command failed.
	began := false
	code := CLIExitOK
	err = store.Update(ctx, func(tx *flags.Tx) error {
		began = true
		env.fl = flags.New(tx)
		code = env.execute(inv, stdout, stderr)
		if env.failed {
			return errCLIFailed
		}
		return nil
	})
	switch {
	case errors.Is(err, errCLIFailed):
		return code
	case err != nil && !began:
		fmt.Fprintf(stderr, "%s: %v\n", CLIProgram, err)
		return CLIExitFalse
	case err != nil:
		fmt.Fprintf(stderr, "%s: committing the unit state: %v\n", CLIProgram, err)
		return CLIExitFalse
	}
	return code
}

// errCLIFailed makes the transaction of a failed command roll back.
var errCLIFailed = errors.New("command failed")

func init() {
	// Main answers the command line with RunCLI (docs/design.md, "Decision 8").
	cliMain = func(ctx context.Context, r *Registry, args []string) int {
		return RunCLI(ctx, args, CLIOptions{Registry: r})
	}
}

// charmDirFrom returns $JUJU_CHARM_DIR, else $CHARM_DIR (charm-helpers'
// charm_dir), else "".
func charmDirFrom(getenv func(string) string) string {
	if d := getenv("JUJU_CHARM_DIR"); d != "" {
		return d
	}
	return getenv("CHARM_DIR")
}

func usageError(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "%s\n%s: error: %s\n", cliUsageLine, CLIProgram, strings.TrimSuffix(err.Error(), ": "+errCLIUsage.Error()))
	return CLIExitUsage
}

// cliEnv is the situation one command runs in: the flag set of the open
// transaction, the hook name, the charm directory (metadata.yaml) and the
// caller's working directory (relative file names).
type cliEnv struct {
	fl       *flags.Flags
	hook     string
	charmDir string
	cwd      string
	md       *Metadata
	registry *Registry
	failed   bool // the last command returned an error
}

// execute runs a parsed command line, prints its result in the requested
// format and returns the exit code.
func (e *cliEnv) execute(inv *cliInvocation, stdout, stderr io.Writer) int {
	e.failed = false
	out, err := inv.cmd.run(e, inv)
	if err != nil {
		e.failed = true
		fmt.Fprintf(stderr, "%s: %s: %v\n", CLIProgram, inv.cmd.name, err)
		return CLIExitFalse
	}
	code := CLIExitOK
	switch inv.cmd.kind {
	case kindTest:
		if b, _ := out.(bool); !b {
			code = CLIExitFalse
		}
		out = ""
	case kindNoOutput:
		out = ""
	}
	if err := writeFormatted(stdout, inv.format, out); err != nil {
		e.failed = true
		fmt.Fprintf(stderr, "%s: writing the output: %v\n", CLIProgram, err)
		return CLIExitFalse
	}
	return code
}

// path resolves a file name given on the command line the way the caller's
// process would open it.
func (e *cliEnv) path(p string) string {
	if filepath.IsAbs(p) || e.cwd == "" {
		return p
	}
	return filepath.Join(e.cwd, p)
}

func (e *cliEnv) check(cond Condition, phase Phase) (bool, error) {
	return Check(e.fl.Tx(), cond, CheckOptions{Phase: phase, Hook: e.hook, CharmDir: e.charmDir, Metadata: e.md})
}

// filesChanged is charms.reactive's any_file_changed(filenames) with md5:
// it compares every file with the digest stored under
// reactive.files_changed.<name as given> and records each new digest.
func (e *cliEnv) filesChanged(names []string) (bool, error) {
	tx := e.fl.Tx()
	changed := false
	for _, name := range names {
		cur, err := flags.FileDigest(e.path(name), "md5")
		if err != nil {
			return false, err
		}
		key := flags.FilesChangedPrefix + name
		var old *string
		if _, err := tx.Get(key, &old); err != nil {
			return false, fmt.Errorf("reading %s: %w", key, err)
		}
		if (old == nil) != (cur == nil) || (old != nil && *old != *cur) {
			if err := tx.Set(key, cur); err != nil {
				return false, fmt.Errorf("recording %s: %w", key, err)
			}
			changed = true
		}
	}
	return changed, nil
}

// flagList returns the set flags, sorted (get_flags).
func (e *cliEnv) flagList() []string {
	l := e.fl.List()
	sort.Strings(l)
	return l
}
