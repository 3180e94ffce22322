package jujusim_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/testing/jujusim"
)

func newPeers(tb testing.TB, n int) *jujusim.Model {
	tb.Helper()
	m, err := jujusim.New(jujusim.Options{Charm: filepath.Join("testdata", "charms", "peers"), Units: n, Dir: tb.TempDir()})
	require.NoError(tb, err)
	tb.Cleanup(func() { require.NoError(tb, m.Close()) })
	return m
}

// Ensure that a peer relation gets relation-created before the leadership
// hook, and joined/changed for every pair of units after start, in the
// relation resolver's order: a counterpart application bag's change before a
// counterpart unit's, and the leader too gets the app-level -changed after its
// own write to the peer application bag (as Juju 3.6 does). Units enter the
// scope with their addresses in their bags.
func TestModel_PeerHooks(t *testing.T) {
	t.Parallel()
	m := newPeers(t, 2)
	require.NoError(t, m.Deploy())
	assert.Equal(t, []string{
		"install rel= remote= app=",
		"cluster-relation-created rel=cluster:0 remote= app=peers",
		"leader-elected rel= remote= app=",
		"config-changed rel= remote= app=",
		"start rel= remote= app=",
		"cluster-relation-joined rel=cluster:0 remote=peers/1 app=peers",
		"cluster-relation-changed rel=cluster:0 remote=peers/1 app=peers",
		// its own write to the application bag, in peers/1's joined:
		"cluster-relation-changed rel=cluster:0 remote= app=peers",
	}, strings.Split(strings.TrimSpace(readFile(t, m.Unit(0), "hooks.log")), "\n"))
	assert.Equal(t, []string{
		"install rel= remote= app=",
		"cluster-relation-created rel=cluster:0 remote= app=peers",
		"leader-settings-changed rel= remote= app=",
		"config-changed rel= remote= app=",
		"start rel= remote= app=",
		"cluster-relation-joined rel=cluster:0 remote=peers/0 app=peers",
		"cluster-relation-changed rel=cluster:0 remote=peers/0 app=peers",
		// peers/0's joined then wrote the application bag and its own bag:
		"cluster-relation-changed rel=cluster:0 remote= app=peers",
		"cluster-relation-changed rel=cluster:0 remote=peers/0 app=peers",
	}, strings.Split(strings.TrimSpace(readFile(t, m.Unit(1), "hooks.log")), "\n"))

	bag, err := m.RelationData("cluster", "peers/1")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"name": "peers/1", "private-address": "10.1.0.2", "ingress-address": "10.1.0.2"}, bag)
	app, err := m.RelationData("cluster", "peers")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"members": "1"}, app, "only the leader wrote the application bag")
	assert.Equal(t, `{"ingress-address":"10.1.0.2","name":"peers/1","private-address":"10.1.0.2"}`+"\n", readFile(t, m.Unit(0), "seen-peers-1"))
}

// Ensure that relation-set is committed only when the hook succeeds, and a
// committed change queues -relation-changed on the other units.
func TestModel_RelationSetCommit(t *testing.T) {
	t.Parallel()
	m := newPeers(t, 2)
	require.NoError(t, m.Deploy())
	ev := mustExec(t, m.Unit(0), "relation-set -r cluster:0 color=blue && relation-get -r 0 color peers/0")
	require.Equal(t, 0, ev.ExitCode, ev.Stderr)
	assert.Equal(t, "blue\n", ev.Stdout, "the context sees its own pending write")
	assert.Equal(t, []string{"cluster-relation-changed"}, m.Unit(1).Pending())
	bag, err := m.RelationData("cluster", "peers/0")
	require.NoError(t, err)
	assert.Equal(t, "blue", bag["color"])
	require.NoError(t, m.Settle())

	require.NoError(t, m.SetConfig(map[string]string{"fail": "true"}))
	require.ErrorIs(t, m.Settle(), jujusim.ErrHookFailed)
	bag, err = m.RelationData("cluster", "peers/0")
	require.NoError(t, err)
	assert.NotContains(t, bag, "doomed", "a failed hook's relation-set is discarded")

	ev = mustExec(t, m.Unit(1), "relation-set -r 0 --app k=v")
	assert.Equal(t, 1, ev.ExitCode)
	assert.Equal(t, "ERROR cannot write relation settings\n", ev.Stderr)
}

// Ensure that removing a unit departs it from its peers.
func TestModel_PeerDeparted(t *testing.T) {
	t.Parallel()
	m := newPeers(t, 2)
	require.NoError(t, m.Deploy())
	require.NoError(t, m.RemoveUnit(m.Unit(1)))
	assert.Equal(t, []string{"cluster-relation-departed"}, m.Unit(0).Pending())
	require.NoError(t, m.Settle())
	lines := strings.Split(strings.TrimSpace(readFile(t, m.Unit(0), "hooks.log")), "\n")
	assert.Equal(t, "cluster-relation-departed rel=cluster:0 remote=peers/1 app=peers", lines[len(lines)-1])
	assert.Equal(t, "", mustExec(t, m.Unit(0), "relation-list -r 0").Stdout)
}
