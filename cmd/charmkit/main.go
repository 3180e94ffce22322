// Command charmkit is the tool for authors of charms written with the
// charmkit framework.
//
// Install it with
//
//	go install github.com/charmkit/charmkit/cmd/charmkit@latest
//
// Subcommands:
//
//	charmkit init [-module PATH] [-name NAME] [-replace DIR] DIR
//	charmkit pack [-o FILE] [-arch ARCH] [-pkg PATH | -dispatch FILE] [DIR]
//	charmkit vet [-unwatched=false] [PKG...]
//	charmkit graph [-format dot|mermaid] [PKG...]
//	charmkit help [COMMAND]
//
// init creates a new charm module that builds and passes its own tests.
// pack builds the charm's Go main package as a static Linux binary and
// writes the deployable .charm archive with it as dispatch. vet checks a
// charm's code statically (flags watched but never set, flags set but
// never watched, OnHook names that are not hooks, config options missing
// from config.yaml, leader settings read but never written). graph prints
// the handler/flag graph as Graphviz DOT or Mermaid.
//
// charmkit is also a go vet tool running the same checks:
//
//	go vet -vettool=$(which charmkit) ./...
//
// Exit status: 0 on success, 1 when vet finds an error (warnings alone do
// not fail) or a command fails, 2 for a usage mistake. The logic lives in
// internal/charminit, internal/charmpack, internal/charmcheck,
// internal/charmgraph and the public analysis/charmvet; docs/charmkit.md
// has examples of each output.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/charmkit/charmkit/analysis/charmvet"
)

func main() {
	if isVetTool(os.Args[1:]) {
		unitchecker.Main(charmvet.Analyzer) // exits
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// isVetTool reports whether go vet runs charmkit as its -vettool: it asks
// for the version (-V=full) and the flags (-flags), then passes a JSON
// .cfg file per package.
func isVetTool(args []string) bool {
	if len(args) == 0 {
		return false
	}
	switch args[0] {
	case "-V=full", "-V", "-flags":
		return true
	}
	return strings.HasSuffix(args[len(args)-1], ".cfg")
}

// command is one subcommand.
type command struct {
	name  string
	short string // one line for the command list
	usage string // the synopsis and description, for help
	run   func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

var commands []*command

func init() {
	commands = []*command{initCommand, packCommand, vetCommand, graphCommand, {
		name:  "help",
		short: "show help for a command",
		usage: "usage: charmkit help [COMMAND]\n\nHelp prints the usage of a command, or the list of commands.\n",
	}}
}

const mainUsage = `charmkit is the tool for charm authors using the charmkit framework.

Usage:

	charmkit <command> [arguments]

The commands are:

%s
Use "charmkit help <command>" for more about a command.

charmkit is also a go vet tool running the vet checks:

	go vet -vettool=$(which charmkit) ./...
`

func printUsage(w io.Writer) {
	var list strings.Builder
	for _, c := range commands {
		fmt.Fprintf(&list, "\t%-6s  %s\n", c.name, c.short)
	}
	fmt.Fprintf(w, mainUsage, list.String())
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// run runs the command line and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stderr)
		return 2
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if args[0] == "help" && len(args) > 1 {
			c := lookup(args[1])
			if c == nil || len(args) > 2 {
				fmt.Fprintf(stderr, "charmkit help %s: unknown help topic\n\n", strings.Join(args[1:], " "))
				printUsage(stderr)
				return 2
			}
			fmt.Fprint(stdout, c.usage)
			return 0
		}
		printUsage(stdout)
		return 0
	}
	c := lookup(args[0])
	if c == nil || c.run == nil {
		fmt.Fprintf(stderr, "charmkit: unknown command %q\n\n", args[0])
		printUsage(stderr)
		return 2
	}
	return c.run(ctx, args[1:], stdout, stderr)
}
