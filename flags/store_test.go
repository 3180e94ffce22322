package flags_test

import (
	"testing"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/flags/storetest"
)

// Ensure that the in-memory store passes the conformance suite.
func TestMemoryStore_Conformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) *flags.Store {
		s := flags.OpenMemory()
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

// Ensure that the SQLite store passes the conformance suite, and that the
// file is intact after every subtest.
func TestSQLiteStore_Conformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) *flags.Store {
		return openTemp(t)
	})
}

// Ensure that the SQLite store without fsync behaves the same.
func TestSQLiteStoreNoSync_Conformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) *flags.Store {
		return openTempWith(t, &flags.Options{NoSync: true})
	})
}
