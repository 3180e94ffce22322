package flags

// AnyFileChangedWith is AnyFileChanged with the digest function replaced,
// for tests that pin the order of digest calls (catalogue H7, H8).
var AnyFileChangedWith = anyFileChanged
