// Package jujusim simulates a Juju model, with applications, their units
// and the relations between them, running real, compiled charms out of
// process.
//
// Each simulated unit has its own charm directory (a copy of the charm, so
// its own .unit-state.db), its own tools directory and its own hook queue.
// Every hook runs the charm's dispatch as a fresh process with an
// environment built from scratch as Juju's unit agent builds it (CHARM_DIR,
// JUJU_CONTEXT_ID, JUJU_HOOK_NAME, JUJU_UNIT_NAME, JUJU_VERSION, ...; no
// HOME), cwd set to the charm directory, and the fake hook tools first on
// PATH.
//
// # Fake hook tools
//
// The tools are the project's one fake Juju, package testing/fakejuju: the
// same implementation testing/charmtest runs in process. Here it is a small
// binary, built once per process by [BuildTool] and linked under every tool
// name the fake serves ([ToolNames]); like jujuc it picks the command from
// basename(argv[0]). It reproduces Juju's output formats (smart, yaml,
// json), its one-line "ERROR ..." messages and its exit codes (2 for bad
// arguments, 1 for run-time errors), and journals every call (see
// [Event.Calls]). The model the units share (leadership, leader settings,
// config, status, relation data, open hook contexts) is one file in the
// model directory, model.json, read and replaced under a flock by the tool
// processes and the simulator alike, with an append-only journal.jsonl of
// calls, logs, status changes and leadership answers.
//
// # Leadership
//
// The simulator follows Juju's leadership rules: at most one leader;
// leader-elected on a new leader (skipped if is-leader is already False
// when it starts); leader-settings-changed on the other units after a
// leader-set that changed the settings (the simulator watches the model
// file with fsnotify, as agents watch the controller; several writes may
// coalesce into one hook), once after install and after a deposition; an
// is-leader False answer is sticky for the rest of the hook; leader-set on a
// non-leader fails with Juju's exact error. Every True answer extends the
// leader's 30-second guarantee on the simulated clock, and [Model.Elect]
// waits (on that clock) for the guarantee to run out before handing
// leadership over, so [Model.CheckLeases] can verify that no two units ever
// held a guarantee at once; [Model.CheckInvariants] adds the other
// leadership invariants.
//
// # Driving the model
//
// [Model.Deploy] runs the first hooks in Juju's order (install,
// relation-created, leader-elected or leader-settings-changed,
// config-changed, start). After that a test either lets the resolver
// choose ([Model.Settle], [Unit.Next], [Unit.Pending]) or picks the exact
// order itself ([Unit.Run]), or runs hooks of several units at the same
// time ([Model.RunTogether]), as units on different machines do.
// [Unit.Exec] runs a command in a hook context (juju exec).
// [Unit.SetFault] (a tool that fails or is missing), [Unit.Retry] (juju
// resolved), [Unit.Resolve], [Unit.LoseLeaseAfter], [Unit.RestartAgent],
// [Model.RemoveUnit], [Model.KillUnit],
// [Model.Elect], [Model.Unelect], [Model.SetConfig] and [Model.Advance]
// change the model. Every step is recorded in [Model.Timeline]: the hook,
// the unit, whether it led, the exit status, output, tool calls, juju-log
// records and the reactive flags of the unit's store before and after.
//
// # Relations
//
// [Model.AddApplication] deploys more applications, [Model.Relate] relates
// two of them and [Model.RemoveRelation] removes a relation. Each unit's
// next relation hook is chosen as Juju's relation resolver chooses it, from
// the unit's own view of each relation (docs/jujusim.md, "Several
// applications and their relations"); [Model.CheckInvariants] checks the
// relation rules along with the leadership ones.
//
// # Limits
//
// Hooks run one at a time, in the order the test (or Settle) chooses,
// except in [Model.RunTogether]. A new leader is never chosen on its own:
// the test calls [Model.Elect]. Storage, subordinates, cross-model and
// suspended relations are not simulated.
package jujusim
