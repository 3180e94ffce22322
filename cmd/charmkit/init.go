package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/charmkit/charmkit/internal/charminit"
)

var initCommand = &command{
	name:  "init",
	short: "create a new charm module that builds and passes its tests",
	usage: `usage: charmkit init [-module PATH] [-name NAME] [-replace DIR] DIR

Init creates a new charm module in DIR (which must not exist, or be empty):
a small working charm (the leader generates a token through the leadership
layer; every unit renders it and the port option into a configuration file
with package files), main.go, metadata.yaml, config.yaml, charmcraft.yaml,
a table-driven charmtest test, a jujusim test of the compiled charm on
three units, a Makefile (make test, make charm) and go.mod, with charmkit
as a tool (go tool charmkit).

Flags:
  -module PATH   the module path (default: DIR's base name)
  -name NAME     the charm's name (default: DIR's base name, lower case)
  -replace DIR   use the charmkit checkout in DIR instead of a published
                 version: go.mod replaces github.com/charmkit/charmkit with
                 it and go.sum is copied from it, so the module builds
                 offline at once

Without -replace, fetch charmkit in the new module first:

  cd DIR
  go get github.com/charmkit/charmkit@latest
  go mod tidy
  make test
`,
}

func init() { initCommand.run = runInit }

func runInit(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, initCommand.usage) }
	var o charminit.Options
	fs.StringVar(&o.Module, "module", "", "the module path")
	fs.StringVar(&o.Name, "name", "", "the charm's name")
	fs.StringVar(&o.Replace, "replace", "", "a charmkit checkout to use instead of a published version")
	if err := fs.Parse(args); err != nil {
		return usageExit(err)
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "charmkit init: pass the new module's directory (charmkit init [-module PATH] [-name NAME] [-replace DIR] DIR)")
		return 2
	}
	o.Dir = fs.Arg(0)
	if o.Replace == "" {
		o.Version = ownVersion()
	}
	res, err := charminit.Init(o)
	if err != nil {
		fmt.Fprintln(stderr, "charmkit init:", err)
		if errors.Is(err, charminit.ErrUsage) {
			return 2
		}
		return 1
	}
	fmt.Fprintf(stdout, "created the charm %s in %s (module %s):\n", res.Name, res.Dir, res.Module)
	for _, f := range res.Files {
		fmt.Fprintf(stdout, "  %s\n", f)
	}
	fmt.Fprintf(stdout, "\nnext:\n  cd %s\n", res.Dir)
	switch {
	case o.Replace != "":
	case o.Version != "":
		fmt.Fprintln(stdout, "  go mod tidy")
	default:
		fmt.Fprintf(stdout, "  go get %s@latest\n  go mod tidy\n", charminit.ModulePath)
	}
	fmt.Fprintln(stdout, "  make test    # go vet, charmkit vet, go test")
	fmt.Fprintf(stdout, "  make charm   # %s.charm\n", res.Name)
	return 0
}

// ownVersion returns the charmkit version this binary was installed at
// (go install github.com/charmkit/charmkit/cmd/charmkit@vX.Y.Z), or "" for
// a build from a checkout.
func ownVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	return installedVersion(bi)
}

// installedVersion returns the version of charmkit a binary was built from
// when that version came from the module proxy, or "" otherwise. A build
// inside a git checkout is stamped with a pseudo-version of its commit
// (and "+dirty" when the tree has changes) that the proxy may never have
// seen; only a downloaded module carries a checksum, so that is the test.
func installedVersion(bi *debug.BuildInfo) string {
	if bi.Main.Path != charminit.ModulePath || bi.Main.Sum == "" {
		return ""
	}
	switch v := bi.Main.Version; {
	case v == "", v == "(devel)", len(v) < 2 || v[0] != 'v', strings.Contains(v, "+"):
		return ""
	default:
		return v
	}
}
