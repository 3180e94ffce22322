package flags_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/charmkit/charmkit/flags"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	helperEnv       = "FLAGS_TEST_HELPER"
	helperDBEnv     = "FLAGS_TEST_DB"
	helperNoSyncEnv = "FLAGS_TEST_NOSYNC"
	crashKeys       = 200
)

// TestHelperProcess is not a test: it is the child process the crash and
// concurrency tests start (the os/exec helper-process pattern). It does
// nothing unless FLAGS_TEST_HELPER is set.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		return
	}
	path := os.Getenv(helperDBEnv)
	if err := runHelper(mode, path); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(2)
	}
	os.Exit(0)
}

// contendEntry is one transaction of a "contend" child.
type contendEntry struct {
	ID     int   `json:"id"`
	Asked  int64 `json:"asked"`  // Unix time in ns when it called Update
	Waited int64 `json:"waited"` // ns until its function ran
}

func runHelper(mode, path string) error {
	s, err := flags.Open(path, &flags.Options{NoSync: os.Getenv(helperNoSyncEnv) != "", LockTimeout: 5 * time.Minute})
	if err != nil {
		return err
	}
	ctx := context.Background()
	switch {
	case mode == "writer":
		// Commit generation after generation: every key holds the
		// generation's number, padded to make commits large. Report each
		// generation once Commit has returned.
		pad := strings.Repeat("p", 1024)
		for gen := 1; ; gen++ {
			err := s.Update(ctx, func(tx *flags.Tx) error {
				var cur int
				if _, err := tx.Get("gen", &cur); err != nil {
					return err
				}
				next := cur + 1
				for i := range crashKeys {
					if err := tx.Set(fmt.Sprintf("k.%03d", i), fmt.Sprintf("%d:%s", next, pad)); err != nil {
						return err
					}
				}
				if next%2 == 0 {
					if err := tx.Unset("odd"); err != nil {
						return err
					}
				} else if err := tx.Set("odd", next); err != nil {
					return err
				}
				return tx.Set("gen", next)
			})
			if err != nil {
				return err
			}
			fmt.Println("committed")
		}
	case strings.HasPrefix(mode, "queue:"):
		// One writer of the fairness tests: append this child's id to the
		// list under "order".
		id, _ := strconv.Atoi(strings.TrimPrefix(mode, "queue:"))
		err := s.Update(ctx, func(tx *flags.Tx) error {
			var order []int
			if _, err := tx.Get("order", &order); err != nil {
				return err
			}
			return tx.Set("order", append(order, id))
		})
		if err != nil {
			return err
		}
		return s.Close()
	case strings.HasPrefix(mode, "contend:"):
		// n transactions in a row, each logging under "log.<seq>" this
		// child's id, when it asked for the lock and how long it waited.
		var id, n int
		if _, err := fmt.Sscanf(mode, "contend:%d:%d", &id, &n); err != nil {
			return err
		}
		for range n {
			asked := time.Now()
			err := s.Update(ctx, func(tx *flags.Tx) error {
				waited := time.Since(asked)
				var seq int
				if _, err := tx.Get("seq", &seq); err != nil {
					return err
				}
				if err := tx.Set("seq", seq+1); err != nil {
					return err
				}
				return tx.Set(fmt.Sprintf("log.%06d", seq), contendEntry{ID: id, Asked: asked.UnixNano(), Waited: waited.Nanoseconds()})
			})
			if err != nil {
				return err
			}
		}
		return s.Close()
	case strings.HasPrefix(mode, "incr:"):
		n, _ := strconv.Atoi(strings.TrimPrefix(mode, "incr:"))
		for range n {
			err := s.Update(ctx, func(tx *flags.Tx) error {
				var c int
				if _, err := tx.Get("counter", &c); err != nil {
					return err
				}
				return tx.Set("counter", c+1)
			})
			if err != nil {
				return err
			}
		}
		return s.Close()
	}
	return fmt.Errorf("unknown mode %q", mode)
}

func helperCmd(t testing.TB, mode, path string, noSync bool) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, helperDBEnv+"="+path)
	if noSync {
		cmd.Env = append(cmd.Env, helperNoSyncEnv+"=1")
	}
	cmd.Stderr = os.Stderr
	return cmd
}

// Ensure that killing a process with SIGKILL in the middle of its commits
// never leaves a store that fails to open, fails integrity_check, mixes
// two generations, or lost a generation whose commit had returned; with
// the default sync and with Options.NoSync.
func TestCrash_KillDuringCommit(t *testing.T) {
	for _, noSync := range []bool{false, true} {
		t.Run(fmt.Sprintf("NoSync=%v", noSync), func(t *testing.T) {
			testKillDuringCommit(t, noSync)
		})
	}
}

func testKillDuringCommit(t *testing.T, noSync bool) {
	kills := 30
	if testing.Short() {
		kills = 8
	}
	path := filepath.Join(t.TempDir(), ".unit-state.db")
	lastSeen, hot := 0, 0
	for i := range kills {
		cmd := helperCmd(t, "writer", path, noSync)
		out, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		// Wait for the first commit of this child, then kill it at a
		// random moment while it keeps committing.
		sc := bufio.NewScanner(out)
		reported := make(chan int, 1)
		first := make(chan struct{})
		go func() {
			n := 0
			for sc.Scan() {
				if n++; n == 1 {
					close(first)
				}
			}
			if n == 0 {
				close(first)
			}
			reported <- n
		}()
		<-first
		time.Sleep(time.Duration(rand.IntN(40000)) * time.Microsecond)
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		_ = cmd.Wait()
		n := <-reported
		if hotJournal(path) {
			hot++ // killed inside a transaction: the next open rolls it back
		}

		gen := checkGeneration(t, path)
		assert.GreaterOrEqual(t, gen, lastSeen+n, "kill %d: every reported commit is durable", i)
		assert.LessOrEqual(t, gen, lastSeen+n+1, "kill %d: at most one commit past the last report", i)
		lastSeen = gen
	}
	t.Logf("%d kills (%d inside a transaction, leaving a journal), %d generations committed", kills, hot, lastSeen)
	assert.Greater(t, lastSeen, 0, "some commits happened")
	if !testing.Short() {
		assert.Greater(t, hot, 0, "at least one kill landed inside a transaction")
	}
}

// checkGeneration opens the store, checks that it is consistent (every key
// of one generation) and returns the generation.
func checkGeneration(t testing.TB, path string) int {
	t.Helper()
	s, err := flags.Open(path, nil)
	require.NoError(t, err, "the store opens after a kill")
	var gen int
	require.NoError(t, s.View(t.Context(), func(tx *flags.Tx) error {
		if _, err := tx.Get("gen", &gen); err != nil {
			return err
		}
		if gen == 0 {
			assert.Empty(t, tx.Keys("k."), "no generation: no keys")
			return nil
		}
		keys := tx.Keys("k.")
		require.Len(t, keys, crashKeys, "generation %d", gen)
		prefix := strconv.Itoa(gen) + ":"
		for _, k := range keys {
			var v string
			_, err := tx.Get(k, &v)
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(v, prefix), "key %s holds %.10q, generation is %d", k, v, gen)
		}
		assert.Equal(t, gen%2 == 1, tx.Has("odd"), "generation %d", gen)
		return nil
	}))
	require.NoError(t, s.Close())
	checkInvariants(t, path)
	return gen
}

// Ensure that processes writing the same counter at the same time never
// lose an update.
func TestConcurrentProcesses_NoLostUpdate(t *testing.T) {
	const procs, each = 3, 40
	path := filepath.Join(t.TempDir(), ".unit-state.db")
	s, err := flags.Open(path, nil)
	require.NoError(t, err)
	var cmds []*exec.Cmd
	for range procs {
		cmd := helperCmd(t, "incr:"+strconv.Itoa(each), path, false)
		require.NoError(t, cmd.Start())
		cmds = append(cmds, cmd)
	}
	// This process writes too.
	for range each {
		require.NoError(t, s.Update(t.Context(), func(tx *flags.Tx) error {
			var c int
			if _, err := tx.Get("counter", &c); err != nil {
				return err
			}
			return tx.Set("counter", c+1)
		}))
	}
	for _, cmd := range cmds {
		require.NoError(t, cmd.Wait())
	}
	require.NoError(t, s.View(t.Context(), func(tx *flags.Tx) error {
		var c int
		_, err := tx.Get("counter", &c)
		require.NoError(t, err)
		assert.Equal(t, (procs+1)*each, c)
		return nil
	}))
	require.NoError(t, s.Close())
	checkInvariants(t, path)
}

// hotJournal reports whether a rollback journal with a live header is next
// to the database: the writer was killed inside a transaction.
func hotJournal(path string) bool {
	b, err := os.ReadFile(path + "-journal")
	if err != nil || len(b) < 8 {
		return false
	}
	for _, c := range b[:8] {
		if c != 0 {
			return true
		}
	}
	return false
}
