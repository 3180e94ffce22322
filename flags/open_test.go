package flags_test

import (
	"database/sql"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/charmkit/charmkit/flags"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fileState is what Open must not change about a file it refuses: its
// bytes and its mode (for a non-regular file, the mode alone).
type fileState struct {
	mode fs.FileMode
	data string
}

func stateOf(t testing.TB, path string) fileState {
	t.Helper()
	fi, err := os.Lstat(path)
	require.NoError(t, err)
	st := fileState{mode: fi.Mode()}
	if fi.Mode().IsRegular() {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		st.data = string(b)
	}
	return st
}

// openWithin runs flags.Open in a goroutine and fails the test when it
// does not return within a few seconds (a FIFO must never block it).
func openWithin(t *testing.T, path string) (*flags.Store, error) {
	t.Helper()
	type result struct {
		s   *flags.Store
		err error
	}
	done := make(chan result, 1)
	go func() {
		s, err := flags.Open(path, &flags.Options{LockTimeout: time.Second})
		done <- result{s, err}
	}()
	select {
	case r := <-done:
		return r.s, r.err
	case <-time.After(10 * time.Second):
		t.Fatalf("flags.Open(%s) did not return", path)
		return nil, nil
	}
}

// assertNoSideFiles checks that no journal was left next to path.
func assertNoSideFiles(t *testing.T, path string) {
	t.Helper()
	for _, suffix := range []string{"-journal", "-wal", "-shm"} {
		_, err := os.Lstat(path + suffix)
		assert.ErrorIs(t, err, fs.ErrNotExist, "no %s file next to %s", suffix, path)
	}
}

// Ensure that a symbolic link to a file that is not a store (a copy of
// /etc/passwd, an empty file) is refused and its target left exactly as it
// was, mode included; and that a dangling link creates nothing.
func TestOpen_SymlinkToOtherFileRefused(t *testing.T) {
	tests := []struct {
		name    string
		content string // "" makes an empty file
	}{
		{"passwd copy", "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"},
		{"empty file", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			target := filepath.Join(dir, "passwd")
			require.NoError(t, os.WriteFile(target, []byte(tc.content), 0o644))
			require.NoError(t, os.Chmod(target, 0o644))
			link := filepath.Join(dir, ".unit-state.db")
			require.NoError(t, os.Symlink(target, link))
			before := stateOf(t, target)

			s, err := openWithin(t, link)
			if s != nil {
				s.Close()
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, flags.ErrSymlink)
			assert.Contains(t, err.Error(), link)
			assert.Equal(t, before, stateOf(t, target), "the link's target is untouched")
			assertNoSideFiles(t, target)
			assertNoSideFiles(t, link)
		})
	}
}

// Ensure that a dangling symbolic link gives ErrSymlink and creates no file
// at its target.
func TestOpen_DanglingSymlinkCreatesNothing(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "elsewhere.db")
	link := filepath.Join(dir, ".unit-state.db")
	require.NoError(t, os.Symlink(target, link))

	s, err := openWithin(t, link)
	if s != nil {
		s.Close()
	}
	require.Error(t, err)
	assert.ErrorIs(t, err, flags.ErrSymlink)
	assert.Contains(t, err.Error(), link)
	_, err = os.Lstat(target)
	assert.ErrorIs(t, err, fs.ErrNotExist, "no file was created through the link")
	assertNoSideFiles(t, target)
}

// Ensure that a symbolic link to an existing store works as the store
// itself: reads, writes (the journal lives next to the target, where
// SQLite puts it) and the 0600 mode charm-helpers gives the store.
func TestOpen_SymlinkToStore(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "data", "state.db")
	require.NoError(t, os.Mkdir(filepath.Dir(target), 0o755))
	s, err := flags.Open(target, nil)
	require.NoError(t, err)
	require.NoError(t, s.Update(t.Context(), func(tx *flags.Tx) error { return tx.Set("k", 1) }))
	require.NoError(t, s.Close())
	require.NoError(t, os.Chmod(target, 0o644))
	link := filepath.Join(dir, ".unit-state.db")
	require.NoError(t, os.Symlink(target, link))

	s, err = flags.Open(link, nil)
	require.NoError(t, err)
	require.NoError(t, s.Update(t.Context(), func(tx *flags.Tx) error {
		var k int
		if _, err := tx.Get("k", &k); err != nil {
			return err
		}
		return tx.Set("k", k+1)
	}))
	require.NoError(t, s.Close())
	assert.Equal(t, map[string]string{"k": "2"}, flags.RawRows(t, target))
	fi, err := os.Lstat(link)
	require.NoError(t, err)
	assert.NotZero(t, fi.Mode()&fs.ModeSymlink, "the link is still a link")
	fi, err = os.Stat(target)
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o600), fi.Mode().Perm(), "a verified store gets mode 0600")
	checkInvariants(t, target)
}

// Ensure that a directory, a FIFO, a socket or a device at the store path
// (or behind a symbolic link there) is refused at once, without blocking
// and without a change to its mode.
func TestOpen_NotRegularFile(t *testing.T) {
	dir := t.TempDir()
	paths := map[string]string{}

	paths["directory"] = filepath.Join(dir, "dir.db")
	require.NoError(t, os.Mkdir(paths["directory"], 0o755))

	paths["FIFO"] = filepath.Join(dir, "fifo.db")
	require.NoError(t, syscall.Mkfifo(paths["FIFO"], 0o644))
	require.NoError(t, os.Chmod(paths["FIFO"], 0o644))

	paths["socket"] = filepath.Join(dir, "sock.db")
	l, err := net.Listen("unix", paths["socket"])
	require.NoError(t, err)
	defer l.Close()

	if os.Geteuid() == 0 {
		// A character device like /dev/null (1, 3), made here so that no
		// system file is at risk.
		paths["device"] = filepath.Join(dir, "null.db")
		require.NoError(t, syscall.Mknod(paths["device"], syscall.S_IFCHR|0o644, 1<<8|3))
		require.NoError(t, os.Chmod(paths["device"], 0o644))
	}

	paths["link to FIFO"] = filepath.Join(dir, "link-to-fifo.db")
	require.NoError(t, os.Symlink(paths["FIFO"], paths["link to FIFO"]))

	for name, path := range paths {
		t.Run(name, func(t *testing.T) {
			before := stateOf(t, path)
			target, err := filepath.EvalSymlinks(path)
			require.NoError(t, err)
			tbefore := stateOf(t, target)

			start := time.Now()
			s, err := openWithin(t, path)
			if s != nil {
				s.Close()
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, flags.ErrNotRegularFile)
			assert.Contains(t, err.Error(), path)
			assert.Less(t, time.Since(start), 2*time.Second, "refused at once")
			assert.Equal(t, before, stateOf(t, path))
			assert.Equal(t, tbefore, stateOf(t, target), "the target is untouched")
			assertNoSideFiles(t, target)
		})
	}
}

// foreignDB creates an SQLite database at path with the statements run on
// it, and gives it mode 0644.
func foreignDB(t testing.TB, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	for _, q := range stmts {
		_, err := db.Exec(q)
		require.NoError(t, err, q)
	}
	require.NoError(t, db.Close())
	require.NoError(t, os.Chmod(path, 0o644))
}

// foreignSchemas are databases of other applications: none has
// charm-helpers' kv table.
func foreignSchemas() map[string][]string {
	many := []string{}
	for i := range 150 {
		many = append(many, fmt.Sprintf("CREATE TABLE t%03d (id INTEGER PRIMARY KEY, name TEXT, value TEXT, created TEXT)", i))
	}
	return map[string][]string{
		"app tables": {
			"CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, password TEXT)",
			"INSERT INTO users (name, password) VALUES ('alice', 'secret'), ('bob', 'hunter2')",
		},
		// A schema larger than the first page: read with SQLite.
		"schema past page 1": append(many, "INSERT INTO t000 (name) VALUES ('x')"),
		// A table named kv that is not charm-helpers' one.
		"other kv table": {
			"CREATE TABLE kv (k INTEGER PRIMARY KEY, v BLOB)",
			"INSERT INTO kv (v) VALUES (x'00ff')",
		},
		// A database with nothing in it but a header.
		"no tables": {"PRAGMA user_version = 7"},
		// Only the two tables charm-helpers never uses.
		"no kv": {
			"CREATE TABLE kv_revisions (key text, revision integer, data text, primary key (key, revision))",
			"CREATE TABLE hooks (version integer primary key autoincrement, hook text, date text)",
		},
	}
}

// Ensure that an SQLite database of another application, at the store path
// or behind a symbolic link, is refused with ErrForeignDatabase naming the
// file, and left byte for byte as it was, mode included, with no journal.
func TestOpen_ForeignDatabaseUntouched(t *testing.T) {
	for name, stmts := range foreignSchemas() {
		for _, viaLink := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/link=%v", name, viaLink), func(t *testing.T) {
				dir := t.TempDir()
				db := filepath.Join(dir, "app.db")
				foreignDB(t, db, stmts...)
				path := db
				if viaLink {
					path = filepath.Join(dir, ".unit-state.db")
					require.NoError(t, os.Symlink(db, path))
				}
				before := stateOf(t, db)

				s, err := openWithin(t, path)
				if s != nil {
					s.Close()
				}
				require.Error(t, err)
				assert.ErrorIs(t, err, flags.ErrForeignDatabase)
				assert.Contains(t, err.Error(), path)
				if viaLink {
					assert.ErrorIs(t, err, flags.ErrSymlink)
				}
				assert.Equal(t, before, stateOf(t, db), "the database is untouched")
				assertNoSideFiles(t, db)
			})
		}
	}
}

// Ensure that a store charm-helpers left with only its kv table (a Python
// hook killed between its CREATE TABLE statements) gets the two other
// tables, keeps its rows, and gets mode 0600.
func TestOpen_StoreMissingTablesCompleted(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".unit-state.db")
	foreignDB(t, path,
		`create table if not exists kv (
               key text,
               data text,
               primary key (key)
               )`,
		`INSERT INTO kv VALUES ('reactive.states.x', 'null')`)
	s, err := flags.Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, s.View(t.Context(), func(tx *flags.Tx) error {
		assert.True(t, tx.Has("reactive.states.x"))
		return nil
	}))
	require.NoError(t, s.Close())
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o600), fi.Mode().Perm())
	checkInvariants(t, path)
}

// Ensure that an empty file at the store path (not a link) becomes a store
// with mode 0600, as charm-helpers makes it.
func TestOpen_EmptyFileBecomesStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".unit-state.db")
	require.NoError(t, os.WriteFile(path, nil, 0o644))
	require.NoError(t, os.Chmod(path, 0o644))
	s, err := flags.Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o600), fi.Mode().Perm())
	checkInvariants(t, path)
	assert.True(t, strings.HasSuffix(path, ".unit-state.db"))
}

// Ensure that a store Open verifies with SQLite (its schema does not fit
// on the first page) is set up like any other: the missing tables are
// created, and Options.NoSync applies (its journal persists).
func TestOpen_StoreVerifiedBySQLiteIsSetUp(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".unit-state.db")
	stmts := []string{`create table if not exists kv (
               key text,
               data text,
               primary key (key)
               )`}
	for i := range 150 {
		stmts = append(stmts, fmt.Sprintf("CREATE TABLE charm_t%03d (id INTEGER PRIMARY KEY, name TEXT, value TEXT)", i))
	}
	foreignDB(t, path, stmts...)
	s, err := flags.Open(path, &flags.Options{NoSync: true})
	require.NoError(t, err)
	require.NoError(t, s.Update(t.Context(), func(tx *flags.Tx) error { return tx.Set("k", 1) }))
	require.NoError(t, s.Close())
	var names []string
	for _, row := range schemaOf(t, path) {
		if f := strings.Fields(row); f[0] == "table" && !strings.HasPrefix(f[1], "charm_t") {
			names = append(names, f[1])
		}
	}
	assert.Equal(t, []string{"hooks", "kv", "kv_revisions", "sqlite_sequence"}, names, "the missing tables were created")
	_, err = os.Stat(path + "-journal")
	assert.NoError(t, err, "NoSync keeps its journal file (journal_mode PERSIST)")
	assert.Equal(t, map[string]string{"k": "1"}, flags.RawRows(t, path))
}
