// Package charmvet is a static check of charms written with charmkit: an
// [analysis.Analyzer] that reads a charm's Go code without running it and
// reports the mistakes that otherwise show up only on a live model, as a
// handler that never runs or a hook that fails.
//
// It is public, rather than internal to the charmkit command, so that it
// can be composed like any other analyzer: in a project's own multichecker
// or singlechecker, in tools that load go/analysis analyzers, or through
// `go vet -vettool=$(which charmkit)`. The charmkit command's vet
// subcommand runs it on packages loaded with go/packages; its graph
// subcommand draws the analyzer's result ([Charm]).
//
// # What it reports
//
//   - A flag that is watched (reactive.When, WhenAll, WhenAny, WhenNot,
//     WhenNone, WhenNotAll) or read (Hook.IsFlagSet, reactive.NotUnless,
//     a flags.Trigger's When or WhenNot, flags.Flags.IsSet and friends) but
//     that nothing sets: no handler (Hook.SetFlag, SetFlagValue,
//     ToggleFlag, flags.Flags.Set...), no trigger, no imported layer. The
//     message says why when it can: leadership.set.api-token is never set
//     because the key written is api_token; config.changed.port because no
//     config layer is imported; and it suggests a close name.
//   - A flag that is set but that nothing watches or reads. This one is a
//     warning: its message starts with "warning: " ([WarningPrefix]);
//     the analyzer flag -unwatched=false turns it off.
//   - An OnHook name that is neither a Juju hook (install, config-changed,
//     start, stop, upgrade-charm, update-status, leader-elected,
//     leader-settings-changed, collect-metrics, meter-status-changed,
//     remove, pre-/post-series-upgrade, the secret-* hooks) nor a hook of
//     the charm's metadata: <endpoint>-relation-{created,joined,changed,
//     departed,broken}, <storage>-storage-{attached,detaching},
//     <container>-pebble-{ready,custom-notice,check-failed,check-recovered}.
//     Patterns with {a,b} and {role:interface} groups are expanded as
//     reactive.OnHook expands them.
//   - A config option read (an index of a hookenv.Config, its String,
//     Bool, Int or Float methods, Tools.ConfigGetKey) that config.yaml does
//     not define.
//   - A leader setting read (leadership.Get, Tools.LeaderGetKey) that
//     nothing writes (leadership.Set or Tools.LeaderSet with a map literal;
//     leadership.Delete).
//
// The charm's metadata.yaml (or charmcraft.yaml holding the metadata) and
// config.yaml are looked for in the package's directory, then in its
// parents up to the one holding go.mod. Without metadata, hook names are
// checked against Juju's own hooks only (any well-formed relation, storage
// or container hook passes) and config options are not checked.
//
// # What it follows
//
// Flag names, keys and options must be constants, or calls of a flag-name
// function: a function of one string argument whose body is one return of
// constants and that argument joined with +, such as leadership.SetFlag.
// The analyzer recognizes such functions in every package it analyzes and
// exports the finding as a fact, so a layer's own flag-name functions work
// in the charms that import it. A name that is partly computed at run time
// ("app." + name) becomes a pattern; a write whose name or keys are not
// known at all silences the checks it could make wrong, so the analyzer
// does not report what it cannot know.
//
// Each package is analyzed with what its dependencies do (through facts):
// a charm split into packages is checked as a whole as long as the package
// that watches a flag imports, directly or not, the one that sets it. Test
// files are not analyzed (tests register handlers of their own), and
// neither are charmkit's framework packages (but its interface packages
// are).
//
// # Layers and their flag families
//
// A layer manages flags that the charms importing it watch. The analyzer
// knows charmkit's own layers from [KnownLayers]: the leadership package
// sets leadership.is_leader, leadership.set.{leader-key},
// leadership.changed.{leader-key} and leadership.changed, where
// {leader-key} stands for the keys the charm writes; the endpoint package
// sets endpoint.{endpoint}.joined, .changed, .changed.* and .departed;
// the config package config.changed, config.changed.{config},
// config.set.{config} and config.default.{config}; reactive sets
// upgrade.series.in-progress. [ReservedFamilies] names the layer to import
// when a charm watches config.* or endpoint.<name>.* without it. The
// interface packages (charmkit's interfaces/...) are analyzed as
// third-party layers: they declare their flags with directives.
//
// Any package, a third-party layer or a charm, declares flags beyond what
// its code shows with a directive comment in any of its files:
//
//	//charmkit:flags sets db.ready db.{endpoint}.joined
//	//charmkit:flags reads app.configured
//
// "sets" lists flags something sets that the analysis cannot see (the
// layer's own run-time names, a bash handler, a Python charm the store was
// upgraded from); "reads" lists flags read where it cannot see (the charm
// importing a layer, tests, an operator's charms.reactive is_flag_set). A
// family is a flag name that may hold "*" and the placeholders {leader-key},
// {config} (an option of config.yaml) and {endpoint} (a relation endpoint
// of the metadata). The declarations hold in the declaring package and in
// every package that imports it. A flag a package declares it sets is never
// reported as unwatched there: the layer provides it for others.
//
// # Running it
//
//	charmkit vet ./...                        # go/packages, printed with positions
//	go vet -vettool=$(which charmkit) ./...   # the same analyzer through go vet
//
// go vet cannot tell warnings from errors and fails on both; pass
// -charmvet.unwatched=false to go vet to leave the warnings out.
package charmvet
