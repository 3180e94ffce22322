package leadership_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/testing/jujusim"
)

// The end-to-end tests of keys kept in Juju secrets: the compiled test
// charm of testdata/secretcharm on simulated units (testing/jujusim).

const secretCharmDir = "testdata/secretcharm"

// startKeeper starts a model of the test charm with n units.
func startKeeper(t *testing.T, n int) *jujusim.Model {
	t.Helper()
	return jujusim.Start(t, jujusim.Options{
		Charm:    secretCharmDir,
		Dispatch: jujusim.BuildCharm(t, "./"+secretCharmDir),
		Units:    n,
	})
}

// onlySecret returns the model's one secret, failing the test when there
// is not exactly one.
func onlySecret(t *testing.T, m *jujusim.Model) jujusim.Secret {
	t.Helper()
	secrets, err := m.Secrets()
	require.NoError(t, err)
	require.Len(t, secrets, 1, "one secret")
	return secrets[0]
}

// revisions returns the numbers of the revisions the secret still stores
// and the latest revision's value of admin_password.
func revisions(t *testing.T, s jujusim.Secret) ([]int, string) {
	t.Helper()
	var nums []int
	for _, r := range s.Revisions {
		nums = append(nums, r.Revision)
	}
	latest := s.Latest()
	require.NotNil(t, latest)
	values, err := latest.Values()
	require.NoError(t, err)
	return nums, values["admin-password"]
}

// sameFileEverywhere checks that every unit's admin_password file holds want
// and that its store keeps the pointer, not the value.
func sameFileEverywhere(t *testing.T, m *jujusim.Model, want string) {
	t.Helper()
	for _, u := range m.Units() {
		if u.Gone() {
			continue
		}
		got, err := u.ReadFile("admin_password")
		require.NoError(t, err, u.Name())
		assert.Equal(t, want, string(got), u.Name())
		flags, err := u.Flags()
		require.NoError(t, err)
		assert.Contains(t, flags, "password.stored", u.Name())
		st, err := u.State()
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(st["leadership.settings.admin_password"], `"secret:`), "%s: %s", u.Name(), st["leadership.settings.admin_password"])
	}
}

// onlyPointer checks that the leader settings hold the pointer and nothing
// else, and returns its revision.
func onlyPointer(t *testing.T, m *jujusim.Model, id string) int {
	t.Helper()
	settings, err := m.LeaderSettings()
	require.NoError(t, err)
	require.Len(t, settings, 1, "%v", settings)
	var p struct {
		ID       string `json:"id"`
		Revision int    `json:"revision"`
	}
	require.NoError(t, json.Unmarshal([]byte(settings[leadership.SecretPointerKey("admin")]), &p))
	assert.Equal(t, "secret:"+id, p.ID)
	return p.Revision
}

// Ensure, on three units of the compiled charm, that the password lives in
// one application-owned secret through a deploy, a rotation by action, a
// change of leadership and a rotation by the new leader, a failed hook (the
// leader's publication refused) and its retry, and a follower's hook run
// between the leader's leader-set and the commit of its hook (it fails
// with ErrSecretNotReady; its retry succeeds): after each story every
// unit's file holds the secret's latest value, the leader settings hold
// only the pointer, obsolete revisions are removed through secret-remove,
// no plain value is anywhere outside the secret (CheckInvariants, with
// every password seen declared secret), and no two units ever led at once.
func TestSecrets_ThreeUnits(t *testing.T) {
	t.Parallel()
	m := startKeeper(t, 3)
	require.NoError(t, m.Deploy())
	require.NoError(t, m.Settle())
	s := onlySecret(t, m)
	revs, p1 := revisions(t, s)
	assert.Equal(t, []int{1}, revs)
	assert.Equal(t, "keeper", s.Owner)
	assert.Equal(t, "leadership-admin", s.Label)
	assert.Equal(t, 1, onlyPointer(t, m, s.ID))
	sameFileEverywhere(t, m, p1)
	require.NoError(t, m.KeepSecret(p1))
	require.NoError(t, m.CheckInvariants())

	// A rotation by action: a new revision, every unit follows, the old
	// revision is removed once nobody tracks it.
	ev, err := m.Leader().RunAction("rotate", nil)
	require.NoError(t, err)
	require.Equal(t, 0, ev.ExitCode, ev.Stderr)
	require.NoError(t, m.Settle())
	s = onlySecret(t, m)
	revs, p2 := revisions(t, s)
	assert.NotEqual(t, p1, p2)
	assert.Equal(t, []int{2}, revs, "revision 1 removed by the leader's secret-remove hook")
	assert.Equal(t, 2, onlyPointer(t, m, s.ID))
	sameFileEverywhere(t, m, p2)
	require.NoError(t, m.KeepSecret(p2))

	// A change of leadership: the new leader generates nothing and
	// rotates the same secret.
	require.NoError(t, m.Elect(m.Unit(1)))
	require.NoError(t, m.Settle())
	assert.Equal(t, s.ID, onlySecret(t, m).ID)
	sameFileEverywhere(t, m, p2)
	ev, err = m.Unit(0).RunAction("rotate", nil)
	require.NoError(t, err)
	require.NotNil(t, ev.Action)
	assert.True(t, ev.Action.Failed, "a follower refuses to rotate")
	assert.Equal(t, "run rotate on the leader", ev.Action.Message)
	ev, err = m.Unit(1).RunAction("rotate", nil)
	require.NoError(t, err)
	require.Equal(t, 0, ev.ExitCode, ev.Stderr)
	require.NoError(t, m.Settle())
	s = onlySecret(t, m)
	revs, p3 := revisions(t, s)
	assert.Equal(t, []int{3}, revs)
	assert.Equal(t, 3, onlyPointer(t, m, s.ID))
	sameFileEverywhere(t, m, p3)
	require.NoError(t, m.KeepSecret(p3))

	// A failed hook: the leader's publication is refused, so Juju drops
	// the hook's secret-set; the retry rotates once.
	leader := m.Unit(1)
	require.NoError(t, leader.SetFault("leader-set", jujusim.Fault{Message: "cannot write leadership settings: injected"}))
	require.NoError(t, m.SetConfig(map[string]string{"generation": "1"}))
	ev, err = leader.Run("config-changed")
	require.NoError(t, err)
	require.True(t, ev.Failed())
	assert.Contains(t, ev.Stderr+strings.Join(logMessages(ev), "\n"), "publishing the pointers of key groups admin")
	assert.NotEmpty(t, ev.CallsTo("secret-set"), "the hook set a new revision...")
	revs, _ = revisions(t, onlySecret(t, m))
	assert.Equal(t, []int{3}, revs, "...which Juju dropped with the failed hook")
	require.NoError(t, leader.ClearFaults())
	ev, err = leader.Retry()
	require.NoError(t, err)
	require.False(t, ev.Failed(), ev.Stderr)
	require.NoError(t, m.Settle())
	s = onlySecret(t, m)
	revs, p4 := revisions(t, s)
	assert.Equal(t, []int{4}, revs)
	sameFileEverywhere(t, m, p4)
	require.NoError(t, m.KeepSecret(p4))

	// The race: a follower's hook runs after the leader's leader-set and
	// before Juju commits the leader's hook. It fails with
	// ErrSecretNotReady, changing nothing; its retry sees the new revision.
	follower := m.Unit(2)
	signal := filepath.Join(t.TempDir(), "published")
	require.NoError(t, os.WriteFile(filepath.Join(leader.CharmDir(), "signal-after-publish"), []byte(signal), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(follower.CharmDir(), "wait-for-file"), []byte(signal), 0o644))
	require.NoError(t, m.SetConfig(map[string]string{"generation": "2"}))
	evs, err := m.RunTogether(map[*jujusim.Unit]string{leader: "config-changed", follower: "config-changed"})
	require.NoError(t, err)
	require.False(t, evs[0].Failed(), "the leader: %s", evs[0].Stderr)
	require.True(t, evs[1].Failed(), "the follower")
	assert.Contains(t, strings.Join(logMessages(evs[1]), "\n"), "the settings point to revision 5 of secret secret:"+s.ID+", but Juju has only revision 4 of it")
	assert.Equal(t, evs[1].FlagsBefore, evs[1].FlagsAfter)
	got, err := follower.ReadFile("admin_password")
	require.NoError(t, err)
	assert.Equal(t, p4, string(got), "the follower keeps the old password until its retry")
	ev, err = follower.Retry()
	require.NoError(t, err)
	require.False(t, ev.Failed(), ev.Stderr)
	set, _ := ev.FlagChanges()
	assert.Contains(t, set, "leadership.changed.admin_password")
	require.NoError(t, m.Settle())
	s = onlySecret(t, m)
	revs, p5 := revisions(t, s)
	assert.Equal(t, []int{5}, revs)
	assert.Equal(t, 5, onlyPointer(t, m, s.ID))
	sameFileEverywhere(t, m, p5)
	require.NoError(t, m.KeepSecret(p5))
	require.NoError(t, m.CheckInvariants())
}

// logMessages returns the juju-log messages of a hook.
func logMessages(ev *jujusim.Event) []string {
	var out []string
	for _, l := range ev.Logs {
		out = append(out, l.Message)
	}
	return out
}

// Ensure, on two units of the compiled charm that take over stores written
// by the Python stack (testdata/python-unit-state: a leader and a
// follower, the password in plain leader settings), that switching the
// charm to Options.Secrets moves the password into one secret without a
// second password and without leadership.changed.admin_password on any
// unit: the follower's upgrade-charm before the leader's sees the plain
// value as before; the leader's moves it (secret-add, then the pointer and
// the deletion of the plain key in one leader-set); the follower's next hook
// reads the secret once and drops the value from its store. Afterwards no
// store, setting or later tool call holds the password (CheckInvariants).
func TestSecrets_MigrationOnUnits(t *testing.T) {
	t.Parallel()
	m := jujusim.Start(t, jujusim.Options{
		Charm:    secretCharmDir,
		Dispatch: jujusim.BuildCharm(t, "./"+secretCharmDir),
		App:      "password", // the fixtures' units are password/0 and password/1
		Units:    2,
	})
	leader, follower := m.Unit(0), m.Unit(1)
	for _, u := range m.Units() {
		require.NoError(t, os.WriteFile(filepath.Join(u.CharmDir(), "plain-settings"), nil, 0o644))
	}
	require.NoError(t, m.Deploy())
	require.NoError(t, m.Settle())

	// The units as the Python stack left them: its stores, its password
	// in the leader settings and in every unit's file.
	var p string
	for u, fixture := range map[*jujusim.Unit]string{leader: "leader-after-deploy", follower: "follower-after-deploy"} {
		raw, err := os.ReadFile(filepath.Join("testdata", "python-unit-state", fixture, "unit-state.db"))
		require.NoError(t, err)
		for _, side := range []string{"-wal", "-shm", "-journal"} {
			require.NoError(t, os.RemoveAll(filepath.Join(u.CharmDir(), ".unit-state.db"+side)))
		}
		require.NoError(t, os.WriteFile(filepath.Join(u.CharmDir(), ".unit-state.db"), raw, 0o600))
		st, err := u.State()
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal([]byte(st["leadership.settings.admin_password"]), &p))
		require.NoError(t, os.WriteFile(filepath.Join(u.CharmDir(), "admin_password"), []byte(p), 0o600))
	}
	ev, err := leader.Exec("leader-set admin_password=" + p)
	require.NoError(t, err)
	require.Equal(t, 0, ev.ExitCode, ev.Stderr)
	require.NoError(t, m.Settle())
	start := len(m.Timeline())

	// The new charm.
	for _, u := range m.Units() {
		require.NoError(t, os.Remove(filepath.Join(u.CharmDir(), "plain-settings")))
	}
	ev, err = follower.Run("upgrade-charm")
	require.NoError(t, err)
	require.False(t, ev.Failed(), ev.Stderr)
	assert.Empty(t, ev.CallsTo("secret-get"), "nothing moved yet: the follower keeps the plain value")
	ev, err = leader.Run("upgrade-charm")
	require.NoError(t, err)
	require.False(t, ev.Failed(), ev.Stderr)
	require.Len(t, ev.CallsTo("secret-add"), 1)
	set := ev.CallsTo("leader-set")
	require.Len(t, set, 1)
	assert.Equal(t, "admin_password=", set[0].Args[0])
	require.NoError(t, m.Settle())
	ev, err = follower.Run("update-status")
	require.NoError(t, err)
	require.False(t, ev.Failed(), ev.Stderr)

	s := onlySecret(t, m)
	revs, inSecret := revisions(t, s)
	assert.Equal(t, []int{1}, revs)
	assert.Equal(t, p, inSecret, "the Python stack's password, no second one")
	onlyPointer(t, m, s.ID)
	sameFileEverywhere(t, m, p)
	for _, e := range m.Timeline()[start:] {
		if e.Kind != jujusim.KindHook {
			continue
		}
		set, cleared := e.FlagChanges()
		for _, f := range append(set, cleared...) {
			assert.NotContains(t, f, "admin_password", "%s %s", e.Unit, e.Hook)
		}
		assert.Empty(t, e.CallsTo("secret-set"), "%s %s: no second revision", e.Unit, e.Hook)
	}
	require.NoError(t, m.CheckInvariants())
}
