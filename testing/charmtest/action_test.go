package charmtest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/testing/charmtest"
)

// backupActions declares the actions of backupCharm.
const backupActions = `
backup:
  description: Back the data up.
  params:
    target:
      type: string
      default: /srv/backups
    keep:
      type: integer
    compress:
      type: boolean
      default: true
  additionalProperties: false
restore:
  description: Restore a backup.
  params:
    from:
      type: string
  required: [from]
`

// backupCharm answers the backup action: it reports its parameters as
// results, logs progress and sets a flag that a main-loop handler clears;
// restore fails with action-fail, or with an error when asked to.
func backupCharm(r *reactive.Registry) {
	r.Handle("backup", reactive.OnAction("backup"), func(ctx context.Context, h *reactive.Hook) error {
		p, err := h.Tools().ActionGet(ctx)
		if err != nil {
			return err
		}
		if err := h.Tools().ActionLog(ctx, "backing up"); err != nil {
			return err
		}
		if err := h.Tools().ActionSet(ctx, map[string]string{
			"target":   fmt.Sprint(p["target"]),
			"compress": fmt.Sprint(p["compress"]),
			"keep":     fmt.Sprint(p["keep"]),
		}); err != nil {
			return err
		}
		return h.SetFlag("backup.done")
	})
	r.Handle("count", reactive.When("backup.done"), func(ctx context.Context, h *reactive.Hook) error {
		return h.SetFlag("backup.counted")
	})
	r.Handle("restore", reactive.OnAction("restore"), func(ctx context.Context, h *reactive.Hook) error {
		if err := h.SetFlag("restore.tried"); err != nil {
			return err
		}
		p, err := h.Tools().ActionGet(ctx)
		if err != nil {
			return err
		}
		if p["from"] == "crash" {
			return errors.New("restore crashed")
		}
		return h.Tools().ActionFail(ctx, "no backup at "+fmt.Sprint(p["from"]))
	})
}

// Ensure that RunAction runs the action's OnAction handler with its
// parameters (the defaults of actions.yaml applied), reports results and
// log messages, and keeps the flags the action set.
func TestRunAction(t *testing.T) {
	u := charmtest.Unit{Files: map[string]string{"metadata.yaml": "name: backup\n", "actions.yaml": backupActions}}
	out := u.RunAction(t, backupCharm, "backup", map[string]any{"keep": 3})
	require.NoError(t, out.Err)
	require.NotNil(t, out.Action)
	assert.Empty(t, out.Hook)
	assert.Equal(t, "backup", out.Action.Name)
	assert.Equal(t, map[string]any{"target": "/srv/backups", "keep": int64(3), "compress": true}, out.Action.Params)
	assert.Equal(t, map[string]any{"target": "/srv/backups", "compress": "true", "keep": "3"}, out.Action.Results)
	assert.False(t, out.Action.Failed)
	assert.Equal(t, []string{"backing up"}, out.Action.Logs)
	assert.Equal(t, []string{"backup", "count"}, out.Invoked)
	assert.True(t, out.HasFlag("backup.done"))
	assert.True(t, out.HasFlag("backup.counted"))

	// A hook run after the action sees its flags; a hook has no Action.
	next := out.Run(t, backupCharm, "update-status")
	assert.Nil(t, next.Action)
	assert.True(t, next.HasFlag("backup.counted"))
}

// Ensure that a failed action is reported as Juju reports it: action-fail
// keeps its message and the store changes; a failing handler fails the
// action with the exit status and rolls the store back.
func TestRunAction_Failure(t *testing.T) {
	u := charmtest.Unit{Files: map[string]string{"metadata.yaml": "name: backup\n", "actions.yaml": backupActions}}

	out := u.RunAction(t, backupCharm, "restore", map[string]any{"from": "/nowhere"})
	require.NoError(t, out.Err, "action-fail does not fail the process")
	assert.True(t, out.Action.Failed)
	assert.Equal(t, "no backup at /nowhere", out.Action.Message)
	assert.True(t, out.HasFlag("restore.tried"))

	out = u.RunAction(t, backupCharm, "restore", map[string]any{"from": "crash"})
	require.ErrorContains(t, out.Err, "restore crashed")
	assert.Equal(t, 1, out.ExitCode)
	assert.True(t, out.Action.Failed)
	assert.Equal(t, "exit status 1", out.Action.Message)
	assert.False(t, out.HasFlag("restore.tried"), "a failed process keeps nothing in the store")
}

// Ensure that RunActionDir refuses, as Juju does, an action or parameters
// that actions.yaml does not allow, naming the problem.
func TestRunAction_Invalid(t *testing.T) {
	u := charmtest.Unit{Files: map[string]string{"metadata.yaml": "name: backup\n", "actions.yaml": backupActions}}
	for _, tc := range []struct {
		name   string
		action string
		params map[string]any
		want   string
	}{
		{"undeclared action", "bakup", nil, `action "bakup": Files["actions.yaml"] declares no such action (did you mean "backup"?) (actions: backup, restore)`},
		{"bad name", "Backup", nil, `action name "Backup"`},
		{"wrong type", "backup", map[string]any{"keep": "three"}, `parameter "keep": a string, but Files["actions.yaml"] declares it of type integer`},
		{"additional property", "backup", map[string]any{"kepe": 3}, `parameter "kepe": Files["actions.yaml"] declares no such parameter (did you mean "keep"?)`},
		{"missing required", "restore", nil, `parameter "from" is required`},
		{"unsupported value", "backup", map[string]any{"target": struct{}{}}, `parameter "target": unsupported type`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := u.RunActionDir(t.Context(), t.TempDir(), backupCharm, tc.action, tc.params)
			require.ErrorIs(t, err, charmtest.ErrInvalidUnit)
			if tc.name != "bad name" {
				assert.ErrorIs(t, err, charmtest.ErrBadAction)
			}
			assert.ErrorContains(t, err, tc.want)
		})
	}
	t.Run("no actions.yaml", func(t *testing.T) {
		u := charmtest.Unit{Files: map[string]string{"metadata.yaml": "name: backup\n"}}
		_, err := u.RunActionDir(t.Context(), t.TempDir(), backupCharm, "backup", nil)
		assert.ErrorContains(t, err, "actions.yaml (the charm has none) declares no such action")
	})
	t.Run("without a charm, anything goes", func(t *testing.T) {
		u := charmtest.Unit{Charm: charmtest.NoCharm}
		out, err := u.RunActionDir(t.Context(), t.TempDir(), backupCharm, "backup", map[string]any{"keep": "x"})
		require.NoError(t, err)
		assert.Equal(t, map[string]any{"keep": "x"}, out.Action.Params)
	})
}

// Ensure that an action declared in charmcraft.yaml is found there.
func TestRunAction_Charmcraft(t *testing.T) {
	u := charmtest.Unit{Files: map[string]string{"charmcraft.yaml": "name: backup\ntype: charm\nactions:\n  backup:\n    params:\n      target: {type: string, default: /b}\n"}}
	out := u.RunAction(t, backupCharm, "backup", nil)
	require.NoError(t, out.Err)
	assert.Equal(t, "/b", out.Action.Results["target"])
}
