package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/charmkit/charmkit/internal/charmpack"
)

var packCommand = &command{
	name:  "pack",
	short: "build the charm's dispatch binary and write the .charm archive",
	usage: `usage: charmkit pack [-o FILE] [-arch ARCH] [-pkg PATH | -dispatch FILE] [DIR]

Pack builds the charm in DIR (default ".") into a .charm archive that Juju
deploys. DIR holds metadata.yaml (or a charmcraft.yaml with the metadata
inline) and, when the charm has them, config.yaml, actions.yaml,
manifest.yaml and the directories hooks/, reactive/, templates/, files/.

The Go main package in DIR (or the one -pkg names) is built as a static
Linux binary (CGO_ENABLED=0 GOOS=linux GOARCH=ARCH) and packed as dispatch,
mode 0755, at the archive's root. manifest.yaml is packed with its bases
set to ARCH, or written for Ubuntu 22.04 and 24.04 when DIR has none.

Flags:
  -o FILE         the archive to write (default: <charm name>.charm)
  -arch ARCH      amd64 (default), arm64, ppc64le, s390x or riscv64
  -pkg PATH       the Go package to build as dispatch, as go build takes it
                  (an import path or ./dir), when it is not DIR itself
  -dispatch FILE  pack this binary instead of building one

Example, from the root of the charmkit repository:

  charmkit pack -o password-charm.charm examples/password-charm

The archive's path is printed when it is written.
`,
}

func init() { packCommand.run = runPack }

func runPack(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("pack", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, packCommand.usage) }
	var o charmpack.Options
	fs.StringVar(&o.Out, "o", "", "the archive to write")
	fs.StringVar(&o.Arch, "arch", "amd64", "target architecture: "+strings.Join(charmpack.Archs, ", "))
	fs.StringVar(&o.Pkg, "pkg", "", "the Go package to build as dispatch")
	fs.StringVar(&o.Dispatch, "dispatch", "", "pack this binary instead of building one")
	if err := fs.Parse(args); err != nil {
		return usageExit(err)
	}
	switch fs.NArg() {
	case 0:
	case 1:
		o.Dir = fs.Arg(0)
	default:
		fmt.Fprintf(stderr, "charmkit pack: unexpected arguments %q (pass one charm directory)\n", fs.Args()[1:])
		return 2
	}
	if !charmpack.ValidArch(o.Arch) {
		fmt.Fprintf(stderr, "charmkit pack: unsupported architecture %q (want one of %s)\n", o.Arch, strings.Join(charmpack.Archs, ", "))
		return 2
	}
	o.Stderr = stderr
	out, err := charmpack.Pack(ctx, o)
	if err != nil {
		fmt.Fprintln(stderr, "charmkit pack:", err)
		return 1
	}
	fmt.Fprintln(stdout, out)
	return 0
}
