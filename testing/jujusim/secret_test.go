package jujusim_test

import (
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
