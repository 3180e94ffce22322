package hookenv_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/testing/fakejuju"
)

// Ensure SecretGrant and SecretRevoke against fakejuju, across hooks: a
// grant to a relation lets the application at its other end read the
// secret once the leader's hook is committed (not before); a revocation
// by relation ends it at the next commit; a grant to one unit and its
// revocation by unit do the same for that unit only.
func TestSecretGrantRevoke_Fakejuju(t *testing.T) {
	const id = "secret:coj8mulh8b41e8nv6p90"
	m := fakejuju.New("m", "6f6c6467-6e65-4a75-8a75-000000000000", "3.6.4", time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	_, err := m.AddApp("app", map[string]fakejuju.Endpoint{"db": {Role: "requires", Interface: "mysql"}}, nil)
	require.NoError(t, err)
	_, err = m.AddApp("mysql", map[string]fakejuju.Endpoint{"server": {Role: "provides", Interface: "mysql"}}, nil)
	require.NoError(t, err)
	for _, u := range []string{"app/0", "mysql/0", "mysql/1"} {
		_, err := m.AddUnit(u, "")
		require.NoError(t, err)
	}
	r, err := m.AddRelation(-1, fakejuju.RelationEndpoint{App: "app", Endpoint: "db"}, fakejuju.RelationEndpoint{App: "mysql", Endpoint: "server"})
	require.NoError(t, err)
	for _, u := range []string{"app/0", "mysql/0", "mysql/1"} {
		require.NoError(t, m.EnterScope(u, r))
	}
	_, err = m.Elect("app/0")
	require.NoError(t, err)
	_, err = m.AddSecret("coj8mulh8b41e8nv6p90", "app", map[string]string{"password": "s3cret"})
	require.NoError(t, err)
	rel := "db:" + strconv.Itoa(r.ID)
	store := fakejuju.NewMemory(m)
	ctx := context.Background()

	// hook runs fn in a new hook context of unit, committed when fn
	// returns nil.
	hook := func(unit string, fn func(tools *hookenv.Tools) error) {
		t.Helper()
		var cid string
		require.NoError(t, store.Update(func(m *fakejuju.Model) error {
			c, err := m.Open(fakejuju.ContextSpec{Unit: unit, Hook: "update-status"})
			if err == nil {
				cid = c.ID
			}
			return err
		}))
		err := fn(&hookenv.Tools{Runner: fakejuju.Runner{Store: store, Context: cid, Dir: t.TempDir()}})
		require.NoError(t, err, unit)
		require.NoError(t, store.Update(func(m *fakejuju.Model) error {
			_, err := m.Close(cid, true)
			return err
		}))
	}
	// reads reports whether unit can read the secret.
	reads := func(unit string) bool {
		t.Helper()
		var ok bool
		hook(unit, func(tools *hookenv.Tools) error {
			content, err := tools.SecretGet(ctx, id, hookenv.SecretGetOptions{Refresh: true})
			var te *hookenv.ToolError
			if errors.As(err, &te) && te.Message == "permission denied" {
				return nil
			}
			ok = err == nil && content["password"] == "s3cret"
			return err
		})
		return ok
	}

	assert.False(t, reads("mysql/0"), "no grant yet")
	hook("app/0", func(tools *hookenv.Tools) error {
		return tools.SecretGrant(ctx, id, rel, "")
	})
	assert.True(t, reads("mysql/0"), "granted to the relation's application")
	assert.True(t, reads("mysql/1"))

	hook("app/0", func(tools *hookenv.Tools) error {
		return tools.SecretRevoke(ctx, id, hookenv.SecretRevokeOptions{RelationID: rel})
	})
	assert.False(t, reads("mysql/0"), "revoked")
	assert.False(t, reads("mysql/1"))

	hook("app/0", func(tools *hookenv.Tools) error { return tools.SecretGrant(ctx, id, rel, "mysql/1") })
	assert.False(t, reads("mysql/0"), "granted to mysql/1 only")
	assert.True(t, reads("mysql/1"))
	hook("app/0", func(tools *hookenv.Tools) error {
		return tools.SecretRevoke(ctx, id, hookenv.SecretRevokeOptions{Unit: "mysql/1"})
	})
	assert.False(t, reads("mysql/1"))
}
