package charm_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/examples/password-charm/charm"
	"github.com/charmkit/charmkit/interfaces/credentials"
	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/testing/charmtest"
)

// Ensure that the relations the charm gives the endpoint layer are those of
// metadata.yaml.
func TestRelations_MatchMetadata(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "metadata.yaml"))
	require.NoError(t, err)
	md, err := reactive.ParseMetadata(b)
	require.NoError(t, err)
	for name, rel := range charm.Relations().Provides {
		assert.Equal(t, md.Provides[name], rel, name)
	}
	assert.Equal(t, []string{charm.ClientsRelation}, md.RelationsFor("provides", credentials.Interface))
	assert.Contains(t, md.Peers, charm.PeerRelation)
}

// clientRel is the relation clients:7 with the client application
// password-client, one unit joined.
func clientRel(appData map[string]string) charmtest.Relation {
	return charmtest.Relation{ID: "clients:7", RemoteApp: "password-client",
		Units:   map[string]map[string]string{"password-client/0": {"private-address": "10.1.0.1"}},
		AppData: appData}
}

// running is a unit of the deployed charm: the password set, stored and
// seen, and one client application related.
func running(name string, leader bool) charmtest.Unit {
	ap := map[string]string{charm.PasswordKey: "P"}
	fl := []string{"leadership.set.admin_password", "password.stored"}
	if leader {
		fl = append(fl, "leadership.is_leader")
	}
	return charmtest.Unit{Name: name, Leader: leader, LeaderSettings: ap, Snapshot: ap, Flags: fl,
		Config: config(), Files: map[string]string{"admin_password": "P"}, Relations: []charmtest.Relation{clientRel(nil)}}
}

// clientSecret returns the secret in which the credentials interface keeps
// what the leader gives the client of relation clients:7, and its URI as
// the bag holds it.
func clientSecret(t *testing.T, out charmtest.Result) (charmtest.Secret, string) {
	t.Helper()
	label := credentials.SecretLabel(charm.ClientsRelation, "clients:7")
	for _, s := range out.Secrets {
		if s.Label == label {
			return s, "secret://6e0b1d2c-0000-4000-8000-000000000000/" + strings.TrimPrefix(s.ID, "secret:")
		}
	}
	require.Failf(t, "no secret", "labelled %s", label)
	return charmtest.Secret{}, ""
}

// appSets returns the relation-set --app calls of a hook with their input.
func appSets(out charmtest.Result) []string {
	var s []string
	for _, c := range out.CallsTo("relation-set") {
		if slices.Contains(c.Args, "--app") {
			s = append(s, c.String()+" "+c.Stdin)
		}
	}
	return s
}

// Ensure that the leader gives the password to a client application when
// its first unit joins, and that followers only see clients.requested.
func TestClients_Share(t *testing.T) {
	t.Parallel()
	out := running("password/0", true).Run(t, charm.Register, "clients-relation-joined")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"sync_motd", "maybe_fail", "ready", "share_password"}, out.Invoked)
	assert.Contains(t, out.Events, "+clients.requested")
	s, uri := clientSecret(t, out)
	assert.Equal(t, []map[string]string{{"username": "admin", "password": "P"}}, s.Revisions, "in a secret")
	assert.Equal(t, map[string]string{"secret-user": uri}, out.Relations[0].AppData, "the bag names the secret")
	assert.Equal(t, []string{`relation-set --app -r clients:7 --file - {"secret-user":"` + uri + `"}` + "\n"}, appSets(out))

	again := out.Run(t, charm.Register, "update-status")
	require.NoError(t, again.Err)
	assert.Contains(t, again.Invoked, "share_password")
	assert.Empty(t, again.CallsTo("relation-set"), "already given")

	follower := running("password/1", false).Run(t, charm.Register, "clients-relation-joined")
	require.NoError(t, follower.Err)
	assert.Equal(t, []string{"maybe_fail", "ready"}, follower.Invoked)
	assert.True(t, follower.HasFlag("clients.requested"))
	assert.Empty(t, follower.CallsTo("relation-set"))
}

// Ensure that a new password reaches the clients in the hook where the
// leader makes it: an operator deleted admin_password (juju exec
// leader-set admin_password=), the leader generates another and publishes
// it at once. The relation held plain credentials (a provider of an
// earlier version): they are moved into the relation's secret.
func TestClients_NewPassword(t *testing.T) {
	t.Parallel()
	u := running("password/0", true)
	u.LeaderSettings = nil
	u.Relations = []charmtest.Relation{clientRel(map[string]string{"username": "admin", "password": "P"})}
	c := &charm.Charm{NewPassword: func() (string, error) { return "P2", nil }}
	out := u.Run(t, c.Register, "update-status")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"generate_secret", "store_secret", "sync_motd", "ready", "maybe_fail", "share_password"}, out.Invoked)
	s, uri := clientSecret(t, out)
	assert.Equal(t, []map[string]string{{"username": "admin", "password": "P2"}}, s.Revisions)
	assert.Equal(t, map[string]string{"secret-user": uri}, out.Relations[0].AppData, "the plain keys are deleted")
	assert.Equal(t, []string{`relation-set --app -r clients:7 --file - {"password":"","secret-user":"` + uri + `","username":""}` + "\n"}, appSets(out))
	assert.Equal(t, "P2", file(out, "admin_password"))
}

// Ensure that a client application leaving clears clients.requested and
// leaves the password alone.
func TestClients_Departed(t *testing.T) {
	t.Parallel()
	out := running("password/0", true).Run(t, charm.Register, "clients-relation-joined")
	require.NoError(t, out.Err)
	u := out.Unit
	u.Env.RemoteUnit = "password-client/0"
	out = u.Run(t, charm.Register, "clients-relation-departed")
	require.NoError(t, out.Err)
	assert.False(t, out.HasFlag("clients.requested"))
	assert.Equal(t, []string{"credentials.departed:clients", "sync_motd", "maybe_fail", "ready"}, out.Invoked)
	assert.Equal(t, "P", file(out, "admin_password"))
}
