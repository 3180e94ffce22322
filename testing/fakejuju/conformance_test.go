package fakejuju_test

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/hookenv/hookenvtest"
	"github.com/charmkit/charmkit/testing/fakejuju"
	"github.com/charmkit/charmkit/testing/fakejuju/fakejujutest"
)

// expectedSkips are the golden scripts the in-process fake cannot express,
// and why.
var expectedSkips = map[string]string{
	"is-leader/no-context": "outside a hook",
	"juju-log/no-context":  "outside a hook",
}

// Ensure the fake answers every golden script exactly as Juju does, over
// either store.
func TestConformance(t *testing.T) {
	for _, kind := range []string{"memory", "dir"} {
		t.Run(kind, func(t *testing.T) {
			var mu sync.Mutex
			ran, skipped := map[string]bool{}, map[string]bool{}
			skip := func(t *testing.T, name, format string, args ...any) {
				mu.Lock()
				skipped[name] = true
				mu.Unlock()
				t.Skipf(format, args...)
			}
			hookenvtest.TestRunner(t, func(t *testing.T, s hookenvtest.State) hookenv.Runner {
				_, name, _ := strings.Cut(t.Name(), kind+"/")
				mu.Lock()
				ran[name] = true
				mu.Unlock()
				if s.OutsideHook() {
					skip(t, name, "outside a hook: only the tool client, run as a process without JUJU_CONTEXT_ID, shows this")
				}
				for _, tool := range s.Tools() {
					if !fakejuju.Serves(tool) {
						skip(t, name, "fakejuju does not serve %s", tool)
					}
				}
				m, id, err := fakejujutest.FromState(s, start)
				require.NoError(t, err)
				var store fakejuju.Store = fakejuju.NewMemory(m)
				if kind == "dir" {
					store, err = fakejuju.CreateDir(t.TempDir(), m)
					require.NoError(t, err)
				}
				return fakejuju.Runner{Store: store, Context: id, Dir: t.TempDir()}
			})
			for _, name := range slices.Sorted(maps.Keys(ran)) {
				_, expected := expectedSkips[name]
				assert.Equal(t, expected, skipped[name], "%s skipped", name)
			}
		})
	}
}

// Ensure FromState builds what the state says beyond what the scripts show:
// typed config, normalised ports, faults, leadership, members and bags, and
// refuses a state it cannot build.
func TestFromState(t *testing.T) {
	s, err := hookenvtest.ParseScript("x/y", []byte(`-- state --
{"unit": "web/1", "leader": true, "address": "10.1.2.3",
 "config": {"n": 2, "f": 2, "b": true, "s": null}, "config-types": {"f": "float"},
 "ports": ["8080", "icmp", "53/UDP"],
 "faults": {"leader-get": "down", "lose-lease-after-calls": 1},
 "relations": {"db:3": {"units": {"mysql/1": {"host": "h"}}, "app-data": {"mysql": {"a": "b"}}, "unit-data": {"mysql/0": {"old": "x"}}},
               "cluster:0": {"units": {"web/0": {}}}},
 "hook": "db-relation-departed", "relation": "db:3", "remote-unit": "mysql/0",
 "action": {"name": "backup", "params": {"n": 1, "r": 0.5}}}
-- call --
["is-leader"]
`))
	require.NoError(t, err)
	m, id, err := fakejujutest.FromState(s.State, start)
	require.NoError(t, err)
	assert.Equal(t, map[string]fakejuju.ConfigOption{
		"n": {Type: "int", Value: int64(2)}, "f": {Type: "float", Value: 2.0},
		"b": {Type: "boolean", Value: true}, "s": {Type: "string"},
	}, m.Apps["web"].Config)
	u := m.Units["web/1"]
	assert.Equal(t, "10.1.2.3", u.Address)
	assert.Equal(t, []string{"53/udp", "8080/tcp", "icmp"}, u.Ports)
	assert.Equal(t, map[string]fakejuju.Fault{"leader-get": {Cause: "down"}}, u.Faults)
	require.NotNil(t, u.TruesLeft)
	assert.Equal(t, 1, *u.TruesLeft)
	assert.True(t, m.Leads("web/1"))
	assert.Empty(t, m.Units["web/0"].Address, "only the running unit has an address")

	db := m.Relations[3]
	assert.False(t, db.Peer())
	assert.Equal(t, []string{"mysql/1", "web/1"}, db.Scope)
	assert.Equal(t, map[string]string{"host": "h"}, db.Bag("mysql/1"))
	assert.Equal(t, map[string]string{"old": "x"}, db.Bag("mysql/0"))
	assert.Equal(t, map[string]string{"a": "b"}, db.Bag("mysql"))
	assert.Equal(t, map[string]string{"private-address": "10.1.2.3", "ingress-address": "10.1.2.3"}, db.Bag("web/1"))
	assert.True(t, m.Relations[0].Peer())
	assert.Equal(t, map[string]fakejuju.Endpoint{"db": {Role: "requires", Interface: "db"}, "cluster": {Role: "peers", Interface: "cluster"}}, m.Apps["web"].Endpoints)

	c, ok := m.Context(id)
	require.True(t, ok)
	assert.Equal(t, "db-relation-departed", c.Hook)
	assert.Equal(t, 3, c.Relation)
	assert.Equal(t, "mysql", c.RemoteApp)
	assert.Equal(t, []string{"mysql/1"}, c.Members[3])
	assert.Equal(t, map[string]any{"n": int64(1), "r": 0.5}, c.Action.Params)

	for text, want := range map[string]string{
		`{"ports": ["80/sctp"]}`: `port "80/sctp": invalid protocol "sctp"`,
		`{"relations": {"db:1": {"remote-app": "mysql", "unit-data": {"other/0": {}}}}}`: "unit other/0 is not of an application in it",
	} {
		s, err := hookenvtest.ParseScript("x/y", []byte("-- state --\n"+text+"\n"))
		require.NoError(t, err)
		_, _, err = fakejujutest.FromState(s.State, start)
		assert.ErrorContains(t, err, want)
	}
}

// Ensure FromState builds a state's secrets: revisions, owner and consumer
// labels, the running unit's consumer record, grants, the next ID, and the
// model's UUID and Juju version.
func TestFromStateSecrets(t *testing.T) {
	s, err := hookenvtest.ParseScript("x/y", []byte(`-- state --
{"unit": "app/1", "model-uuid": "00000000-0000-4000-8000-000000000000", "juju-version": "3.1.2", "next-secret-id": "coj8mulh8b41e8nv6pc0",
 "secrets": {"coj8mulh8b41e8nv6p90": {"owner": "app", "label": "db-pass", "description": "d", "revisions": [{"a": "1"}, {"a": "2"}], "tracked": 1},
             "coj8mulh8b41e8nv6pa0": {"owner": "mysql", "label": "theirs", "granted": true, "revisions": [{"b": "x"}], "tracked": 1}}}
-- call --
["secret-ids"]
`))
	require.NoError(t, err)
	m, _, err := fakejujutest.FromState(s.State, start)
	require.NoError(t, err)
	assert.Equal(t, "00000000-0000-4000-8000-000000000000", m.UUID)
	assert.Equal(t, "3.1.2", m.JujuVersion)
	assert.Equal(t, "coj8mulh8b41e8nv6pc0", m.NextSecretID)
	own := m.Secrets["coj8mulh8b41e8nv6p90"]
	require.NotNil(t, own)
	assert.Equal(t, "app", own.Owner)
	assert.Equal(t, "db-pass", own.Label)
	assert.Equal(t, "d", own.Description)
	assert.Equal(t, 2, own.LatestRevision)
	v, err := own.Revision(1).Values()
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"a": "1"}, v)
	assert.Equal(t, map[string]*fakejuju.SecretConsumer{"app/1": {Current: 1, Latest: 2, Announced: 2}}, own.Consumers)
	theirs := m.Secrets["coj8mulh8b41e8nv6pa0"]
	require.NotNil(t, theirs)
	assert.Empty(t, theirs.Label, "the unit's label for another application's secret is its consumer label")
	assert.Equal(t, "theirs", theirs.Consumers["app/1"].Label)
	assert.Equal(t, map[string]fakejuju.SecretGrant{"app": {Relation: -1}}, theirs.Grants)
	assert.NotNil(t, m.Apps["mysql"], "the owner exists")
	assert.Empty(t, m.SecretHooks(), "nothing is due in a state")
}
