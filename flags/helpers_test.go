package flags_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/charmkit/charmkit/flags"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"
)

// openTemp opens a new SQLite store under t.TempDir and, in t.Cleanup,
// closes it and checks the file's invariants.
func openTemp(t testing.TB) *flags.Store {
	t.Helper()
	return openTempWith(t, nil)
}

// openTempWith is openTemp with options.
func openTempWith(t testing.TB, opts *flags.Options) *flags.Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), ".unit-state.db")
	s, err := flags.Open(path, opts)
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, s.Close())
		checkInvariants(t, path)
	})
	return s
}

// checkInvariants opens the file independently and checks that it opens,
// passes PRAGMA integrity_check, and has charm-helpers' three tables.
func checkInvariants(t testing.TB, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	var res string
	require.NoError(t, db.QueryRow("PRAGMA integrity_check").Scan(&res), "integrity_check of %s", path)
	assert.Equal(t, "ok", res, "integrity_check of %s", path)
	rows, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
	require.NoError(t, err)
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var n string
		require.NoError(t, rows.Scan(&n))
		tables = append(tables, n)
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, []string{"hooks", "kv", "kv_revisions", "sqlite_sequence"}, tables)
}
