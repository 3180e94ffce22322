package charmtest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/hookenv/hookenvtest"
	"github.com/charmkit/charmkit/testing/fakejuju"
	"github.com/charmkit/charmkit/testing/fakejuju/fakejujutest"
)

// Ensure the tools charmtest gives a charm's handlers answer every recorded
// Juju script exactly as Juju does. Scripts are skipped only when an
// in-process harness cannot express them: calls made outside any hook (no
// JUJU_CONTEXT_ID: only a tool process can show that) and tools the fake
// does not serve.
func TestConformance(t *testing.T) {
	t.Parallel()
	hookenvtest.TestRunner(t, func(t *testing.T, s hookenvtest.State) hookenv.Runner {
		if s.OutsideHook() {
			t.Skip("outside a hook: only a tool process without JUJU_CONTEXT_ID shows this")
		}
		for _, tool := range s.Tools() {
			if !fakejuju.Serves(tool) {
				t.Skipf("the fake does not serve %s", tool)
			}
		}
		m, id, err := fakejujutest.FromState(s, defaultNow)
		require.NoError(t, err)
		j := &juju{store: fakejuju.NewMemory(m), ctxID: id, unit: s.UnitName()}
		return j.runner(t.TempDir())
	})
}
