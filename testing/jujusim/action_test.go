package jujusim_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/testing/jujusim"
)

// Ensure that an action runs the charm with the action environment and
// tools, reports its results whether or not it fails, and commits its
// queued changes only when it succeeds.
func TestUnit_RunAction(t *testing.T) {
	t.Parallel()
	charm := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(charm, "metadata.yaml"), []byte("name: act\npeers:\n  cluster:\n    interface: c\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(charm, "actions.yaml"), []byte("do-it:\n  params:\n    count: {type: integer}\n    fail: {type: boolean, default: false}\n  required: [count]\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(charm, "dispatch"), []byte(`#!/bin/sh
set -e
if [ -z "$JUJU_ACTION_NAME" ]; then exit 0; fi
echo "hook=[$JUJU_HOOK_NAME] path=$JUJU_DISPATCH_PATH action=$JUJU_ACTION_NAME" > action.log
action-log -- "starting"
n=$(action-get count)
action-set result.count="$n" result.who="$JUJU_UNIT_NAME"
relation-set -r cluster:0 touched=yes
if [ "$(action-get fail)" = "True" ]; then action-fail "asked to fail"; exit 1; fi
`), 0o755))
	m := jujusim.Start(t, jujusim.Options{Charm: charm, Units: 2})
	require.NoError(t, m.Deploy())
	u := m.Unit(1)

	ev, err := u.RunAction("do-it", map[string]any{"count": 3, "fail": false})
	require.NoError(t, err)
	require.Equal(t, 0, ev.ExitCode, ev.Stderr)
	assert.Equal(t, jujusim.KindAction, ev.Kind)
	assert.Equal(t, "do-it", ev.Hook)
	require.NotNil(t, ev.Action)
	assert.Equal(t, map[string]any{"result": map[string]any{"count": "3", "who": "act/1"}}, ev.Action.Results)
	assert.Equal(t, []string{"starting"}, ev.Action.Logs)
	assert.False(t, ev.Action.Failed)
	assert.Equal(t, "hook=[] path=actions/do-it action=do-it\n", readFile(t, u, "action.log"))
	bag, err := m.RelationData("cluster", "act/1")
	require.NoError(t, err)
	assert.Equal(t, "yes", bag["touched"], "a successful action commits its relation data")
	assert.Equal(t, []string{"cluster-relation-changed"}, m.Unit(0).Pending())
	require.NoError(t, m.Settle())

	ev, err = m.Unit(0).RunAction("do-it", map[string]any{"count": 1, "fail": true})
	require.NoError(t, err)
	assert.Equal(t, 1, ev.ExitCode)
	require.NotNil(t, ev.Action)
	assert.True(t, ev.Action.Failed)
	assert.Equal(t, "asked to fail", ev.Action.Message)
	assert.Equal(t, map[string]any{"result": map[string]any{"count": "1", "who": "act/0"}}, ev.Action.Results, "results are kept when the action fails")
	assert.False(t, m.Unit(0).InError(), "a failed action does not put the unit in error")
	bag, err = m.RelationData("cluster", "act/0")
	require.NoError(t, err)
	assert.NotContains(t, bag, "touched", "a failed action commits nothing")
	assert.Empty(t, u.Pending())

	// Juju refuses an undeclared action and parameters the schema does not
	// allow, before anything runs; a parameter not given takes its default.
	for _, tc := range []struct {
		name   string
		params map[string]any
		want   string
	}{
		{"do-itt", nil, `declares no such action (did you mean "do-it"?)`},
		{"do-it", map[string]any{"count": "many"}, `parameter "count": a string, but actions.yaml declares it of type integer`},
		{"do-it", nil, `parameter "count" is required by actions.yaml`},
	} {
		_, err := u.RunAction(tc.name, tc.params)
		require.ErrorIs(t, err, jujusim.ErrBadAction, tc.want)
		assert.ErrorContains(t, err, tc.want)
	}
	assert.Empty(t, u.Pending())
	ev, err = u.RunAction("do-it", map[string]any{"count": 2})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"count": int64(2), "fail": false}, ev.Action.Params)
	assert.False(t, ev.Action.Failed)
}
