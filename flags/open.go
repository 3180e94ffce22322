package flags

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Open opens the SQLite store at path: [OpenContext] with a context that is
// never done. Waiting for another process's lock is still bounded by
// [Options.LockTimeout].
func Open(path string, opts *Options) (*Store, error) {
	return OpenContext(context.Background(), path, opts)
}

// OpenContext opens the SQLite store at path, creating the file (mode 0600)
// and charm-helpers' three tables (kv, kv_revisions, hooks) when they are
// missing. Only the kv table is read or written. ctx bounds the waits of
// the open itself (another process committing, at most
// [Options.LockTimeout]); it is not kept.
//
// Open changes nothing in a file it has not verified as a store
// (docs/flags.md, "What Open refuses"). The path must be a regular file or
// not exist: a directory, a named pipe (FIFO), a socket or a device is
// refused at once with [ErrNotRegularFile], without opening it for reading
// or writing (so a FIFO cannot block the hook). A symbolic link is
// followed only to an existing store; a dangling link, or a link to an
// empty file or to anything else, is refused with [ErrSymlink] and nothing
// is created or changed through it. An existing file must be empty (a new
// store), or an SQLite database that has charm-helpers' kv table: a file
// that is not a database gives [ErrNotDatabase], a database without the kv
// table gives [ErrForeignDatabase], and in both cases the file is left byte
// for byte as it was, mode included. Only then does Open, as charm-helpers
// does, make the file's mode 0600 and create the tables that are missing
// (all three in a new file; kv_revisions and hooks in a store that lacks
// them).
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
// [ErrLocked]. On Linux the transactions of this package waiting for the
// lock, in any process, are served in the order they asked for it.
//
// Opening is cheap: on Linux a store in the layout charm-helpers creates is
// verified and read directly from the file, under SQLite's own locks, and an
// SQLite connection is opened only when a transaction has changes to commit
// (or the file needs SQLite: a new file, a hot journal, another schema). A
// transaction without changes writes nothing (docs/design.md, "A
// steady-state hook writes nothing").
func OpenContext(ctx context.Context, path string, opts *Options) (*Store, error) {
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
	of, err := openStoreFile(abs)
	if err != nil {
		return nil, fmt.Errorf("flags: opening store %s: %w", path, err)
	}
	// The descriptor stays open: the direct reads and their locks use it.
	b := &sqliteBackend{path: path, abs: of.real, file: of.f, timeout: timeout, noSync: noSync}
	fail := func(err error) (*Store, error) {
		b.close()
		return nil, fmt.Errorf("flags: opening store %s: %w", path, err)
	}
	lay, err := b.verify(ctx)
	if of.link && (errors.Is(err, ErrNotDatabase) || errors.Is(err, ErrForeignDatabase)) {
		err = fmt.Errorf("%w (%s): %w", ErrSymlink, of.real, err)
	}
	if err != nil {
		return fail(err)
	}
	if of.link && lay == layoutEmpty {
		return fail(fmt.Errorf("%w (%s): an empty file (a store is never created through a link)", ErrSymlink, of.real))
	}
	// charm-helpers: open(db_path, 'a').close(); os.chmod(db_path, 0o600).
	fi, err := b.file.Stat()
	if err == nil && fi.Mode().Perm() != 0o600 {
		err = b.file.Chmod(0o600)
	}
	if err != nil {
		return fail(err)
	}
	// A store in charm-helpers' layout waits for SQLite until a commit has
	// something to write (a transaction that finds anything unexpected
	// falls back to SQLite). Any other store gets its connection now, so
	// that Open creates the missing tables.
	b.direct = lay == layoutDirect && nativeLocks && b.conn == nil
	if !b.direct {
		if err := b.openSQL(ctx); err != nil {
			b.close()
			return nil, err
		}
	}
	return &Store{b: b, open: true}, nil
}

// openedFile is the store's file, open for reading and writing.
type openedFile struct {
	f    *os.File
	real string // the file's own path: the absolute path, or the link's target
	link bool   // the path is a symbolic link to real
}

// openStoreFile opens the regular file at abs, creating it when nothing is
// there, or the existing regular file a symbolic link at abs points to. It
// looks (lstat) before it opens, and opens without following a link, so
// that a FIFO or a device is never opened and a file swapped meanwhile is
// seen.
func openStoreFile(abs string) (*openedFile, error) {
	for range 3 {
		fi, err := os.Lstat(abs)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			f, err := openNoFollow(abs, true)
			if errors.Is(err, fs.ErrExist) {
				continue // created meanwhile by another process: look again
			}
			if err != nil {
				return nil, err
			}
			return &openedFile{f: f, real: abs}, nil
		case err != nil:
			return nil, err
		case fi.Mode()&fs.ModeSymlink != 0:
			real, err := filepath.EvalSymlinks(abs)
			if err != nil {
				return nil, fmt.Errorf("%w: %w (a store is never created through a link)", ErrSymlink, err)
			}
			tfi, err := os.Lstat(real)
			if err != nil {
				return nil, fmt.Errorf("%w (%s): %w", ErrSymlink, real, err)
			}
			if !tfi.Mode().IsRegular() {
				return nil, fmt.Errorf("%w (%s): %w: it is %s", ErrSymlink, real, ErrNotRegularFile, describeMode(tfi.Mode()))
			}
			f, err := openNoFollow(real, false)
			if isLinkLoop(err) {
				continue // the target was swapped for a link: look again
			}
			if err != nil {
				return nil, fmt.Errorf("%w (%s): %w", ErrSymlink, real, err)
			}
			return &openedFile{f: f, real: real, link: true}, nil
		case !fi.Mode().IsRegular():
			return nil, fmt.Errorf("%w: it is %s", ErrNotRegularFile, describeMode(fi.Mode()))
		default:
			f, err := openNoFollow(abs, false)
			if isLinkLoop(err) || errors.Is(err, fs.ErrNotExist) {
				continue // swapped or removed meanwhile: look again
			}
			if err != nil {
				return nil, err
			}
			return &openedFile{f: f, real: abs}, nil
		}
	}
	return nil, errors.New("the file kept changing while it was opened")
}

// describeMode names the kind of a file that is not a regular file.
func describeMode(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "not a regular file (mode " + m.String() + ")"
}

// layout is what [sqliteBackend.verify] found in the store's file.
type layout int

const (
	layoutEmpty  layout = iota // an empty file: a new store
	layoutDirect               // charm-helpers' layout, read directly
	layoutStore                // charm-helpers' kv table; SQLite reads it and adds missing tables
)

// verify checks that the open file is empty or holds a store, without
// changing it: the header, then the schema on the first page, read directly
// under a reader's locks; when that is not enough (another format, a
// schema past the first page, a journal left by a writer that died), an
// SQLite connection reads the schema (and rolls back the dead writer's
// journal, as any SQLite reader of the file does). The connection is kept
// when the file is a store.
func (b *sqliteBackend) verify(ctx context.Context) (layout, error) {
	fi, err := b.file.Stat()
	if err != nil {
		return 0, err
	}
	if fi.Size() == 0 {
		return layoutEmpty, nil
	}
	var hdr [len(sqliteMagic)]byte
	if _, err := b.file.ReadAt(hdr[:], 0); err != nil && !errors.Is(err, io.EOF) {
		return 0, err
	}
	if string(hdr[:]) != sqliteMagic {
		return 0, fmt.Errorf("%w: the file does not start with SQLite's header", ErrNotDatabase)
	}
	if nativeLocks {
		lay, err := b.verifyDirect(ctx)
		if !errors.Is(err, errUnreadable) {
			return lay, err
		}
	}
	return b.verifySQL(ctx)
}

// verifyDirect reads the schema from the file's first page, under the
// locks of a reader. errUnreadable means SQLite must look.
func (b *sqliteBackend) verifyDirect(ctx context.Context) (layout, error) {
	if err := b.waitFor(ctx, b.tryReadLock); err != nil {
		if errors.Is(err, ErrLocked) || ctx.Err() != nil {
			return 0, err
		}
		return 0, errUnreadable
	}
	defer b.unlockDirect()
	if b.deadWriterJournal() {
		return 0, errUnreadable
	}
	var hdr [100]byte
	if _, err := b.file.ReadAt(hdr[:], 0); err != nil {
		return 0, errUnreadable
	}
	ps, usable, err := checkHeader(hdr[:])
	if err != nil {
		return 0, err
	}
	page := make([]byte, ps)
	if _, err := b.file.ReadAt(page, 0); err != nil {
		return 0, errUnreadable
	}
	tables, err := (&dbFile{img: page, pageSize: ps, usable: usable, pages: 1}).tables()
	if err != nil {
		return 0, err
	}
	kv, ok := tables["kv"]
	switch {
	case !ok:
		return 0, ErrForeignDatabase
	case kv.sql != kvTableSQL:
		return 0, errUnreadable // SQLite checks its columns
	}
	for _, s := range schema {
		if _, ok := tables[s.table]; !ok {
			return layoutStore, nil
		}
	}
	return layoutDirect, nil
}

// tryReadLock takes SHARED as an SQLite reader does, without waiting.
func (b *sqliteBackend) tryReadLock() error {
	if err := setLock(b.file, lockRead, pendingByte, 1); err != nil {
		return err
	}
	err := setLock(b.file, lockRead, sharedFirst, sharedSize)
	if err == nil {
		err = setLock(b.file, lockUnlock, pendingByte, 1)
	}
	if err != nil {
		b.unlockDirect()
	}
	return err
}

// deadWriterJournal reports, for a reader holding SHARED, whether a journal
// left by a writer that died is next to the file (a live writer holds
// RESERVED while its journal exists).
func (b *sqliteBackend) deadWriterJournal() bool {
	if !b.hotJournal() {
		return false
	}
	held, err := lockHeld(b.file, reservedByte, 1)
	return err != nil || !held
}

// verifySQL reads the schema with SQLite. The connection is kept when the
// file is a store.
func (b *sqliteBackend) verifySQL(ctx context.Context) (_ layout, err error) {
	if err := b.openConn(ctx); err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			b.closeSQL()
		}
	}()
	rows, err := b.conn.QueryContext(ctx, "SELECT name FROM pragma_table_info('kv')")
	if err != nil {
		return 0, classify(err)
	}
	cols := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return 0, classify(err)
		}
		cols[strings.ToLower(name)] = true
	}
	if err := rows.Close(); err != nil {
		return 0, classify(err)
	}
	if err := rows.Err(); err != nil {
		return 0, classify(err)
	}
	if cols["key"] && cols["data"] {
		return layoutStore, nil
	}
	// A dead writer's journal may have just been rolled back to an empty
	// file: a store whose creation never committed.
	if fi, err := b.file.Stat(); err == nil && fi.Size() == 0 {
		return layoutEmpty, nil
	}
	return 0, ErrForeignDatabase
}
