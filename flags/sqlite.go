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

// ErrForeignDatabase is wrapped by the error [Open] returns for an SQLite
// database without charm-helpers' kv table: another application's
// database. The file is left untouched.
var ErrForeignDatabase = errors.New("an SQLite database without charm-helpers' kv table")

// ErrNotRegularFile is wrapped by the error [Open] returns when the store
// path is a directory, a named pipe (FIFO), a socket or a device. Nothing
// is opened for reading or writing, and nothing is changed.
var ErrNotRegularFile = errors.New("not a regular file")

// ErrSymlink is wrapped by the error [Open] returns when the store path is
// a symbolic link to anything but an existing store: a dangling link, or a
// link to an empty file, a file that is not a database or another
// application's database (the error then also wraps [ErrNotRegularFile],
// [ErrNotDatabase] or [ErrForeignDatabase]). Nothing is created or changed
// through the link.
var ErrSymlink = errors.New("symbolic link to a file that is not a unit state store")

// ErrIO is wrapped by the error of an operation on the store that could
// not read or write its files: a full disk, a file size limit, a failing
// disk. A commit that fails so leaves the store in its previous state.
var ErrIO = errors.New("cannot read or write the store's files (disk full, file size limit or I/O error)")

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

// commitHook, when set (by tests only, through export_test.go), runs in
// every SQLite commit once the changes are written to SQLite's cache (and
// to the file, when they did not fit in it) and before COMMIT: a crash
// test's child stops there to be killed mid-commit.
var commitHook func()

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

// fileURI turns an absolute path into an SQLite URI filename, escaping the
// characters URIs give a meaning to.
func fileURI(abs string) string {
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	return "file:" + r.Replace(filepath.ToSlash(abs))
}

// classify wraps SQLite's "not a database" and "corrupt" results in
// ErrNotDatabase, and its "disk full" and I/O errors in ErrIO.
func classify(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
			return fmt.Errorf("%w: %w", ErrNotDatabase, err)
		case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR:
			return fmt.Errorf("%w: %w", ErrIO, err)
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

	db    *sql.DB // nil until SQLite is needed
	conn  *sql.Conn
	ready bool // conn has the sync mode set and the tables created
	inTx  bool
}

// openSQL opens the SQLite connection, once (see openConn), and sets the
// sync mode and creates charm-helpers' tables when they are missing. Only
// a file verified as a store gets here.
func (b *sqliteBackend) openSQL(ctx context.Context) error {
	if b.conn != nil && b.ready {
		return nil
	}
	if err := b.openConn(ctx); err != nil {
		return fmt.Errorf("flags: opening store %s: %w", b.path, err)
	}
	if err := b.init(ctx); err != nil {
		b.closeSQL()
		return err
	}
	b.ready = true
	return nil
}

// openConn opens the SQLite connection, once, with the busy timeout, and
// checks that SQLite opened the very file the store opened and verified
// (not one put in its place since).
func (b *sqliteBackend) openConn(ctx context.Context) error {
	if b.conn != nil {
		return nil
	}
	// SQLite's POSIX locks would be dropped by any close(2) of the file in
	// this process (a charm hashing files, say); OFD locks are not. They
	// still conflict with other processes' POSIX locks, so Python agrees.
	ofdOnce.Do(func() { _, _ = sqlite.OFDLocking(true) })
	// mode=rw: SQLite never creates the file (the store created it).
	db, err := sql.Open("sqlite", fileURI(b.abs)+"?mode=rw")
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return classify(err)
	}
	b.db, b.conn = db, conn
	if err := b.setBusyTimeout(ctx, b.timeout); err != nil {
		b.closeSQL()
		return classify(err)
	}
	mine, err := b.file.Stat()
	if err != nil {
		b.closeSQL()
		return err
	}
	now, err := os.Stat(b.abs)
	if err != nil || !os.SameFile(mine, now) {
		b.closeSQL()
		return fmt.Errorf("%s was replaced by another file while it was opened", b.abs)
	}
	return nil
}

func (b *sqliteBackend) setBusyTimeout(ctx context.Context, d time.Duration) error {
	_, err := b.conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", d.Milliseconds()))
	return err
}

func (b *sqliteBackend) closeSQL() error {
	if b.conn == nil {
		return nil
	}
	err := b.conn.Close()
	if err2 := b.db.Close(); err == nil {
		err = err2
	}
	b.db, b.conn, b.ready = nil, nil, false
	return err
}

func (b *sqliteBackend) init(ctx context.Context) error {
	if b.noSync {
		for _, p := range []string{"PRAGMA synchronous = OFF", "PRAGMA journal_mode = PERSIST", "PRAGMA journal_size_limit = 1048576"} {
			if _, err := b.conn.ExecContext(ctx, p); err != nil {
				return fmt.Errorf("flags: opening store %s: %w", b.path, classify(err))
			}
		}
	}
	have, err := b.tableNames(ctx)
	if err != nil {
		return fmt.Errorf("flags: opening store %s: %w", b.path, classify(err))
	}
	if !missingTables(have) {
		return nil
	}
	if err := b.beginImmediate(ctx); err != nil {
		return fmt.Errorf("flags: creating tables in %s: %w", b.path, err)
	}
	// Under the write lock, look again: tables are created only in an
	// empty database or next to charm-helpers' kv table.
	have, err = b.tableNames(ctx)
	if err == nil && !slices.Contains(have, "kv") && len(have) > 0 {
		err = ErrForeignDatabase
	}
	if err != nil {
		_ = b.exec(context.Background(), "ROLLBACK")
		return fmt.Errorf("flags: opening store %s: %w", b.path, classify(err))
	}
	for _, s := range schema {
		if slices.Contains(have, s.table) {
			continue
		}
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

// tableNames lists the tables of the database.
func (b *sqliteBackend) tableNames(ctx context.Context) ([]string, error) {
	rows, err := b.conn.QueryContext(ctx, "SELECT name FROM sqlite_master WHERE type = 'table'")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var have []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		have = append(have, name)
	}
	return have, rows.Err()
}

// missingTables reports whether one of charm-helpers' tables is missing.
func missingTables(have []string) bool {
	for _, s := range schema {
		if !slices.Contains(have, s.table) {
			return true
		}
	}
	return false
}

// beginImmediate starts an SQLite write transaction (BEGIN IMMEDIATE),
// waiting for the lock in the store's queue rather than in SQLite's busy
// handler.
func (b *sqliteBackend) beginImmediate(ctx context.Context) error {
	if err := b.setBusyTimeout(ctx, 0); err != nil {
		return b.lockErr(ctx, err)
	}
	err := b.waitTurn(ctx, func() error {
		err := b.exec(ctx, "BEGIN IMMEDIATE")
		if isBusy(err) {
			return errBusy
		}
		return err
	})
	if err2 := b.setBusyTimeout(context.Background(), b.timeout); err == nil && err2 != nil {
		_ = b.exec(context.Background(), "ROLLBACK")
		err = err2
	}
	if err != nil && !errors.Is(err, ErrLocked) && ctx.Err() == nil {
		err = classify(err)
	}
	return err
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
	if err := b.beginImmediate(ctx); err != nil {
		return nil, fmt.Errorf("flags: begin: %w", err)
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
	if commitHook != nil {
		commitHook()
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
