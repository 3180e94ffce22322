package charmtest_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/charmkit/charmkit/testing/charmtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pythonFixture is the part of expected.json the test uses.
type pythonFixture struct {
	Unit string `json:"unit"`
	Next struct {
		Hook           string             `json:"hook"`
		ExitCode       int                `json:"exit_code"`
		ModelLeader    string             `json:"model_leader"`
		LeaderSettings map[string]string  `json:"model_leader_settings"`
		FlagEvents     []string           `json:"flag_events"`
		FlagsAfter     []string           `json:"flags_after"`
		SnapshotAfter  map[string]*string `json:"snapshot_after"`
	} `json:"next"`
}

// Ensure that a Go charm taking over a unit from the Python stack (an upgrade
// in place) reads its store and ends the next hook exactly as the Python
// stack did: same flag events, flags and snapshot (leadership scenario 21,
// docs/design.md, "Leadership scenarios").
func TestPasswordCharm_UpgradeFromPython(t *testing.T) {
	t.Parallel()
	dirs, err := filepath.Glob(filepath.Join("testdata", "python-unit-state", "*", "expected.json"))
	require.NoError(t, err)
	require.NotEmpty(t, dirs)
	for _, c := range charms {
		for _, exp := range dirs {
			dir := filepath.Dir(exp)
			t.Run(c.name+"/"+filepath.Base(dir), func(t *testing.T) {
				t.Parallel()
				raw, err := os.ReadFile(exp)
				require.NoError(t, err)
				var fx pythonFixture
				require.NoError(t, json.Unmarshal(raw, &fx))

				u, err := charmtest.LoadState(t.Context(), filepath.Join(dir, "unit-state.db"))
				require.NoError(t, err)
				u.Name = fx.Unit
				u.Leader = fx.Next.ModelLeader == fx.Unit
				u.LeaderSettings = fx.Next.LeaderSettings
				u.Config = cfg(fx.Next.LeaderSettings["motd"], "")
				u.Files = map[string]string{"admin_password": u.Snapshot["admin_password"]}
				if m, ok := u.Snapshot["motd"]; ok {
					u.Files["motd"] = m
				}

				out := u.Run(t, c.register, fx.Next.Hook)
				require.NoError(t, out.Err)
				assert.Equal(t, fx.Next.ExitCode, out.ExitCode)
				if len(fx.Next.FlagEvents) == 0 {
					assert.Empty(t, out.Events, "flag events")
				} else {
					assert.Equal(t, fx.Next.FlagEvents, out.Events, "flag events")
				}
				assert.Equal(t, fx.Next.FlagsAfter, out.Flags, "flags after")
				snap := map[string]*string{}
				for k, v := range out.Snapshot {
					snap[k] = &v
				}
				for _, k := range out.Tombstones {
					snap[k] = nil
				}
				assert.Equal(t, fx.Next.SnapshotAfter, snap, "snapshot after")
				assert.NotContains(t, out.Invoked, "generate_secret", "no second password")
				assert.NotContains(t, out.Invoked, "store_secret")
				assert.Empty(t, out.CallsTo("leader-set"))
				assert.Equal(t, fx.Next.LeaderSettings, out.LeaderSettings)
			})
		}
	}
}

// Ensure that LoadState reports a missing or corrupt file as an error.
func TestLoadState_Errors(t *testing.T) {
	t.Parallel()
	_, err := charmtest.LoadState(t.Context(), filepath.Join(t.TempDir(), "missing.db"))
	assert.ErrorIs(t, err, os.ErrNotExist)
	bad := filepath.Join(t.TempDir(), "bad.db")
	require.NoError(t, os.WriteFile(bad, []byte("not a database"), 0o600))
	_, err = charmtest.LoadState(t.Context(), bad)
	assert.ErrorContains(t, err, "loading unit state")
}
