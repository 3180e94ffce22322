package main

import (
	"testing"

	"github.com/charmkit/charmkit/testing/charmtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInstall(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		unit  charmtest.Unit
		flags []string
	}{
		{"leader picks the greeting", charmtest.Unit{Leader: true},
			[]string{"hello.installed", "leadership.changed", "leadership.changed.greeting",
				"leadership.is_leader", "leadership.set.greeting"}},
		{"follower waits for it", charmtest.Unit{},
			[]string{"hello.installed"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := tc.unit.Run(t, Register, "install")
			require.NoError(t, out.Err)
			assert.Equal(t, tc.flags, out.Flags)
		})
	}
}
