// Package cli is the charms.reactive command line of every charm binary
// (docs/cli.md): parsing argparse's way, the subcommands, charm-helpers'
// output formats, and the channel through which the children of a hook
// apply their commands in the hook's open transaction (docs/design.md,
// "Decision 2"). Package reactive gives it the conditions ([Rules]) and
// keeps the public entry points: reactive.Main, reactive.RunCLI and
// Hook.RunCommand.
package cli

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
)

// Program is the program name the command uses in its usage and error
// messages.
const Program = "charms.reactive"

// SocketEnv is the environment variable through which a hook process tells
// the charms.reactive commands it starts where to send their commands: the
// path of a unix socket served by a [Server].
const SocketEnv = "CHARMKIT_CLI_SOCKET"

// GraphCommand is the project-specific subcommand that prints the handler
// and flag graph. Its name cannot clash with a charms.reactive subcommand.
const GraphCommand = "charmkit-graph"

// Exit codes of [Run], as charms.reactive's.
const (
	// ExitOK is a successful command, and a test command that holds.
	ExitOK = 0
	// ExitFalse is a test command that does not hold, and a command that
	// failed (an error is then printed on stderr).
	ExitFalse = 1
	// ExitUsage is a command line that could not be parsed (argparse's 2).
	ExitUsage = 2
)

// errUsage is wrapped by the errors of command lines that cannot be parsed:
// an unknown subcommand or option, a missing or extra argument.
var errUsage = errors.New("usage error")

// errUnsupported is wrapped by the error of a charms.reactive subcommand
// that has no Go counterpart (relation_call, render_template).
var errUnsupported = errors.New("not supported by charmkit")

// Rules is what the commands ask of the reactive package: the conditions,
// the watch rule and the handler graph, for one hook (or none).
type Rules interface {
	// Holds reports whether the condition test holds against the state in
	// tx, as dispatch would test it without the watch rule: when,
	// when_all, when_any, when_not, when_none, when_not_all (main-loop
	// phase, from the store), hook (hooks phase, from the store) and
	// any_hook (no phase check), with args as the flags or hook patterns.
	Holds(tx *flags.Tx, test string, args []string) (bool, error)
	// WatchAllows reports whether the watch record in tx lets a handler
	// watching these flags be tested now.
	WatchAllows(tx *flags.Tx, watched []string) (bool, error)
	// Graph returns the handler/flag graph in Graphviz DOT, or an error
	// when the command was given no registry.
	Graph() (string, error)
}

// Options configures [Run].
type Options struct {
	// Stdout and Stderr receive the command's output.
	Stdout, Stderr io.Writer
	// Getenv reads the environment.
	Getenv func(string) string
	// Store is the unit's store. Nil means: open flags.DefaultPath(Getenv),
	// or, when SocketEnv is set, send the command to the hook process
	// serving that socket. The command runs in one transaction that is
	// committed at exit unless the command failed.
	Store *flags.Store
	// Rules answers the condition tests.
	Rules Rules
}

// Run runs one charms.reactive command (args excludes the program name)
// and returns the exit code: 0 for success and for a test that holds, 1 for
// a test that does not hold or a failed command, 2 for a command line that
// cannot be parsed (with the usage on stderr).
func Run(ctx context.Context, args []string, o Options) int {
	inv, err := parse(args)
	if err != nil {
		return usageError(o.Stderr, err)
	}
	if inv.help != "" {
		io.WriteString(o.Stdout, inv.help)
		return ExitOK
	}
	if sock := o.Getenv(SocketEnv); sock != "" && o.Store == nil {
		cwd, _ := os.Getwd()
		return call(ctx, sock, args, cwd, o.Stdout, o.Stderr)
	}
	s := &session{rules: o.Rules}
	s.cwd, _ = os.Getwd()
	if !inv.cmd.needsStore {
		return s.execute(inv, o.Stdout, o.Stderr)
	}
	store := o.Store
	if store == nil {
		path := flags.DefaultPath(o.Getenv)
		st, err := flags.Open(path, nil)
		if err != nil {
			fmt.Fprintf(o.Stderr, "%s: opening the unit state %s: %v\n", Program, path, err)
			return ExitFalse
		}
		defer st.Close()
		store = st
	}
	// One managed transaction: committed unless the command failed.
	began := false
	code := ExitOK
	err = store.Update(ctx, func(tx *flags.Tx) error {
		began = true
		s.fl = flags.New(tx)
		code = s.execute(inv, o.Stdout, o.Stderr)
		if s.failed {
			return errFailed
		}
		return nil
	})
	switch {
	case errors.Is(err, errFailed):
		return code
	case err != nil && !began:
		fmt.Fprintf(o.Stderr, "%s: %v\n", Program, err)
		return ExitFalse
	case err != nil:
		fmt.Fprintf(o.Stderr, "%s: committing the unit state: %v\n", Program, err)
		return ExitFalse
	}
	return code
}

// errFailed makes the transaction of a failed command roll back.
var errFailed = errors.New("command failed")

func usageError(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "%s\n%s: error: %s\n", usageLine, Program, strings.TrimSuffix(err.Error(), ": "+errUsage.Error()))
	return ExitUsage
}

// session is the situation one command runs in: the flag set of the open
// transaction, the rules, and the caller's working directory (relative
// file names).
type session struct {
	fl     *flags.Flags
	rules  Rules
	cwd    string
	failed bool // the last command returned an error
}

// execute runs a parsed command line, prints its result in the requested
// format and returns the exit code.
func (s *session) execute(inv *invocation, stdout, stderr io.Writer) int {
	s.failed = false
	out, err := inv.cmd.run(s, inv)
	if err != nil {
		s.failed = true
		fmt.Fprintf(stderr, "%s: %s: %v\n", Program, inv.cmd.name, err)
		return ExitFalse
	}
	code := ExitOK
	switch inv.cmd.kind {
	case kindTest:
		if b, _ := out.(bool); !b {
			code = ExitFalse
		}
		out = ""
	case kindNoOutput:
		out = ""
	}
	if err := writeFormatted(stdout, inv.format, out); err != nil {
		s.failed = true
		fmt.Fprintf(stderr, "%s: writing the output: %v\n", Program, err)
		return ExitFalse
	}
	return code
}

// path resolves a file name given on the command line the way the caller's
// process would open it.
func (s *session) path(p string) string {
	if filepath.IsAbs(p) || s.cwd == "" {
		return p
	}
	return filepath.Join(s.cwd, p)
}

// holds asks the rules whether a condition test holds.
func (s *session) holds(test string, args []string) (bool, error) {
	return s.rules.Holds(s.fl.Tx(), test, args)
}

// filesChanged is charms.reactive's any_file_changed(filenames) with md5:
// it compares every file with the digest stored under
// reactive.files_changed.<name as given> and records each new digest.
func (s *session) filesChanged(names []string) (bool, error) {
	tx := s.fl.Tx()
	changed := false
	for _, name := range names {
		cur, err := flags.FileDigest(s.path(name), "md5")
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
func (s *session) flagList() []string {
	l := s.fl.List()
	sort.Strings(l)
	return l
}
