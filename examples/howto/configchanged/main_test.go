package main

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/testing/charmtest"
)

// snippet:test

// The workload is reloaded in the first hook and then only when log-level
// changes; a failed reload fails the hook, and the retry sees the change
// again.
func TestReload(t *testing.T) {
	t.Parallel()
	var reloads []string
	fail := false
	register := func(r *reactive.Registry) {
		Register(r, func(_ context.Context, level string) error {
			if fail {
				return errors.New("reload failed")
			}
			reloads = append(reloads, level)
			return nil
		})
	}

	out := charmtest.Unit{}.Run(t, register, "install") // config.yaml's defaults
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"info"}, reloads, "every option counts as changed in the first hook")
	assert.Equal(t, charmtest.Status{State: "blocked", Message: "set admin-email"}, out.Status)

	out = out.Run(t, register, "update-status")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"info"}, reloads, "nothing changed")

	next := out.Unit
	next.Config = map[string]any{LogLevelOption: "debug", AdminEmailOption: "ops@example.com"}
	fail = true
	failed := next.Run(t, register, "config-changed")
	require.Error(t, failed.Err)

	fail = false
	out = failed.Run(t, register, "config-changed") // Juju retries the hook: the store is as before it
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"info", "debug"}, reloads)
	assert.Contains(t, out.Logs, charmtest.LogRecord{Level: "INFO", Message: "log-level: info -> debug"})
	assert.Equal(t, charmtest.Status{State: "active", Message: "ready"}, out.Status)
}

// end snippet
