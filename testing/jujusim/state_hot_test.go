package jujusim_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ensure that a unit's state can be read after a hook was killed within
// its commit: the store left with a hot journal (here a copy of a store
// and its journal taken in the middle of a transaction that spilled to the
// file) reads as the state before that transaction, as the unit's next hook
// finds it.
func TestUnit_StateAfterAKilledCommit(t *testing.T) {
	t.Parallel()
	m := newPasswordModel(t, 1)
	require.NoError(t, m.Deploy())
	u := m.Unit(0)
	before, err := u.State()
	require.NoError(t, err)
	store := filepath.Join(u.CharmDir(), ".unit-state.db")

	work := filepath.Join(t.TempDir(), "work.db")
	copyFile(t, store, work)
	db, err := sql.Open("sqlite", "file:"+work)
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	for _, q := range []string{
		"PRAGMA cache_size = 2", // a small cache spills changed pages to the file before the commit
		"BEGIN IMMEDIATE",
		"UPDATE kv SET data = '\"changed\"'",
		"INSERT INTO kv (key, data) VALUES ('ballast', '\"" + strings.Repeat("x", 1<<20) + "\"')",
	} {
		_, err := conn.ExecContext(ctx, q)
		require.NoError(t, err, q)
	}
	journal, err := os.ReadFile(work + "-journal")
	require.NoError(t, err)
	require.NotEmpty(t, journal)
	copyFile(t, work, store) // the store and its journal as a process killed now leaves them
	require.NoError(t, os.WriteFile(store+"-journal", journal, 0o600))
	_, err = conn.ExecContext(ctx, "ROLLBACK")
	require.NoError(t, err)

	after, err := u.State()
	require.NoError(t, err)
	assert.Equal(t, before, after)
	_, err = os.Stat(store + "-journal")
	assert.True(t, os.IsNotExist(err), "the hot journal was rolled back")
}

func copyFile(tb testing.TB, from, to string) {
	tb.Helper()
	b, err := os.ReadFile(from)
	require.NoError(tb, err)
	require.NoError(tb, os.WriteFile(to, b, 0o600))
}
