package credentials_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
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

// modelUUID is charmtest's model UUID, which secret URIs carry.
const modelUUID = "6e0b1d2c-0000-4000-8000-000000000000"

// uri is the URI of s as secret-add prints it.
func uri(s charmtest.Secret) string {
	return "secret://" + modelUUID + "/" + strings.TrimPrefix(s.ID, "secret:")
}

// secretOf returns the provider's secret of the relation of the clients
// endpoint, found by its label.
func secretOf(t *testing.T, out charmtest.Result, relationID string) charmtest.Secret {
	t.Helper()
	label := credentials.SecretLabel("clients", relationID)
	for _, s := range out.Secrets {
		if s.Label == label {
			return s
		}
	}
	require.Failf(t, "no secret", "labelled %s", label)
	return charmtest.Secret{}
}

// Ensure that, on a Juju with secrets, the leader keeps the credentials of
// a new relation in an application-owned secret labelled after the
// relation, grants it to the relation and publishes only its URI, once:
// later hooks run no tool until the credentials change, and then the
// secret gets a new revision (no new secret, nothing written to the bag).
// No value shows on a command line, in a log or in the store.
func TestProvides_Publish(t *testing.T) {
	t.Parallel()
	out := leader().Run(t, vault(admin), "clients-relation-joined")
	require.NoError(t, out.Err)
	assert.True(t, out.HasFlag("clients.requested"))
	assert.Contains(t, out.Invoked, "share")
	require.Len(t, out.Secrets, 1)
	s := out.Secrets[0]
	assert.Equal(t, "credentials-clients-3", s.Label)
	assert.Equal(t, credentials.SecretLabel("clients", "clients:3"), s.Label)
	assert.Empty(t, s.Owner, "owned by the application")
	assert.Equal(t, []map[string]string{{"username": "admin", "password": "s3cret"}}, s.Revisions)
	assert.Equal(t, 0, s.Tracked, "the leader never reads it")
	assert.Equal(t, []string{
		"secret-info-get --format=json --label=credentials-clients-3 (exit 1)",
		"secret-add --label=credentials-clients-3 password#file=… username#file=…",
		"secret-grant " + uri(s) + " -r clients:3",
	}, secretCalls(out))
	assert.Equal(t, map[string]string{"secret-user": uri(s)}, out.Relations[0].AppData, "only the URI in the bag")
	assert.Equal(t, []string{`relation-set --app -r clients:3 --file - {"secret-user":"` + uri(s) + `"}`}, appCalls(out, "relation-set"))
	assert.Contains(t, out.KV, credentials.PublishedPrefix+"clients")
	requireNoValue(t, out, "s3cret")

	next := out.Run(t, vault(admin), "update-status")
	require.NoError(t, next.Err)
	assert.Contains(t, next.Invoked, "share")
	assert.Empty(t, appCalls(next, "relation-get"), "already published: nothing read")
	assert.Empty(t, appCalls(next, "relation-set"))
	assert.Empty(t, secretCalls(next))

	rotated := admin
	rotated.Password = "n3w-pass"
	next = next.Run(t, vault(rotated), "config-changed")
	require.NoError(t, next.Err)
	assert.Equal(t, []string{
		"secret-info-get --format=json --label=credentials-clients-3",
		"secret-set " + s.ID + " password#file=… username#file=…",
		"secret-grant " + uri(s) + " -r clients:3",
	}, secretCalls(next))
	assert.Empty(t, appCalls(next, "relation-set"), "the bag already names the secret")
	require.Len(t, next.Secrets, 1, "no new secret")
	assert.Equal(t, s.ID, next.Secrets[0].ID)
	assert.Equal(t, []map[string]string{{"username": "admin", "password": "s3cret"}, {"username": "admin", "password": "n3w-pass"}},
		next.Secrets[0].Revisions, "a new revision")
	assert.Equal(t, map[string]string{"secret-user": uri(s)}, next.Relations[0].AppData)
	requireNoValue(t, next, "s3cret", "n3w-pass")
}

// Ensure the mode the provider publishes in: a secret from Juju 3.0.2 on;
// before, plain relation data with a WARNING that says so (and no secret
// tool run); plain data without a warning when the charm asks for it
// (ProvidesOptions.Plain), even where Juju has secrets.
func TestProvides_Modes(t *testing.T) {
	t.Parallel()
	full := credentials.Credentials{Username: "admin", Password: "s3cret", Host: "10.0.0.1", Port: 8200}
	tests := []struct {
		juju    string
		opts    credentials.ProvidesOptions
		secret  bool
		warning string
	}{
		{juju: "2.9.42", warning: "credentials: Juju 2.9.42 has no secrets (they need 3.0.2 or later): publishing the username and password on clients:3 as plain relation data, readable by anything that can read it"},
		{juju: "3.0.1", warning: "credentials: Juju 3.0.1 has no secrets (they need 3.0.2 or later)"},
		{juju: "3.0.2", secret: true},
		{juju: "4.0.1", secret: true},
		{juju: "3.6.4", opts: credentials.ProvidesOptions{Plain: true}},
		{juju: "2.9.42", opts: credentials.ProvidesOptions{Plain: true}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s %+v", tc.juju, tc.opts), func(t *testing.T) {
			t.Parallel()
			u := leader()
			u.Env.JujuVersion = tc.juju
			out := u.Run(t, vaultWith(tc.opts, full), "clients-relation-joined")
			require.NoError(t, out.Err)
			bag := out.Relations[0].AppData
			if tc.secret {
				require.Len(t, out.Secrets, 1)
				want := uri(out.Secrets[0])
				if tc.juju == "3.0.2" {
					want = out.Secrets[0].ID // secret-add's form before 3.1.3
				}
				assert.Equal(t, map[string]string{"secret-user": want, "host": "10.0.0.1", "port": "8200"}, bag)
				assert.Equal(t, []map[string]string{{"username": "admin", "password": "s3cret"}}, out.Secrets[0].Revisions)
			} else {
				assert.Empty(t, out.Secrets)
				assert.Empty(t, secretCalls(out))
				assert.Equal(t, map[string]string{"username": "admin", "password": "s3cret", "host": "10.0.0.1", "port": "8200"}, bag)
			}
			if tc.warning == "" {
				assert.Empty(t, warnings(out))
			} else {
				require.Len(t, warnings(out), 1)
				assert.Contains(t, warnings(out)[0], tc.warning)
			}
		})
	}
}

// Ensure that a provider that published in plain mode (an older charm, or
// a Juju upgraded to one with secrets) moves the username and password
// into a secret at its next hook as the leader: the bag loses them and
// gains the URI in one write. Asking for plain mode again puts them back.
func TestProvides_MigratesToSecret(t *testing.T) {
	t.Parallel()
	u := leader()
	u.Env.JujuVersion = "2.9.42"
	old := u.Run(t, vault(admin), "clients-relation-joined")
	require.NoError(t, old.Err)
	require.Equal(t, map[string]string{"username": "admin", "password": "s3cret"}, old.Relations[0].AppData)

	u = old.Unit
	u.Env.JujuVersion = "3.6.4"
	out := u.Run(t, vault(admin), "upgrade-charm")
	require.NoError(t, out.Err)
	require.Len(t, out.Secrets, 1)
	assert.Equal(t, map[string]string{"secret-user": uri(out.Secrets[0])}, out.Relations[0].AppData)
	assert.Equal(t, []string{`relation-set --app -r clients:3 --file - {"password":"","secret-user":"` + uri(out.Secrets[0]) + `","username":""}`},
		appCalls(out, "relation-set"))

	back := out.Run(t, vaultWith(credentials.ProvidesOptions{Plain: true}, admin), "config-changed")
	require.NoError(t, back.Err)
	assert.Equal(t, map[string]string{"username": "admin", "password": "s3cret"}, back.Relations[0].AppData)
	assert.Empty(t, secretCalls(back))
}

// Ensure that a new relation gets its own secret without the old one
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
	require.Len(t, out.Secrets, 2, "one secret per relation")
	assert.Equal(t, []string{"relation-get --format=json --app -r clients:4 - vault"}, appCalls(out, "relation-get"))
	assert.Equal(t, []string{
		"secret-info-get --format=json --label=credentials-clients-4 (exit 1)",
		"secret-add --label=credentials-clients-4 password#file=… username#file=…",
		"secret-grant " + uri(secretOf(t, out, "clients:4")) + " -r clients:4",
	}, secretCalls(out))
	for _, rel := range out.Relations {
		assert.Equal(t, map[string]string{"secret-user": uri(secretOf(t, out, rel.ID))}, rel.AppData, rel.ID)
	}
}

// Ensure that a unit that lost leadership forgets what it published, so
// that when it leads again it reads every bag once more (another leader
// may have changed them), finds the relation's secret by its label, sets
// its content (Juju 3.6 makes no revision of the same content), grants it
// again, and writes only what differs.
func TestProvides_LeadershipMoves(t *testing.T) {
	t.Parallel()
	out := leader().Run(t, vault(admin), "clients-relation-joined")
	require.NoError(t, out.Err)
	s := out.Secrets[0]

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
	assert.Empty(t, secretCalls(out))

	again := out.Unit
	again.Leader = true
	again.Secrets = []charmtest.Secret{s}
	for i := range again.Relations {
		again.Relations[i].AppData = bags[i]
	}
	out = again.Run(t, vault(admin), "leader-elected")
	require.NoError(t, out.Err)
	assert.Len(t, appCalls(out, "relation-get"), 1, "read again")
	assert.Empty(t, appCalls(out, "relation-set"), "nothing differs")
	assert.Equal(t, []string{
		"secret-info-get --format=json --label=credentials-clients-3",
		"secret-set " + s.ID + " password#file=… username#file=…",
		"secret-grant " + uri(s) + " -r clients:3",
	}, secretCalls(out))
	require.Len(t, out.Secrets, 1)
	assert.Len(t, out.Secrets[0].Revisions, 1, "the same content: no new revision")
	assert.Contains(t, out.KV, credentials.PublishedPrefix+"clients")
}

// Ensure that requested follows the joined units: not set without a
// relation, nor on a relation no unit has joined yet, and cleared when the
// last client unit departs; the departed units are forgotten, and the
// relation's secret stays (the relation does, until -relation-broken).
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
	assert.Empty(t, out.CallsTo("secret-remove"), "a client scaled to zero keeps its secret")
	assert.Len(t, out.Secrets, 1)
	assert.Contains(t, out.KV, credentials.PublishedPrefix+"clients", "what was published is remembered")
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
	require.Len(t, out.Secrets, 2)
	for i, app := range []string{"app", "web"} {
		s := secretOf(t, out, out.Relations[i].ID)
		assert.Equal(t, map[string]string{"secret-user": uri(s), "host": "10.0.0.1", "port": "8200"}, out.Relations[i].AppData)
		assert.Equal(t, []map[string]string{{"username": app, "password": "pw-" + app}}, s.Revisions)
	}

	// Optional fields left empty are deleted.
	out = out.Run(t, vault(admin), "update-status")
	require.NoError(t, out.Err)
	for _, rel := range out.Relations {
		s := secretOf(t, out, rel.ID)
		assert.Equal(t, map[string]string{"secret-user": uri(s)}, rel.AppData)
		assert.Equal(t, map[string]string{"username": "admin", "password": "s3cret"}, s.Revisions[1])
	}
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
	assert.Empty(t, secretCalls(out), "no secret tool either")
	assert.Empty(t, out.Secrets)
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
			assert.Empty(t, secretCalls(out))
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
	require.Len(t, out.Secrets, 1)
	assert.Equal(t, map[string]string{"secret-user": uri(out.Secrets[0])}, out.Relations[0].AppData)
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

// Ensure that the leader removes a relation's secret when the relation is
// removed (its -relation-broken hook, where relation-ids still lists the
// relation before Juju 3.4; charmtest cannot leave it out, jujusim's story
// runs 3.6), and forgets the relation; that a follower's -relation-broken
// runs no secret tool; and that a leader that finds, in a later hook, a
// relation it published on gone removes its secret then.
func TestProvides_RelationBroken(t *testing.T) {
	t.Parallel()
	published := leader().Run(t, vault(admin), "clients-relation-joined")
	require.NoError(t, published.Err)
	require.Len(t, published.Secrets, 1)
	s := published.Secrets[0]

	tests := []struct {
		name   string
		hook   string
		listed bool // the relation is still in relation-ids
		leader bool
	}{
		{"broken, relation listed (Juju before 3.4)", "clients-relation-broken", true, true},
		{"a later hook", "update-status", false, true},
		{"broken on a follower", "clients-relation-broken", true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u := published.Unit
			u.Leader = tc.leader
			u.Relations = nil
			if tc.listed {
				u.Relations = []charmtest.Relation{{ID: "clients:3", RemoteApp: "app"}}
				if tc.leader {
					u.Relations[0].AppData = published.Relations[0].AppData
				}
			}
			if tc.hook == "clients-relation-broken" {
				u.Env = charmtest.HookEnv{RelationID: "clients:3"}
			}
			out := u.Run(t, vault(admin), tc.hook)
			require.NoError(t, out.Err)
			assert.False(t, out.HasFlag("clients.requested"))
			assert.NotContains(t, out.Invoked, "share")
			if !tc.leader {
				assert.Empty(t, secretCalls(out))
				assert.NotContains(t, out.KV, credentials.PublishedPrefix+"clients")
				return
			}
			assert.Equal(t, []string{
				"secret-info-get --format=json --label=credentials-clients-3",
				"secret-remove " + s.ID,
			}, secretCalls(out))
			assert.Empty(t, out.Secrets, "the secret is removed")
			assert.NotContains(t, out.KV, credentials.PublishedPrefix+"clients", "the relation is forgotten")
			assert.Empty(t, out.CallsTo("relation-set"))

			again := out.Run(t, vault(admin), "update-status")
			require.NoError(t, again.Err)
			assert.Empty(t, secretCalls(again), "nothing left to clean up")
		})
	}
}

// Ensure that, in a secret-remove hook about one of its secrets, the
// leader removes the obsolete revision Juju names (the clients all follow
// the latest), and that it leaves other secrets' revisions to their
// owners.
func TestProvides_ObsoleteRevision(t *testing.T) {
	t.Parallel()
	out := leader().Run(t, vault(admin), "clients-relation-joined")
	require.NoError(t, out.Err)
	rotated := admin
	rotated.Password = "n3w-pass"
	out = out.Run(t, vault(rotated), "config-changed")
	require.NoError(t, out.Err)
	s := out.Secrets[0]
	require.Len(t, s.Revisions, 2)

	other := charmtest.Secret{ID: "secret:coj8mulh8b41e8nv6pa0", Label: "mine", Revisions: []map[string]string{{"token": "t1"}, {"token": "t2"}}}
	tests := []struct {
		name  string
		env   charmtest.HookEnv
		calls []string
	}{
		{"by owner label", charmtest.HookEnv{SecretID: s.ID, SecretLabel: s.Label, SecretRevision: 1},
			[]string{"secret-remove " + s.ID + " --revision=1"}},
		{"without a label", charmtest.HookEnv{SecretID: s.ID, SecretRevision: 1},
			[]string{"secret-info-get --format=json " + s.ID, "secret-remove " + s.ID + " --revision=1"}},
		{"another secret", charmtest.HookEnv{SecretID: other.ID, SecretLabel: "mine", SecretRevision: 1}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u := out.Unit
			u.Secrets = []charmtest.Secret{s, other}
			u.Env = tc.env
			res := u.Run(t, vault(rotated), "secret-remove")
			require.NoError(t, res.Err)
			assert.Equal(t, tc.calls, secretCalls(res))
		})
	}
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
