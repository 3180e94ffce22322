package jujusim_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/testing/jujusim"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// golden compares got with testdata/<name>, or rewrites it with -update.
func golden(tb testing.TB, name, got string) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(tb, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(tb, err, "run go test -update to create it")
	assert.Equal(tb, string(want), got, "timeline differs from %s (go test -update rewrites it)", path)
}

// render writes the timeline with each hook's tool calls.
func render(m *jujusim.Model) string {
	var b strings.Builder
	for _, ev := range m.Timeline() {
		b.WriteString(ev.String() + "\n")
		for _, c := range ev.Calls {
			b.WriteString("    " + c.String() + "\n")
		}
	}
	return b.String()
}

// Ensure that a whole story (deploy, config change, leadership change,
// removal, a failing tool and its retry) produces the golden timeline,
// tool calls included.
func TestModel_GoldenTimeline(t *testing.T) {
	t.Parallel()
	m := newModel(t, 3)
	require.NoError(t, m.Deploy())
	require.NoError(t, m.SetConfig(map[string]string{"motd": "hello"}))
	require.NoError(t, m.Settle())
	require.NoError(t, m.RemoveUnit(m.Unit(0)))
	require.NoError(t, m.Elect(m.Unit(1)))
	require.NoError(t, m.Settle())
	require.NoError(t, m.Unit(2).SetFault("status-set", jujusim.Fault{Message: "status-set failed (injected)"}))
	_, err := m.Unit(1).Exec("leader-set motd=")
	require.NoError(t, err)
	require.ErrorIs(t, m.Settle(), jujusim.ErrHookFailed)
	require.NoError(t, m.Unit(2).SetFault("status-set", jujusim.Fault{}))
	_, err = m.Unit(2).Retry()
	require.NoError(t, err)
	require.NoError(t, m.Settle())
	require.NoError(t, m.CheckLeases())
	golden(t, "timeline.golden", render(m))
}
