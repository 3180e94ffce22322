// Package leadership is the Go port of the leadership layer
// (layer:leadership) for the reactive framework: it turns Juju's leadership
// and the application's leader settings into flags, so handlers react to
// "this unit leads", "the leader published key K" and "K changed" whatever
// hook runs.
//
// # Flags
//
// [Register] adds the layer to a [reactive.Registry], once per charm, with a
// start callback. At the start of every hook (not in restricted hooks) it
// asks is-leader once and reads all settings once, then sets or clears:
//
//   - [IsLeaderFlag] (leadership.is_leader): is-leader answered true;
//   - [SetFlag](key) (leadership.set.<key>): the setting has a value;
//   - [ChangedFlag](key) (leadership.changed.<key>): the value differs from
//     this unit's snapshot of its previous successful hook;
//   - [ChangedAnyFlag] (leadership.changed): at least one key changed.
//
// The snapshot is kept in the unit's store under leadership.settings.<key>
// (charm-helpers' names, so a unit upgraded in place from the Python layer
// sees no spurious change); a deleted key stays as a null tombstone. Flag
// events follow the Python layer's order: per key changed before set, keys
// in sorted order then deleted keys in sorted order, leadership.changed
// last. Everything is part of the hook's transaction: a failed hook leaves
// flags and snapshot as the last successful hook left them.
//
// # Writing and reading
//
// Handlers use four functions, which find the layer's state for the hook
// from the hook itself:
//
//   - [Set](ctx, h, settings) writes a group of settings in one tool call
//     and changes the leader's own flags at once, so its handlers react in
//     the same hook (order: changed.<key>, changed, set.<key>). An empty
//     value deletes a key. On a follower it returns [ErrNotLeader] before
//     any tool runs; once the 30-second guarantee of the hook-start
//     is-leader has lapsed it asks is-leader again first.
//   - [Delete](ctx, h, keys...) deletes keys, in one tool call.
//   - [Get](h, key) and [GetAll](h) serve the hook-start read plus this
//     hook's writes and start no process.
//
// In a charm that never called [Register], Set and Delete return an error
// wrapping [ErrNotRegistered], and Get and GetAll panic with one, saying what
// to call; in a hook where the layer has not started (a restricted hook) Set
// and Delete return [ErrNotStarted] with the reason, and Get and GetAll
// report nothing set.
//
// The layer guards the hook's other leader-only writes too: when it starts,
// it installs its lease tracker as the hook's h.Tools().Leader, so
// status-set --application, relation-set --app and leader-set through
// h.Tools() get the same check as Set ([ErrNotLeader] before the tool runs
// on a follower, one is-leader once the guarantee has lapsed).
//
// # Keys Set refuses
//
// Reads are as strict as writes: a key [Set] refuses (one leader-set would
// refuse or change, or one with a control character, which makes no flag
// name) is skipped when the layer reads it at the start of a hook, from Juju's
// settings (either backend) or from the snapshot in the store, with one
// WARNING naming the key (never its value). Such a key can come from `juju exec
// -- leader-set`, another writer of the peer bag, or a store of the Python
// layer; failing on it would fail every hook of every unit before any handler
// could repair it. Get and GetAll do not show it and no flag is set for it.
//
// # Backends
//
// By default the settings are Juju's leader settings (leader-get,
// leader-set; Juju up to 3.6). With [Options.PeerRelation] they live in the
// application data bag of a peer relation (relation-get --app, relation-set
// --app; Juju 3 and 4), with the same flags and snapshot. Juju applies a
// peer write only when the hook succeeds, whereas leader-set takes effect
// at once and survives a failed hook. On Juju 4 the leader-settings backend
// fails the hook with [ErrNoLeaderSettings].
//
// # Keys kept in Juju secrets
//
// [Options.Secrets] names keys whose values live in application-owned Juju
// secrets, one per group of keys, labelled [SecretLabel](group); the
// settings then hold only a pointer under [SecretPointerKey](group): the
// secret's ID and revisions, never a value. Set, Delete, Get, GetAll and
// the flags stay the same, so a charm switches by changing its Register
// call. The leader looks the secret up by label before writing (a new
// leader adopts it), makes no revision for unchanged content, and publishes
// the pointer when the hook succeeds ([PublishCallback]); a follower reads
// the secret with --refresh once per hook, only where the pointer moved, in
// a secret-changed hook about it, or when a handler asks, and fails the hook
// with [ErrSecretNotReady] when the pointer is ahead of what Juju has
// committed. A value still in plain settings is moved into the secret by the
// leader with no flag raised on any unit. On a Juju without secrets the
// hook fails with [ErrNoJujuSecrets], or with [Options.PlainFallback] the
// keys stay plain (docs/leadership.md, "Shared values in Juju secrets").
//
// # Differences from the Python layer
//
//   - A write on a follower returns ErrNotLeader instead of logging a
//     WARNING and failing in leader-set.
//   - The tool runs before the flags change: a failed write changes no flag.
//   - "" deletes a key in the writing hook too (upstream stores "" and
//     reports a spurious change in the next hook).
//   - Keys of one write are processed in sorted order.
//   - Get starts no process (but for keys kept in secrets).
//   - Keys can be kept in Juju secrets; keys starting with
//     "leadership.secret." are refused.
package leadership
