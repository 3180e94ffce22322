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

// The version changes twice before a database is related: the migration
// runs once, to the last version, in the hook where the database joins
// (config.changed.version is not set there: the option did not change in
// that hook). A failed migration is run again by the retry.
func TestMigrateOncePerVersion(t *testing.T) {
	t.Parallel()
	var migrations []string
	fail := false
	register := func(r *reactive.Registry) {
		Register(r, func(_ context.Context, version string) error {
			if fail {
				return errors.New("migration failed")
			}
			migrations = append(migrations, version)
			return nil
		})
	}

	out := charmtest.Unit{Name: "app/0"}.Run(t, register, "install")
	require.NoError(t, out.Err)
	next := out.Unit
	next.Config = map[string]any{VersionOption: "2.0"}
	out = next.Run(t, register, "config-changed")
	require.NoError(t, out.Err)
	assert.Empty(t, migrations, "no database yet")

	next = out.Unit
	next.Relations = []charmtest.Relation{{ID: "db:1", RemoteApp: "postgresql",
		Units: map[string]map[string]string{"postgresql/0": {}}}}
	out = next.Run(t, register, "db-relation-joined")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"2.0"}, migrations)

	out = out.Run(t, register, "update-status")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"2.0"}, migrations, "once per version")

	next = out.Unit
	next.Config = map[string]any{VersionOption: "3.0"}
	fail = true
	failed := next.Run(t, register, "config-changed")
	require.Error(t, failed.Err)
	fail = false
	out = failed.Run(t, register, "config-changed") // the retry: nothing was recorded
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"2.0", "3.0"}, migrations)
}

// end snippet
