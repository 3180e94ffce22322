package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/charmkit/charmkit/analysis/charmvet"
	"github.com/charmkit/charmkit/internal/charmcheck"
)

var vetCommand = &command{
	name:  "vet",
	short: "check a charm's code: flags, hook names, config options, leader settings",
	usage: `usage: charmkit vet [-unwatched=false] [PKG...]

Vet checks the charm's Go packages (go list patterns; default ".") without
running them, and reports, with positions:

  - a flag watched (When*, NotUnless, IsFlagSet, a trigger) that no handler,
    trigger or imported layer ever sets;
  - a flag set that nothing watches (a warning; -unwatched=false hides them);
  - an OnHook name that is not a Juju hook nor a hook of the charm's
    metadata.yaml (relations, storage, containers);
  - a config option read that config.yaml does not define;
  - a leader setting read that the charm never writes.

metadata.yaml and config.yaml are looked for in each package's directory and
its parents up to the module root. Test files are not checked.
Declare flags set or read where vet cannot see (bash handlers, tests,
operators) with //charmkit:flags sets FLAG... or //charmkit:flags reads FLAG...

Exit status 1 when an error is found; warnings alone exit 0.
The same checks run under go vet: go vet -vettool=$(which charmkit) ./...
`,
}

func init() { vetCommand.run = runVet }

func runVet(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("vet", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, vetCommand.usage) }
	unwatched := fs.Bool("unwatched", true, "report flags set but never watched (warnings)")
	if err := fs.Parse(args); err != nil {
		return usageExit(err)
	}
	if err := charmvet.Analyzer.Flags.Set("unwatched", fmt.Sprint(*unwatched)); err != nil {
		fmt.Fprintln(stderr, "charmkit vet:", err)
		return 1
	}
	res, err := charmcheck.Run(ctx, charmcheck.Config{Patterns: fs.Args()})
	if err != nil {
		fmt.Fprintln(stderr, "charmkit vet:", err)
		return 1
	}
	code := 0
	for _, d := range res.Diagnostics {
		fmt.Fprintf(stdout, "%s:%d:%d: %s\n", relPath(d.Posn.Filename), d.Posn.Line, d.Posn.Column, d.Message)
		if !d.Warning() {
			code = 1
		}
	}
	return code
}

// usageExit is the exit status for a flag parsing error: 0 for -h, else 2.
func usageExit(err error) int {
	if err == flag.ErrHelp {
		return 0
	}
	return 2
}

// relPath makes a path relative to the working directory when it is below
// it.
func relPath(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if r, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}
