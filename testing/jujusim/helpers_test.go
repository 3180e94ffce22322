package jujusim_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/testing/jujusim"
)

// newModel starts a model of the shared test charm with n units, closed at
// the end of the test.
func newModel(tb testing.TB, n int) *jujusim.Model {
	tb.Helper()
	return jujusim.Start(tb, jujusim.Options{Charm: filepath.Join("testdata", "charms", "shared"), Units: n})
}

// hooks returns "unit hook" for every hook event of the timeline.
func hooks(tb testing.TB, m *jujusim.Model) []string {
	tb.Helper()
	var out []string
	for _, ev := range m.Timeline() {
		if ev.Kind == jujusim.KindHook {
			out = append(out, ev.Unit+" "+ev.Hook)
		}
	}
	return out
}

func readFile(tb testing.TB, u *jujusim.Unit, name string) string {
	tb.Helper()
	b, err := u.ReadFile(name)
	require.NoError(tb, err)
	return string(b)
}
