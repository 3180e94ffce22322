package jujusim_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/testing/jujusim"
)

// Ensure that the lease check finds two units holding a guarantee at once,
// and accepts a hand-over at or after the end of the guarantee.
func TestCheckLeases(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(unit string, s int) jujusim.Lease {
		return jujusim.Lease{Unit: unit, Time: t0.Add(time.Duration(s) * time.Second)}
	}
	tests := []struct {
		name   string
		leases []jujusim.Lease
		ok     bool
	}{
		{"none", nil, true},
		{"one unit renewing", []jujusim.Lease{at("a/0", 0), at("a/0", 20), at("a/0", 45)}, true},
		{"hand-over at expiry", []jujusim.Lease{at("a/0", 0), at("a/1", 30)}, true},
		{"hand-over after renewal expiry", []jujusim.Lease{at("a/0", 0), at("a/0", 20), at("a/1", 50)}, true},
		{"overlap", []jujusim.Lease{at("a/0", 0), at("a/1", 29)}, false},
		{"overlap after renewal", []jujusim.Lease{at("a/0", 0), at("a/0", 20), at("a/1", 49)}, false},
		{"unsorted overlap", []jujusim.Lease{at("a/1", 10), at("a/0", 0)}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := jujusim.CheckLeaseList(tc.leases)
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, jujusim.ErrLeaseOverlap)
			}
		})
	}
}

// Ensure that through 20 random leadership changes with hooks, commands
// and clock moves interleaved, no two units ever hold an unexpired
// guarantee at once and the secret is generated exactly once.
// The seeds are fixed so that a failure can be replayed.
func TestModel_RandomLeadershipChanges(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			t.Parallel()
			randomLeadershipChanges(t, seed)
		})
	}
}

func randomLeadershipChanges(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 5))
	m := newModel(t, 3)
	require.NoError(t, m.Deploy())
	hookNames := []string{"update-status", "config-changed", "leader-settings-changed"}
	for range 20 {
		units := m.Units()
		var candidates []*jujusim.Unit
		for _, u := range units {
			if u != m.Leader() {
				candidates = append(candidates, u)
			}
		}
		require.NoError(t, m.Elect(candidates[rng.IntN(len(candidates))]))
		for range rng.IntN(6) {
			u := units[rng.IntN(len(units))]
			switch rng.IntN(4) {
			case 0:
				_, err := u.Run(hookNames[rng.IntN(len(hookNames))])
				require.NoError(t, err)
			case 1:
				ev, err := u.Exec("is-leader")
				require.NoError(t, err)
				assert.Equal(t, u == m.Leader(), ev.Stdout == "True\n", "%s is-leader %q", u.Name(), ev.Stdout)
			case 2:
				require.NoError(t, m.Advance(time.Duration(rng.IntN(40))*time.Second))
			default:
				_, _, err := u.Next()
				require.NoError(t, err)
			}
		}
		if rng.IntN(2) == 0 {
			require.NoError(t, m.Settle())
		}
	}
	require.NoError(t, m.Settle())
	require.NoError(t, m.CheckInvariants())

	settings, err := m.LeaderSettings()
	require.NoError(t, err)
	writes := 0
	for _, u := range m.Units() {
		calls, err := u.Calls()
		require.NoError(t, err)
		for _, c := range calls {
			if c.Tool == "leader-set" && c.ExitCode == 0 && strings.HasPrefix(strings.Join(c.Args, " "), "secret=") {
				writes++
			}
		}
		assert.Equal(t, settings["secret"]+"\n", readFile(t, u, "secret"), u.Name())
	}
	assert.Equal(t, 1, writes, "the secret was generated exactly once")
}

// Ensure that re-electing a unit that lost its lease keeps the end of the
// guarantee it was given, so that electing another unit afterwards still
// waits for it: the two guarantees never overlap. (Re-electing used to
// reset the guarantee's end to the election's time.)
func TestModel_ReelectKeepsGuarantee(t *testing.T) {
	t.Parallel()
	m := newModel(t, 2)
	require.NoError(t, m.Deploy())
	u0, u1 := m.Unit(0), m.Unit(1)
	require.True(t, u0.IsLeader())
	ev := mustExec(t, u0, "is-leader") // a fresh guarantee of 30 s
	require.Equal(t, "True\n", ev.Stdout)
	require.NoError(t, u0.LoseLeaseAfter(0))
	require.Equal(t, "False\n", mustExec(t, u0, "is-leader").Stdout, "the lease is lost")
	before := m.Now()
	require.NoError(t, m.Elect(u0)) // leadership comes back to the same unit
	assert.Equal(t, before, m.Now(), "its own guarantee does not make it wait")
	require.NoError(t, m.Elect(u1))
	assert.True(t, m.Now().Sub(ev.Time) >= jujusim.Guarantee, "the election of another unit waited for the end of u0's guarantee (now %s, guarantee given at %s)", m.Now(), ev.Time)
	require.Equal(t, "True\n", mustExec(t, u1, "is-leader").Stdout)
	require.NoError(t, m.CheckLeases())
}
