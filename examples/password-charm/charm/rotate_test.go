package charm_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/examples/password-charm/charm"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/testing/charmtest"
)

// The password in a Juju secret, and the rotate-password action, on one
// unit at a time (charmtest). testing/jujusim runs the same story on
// three simulated units of the compiled charm.

// secretCharm returns the charm as its binary runs it on Juju 3
// (charm.ForJuju: the password in a secret) with passwords
// "rotation-test-password-1", -2, ... so that tests can look for them.
func secretCharm() *charm.Charm {
	c := charm.ForJuju(hookenv.Env{})
	n := 0
	c.NewPassword = func() (string, error) {
		n++
		return fmt.Sprintf("rotation-test-password-%d", n), nil
	}
	return c
}

// passwordSecret returns the unit's one secret, which must be the
// application's leadership-admin secret, and the value of admin_password
// in each of its revisions (empty for a removed revision).
func passwordSecret(t *testing.T, u charmtest.Unit) (charmtest.Secret, []string) {
	t.Helper()
	require.Len(t, u.Secrets, 1, "one secret")
	s := u.Secrets[0]
	assert.Equal(t, leadership.SecretLabel(charm.PasswordGroup), s.Label)
	assert.Empty(t, s.Owner, "owned by the application")
	var values []string
	for _, content := range s.Revisions {
		values = append(values, content["admin-password"])
	}
	return s, values
}

// pointerRevision checks that the leader settings hold the pointer to the
// secret s and no plain password, and returns the revision it names.
func pointerRevision(t *testing.T, settings map[string]string, s charmtest.Secret) int {
	t.Helper()
	assert.NotContains(t, settings, charm.PasswordKey, "no plain password in the leader settings")
	var p struct {
		ID       string `json:"id"`
		Revision int    `json:"revision"`
	}
	require.NoError(t, json.Unmarshal([]byte(settings[leadership.SecretPointerKey(charm.PasswordGroup)]), &p))
	assert.Equal(t, s.ID, p.ID)
	return p.Revision
}

// requireNoSecretShown checks that none of the values appears in what a
// hook or action showed: tool-call arguments, stdin and errors, log
// records, status messages, and the action's results and message.
// (secret-get's output is where a unit reads a secret, and is not
// looked at.)
func requireNoSecretShown(t *testing.T, out charmtest.Result, values ...string) {
	t.Helper()
	var shown []string
	for _, c := range out.Calls {
		shown = append(shown, c.String(), c.Stdin, c.Stderr)
		if c.Tool != "secret-get" {
			shown = append(shown, c.Stdout)
		}
	}
	for _, l := range out.Logs {
		shown = append(shown, l.Message)
	}
	for _, s := range out.StatusHistory {
		shown = append(shown, s.Message)
	}
	if a := out.Action; a != nil {
		b, err := json.Marshal(a.Results)
		require.NoError(t, err)
		shown = append(shown, string(b), a.Message, strings.Join(a.Logs, "\n"))
	}
	text := strings.Join(shown, "\n")
	for _, v := range values {
		require.NotEmpty(t, v)
		assert.NotContains(t, text, v, "a password is shown")
	}
}

// leaderInstalled runs a fresh leader's install of c and returns it.
func leaderInstalled(t *testing.T, c *charm.Charm) charmtest.Result {
	t.Helper()
	out := charmtest.Unit{Name: "password/0", Leader: true, Config: config()}.Run(t, c.Register, "install")
	require.NoError(t, out.Err)
	return out
}

// Ensure that with charm.ForJuju on Juju 3 the leader's install keeps the
// password in an application-owned secret: one revision holding it, the
// leader settings holding only the pointer (published by leader-set at the
// end of the hook), the unit's store only a token, and no tool argument,
// log or status showing the password; the flags and the file are those of
// the plain charm.
func TestSecret_LeaderInstall(t *testing.T) {
	t.Parallel()
	out := leaderInstalled(t, secretCharm())
	assert.Equal(t, []string{"generate_secret", "sync_motd", "waiting", "store_secret", "maybe_fail", "ready"}, out.Invoked)
	assert.Equal(t, []string{"+L.is_leader", "+L.changed.admin_password", "+L.changed", "+L.set.admin_password", "+password.stored"}, short(out.Events))
	s, values := passwordSecret(t, out.Unit)
	assert.Equal(t, []string{"rotation-test-password-1"}, values)
	assert.Equal(t, 1, pointerRevision(t, out.LeaderSettings, s))
	assert.Equal(t, "rotation-test-password-1", file(out, "admin_password"))
	assert.True(t, strings.HasPrefix(out.Snapshot[charm.PasswordKey], s.ID+"?"), "the store keeps a token: %q", out.Snapshot[charm.PasswordKey])
	require.Len(t, out.CallsTo("secret-add"), 1)
	sets := out.CallsTo("leader-set")
	require.Len(t, sets, 1)
	assert.Equal(t, sets[0], out.Calls[len(out.Calls)-1], "the pointer is published last, when the hook has succeeded")
	requireNoSecretShown(t, out, "rotation-test-password-1")
}

// Ensure that rotate-password on the leader sets a new password: a second
// revision of the same secret, the pointer moved to it, the leader's own
// file and flags changed in the action itself (store_secret runs after the
// action's handler), results that say "rotated" and nothing else, and the
// password in no argument, log, status or result.
func TestRotate_Leader(t *testing.T) {
	t.Parallel()
	c := secretCharm()
	installed := leaderInstalled(t, c)
	before, _ := passwordSecret(t, installed.Unit)

	out := installed.RunAction(t, c.Register, charm.RotateAction, nil)
	require.NoError(t, out.Err)
	require.NotNil(t, out.Action)
	assert.False(t, out.Action.Failed, out.Action.Message)
	assert.Equal(t, map[string]any{"result": "rotated"}, out.Action.Results)
	assert.Equal(t, []string{"rotate_password", "store_secret", "sync_motd", "maybe_fail", "ready"}, out.Invoked)
	assert.Equal(t, []string{"-L.changed.admin_password", "-L.changed", "+L.changed.admin_password", "+L.changed"}, short(out.Events),
		"the install's changes cleared at the start, the rotation's raised")
	assert.ElementsMatch(t, sp("L.changed L.changed.admin_password L.is_leader L.set.admin_password password.stored"), short(out.Flags))

	s, values := passwordSecret(t, out.Unit)
	assert.Equal(t, before.ID, s.ID, "the same secret")
	assert.Equal(t, []string{"rotation-test-password-1", "rotation-test-password-2"}, values, "a new revision")
	assert.Equal(t, 2, pointerRevision(t, out.LeaderSettings, s))
	assert.Equal(t, "rotation-test-password-2", file(out, "admin_password"))
	assert.Len(t, out.CallsTo("secret-set"), 1)
	assert.Empty(t, out.CallsTo("secret-add"))
	requireNoSecretShown(t, out, "rotation-test-password-1", "rotation-test-password-2")

	// The leader's next hooks: a secret-remove hook for the old revision
	// (Juju sends it once no unit tracks it) removes it.
	next := out.Run(t, c.Register, "update-status")
	require.NoError(t, next.Err)
	u := next.Unit
	u.Env.SecretID, u.Env.SecretRevision = s.ID, 1
	removed := u.Run(t, c.Register, "secret-remove")
	require.NoError(t, removed.Err)
	rm := removed.CallsTo("secret-remove")
	require.Len(t, rm, 1)
	assert.Equal(t, []string{s.ID, "--revision=1"}, rm[0].Args)
	_, values = passwordSecret(t, removed.Unit)
	assert.Equal(t, []string{"", "rotation-test-password-2"}, values, "revision 1 is gone")
	requireNoSecretShown(t, removed, "rotation-test-password-1", "rotation-test-password-2")
}

// Ensure that a follower, given the leader's pointer and secret, writes
// the password in its first hook, and the rotated one in the
// leader-settings-changed after the rotation, with the flags of the plain
// charm.
func TestRotate_FollowerFollows(t *testing.T) {
	t.Parallel()
	c := secretCharm()
	leader := leaderInstalled(t, c)
	follower := charmtest.Unit{Name: "password/1", Config: config(), LeaderSettings: leader.LeaderSettings, Secrets: leader.Secrets}
	follower.Secrets[0].Tracked = 0 // the leader's own tracking is not the follower's
	out := follower.Run(t, c.Register, "install")
	require.NoError(t, out.Err)
	assert.Equal(t, "rotation-test-password-1", file(out, "admin_password"))
	assert.True(t, out.HasFlag(charm.StoredFlag))
	require.Len(t, out.Secrets, 1)
	assert.Equal(t, 1, out.Secrets[0].Tracked)

	out = out.Run(t, c.Register, "leader-settings-changed")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"-L.changed.admin_password", "-L.changed"}, short(out.Events))

	rotated := leader.RunAction(t, c.Register, charm.RotateAction, nil)
	require.NoError(t, rotated.Err)
	next := out.Unit
	next.LeaderSettings = rotated.LeaderSettings
	next.Secrets[0].Revisions = rotated.Secrets[0].Revisions
	out = next.Run(t, c.Register, "leader-settings-changed")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"store_secret", "maybe_fail", "ready"}, out.Invoked)
	assert.Equal(t, []string{"+L.changed.admin_password", "+L.changed"}, short(out.Events))
	assert.Equal(t, "rotation-test-password-2", file(out, "admin_password"))
	assert.Equal(t, 2, out.Secrets[0].Tracked, "the follower tracks the new revision, so the old one can go")
	requireNoSecretShown(t, out, "rotation-test-password-1", "rotation-test-password-2")
}

// Ensure that rotate-password on a follower fails with a message that says
// where to run it, and changes nothing: no secret or setting written, the
// same password, file and leadership.set flag.
func TestRotate_Follower(t *testing.T) {
	t.Parallel()
	c := secretCharm()
	leader := leaderInstalled(t, c)
	follower := charmtest.Unit{Name: "password/1", Config: config(), LeaderSettings: leader.LeaderSettings, Secrets: leader.Secrets}
	follower.Secrets[0].Tracked = 0
	installed := follower.Run(t, c.Register, "install")
	require.NoError(t, installed.Err)

	out := installed.RunAction(t, c.Register, charm.RotateAction, nil)
	require.NoError(t, out.Err, "the action fails, the process does not")
	require.NotNil(t, out.Action)
	assert.True(t, out.Action.Failed)
	assert.Equal(t, "password/1 is not the leader: run the action on the leader (juju run password/leader rotate-password)", out.Action.Message)
	assert.Empty(t, out.Action.Results)
	for _, tool := range []string{"leader-set", "secret-add", "secret-set", "relation-set"} {
		assert.Empty(t, out.CallsTo(tool), tool)
	}
	assert.Equal(t, installed.LeaderSettings, out.LeaderSettings)
	assert.Equal(t, installed.Secrets[0].Revisions, out.Secrets[0].Revisions)
	assert.Equal(t, "rotation-test-password-1", file(out, "admin_password"))
	assert.True(t, out.HasFlag("leadership.set.admin_password"))
	assert.True(t, out.HasFlag(charm.StoredFlag))
	assert.Equal(t, installed.Snapshot, out.Snapshot)
	requireNoSecretShown(t, out, "rotation-test-password-1")
}

// Ensure that on a Juju without secrets (2.9) the charm keeps working with
// the password in plain leader settings, logging a WARNING in every hook
// and action, and that rotate-password still sets a new one.
func TestRotate_JujuWithoutSecrets(t *testing.T) {
	t.Parallel()
	c := secretCharm()
	old := charmtest.HookEnv{JujuVersion: "2.9.44"}
	out := charmtest.Unit{Name: "password/0", Leader: true, Config: config(), Env: old}.Run(t, c.Register, "install")
	require.NoError(t, out.Err)
	warning := "leadership: Juju 2.9.44 has no secrets (they need 3.0.2 or later): keeping keys admin_password in plain settings (Options.PlainFallback)"
	hasWarning := func(out charmtest.Result) bool {
		return slices.ContainsFunc(out.Logs, func(l charmtest.LogRecord) bool { return l.Level == "WARNING" && l.Message == warning })
	}
	assert.True(t, hasWarning(out), "the WARNING in %v", out.Logs)
	assert.Equal(t, map[string]string{charm.PasswordKey: "rotation-test-password-1"}, out.LeaderSettings)
	assert.Empty(t, out.Secrets)
	for _, tool := range []string{"secret-info-get", "secret-add", "secret-set", "secret-get"} {
		assert.Empty(t, out.CallsTo(tool), tool)
	}
	assert.Equal(t, "rotation-test-password-1", file(out, "admin_password"))
	assert.Equal(t, charmtest.Status{State: "active", Message: "ready (leader)"}, out.Status)

	out = out.RunAction(t, c.Register, charm.RotateAction, nil)
	require.NoError(t, out.Err)
	require.NotNil(t, out.Action)
	assert.False(t, out.Action.Failed, out.Action.Message)
	assert.Equal(t, map[string]any{"result": "rotated"}, out.Action.Results)
	assert.True(t, hasWarning(out))
	assert.Equal(t, map[string]string{charm.PasswordKey: "rotation-test-password-2"}, out.LeaderSettings)
	assert.Empty(t, out.Secrets)
	assert.Equal(t, "rotation-test-password-2", file(out, "admin_password"))
}

// Ensure that upgrading a deployment of the charm that kept the password
// in plain leader settings moves it into the secret: the same password (no
// new one generated), no flag raised, the plain key deleted in the same
// leader-set that publishes the pointer.
func TestSecret_UpgradeFromPlainSettings(t *testing.T) {
	t.Parallel()
	const pw = "password-from-before-secrets"
	plain := map[string]string{charm.PasswordKey: pw}
	u := charmtest.Unit{Name: "password/0", Leader: true, Config: config(),
		Flags:          []string{"leadership.is_leader", "leadership.set.admin_password", "password.stored"},
		LeaderSettings: plain, Snapshot: plain, Files: map[string]string{"admin_password": pw}}
	out := u.Run(t, secretCharm().Register, "upgrade-charm")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"sync_motd", "maybe_fail", "ready"}, out.Invoked, "no password generated, none written")
	assert.Empty(t, out.Events, "no flag raised")
	s, values := passwordSecret(t, out.Unit)
	assert.Equal(t, []string{pw}, values)
	assert.Equal(t, 1, pointerRevision(t, out.LeaderSettings, s))
	sets := out.CallsTo("leader-set")
	require.Len(t, sets, 1)
	assert.Contains(t, sets[0].Args, charm.PasswordKey+"=", "the plain key is deleted with the pointer's publication")
	assert.Equal(t, pw, file(out, "admin_password"))
	assert.NotContains(t, out.Snapshot[charm.PasswordKey], pw, "the store keeps a token")
	// The hook-start leader-get still read the plain value; nothing after.
	require.Equal(t, "leader-get", out.Calls[2].Tool)
	assert.Contains(t, out.Calls[2].Stdout, pw)
	out.Calls = out.Calls[3:]
	requireNoSecretShown(t, out, pw)
}

// Ensure that actions.yaml declares rotate-password with no parameter,
// so that `juju run` refuses any (charmtest checks it as Juju does).
func TestRotate_NoParameters(t *testing.T) {
	t.Parallel()
	c := secretCharm()
	leader := leaderInstalled(t, c)
	_, err := leader.Unit.RunActionDir(t.Context(), t.TempDir(), c.Register, charm.RotateAction, map[string]any{"length": 12})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"length"`)
}

// Ensure that with the password in a secret the leader still gives it to a
// related client application (read from the secret, published in the
// relation's application bag), and that rotate-password sends the new one
// in the action itself, nothing else. The relation bag is plain data: the
// credentials interface hands the password over as it is.
func TestRotate_ClientsGetTheNewPassword(t *testing.T) {
	t.Parallel()
	c := secretCharm()
	leader := leaderInstalled(t, c).Unit
	leader.Relations = []charmtest.Relation{clientRel(nil)}
	joined := leader.Run(t, c.Register, "clients-relation-joined")
	require.NoError(t, joined.Err)
	assert.Contains(t, joined.Invoked, "share_password")
	s, uri := clientSecret(t, joined)
	assert.Equal(t, []map[string]string{{"username": "admin", "password": "rotation-test-password-1"}}, s.Revisions)
	assert.Equal(t, map[string]string{"secret-user": uri}, joined.Relations[0].AppData)

	out := joined.RunAction(t, c.Register, charm.RotateAction, nil)
	require.NoError(t, out.Err)
	assert.False(t, out.Action.Failed, out.Action.Message)
	s, _ = clientSecret(t, out)
	assert.Equal(t, []map[string]string{{"username": "admin", "password": "rotation-test-password-1"}, {"username": "admin", "password": "rotation-test-password-2"}},
		s.Revisions, "a new revision of the relation's secret")
	assert.Equal(t, map[string]string{"secret-user": uri}, out.Relations[0].AppData)
	assert.Empty(t, appSets(out), "the bag does not change")
}
