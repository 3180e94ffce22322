package flags_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
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
	helperPauseEnv  = "FLAGS_TEST_PAUSE" // the writer's commit to stop in
	helperKeysEnv   = "FLAGS_TEST_KEYS"  // the writer's keys (crashKeys by default)
	// crashKeys keys of 1 KiB each fill about 670 pages, more than
	// SQLite's default page cache holds (2000 KiB, spilled from 483 dirty
	// pages): a commit rewriting them all writes pages into the database
	// file before COMMIT, once the journal is synced and hot, so a writer
	// stopped in its commit has left the file half written.
	crashKeys = 2000
)

// writeGeneration writes the next generation: "keys" is the number of
// keys, every key k.NNNN holds "<generation>:<1 KiB>", "odd" is set on
// odd generations only, and "gen" is the generation.
func writeGeneration(tx *flags.Tx, keys int) error {
	var cur int
	if _, err := tx.Get("gen", &cur); err != nil {
		return err
	}
	next := cur + 1
	p := strings.Repeat("p", 1024)
	var had int
	if _, err := tx.Get("keys", &had); err != nil {
		return err
	}
	for i := keys; i < had; i++ {
		if err := tx.Unset(fmt.Sprintf("k.%04d", i)); err != nil {
			return err
		}
	}
	if err := tx.Set("keys", keys); err != nil {
		return err
	}
	for i := range keys {
		if err := tx.Set(fmt.Sprintf("k.%04d", i), fmt.Sprintf("%d:%s", next, p)); err != nil {
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
}

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

// moreHelpers are the child modes of other test files, by the prefix of
// the mode (up to its first ':').
var moreHelpers = map[string]func(mode, path string) error{}

func runHelper(mode, path string) error {
	if run, ok := moreHelpers[strings.SplitN(mode, ":", 2)[0]]; ok {
		return run(mode, path)
	}
	s, err := flags.Open(path, &flags.Options{NoSync: os.Getenv(helperNoSyncEnv) != "", LockTimeout: 5 * time.Minute})
	if err != nil {
		return err
	}
	ctx := context.Background()
	switch {
	case mode == "writer":
		// Commit generation after generation (see writeGeneration),
		// reporting each once Commit has returned. With FLAGS_TEST_PAUSE=k
		// the k-th commit stops inside the commit, once its changes are
		// written and before COMMIT, reports "in-commit" and waits to be
		// killed there.
		if k, _ := strconv.Atoi(os.Getenv(helperPauseEnv)); k > 0 {
			commits := 0
			flags.SetCommitHook(func() {
				if commits++; commits == k {
					fmt.Println("in-commit")
					time.Sleep(time.Hour)
				}
			})
		}
		keys, _ := strconv.Atoi(os.Getenv(helperKeysEnv))
		if keys == 0 {
			keys = crashKeys
		}
		for {
			if err := s.Update(ctx, func(tx *flags.Tx) error { return writeGeneration(tx, keys) }); err != nil {
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

// Ensure that killing a process with SIGKILL in the middle of its commit
// never leaves a store that fails to open, fails integrity_check, mixes
// two generations, or lost a generation whose commit had returned; with
// the default sync and with Options.NoSync. Every kill lands inside a
// commit: the child stops there (a test hook, once its changes are written
// and before COMMIT) and says so, and its transactions are larger than
// SQLite's page cache, so the database file is already half written and the
// journal hot when it is killed. The store must then hold exactly the
// generation before the killed one.
func TestCrash_KillDuringCommit(t *testing.T) {
	for _, noSync := range []bool{false, true} {
		t.Run(fmt.Sprintf("NoSync=%v", noSync), func(t *testing.T) {
			testKillDuringCommit(t, noSync)
		})
	}
}

func testKillDuringCommit(t *testing.T, noSync bool) {
	kills := 5
	if testing.Short() {
		kills = 3
	}
	path := filepath.Join(t.TempDir(), ".unit-state.db")
	gen := 0
	for i := range kills {
		before := 1 + rand.IntN(2) // commits to let through before the killed one
		k := killInCommit(t, path, noSync, crashKeys, before)
		require.True(t, k.inCommit, "kill %d: the child stopped inside its commit", i)
		assert.True(t, k.hot, "kill %d: the journal was hot", i)
		got := checkGeneration(t, path)
		after, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.NotEqual(t, k.image, after, "kill %d: the database file was half written (the next open rolled it back)", i)
		require.Equal(t, gen+k.acked, got, "kill %d: exactly the generations whose commit returned", i)
		gen = got
	}
	t.Logf("%d kills inside a commit, %d generations committed", kills, gen)
}

// killedWriter is what one writer child did before its kill.
type killedWriter struct {
	acked    int    // commits that returned
	inCommit bool   // it stopped inside a commit and was killed there
	hot      bool   // the journal was hot at the kill
	image    []byte // the database file at the kill
}

// killInCommit starts a writer child writing generations of the given
// number of keys that stops inside its commit after the given number of
// commits, and kills it there with SIGKILL.
func killInCommit(t testing.TB, path string, noSync bool, keys, after int) killedWriter {
	t.Helper()
	cmd := helperCmd(t, "writer", path, noSync)
	cmd.Env = append(cmd.Env, fmt.Sprintf("%s=%d", helperPauseEnv, after+1), fmt.Sprintf("%s=%d", helperKeysEnv, keys))
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
	}()
	var k killedWriter
	sc := bufio.NewScanner(out)
	for !k.inCommit && sc.Scan() {
		switch sc.Text() {
		case "committed":
			k.acked++
		case "in-commit":
			k.inCommit = true
		}
	}
	if k.inCommit {
		k.hot = hotJournal(path)
		var err error
		k.image, err = os.ReadFile(path)
		require.NoError(t, err)
	}
	return k // the deferred SIGKILL ends the child where it stopped
}

// checkGeneration opens the store, checks that it is intact and
// consistent (every key of one generation) and returns the generation.
func checkGeneration(t testing.TB, path string) int {
	t.Helper()
	gen, err := inspectGeneration(t.Context(), path)
	require.NoError(t, err)
	return gen
}

// errCorrupt and errMixed classify what inspectGeneration finds wrong.
var (
	errCorrupt = errors.New("corrupt store")
	errMixed   = errors.New("mixed generations")
)

// inspectGeneration opens the store as a hook would (rolling back a dead
// writer's journal), checks it with PRAGMA integrity_check and its tables,
// then checks that it holds one whole generation, and returns it. A store
// that does not open or is damaged is errCorrupt; one whose keys come from
// different generations is errMixed.
func inspectGeneration(ctx context.Context, path string) (int, error) {
	s, err := flags.Open(path, nil)
	if err != nil {
		return 0, fmt.Errorf("%w: opening: %w", errCorrupt, err)
	}
	var gen int
	err = s.View(ctx, func(tx *flags.Tx) error {
		if _, err := tx.Get("gen", &gen); err != nil {
			return fmt.Errorf("%w: %w", errMixed, err)
		}
		var keys int
		if _, err := tx.Get("keys", &keys); err != nil {
			return fmt.Errorf("%w: %w", errMixed, err)
		}
		got := tx.Keys("k.")
		if gen == 0 {
			if len(got) != 0 || keys != 0 {
				return fmt.Errorf("%w: no generation, but %d keys", errMixed, len(got))
			}
			return nil
		}
		if len(got) != keys {
			return fmt.Errorf("%w: generation %d has %d keys of %d", errMixed, gen, len(got), keys)
		}
		prefix := strconv.Itoa(gen) + ":"
		for _, k := range got {
			var v string
			if _, err := tx.Get(k, &v); err != nil {
				return fmt.Errorf("%w: %w", errMixed, err)
			}
			if !strings.HasPrefix(v, prefix) {
				return fmt.Errorf("%w: key %s holds %.10q, generation is %d", errMixed, k, v, gen)
			}
		}
		if tx.Has("odd") != (gen%2 == 1) {
			return fmt.Errorf("%w: generation %d, odd is %v", errMixed, gen, tx.Has("odd"))
		}
		return nil
	})
	if err2 := s.Close(); err == nil && err2 != nil {
		err = fmt.Errorf("%w: closing: %w", errCorrupt, err2)
	}
	if err != nil {
		return gen, err
	}
	return gen, integrity(path)
}

// integrity runs PRAGMA integrity_check and checks the tables, as
// checkInvariants does, reporting errCorrupt instead of failing.
func integrity(path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return fmt.Errorf("%w: %w", errCorrupt, err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		return fmt.Errorf("%w: integrity_check: %q %v", errCorrupt, res, err)
	}
	var tables string
	if err := db.QueryRow("SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name)").Scan(&tables); err != nil {
		return fmt.Errorf("%w: %w", errCorrupt, err)
	}
	if tables != "hooks kv kv_revisions sqlite_sequence" {
		return fmt.Errorf("%w: tables %q", errCorrupt, tables)
	}
	return nil
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
