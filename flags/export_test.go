package flags

// AnyFileChangedWith is AnyFileChanged with the digest function replaced,
// for tests that pin the order of digest calls (catalogue H7, H8).
var AnyFileChangedWith = anyFileChanged

// RawRows reads the kv table of the file at path with SQLite, bypassing the
// store (a NULL value reads as "null").
var RawRows = sqlRows

// SetCommitHook sets a function that runs in every SQLite commit of this
// process, between the writes and COMMIT (nil removes it).
func SetCommitHook(f func()) { commitHook = f }
