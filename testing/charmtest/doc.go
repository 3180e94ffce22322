// Package charmtest runs one hook of a charm in process, against fake hook
// tools, and returns the unit's new state: state in, hook, state out.
//
// A test declares a unit as plain data, runs one hook of the charm's
// registry, and asserts on the state that comes back:
//
//	u := charmtest.Unit{
//		Name:           "password/1",
//		LeaderSettings: map[string]string{"admin_password": "s3cret"},
//		Flags:          []string{"leadership.set.admin_password"},
//	}
//	out := u.Run(t, charm.Register, "leader-settings-changed")
//	require.NoError(t, out.Err)
//	assert.True(t, out.HasFlag("password.stored"))
//	next := out.Run(t, charm.Register, "config-changed") // chain hooks
//
// # The unit
//
// [Unit] holds what Juju knows about a unit (leadership, the application's
// leader settings, config, status, relations and their data bags) and what
// the unit keeps itself (its flags, its leadership snapshot, other store
// keys, the files of its charm directory and of its machine, with their
// modes). Its zero value is a fresh non-leader unit before its first hook.
// Faults make tools fail ([Fault]); LoseLeadershipAfter makes the lease
// lapse mid-hook; Now and ClockStep drive the clock that the 30-second
// leadership guarantee is measured with, so lease tests never sleep.
//
// # Checked like Juju would
//
// Before the hook runs, the unit is checked against the charm: its
// metadata.yaml and config.yaml are found from the test's working directory
// upwards (or named by [Unit.Charm]). A config key config.yaml does not
// declare or a value of the wrong type ([ErrBadConfig]), a relation on an
// endpoint the metadata does not declare, a peer relation with another
// application, a hook Juju would never run for the charm, and state only a
// leader can see on a follower (AppStatus, the application bag of a
// relation with another application) fail the test with an error matching
// [ErrInvalidUnit] that names the field and what to do. config.yaml gives
// the options Config does not mention their defaults. The hook also gets
// the metadata as reactive.RunOptions.Metadata, so the registry's start
// checks report in [Result.Logs], as WARNINGs, handlers that can never run
// for this charm.
//
// [Unit.Run] never modifies the unit it is given, and runs share nothing, so
// table-driven tests can call t.Parallel. [Unit.RunDir] is the same without a
// testing.TB, for examples and tools.
//
// [Unit.RunAction] runs an action instead of a hook (`juju run <unit>
// <action>`): its reactive.OnAction handlers, with parameters checked
// against the charm's actions.yaml and its defaults applied; the action's
// results, failure and log messages are in [Result.Action].
//
// # What a run does
//
// Each run creates a charm directory and a root directory for the unit's
// system paths in a temporary directory, writes [Unit.Files] into them
// (relative paths in the charm directory, absolute ones under the root,
// with [Unit.Modes]), and builds the unit's store as a real SQLite
// .unit-state.db (package flags) from Flags, Snapshot, Tombstones and KV.
// Handlers get a context under which files.Path (package files) maps a
// system path such as /etc/app/app.conf under the root.
// It builds a fresh registry with the register function, and runs the hook
// with reactive.Registry.Run: the same code path as a deployed charm, one
// transaction per hook. The hook context (hookenv.Env) is passed as data, so
// no environment variable is read or set.
//
// The hook tools are the project's one fake Juju, package
// testing/fakejuju, kept in memory: the same implementation testing/jujusim
// runs as a tool binary for out-of-process units. It prints exactly what
// Juju's tools print (byte-exact JSON, the smart and YAML formats, "ERROR
// ..." on stderr with exit code 1 or 2) and follows Juju's rules: is-leader
// is sticky false within a hook, leader-get serves the bucket as first read
// until the hook's own leader-set, a follower's leader-set fails with
// "cannot write leadership settings: cannot write settings: not the
// leader", relation-set is applied only if the hook succeeds, and restricted
// hooks (collect-metrics) refuse the leadership tools. A tool the fake does
// not serve, or one a [Fault] makes Missing, is an error wrapping
// hookenv.ErrToolNotFound. The unit's state becomes a fakejuju model: its
// application and config, the relations' other ends and their units, with
// every remote unit a member of its relation.
//
// # The result
//
// [Result] embeds the unit's next state: after a failed hook its store is
// exactly as before the hook, while what Juju applies at once (leader-set,
// status-set, files the charm wrote) stays, as in production. The result
// holds every file of the charm directory and of the root after the hook,
// with its mode ([Result.File], [Result.FileMode]). It also reports the
// handlers invoked, the flag events in order (from the
// reactive tracer), every tool call, the status history and the log
// records. A cleanup registered by Run reopens the store after the test and
// checks that it holds exactly what the result reports.
//
// # Upgrades from the Python stack
//
// [LoadState] reads an existing .unit-state.db, including one written by
// charms.reactive and charm-helpers, into a Unit, so a test can check that a
// Go charm taking over a deployed unit carries on where the Python charm
// stopped.
package charmtest
