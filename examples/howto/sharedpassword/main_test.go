package main

import (
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/testing/charmtest"
)

// snippet:test

// With plain leader settings and with a Juju secret, the same handlers and
// flags: the leader generates the password once, a follower writes the same
// one; with the secret, the password is in no leader setting.
func TestSharedPassword(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string]*leadership.Options{
		"leader settings": nil,
		"juju secret":     {Secrets: map[string][]string{"admin": {PasswordKey}}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			register := func(r *reactive.Registry) { Register(r, opts) }

			lead := charmtest.Unit{Name: "app/0", Leader: true}.Run(t, register, "install")
			require.NoError(t, lead.Err)
			password, ok := lead.Files[PasswordFile]
			require.True(t, ok)
			assert.Len(t, password, 26)
			assert.Equal(t, charmtest.Status{State: "active", Message: "ready"}, lead.Status)

			// A follower sees what Juju holds: the leader settings, and
			// the application's secrets.
			follower := charmtest.Unit{Name: "app/1", LeaderSettings: lead.LeaderSettings, Secrets: slices.Clone(lead.Secrets)}
			for i := range follower.Secrets {
				follower.Secrets[i].Tracked = 0 // never read by this unit
			}
			out := follower.Run(t, register, "leader-settings-changed")
			require.NoError(t, out.Err)
			assert.Equal(t, password, out.Files[PasswordFile])
			assert.Empty(t, out.CallsTo("leader-set"), "one password")

			if opts != nil {
				require.Len(t, lead.Secrets, 1)
				assert.Equal(t, leadership.SecretLabel("admin"), lead.Secrets[0].Label)
				assert.Contains(t, slices.Collect(maps.Values(lead.Secrets[0].Revisions[0])), password)
				assert.NotContains(t, slices.Collect(maps.Values(lead.LeaderSettings)), password, "only a pointer to the secret")
			}

			out = lead.Run(t, register, "update-status") // the next hook of the leader
			require.NoError(t, out.Err)
			assert.NotContains(t, out.Invoked, "generate_password")
		})
	}
}

// end snippet
