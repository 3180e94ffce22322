package modelfs

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNames(t *testing.T) {
	l := Layout{Root: "/m"}
	tests := []struct{ got, want string }{
		{UnitDirName("app/0"), "app-0"},
		{AppOf("my-app/12"), "my-app"},
		{l.UnitDir("app/3"), "/m/units/app-3"},
		{l.ContextDir("app/0-install-ab"), "/m/contexts/app-0-install-ab"},
		{l.RelationBag(2, "app/1"), "/m/relations/2/app-1.json"},
		{l.SettingsFile("app"), "/m/apps/app/leader-settings.json"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, tc.got)
	}
}

// Ensure that JSON files round-trip, a missing file reads as absent, and a
// corrupt one is an error naming the file.
func TestReadWriteJSON(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.json")
	var l Leader
	ok, err := ReadJSON(path, &l)
	require.NoError(t, err)
	assert.False(t, ok)
	want := Leader{Unit: "a/1", Epoch: 3, Valid: true, Expires: 42}
	require.NoError(t, WriteJSON(path, want))
	ok, err = ReadJSON(path, &l)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, want, l)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left behind")

	require.NoError(t, os.WriteFile(path, []byte("{"), 0o644))
	_, err = ReadJSON(path, &l)
	assert.ErrorContains(t, err, "decoding "+path)
}

// Ensure that an exclusive flock serialises concurrent appenders, so no
// line is lost or torn.
func TestLockAndAppend(t *testing.T) {
	dir := t.TempDir()
	lock, path := filepath.Join(dir, "lock"), filepath.Join(dir, "log.jsonl")
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			unlock, err := Lock(lock, true)
			if !assert.NoError(t, err) {
				return
			}
			defer unlock()
			assert.NoError(t, AppendJSONL(path, Lease{Unit: "a/0", Time: int64(i)}))
		})
	}
	wg.Wait()
	seen := map[int64]bool{}
	require.NoError(t, ReadJSONL(path, func(b []byte) error {
		var l Lease
		if err := json.Unmarshal(b, &l); err != nil {
			return err
		}
		seen[l.Time] = true
		return nil
	}))
	assert.Len(t, seen, 50)
	require.NoError(t, ReadJSONL(filepath.Join(dir, "missing"), func([]byte) error { return nil }))
	_, err := Lock(filepath.Join(dir, "no", "such", "lock"), false)
	assert.ErrorContains(t, err, "opening lock")
}
