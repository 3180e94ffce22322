// Package flags holds a unit's persistent state: the reactive flags and the
// unit's key/value data, in a store compatible with charm-helpers'
// .unit-state.db.
//
// # Model
//
// A [Store] is the durable part (an SQLite file, or memory for tests). All
// access goes through a [Tx]; in a charm one hook is one transaction, so a
// failed hook leaves the store exactly as it was. [Flags] gives a
// transaction charms.reactive's flag operations: set, clear, toggle,
// queries, and triggers that fire the moment a flag changes.
//
// # Stores
//
// [Open] opens the SQLite file a charm uses ([DefaultPath]: $UNIT_STATE_DB,
// else $JUJU_CHARM_DIR/.unit-state.db), with the schema, key names and JSON
// text of charm-helpers' unitdata, so a store written by the Python stack
// reads here and the other way round. [OpenMemory] returns an empty store
// for unit tests. Both pass the conformance suite in package
// [github.com/charmkit/charmkit/flags/storetest].
//
// [Store.Begin] takes the store's write lock (across processes for the
// SQLite store: a second hook or CLI process waits up to
// [Options.LockTimeout], then fails with [ErrLocked]) and reads every row
// into memory; the [Tx] works on that copy, and [Tx.Commit] writes only the
// changed keys in one SQLite transaction. [Store.Update] commits when its
// function returns nil and rolls back on an error or a panic. On Linux,
// transactions waiting for the lock, in any process, are served first come,
// first served (a queue of lock tickets past SQLite's lock bytes; Python's
// sqlite3 competes as it always has).
//
// # What Open refuses
//
// The store never modifies a file it has not verified as its own. [Open]
// (or [OpenContext], whose context bounds the open's waits) creates the
// file only where nothing is, never through a symbolic link; follows a link
// only to an existing store ([ErrSymlink] otherwise); refuses a directory,
// FIFO, socket or device at once, without blocking ([ErrNotRegularFile]);
// and makes the mode 0600 and creates the missing tables only in an empty
// file or in an SQLite database that has charm-helpers' kv table. A file
// that is not a database ([ErrNotDatabase]) or another application's
// database ([ErrForeignDatabase]) is left byte for byte as it was, mode
// included. The rule and its reasons are in docs/flags.md, "What Open
// refuses".
//
// Only the owner of a transaction ends it. The one [Store.Update] and
// [Store.View] pass to their function, like the one a reactive hook gives
// its handlers, is managed: its Commit and Rollback return [ErrTxManaged],
// so code handed a transaction cannot persist part of a failed hook. A
// finished transaction refuses every write with [ErrTxDone].
//
// # Values
//
// Values are JSON text. [Tx.Set] encodes with [EncodeValue], which writes
// what Python's json.dumps writes (", " and ": " separators, \uXXXX
// escapes, Python float repr), so rows written here are byte-identical to
// Python's. A set of the text already stored is not a change.
//
// # Crash safety
//
// The file keeps SQLite's rollback journal. A process killed at any moment,
// even inside Commit, leaves either the complete old state or the complete
// new one; the next open rolls back an unfinished transaction. By default a
// commit is also synced to disk (as Python's sqlite3 does); [Options.NoSync]
// trades durability across power loss for speed. A commit that cannot
// write (a full disk, a file size limit) fails with an error wrapping
// [ErrIO] and leaves the previous state. TestSoak_Store checks all this at
// scale (docs/flags.md, "Soak").
//
// # Helpers
//
// [DataChanged], [IsDataChanged], [AnyFileChanged], [FileDigest],
// [WasInvoked] and [MarkInvoked] are charms.reactive's helpers, with the
// same keys and digests (reactive.data_changed.<id>,
// reactive.files_changed.<path>, reactive.invoked.<id>).
package flags
