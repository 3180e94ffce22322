package flags

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"
)

// Direct reads: a transaction takes SQLite's locks itself, on the store's
// own descriptor, and reads the kv table from the file (sqlitefile.go); an
// SQLite connection is opened only to write a transaction's changes
// (docs/design.md, "A steady-state hook writes nothing").
//
// SQLite's locks are byte-range locks at fixed offsets of the database file
// (https://www.sqlite.org/lockingv3.html; os_unix.c). A reader holds a read
// lock on the SHARED range, taken while holding a read lock on the PENDING
// byte (a writer waiting to commit holds a write lock there, so no new
// reader starves it). The one writer holds a write lock on the RESERVED
// byte, and to commit takes write locks on the PENDING byte and the SHARED
// range, once every reader has gone. A transaction here holds SHARED and
// RESERVED from begin to end, as SQLite's BEGIN IMMEDIATE does, so another
// hook, a CLI process or Python's sqlite3 waits for it exactly as it waits
// for an SQLite writer.

// The offsets of SQLite's lock bytes.
const (
	pendingByte  = 0x40000000
	reservedByte = pendingByte + 1
	sharedFirst  = pendingByte + 2
	sharedSize   = 510
)

// errBusy is a lock that another process (or another descriptor) holds.
var errBusy = errors.New("flags: lock busy")

// busyDelays are SQLite's waits between two attempts to take a lock.
var busyDelays = [...]time.Duration{1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100}

// image reads the whole file.
func (b *sqliteBackend) image() ([]byte, error) {
	fi, err := b.file.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() == 0 || fi.Size() > 1<<30 {
		return nil, errUnreadable
	}
	img := make([]byte, fi.Size())
	if _, err := b.file.ReadAt(img, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return img, nil
}

// beginDirect takes the locks and reads the rows. It returns nil rows, and
// no error, when SQLite must run this transaction instead (the locks are
// then released).
func (b *sqliteBackend) beginDirect(ctx context.Context) (map[string]string, error) {
	if err := b.waitTurn(ctx, b.tryLockDirect); err != nil {
		if errors.Is(err, ErrLocked) || ctx.Err() != nil {
			return nil, fmt.Errorf("flags: begin: %w", err)
		}
		b.direct = false // no usable locks here
		return nil, nil
	}
	b.held = true
	if b.hotJournal() {
		// A writer died mid-commit: SQLite rolls its journal back.
		b.unlockDirect()
		return nil, nil
	}
	img, err := b.image()
	if err == nil {
		var data map[string]string
		if data, err = readKV(img); err == nil {
			b.counter = changeCounter(img)
			return data, nil
		}
	}
	b.unlockDirect()
	b.direct = false // the layout changed under us: SQLite from now on
	return nil, nil
}

// tryLockDirect takes SHARED then RESERVED, without waiting. It keeps the
// PENDING read lock until it holds RESERVED, so that no hand-over of
// another store (see handOver) can lose RESERVED to it.
func (b *sqliteBackend) tryLockDirect() error {
	if err := setLock(b.file, lockRead, pendingByte, 1); err != nil {
		return err
	}
	if err := setLock(b.file, lockRead, sharedFirst, sharedSize); err != nil {
		b.unlockDirect()
		return err
	}
	if err := setLock(b.file, lockWrite, reservedByte, 1); err != nil {
		b.unlockDirect()
		return err
	}
	return setLock(b.file, lockUnlock, pendingByte, 1)
}

// unlockDirect releases every lock of the descriptor.
func (b *sqliteBackend) unlockDirect() {
	_ = setLock(b.file, lockUnlock, pendingByte, sharedFirst+sharedSize-pendingByte)
	b.held = false
}

// hotJournal reports whether a journal left by a dead writer must be rolled
// back (an error reading it counts as hot: SQLite then decides).
func (b *sqliteBackend) hotJournal() bool {
	f, err := os.Open(b.abs + "-journal")
	if errors.Is(err, fs.ErrNotExist) {
		return false
	}
	if err != nil {
		return true
	}
	defer f.Close()
	var head [1]byte
	n, err := f.Read(head[:])
	if err != nil && !errors.Is(err, io.EOF) {
		return true
	}
	return hotJournal(head[:n])
}

// waitFor calls try until it succeeds, fails with something else than
// errBusy, the lock timeout passes (ErrLocked) or ctx is done, sleeping
// between attempts as SQLite's busy handler does.
func (b *sqliteBackend) waitFor(ctx context.Context, try func() error) error {
	deadline := time.Now().Add(b.timeout)
	for i := 0; ; i++ {
		err := try()
		if !errors.Is(err, errBusy) {
			return err
		}
		if ctx.Err() != nil {
			return fmt.Errorf("waiting for the lock on %s: %w", b.path, ctx.Err())
		}
		left := time.Until(deadline)
		if left <= 0 {
			return fmt.Errorf("%w: %s (waited %s)", ErrLocked, b.path, b.timeout)
		}
		t := time.NewTimer(min(busyDelays[min(i, len(busyDelays)-1)]*time.Millisecond, left))
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
	}
}

// handOver passes the transaction's locks to the SQLite connection, which
// is about to write. The two descriptors' locks conflict, so RESERVED is
// released before SQLite takes it; meanwhile the write lock on the PENDING
// byte keeps every new reader out, and a direct reader waiting for the lock
// holds the PENDING read lock while it tries RESERVED, so none can take it
// in between. SQLite joins as a reader first (SHARED, compatible with
// ours), then takes RESERVED with a statement that writes nothing. On
// success SQLite holds SHARED and RESERVED in an open transaction, and the
// direct locks are released.
func (b *sqliteBackend) handOver(ctx context.Context) (err error) {
	defer func() {
		b.unlockDirect()
		if err != nil && b.inTx {
			b.inTx = false
			_ = b.exec(context.Background(), "ROLLBACK")
		}
	}()
	if err := b.openSQL(ctx); err != nil {
		return err
	}
	if err := b.exec(ctx, "BEGIN"); err != nil {
		return b.lockErr(ctx, err)
	}
	b.inTx = true
	if err := b.exec(ctx, "SELECT count(*) FROM sqlite_master"); err != nil {
		return b.lockErr(ctx, err)
	}
	if err := b.waitFor(ctx, func() error { return setLock(b.file, lockWrite, pendingByte, 1) }); err != nil {
		return err
	}
	var hdr [100]byte
	if _, err := b.file.ReadAt(hdr[:], 0); err != nil {
		return err
	}
	if changeCounter(hdr[:]) != b.counter {
		return errors.New("the store changed during the transaction")
	}
	if err := setLock(b.file, lockUnlock, reservedByte, 1); err != nil {
		return err
	}
	// A reader that already held SHARED (Python's deferred transaction,
	// say) may take RESERVED first; SQLite then answers busy at once, and
	// the other writer cannot commit while PENDING is held here: wait for
	// it to give up.
	return b.waitFor(ctx, func() error {
		err := b.exec(ctx, "DELETE FROM kv WHERE 0")
		if isBusy(err) {
			return errBusy
		}
		return err
	})
}
