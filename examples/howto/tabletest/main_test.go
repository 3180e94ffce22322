package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/testing/charmtest"
)

// snippet:test

// One row per situation: the unit's state before the hook, the hook, and
// what must hold after it.
func TestHooks(t *testing.T) {
	t.Parallel()
	valid := []string{ValidFlag}
	tests := []struct {
		name    string
		unit    charmtest.Unit
		hook    string
		invoked []string
		status  charmtest.Status
		flags   []string
	}{
		{"no hostname", charmtest.Unit{}, "config-changed",
			[]string{"validate"}, charmtest.Status{State: "blocked", Message: "set hostname"}, nil},
		{"a port below 1024", charmtest.Unit{Config: map[string]any{HostnameOption: "example.com", PortOption: 80}}, "config-changed",
			[]string{"validate"}, charmtest.Status{State: "blocked", Message: "port 80: use 1024 or more"}, nil},
		{"valid options", charmtest.Unit{Config: map[string]any{HostnameOption: "example.com"}}, "config-changed",
			[]string{"validate", "ready"}, charmtest.Status{State: "active", Message: "serving example.com:8080"}, valid},
		{"a valid unit made invalid", charmtest.Unit{Flags: valid, Config: map[string]any{HostnameOption: ""}}, "config-changed",
			[]string{"validate"}, charmtest.Status{State: "blocked", Message: "set hostname"}, nil},
		{"another hook keeps the state", charmtest.Unit{Flags: valid, Config: map[string]any{HostnameOption: "example.com"}}, "update-status",
			[]string{"ready"}, charmtest.Status{State: "active", Message: "serving example.com:8080"}, valid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := tc.unit.Run(t, Register, tc.hook)
			require.NoError(t, out.Err)
			assert.Equal(t, tc.invoked, out.Invoked)
			assert.Equal(t, tc.status, out.Status)
			assert.Equal(t, tc.flags, out.Flags)
		})
	}
}

// end snippet
