package charmtest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/testing/charmtest"
	"github.com/charmkit/charmkit/testing/fakejuju"
)

// secretCharm reads the application's token secret in every hook and, on
// the leader in install, creates it; the action-like hook "rotate" sets a
// new revision.
func secretCharm(r *reactive.Registry) {
	r.Handle("create", reactive.OnHook("install"), func(ctx context.Context, h *reactive.Hook) error {
		ok, err := h.Tools().IsLeader(ctx)
		if err != nil || !ok {
			return err
		}
		_, err = h.Tools().SecretAdd(ctx, map[string]string{"token": "one"}, hookenv.SecretOptions{Label: "token"})
		return err
	})
	r.Handle("read", reactive.OnHook("secret-changed", "update-status"), func(ctx context.Context, h *reactive.Hook) error {
		got, err := h.Tools().SecretGet(ctx, "", hookenv.SecretGetOptions{Label: "token", Refresh: h.Name() == "secret-changed"})
		if err != nil {
			return err
		}
		return h.SetFlagValue("token.seen", got["token"])
	})
	r.Handle("rotate", reactive.OnHook("upgrade-charm"), func(ctx context.Context, h *reactive.Hook) error {
		info, err := h.Tools().SecretInfoGet(ctx, "", "token")
		if err != nil {
			return err
		}
		return h.Tools().SecretSet(ctx, info.ID, map[string]string{"token": "two"}, hookenv.SecretOptions{})
	})
}

// Ensure secrets go through a hook as Juju keeps them: a secret the leader
// adds is in the state after a successful hook, a unit reads its tracked
// revision and moves on in secret-changed, and a follower's write to an
// application-owned secret is refused when Juju commits.
func TestSecrets(t *testing.T) {
	t.Parallel()
	leader := charmtest.Unit{Name: "tok/0", Leader: true, Charm: charmtest.NoCharm}
	out := leader.Run(t, secretCharm, "install")
	require.NoError(t, out.Err)
	require.Len(t, out.Secrets, 1)
	s := out.Secrets[0]
	assert.Equal(t, "token", s.Label)
	assert.Equal(t, []map[string]string{{"token": "one"}}, s.Revisions)

	out = out.Run(t, secretCharm, "update-status")
	require.NoError(t, out.Err)
	assert.Equal(t, 1, out.Secrets[0].Tracked, "the first read tracks the latest revision")

	out = out.Run(t, secretCharm, "upgrade-charm")
	require.NoError(t, out.Err)
	assert.Equal(t, []map[string]string{{"token": "one"}, {"token": "two"}}, out.Secrets[0].Revisions)
	assert.Equal(t, 1, out.Secrets[0].Tracked)

	follower := charmtest.Unit{Name: "tok/1", Charm: charmtest.NoCharm, Secrets: out.Secrets}
	next := follower.Run(t, secretCharm, "update-status")
	require.NoError(t, next.Err)
	seen, _ := next.Unit.KV["reactive.states.token.seen"]
	assert.Equal(t, `"one"`, seen, "a plain read gives the tracked revision")
	next = next.Run(t, secretCharm, "secret-changed")
	require.NoError(t, next.Err)
	assert.Equal(t, `"two"`, next.Unit.KV["reactive.states.token.seen"], "--refresh moves to the latest")
	assert.Equal(t, 2, next.Secrets[0].Tracked)

	refused := charmtest.Unit{Name: "tok/1", Charm: charmtest.NoCharm, Secrets: out.Secrets}
	rot := refused.Run(t, func(r *reactive.Registry) {
		r.Handle("write", reactive.OnHook("upgrade-charm"), func(ctx context.Context, h *reactive.Hook) error {
			return h.Tools().SecretSet(ctx, out.Secrets[0].ID, map[string]string{"token": "three"}, hookenv.SecretOptions{})
		})
	}, "upgrade-charm")
	require.ErrorIs(t, rot.Err, fakejuju.ErrCommitFailed, "a follower cannot update an application-owned secret")
	assert.Len(t, rot.Secrets[0].Revisions, 2, "nothing was applied")
}

// Ensure secrets in the state are checked as Juju would have them.
func TestSecrets_Invalid(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		secret charmtest.Secret
		want   string
	}{
		{charmtest.Secret{ID: "secret:nope", Revisions: []map[string]string{{"key": "v"}}}, "want secret: and 20 characters"},
		{charmtest.Secret{Label: "x"}, "no revision"},
		{charmtest.Secret{Label: "x", Revisions: []map[string]string{{"K": "v"}}}, `key "K"`},
		{charmtest.Secret{Label: "x", Revisions: []map[string]string{{"key": "v"}}, Tracked: 2}, "tracked revision 2"},
		{charmtest.Secret{Label: "x", Owner: "other", Revisions: []map[string]string{{"key": "v"}}, Tracked: 1}, "not granted"},
		{charmtest.Secret{Label: "x", Owner: "app/1", Revisions: []map[string]string{{"key": "v"}}}, "only its own unit-owned"},
	} {
		err := charmtest.Unit{Secrets: []charmtest.Secret{tc.secret}, Charm: charmtest.NoCharm}.Validate()
		require.ErrorIs(t, err, charmtest.ErrInvalidUnit)
		assert.ErrorContains(t, err, tc.want)
	}
}
