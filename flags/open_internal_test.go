package flags

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ensure that Open's wait for a writer in the middle of its commit (the
// PENDING lock held) ends with the context, or with ErrLocked after the
// lock timeout, and that the open succeeds once the writer is done.
func TestOpenContext_HonoursContextAndTimeout(t *testing.T) {
	if !nativeLocks {
		t.Skip("no open file description locks on this system")
	}
	path := storeWith(t, "a", 1)
	other, err := os.OpenFile(path, os.O_RDWR, 0)
	require.NoError(t, err)
	defer other.Close()
	require.NoError(t, setLock(other, lockWrite, pendingByte, 1), "a writer about to commit")

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = OpenContext(ctx, path, nil) // 30 s lock timeout: only ctx ends the wait
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), path)
	assert.Less(t, time.Since(start), 10*time.Second)

	_, err = Open(path, &Options{LockTimeout: 100 * time.Millisecond})
	assert.ErrorIs(t, err, ErrLocked)

	require.NoError(t, setLock(other, lockUnlock, pendingByte, 1))
	s, err := OpenContext(context.Background(), path, nil)
	require.NoError(t, err)
	require.NoError(t, s.Close())
}
