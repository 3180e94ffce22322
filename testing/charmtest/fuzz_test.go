package charmtest

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/testing/fakejuju"
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
			assert.Empty(t, m.calls(t), "a refused write runs no tool")
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

// FuzzTools_AnyArgs checks that no command line makes a fake tool panic, and
// that every failure follows Juju's rules: exit 1 or 2, one "ERROR " line on
// stderr, nothing on stdout.
func FuzzTools_AnyArgs(f *testing.F) {
	f.Add(uint8(0), "--format=json", "-r", "peers:0")
	f.Add(uint8(2), "k=v", "", "=")
	f.Add(uint8(10), "--app", "--file", "-")
	f.Add(uint8(4), "--", "-x", "y z")
	f.Add(uint8(9), "-o", "", "--format")
	// Found by fuzzing: gnuflag names an unknown option as it was typed, so
	// a newline in it split the "ERROR ..." line in two.
	f.Add(uint8(4), "-\n", "", "")
	names := fakejuju.ToolNames()
	f.Fuzz(func(t *testing.T, which uint8, a, b, c string) {
		u := Unit{Leader: which%2 == 0, LeaderSettings: map[string]string{"k": "v"},
			Relations: []Relation{{ID: "peers:0", RemoteApp: "app", Units: map[string]map[string]string{"app/1": {"x": "y"}}}}}
		m := newTestModel(t, u, "peers-relation-changed")
		tool := names[int(which)%len(names)]
		var args []string
		for _, s := range []string{a, b, c} {
			if s != "" {
				args = append(args, s)
			}
		}
		if slices.Contains(args, "-o") || slices.Contains(args, "--output") || slices.ContainsFunc(args, func(s string) bool {
			return strings.HasPrefix(s, "--output=") || strings.HasPrefix(s, "--file")
		}) {
			return // would read or write arbitrary paths
		}
		out, err := m.Run(t.Context(), tool, args, []byte(`{"a":"1"}`))
		if err == nil {
			return
		}
		var te *hookenv.ToolError
		require.ErrorAs(t, err, &te, "%s %q", tool, args)
		assert.Contains(t, []int{1, 2}, te.ExitCode, "%s %q", tool, args)
		assert.Empty(t, out)
		assert.True(t, strings.HasPrefix(te.Stderr, "ERROR ") && strings.Count(te.Stderr, "\n") == 1 && strings.HasSuffix(te.Stderr, "\n"),
			"%s %q: stderr %q", tool, args, te.Stderr)
	})
}
