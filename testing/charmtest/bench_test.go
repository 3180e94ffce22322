package charmtest_test

import (
	"testing"

	"github.com/charmkit/charmkit/examples/password-charm/charm"
	"github.com/charmkit/charmkit/testing/charmtest"
)

// BenchmarkRun measures one steady-state config-changed hook of the password
// charm on a leader: store creation, the hook, and reading the state back.
// A table of a few dozen scenarios should stay well under a second.
func BenchmarkRun(b *testing.B) {
	ap := map[string]string{"admin_password": "s3cret"}
	u := charmtest.Unit{
		Name: "password/0", Leader: true, LeaderSettings: ap, Snapshot: ap,
		Flags:  []string{"leadership.is_leader", "leadership.set.admin_password", "password.stored"},
		Config: map[string]any{"motd": "", "fail-on-unit": ""},
		Files:  map[string]string{"admin_password": "s3cret"},
	}
	for b.Loop() {
		out := u.Run(b, charm.Register, "config-changed")
		if out.Err != nil {
			b.Fatal(out.Err)
		}
	}
}
