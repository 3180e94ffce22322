package jujusim_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/interfaces/credentials"
	"github.com/charmkit/charmkit/testing/fakejuju"
	"github.com/charmkit/charmkit/testing/jujusim"
)

// findCredentialsSecret returns the password application's secret in
// which the credentials interface keeps what it gives the client of
// relation rel (label credentials-clients-<relation number>), if the
// model has it.
func findCredentialsSecret(tb testing.TB, m *jujusim.Model, rel *jujusim.Relation) (jujusim.Secret, bool) {
	tb.Helper()
	secrets, err := m.Secrets()
	require.NoError(tb, err)
	label := credentials.SecretLabel("clients", strconv.Itoa(rel.ID()))
	i := slices.IndexFunc(secrets, func(s jujusim.Secret) bool { return s.Owner == "password" && s.Label == label })
	if i < 0 {
		return jujusim.Secret{}, false
	}
	return secrets[i], true
}

// hasCredentialsSecret reports whether the model has the credentials
// secret of relation rel.
func hasCredentialsSecret(tb testing.TB, m *jujusim.Model, rel *jujusim.Relation) bool {
	tb.Helper()
	_, ok := findCredentialsSecret(tb, m, rel)
	return ok
}

// credentialsSecret returns the credentials secret of relation rel and
// the content of its latest revision.
func credentialsSecret(tb testing.TB, m *jujusim.Model, rel *jujusim.Relation) (jujusim.Secret, map[string]string) {
	tb.Helper()
	s, ok := findCredentialsSecret(tb, m, rel)
	require.True(tb, ok, "the password application has the secret of relation %d", rel.ID())
	latest := s.Latest()
	require.NotNil(tb, latest, "the secret's latest revision is stored")
	content, err := latest.Values()
	require.NoError(tb, err)
	return s, content
}

// execTool runs a hook tool on u as juju exec does and returns the event.
func execTool(tb testing.TB, u *jujusim.Unit, command string) *jujusim.Event {
	tb.Helper()
	ev, err := u.Exec(command)
	require.NoError(tb, err)
	return ev
}

// Ensure the credentials interface's secret mode across applications on
// the compiled example charms, and the fake Juju's rules it relies on: the
// password application's leader keeps the client's username and password
// in a secret granted to the relation; the client application's units
// read it by the URI in the bag, while a unit of an application the
// secret is not granted to may not, by URI or by the label; a rotation
// makes a new revision, which Juju announces to the client units that
// read the secret (secret-changed), whose --refresh reads move their
// tracking to it, after which the leader removes the revision nobody
// tracks (secret-remove); removing the relation ends the grant and the
// leader removes the secret. No password appears outside the secrets at
// any point.
func TestCredentials_SecretAcrossApplications(t *testing.T) {
	t.Parallel()
	pwCharm, pwBin := passwordCharm(t)
	clCharm, clBin := clientCharm(t)
	m := jujusim.Start(t, jujusim.Options{Charm: pwCharm, Dispatch: pwBin, Units: 2})
	client, err := m.AddApplication(jujusim.AppOptions{Charm: clCharm, Dispatch: clBin, Units: 2})
	require.NoError(t, err)
	other, err := m.AddApplication(jujusim.AppOptions{Charm: clCharm, Dispatch: clBin, Name: "other-client", Units: 1})
	require.NoError(t, err)
	require.NoError(t, m.Deploy())
	rel, err := m.Relate("password-client", "password")
	require.NoError(t, err)
	require.NoError(t, m.Settle())
	require.NoError(t, m.CheckInvariants())

	_, p1 := passwordSecret(t, m)
	s, content := credentialsSecret(t, m, rel)
	assert.Equal(t, map[string]string{"username": "admin", "password": p1}, content)
	assert.Equal(t, map[string]fakejuju.SecretGrant{"password-client": {Relation: rel.ID()}}, s.Grants, "granted to the client application, in the relation")
	bag, err := rel.Data("password")
	require.NoError(t, err)
	uri := bag[credentials.SecretUserKey]
	assert.True(t, strings.HasPrefix(uri, "secret://") && strings.HasSuffix(uri, "/"+s.ID), "the bag names the secret: %q", uri)
	for _, c := range client.Units() {
		require.Contains(t, s.Consumers, c.Name(), "%s read the secret", c.Name())
		assert.Equal(t, 1, s.Consumers[c.Name()].Current, c.Name())
		assert.Equal(t, p1, clientFile(t, c), c.Name())
		ev := execTool(t, c, "secret-get "+uri+" username")
		assert.Equal(t, 0, ev.ExitCode, ev.Stderr)
		assert.Equal(t, "admin\n", ev.Stdout, "%s reads the secret by its URI", c.Name())
	}

	// An application the secret is not granted to reads nothing, by URI
	// or by the owner's label.
	o := other.Unit(0)
	assert.Equal(t, "-", clientFile(t, o))
	for _, cmd := range []string{"secret-get " + uri + " --refresh username", "secret-get secret:" + s.ID + " username", "secret-get --label " + s.Label + " username"} {
		ev := execTool(t, o, cmd)
		assert.NotEqual(t, 0, ev.ExitCode, cmd)
		assert.Empty(t, ev.Stdout, cmd)
	}
	assert.Contains(t, execTool(t, o, "secret-get "+uri+" username").Stderr, "permission denied")
	s, _ = credentialsSecret(t, m, rel)
	assert.NotContains(t, s.Consumers, o.Name(), "no consumer record for a refused read")

	// juju run password/leader rotate-password: a new revision, announced
	// to the client units, which follow it; revision 1 is then removed by
	// the leader.
	seen := len(m.Timeline())
	ev := rotate(t, m.Leader())
	require.NoError(t, m.Settle())
	evs := append([]*jujusim.Event{ev}, m.Timeline()[seen:]...)
	_, p2 := passwordSecret(t, m)
	require.NotEqual(t, p1, p2)
	assert.Empty(t, appSets(evs), "the bag does not change")
	s, content = credentialsSecret(t, m, rel)
	assert.Equal(t, p2, content["password"])
	assert.Equal(t, 2, s.LatestRevision)
	assert.Equal(t, []int{2}, storedRevisions(s), "revision 1, tracked by nobody, is removed")
	for _, c := range client.Units() {
		i := slices.IndexFunc(evs, func(ev *jujusim.Event) bool { return ev.Unit == c.Name() && ev.Hook == "secret-changed" })
		require.GreaterOrEqual(t, i, 0, "%s runs secret-changed", c.Name())
		changed := evs[i]
		assert.Equal(t, 0, changed.ExitCode, changed.Stderr)
		gets := changed.CallsTo("secret-get")
		require.NotEmpty(t, gets, c.Name())
		assert.Contains(t, gets[0].Args, "--refresh", "%s follows the latest revision", c.Name())
		assert.Contains(t, handlersRun(changed), "write_password", "%s: server.changed was set", c.Name())
		assert.Subset(t, changed.FlagsAfter, sp("server.available client.password-written"), c.Name())
		assert.NotContains(t, changed.FlagsAfter, "server.changed", "%s used the new password", c.Name())
		assert.Equal(t, 2, s.Consumers[c.Name()].Current, "%s tracks revision 2", c.Name())
		assert.Equal(t, p2, clientFile(t, c), c.Name())
	}
	removed := slices.ContainsFunc(evs, func(ev *jujusim.Event) bool {
		return ev.Unit == m.Leader().Name() && ev.Hook == "secret-remove" &&
			slices.ContainsFunc(ev.CallsTo("secret-remove"), func(c jujusim.ToolCall) bool {
				return slices.Equal(c.Args, []string{"secret:" + s.ID, "--revision=1"})
			})
	})
	assert.True(t, removed, "the leader removes revision 1 of the relation's secret in a secret-remove hook")
	assert.NotEqual(t, 0, execTool(t, o, "secret-get "+uri+" --refresh username").ExitCode, "still not granted")
	require.NoError(t, m.KeepSecret(p1))
	require.NoError(t, m.CheckInvariants(), "the old password is nowhere")

	// juju remove-relation: the grant ends with the relation and the
	// leader removes the secret; the client units remove their files.
	require.NoError(t, m.RemoveRelation(rel))
	require.NoError(t, m.Settle())
	require.True(t, rel.Gone())
	assert.False(t, hasCredentialsSecret(t, m, rel), "the relation's secret is removed")
	removedIn := []string{}
	for _, ev := range m.Timeline() {
		if ev.Unit == m.Leader().Name() && slices.ContainsFunc(ev.CallsTo("secret-remove"), func(c jujusim.ToolCall) bool {
			return slices.Equal(c.Args, []string{"secret:" + s.ID})
		}) {
			removedIn = append(removedIn, ev.Hook)
		}
	}
	require.Len(t, removedIn, 1, "the leader removes the secret once")
	assert.Equal(t, "clients-relation-broken", removedIn[0], "removed with the relation, not when its last unit departs")
	for _, c := range client.Units() {
		assert.Equal(t, "-", clientFile(t, c), c.Name())
		assert.NotContains(t, lflags(t, c), "server.available", c.Name())
		ev := execTool(t, c, "secret-get "+uri+" username")
		assert.NotEqual(t, 0, ev.ExitCode, "%s reads the secret no more", c.Name())
		assert.Empty(t, ev.Stdout)
	}

	// The client knew p2: a last rotation retires it, and every invariant
	// holds.
	rotate(t, m.Leader())
	require.NoError(t, m.Settle())
	require.NoError(t, m.KeepSecret(p2))
	require.NoError(t, m.CheckInvariants())
}
