package charmtest

import (
	"maps"
	"testing"

	"github.com/charmkit/charmkit/hookenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzTools_LeaderSettingsRoundTrip checks that whatever the hookenv wrapper
// accepts for leader-set, the fake stores and leader-get gives back exactly,
// and that a value it refuses never reaches the tool.
func FuzzTools_LeaderSettingsRoundTrip(f *testing.F) {
	f.Add("password", "s3cret", "motd", "")
	f.Add("k", "a=b c", "x", "<&>")
	f.Add("ünï", "\u2028", "-bad", "v")
	f.Add("k", " padded ", "k2", "line\nbreak")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		m := newTestModel(t, Unit{Leader: true, LeaderSettings: map[string]string{"old": "1"}}, "config-changed")
		tools := &hookenv.Tools{Runner: m}
		in := map[string]string{k1: v1, k2: v2}
		err := tools.LeaderSet(t.Context(), in)
		if err != nil {
			require.ErrorIs(t, err, hookenv.ErrInvalidArgument)
			assert.Empty(t, m.calls, "a refused write runs no tool")
			return
		}
		want := map[string]string{"old": "1"}
		for k, v := range in {
			if v == "" {
				delete(want, k)
			} else {
				want[k] = v
			}
		}
		got, err := tools.LeaderGet(t.Context())
		require.NoError(t, err)
		assert.True(t, maps.Equal(want, got), "leader-get gives %q, want %q", got, want)
	})
}
