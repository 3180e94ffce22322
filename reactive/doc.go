// Package reactive is the heart of charmkit: a Go port of Juju's
// charms.reactive. A charm declares handlers, each with a condition over
// flags (or the hook name), and a dispatch loop runs the handlers whose
// conditions hold, in a deterministic order, until nothing more matches.
//
// # Flags
//
// A flag is a name ("app.installed", "db.available") that is either set or
// not. Flags live in the unit's store (package flags), so they survive from
// one hook to the next until a handler clears them. Handlers communicate by
// setting and clearing flags; triggers ([flags.Trigger], registered with
// [Registry.RegisterTrigger]) set or clear other flags the moment a flag
// changes, before any handler can observe the state in between.
//
// # Handlers and conditions
//
// A [Registry] holds the handlers. Each has an explicit, unique, stable
// name, a [HandlerFunc] and a [Condition]:
//
//	r := reactive.NewRegistry()
//	r.Handle("install", reactive.WhenNot("app.installed"), install)
//	r.Handle("configure", reactive.All(reactive.When("app.installed"), reactive.WhenNot("app.configured")), configure)
//
// The conditions are [When] (= [WhenAll]), [WhenAny], [WhenNot]
// (= [WhenNone]), [WhenNotAll], [OnHook] (charms.reactive's @hook, with
// {a,b} and {role:interface} patterns), [WhenFileChanged], [OnlyOnce],
// [CollectMetrics] and [MeterStatusChanged]; [All] combines them. Misuse
// (an empty or duplicate name, a nil function, an invalid flag, a
// combination that can never fire such as OnHook with When, a hook name
// that is no hook) panics at registration, naming the registration site. [DefaultRegistry] with the
// package-level [Handle], [RegisterTrigger], [AtStart] and [AtExit] is a
// thin convenience over one registry.
//
// # Mistakes caught at registration and at start
//
// A charm's mistakes in names are caught as early as the information
// allows. At registration, [Registry.Handle] (and [Handle]) panics,
// naming the charm's line and what to do, when an [OnHook] pattern can
// match no hook Juju runs, whatever the charm's metadata declares:
// OnHook("config-chagned") says "did you mean config-changed?". A pattern
// may match when one of the names it expands to is one of Juju's own hooks
// (install, config-changed, leader-elected, the secret-* hooks, ...) or
// <name>-relation-{created,joined,changed,departed,broken},
// <name>-storage-{attached,detaching} or
// <name>-pebble-{ready,custom-notice,check-failed,check-recovered} for a
// valid name; a {role:interface} group counts as a valid relation name
// when its role is provides, requires or peers, so only a pattern's
// literal parts are judged then.
//
// At the start of every hook that is not restricted, once the start
// callbacks have run, the registry logs one WARNING per mistake it can see,
// naming the handler, its registration line and the fix; nothing is logged
// twice in a hook, and restricted hooks stay silent:
//
//   - a watched flag of a layer's family (a name that starts with the
//     layer's name and a dot) that the layer never sets, such as
//     leadership.is-leader for leadership.is_leader: the layer's flags are
//     its LayerFlags, or, for a [HookLayer], what it found when the hook
//     started: the endpoint layer manages endpoint.<name>.* for the
//     relations of the metadata (endpoint.dbs.joined for a relation db is
//     reported), the config layer config.changed.<option> and the like for
//     the options of config.yaml;
//   - with the charm's metadata at hand, an OnHook pattern that can match
//     no hook of the charm: OnHook("dbs-relation-joined") when the
//     metadata declares db, or a {role:interface} group matching no
//     relation. The metadata is at hand when [RunOptions.Metadata] gives
//     it, when a layer read it with [Hook.Metadata] (as the endpoint layer
//     does without Options.Metadata), or when a {role:interface} pattern
//     needs it (the hooks phase reads it then anyway); the checks read
//     nothing by themselves.
//
// Leader-setting keys (leadership.set.<key>) are not checked at start, as
// the keys are known only from the settings: charmkit vet reports keys
// read but never written, and flags watched but never set.
//
// # The dispatch loop
//
// One hook runs in phases, exactly as charms.reactive does:
//
//   - hooks phase: every handler whose OnHook condition matches the hook
//     (and handlers with only file-change or only-once conditions) runs;
//   - main loop: iteration 0 tests every When-family handler; iteration
//     i ≥ 1 tests only handlers watching a flag that changed (was set or
//     cleared for real) in iteration i-1, plus handlers watching no flag.
//     The handlers that hold form a batch and run in registration order;
//   - after any clear, even of a flag that was not set, the rest of the
//     batch is re-tested and handlers that no longer hold are dropped; a set
//     never causes a re-test (so a handler may run with a flag it did not
//     want, exactly as upstream);
//   - the loop stops when a batch is empty, or after 100 iterations
//     ([RunOptions.MaxIterations]), in which case one WARNING is logged.
//
// collect-metrics and meter-status-changed hooks run in restricted mode: one
// batch of CollectMetrics/MeterStatusChanged, file-change and only-once
// handlers, and no start or exit callbacks. The dispatcher keeps its
// bookkeeping in the store under charms.reactive's keys
// (reactive.dispatch.phase, reactive.dispatch.removed_state,
// reactive.state_watch), so the charms.reactive command line reads it.
//
// Because iteration 0 tests everything, every handler whose condition holds
// runs again in every hook, update-status included. Handlers must be
// idempotent: level-based, like a reconciler, not edge-triggered.
//
// # A hook is a transaction
//
// [Registry.Run] runs one hook as one transaction on the store: write the
// registry's triggers, run the start callbacks ([Registry.AtStart]),
// dispatch, run the exit callbacks ([Registry.AtExit], last in first out),
// and commit once. When a handler or callback returns an error or panics,
// nothing is committed and the store is exactly as before the hook, so the
// retried hook starts from the same state; handlers that had succeeded run
// again. [ErrStop] ends the hook early but successfully, and [Abort] ends
// it with an exit code and nothing persisted. There is no commit point
// inside a hook: not in tracing, not anywhere else. Hook-tool side effects
// (status-set, leader-set) belong to Juju and are not rolled back.
//
// # Main
//
// A charm's dispatch binary calls [Main] with its registry. Main reads the
// hook context (package hookenv), opens the SQLite store at
// flags.DefaultPath, logs through juju-log, runs the hook and exits 0, 1
// (with "Hook error:" and the cause in the log) or the [Abort] code.
//
// # Command line
//
// Every charm binary is also the charms.reactive command: with a
// subcommand on its command line, or when invoked under the name
// charms.reactive (for example through a bin/charms.reactive symlink that
// bash handlers find on PATH), [Main] hands over to [RunCLI], which answers
// get_flags, set_flag, is_flag_set, when, test and the other subcommands
// with the upstream names, output formats and exit codes. Outside a hook it
// opens the unit's store and commits at exit. Inside a hook the hook holds
// the store, so a child started with [Hook.RunCommand] sends its commands
// back to the hook process over a unix socket, where they join the hook's
// transaction. The charmkit-graph subcommand draws the handler/flag graph.
//
// # External handlers
//
// Executables under the charm's reactive/, hooks/reactive/ and
// hooks/relations/ (bash scripts written with charms.reactive.sh, or any
// program) are handlers too. [Registry.Run] finds them when the hook
// starts and registers them after all Go handlers, in a sorted order. Having no watched flags, each one is tested in every test
// pass by running it with --test (exit 0 queues it) and invoked with
// --invoke and the output of --test. Nothing is committed before they run:
// their charms.reactive calls reach the hook's open transaction through the
// hook process, so they see its uncommitted flags, and what they set is
// rolled back with a failed hook. [Main] puts the charm binary on their
// PATH as charms.reactive. [RunOptions.NoExternalHandlers] switches them
// off.
//
// # How the packages relate
//
// Package flags holds the store and the flag operations; hookenv reaches
// Juju's hook tools; reactive (this package) registers and dispatches
// handlers and owns the hook's transaction; leadership is a layer that
// registers start callbacks and handlers on a Registry and sets the
// leadership.* flags; testing/charmtest and testing/jujusim run charms in
// tests, in process through [Registry.Run] or as real binaries through
// [Main].
//
// # Differences from charms.reactive
//
// Handler names replace file:line:function ids; registration order replaces
// filesystem walk order; impossible condition combinations and hook
// patterns that can match no hook are rejected; mistakes the start of a
// hook can see are logged as WARNINGs;
// file-change conditions latch until their handler has run (upstream issue
// #44); the iteration cap logs a WARNING; tracing (off by default) has no
// side effects; external handlers are found by a sorted walk and run after
// the Go handlers; and the hook has no hidden commit points. See
// docs/reactive.md for each, with the test that shows it.
package reactive
