//go:build linux

package flags_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/charmkit/charmkit/flags"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// soakKills scales TestSoak_Store: make soak runs it with 10000.
var soakKills = flag.Int("soak.kills", 30, "writer processes TestSoak_Store kills with SIGKILL")

// soakSmallKeys is the size of the generations written by the writers
// killed at random moments: 200 keys of 1 KiB, about 70 pages, small
// enough for many generations between two kills.
const soakSmallKeys = 200

func init() {
	moreHelpers["soak-diskfull"] = soakDiskFull
	moreHelpers["soak-hold"] = soakHold
	moreHelpers["soak-hold-sqlite"] = soakHoldSQLite
	moreHelpers["soak-try"] = soakTry
}

// soakDiskFull (soak-diskfull:<limit>:<keys>) writes one generation with
// the largest file it may write lowered to limit bytes (RLIMIT_FSIZE, and
// SIGXFSZ ignored, so that a write past it fails with EFBIG, as on a full
// disk), and reports "committed" or "error: <the error>".
func soakDiskFull(mode, path string) error {
	var limit uint64
	var keys int
	if _, err := fmt.Sscanf(mode, "soak-diskfull:%d:%d", &limit, &keys); err != nil {
		return err
	}
	signal.Ignore(syscall.SIGXFSZ)
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &rl); err != nil {
		return err
	}
	rl.Cur = limit
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &rl); err != nil {
		return err
	}
	s, err := flags.Open(path, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	err = s.Update(context.Background(), func(tx *flags.Tx) error { return writeGeneration(tx, keys) })
	if err != nil {
		fmt.Println("error:", err)
		return nil
	}
	fmt.Println("committed")
	return nil
}

// soakHold (soak-hold:<keys>) writes a generation in a transaction, says
// "locked", holds the store's write lock until its stdin is closed, then
// commits and says "committed".
func soakHold(mode, path string) error {
	var keys int
	if _, err := fmt.Sscanf(mode, "soak-hold:%d", &keys); err != nil {
		return err
	}
	s, err := flags.Open(path, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	ctx := context.Background()
	tx, err := s.Begin(ctx)
	if err != nil {
		return err
	}
	if err := writeGeneration(tx, keys); err != nil {
		return err
	}
	fmt.Println("locked")
	_, _ = io.Copy(io.Discard, os.Stdin)
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	fmt.Println("committed")
	return nil
}

// soakHoldSQLite (soak-hold-sqlite) holds the write lock as Python's
// sqlite3 does (BEGIN IMMEDIATE on a plain SQLite connection, with SQLite's
// POSIX locks), says "locked", and rolls back when its stdin is closed.
func soakHoldSQLite(_, path string) error {
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	fmt.Println("locked")
	_, _ = io.Copy(io.Discard, os.Stdin)
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		return err
	}
	fmt.Println("released")
	return nil
}

// soakTry (soak-try:<lock timeout in ms>:<keys>) tries to write a
// generation and says "committed", "locked-out: <error>" (ErrLocked) or
// "error: <error>".
func soakTry(mode, path string) error {
	var ms, keys int
	if _, err := fmt.Sscanf(mode, "soak-try:%d:%d", &ms, &keys); err != nil {
		return err
	}
	s, err := flags.Open(path, &flags.Options{LockTimeout: time.Duration(ms) * time.Millisecond})
	if err != nil {
		return err
	}
	defer s.Close()
	err = s.Update(context.Background(), func(tx *flags.Tx) error { return writeGeneration(tx, keys) })
	switch {
	case errors.Is(err, flags.ErrLocked):
		fmt.Println("locked-out:", err)
	case err != nil:
		fmt.Println("error:", err)
	default:
		fmt.Println("committed")
	}
	return nil
}

// soakCounts are the soak's figures.
type soakCounts struct {
	kills, midCommit, random, randomInTx int
	diskFull, diskFullRefused            int
	locked, lockedOut                    int
	foreign                              int
	corrupt, mixed, lost, unexpected     int
}

// soak is one run of TestSoak_Store: the store and what it must hold.
type soak struct {
	t    *testing.T
	path string
	gen  int // the generation the store holds
	c    soakCounts
}

// Ensure, at scale, that the store survives its writers being killed and
// its environment failing. -soak.kills writer processes are killed with
// SIGKILL: one in ten stopped inside its commit of a generation larger
// than SQLite's cache (half-written file, hot journal; see
// TestCrash_KillDuringCommit), one in ten stopped inside the commit of a
// small generation (before COMMIT), the others at a random moment
// (starting, opening, reading, writing, committing). After each kill the
// store must open, pass integrity_check, hold one whole generation (never
// a mix), have every generation whose commit returned (none lost), and be
// exactly the old or the new state of the killed transaction (the old one
// for a kill inside the commit). Every tenth kill is followed by one of:
// a writer whose disk fills up (RLIMIT_FSIZE below the file's size: its
// commit fails with an error wrapping ErrIO and the store keeps the old
// state); a writer
// that finds the store locked past its lock timeout by another process
// (this package's, or SQLite's own locks as Python takes them: ErrLocked,
// then the holder's commit lands and nothing is lost); and files of other
// kinds at the store path (another application's database, a corrupt file,
// a FIFO, each perhaps behind a link: the typed error, the file untouched).
func TestSoak_Store(t *testing.T) {
	kills := *soakKills
	if testing.Short() {
		kills = min(kills, 8)
	}
	s := &soak{t: t, path: filepath.Join(t.TempDir(), ".unit-state.db")}
	start := time.Now()
	scenarios := []func(){s.diskFull, s.lockedOut, s.foreign}
	ran := 0
	for i := 0; i < kills && !t.Failed(); i++ {
		switch {
		case i%10 == 0:
			s.kill(killInCommitBig, rand.IntN(2) == 0)
		case i%10 == 5:
			s.kill(killInCommitSmall, rand.IntN(2) == 0)
		default:
			s.kill(killAtRandom, rand.IntN(2) == 0)
		}
		if i%10 == 9 {
			scenarios[ran%len(scenarios)]()
			ran++
		}
	}
	for ; ran < len(scenarios) && !t.Failed(); ran++ {
		scenarios[ran]()
	}
	c := s.c
	t.Logf("soak: %d kills in %v (%d inside a commit, %d at random of which %d inside a transaction), %d generations; "+
		"disk full: %d runs, %d commits refused; locked: %d runs, %d ErrLocked; foreign files refused: %d; "+
		"corrupt=%d mixed=%d lost=%d unexpected=%d",
		c.kills, time.Since(start).Round(time.Millisecond), c.midCommit, c.random, c.randomInTx, s.gen,
		c.diskFull, c.diskFullRefused, c.locked, c.lockedOut, c.foreign,
		c.corrupt, c.mixed, c.lost, c.unexpected)
	assert.Zero(t, c.corrupt+c.mixed+c.lost+c.unexpected, "corrupt, mixed, lost or unexpected states")
}

// How a writer of the soak is killed.
type killKind int

const (
	killAtRandom      killKind = iota // at a random moment
	killInCommitBig                   // stopped in its commit of a generation larger than the cache: file half written
	killInCommitSmall                 // stopped in its commit of a small generation, before COMMIT
)

// kill runs one writer and kills it, then checks the store.
func (s *soak) kill(how killKind, noSync bool) {
	t := s.t
	prev := s.gen
	var acked int
	inCommit := how != killAtRandom
	if inCommit {
		var k killedWriter
		if how == killInCommitBig {
			k = killInCommit(t, s.path, noSync, crashKeys, 0)
			assert.True(t, k.hot, "the journal was hot")
		} else {
			k = killInCommit(t, s.path, noSync, soakSmallKeys, rand.IntN(3))
		}
		require.True(t, k.inCommit, "the writer stopped inside its commit")
		acked = k.acked
		s.c.midCommit++
	} else {
		var inTx bool
		acked, inTx = s.killAtRandom(noSync)
		s.c.random++
		if inTx {
			s.c.randomInTx++
		}
	}
	s.c.kills++
	got := s.check(fmt.Sprintf("kill %d", s.c.kills))
	switch {
	case got < prev+acked:
		s.c.lost++
		t.Errorf("kill %d: generation %d, but %d commits had returned since %d", s.c.kills, got, acked, prev)
	case inCommit && got != prev+acked, got > prev+acked+1:
		s.c.unexpected++
		t.Errorf("kill %d: generation %d, expected %d (or one more, killed at random: %v)", s.c.kills, got, prev+acked, !inCommit)
	}
	s.gen = got
}

// killAtRandom starts a writer and kills it after a random delay: during
// its start, its open, or any part of a transaction. It returns the
// commits that returned, and whether the kill left a live journal.
func (s *soak) killAtRandom(noSync bool) (acked int, inTx bool) {
	t := s.t
	cmd := helperCmd(t, "writer", s.path, noSync)
	cmd.Env = append(cmd.Env, fmt.Sprintf("%s=%d", helperKeysEnv, soakSmallKeys))
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	lines := make(chan int, 1)
	go func() {
		n := 0
		for sc := bufio.NewScanner(out); sc.Scan(); {
			if sc.Text() == "committed" {
				n++
			}
		}
		lines <- n
	}()
	time.Sleep(time.Duration(rand.IntN(150_000)) * time.Microsecond)
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	// Read every line the writer wrote before Wait, which closes the pipe:
	// on a loaded machine the reader may lag behind the writer, and the
	// lines still in the pipe are commits that returned.
	n := <-lines
	_ = cmd.Wait()
	return n, hotJournal(s.path)
}

// check inspects the store and counts what is wrong; it returns the
// generation.
func (s *soak) check(what string) int {
	got, err := inspectGeneration(s.t.Context(), s.path)
	switch {
	case errors.Is(err, errCorrupt):
		s.c.corrupt++
		s.t.Fatalf("%s: %v", what, err)
	case errors.Is(err, errMixed):
		s.c.mixed++
		s.t.Errorf("%s: %v", what, err)
	case err != nil:
		s.t.Fatalf("%s: %v", what, err)
	}
	return got
}

// diskFull runs a writer whose files may not grow past a random size
// below the store's: its commit fails with an error naming the store, and
// the store keeps its state.
func (s *soak) diskFull() {
	t := s.t
	fi, err := os.Stat(s.path)
	require.NoError(t, err)
	limit := rand.Int64N(fi.Size())
	keys := []int{soakSmallKeys, crashKeys}[rand.IntN(2)]
	out, err := helperCmd(t, fmt.Sprintf("soak-diskfull:%d:%d", limit, keys), s.path, rand.IntN(2) == 0).Output()
	require.NoError(t, err, "%s", out)
	line := strings.TrimSpace(string(out))
	s.c.diskFull++
	prev := s.gen
	got := s.check(fmt.Sprintf("disk full at %d bytes", limit))
	s.gen = got
	if strings.HasPrefix(line, "committed") {
		// Possible only when nothing past the limit had to be written.
		assert.Equal(t, prev+1, got, "a commit that returned is there")
		return
	}
	s.c.diskFullRefused++
	assert.True(t, strings.HasPrefix(line, "error: "), "%s", line)
	assert.Contains(t, line, s.path, "the error names the store")
	assert.Contains(t, line, "rolled back")
	assert.Contains(t, line, flags.ErrIO.Error())
	if got != prev {
		s.c.unexpected++
		t.Errorf("disk full at %d bytes: generation %d, the store held %d (%s)", limit, got, prev, line)
	}
}

// lockedOut has another process hold the write lock (through this package
// or, as Python does, with SQLite's own locks) while a writer with a short
// lock timeout tries: it gets ErrLocked and writes nothing; the holder's
// commit then lands.
func (s *soak) lockedOut() {
	t := s.t
	viaSQLite := s.c.locked%2 == 1
	mode := fmt.Sprintf("soak-hold:%d", soakSmallKeys)
	if viaSQLite {
		mode = "soak-hold-sqlite"
	}
	holder := helperCmd(t, mode, s.path, false)
	stdin, err := holder.StdinPipe()
	require.NoError(t, err)
	stdout, err := holder.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, holder.Start())
	defer func() {
		_ = holder.Process.Kill()
		_ = holder.Wait()
	}()
	sc := bufio.NewScanner(stdout)
	require.True(t, sc.Scan(), "the holder reports")
	require.Equal(t, "locked", sc.Text())

	out, err := helperCmd(t, fmt.Sprintf("soak-try:%d:%d", 200, soakSmallKeys), s.path, false).Output()
	require.NoError(t, err, "%s", out)
	s.c.locked++
	if assert.True(t, strings.HasPrefix(string(out), "locked-out: "), "the writer got ErrLocked: %s", out) {
		s.c.lockedOut++
	}
	require.NoError(t, stdin.Close())
	require.True(t, sc.Scan(), "the holder reports")
	require.NoError(t, holder.Wait())
	prev := s.gen
	got := s.check("locked")
	s.gen = got
	want := prev + 1 // the holder's generation
	if viaSQLite {
		want = prev // it rolled back
	}
	if got != want {
		s.c.lost++
		t.Errorf("locked: generation %d, want %d", got, want)
	}
}

// foreign puts files of other kinds at a store path (another
// application's database, a corrupt file, a FIFO; half of the time behind
// a symbolic link) and checks that Open refuses each with its typed error,
// leaving it untouched.
func (s *soak) foreign() {
	t := s.t
	dir := t.TempDir()
	target := filepath.Join(dir, "file")
	var want error
	switch rand.IntN(3) {
	case 0:
		schemas := foreignSchemas()
		names := make([]string, 0, len(schemas))
		for n := range schemas {
			names = append(names, n)
		}
		foreignDB(t, target, schemas[names[rand.IntN(len(names))]]...)
		want = flags.ErrForeignDatabase
	case 1:
		img, err := os.ReadFile(s.path)
		require.NoError(t, err)
		for range 20 {
			img[rand.IntN(len(img)/2)] ^= 0xff // damage the first half, page 1 included
		}
		img[100] = 0xff // an impossible page type for page 1
		require.NoError(t, os.WriteFile(target, img, 0o644))
		want = flags.ErrNotDatabase
	default:
		require.NoError(t, syscall.Mkfifo(target, 0o644))
		want = flags.ErrNotRegularFile
	}
	require.NoError(t, os.Chmod(target, 0o644))
	path := target
	if rand.IntN(2) == 0 {
		path = filepath.Join(dir, ".unit-state.db")
		require.NoError(t, os.Symlink(target, path))
	}
	before := stateOf(t, target)
	st, err := flags.Open(path, &flags.Options{LockTimeout: time.Second})
	if st != nil {
		st.Close()
	}
	s.c.foreign++
	assert.ErrorIs(t, err, want)
	assert.Equal(t, before, stateOf(t, target), "the file is untouched")
	if !errors.Is(err, want) || before != stateOf(t, target) {
		s.c.unexpected++
	}
}
