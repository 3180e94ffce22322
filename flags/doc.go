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
package flags
