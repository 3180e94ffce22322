package flags

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Waiting writers are served in the order they came (docs/flags.md,
// "Fairness").
//
// SQLite has no queue: a writer that finds the lock taken sleeps and tries
// again, and whoever tries first after the lock is released gets it. Its
// sleeps grow to 100 ms, so a writer that has waited long tries least
// often, and with many writers one can lose every round until its timeout.
//
// Here a waiting transaction takes a ticket: a read lock on one byte of the
// database file at queueBase plus the time it asked for the lock, in
// nanoseconds (far past SQLite's lock bytes, which no SQLite ever locks).
// Only a waiter that sees no ticket before its own (F_OFD_GETLK on the
// range before it) tries SQLite's lock, and it keeps its ticket until it
// has the lock, so the next one waits behind it. The tickets are locks,
// not data: waiting writes nothing, and a killed waiter's ticket goes with
// its process. Python's sqlite3, which takes no ticket, keeps competing as
// it always has.

// queueBase is the offset of the first ticket byte: 1 TiB, far past
// SQLite's lock bytes at 1 GiB. A ticket is queueBase plus a Unix time in
// nanoseconds (about 2^60), well inside a 64-bit offset.
const queueBase = 1 << 40

// Sleeps between two looks at the queue: short for the head of the queue,
// which tries the lock; longer for those behind it, which only watch the
// tickets before theirs.
var (
	headDelays   = [...]time.Duration{1, 1, 2}
	behindDelays = [...]time.Duration{1, 2, 5, 10}
)

// waitTurn waits in the queue for the write lock: it calls try, which
// takes the lock without waiting, when no earlier ticket is left, until try
// succeeds or fails with something else than errBusy, the lock timeout
// passes (ErrLocked) or ctx is done. Without open file description locks
// it is waitFor.
func (b *sqliteBackend) waitTurn(ctx context.Context, try func() error) error {
	if !nativeLocks {
		return b.waitFor(ctx, try)
	}
	now := time.Now()
	ticket := queueBase + now.UnixNano()
	if err := setLock(b.file, lockRead, ticket, 1); err != nil {
		return b.waitFor(ctx, try) // no queue: compete
	}
	defer setLock(b.file, lockUnlock, ticket, 1)
	deadline := now.Add(b.timeout)
	for hi, bi := 0, 0; ; {
		left := time.Until(deadline)
		ahead, err := lockHeld(b.file, queueBase, ticket-queueBase)
		if err != nil || !ahead || left <= 0 {
			err := try()
			if !errors.Is(err, errBusy) {
				return err
			}
		}
		if ctx.Err() != nil {
			return fmt.Errorf("waiting for the lock on %s: %w", b.path, ctx.Err())
		}
		if left <= 0 {
			return fmt.Errorf("%w: %s (waited %s)", ErrLocked, b.path, b.timeout)
		}
		var d time.Duration
		if ahead {
			d, bi = behindDelays[min(bi, len(behindDelays)-1)], bi+1
		} else {
			d, hi = headDelays[min(hi, len(headDelays)-1)], hi+1
		}
		t := time.NewTimer(min(d*time.Millisecond, left))
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
	}
}
