package reactive_test

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/reactive"
)

// ExampleRunCLI runs charms.reactive commands against a unit's store, as
// `juju exec --unit u/0 -- '$JUJU_CHARM_DIR/dispatch get_flags'` or a bash
// handler would. Test commands answer with their exit code.
func ExampleRunCLI() {
	store := flags.OpenMemory()
	opts := reactive.CLIOptions{Stdout: os.Stdout, Stderr: os.Stdout, Store: store}
	ctx := context.Background()

	reactive.RunCLI(ctx, []string{"set_flag", "app.installed"}, opts)
	reactive.RunCLI(ctx, []string{"toggle_flag", "app.configured", "False"}, opts) // sets it (X18)
	reactive.RunCLI(ctx, []string{"get_flags"}, opts)
	fmt.Println()
	reactive.RunCLI(ctx, []string{"-j", "get_states"}, opts)
	fmt.Println()
	fmt.Println("is_flag_set db.ready:", reactive.RunCLI(ctx, []string{"is_flag_set", "db.ready"}, opts))
	fmt.Println("any_flags_set:", reactive.RunCLI(ctx, []string{"any_flags_set"}, opts))
	fmt.Println("bogus:", reactive.RunCLI(ctx, []string{"bogus"}, reactive.CLIOptions{Store: store, Stderr: io.Discard}))
	// Output:
	// app.configured
	// app.installed
	// {"app.configured": null, "app.installed": null}
	// is_flag_set db.ready: 1
	// any_flags_set: 1
	// bogus: 2
}

// ExampleGraphDOT draws a registry's handlers and the flags they watch.
func ExampleGraphDOT() {
	r := reactive.NewRegistry()
	noop := func(context.Context, *reactive.Hook) error { return nil }
	r.Handle("install", reactive.WhenNot("app.installed"), noop)
	fmt.Print(reactive.GraphDOT(r))
	// Output:
	// digraph charm {
	// 	rankdir=LR;
	// 	node [fontname="sans-serif"];
	// 	"flag:app.installed" [shape=ellipse, label="app.installed"];
	// 	"handler:install" [shape=box, label="install\nWhenNone(\"app.installed\")"];
	// 	"flag:app.installed" -> "handler:install";
	// }
}
