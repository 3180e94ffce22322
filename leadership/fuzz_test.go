package leadership

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/flags"
)

// parseSettings turns "k=v;k2=;k3" into settings: "k=v" a value, "k" or "k="
// absent (nil); keys are limited to a few letters so that they collide.
func parseSettings(s string) map[string]*string {
	out := map[string]*string{}
	for _, part := range strings.Split(s, ";") {
		k, v, ok := strings.Cut(part, "=")
		if k == "" || strings.ContainsFunc(k, func(r rune) bool { return r < 'a' || r > 'e' }) {
			continue
		}
		if ok && v != "" {
			out[k] = &v
		} else {
			out[k] = nil
		}
	}
	return out
}

// FuzzComputeStart checks the invariants of the start-of-hook computation
// for any snapshot and settings: set.<k> exactly for keys with a value,
// changed.<k> exactly for keys whose value differs from the snapshot (keys
// never seen left alone), leadership.changed when any did, and a snapshot
// equal to the settings plus tombstones for every other key it knew.
func FuzzComputeStart(f *testing.F) {
	f.Add("a=1;b=", "a=1;c=3", true)
	f.Add("", "a=x", false)
	f.Add("a=;b=2", "", true)
	f.Fuzz(func(t *testing.T, before, now string, leader bool) {
		// Settings come from JSON tool output, so they are valid UTF-8.
		before, now = strings.ToValidUTF8(before, "?"), strings.ToValidUTF8(now, "?")
		snap := parseSettings(before)
		cur := map[string]string{}
		for k, v := range parseSettings(now) {
			if v != nil {
				cur[k] = *v
			}
		}
		store := seed(t, nil, snap)
		require.NoError(t, store.Update(context.Background(), func(tx *flags.Tx) error {
			return computeStart(flags.New(tx), leader, maps.Clone(cur), true, nil)
		}))
		fl, gotSnap, _ := unitState(t, store)
		has := map[string]bool{}
		for _, f := range fl {
			has[f] = true
		}
		assert.Equal(t, leader, has[IsLeaderFlag])
		keys := map[string]bool{}
		for k := range snap {
			keys[k] = true
		}
		for k := range cur {
			keys[k] = true
		}
		anyChanged := false
		wantSnap := map[string]*string{}
		for k := range keys {
			v, present := cur[k]
			var now *string
			if present {
				now = &v
			}
			old := snap[k]
			changed := (old == nil) != (now == nil) || (old != nil && now != nil && *old != *now)
			anyChanged = anyChanged || changed
			assert.Equal(t, present, has[SetFlag(k)], "set flag of %q", k)
			assert.Equal(t, changed, has[ChangedFlag(k)], "changed flag of %q", k)
			wantSnap[k] = now
		}
		assert.Equal(t, anyChanged, has[ChangedAnyFlag])
		assert.Equal(t, wantSnap, gotSnap)
	})
}
