//go:build linux

package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/examples/password-charm/charm"
	"github.com/charmkit/charmkit/files"
	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/testing/jujusim"
)

// The kill soak: `make soak` runs it with -soak.kills=10000; `make test`
// runs a few kills.
var (
	soakKills = flag.Int("soak.kills", 5, "hook processes TestSoak_PasswordCharm interrupts (most with SIGKILL, some with SIGTERM)")
	soakSeed  = flag.Uint64("soak.seed", 1, "seed of TestSoak_PasswordCharm's random choices")
)

// soakStats counts what a soak did.
type soakStats struct {
	steps, hooks, retries, failed, sigkill, sigterm, late, injections, elections int
}

// Ensure that the compiled password charm keeps its promises when its hook
// processes are killed at random moments, as a unit agent or a machine may
// kill them: on two or three simulated units (jujusim), each step runs a
// unit's next hook (or retries its failed one, as Juju does), often with a
// SIGKILL, sometimes a SIGTERM, sent after a random time within a typical
// hook's run; now and then the fail-on-unit option makes the hooks of some
// units fail on purpose, or leadership moves. After every step:
//
//   - at most one password was ever generated for the application (every
//     leader-set that succeeded, the leader settings, any secret content);
//   - every unit's store opens, passes SQLite's integrity check, and is
//     consistent with the files: password.stored means the password file
//     holds the one password;
//   - no file in a unit's directory (charm directory and what surrounds it)
//     or in the hooks' TMPDIR holds the password, but the password file
//     and the store; an interrupted write's temporary file is tolerated
//     only until the unit's next successful hook;
//   - a SIGTERM ended its hook within the bound;
//   - the leadership invariants of jujusim hold (every 50 steps).
//
// At the end the faults are healed, failed hooks retried and the model
// settled: every unit holds the same password in its file. The counts are
// logged.
func TestSoak_PasswordCharm(t *testing.T) {
	rng := rand.New(rand.NewPCG(*soakSeed, 0x50a4))
	tmp := t.TempDir()
	m := jujusim.Start(t, jujusim.Options{
		Charm:    soakCharmDir(t),
		Dispatch: jujusim.BuildCharm(t, "."),
		Units:    2 + rng.IntN(2),
		Env:      []string{"TMPDIR=" + tmp},
	})
	s := &soak{t: t, m: m, rng: rng, tmp: tmp, hookDur: 200 * time.Millisecond, dirty: map[string]bool{}}
	began := time.Now()
	for s.stats.sigkill+s.stats.sigterm < *soakKills {
		require.Less(t, s.stats.steps, 20*(*soakKills)+200, "too many steps for %d kills", *soakKills)
		s.step()
	}
	s.converge()
	st := s.stats
	t.Logf("soak (seed %d, %d units): %d kills (%d SIGKILL, %d SIGTERM), %d signals due after the hook had ended, %d hooks (%d retries, %d failed), %d fail-on-unit changes, %d elections, in %v",
		*soakSeed, len(m.Units()), st.sigkill+st.sigterm, st.sigkill, st.sigterm, st.late, st.hooks, st.retries, st.failed, st.injections, st.elections, time.Since(began).Round(time.Millisecond))
}

// soakCharmDir copies the charm's YAML files (not its sources) into a
// directory for the simulator.
func soakCharmDir(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	for _, f := range []string{"metadata.yaml", "config.yaml", "actions.yaml"} {
		b, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) && f == "actions.yaml" {
			continue
		}
		require.NoError(tb, err)
		require.NoError(tb, os.WriteFile(filepath.Join(dir, f), b, 0o644))
	}
	return dir
}

// soak is one soak run.
type soak struct {
	t       *testing.T
	m       *jujusim.Model
	rng     *rand.Rand
	tmp     string        // the hooks' TMPDIR
	hookDur time.Duration // a typical hook's wall-clock time, measured
	stats   soakStats
	// passwords holds every admin_password value seen (at most one).
	passwords []string
	// dirty marks the units whose last hook did not succeed: a temporary
	// file of an interrupted write may remain until their next success.
	dirty map[string]bool
}

func (s *soak) pick() *jujusim.Unit {
	us := s.m.Units()
	return us[s.rng.IntN(len(us))]
}

// step changes the model now and then, then runs one hook of a random unit,
// interrupted or not, and checks the invariants.
func (s *soak) step() {
	t, m := s.t, s.m
	s.stats.steps++
	switch r := s.rng.IntN(100); {
	case r < 4:
		// Injected failures: the hooks of these units fail once the
		// password is set, until the option changes again.
		var names []string
		for _, u := range m.Units() {
			if s.rng.IntN(3) == 0 {
				names = append(names, u.Name())
			}
		}
		require.NoError(t, m.SetConfig(map[string]string{charm.FailOnUnitOption: strings.Join(names, " ")}))
		s.stats.injections++
	case r < 7 && len(m.Units()) > 1:
		u := s.pick()
		if m.Leader() != u {
			require.NoError(t, m.Elect(u))
			s.stats.elections++
		}
	}

	u := s.pick()
	var sig syscall.Signal
	var after time.Duration
	if s.rng.IntN(100) < 60 {
		sig = syscall.SIGKILL
		if s.rng.IntN(5) == 0 {
			sig = syscall.SIGTERM
		}
		// Most of a step's time is the hook process: the signal falls
		// anywhere in it, or just after.
		after = time.Duration(s.rng.Int64N(int64(s.hookDur) + 1))
		u.InterruptNext(sig, after)
	}
	start := time.Now()
	var ev *jujusim.Event
	var err error
	if u.InError() {
		ev, err = u.Retry()
		s.stats.retries++
	} else {
		var ok bool
		ev, ok, err = u.Next()
		if err == nil && !ok {
			ev, err = u.Run("update-status")
		}
	}
	require.NoError(t, err)
	took := time.Since(start)
	s.stats.hooks++
	switch ev.Interrupted {
	case "SIGKILL":
		s.stats.sigkill++
	case "SIGTERM":
		s.stats.sigterm++
		// The grace period (5 s) and the last log flush (2 s), with room.
		require.Less(t, took-after, 15*time.Second, "a hook ended %v after SIGTERM: %s", took-after, ev)
	case "":
		if sig != 0 {
			s.stats.late++
		}
		if !ev.Failed() {
			// A running average of uninterrupted hooks, for the next delays.
			s.hookDur = (s.hookDur*7 + took) / 8
		}
	}
	if ev.Failed() {
		s.stats.failed++
		s.dirty[u.Name()] = true
	} else {
		delete(s.dirty, u.Name())
	}
	s.observe(ev)
	if ev.Failed() && ev.Interrupted == "" {
		// Hooks fail when they are made to, and only then.
		injected := slices.ContainsFunc(ev.Logs, func(l jujusim.LogRecord) bool {
			return strings.Contains(l.Message, charm.ErrInjectedFailure.Error())
		})
		require.True(t, injected, "step %d: %s failed by itself: %s\n%v", s.stats.steps, ev, ev.Stderr, ev.Logs)
	}
	units := []*jujusim.Unit{u}
	if s.stats.steps%10 == 0 {
		units = m.Units()
	}
	s.check(fmt.Sprintf("step %d: %s", s.stats.steps, ev), units)
	if s.stats.steps%50 == 0 {
		require.NoError(t, m.CheckInvariants(), "step %d", s.stats.steps)
	}
}

// observe records the passwords an event wrote with leader-set.
func (s *soak) observe(ev *jujusim.Event) {
	for _, c := range ev.CallsTo("leader-set") {
		if c.ExitCode != 0 {
			continue
		}
		for _, a := range c.Args {
			if v, ok := strings.CutPrefix(a, charm.PasswordKey+"="); ok && v != "" {
				s.seePassword(v, "a leader-set of "+ev.Unit)
			}
		}
	}
}

func (s *soak) seePassword(v, where string) {
	if !slices.Contains(s.passwords, v) {
		s.passwords = append(s.passwords, v)
	}
	require.Len(s.t, s.passwords, 1, "a second password was generated (seen in %s)", where)
}

// password returns the one password, or "" before it exists.
func (s *soak) password() string {
	if len(s.passwords) == 0 {
		return ""
	}
	return s.passwords[0]
}

// check verifies the invariants after a step, on the given units (those
// that ran a hook since their last check).
func (s *soak) check(when string, units []*jujusim.Unit) {
	t, m := s.t, s.m
	settings, err := m.LeaderSettings()
	require.NoError(t, err)
	if v := settings[charm.PasswordKey]; v != "" {
		s.seePassword(v, "the leader settings")
	}
	secrets, err := m.Secrets()
	require.NoError(t, err)
	for _, sec := range secrets {
		for _, r := range sec.Revisions {
			content, err := r.Values()
			if err != nil {
				continue
			}
			for k, v := range content {
				if strings.Contains(k, "password") && v != "" {
					s.seePassword(v, "secret content")
				}
			}
		}
	}
	pw := s.password()
	for _, u := range units {
		db := filepath.Join(u.CharmDir(), ".unit-state.db")
		if _, err := os.Stat(db); err == nil {
			// As the unit's next hook opens it (a hot journal is rolled back).
			st, err := flags.Open(db, nil)
			require.NoError(t, err, "%s: %s's store", when, u.Name())
			require.NoError(t, st.View(context.Background(), func(*flags.Tx) error { return nil }), "%s: %s's store", when, u.Name())
			require.NoError(t, st.Close())
			requireIntegrity(t, db, when)
		}
		fl, err := u.Flags()
		require.NoError(t, err, "%s: %s's store", when, u.Name())
		if slices.Contains(fl, charm.StoredFlag) {
			b, err := u.ReadFile(charm.DefaultPasswordFile)
			require.NoError(t, err, "%s: %s has %s but no password file", when, u.Name(), charm.StoredFlag)
			require.True(t, pw != "" && string(b) == pw, "%s: %s has %s but its file does not hold the password", when, u.Name(), charm.StoredFlag)
		}
		if pw != "" {
			s.checkNoCopies(filepath.Dir(u.CharmDir()), u, when)
		}
	}
	if pw != "" {
		s.checkNoCopies(s.tmp, nil, when)
	}
}

// checkNoCopies walks root and fails on a regular file holding the
// password other than a unit's password file and store; for u (its unit
// directory), a temporary file of an interrupted write is tolerated while
// its last hook has not succeeded.
func (s *soak) checkNoCopies(root string, u *jujusim.Unit, when string) {
	t, pw := s.t, []byte(s.password())
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed while walking (a socket, a lock)
			}
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil || !bytes.Contains(b, pw) {
			return err
		}
		if u != nil {
			rel, _ := filepath.Rel(u.CharmDir(), path)
			switch {
			case rel == charm.DefaultPasswordFile, rel == ".unit-state.db", rel == ".unit-state.db-journal":
				return nil
			case strings.Contains(d.Name(), files.TempMarker) && filepath.Dir(rel) == "." && s.dirty[u.Name()]:
				return nil
			}
		}
		return fmt.Errorf("%s holds the password", path)
	})
	require.NoError(t, err, when)
}

// requireIntegrity runs SQLite's integrity check on the store.
func requireIntegrity(tb testing.TB, path, when string) {
	tb.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	require.NoError(tb, err)
	defer db.Close()
	var res string
	require.NoError(tb, db.QueryRow("PRAGMA integrity_check").Scan(&res), "%s: %s", when, path)
	require.Equal(tb, "ok", res, "%s: %s", when, path)
}

// converge heals the model: no injected failure, no interruption, failed
// hooks retried, the model settled, a last hook everywhere; then every unit
// holds the one password in its file.
func (s *soak) converge() {
	t, m := s.t, s.m
	require.NoError(t, m.SetConfig(map[string]string{charm.FailOnUnitOption: ""}))
	for range 20 {
		for _, u := range m.Units() {
			if u.InError() {
				ev, err := u.Retry()
				require.NoError(t, err)
				s.observe(ev)
				if !ev.Failed() {
					delete(s.dirty, u.Name())
				}
			}
		}
		err := m.Settle()
		var he *jujusim.HookError
		if err != nil && !errors.As(err, &he) {
			require.NoError(t, err)
		}
		if !slices.ContainsFunc(m.Units(), (*jujusim.Unit).InError) && err == nil {
			break
		}
	}
	for _, u := range m.Units() {
		require.False(t, u.InError(), "%s still fails %s", u.Name(), u.FailedHook())
		ev, err := u.Run("update-status")
		require.NoError(t, err)
		require.False(t, ev.Failed(), "%s", ev)
		delete(s.dirty, u.Name())
	}
	s.check("after the model settled", m.Units())
	require.NoError(t, m.CheckInvariants())
	pw := s.password()
	require.NotEmpty(t, pw, "no password was generated")
	for _, u := range m.Units() {
		b, err := u.ReadFile(charm.DefaultPasswordFile)
		require.NoError(t, err)
		require.True(t, string(b) == pw, "%s's password file does not hold the password", u.Name())
	}
}
