package charm_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/examples/password-charm/charm"
	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/reactive"
)

// Ensure that the password file follows the password-file option: default
// admin_password, relative to the charm directory, absolute paths as given,
// mode 0600, no temporary file left behind, and moved when the option
// changes.
func TestPasswordFile(t *testing.T) {
	abs := filepath.Join(t.TempDir(), "secrets", "pw")
	tests := []struct {
		name   string
		option any
		path   func(u *unit) string
	}{
		{"default", "admin_password", func(u *unit) string { return filepath.Join(u.dir, "admin_password") }},
		{"empty means default", "", func(u *unit) string { return filepath.Join(u.dir, "admin_password") }},
		{"relative in a sub-directory", "etc/app/password", func(u *unit) string { return filepath.Join(u.dir, "etc", "app", "password") }},
		{"absolute", abs, func(*unit) string { return abs }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j := newJuju()
			j.config["password-file"] = tc.option
			u := newUnit(t, 0)
			j.leader = u.name
			o := runHook(t, j, &charm.Charm{}, u, "install")
			require.NoError(t, o.err)
			p := tc.path(u)
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			assert.Equal(t, j.settings[charm.PasswordKey], string(b))
			fi, err := os.Stat(p)
			require.NoError(t, err)
			assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
			entries, err := os.ReadDir(filepath.Dir(p))
			require.NoError(t, err)
			for _, e := range entries {
				assert.False(t, strings.Contains(e.Name(), ".tmp"), "temporary file left: %s", e.Name())
			}
		})
	}
	t.Run("changing the option moves the file", func(t *testing.T) {
		j := newJuju()
		u := newUnit(t, 1)
		j.leader = "password/0"
		j.settings[charm.PasswordKey] = "shared"
		require.NoError(t, runHook(t, j, &charm.Charm{}, u, "install").err)
		assert.Equal(t, "shared", fileOf(t, u, "admin_password"))
		j.config["password-file"] = "moved"
		o := runHook(t, j, &charm.Charm{}, u, "config-changed")
		require.NoError(t, o.err)
		assert.Equal(t, []string{"maybe_fail", "ready"}, o.res.Invoked)
		assert.Equal(t, "shared", fileOf(t, u, "moved"))
	})
}

// Ensure that a fresh follower whose first hook fails keeps nothing in its
// store but keeps the file and status its handlers made; the retry then
// behaves as a normal first hook (scenario 17).
func TestFirstHookFails(t *testing.T) {
	j := newJuju()
	j.leader = "password/0"
	j.settings[charm.PasswordKey] = "P1"
	j.config["fail-on-unit"] = "password/1"
	u := newUnit(t, 1)
	o := runHook(t, j, &charm.Charm{}, u, "install")
	require.ErrorIs(t, o.err, charm.ErrInjectedFailure)
	var keys []string
	require.NoError(t, u.store.View(context.Background(), func(tx *flags.Tx) error {
		keys = tx.Keys("")
		return nil
	}))
	assert.Empty(t, keys, "the store holds no key")
	assert.Equal(t, "P1", fileOf(t, u, "admin_password"))
	assert.Equal(t, []string{"maintenance: about to fail (injected)"}, j.status[u.name])

	j.config["fail-on-unit"] = ""
	o = runHook(t, j, &charm.Charm{}, u, "install")
	require.NoError(t, o.err)
	assert.Equal(t, []string{"store_secret", "maybe_fail", "waiting", "ready"}, o.res.Invoked)
	assert.Equal(t, []string{"+L.changed.admin_password", "+L.set.admin_password", "+L.changed", "+password.stored"}, o.events)
}

// Ensure that a collect-metrics hook runs no tool and changes nothing
// (scenario 22).
func TestRestrictedHook(t *testing.T) {
	j := newJuju()
	u := newUnit(t, 0)
	j.leader = u.name
	j.config["motd"] = "hello"
	require.NoError(t, runHook(t, j, &charm.Charm{}, u, "install").err)
	before := flagsOf(t, u)
	require.Contains(t, before, "L.changed.motd")
	j.calls = nil
	o := runHook(t, j, &charm.Charm{}, u, "collect-metrics")
	require.NoError(t, o.err)
	assert.Empty(t, j.calls)
	assert.Empty(t, o.res.Invoked)
	assert.Equal(t, before, flagsOf(t, u))
}

// Ensure that with the peer backend and no peer relation yet, the leader's
// install succeeds, waits, and generates the password in a later hook.
func TestPeerRelationNotYetThere(t *testing.T) {
	j := newJuju()
	u := newUnit(t, 0)
	j.leader = u.name
	c := &charm.Charm{Leadership: leadership.Options{PeerRelation: charm.PeerRelation}}
	r := reactive.NewRegistry()
	c.Register(r)
	runner := hookenv.RunnerFunc(func(ctx context.Context, tool string, args []string, stdin []byte) ([]byte, error) {
		if tool == "relation-ids" {
			return []byte("[]\n"), nil
		}
		return j.hook(u.name).Run(ctx, tool, args, stdin)
	})
	res, err := r.Run(context.Background(), reactive.RunOptions{
		Store: u.store, Runner: runner,
		Env: hookenv.Env{InHook: true, HookName: "install", UnitName: u.name, AppName: "password", CharmDir: u.dir},
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"generate_secret", "sync_motd", "waiting"}, res.Invoked)
	assert.Equal(t, []string{"waiting: waiting for admin_password"}, j.status[u.name])
	assert.Empty(t, j.appData)

	o := runHook(t, j, c, u, "cluster-relation-created")
	require.NoError(t, o.err)
	assert.NotEmpty(t, j.appData[charm.PasswordKey])
	assert.Equal(t, j.appData[charm.PasswordKey], fileOf(t, u, "admin_password"))
}

// Ensure that ForJuju keeps leader settings before Juju 4 and uses the peer
// relation from Juju 4.
func TestForJuju(t *testing.T) {
	for _, tc := range []struct {
		major int
		peer  string
	}{{2, ""}, {3, ""}, {4, charm.PeerRelation}, {5, charm.PeerRelation}} {
		c := charm.ForJuju(hookenv.Env{JujuVersion: hookenv.Version{Major: tc.major}})
		assert.Equal(t, tc.peer, c.Leadership.PeerRelation, "Juju %d", tc.major)
	}
}

// Ensure that passwords are 43 URL-safe characters and differ every time.
func TestNewPassword(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		p, err := charm.NewPassword()
		require.NoError(t, err)
		assert.Len(t, p, 43)
		assert.NotContains(t, p, "=")
		assert.False(t, seen[p])
		seen[p] = true
	}
}

// Ensure that a unit upgraded in place from the Python charm keeps its
// state: no changed flags, no new secret, no write, the file unchanged and
// status active (scenario 21).
func TestUpgradeFromPython(t *testing.T) {
	for _, fx := range []string{"leader-after-deploy", "follower-after-deploy"} {
		t.Run(fx, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", fx, "expected.json"))
			require.NoError(t, err)
			var exp struct {
				Unit     string            `json:"unit"`
				Leader   string            `json:"model_leader"`
				Settings map[string]string `json:"model_leader_settings"`
			}
			require.NoError(t, json.Unmarshal(raw, &exp))
			dir := t.TempDir()
			db, err := os.ReadFile(filepath.Join("testdata", fx, "unit-state.db"))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(dir, ".unit-state.db"), db, 0o600))
			pw := exp.Settings[charm.PasswordKey]
			require.NoError(t, os.WriteFile(filepath.Join(dir, "admin_password"), []byte(pw), 0o600))
			store, err := flags.Open(filepath.Join(dir, ".unit-state.db"), nil)
			require.NoError(t, err)
			t.Cleanup(func() { _ = store.Close() })

			j := newJuju()
			j.leader = exp.Leader
			j.settings = exp.Settings
			u := &unit{name: exp.Unit, dir: dir, store: store}
			before := flagsOf(t, u)
			for _, hook := range []string{"upgrade-charm", "config-changed"} {
				o := runHook(t, j, &charm.Charm{}, u, hook)
				require.NoError(t, o.err)
				assert.Empty(t, o.events, hook)
				assert.NotContains(t, o.res.Invoked, "generate_secret")
				assert.NotContains(t, o.res.Invoked, "store_secret")
				assert.Contains(t, o.res.Invoked, "ready")
			}
			assert.Equal(t, before, flagsOf(t, u))
			assert.Zero(t, j.count("leader-set"))
			assert.Equal(t, pw, fileOf(t, u, "admin_password"))
			st := j.status[u.name]
			require.NotEmpty(t, st)
			assert.True(t, strings.HasPrefix(st[len(st)-1], "active: ready"), st)
		})
	}
}
