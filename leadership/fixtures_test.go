package leadership

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/flags"
)

// fixture is the part of a python-unit-state expected.json the test uses
// (testdata/python-unit-state/README.md).
type fixture struct {
	Unit string                     `json:"unit"`
	KV   map[string]json.RawMessage `json:"kv"`
	Next struct {
		Hook                string             `json:"hook"`
		ExitCode            int                `json:"exit_code"`
		ModelLeader         string             `json:"model_leader"`
		ModelLeaderSettings map[string]string  `json:"model_leader_settings"`
		FlagsAfter          []string           `json:"flags_after"`
		SnapshotAfter       map[string]*string `json:"snapshot_after"`
		FlagEvents          []string           `json:"flag_events"`
	} `json:"next"`
}

// copyFile copies src to dst.
func copyFile(tb testing.TB, src, dst string) {
	tb.Helper()
	b, err := os.ReadFile(src)
	require.NoError(tb, err)
	require.NoError(tb, os.WriteFile(dst, b, 0o600))
}

// Ensure that for every store written by the Python leadership layer, the Go
// layer running the recorded next hook under the recorded leader and settings
// ends with exactly the recorded flags, snapshot and order of flag events, and
// runs no write (scenario 21 of docs/design.md, "Leadership scenarios").
func TestPythonUnitState(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "python-unit-state", "*", "expected.json"))
	require.NoError(t, err)
	require.Len(t, dirs, 5)
	for _, exp := range dirs {
		dir := filepath.Dir(exp)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			raw, err := os.ReadFile(exp)
			require.NoError(t, err)
			var fx fixture
			require.NoError(t, json.Unmarshal(raw, &fx))
			require.Equal(t, 0, fx.Next.ExitCode)

			db := filepath.Join(t.TempDir(), ".unit-state.db")
			copyFile(t, filepath.Join(dir, "unit-state.db"), db)
			store, err := flags.Open(db, nil)
			require.NoError(t, err)
			t.Cleanup(func() { _ = store.Close() })

			// The store holds exactly the rows the fixture lists.
			dump := storeDump(t, store)
			require.Len(t, dump, len(fx.KV))
			for k, v := range fx.KV {
				require.Contains(t, dump, k)
				assert.JSONEq(t, string(v), dump[k], "row %s", k)
			}

			m := newModel(fx.Next.ModelLeader)
			m.settings = fx.Next.ModelLeaderSettings
			run := runNamedHook(t, fx.Next.Hook, m, Options{}, store, fx.Unit, nil, nil)
			require.NoError(t, run.err)
			events := run.events
			if events == nil {
				events = []string{}
			}
			assert.Equal(t, fx.Next.FlagEvents, events, "flag events")
			assert.Equal(t, 0, m.countCalls("leader-set"))

			// Read back through a fresh open: the hook was committed to SQLite.
			require.NoError(t, store.Close())
			store, err = flags.Open(db, nil)
			require.NoError(t, err)
			var all []string
			require.NoError(t, store.View(t.Context(), func(tx *flags.Tx) error {
				all = flags.New(tx).List()
				return nil
			}))
			sort.Strings(all)
			assert.Equal(t, fx.Next.FlagsAfter, all, "flags after")
			_, snap, keys := unitState(t, store)
			assert.Equal(t, fx.Next.SnapshotAfter, snap, "snapshot after")
			for _, k := range keys {
				if strings.HasPrefix(k, "leadership.") {
					assert.True(t, strings.HasPrefix(k, SnapshotPrefix), "unexpected key %s", k)
				}
			}
		})
	}
}
