package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/charmkit/charmkit/internal/charmcheck"
	"github.com/charmkit/charmkit/internal/charmgraph"
)

var graphCommand = &command{
	name:  "graph",
	short: "print the handler/flag graph (Graphviz DOT or Mermaid)",
	usage: `usage: charmkit graph [-format dot|mermaid] [PKG...]

Graph reads the charm's Go packages (go list patterns; default ".") without
running them and prints the handler/flag graph: a node per handler (its name
and condition) and per flag; an edge from each flag a handler's condition
watches to the handler ("not" for WhenNot), and from the handler to each
flag its function sets or clears, following calls to functions of the same
package and counting the flags the leadership layer changes after a write.
Triggers are edges between flags. Output is in source order, deterministic.

  charmkit graph ./examples/password-charm/... | dot -Tsvg > graph.svg
  charmkit graph -format mermaid . > graph.mmd

The charm binary itself prints the graph of what it registers, watched flags
only: dispatch charmkit-graph.
`,
}

func init() { graphCommand.run = runGraph }

func runGraph(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("graph", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, graphCommand.usage) }
	format := fs.String("format", "dot", "output format: dot or mermaid")
	if err := fs.Parse(args); err != nil {
		return usageExit(err)
	}
	var render func(*charmcheck.Result) string
	switch *format {
	case "dot":
		render = func(r *charmcheck.Result) string { return charmgraph.DOT(r.Charms) }
	case "mermaid":
		render = func(r *charmcheck.Result) string { return charmgraph.Mermaid(r.Charms) }
	default:
		fmt.Fprintf(stderr, "charmkit graph: unknown format %q (want dot or mermaid)\n", *format)
		return 2
	}
	res, err := charmcheck.Run(ctx, charmcheck.Config{Patterns: fs.Args()})
	if err != nil {
		fmt.Fprintln(stderr, "charmkit graph:", err)
		return 1
	}
	n := 0
	for _, c := range res.Charms {
		n += len(c.Handlers)
	}
	if n == 0 {
		fmt.Fprintln(stderr, "charmkit graph: no handler registrations found (reactive.Handle or Registry.Handle)")
	}
	fmt.Fprint(stdout, render(res))
	return 0
}
