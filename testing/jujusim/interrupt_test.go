package jujusim_test

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ensure that InterruptNext signals the next hook process once it has run
// the given time: killed at once, the hook fails with the signal recorded
// (Interrupted, exit -1, the unit in error) and its retry, not signalled,
// succeeds; a signal due after the process ended is not sent.
func TestUnit_InterruptNext(t *testing.T) {
	t.Parallel()
	m := newPasswordModel(t, 1)
	require.NoError(t, m.Deploy())
	u := m.Unit(0)

	u.InterruptNext(syscall.SIGKILL, 0)
	ev, err := u.Run("update-status")
	require.NoError(t, err)
	assert.Equal(t, "SIGKILL", ev.Interrupted)
	assert.Equal(t, -1, ev.ExitCode)
	assert.True(t, ev.Failed())
	assert.True(t, u.InError())
	assert.True(t, strings.HasSuffix(ev.String(), "update-status: SIGKILL, exit -1"), ev.String())

	ev, err = u.Retry()
	require.NoError(t, err)
	assert.Empty(t, ev.Interrupted, "the retry is not signalled")
	assert.Equal(t, 0, ev.ExitCode, ev.Stderr)
	assert.False(t, u.InError())

	u.InterruptNext(syscall.SIGTERM, time.Hour)
	ev, err = u.Run("update-status")
	require.NoError(t, err)
	assert.Empty(t, ev.Interrupted, "the hook ended long before the signal was due")
	assert.Equal(t, 0, ev.ExitCode)
	requireOnePassword(t, m)
}
