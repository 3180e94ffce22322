package flags_test

import (
	"testing"

	"github.com/charmkit/charmkit/flags"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ensure that a rolled-back transaction leaves nothing and a committed one keeps everything.
func TestStore_CommitRollback(t *testing.T) {
	ctx := t.Context()
	s := flags.OpenMemory()
	tx, err := s.Begin(ctx)
	require.NoError(t, err)
	f := flags.New(tx)
	require.NoError(t, f.Set("a"))
	require.NoError(t, tx.Rollback())

	tx, err = s.Begin(ctx)
	require.NoError(t, err)
	f = flags.New(tx)
	assert.Empty(t, f.List())
	require.NoError(t, f.Set("b"))
	require.NoError(t, tx.Commit(ctx))

	require.NoError(t, s.View(ctx, func(tx *flags.Tx) error {
		assert.Equal(t, []string{"b"}, flags.New(tx).List())
		return nil
	}))
}
