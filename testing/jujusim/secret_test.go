package jujusim_test

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/testing/jujusim"
)

// Ensure that an application-owned secret is shared as Juju shares it: the
// leader's secret-add is committed with its hook, the units of the
// application read it, a new revision from the leader gives every unit that
// read it a secret-changed hook (the leader too, as Juju's code has it),
// and a follower's secret-set is refused when its hook commits.
func TestSecrets_SharedAmongUnits(t *testing.T) {
	t.Parallel()
	m := jujusim.Start(t, jujusim.Options{Charm: filepath.Join("testdata", "charms", "vault"), Units: 3})
	require.NoError(t, m.Deploy())
	first := readFile(t, m.Unit(0), "token")
	require.True(t, strings.HasPrefix(first, "token-vault/0-"), first)
	for _, u := range m.Units() {
		assert.Equal(t, first, readFile(t, u, "token"), u.Name())
	}

	ev, err := m.Unit(0).RunAction("rotate", nil)
	require.NoError(t, err)
	require.Equal(t, 0, ev.ExitCode, ev.Stderr)
	for _, u := range m.Units() {
		assert.Equal(t, []string{"secret-changed"}, u.Pending(), u.Name())
	}
	require.NoError(t, m.Settle())
	second := readFile(t, m.Unit(0), "token")
	assert.NotEqual(t, first, second)
	for _, u := range m.Units() {
		assert.Equal(t, second, readFile(t, u, "token"), u.Name())
		log := readFile(t, u, "hooks.log")
		assert.Contains(t, log, "secret-changed secret=secret:", u.Name())
		assert.Contains(t, log, "label=token", "%s: the owner label is given to the units of the owning application", u.Name())
	}

	id := strings.TrimSpace(mustExec(t, m.Unit(1), "relation-get -r cluster:0 --app id vault").Stdout)
	ev = mustExec(t, m.Unit(1), "printf x > v && secret-set "+id+" token#file=$PWD/v")
	assert.Equal(t, 0, ev.ExitCode, "the tool accepts a follower's write to an app-owned secret it cannot see...")
	assert.NotEmpty(t, ev.CommitError, "...and Juju refuses it when the context commits")
	assert.True(t, ev.Failed())
	assert.Equal(t, second, readFile(t, m.Unit(2), "token"), "nothing changed")
	require.NoError(t, m.CheckInvariants())
}

// Ensure that CheckSecretLeaks (part of CheckInvariants) finds a secret
// value planted anywhere outside the secrets, as it is and JSON-escaped:
// leader settings, a relation bag (by argument and by stdin), a unit's
// server-side state, a juju-log record and a row of a unit's
// .unit-state.db; that each leak names where it is and whose value it is,
// never the value; and that a value declared with KeepSecret counts only
// from then on.
func TestCheckSecretLeaks_PlantedLeaks(t *testing.T) {
	t.Parallel()
	m := jujusim.Start(t, jujusim.Options{Charm: filepath.Join("testdata", "charms", "vault"), Units: 2})
	require.NoError(t, m.Deploy())
	require.NoError(t, m.CheckInvariants(), "the vault charm keeps its token in the secret")
	token := readFile(t, m.Unit(0), "token")
	leader, follower := m.Unit(0), m.Unit(1)

	quoted := `pass"word\7`
	mustExec(t, follower, "juju-log 'said before it was secret: pass\"word\\7'")
	require.NoError(t, m.KeepSecret(quoted))
	require.NoError(t, m.CheckSecretLeaks(), "a value counts from KeepSecret on")

	for _, plant := range []struct {
		name, cmd string
		unit      *jujusim.Unit
		want      []string // what the errors say
	}{
		{"leader settings", "leader-set leak=" + token, leader,
			[]string{`vault's leader settings (key "leak")`, "an argument of vault/0's call"}},
		{"relation bag by stdin", `printf '{"leak":"%s"}' "$(cat token)" | relation-set -r cluster:0 --app --file -`, leader,
			[]string{`vault's bag (key "leak")`, "stdin of vault/0's call"}},
		{"server-side state", "state-set leak=" + token, follower,
			[]string{`vault/1's server-side state (key "leak")`}},
		{"juju-log", "juju-log the token is " + token, follower,
			[]string{"vault/1's juju-log record"}},
	} {
		ev := mustExec(t, plant.unit, plant.cmd)
		require.Equal(t, 0, ev.ExitCode, "%s: %s", plant.name, ev.Stderr)
		err := m.CheckSecretLeaks()
		require.Error(t, err, plant.name)
		for _, w := range plant.want {
			assert.Contains(t, err.Error(), w, plant.name)
		}
		assert.Contains(t, err.Error(), `the value of key "token" of revision 1 of secret`, plant.name)
		assert.NotContains(t, err.Error(), token, "%s: the report never shows the value", plant.name)
	}

	// A row of a unit's store (the shell charm has none: charm-helpers'
	// table), JSON-escaped.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(follower.CharmDir(), ".unit-state.db"))
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE IF NOT EXISTS kv (key TEXT, data TEXT, PRIMARY KEY (key))`)
	require.NoError(t, err)
	esc, _ := json.Marshal(quoted)
	_, err = db.Exec(`INSERT INTO kv (key, data) VALUES (?, ?)`, "charm.leak", string(esc))
	require.NoError(t, err)
	require.NoError(t, db.Close())
	err = m.CheckInvariants()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `jujusim: value 1 given to KeepSecret appears in vault/1's .unit-state.db (row "charm.leak")`)
	assert.NotContains(t, err.Error(), "said before", "the log record from before KeepSecret")
	assert.NotContains(t, err.Error(), `pass"word`)
}
