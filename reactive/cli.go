package reactive

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/reactive/internal/cli"
)

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
// transaction; RunCLI prints what the hook process computed and returns its
// exit code.
func RunCLI(ctx context.Context, args []string, opts CLIOptions) int {
	o := cli.Options{Stdout: opts.Stdout, Stderr: opts.Stderr, Getenv: opts.Getenv, Store: opts.Store}
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	o.Rules = cliRules{hook: hookenv.HookName(o.Getenv, ""), charmDir: charmDirFrom(o.Getenv), registry: opts.Registry}
	return cli.Run(ctx, args, o)
}

// charmDirFrom returns $JUJU_CHARM_DIR, else $CHARM_DIR (charm-helpers'
// charm_dir), else "".
func charmDirFrom(getenv func(string) string) string {
	if d := getenv("JUJU_CHARM_DIR"); d != "" {
		return d
	}
	return getenv("CHARM_DIR")
}

// cliRules answers the command line's condition tests with this package's
// conditions, for one hook (docs/cli.md).
type cliRules struct {
	hook     string
	charmDir string    // where metadata.yaml is read for {role:interface} patterns
	md       *Metadata // used instead of reading metadata.yaml when set
	registry *Registry // drawn by charmkit-graph when set
}

// Holds maps a test to its condition and phase: the when* tests hold in the
// main-loop phase, hook in the hooks phase (both as the store records the
// phase), and any_hook in any phase.
func (r cliRules) Holds(tx *flags.Tx, test string, args []string) (bool, error) {
	o := checkOptions{Hook: r.hook, CharmDir: r.charmDir, Metadata: r.md}
	var c Condition
	switch test {
	case "when", "when_all":
		c = WhenAll(args...)
	case "when_any":
		c = WhenAny(args...)
	case "when_not", "when_none":
		c = WhenNone(args...)
	case "when_not_all":
		c = WhenNotAll(args...)
	case "hook":
		c = OnHook(args...)
	case "any_hook":
		c, o.Phase = OnHook(args...), PhaseHooks
	default:
		return false, fmt.Errorf("unknown test %q", test)
	}
	return check(tx, c, o)
}

func (r cliRules) WatchAllows(tx *flags.Tx, watched []string) (bool, error) {
	return watchAllows(tx, watched)
}

func (r cliRules) Graph() (string, error) {
	if r.registry == nil {
		return "", fmt.Errorf("no handler registry was given to the command")
	}
	return GraphDOT(r.registry), nil
}

// notInHook tells someone who ran the charm's binary by hand, outside a
// hook and with no arguments, what it is and how to use it, and returns
// the usage exit code.
func notInHook(argv0 string, stderr io.Writer) int {
	name := filepath.Base(argv0)
	if name == "" || name == "." {
		name = "dispatch"
	}
	fmt.Fprintf(stderr, `%[1]s: not inside a Juju hook (JUJU_CONTEXT_ID is not set)
This is a charm's dispatch program: Juju runs it for each hook of a unit, with the hook's context in its environment.
  To run a hook by hand, open a shell in its context on the unit, with juju debug-hooks <unit> <hook>, and run ./%[1]s there.
  To read or change the unit's flags, give it a charms.reactive command, on the unit: juju exec --unit <unit> -- ./%[1]s get_flags (%[1]s --help lists the commands).
  To test the charm, run its hooks with the testing/charmtest package.
`, name)
	return cli.ExitUsage
}
