package flags

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// DefaultLockTimeout is how long [Store.Begin] on an SQLite store waits for
// another process's transaction when [Options.LockTimeout] is zero.
const DefaultLockTimeout = 30 * time.Second

// ErrNotDatabase is wrapped by the error [Open] returns for a file that is
// not an SQLite database (or is corrupt). The file is left untouched.
var ErrNotDatabase = errors.New("not an SQLite database")

// ErrLocked is wrapped by the error [Store.Begin] returns when another
// process kept the store locked for longer than the lock timeout.
var ErrLocked = errors.New("store is locked by another process")

// Options configures [Open]. A nil *Options means the defaults.
type Options struct {
	// LockTimeout bounds how long Begin (and a commit waiting for readers)
	// waits for another process holding the database lock. Zero means
	// DefaultLockTimeout; a negative value means do not wait at all.
	LockTimeout time.Duration

	// NoSync skips fsync at commit (PRAGMA synchronous = OFF, with a
	// persistent journal file). A commit still survives the process being
	// killed at any moment (the operating system has the data), but not a
	// power loss or kernel crash, which may then lose or corrupt the last
	// commits. The default syncs like Python's sqlite3 (synchronous FULL,
	// delete journal) and costs two fsyncs per commit.
	NoSync bool
}

// The schema charm-helpers' unitdata.Storage creates, statement for
// statement, so that sqlite_master holds the same SQL text.
var schema = []struct{ table, sql string }{
	{"kv", `create table if not exists kv (
               key text,
               data text,
               primary key (key)
               )`},
	{"kv_revisions", `create table if not exists kv_revisions (
               key text,
               revision integer,
               data text,
               primary key (key, revision)
               )`},
	{"hooks", `create table if not exists hooks (
               version integer primary key autoincrement,
               hook text,
               date text
               )`},
}

var ofdOnce sync.Once

// DefaultPath returns where a charm's store lives, the file charm-helpers
// opens: $UNIT_STATE_DB when set, otherwise .unit-state.db in
// $JUJU_CHARM_DIR, else in $CHARM_DIR, else in the current directory.
// A nil getenv means os.Getenv.
func DefaultPath(getenv func(string) string) string {
	if getenv == nil {
		getenv = os.Getenv
	}
	if p := getenv("UNIT_STATE_DB"); p != "" {
		return p
	}
	for _, dir := range []string{"JUJU_CHARM_DIR", "CHARM_DIR"} {
		if d := getenv(dir); d != "" {
			return filepath.Join(d, ".unit-state.db")
		}
	}
	return ".unit-state.db"
}

// Open opens the SQLite store at path, creating the file (mode 0600) and
// charm-helpers' three tables (kv, kv_revisions, hooks) when they are
// missing (in a file that already holds a database, by its first
// transaction). As charm-helpers does, it makes the file's mode 0600 on every
// open. Only the kv table is read or written.
//
// The database keeps SQLite's default rollback journal, so Python's sqlite3
// reads it as it always has, and a process killed mid-commit leaves a
// journal that the next opener rolls back: the store holds either the old
// or the new state, never a mix.
//
// Transactions take the database's write lock at Begin (SQLite's RESERVED
// lock, as BEGIN IMMEDIATE takes it) and hold it until Commit or Rollback,
// so only one hook or CLI process writes at a time; another process's Begin
// waits up to [Options.LockTimeout] and then fails with an error wrapping
// [ErrLocked].
//
// Opening is cheap: on Linux a store in the layout charm-helpers creates is
// read directly from the file, under SQLite's own locks, and an SQLite
// connection is opened only when a transaction has changes to commit (or
// the file needs SQLite: a new file, a hot journal, another schema). A
// transaction without changes writes nothing (docs/design.md, "A
// steady-state hook writes nothing").
func Open(path string, opts *Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("flags: opening store: empty path")
	}
	timeout := DefaultLockTimeout
	noSync := false
	if opts != nil {
		if opts.LockTimeout != 0 {
			timeout = max(opts.LockTimeout, 0)
		}
		noSync = opts.NoSync
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("flags: opening store %s: %w", path, err)
	}
	// charm-helpers: open(db_path, 'a').close(); os.chmod(db_path, 0o600).
	// The descriptor stays open: the direct reads and their locks use it.
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("flags: opening store: %w", err)
	}
	fi, err := f.Stat()
	if err == nil && fi.Mode().Perm() != 0o600 {
		err = f.Chmod(0o600)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("flags: opening store: %w", err)
	}
	b := &sqliteBackend{path: path, abs: abs, file: f, timeout: timeout, noSync: noSync}
	// A database file that this package may read directly waits for SQLite
	// until a commit has something to write (a transaction that finds
	// anything unexpected, missing tables included, falls back to SQLite).
	// Any other file (new, not a database, WAL) gets its connection now, so
	// that Open creates the tables or reports ErrNotDatabase as it always
	// has.
	var hdr [100]byte
	if _, err := f.ReadAt(hdr[:], 0); err == nil && nativeLocks {
		_, _, err := checkHeader(hdr[:])
		b.direct = err == nil
	}
	if !b.direct {
		if err := b.openSQL(context.Background()); err != nil {
			b.close()
			return nil, err
		}
	}
	return &Store{b: b, open: true}, nil
}

// fileURI turns an absolute path into an SQLite URI filename, escaping the
// characters URIs give a meaning to.
func fileURI(abs string) string {
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	return "file:" + r.Replace(filepath.ToSlash(abs))
}

// classify wraps SQLite's "not a database" and "corrupt" results in
// ErrNotDatabase.
func classify(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
			return fmt.Errorf("%w: %w", ErrNotDatabase, err)
		}
	}
	return err
}

func isBusy(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
	}
	return errors.Is(err, errBusy)
}

// sqliteBackend is the store in an SQLite file. A transaction either reads
// the file directly under locks taken on file (held is then true) or runs
// in SQLite through conn (inTx).
type sqliteBackend struct {
	path    string // as given, for messages
	abs     string
	file    *os.File // open for the life of the store
	timeout time.Duration
	noSync  bool

	direct  bool   // try direct reads (Linux, a file in charm-helpers' layout)
	held    bool   // the direct read's locks are held
	counter uint32 // the file change counter the direct read saw

	db   *sql.DB // nil until SQLite is needed
	conn *sql.Conn
	inTx bool
}

// openSQL opens the SQLite connection, once: busy timeout, sync mode, and
// charm-helpers' tables when they are missing.
func (b *sqliteBackend) openSQL(ctx context.Context) error {
	if b.conn != nil {
		return nil
	}
	// SQLite's POSIX locks would be dropped by any close(2) of the file in
	// this process (a charm hashing files, say); OFD locks are not. They
	// still conflict with other processes' POSIX locks, so Python agrees.
	ofdOnce.Do(func() { _, _ = sqlite.OFDLocking(true) })
	db, err := sql.Open("sqlite", fileURI(b.abs))
	if err != nil {
		return fmt.Errorf("flags: opening store %s: %w", b.path, err)
	}
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return fmt.Errorf("flags: opening store %s: %w", b.path, classify(err))
	}
	b.db, b.conn = db, conn
	if err := b.init(ctx); err != nil {
		b.closeSQL()
		return err
	}
	return nil
}

func (b *sqliteBackend) closeSQL() error {
	if b.conn == nil {
		return nil
	}
	err := b.conn.Close()
	if err2 := b.db.Close(); err == nil {
		err = err2
	}
	b.db, b.conn = nil, nil
	return err
}

func (b *sqliteBackend) init(ctx context.Context) error {
	if _, err := b.conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", b.timeout.Milliseconds())); err != nil {
		return fmt.Errorf("flags: opening store %s: %w", b.path, classify(err))
	}
	if b.noSync {
		for _, p := range []string{"PRAGMA synchronous = OFF", "PRAGMA journal_mode = PERSIST", "PRAGMA journal_size_limit = 1048576"} {
			if _, err := b.conn.ExecContext(ctx, p); err != nil {
				return fmt.Errorf("flags: opening store %s: %w", b.path, classify(err))
			}
		}
	}
	rows, err := b.conn.QueryContext(ctx, "SELECT name FROM sqlite_master WHERE type = 'table'")
	if err != nil {
		return fmt.Errorf("flags: opening store %s: %w", b.path, classify(err))
	}
	var have []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return fmt.Errorf("flags: opening store %s: %w", b.path, classify(err))
		}
		have = append(have, name)
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("flags: opening store %s: %w", b.path, classify(err))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("flags: opening store %s: %w", b.path, classify(err))
	}
	missing := false
	for _, s := range schema {
		missing = missing || !slices.Contains(have, s.table)
	}
	if !missing {
		return nil
	}
	if err := b.exec(ctx, "BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("flags: creating tables in %s: %w", b.path, b.lockErr(ctx, err))
	}
	for _, s := range schema {
		if err := b.exec(ctx, s.sql); err != nil {
			_ = b.exec(context.Background(), "ROLLBACK")
			return fmt.Errorf("flags: creating table %s in %s: %w", s.table, b.path, classify(err))
		}
	}
	if err := b.exec(ctx, "COMMIT"); err != nil {
		_ = b.exec(context.Background(), "ROLLBACK")
		return fmt.Errorf("flags: creating tables in %s: %w", b.path, classify(err))
	}
	return nil
}

func (b *sqliteBackend) exec(ctx context.Context, q string, args ...any) error {
	_, err := b.conn.ExecContext(ctx, q, args...)
	return err
}

// lockErr explains a failure to take the lock.
func (b *sqliteBackend) lockErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("waiting for the lock on %s: %w", b.path, ctx.Err())
	}
	if isBusy(err) {
		return fmt.Errorf("%w: %s (waited %s)", ErrLocked, b.path, b.timeout)
	}
	return classify(err)
}

func (b *sqliteBackend) begin(ctx context.Context) (map[string]string, error) {
	if b.direct {
		data, err := b.beginDirect(ctx)
		if err != nil || data != nil {
			return data, err
		}
		// The file needs SQLite this time (a hot journal, a layout change).
	}
	if err := b.openSQL(ctx); err != nil {
		return nil, err
	}
	if err := b.exec(ctx, "BEGIN IMMEDIATE"); err != nil {
		return nil, fmt.Errorf("flags: begin: %w", b.lockErr(ctx, err))
	}
	b.inTx = true
	data, err := b.readAll(ctx)
	if err != nil {
		_ = b.rollback()
		return nil, fmt.Errorf("flags: reading %s: %w", b.path, classify(err))
	}
	return data, nil
}

func (b *sqliteBackend) readAll(ctx context.Context) (map[string]string, error) {
	rows, err := b.conn.QueryContext(ctx, "SELECT key, data FROM kv")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	data := map[string]string{}
	for rows.Next() {
		var k string
		var v sql.NullString
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		if !v.Valid {
			v.String = "null"
		}
		data[k] = v.String
	}
	return data, rows.Err()
}

func (b *sqliteBackend) commit(ctx context.Context, changes map[string]*string) error {
	if len(changes) == 0 {
		// Nothing to write: no SQLite commit, no journal, no fsync.
		return b.rollback()
	}
	if b.held {
		if err := b.handOver(ctx); err != nil {
			return fmt.Errorf("writing %s (nothing written): %w", b.path, err)
		}
	}
	if !b.inTx {
		return errors.New("no transaction in progress")
	}
	keys := make([]string, 0, len(changes))
	for k := range changes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if err := b.write(ctx, keys, changes); err != nil {
		_ = b.rollback()
		return fmt.Errorf("writing %s (rolled back): %w", b.path, classify(err))
	}
	if err := b.exec(ctx, "COMMIT"); err != nil {
		_ = b.rollback()
		if isBusy(err) {
			err = fmt.Errorf("%w: %s (waited %s for readers)", ErrLocked, b.path, b.timeout)
		}
		return fmt.Errorf("committing %s (rolled back): %w", b.path, classify(err))
	}
	b.inTx = false
	return nil
}

func (b *sqliteBackend) write(ctx context.Context, keys []string, changes map[string]*string) error {
	var upsert, del *sql.Stmt
	defer func() {
		if upsert != nil {
			upsert.Close()
		}
		if del != nil {
			del.Close()
		}
	}()
	var err error
	for _, k := range keys {
		v := changes[k]
		if v == nil {
			if del == nil {
				if del, err = b.conn.PrepareContext(ctx, "DELETE FROM kv WHERE key = ?"); err != nil {
					return err
				}
			}
			if _, err := del.ExecContext(ctx, k); err != nil {
				return err
			}
			continue
		}
		if upsert == nil {
			upsert, err = b.conn.PrepareContext(ctx,
				"INSERT INTO kv (key, data) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET data = excluded.data")
			if err != nil {
				return err
			}
		}
		if _, err := upsert.ExecContext(ctx, k, *v); err != nil {
			return err
		}
	}
	return nil
}

func (b *sqliteBackend) rollback() error {
	if b.held {
		b.unlockDirect()
	}
	if !b.inTx {
		return nil
	}
	b.inTx = false
	if err := b.exec(context.Background(), "ROLLBACK"); err != nil {
		return fmt.Errorf("flags: rollback of %s: %w", b.path, err)
	}
	return nil
}

func (b *sqliteBackend) close() error {
	_ = b.rollback()
	err := b.closeSQL()
	if err2 := b.file.Close(); err == nil {
		err = err2
	}
	if err != nil {
		return fmt.Errorf("flags: closing %s: %w", b.path, err)
	}
	return nil
}
