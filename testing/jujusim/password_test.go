package jujusim_test

import (
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/interfaces/credentials"
	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/testing/jujusim"
)

// passwordCharm returns the password charm (examples/password-charm): a
// charm directory with its metadata.yaml and config.yaml, and the static
// binary used as each unit's dispatch, built once per test process.
func passwordCharm(tb testing.TB) (charmDir, dispatch string) {
	tb.Helper()
	return passwordDir.get(tb), jujusim.BuildCharm(tb, "github.com/charmkit/charmkit/examples/password-charm")
}

// clientCharm returns the password-client charm (examples/password-client)
// as passwordCharm returns the password charm.
func clientCharm(tb testing.TB) (charmDir, dispatch string) {
	tb.Helper()
	return clientDir.get(tb), jujusim.BuildCharm(tb, "github.com/charmkit/charmkit/examples/password-client")
}

// exampleDir is an example charm's directory for the simulator: a copy of
// its metadata.yaml, config.yaml and, when it has one, actions.yaml, made
// once, removed by TestMain.
type exampleDir struct {
	src  string
	once sync.Once
	dir  string
	err  error
}

var (
	passwordDir = &exampleDir{src: filepath.Join("..", "..", "examples", "password-charm")}
	clientDir   = &exampleDir{src: filepath.Join("..", "..", "examples", "password-client")}
)

func (e *exampleDir) get(tb testing.TB) string {
	tb.Helper()
	e.once.Do(func() {
		e.dir, e.err = os.MkdirTemp("", "jujusim-example-")
		for _, f := range []string{"metadata.yaml", "config.yaml", "actions.yaml"} {
			if e.err != nil {
				return
			}
			var data []byte
			data, e.err = os.ReadFile(filepath.Join(e.src, f))
			if f == "actions.yaml" && errors.Is(e.err, fs.ErrNotExist) {
				e.err = nil
				continue
			}
			if e.err == nil {
				e.err = os.WriteFile(filepath.Join(e.dir, f), data, 0o644)
			}
		}
	})
	require.NoError(tb, e.err)
	return e.dir
}

func newPasswordModel(tb testing.TB, units int) *jujusim.Model {
	tb.Helper()
	charm, dispatch := passwordCharm(tb)
	return jujusim.Start(tb, jujusim.Options{Charm: charm, Dispatch: dispatch, Units: units})
}

// lflags returns the unit's flags with "leadership." shortened to "L.", as
// docs/design.md writes them.
func lflags(tb testing.TB, u *jujusim.Unit) []string {
	tb.Helper()
	fl, err := u.Flags()
	require.NoError(tb, err)
	return shorten(fl)
}

func shorten(fl []string) []string {
	out := []string{}
	for _, f := range fl {
		out = append(out, strings.Replace(f, "leadership.", "L.", 1))
	}
	slices.Sort(out)
	return out
}

// passwordSecret returns the password charm's own secret, the
// application-owned leadership-admin secret that holds admin_password,
// and the password: the value of its latest revision. The charm's other
// secrets can only be those of the credentials interface, one per related
// client application (labelled credentials-clients-<relation number>).
func passwordSecret(tb testing.TB, m *jujusim.Model) (jujusim.Secret, string) {
	tb.Helper()
	secrets, err := m.Secrets()
	require.NoError(tb, err)
	secrets = slices.DeleteFunc(secrets, func(s jujusim.Secret) bool {
		return s.Owner == m.App() && strings.HasPrefix(s.Label, credentials.SecretLabelPrefix+"clients-")
	})
	require.Len(tb, secrets, 1, "one secret besides the credentials interface's")
	s := secrets[0]
	assert.Equal(tb, "leadership-admin", s.Label)
	assert.Equal(tb, m.App(), s.Owner, "owned by the application")
	latest := s.Latest()
	require.NotNil(tb, latest, "the secret's latest revision is stored")
	values, err := latest.Values()
	require.NoError(tb, err)
	p := values["admin-password"]
	require.NotEmpty(tb, p)
	return s, p
}

// requirePointer checks that settings (the leader settings, or the peer
// relation's application bag) point to the secret s and hold no plain
// password.
func requirePointer(tb testing.TB, settings map[string]string, s jujusim.Secret) {
	tb.Helper()
	assert.NotContains(tb, settings, "admin_password", "no plain password in the settings")
	assert.Contains(tb, settings[leadership.SecretPointerKey("admin")], `"id":"secret:`+s.ID+`"`, "the settings point to the secret")
}

// storedRevisions returns the numbers of the revisions the secret still
// stores.
func storedRevisions(s jujusim.Secret) []int {
	var out []int
	for _, r := range s.Revisions {
		out = append(out, r.Revision)
	}
	return out
}

// requireOnePassword checks that Juju holds one password, committed once
// (the secret's only revision is its first), and that every unit's file
// holds it.
func requireOnePassword(tb testing.TB, m *jujusim.Model) string {
	tb.Helper()
	s, p := passwordSecret(tb, m)
	settings, err := m.LeaderSettings()
	require.NoError(tb, err)
	requirePointer(tb, settings, s)
	assert.Equal(tb, 1, s.LatestRevision, "admin_password was generated more than once")
	assert.Equal(tb, []int{1}, storedRevisions(s))
	for _, u := range m.Units() {
		assert.Equal(tb, p, readFile(tb, u, "admin_password"), "%s's password file", u.Name())
	}
	return p
}

func sp(s string) []string { return strings.Fields(s) }

// Ensure that deploying three units runs Juju's first hooks and gives every
// unit the leader's one password, with the flags of docs/design.md, "The
// three-unit timeline".
func TestPassword_Deploy(t *testing.T) {
	t.Parallel()
	m := newPasswordModel(t, 3)
	require.NoError(t, m.Deploy())
	for _, u := range m.Units() {
		want := []string{"install", "cluster-relation-created"}
		if u.Index() == 0 {
			want = append(want, "leader-elected")
		} else {
			want = append(want, "leader-settings-changed")
		}
		want = append(want, "config-changed", "start")
		var got []string
		for _, ev := range m.Timeline() {
			if ev.Kind == jujusim.KindHook && ev.Unit == u.Name() && len(got) < len(want) {
				got = append(got, ev.Hook)
			}
		}
		assert.Equal(t, want, got, "first hooks of %s", u.Name())
	}
	requireOnePassword(t, m)
	assert.Equal(t, sp("L.is_leader L.set.admin_password password.stored"), lflags(t, m.Unit(0)))
	for _, u := range m.Units()[1:] {
		assert.Equal(t, sp("L.set.admin_password password.stored"), lflags(t, u), u.Name())
	}
	st, err := m.Unit(0).Status()
	require.NoError(t, err)
	assert.Equal(t, "active ready (leader)", st.State+" "+st.Message)
	st, err = m.Unit(1).Status()
	require.NoError(t, err)
	assert.Equal(t, "active ready (follower)", st.State+" "+st.Message)
	require.NoError(t, m.CheckInvariants())
}

// Ensure that when the leader is removed and another unit elected, no
// second password is generated and every file still matches.
func TestPassword_LeaderRemoved(t *testing.T) {
	t.Parallel()
	m := newPasswordModel(t, 3)
	require.NoError(t, m.Deploy())
	before := requireOnePassword(t, m)
	require.NoError(t, m.RemoveUnit(m.Unit(0)))
	require.NoError(t, m.Elect(m.Unit(1)))
	require.NoError(t, m.Settle())
	assert.Equal(t, before, requireOnePassword(t, m))
	assert.Equal(t, sp("L.is_leader L.set.admin_password password.stored"), lflags(t, m.Unit(1)))
	assert.Equal(t, sp("L.set.admin_password password.stored"), lflags(t, m.Unit(2)))
	st, err := m.Unit(1).Status()
	require.NoError(t, err)
	assert.Equal(t, "ready (leader)", st.Message)
	require.NoError(t, m.CheckInvariants())
}

// Ensure that a key the leader deletes disappears everywhere, with the
// flags of leadership scenarios 10 and 11 (docs/design.md, "Leadership
// scenarios").
func TestPassword_DeleteKey(t *testing.T) {
	t.Parallel()
	m := newPasswordModel(t, 3)
	require.NoError(t, m.Deploy())
	require.NoError(t, m.SetConfig(map[string]string{"motd": "hello"}))
	require.NoError(t, m.Settle())
	for _, u := range m.Units() {
		assert.Equal(t, "hello", readFile(t, u, "motd"), u.Name())
		assert.Contains(t, lflags(t, u), "L.set.motd", u.Name())
	}

	require.NoError(t, m.SetConfig(map[string]string{"motd": ""}))
	ev, err := m.Unit(0).Run("config-changed")
	require.NoError(t, err)
	require.Equal(t, 0, ev.ExitCode, ev.Stderr)
	sets := ev.CallsTo("leader-set")
	require.Len(t, sets, 1)
	assert.Equal(t, []string{"motd="}, sets[0].Args)
	assert.Equal(t, sp("L.changed L.changed.motd L.is_leader L.set.admin_password password.stored"), lflags(t, m.Unit(0)))

	for _, u := range m.Units()[1:] {
		ev, err := u.Run("leader-settings-changed")
		require.NoError(t, err)
		require.Equal(t, 0, ev.ExitCode, ev.Stderr)
		set, cleared := ev.FlagChanges()
		assert.Equal(t, sp("leadership.changed leadership.changed.motd"), set, u.Name())
		assert.Equal(t, sp("leadership.set.motd"), cleared, u.Name())
	}
	require.NoError(t, m.Settle())
	settings, err := m.LeaderSettings()
	require.NoError(t, err)
	assert.NotContains(t, settings, "motd")
	for _, u := range m.Units() {
		_, err := u.ReadFile("motd")
		assert.ErrorIs(t, err, os.ErrNotExist, u.Name())
		state, err := u.State()
		require.NoError(t, err)
		assert.Equal(t, "null", state["leadership.settings.motd"], "%s keeps a tombstone", u.Name())
		assert.NotContains(t, lflags(t, u), "L.set.motd", u.Name())
	}
	requireOnePassword(t, m)
}

// Ensure that a hook failing because a tool fails leaves the store as the
// last successful hook left it, and that its retry gives the spec's flags
// and still one password (leadership scenarios 12-15 and 20, docs/design.md,
// "Leadership scenarios").
func TestPassword_FailedHookAndRetry(t *testing.T) {
	t.Parallel()
	m := newPasswordModel(t, 3)
	require.NoError(t, m.Deploy())
	leader, follower := m.Unit(0), m.Unit(2)

	// A follower whose is-leader fails: the hook fails before any handler.
	require.NoError(t, follower.SetFault("is-leader", jujusim.Fault{Cause: "connection refused"}))
	require.NoError(t, m.SetConfig(map[string]string{"motd": "hi"}))
	require.ErrorIs(t, m.Settle(), jujusim.ErrHookFailed)
	require.True(t, follower.InError())
	assert.Equal(t, sp("L.set.admin_password password.stored"), lflags(t, follower), "nothing committed")
	_, err := follower.ReadFile("motd")
	assert.ErrorIs(t, err, os.ErrNotExist, "no handler ran")

	// The leader fails on purpose after writing crash_marker.
	require.NoError(t, m.SetConfig(map[string]string{"fail-on-unit": leader.Name()}))
	require.ErrorIs(t, m.Settle(), jujusim.ErrHookFailed)
	require.True(t, leader.InError())
	leaderFlags := lflags(t, leader)
	assert.NotContains(t, leaderFlags, "L.set.crash_marker", "flags rolled back")
	assert.NotContains(t, leaderFlags, "password.crash-attempted")
	settings, err := m.LeaderSettings()
	require.NoError(t, err)
	assert.Equal(t, leader.FailedHook(), settings["crash_marker"], "leader-set is not rolled back")
	st, err := leader.Status()
	require.NoError(t, err)
	assert.Equal(t, "maintenance about to fail (injected)", st.State+" "+st.Message)

	// Retries.
	require.NoError(t, m.SetConfig(map[string]string{"fail-on-unit": ""}))
	ev, err := leader.Retry()
	require.NoError(t, err)
	require.Equal(t, 0, ev.ExitCode, ev.Stderr)
	set, cleared := ev.FlagChanges()
	assert.Equal(t, sp("leadership.changed.crash_marker leadership.set.crash_marker"), set, "the leader sees its own write as a change")
	assert.Equal(t, sp("leadership.changed.motd"), cleared)
	assert.Empty(t, ev.CallsTo("leader-set"), "no leader-set in the retry")

	require.NoError(t, follower.SetFault("is-leader", jujusim.Fault{}))
	ev, err = follower.Retry()
	require.NoError(t, err)
	require.Equal(t, 0, ev.ExitCode, ev.Stderr)
	assert.Equal(t, sp("L.changed L.changed.crash_marker L.changed.motd L.set.admin_password L.set.crash_marker L.set.motd password.stored"), lflags(t, follower))
	assert.Equal(t, "hi", readFile(t, follower, "motd"))
	require.NoError(t, m.Settle())
	requireOnePassword(t, m)
}

// Ensure that through 20 random leadership changes with hooks interleaved,
// no two units ever hold an unexpired guarantee and the password is
// generated exactly once.
func TestPassword_RandomLeadershipChanges(t *testing.T) {
	t.Parallel()
	m := newPasswordModel(t, 3)
	require.NoError(t, m.Deploy())
	rng := rand.New(rand.NewPCG(7, 11))
	hooks := []string{"update-status", "config-changed", "leader-settings-changed"}
	for i := range 20 {
		var candidates []*jujusim.Unit
		for _, u := range m.Units() {
			if u != m.Leader() {
				candidates = append(candidates, u)
			}
		}
		require.NoError(t, m.Elect(candidates[rng.IntN(len(candidates))]))
		for range rng.IntN(5) {
			u := m.Units()[rng.IntN(len(m.Units()))]
			if rng.IntN(2) == 0 {
				ev, err := u.Run(hooks[rng.IntN(len(hooks))])
				require.NoError(t, err)
				require.Equal(t, 0, ev.ExitCode, "%s %s: %s", u.Name(), ev.Hook, ev.Stderr)
			} else {
				_, _, err := u.Next()
				require.NoError(t, err)
			}
		}
		if i%3 == 0 {
			require.NoError(t, m.Settle())
		}
	}
	require.NoError(t, m.Settle())
	require.NoError(t, m.CheckInvariants())
	requireOnePassword(t, m)
	// A deposed unit keeps L.is_leader until its next hook.
	leader := m.Leader()
	require.NotNil(t, leader)
	for _, u := range m.Units() {
		ev, err := u.Run("update-status")
		require.NoError(t, err)
		require.Equal(t, 0, ev.ExitCode, ev.Stderr)
		assert.Equal(t, u == leader, slices.Contains(lflags(t, u), "L.is_leader"), u.Name())
	}
}

// Ensure that on Juju 4 (no leader-get or leader-set) the password charm
// keeps its settings, the pointer to the password's secret included, in
// the peer relation and still ends with one password on every unit, also
// across a change of leader.
func TestPassword_Juju4PeerBackend(t *testing.T) {
	t.Parallel()
	charm, dispatch := passwordCharm(t)
	m, err := jujusim.New(jujusim.Options{Charm: charm, Dispatch: dispatch, Units: 2, Dir: t.TempDir(), JujuVersion: "4.0.1"})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, m.Close()) })
	require.NoError(t, m.Deploy())
	check := func() string {
		t.Helper()
		bag, err := m.RelationData("cluster", "password")
		require.NoError(t, err)
		s, p := passwordSecret(t, m)
		requirePointer(t, bag, s)
		assert.Equal(t, []int{1}, storedRevisions(s))
		for _, u := range m.Units() {
			assert.Equal(t, p, readFile(t, u, "admin_password"), u.Name())
			assert.Contains(t, lflags(t, u), "L.set.admin_password", u.Name())
			calls, err := u.Calls()
			require.NoError(t, err)
			for _, c := range calls {
				assert.NotEqual(t, "leader-set", c.Tool, "no leader-set on Juju 4")
			}
		}
		return p
	}
	p := check()
	require.NoError(t, m.RemoveUnit(m.Unit(0)))
	require.NoError(t, m.Elect(m.Unit(1)))
	require.NoError(t, m.Settle())
	assert.Equal(t, p, check())
	require.NoError(t, m.CheckInvariants())
}
