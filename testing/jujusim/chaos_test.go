package jujusim_test

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/testing/jujusim"
)

// Chaos stories: `make chaos` runs many (go test -run TestChaos
// ./testing/jujusim -chaos.stories=N); `make test` runs a few.
var (
	chaosStories = flag.Int("chaos.stories", 2, "random stories TestChaos runs")
	chaosSteps   = flag.Int("chaos.steps", 25, "random steps per story")
	chaosSeed    = flag.Uint64("chaos.seed", 1, "seed of the first story (story i uses seed+i)")
)

// Ensure that random leadership, fault, membership and config stories on
// the compiled password charm keep every invariant after every step: no two
// units of an application ever held a leadership guarantee at once, every
// leader-only write came from the leader of the moment, the relation rules
// hold, the password is generated once, and every unit converges on it once
// the faults are healed and the model settles.
func TestChaos(t *testing.T) {
	t.Parallel()
	for i := range *chaosStories {
		seed := *chaosSeed + uint64(i)
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel() // stories share nothing; -parallel bounds how many run at once
			runChaosStory(t, seed, *chaosSteps)
		})
	}
}

// chaosTools are the tools a story makes fail.
var chaosTools = []string{"is-leader", "leader-get", "leader-set", "status-set", "config-get"}

func runChaosStory(t *testing.T, seed uint64, steps int) {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	m := newPasswordModel(t, 1+rng.IntN(4))
	settle := func() {
		err := m.Settle()
		var he *jujusim.HookError
		if err != nil && !errors.As(err, &he) {
			require.NoError(t, err, "seed %d", seed)
		}
	}
	require.NoError(t, ignoreHookErrors(m.Deploy()), "seed %d", seed)
	var log []string
	pick := func() *jujusim.Unit {
		us := m.Units()
		return us[rng.IntN(len(us))]
	}
	for step := range steps {
		var what string
		switch op := rng.IntN(12); {
		case op == 0 && len(m.Units()) > 1:
			u := pick()
			what = "elect " + u.Name()
			require.NoError(t, m.Elect(u))
		case op == 1 && len(m.Units()) > 1:
			u := pick()
			what = "remove " + u.Name()
			require.NoError(t, m.RemoveUnit(u))
			if m.Leader() == nil {
				require.NoError(t, m.Elect(pick()))
			}
		case op == 2 && len(m.Units()) < 5:
			what = "add-unit"
			_, err := m.AddUnit()
			require.NoError(t, err)
		case op == 3 && len(m.Units()) > 1:
			u := pick()
			what = "kill " + u.Name()
			require.NoError(t, m.KillUnit(u))
			if m.Leader() == nil {
				require.NoError(t, m.Elect(pick()))
			}
		case op == 4:
			what = "config motd"
			require.NoError(t, m.SetConfig(map[string]string{"motd": fmt.Sprintf("m%d", rng.IntN(3))}))
		case op == 5:
			u, tool := pick(), chaosTools[rng.IntN(len(chaosTools))]
			what = "fault " + u.Name() + " " + tool
			require.NoError(t, u.SetFault(tool, jujusim.Fault{Cause: "connection is shut down"}))
		case op == 6:
			u := pick()
			what = "heal " + u.Name()
			require.NoError(t, u.ClearFaults())
		case op == 7:
			if l := m.Leader(); l != nil {
				what = "lose lease " + l.Name()
				require.NoError(t, l.LoseLeaseAfter(rng.IntN(3)))
			}
		case op == 8:
			d := time.Duration(rng.IntN(60)) * time.Second
			what = "advance " + d.String()
			require.NoError(t, m.Advance(d))
		case op == 9:
			u := pick()
			if u.InError() {
				what = "retry " + u.Name()
				_, err := u.Retry()
				require.NoError(t, err)
			} else {
				what = "update-status " + u.Name()
				_, err := u.Run("update-status")
				require.NoError(t, err)
			}
		case op == 10:
			hooks := map[*jujusim.Unit]string{}
			for _, u := range m.Units() {
				if !u.InError() && rng.IntN(2) == 0 {
					hooks[u] = "update-status"
				}
			}
			what = fmt.Sprintf("together %d", len(hooks))
			if len(hooks) > 0 {
				_, err := m.RunTogether(hooks)
				require.NoError(t, err)
			}
		default:
			what = "settle"
			settle()
		}
		log = append(log, what)
		require.NoError(t, m.CheckInvariants(), "seed %d, step %d (%s); steps: %s", seed, step, what, strings.Join(log, ", "))
	}
	// Heal, bring back a leader, retry what failed, settle: every unit
	// converges on the one password.
	for _, u := range m.Units() {
		require.NoError(t, u.ClearFaults())
	}
	if m.Leader() == nil {
		require.NoError(t, m.Elect(m.Units()[0]))
	}
	for range 10 {
		for _, u := range m.Units() {
			if u.InError() {
				_, err := u.Retry()
				require.NoError(t, err)
			}
		}
		settle()
	}
	for _, u := range m.Units() {
		require.False(t, u.InError(), "seed %d: %s still in error (%s); steps: %s", seed, u.Name(), u.FailedHook(), strings.Join(log, ", "))
		// A last hook everywhere, so deposed units see the final settings.
		_, err := u.Run("update-status")
		require.NoError(t, err)
	}
	require.NoError(t, m.CheckInvariants(), "seed %d; steps: %s", seed, strings.Join(log, ", "))
	requireOnePassword(t, m)
}

// ignoreHookErrors drops a *HookError: a story's hooks may fail on
// purpose.
func ignoreHookErrors(err error) error {
	var he *jujusim.HookError
	if errors.As(err, &he) {
		return nil
	}
	return err
}
