//go:build linux

package flags

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// QueueLen returns how many transactions, in any process, wait in the
// queue of the store at path.
var QueueLen = queueLen

// queueLen returns how many distinct tickets are in the store's queue at
// path: the transactions, in any process, waiting for its write lock.
func queueLen(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var count func(lo, hi int64) (int, error)
	count = func(lo, hi int64) (int, error) {
		if lo >= hi {
			return 0, nil
		}
		lk := syscall.Flock_t{Type: syscall.F_WRLCK, Start: lo, Len: hi - lo}
		if err := syscall.FcntlFlock(f.Fd(), fOFDGetLk, &lk); err != nil {
			return 0, err
		}
		if lk.Type == syscall.F_UNLCK {
			return 0, nil
		}
		below, err := count(lo, lk.Start)
		if err != nil {
			return 0, err
		}
		above, err := count(lk.Start+max(lk.Len, 1), hi)
		return 1 + below + above, err
	}
	return count(queueBase, 1<<62)
}

// Ensure that a transaction waiting in the queue leaves it when it gives
// up (lock timeout or context), and that one that got the lock no longer
// holds a ticket.
func TestQueue_TicketReleased(t *testing.T) {
	path := storeWith(t, "n", 1)
	a, err := Open(path, nil)
	require.NoError(t, err)
	defer a.Close()
	tx, err := a.Begin(context.Background())
	require.NoError(t, err)
	defer tx.Rollback()
	n, err := queueLen(path)
	require.NoError(t, err)
	assert.Zero(t, n, "the lock's holder has left the queue")

	b, err := Open(path, &Options{LockTimeout: 50 * time.Millisecond})
	require.NoError(t, err)
	defer b.Close()
	_, err = b.Begin(context.Background())
	assert.ErrorIs(t, err, ErrLocked)
	n, err = queueLen(path)
	require.NoError(t, err)
	assert.Zero(t, n, "a waiter that timed out has left the queue")

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	c, err := Open(path, nil)
	require.NoError(t, err)
	defer c.Close()
	go func() {
		_, err := c.Begin(ctx)
		done <- err
	}()
	for n == 0 {
		time.Sleep(time.Millisecond)
		n, err = queueLen(path)
		require.NoError(t, err)
	}
	assert.Equal(t, 1, n, "the waiter is in the queue")
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
	n, err = queueLen(path)
	require.NoError(t, err)
	assert.Zero(t, n, "a cancelled waiter has left the queue")
}
