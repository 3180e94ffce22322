package flags

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sqlRows reads the kv table with SQLite.
func sqlRows(t testing.TB, path string) map[string]string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.Query("SELECT key, data FROM kv")
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k string
		var v sql.NullString
		require.NoError(t, rows.Scan(&k, &v))
		if !v.Valid {
			v.String = "null"
		}
		out[k] = v.String
	}
	require.NoError(t, rows.Err())
	return out
}

// directStores are database files to read directly: the Python-written
// fixtures, and stores written here with many keys (interior pages), values
// longer than a page (overflow chains), non-ASCII text and a NULL value.
func directStores(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	fixtures, err := filepath.Glob(filepath.Join("testdata", "python-unit-state", "*", "unit-state.db"))
	require.NoError(t, err)
	require.NotEmpty(t, fixtures)
	for _, f := range fixtures {
		out["python "+filepath.Base(filepath.Dir(f))] = f
	}
	write := func(name string, fill func(tx *Tx) error, raw ...string) {
		path := filepath.Join(t.TempDir(), name+".db")
		s, err := Open(path, nil)
		require.NoError(t, err)
		require.NoError(t, s.Update(context.Background(), fill))
		require.NoError(t, s.Close())
		if len(raw) > 0 {
			db, err := sql.Open("sqlite", "file:"+path)
			require.NoError(t, err)
			for _, q := range raw {
				_, err := db.Exec(q)
				require.NoError(t, err)
			}
			require.NoError(t, db.Close())
		}
		out[name] = path
	}
	write("empty", func(*Tx) error { return nil })
	write("many keys", func(tx *Tx) error {
		for i := range 3000 {
			if err := tx.Set("reactive.states.k."+strings.Repeat("x", i%50)+string(rune('a'+i%26))+"."+strconv.Itoa(i), i); err != nil {
				return err
			}
		}
		return nil
	})
	write("overflow", func(tx *Tx) error {
		for i, n := range []int{4000, 4061, 4062, 4096, 10000, 100000, 1 << 20} {
			if err := tx.Set("big."+strconv.Itoa(i), strings.Repeat("é", n/2)); err != nil {
				return err
			}
		}
		return tx.Set("small", "x")
	})
	write("unicode and null", func(tx *Tx) error {
		if err := tx.Set("reactive.states.ñ-😀", "\ua000\x00<&>"); err != nil {
			return err
		}
		return tx.SetRaw("k", `{"a": [1, 2.5, null]}`)
	}, `INSERT INTO kv (key, data) VALUES ('null value', NULL)`)
	return out
}

// Ensure that the direct reader returns what SQLite's SELECT returns, for
// every store in the layout charm-helpers creates.
func TestReadKV_SameAsSQLite(t *testing.T) {
	for name, path := range directStores(t) {
		t.Run(name, func(t *testing.T) {
			img, err := os.ReadFile(path)
			require.NoError(t, err)
			got, err := readKV(img)
			require.NoError(t, err)
			assert.Equal(t, sqlRows(t, path), got)
		})
	}
}

// Ensure that a file the direct reader does not handle is left to SQLite:
// another kv schema, a blob, a WAL database, a truncated file; numbers
// written into kv are text (the columns' affinity), read as SQLite reads
// them.
func TestReadKV_LeavesOthersToSQLite(t *testing.T) {
	good := directStores(t)["unicode and null"]
	tests := []struct {
		name     string
		setup    []string // SQL run on a copy of good
		edit     func(img []byte) []byte
		readable bool // the direct read gives what SQLite gives
	}{
		{name: "other kv schema", setup: []string{"DROP TABLE kv", "CREATE TABLE kv (key TEXT PRIMARY KEY, data TEXT)"}},
		{name: "integer value is text", setup: []string{"INSERT INTO kv VALUES ('n', 42)"}, readable: true},
		{name: "real value is text", setup: []string{"INSERT INTO kv VALUES ('r', 1.5)"}, readable: true},
		{name: "integer key is text", setup: []string{"INSERT INTO kv VALUES (7, 'null')"}, readable: true},
		{name: "blob value", setup: []string{"INSERT INTO kv VALUES ('b', x'00ff')"}},
		{name: "blob key", setup: []string{"INSERT INTO kv VALUES (x'00ff', 'null')"}},
		{name: "missing hooks table", setup: []string{"DROP TABLE hooks"}},
		{name: "WAL", setup: []string{"PRAGMA journal_mode=WAL"}},
		{name: "truncated", edit: func(img []byte) []byte { return img[:len(img)-100] }},
		{name: "not a database", edit: func(img []byte) []byte { return append([]byte("SQLite format 2\x00"), img[16:]...) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, err := os.ReadFile(good)
			require.NoError(t, err)
			path := filepath.Join(t.TempDir(), "x.db")
			require.NoError(t, os.WriteFile(path, src, 0o600))
			if tc.setup != nil {
				db, err := sql.Open("sqlite", "file:"+path)
				require.NoError(t, err)
				for _, q := range tc.setup {
					_, err := db.Exec(q)
					require.NoError(t, err, q)
				}
				require.NoError(t, db.Close())
			}
			img, err := os.ReadFile(path)
			require.NoError(t, err)
			if tc.edit != nil {
				img = tc.edit(img)
			}
			got, err := readKV(img)
			if tc.readable {
				require.NoError(t, err)
				assert.Equal(t, sqlRows(t, path), got)
				return
			}
			assert.ErrorIs(t, err, errUnreadable)
		})
	}
}

// FuzzReadKV checks that the direct reader never panics or loops on a
// damaged store (one byte changed anywhere).
func FuzzReadKV(f *testing.F) {
	for _, p := range []string{"follower-after-deploy", "leader-wrote-motd"} {
		img, err := os.ReadFile(filepath.Join("testdata", "python-unit-state", p, "unit-state.db"))
		require.NoError(f, err)
		f.Add(img, uint32(0), byte(0))
		f.Add(img, uint32(4096+8), byte(0xff))
		f.Add(img, uint32(2*4096+3), byte(200))
	}
	f.Fuzz(func(t *testing.T, img []byte, at uint32, b byte) {
		if len(img) > 0 {
			img = bytes.Clone(img)
			img[int(at)%len(img)] = b
		}
		_, _ = readKV(img)
	})
}

// storeWith returns the path of a new store holding one committed row,
// closed, so that the next Open reads it directly.
func storeWith(tb testing.TB, key string, v any) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), ".unit-state.db")
	s, err := Open(path, nil)
	require.NoError(tb, err)
	require.NoError(tb, s.Update(context.Background(), func(tx *Tx) error { return tx.Set(key, v) }))
	require.NoError(tb, s.Close())
	return path
}

// stat is what a write would change about a file.
type stat struct {
	size         int64
	ino          uint64
	mtime, ctime syscall.Timespec
}

func statOf(t testing.TB, path string) stat {
	t.Helper()
	fi, err := os.Stat(path)
	require.NoError(t, err)
	st := fi.Sys().(*syscall.Stat_t)
	mtime, ctime := statTimes(st)
	return stat{size: fi.Size(), ino: st.Ino, mtime: mtime, ctime: ctime}
}

// Ensure that on a store in charm-helpers' layout a transaction reads the
// file directly, opens no SQLite connection, and, with no change, leaves the
// file untouched (size, inode, modification and change times) and creates
// no journal; and that a transaction with changes hands its locks over to
// SQLite and commits.
func TestDirect_UnchangedTransactionWritesNothing(t *testing.T) {
	if !nativeLocks {
		t.Skip("no open file description locks on this system")
	}
	path := storeWith(t, "a", 1)

	before := statOf(t, path)
	time.Sleep(10 * time.Millisecond) // a write would show in the times
	s, err := Open(path, nil)
	require.NoError(t, err)
	b := s.b.(*sqliteBackend)
	assert.True(t, b.direct)
	require.NoError(t, s.Update(context.Background(), func(tx *Tx) error {
		assert.True(t, b.held, "the direct read holds the locks")
		if err := tx.Set("a", 2); err != nil {
			return err
		}
		return tx.Set("a", 1) // back to the stored value: no change
	}))
	assert.Nil(t, b.conn, "no SQLite connection was opened")
	assert.False(t, b.held)
	require.NoError(t, s.Close())
	assert.Equal(t, before, statOf(t, path), "the store file is untouched")
	_, err = os.Stat(path + "-journal")
	assert.ErrorIs(t, err, os.ErrNotExist, "no journal was created")

	s, err = Open(path, nil)
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Update(context.Background(), func(tx *Tx) error { return tx.Set("a", 3) }))
	assert.Equal(t, map[string]string{"a": "3"}, sqlRows(t, path))
	assert.NotNil(t, s.b.(*sqliteBackend).conn, "the commit opened SQLite")
}

// Ensure that the hand-over leaves SQLite holding RESERVED (another
// descriptor cannot take it) and the direct locks released, and that
// RESERVED is free again once the transaction ends.
func TestDirect_HandOver(t *testing.T) {
	if !nativeLocks {
		t.Skip("no open file description locks on this system")
	}
	path := storeWith(t, "n", 0)

	s, err := Open(path, nil)
	require.NoError(t, err)
	defer s.Close()
	other, err := os.OpenFile(path, os.O_RDWR, 0)
	require.NoError(t, err)
	defer other.Close()

	tx, err := s.Begin(context.Background())
	require.NoError(t, err)
	defer tx.Rollback() // before s.Close, should the test stop early
	b := s.b.(*sqliteBackend)
	require.True(t, b.held)
	assert.ErrorIs(t, setLock(other, lockWrite, reservedByte, 1), errBusy, "the direct transaction holds RESERVED")
	require.NoError(t, b.handOver(context.Background()))
	assert.False(t, b.held)
	assert.True(t, b.inTx)
	assert.ErrorIs(t, setLock(other, lockWrite, reservedByte, 1), errBusy, "SQLite holds RESERVED now")
	require.NoError(t, setLock(other, lockRead, pendingByte, 1), "no PENDING lock is left behind")
	require.NoError(t, setLock(other, lockUnlock, pendingByte, 1))
	require.NoError(t, tx.Rollback())
	require.NoError(t, setLock(other, lockWrite, reservedByte, 1), "released after the transaction")
	require.NoError(t, setLock(other, lockUnlock, reservedByte, 1))
}

// BenchmarkReadKV reads the kv table of a Python-written store directly.
func BenchmarkReadKV(b *testing.B) {
	img, err := os.ReadFile(filepath.Join("testdata", "python-unit-state", "leader-wrote-motd", "unit-state.db"))
	require.NoError(b, err)
	for b.Loop() {
		if _, err := readKV(img); err != nil {
			b.Fatal(err)
		}
	}
}

// Ensure that the direct read's locks and Python's sqlite3 (POSIX locks)
// exclude each other both ways: a hook waits for a Python writer, and a
// Python writer waits for a hook (then fails after its timeout).
func TestDirect_LocksAgreeWithPython(t *testing.T) {
	if !nativeLocks {
		t.Skip("no open file description locks on this system")
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found")
	}
	path := storeWith(t, "n", 1)
	s, err := Open(path, &Options{LockTimeout: 100 * time.Millisecond}) // reads directly
	require.NoError(t, err)
	defer s.Close()

	// Python holds the write lock: Begin waits, then fails.
	hold := exec.Command(py, "-c", `
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()
c.execute("COMMIT")
`, path)
	stdin, err := hold.StdinPipe()
	require.NoError(t, err)
	stdout, err := hold.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, hold.Start())
	line := make([]byte, 7)
	_, err = io.ReadFull(stdout, line)
	require.NoError(t, err)
	_, err = s.Begin(context.Background())
	assert.ErrorIs(t, err, ErrLocked, "a hook waits for Python's write lock")
	require.NoError(t, stdin.Close())
	require.NoError(t, hold.Wait())

	// A hook holds the write lock: Python's writer times out.
	tx, err := s.Begin(context.Background())
	require.NoError(t, err)
	defer tx.Rollback() // before s.Close, should the test stop early
	require.True(t, s.b.(*sqliteBackend).held, "the hook read the file directly")
	out, err := exec.Command(py, "-c", `
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=0.1, isolation_level=None)
try:
    c.execute("BEGIN IMMEDIATE")
    print("acquired")
except sqlite3.OperationalError as e:
    print(e)
`, path).Output()
	require.NoError(t, err)
	assert.Equal(t, "database is locked\n", string(out))
	require.NoError(t, tx.Set("n", 2))
	require.NoError(t, tx.Commit(context.Background()))
	assert.Equal(t, map[string]string{"n": "2"}, sqlRows(t, path))
}
