package jujusim_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/testing/jujusim"
)

// rotate runs rotate-password on u and checks that it succeeded with the
// results that say so and nothing else.
func rotate(t *testing.T, u *jujusim.Unit) *jujusim.Event {
	t.Helper()
	ev, err := u.RunAction("rotate-password", nil)
	require.NoError(t, err)
	require.NotNil(t, ev.Action)
	require.False(t, ev.Action.Failed, "%s: %s", ev.Action.Message, ev.Stderr)
	assert.Equal(t, map[string]any{"result": "rotated"}, ev.Action.Results)
	return ev
}

// pointerRevision returns the revision the leader settings' pointer to the
// password's secret names.
func pointerRevision(t *testing.T, m *jujusim.Model) int {
	t.Helper()
	settings, err := m.LeaderSettings()
	require.NoError(t, err)
	var p struct {
		Revision int `json:"revision"`
	}
	require.NoError(t, json.Unmarshal([]byte(settings[leadership.SecretPointerKey("admin")]), &p))
	return p.Revision
}

// requireRotatedTo checks that the password is the only stored revision,
// rev, of the secret, that the settings point to it, and that every
// password unit's file and every client unit's file hold it; it returns
// the password.
func requireRotatedTo(t *testing.T, m *jujusim.Model, client *jujusim.Application, rev int) string {
	t.Helper()
	s, p := passwordSecret(t, m)
	settings, err := m.LeaderSettings()
	require.NoError(t, err)
	requirePointer(t, settings, s)
	assert.Equal(t, []int{rev}, storedRevisions(s), "only the latest revision is stored")
	assert.Equal(t, rev, pointerRevision(t, m))
	for _, u := range m.Application(m.App()).Units() {
		assert.Equal(t, p, readFile(t, u, "admin_password"), u.Name())
		assert.Subset(t, lflags(t, u), sp("L.set.admin_password password.stored"), u.Name())
	}
	if client != nil {
		for _, u := range client.Units() {
			assert.Equal(t, p, clientFile(t, u), u.Name())
		}
	}
	return p
}

// Ensure the rotation story on three units of the compiled password charm
// with two password-client units related: after the deploy every unit and
// client has the one password, revision 1 of the application's secret;
// rotate-password on the leader makes revision 2, every unit and client
// follows, revision 1 is removed, and the old password is nowhere any more
// (declared with KeepSecret, so CheckInvariants looks for it in every bag,
// setting, store and later tool call, log and status); after a change of
// leadership the new leader rotates the same secret, while the action
// fails on a follower and changes nothing; once the relation is removed, a
// last rotation retires the password the clients knew. Every invariant,
// secret leaks included, holds at each step: the clients get the password
// from a secret, never from relation data.
func TestPassword_Rotation(t *testing.T) {
	t.Parallel()
	pwCharm, pwBin := passwordCharm(t)
	clCharm, clBin := clientCharm(t)
	m := jujusim.Start(t, jujusim.Options{Charm: pwCharm, Dispatch: pwBin, Units: 3})
	client, err := m.AddApplication(jujusim.AppOptions{Charm: clCharm, Dispatch: clBin, Units: 2})
	require.NoError(t, err)
	require.NoError(t, m.Deploy())
	rel, err := m.Relate("password-client", "password")
	require.NoError(t, err)
	require.NoError(t, m.Settle())
	p1 := requireRotatedTo(t, m, client, 1)
	require.NoError(t, m.CheckInvariants())

	// juju run password/leader rotate-password.
	leader := m.Leader()
	require.Equal(t, m.Unit(0), leader)
	ev := rotate(t, leader)
	pwSecret, _ := passwordSecret(t, m)
	relSecret, _ := credentialsSecret(t, m, rel)
	var sets []string
	for _, c := range ev.CallsTo("secret-set") {
		sets = append(sets, c.Args[0])
	}
	assert.ElementsMatch(t, []string{"secret:" + pwSecret.ID, "secret:" + relSecret.ID}, sets,
		"one new revision of the password's secret, one of the relation's secret for the clients")
	assert.Contains(t, handlersRun(ev), "store_secret", "the leader writes its file in the action")
	seen := len(m.Timeline())
	require.NoError(t, m.Settle())
	for _, u := range m.Application(m.App()).Units()[1:] {
		i := slices.IndexFunc(m.Timeline()[seen:], func(ev *jujusim.Event) bool {
			return ev.Unit == u.Name() && slices.Contains(handlersRun(ev), "store_secret")
		})
		assert.GreaterOrEqual(t, i, 0, "%s writes the new password in its next hook", u.Name())
	}
	removed := slices.ContainsFunc(m.Timeline()[seen:], func(ev *jujusim.Event) bool {
		return ev.Unit == leader.Name() && ev.Hook == "secret-remove" && len(ev.CallsTo("secret-remove")) == 1
	})
	assert.True(t, removed, "the leader removes revision 1 in a secret-remove hook")
	p2 := requireRotatedTo(t, m, client, 2)
	assert.NotEqual(t, p1, p2)
	require.NoError(t, m.KeepSecret(p1))
	require.NoError(t, m.CheckInvariants(), "the old password is nowhere")

	// A new leader rotates the same secret; a follower refuses to.
	require.NoError(t, m.Elect(m.Unit(1)))
	require.NoError(t, m.Settle())
	assert.Equal(t, p2, requireRotatedTo(t, m, client, 2), "a change of leader changes no password")
	ev, err = m.Unit(0).RunAction("rotate-password", nil)
	require.NoError(t, err)
	require.NotNil(t, ev.Action)
	assert.True(t, ev.Action.Failed)
	assert.Equal(t, "password/0 is not the leader: run the action on the leader (juju run password/leader rotate-password)", ev.Action.Message)
	for _, tool := range []string{"leader-set", "secret-add", "secret-set", "relation-set"} {
		assert.Empty(t, ev.CallsTo(tool), tool)
	}
	require.NoError(t, m.Settle())
	assert.Equal(t, p2, requireRotatedTo(t, m, client, 2), "the follower changed nothing")
	rotate(t, m.Unit(1))
	require.NoError(t, m.Settle())
	p3 := requireRotatedTo(t, m, client, 3)
	assert.NotEqual(t, p2, p3)
	require.NoError(t, m.KeepSecret(p2))
	require.NoError(t, m.CheckInvariants())

	// The clients knew p3: remove the relation, then retire p3. No live
	// password is left outside the secret.
	require.NoError(t, m.RemoveRelation(rel))
	require.NoError(t, m.Settle())
	rotate(t, m.Leader())
	require.NoError(t, m.Settle())
	p4 := requireRotatedTo(t, m, nil, 4)
	assert.NotEqual(t, p3, p4)
	for _, u := range client.Units() {
		assert.Equal(t, "-", clientFile(t, u), u.Name())
	}
	require.NoError(t, m.KeepSecret(p3))
	require.NoError(t, m.CheckInvariants())
}

// Ensure that a removed unit does not keep the revision it tracked: Juju
// deletes its secret consumer records, so after the next rotation the
// revision the removed unit had read is obsolete and the leader removes it
// like any other.
func TestPassword_RotationAfterUnitRemoved(t *testing.T) {
	t.Parallel()
	m := newPasswordModel(t, 3)
	require.NoError(t, m.Deploy())
	p1 := requireRotatedTo(t, m, nil, 1)
	gone := m.Unit(2)
	require.NoError(t, m.RemoveUnit(gone))
	require.NoError(t, m.Settle())
	secrets, err := m.Secrets()
	require.NoError(t, err)
	require.Len(t, secrets, 1)
	assert.NotContains(t, secrets[0].Consumers, gone.Name(), "the removed unit's consumer record is deleted")
	assert.Contains(t, secrets[0].Consumers, m.Unit(1).Name())

	rotate(t, m.Leader())
	require.NoError(t, m.Settle())
	p2 := requireRotatedTo(t, m, nil, 2)
	assert.NotEqual(t, p1, p2)
	require.NoError(t, m.KeepSecret(p1))
	require.NoError(t, m.CheckInvariants())
}
