package jujusim_test

import (
	"testing"
)

// BenchmarkUnit_Run measures one hook of the shared test charm (a shell
// script making about ten tool calls): process start, tool processes,
// context bookkeeping and the settings watcher sync.
func BenchmarkUnit_Run(b *testing.B) {
	m := newModel(b, 1)
	if err := m.Deploy(); err != nil {
		b.Fatal(err)
	}
	u := m.Unit(0)
	for b.Loop() {
		ev, err := u.Run("update-status")
		if err != nil || ev.ExitCode != 0 {
			b.Fatal(err, ev.Stderr)
		}
	}
}

// BenchmarkUnit_Exec measures one tool call through juju exec: a shell and
// one fake tool process.
func BenchmarkUnit_Exec(b *testing.B) {
	m := newModel(b, 1)
	u := m.Unit(0)
	for b.Loop() {
		ev, err := u.Exec("is-leader")
		if err != nil || ev.ExitCode != 0 {
			b.Fatal(err, ev.Stderr)
		}
	}
}
