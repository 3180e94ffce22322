package flags_test

import (
	"context"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmkit/charmkit/flags"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ensure that DefaultPath picks the file charm-helpers opens.
func TestDefaultPath(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"UNIT_STATE_DB": "/x/s.db", "JUJU_CHARM_DIR": "/c", "CHARM_DIR": "/d"}, "/x/s.db"},
		{map[string]string{"JUJU_CHARM_DIR": "/c", "CHARM_DIR": "/d"}, "/c/.unit-state.db"},
		{map[string]string{"CHARM_DIR": "/d"}, "/d/.unit-state.db"},
		{map[string]string{}, ".unit-state.db"},
	}
	for _, tc := range tests {
		got := flags.DefaultPath(func(k string) string { return tc.env[k] })
		assert.Equal(t, tc.want, got, "DefaultPath(%v)", tc.env)
	}
	t.Setenv("UNIT_STATE_DB", "/from/env.db")
	assert.Equal(t, "/from/env.db", flags.DefaultPath(nil), "nil getenv means os.Getenv")
}

// Ensure that Open creates the file with mode 0600, and resets the mode of an
// existing file to 0600 as charm-helpers does.
func TestOpen_FileMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "new.db")
	s, err := flags.Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	require.NoError(t, os.Chmod(path, 0o644))
	s, err = flags.Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	fi, err = os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	checkInvariants(t, path)
}

// Ensure that a path with URI-special characters is opened as a plain file.
func TestOpen_PathWithSpecialCharacters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a?b#c%d e.db")
	s, err := flags.Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, s.Update(t.Context(), func(tx *flags.Tx) error { return tx.Set("k", 1) }))
	require.NoError(t, s.Close())
	_, err = os.Stat(path)
	require.NoError(t, err, "the file is created under its exact name")
	s, err = flags.Open(path, nil)
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.View(t.Context(), func(tx *flags.Tx) error {
		assert.True(t, tx.Has("k"))
		return nil
	}))
}

// Ensure that a file that is not an SQLite database gives an error naming
// the path, and is left byte for byte as it was.
func TestOpen_NotADatabase(t *testing.T) {
	tests := []struct {
		name    string
		content string
	}{
		{"text", "this is not a database, it is a text file that is long enough\n" + strings.Repeat("x", 200)},
		{"bad header", "SQLite format 3\x00" + strings.Repeat("\xff", 200)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), ".unit-state.db")
			require.NoError(t, os.WriteFile(path, []byte(tc.content), 0o600))
			s, err := flags.Open(path, nil)
			if s != nil {
				s.Close()
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, flags.ErrNotDatabase)
			assert.Contains(t, err.Error(), path)
			got, rerr := os.ReadFile(path)
			require.NoError(t, rerr)
			assert.Equal(t, tc.content, string(got), "the file is not overwritten")
		})
	}
	_, err := flags.Open("", nil)
	assert.ErrorContains(t, err, "empty path")
	_, err = flags.Open(filepath.Join(t.TempDir(), "no", "such", "dir", "x.db"), nil)
	assert.Error(t, err)
}

// Ensure that committed data survives closing and reopening the file, and
// that a transaction left open at Close is rolled back.
func TestOpen_Reopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".unit-state.db")
	s, err := flags.Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, s.Update(t.Context(), func(tx *flags.Tx) error {
		f := flags.New(tx)
		return f.SetValue("app.ready", map[string]int{"n": 1})
	}))
	require.NoError(t, s.Close())

	s, err = flags.Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, s.View(t.Context(), func(tx *flags.Tx) error {
		raw, ok := tx.GetRaw("reactive.states.app.ready")
		assert.True(t, ok)
		assert.Equal(t, `{"n": 1}`, raw)
		return nil
	}))
	require.NoError(t, s.Close())
	checkInvariants(t, path)
}

// Ensure that a second store on the same file (as another process would be)
// waits for the lock, and that a short lock timeout gives ErrLocked naming
// the file.
func TestOpen_LockAcrossConnections(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".unit-state.db")
	a, err := flags.Open(path, nil)
	require.NoError(t, err)
	defer a.Close()
	b, err := flags.Open(path, &flags.Options{LockTimeout: 100 * time.Millisecond})
	require.NoError(t, err)
	defer b.Close()

	tx, err := a.Begin(t.Context())
	require.NoError(t, err)
	require.NoError(t, tx.Set("n", 1))

	start := time.Now()
	_, err = b.Begin(t.Context())
	require.Error(t, err)
	assert.ErrorIs(t, err, flags.ErrLocked)
	assert.Contains(t, err.Error(), path)
	assert.GreaterOrEqual(t, time.Since(start), 90*time.Millisecond, "Begin waited for the lock")

	ctx, cancel := context.WithCancel(t.Context())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	c, err := flags.Open(path, nil) // 30 s timeout: only the cancel ends the wait
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Begin(ctx)
	assert.ErrorIs(t, err, context.Canceled)

	done := make(chan error, 1)
	go func() {
		done <- c.Update(context.Background(), func(tx *flags.Tx) error {
			var n int
			if _, err := tx.Get("n", &n); err != nil {
				return err
			}
			return tx.Set("n", n+1)
		})
	}()
	time.Sleep(20 * time.Millisecond)
	require.NoError(t, tx.Commit(t.Context()))
	require.NoError(t, <-done)
	require.NoError(t, a.View(t.Context(), func(tx *flags.Tx) error {
		raw, _ := tx.GetRaw("n")
		assert.Equal(t, "2", raw, "the waiting writer saw the first commit")
		return nil
	}))
}

// Ensure that a new store has exactly the schema charm-helpers creates (the
// same SQL text in sqlite_master as a store written by Python).
func TestOpen_SchemaMatchesPython(t *testing.T) {
	want := schemaOf(t, copyFixture(t, "leader-wrote-motd"))
	path := filepath.Join(t.TempDir(), "fresh.db")
	s2, err := flags.Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, s2.Close())
	assert.Equal(t, want, schemaOf(t, path))
	assert.Len(t, want, 6, "3 tables, 2 automatic indexes, sqlite_sequence")
}

// schemaOf returns the rows of sqlite_master as "type name sql" lines.
func schemaOf(t testing.TB, path string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.Query("SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master ORDER BY name")
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var typ, name, tbl, q string
		require.NoError(t, rows.Scan(&typ, &name, &tbl, &q))
		out = append(out, typ+" "+name+" "+tbl+" "+q)
	}
	require.NoError(t, rows.Err())
	return out
}

// copyFixture copies testdata/python-unit-state/<name>/unit-state.db into
// a temporary directory and returns the copy's path.
func copyFixture(t testing.TB, name string) string {
	t.Helper()
	src, err := os.Open(filepath.Join("testdata", "python-unit-state", name, "unit-state.db"))
	require.NoError(t, err)
	defer src.Close()
	path := filepath.Join(t.TempDir(), ".unit-state.db")
	dst, err := os.Create(path)
	require.NoError(t, err)
	_, err = io.Copy(dst, src)
	require.NoError(t, err)
	require.NoError(t, dst.Close())
	return path
}
