package charmtest

import (
	"context"
	"testing"

	"github.com/charmkit/charmkit/reactive"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ensure that the after-test store check accepts the state a run reports and
// catches any difference from it.
func TestCheckStore(t *testing.T) {
	t.Parallel()
	setter := func(r *reactive.Registry) {
		r.Handle("set", reactive.OnHook("install"), func(_ context.Context, h *reactive.Hook) error {
			return h.SetFlagValue("with.value", map[string]int{"n": 1})
		})
	}
	dir := t.TempDir()
	u := Unit{Flags: []string{"a"}, Snapshot: map[string]string{"k": "v"}, Tombstones: []string{"t"}, KV: map[string]string{"x": "[1,2]"}}
	out, err := u.RunDir(t.Context(), dir, setter, "install")
	require.NoError(t, err)
	require.NoError(t, out.Err)
	assert.Equal(t, `{"n": 1}`, out.KV["reactive.states.with.value"], "Python json.dumps spacing")
	require.NoError(t, checkStore(t.Context(), dir, out.Unit))

	tests := map[string]func(*Unit){
		"flag":      func(u *Unit) { u.Flags = u.Flags[1:] },
		"snapshot":  func(u *Unit) { u.Snapshot["k"] = "other" },
		"tombstone": func(u *Unit) { u.Tombstones = nil },
		"kv":        func(u *Unit) { u.KV["x"] = "[1]" },
	}
	for name, change := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			bad := out.Unit.clone()
			change(&bad)
			assert.Error(t, checkStore(t.Context(), dir, bad))
		})
	}
}
