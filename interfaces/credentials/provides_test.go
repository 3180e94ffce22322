package credentials_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/endpoint"
	"github.com/charmkit/charmkit/interfaces/credentials"
	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/testing/charmtest"
)

var admin = credentials.Credentials{Username: "admin", Password: "s3cret"}

// leader is vault's leader with one related client application, app,
// whose unit app/0 has joined.
func leader() charmtest.Unit {
	return charmtest.Unit{Name: "vault/0", Leader: true,
		Relations: []charmtest.Relation{{ID: "clients:3", RemoteApp: "app",
			Units: map[string]map[string]string{"app/0": addresses("10.0.0.5")}}}}
}

// Ensure that the leader publishes the credentials into the application
// bag of a new relation, once: later hooks read and write nothing until the
// credentials change, and then only the changed key is sent.
func TestProvides_Publish(t *testing.T) {
	t.Parallel()
	out := leader().Run(t, vault(admin), "clients-relation-joined")
	require.NoError(t, out.Err)
	assert.True(t, out.HasFlag("clients.requested"))
	assert.Contains(t, out.Invoked, "share")
	assert.Equal(t, map[string]string{"username": "admin", "password": "s3cret"}, out.Relations[0].AppData)
	assert.Equal(t, []string{`relation-set --app -r clients:3 --file - {"password":"s3cret","username":"admin"}`}, appCalls(out, "relation-set"))
	assert.Contains(t, out.KV, credentials.PublishedPrefix+"clients")
	assert.NotContains(t, out.KV[credentials.PublishedPrefix+"clients"], "s3cret", "a digest, not the password")

	next := out.Run(t, vault(admin), "update-status")
	require.NoError(t, next.Err)
	assert.Contains(t, next.Invoked, "share")
	assert.Empty(t, appCalls(next, "relation-get"), "already published: nothing read")
	assert.Empty(t, appCalls(next, "relation-set"))

	rotated := admin
	rotated.Password = "n3w"
	next = next.Run(t, vault(rotated), "config-changed")
	require.NoError(t, next.Err)
	assert.Len(t, appCalls(next, "relation-get"), 1)
	assert.Equal(t, []string{`relation-set --app -r clients:3 --file - {"password":"n3w"}`}, appCalls(next, "relation-set"))
	assert.Equal(t, map[string]string{"username": "admin", "password": "n3w"}, next.Relations[0].AppData)
}

// Ensure that a new relation gets the credentials without the old one
// being read again.
func TestProvides_NewRelation(t *testing.T) {
	t.Parallel()
	out := leader().Run(t, vault(admin), "clients-relation-joined")
	require.NoError(t, out.Err)
	u := out.Unit
	u.Relations = append(u.Relations, charmtest.Relation{ID: "clients:4", RemoteApp: "web",
		Units: map[string]map[string]string{"web/0": addresses("10.0.0.6")}})
	u.Env = charmtest.HookEnv{RelationID: "clients:4"}
	out = u.Run(t, vault(admin), "clients-relation-joined")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"relation-get --format=json --app -r clients:4 - vault"}, appCalls(out, "relation-get"))
	assert.Equal(t, []string{`relation-set --app -r clients:4 --file - {"password":"s3cret","username":"admin"}`}, appCalls(out, "relation-set"))
	for _, rel := range out.Relations {
		assert.Equal(t, map[string]string{"username": "admin", "password": "s3cret"}, rel.AppData, rel.ID)
	}
}

// Ensure that a unit that lost leadership forgets what it published, so
// that when it leads again it reads every bag once more (another leader
// may have changed them) and writes only what differs.
func TestProvides_LeadershipMoves(t *testing.T) {
	t.Parallel()
	out := leader().Run(t, vault(admin), "clients-relation-joined")
	require.NoError(t, out.Err)

	follower := out.Unit
	follower.Leader = false
	bags := make([]map[string]string, len(follower.Relations))
	for i := range follower.Relations {
		// A follower cannot read its application's bag on a relation
		// with another application; the bag stays in Juju.
		bags[i], follower.Relations[i].AppData = follower.Relations[i].AppData, nil
	}
	out = follower.Run(t, vault(admin), "leader-settings-changed")
	require.NoError(t, out.Err)
	assert.True(t, out.HasFlag("clients.requested"), "requested on every unit")
	assert.NotContains(t, out.Invoked, "share")
	assert.NotContains(t, out.KV, credentials.PublishedPrefix+"clients", "forgotten")
	assert.Empty(t, appCalls(out, "relation-get"))

	again := out.Unit
	again.Leader = true
	for i := range again.Relations {
		again.Relations[i].AppData = bags[i]
	}
	out = again.Run(t, vault(admin), "leader-elected")
	require.NoError(t, out.Err)
	assert.Len(t, appCalls(out, "relation-get"), 1, "read again")
	assert.Empty(t, appCalls(out, "relation-set"), "nothing differs")
	assert.Contains(t, out.KV, credentials.PublishedPrefix+"clients")
}

// Ensure that requested follows the joined units: not set without a
// relation, nor on a relation no unit has joined yet, and cleared when the
// last client unit departs; the departed units are forgotten.
func TestProvides_Requested(t *testing.T) {
	t.Parallel()
	out := charmtest.Unit{Name: "vault/0", Leader: true}.Run(t, vault(admin), "install")
	require.NoError(t, out.Err)
	assert.False(t, out.HasFlag("clients.requested"))
	assert.NotContains(t, out.Invoked, "share")
	assert.Empty(t, out.CallsTo("relation-get"))

	created := charmtest.Unit{Name: "vault/0", Leader: true,
		Relations: []charmtest.Relation{{ID: "clients:3", RemoteApp: "app"}}}
	out = created.Run(t, vault(admin), "clients-relation-created")
	require.NoError(t, out.Err)
	assert.False(t, out.HasFlag("clients.requested"), "no client unit yet")

	out = leader().Run(t, vault(admin), "clients-relation-joined")
	require.NoError(t, out.Err)
	departed := out.Unit
	departed.Env.RemoteUnit = "app/0"
	out = departed.Run(t, vault(admin), "clients-relation-departed")
	require.NoError(t, out.Err)
	assert.False(t, out.HasFlag("clients.requested"))
	assert.False(t, out.HasFlag(endpoint.DepartedFlag("clients")), "cleared by the layer's handler")
	assert.Contains(t, out.Invoked, "credentials.departed:clients")
	assert.NotContains(t, out.KV, endpoint.DepartedPrefix+"clients", "departed units forgotten")
}

// Ensure that PublishTo gives each client application its own
// credentials.
func TestProvides_PublishTo(t *testing.T) {
	t.Parallel()
	u := leader()
	u.Relations = append(u.Relations, charmtest.Relation{ID: "clients:4", RemoteApp: "web",
		Units: map[string]map[string]string{"web/0": addresses("10.0.0.6")}})
	out := u.Run(t, probe(provider, func(ctx context.Context, h *reactive.Hook) error {
		for _, rel := range endpoint.FromName(h, "clients").Relations() {
			app, err := rel.ApplicationName(ctx)
			if err != nil {
				return err
			}
			c := credentials.Credentials{Username: app, Password: "pw-" + app, Host: "10.0.0.1", Port: 8200}
			if err := credentials.PublishTo(ctx, h, "clients", rel.ID(), c); err != nil {
				return err
			}
		}
		return nil
	}), "update-status")
	require.NoError(t, out.Err)
	assert.Equal(t, map[string]string{"username": "app", "password": "pw-app", "host": "10.0.0.1", "port": "8200"}, out.Relations[0].AppData)
	assert.Equal(t, map[string]string{"username": "web", "password": "pw-web", "host": "10.0.0.1", "port": "8200"}, out.Relations[1].AppData)

	// Optional fields left empty are deleted.
	out = out.Run(t, vault(admin), "update-status")
	require.NoError(t, out.Err)
	assert.Equal(t, map[string]string{"username": "admin", "password": "s3cret"}, out.Relations[0].AppData)
	assert.Equal(t, map[string]string{"username": "admin", "password": "s3cret"}, out.Relations[1].AppData)
}

// Ensure that a follower asking to publish gets ErrNotLeader before any
// relation tool runs.
func TestProvides_FollowerPublishes(t *testing.T) {
	t.Parallel()
	u := leader()
	u.Leader = false
	out := u.Run(t, probe(vault(admin), func(ctx context.Context, h *reactive.Hook) error {
		return credentials.Publish(ctx, h, "clients", admin)
	}), "update-status")
	require.ErrorIs(t, out.Err, credentials.ErrNotLeader)
	assert.Contains(t, out.Err.Error(), "credentials: publishing on clients: only the leader writes its application's bag")
	assert.Empty(t, appCalls(out, "relation-get"))
	assert.Empty(t, out.CallsTo("relation-set"))
	assert.Empty(t, out.Relations[0].AppData)
}

// Ensure that bad arguments to Publish and PublishTo are clear errors and
// write nothing.
func TestProvides_BadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		call func(ctx context.Context, h *reactive.Hook) error
		err  error
		msg  string
	}{
		{"no password", func(ctx context.Context, h *reactive.Hook) error {
			return credentials.Publish(ctx, h, "clients", credentials.Credentials{Username: "admin"})
		}, credentials.ErrInvalidCredentials, "credentials: publishing on clients: invalid credentials: empty password"},
		{"bad port and host", func(ctx context.Context, h *reactive.Hook) error {
			return credentials.Publish(ctx, h, "clients", credentials.Credentials{Username: "a", Password: "b", Host: "a b", Port: 70000})
		}, credentials.ErrInvalidCredentials, `host "a b" holds white space; port 70000 is not in 1-65535 (0 for none)`},
		{"not valid UTF-8", func(ctx context.Context, h *reactive.Hook) error {
			return credentials.Publish(ctx, h, "clients", credentials.Credentials{Username: "a", Password: "\xff"})
		}, credentials.ErrInvalidCredentials, "password is not valid UTF-8 text without NUL bytes"},
		{"a relation name not in the metadata", func(ctx context.Context, h *reactive.Hook) error {
			return credentials.Publish(ctx, h, "db", admin)
		}, credentials.ErrUnknownEndpoint, `credentials: endpoint "db": unknown endpoint: not a provides endpoint of interface credentials (the charm's are: clients)`},
		{"an endpoint of another interface", func(ctx context.Context, h *reactive.Hook) error {
			return credentials.Publish(ctx, h, "cluster", admin)
		}, credentials.ErrUnknownEndpoint, `endpoint "cluster": unknown endpoint: not a provides endpoint`},
		{"a relation not on the endpoint", func(ctx context.Context, h *reactive.Hook) error {
			return credentials.PublishTo(ctx, h, "clients", "clients:99", admin)
		}, credentials.ErrUnknownRelation, `credentials: publishing: endpoint clients: unknown relation "clients:99" (relations: clients:3)`},
		{"the requires side, not registered", func(ctx context.Context, h *reactive.Hook) error {
			_, _, err := credentials.Get(ctx, h, "clients")
			return err
		}, credentials.ErrNotRegistered, `credentials: endpoint "clients" (at credentials/provides_test.go:`},
		{"the requires side, not registered: what to do", func(ctx context.Context, h *reactive.Hook) error {
			_, _, err := credentials.Get(ctx, h, "clients")
			return err
		}, credentials.ErrNotRegistered, "credentials layer not registered: call credentials.RegisterRequires(r, md)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u := leader()
			u.Relations[0].AppData = map[string]string{"username": "old", "password": "old"}
			u.KV = map[string]string{credentials.PublishedPrefix + "clients": `{"clients:3": "x"}`}
			out := u.Run(t, probe(vault(admin), tc.call), "update-status")
			require.ErrorIs(t, out.Err, tc.err)
			assert.Contains(t, out.Err.Error(), tc.msg)
			assert.Empty(t, out.CallsTo("relation-set"))
		})
	}
}

// Ensure that registration mistakes panic with the charm's line and what
// to do, and that the layer lists its flags.
func TestRegisterProvides(t *testing.T) {
	t.Parallel()
	r := reactive.NewRegistry()
	at := func(fn string) string { return "^credentials: " + fn + ` at credentials/provides_test.go:\d+: ` }
	assert.Regexp(t, at("RegisterProvides")+regexp.QuoteMeta("the endpoint layer is not registered: call endpoint.Register(r, &endpoint.Options{Metadata: md}) first")+"$",
		panicValue(func() { credentials.RegisterProvides(r, vaultMD) }))
	endpoint.Register(r, &endpoint.Options{Metadata: vaultMD})
	assert.Regexp(t, at("RegisterProvides")+regexp.QuoteMeta("nil metadata: embed the charm's metadata.yaml and parse it with reactive.ParseMetadata")+"$",
		panicValue(func() { credentials.RegisterProvides(r, nil) }))
	assert.Regexp(t, at("RegisterProvides")+regexp.QuoteMeta(`the metadata has no provides endpoint with interface "credentials" (provides: none): declare one`),
		panicValue(func() { credentials.RegisterProvides(r, appMD) }))
	assert.Regexp(t, at("RegisterRequires")+regexp.QuoteMeta(`the metadata has no requires endpoint with interface "credentials" (requires: none)`),
		panicValue(func() { credentials.RegisterRequires(r, vaultMD) }))
	md := mustMetadata("provides:\n  clients:\n    interface: credential\n")
	assert.Regexp(t, at("RegisterProvides")+regexp.QuoteMeta(`the metadata has no provides endpoint with interface "credentials" (provides: clients (interface credential))`),
		panicValue(func() { credentials.RegisterProvides(r, md) }))

	p := credentials.RegisterProvides(r, vaultMD)
	assert.Equal(t, "credentials.provides", p.LayerName())
	assert.Equal(t, []string{"clients.requested"}, p.LayerFlags())
	assert.Equal(t, []string{"clients"}, p.Endpoints())
	assert.Same(t, reactive.Layer(p), r.Layer("credentials.provides"))
	var names []string
	for _, h := range r.Handlers() {
		names = append(names, h.Name)
	}
	assert.Equal(t, []string{"credentials.departed:clients"}, names)
}

// Ensure that Credentials never prints its password.
func TestCredentials_String(t *testing.T) {
	t.Parallel()
	c := credentials.Credentials{Username: "admin", Password: "s3cret", Host: "db", Port: 5432, RelationID: "server:1", Application: "vault"}
	assert.Equal(t, `credentials{username: "admin", password: (hidden), host: "db", port: 5432, from vault on server:1}`, c.String())
	assert.Equal(t, `credentials{username: "", password: ""}`, credentials.Credentials{}.String())
}

// Ensure that the provides side works without the leadership layer,
// asking is-leader itself once per hook, and that the leader's records
// lose relations that are gone.
func TestProvides_WithoutLeadershipLayer(t *testing.T) {
	t.Parallel()
	charm := func(r *reactive.Registry) {
		endpoint.Register(r, &endpoint.Options{Metadata: vaultMD})
		credentials.RegisterProvides(r, vaultMD)
		r.Handle("share", reactive.When("clients.requested"), func(ctx context.Context, h *reactive.Hook) error {
			return credentials.Publish(ctx, h, "clients", admin)
		})
	}
	u := leader()
	u.KV = map[string]string{credentials.PublishedPrefix + "clients": `{"clients:1": "old", "clients:3": "old"}`}
	out := u.Run(t, charm, "update-status")
	require.NoError(t, out.Err)
	assert.Len(t, out.CallsTo("is-leader"), 2, "one for the records at start, one for the bag (the endpoint layer's own tracker)")
	assert.Equal(t, map[string]string{"username": "admin", "password": "s3cret"}, out.Relations[0].AppData)
	assert.NotContains(t, out.KV[credentials.PublishedPrefix+"clients"], "clients:1", "a relation that is gone is forgotten")
}

// Ensure that a store key that is not what the layer wrote fails the hook
// naming it.
func TestProvides_CorruptRecords(t *testing.T) {
	t.Parallel()
	u := leader()
	u.KV = map[string]string{credentials.PublishedPrefix + "clients": `["clients:3"]`}
	out := u.Run(t, vault(admin), "update-status")
	require.Error(t, out.Err)
	assert.Contains(t, out.Err.Error(), "credentials: credentials.published.clients does not hold a map of relation ids to digests")
}

// panicValue returns what f panics with, as text; "no panic" when it does
// not.
func panicValue(f func()) (msg string) {
	defer func() {
		if v := recover(); v != nil {
			msg = fmt.Sprint(v)
		}
	}()
	f()
	return "no panic"
}
