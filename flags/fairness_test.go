//go:build linux

package flags_test

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmkit/charmkit/flags"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ensure that writer processes waiting for the store's write lock are
// served in the order they asked for it: while this process holds the
// lock, children start one after the other, each once the previous one
// waits in the queue; released, they commit in exactly that order.
func TestFairness_ServedInArrivalOrder(t *testing.T) {
	const n = 16
	path := filepath.Join(t.TempDir(), ".unit-state.db")
	holder, err := flags.Open(path, nil)
	require.NoError(t, err)
	defer holder.Close()
	tx, err := holder.Begin(t.Context())
	require.NoError(t, err)
	defer tx.Rollback()

	var cmds []*exec.Cmd
	for i := range n {
		cmd := helperCmd(t, "queue:"+strconv.Itoa(i), path, true)
		require.NoError(t, cmd.Start())
		cmds = append(cmds, cmd)
		// Wait until the child waits in the queue. Generous: children
		// start slowly on a loaded machine.
		queued := false
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
			q, err := flags.QueueLen(path)
			require.NoError(t, err)
			if q == i+1 {
				queued = true
				break
			}
		}
		assert.True(t, queued, "child %d waits in the queue", i)
	}
	require.NoError(t, tx.Rollback())
	for i, cmd := range cmds {
		require.NoError(t, cmd.Wait(), "child %d", i)
	}
	var order []int
	require.NoError(t, holder.View(t.Context(), func(tx *flags.Tx) error {
		_, err := tx.Get("order", &order)
		return err
	}))
	want := make([]int, n)
	for i := range want {
		want[i] = i
	}
	assert.Equal(t, want, order, "served first come, first served")
}

// Ensure that no writer starves when many processes write at once: each of
// several children commits transactions back to back, and a transaction is
// overtaken (served after one that asked for the lock later) by at most a
// few others, where SQLite's polling lets one writer lose round after
// round. The bounds are in transactions, not seconds, so that a slow
// machine does not make the test fail.
func TestFairness_NoWriterStarves(t *testing.T) {
	const procs, each = 10, 12
	path := filepath.Join(t.TempDir(), ".unit-state.db")
	s, err := flags.Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	var cmds []*exec.Cmd
	for i := range procs {
		cmd := helperCmd(t, fmt.Sprintf("contend:%d:%d", i, each), path, true)
		require.NoError(t, cmd.Start())
		cmds = append(cmds, cmd)
	}
	for i, cmd := range cmds {
		require.NoError(t, cmd.Wait(), "child %d", i)
	}

	// The transactions in the order they were served (log.<seq>).
	rows := flags.RawRows(t, path)
	var keys []string
	for k := range rows {
		if strings.HasPrefix(k, "log.") {
			keys = append(keys, k)
		}
	}
	require.Len(t, keys, procs*each)
	sort.Strings(keys)
	served := make([]contendEntry, len(keys))
	for i, k := range keys {
		require.NoError(t, json.Unmarshal([]byte(rows[k]), &served[i]))
	}

	// For each transaction, count those of other processes served before
	// it that asked for the lock after it.
	overtakes := make([]int, len(served))
	for i, x := range served {
		for _, y := range served[:i] {
			if y.ID != x.ID && y.Asked > x.Asked {
				overtakes[i]++
			}
		}
	}
	waits := make([]time.Duration, len(served))
	for i, e := range served {
		waits[i] = time.Duration(e.Waited)
	}
	slices.Sort(waits)
	total := 0
	for _, o := range overtakes {
		total += o
	}
	worst := slices.Max(overtakes)
	t.Logf("%d transactions of %d processes: overtakes worst %d, total %d; waits median %v, worst %v",
		len(served), procs, worst, total, waits[len(waits)/2], waits[len(waits)-1])
	// First come, first served gives no overtake at all, except when a
	// child is descheduled between reading the clock and taking its ticket.
	assert.LessOrEqual(t, worst, procs/2, "no transaction is overtaken by more than a few later ones")
	assert.LessOrEqual(t, total, len(served)/4, "overtakes are rare")
}
