// This test is the snippet of docs/charmtest.md, verbatim but for its name;
// keep the two in sync.

package charmtest_test

import (
	"testing"

	"github.com/charmkit/charmkit/examples/password-charm/charm"
	"github.com/charmkit/charmkit/testing/charmtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ensure that the table-driven test shown in docs/charmtest.md passes as written.
func TestDocs_FlagTable(t *testing.T) {
	t.Parallel()
	ap := map[string]string{"admin_password": "s3cret"}
	tests := []struct {
		name    string
		unit    charmtest.Unit
		hook    string
		wantErr bool
		invoked []string
		flags   []string
	}{
		{
			name: "follower's first hook stores the password", hook: "install",
			unit:    charmtest.Unit{Name: "password/1", LeaderSettings: ap},
			invoked: []string{"store_secret", "maybe_fail", "waiting", "ready"},
			flags:   []string{"leadership.changed", "leadership.changed.admin_password", "leadership.set.admin_password", "password.stored"},
		},
		{
			name: "a new leader gets no changed flags", hook: "leader-elected",
			unit: charmtest.Unit{Name: "password/1", Leader: true, LeaderSettings: ap, Snapshot: ap,
				Flags: []string{"leadership.set.admin_password", "password.stored"}},
			invoked: []string{"sync_motd", "maybe_fail", "ready"},
			flags:   []string{"leadership.is_leader", "leadership.set.admin_password", "password.stored"},
		},
		{
			name: "a failed hook changes no flag", hook: "config-changed", wantErr: true,
			unit: charmtest.Unit{Name: "password/2", LeaderSettings: ap, Snapshot: ap,
				Flags:  []string{"leadership.set.admin_password", "password.stored"},
				Config: map[string]any{"fail-on-unit": "password/2"}},
			invoked: []string{"maybe_fail"},
			flags:   []string{"leadership.set.admin_password", "password.stored"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := tc.unit.Run(t, charm.Register, tc.hook)
			if tc.wantErr {
				require.Error(t, out.Err)
			} else {
				require.NoError(t, out.Err)
			}
			assert.Equal(t, tc.invoked, out.Invoked)
			assert.Equal(t, tc.flags, out.Flags)
			assert.Empty(t, out.CallsTo("leader-set"), "no second password")
		})
	}
}
