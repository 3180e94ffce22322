package credentials_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/endpoint"
	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/interfaces/credentials"
	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/testing/charmtest"
)

// related is client unit app/0 related to vault on server:5, with vault's
// units as given and vault's application bag holding bag.
func related(bag map[string]string, units ...string) charmtest.Unit {
	us := map[string]map[string]string{}
	for i, u := range units {
		us[u] = addresses(fmt.Sprintf("10.0.1.%d", i+1))
	}
	return charmtest.Unit{Name: "app/0",
		Relations: []charmtest.Relation{{ID: "server:5", RemoteApp: "vault", Units: us, RemoteAppData: bag}}}
}

var published = map[string]string{"username": "admin", "password": "s3cret"}

// Ensure the requires side through a relation's life: the provider's bag
// seen before any unit joined sets nothing; the first joined unit makes the
// credentials available and changed; a hook that is not a relation hook
// reads nothing; a new password sets changed again; deleted credentials,
// and the last unit departing, clear both flags.
func TestRequires_Lifecycle(t *testing.T) {
	t.Parallel()
	u := related(published)
	out := u.Run(t, client, "server-relation-changed") // app-level, before any -joined
	require.NoError(t, out.Err)
	assert.False(t, out.HasFlag("server.available"), "no provider unit joined yet")

	u = out.Unit
	u.Relations[0].Units = map[string]map[string]string{"vault/0": addresses("10.0.1.1")}
	out = u.Run(t, client, "server-relation-joined")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"+endpoint.server.joined", "+endpoint.server.changed", "+endpoint.server.changed.egress-subnets",
		"+endpoint.server.changed.ingress-address", "+endpoint.server.changed.private-address",
		"+server.available", "+server.changed", "-server.changed"}, out.Events)
	assert.Equal(t, []string{"use"}, out.Invoked)
	pw, _ := out.File("password")
	assert.Equal(t, "s3cret", pw)
	assert.NotContains(t, out.KV[flags.DataChangedPrefix+credentials.ReceivedID("server")], "s3cret", "a digest, not the password")

	out = out.Run(t, client, "update-status")
	require.NoError(t, out.Err)
	assert.Empty(t, out.CallsTo("relation-get"), "not a relation hook: nothing read")
	assert.True(t, out.HasFlag("server.available"))
	assert.Empty(t, out.Invoked)

	u = out.Unit
	u.Relations[0].RemoteAppData = map[string]string{"username": "admin", "password": "n3w"}
	out = u.Run(t, client, "server-relation-changed")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"+server.changed", "-server.changed"}, out.Events)
	pw, _ = out.File("password")
	assert.Equal(t, "n3w", pw)

	u = out.Unit
	u.Relations[0].RemoteAppData = map[string]string{"username": "admin"}
	out = u.Run(t, client, "server-relation-changed")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"-server.available"}, out.Events)
	assert.Equal(t, []string{"forget"}, out.Invoked)
	_, ok := out.File("password")
	assert.False(t, ok)
	assert.NotContains(t, out.KV, flags.DataChangedPrefix+credentials.ReceivedID("server"))

	u = out.Unit
	u.Relations[0].RemoteAppData = published
	out = u.Run(t, client, "server-relation-changed")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"+server.available", "+server.changed", "-server.changed"}, out.Events, "the same credentials again are a change")

	u = out.Unit
	u.Env.RemoteUnit = "vault/0"
	out = u.Run(t, client, "server-relation-departed")
	require.NoError(t, out.Err)
	assert.False(t, out.HasFlag("server.available"))
	assert.False(t, out.HasFlag("server.changed"))
	assert.Equal(t, []string{"credentials.departed:server", "forget"}, out.Invoked)
	_, ok = out.File("password")
	assert.False(t, ok)
}

// Ensure that a provider unit departing while another stays keeps the
// credentials, and that Get says where they came from.
func TestRequires_OneUnitDeparts(t *testing.T) {
	t.Parallel()
	out := related(published, "vault/0", "vault/1").Run(t, client, "server-relation-joined")
	require.NoError(t, out.Err)
	u := out.Unit
	u.Env.RemoteUnit = "vault/1"
	u.Relations[0].Units = map[string]map[string]string{"vault/0": addresses("10.0.1.1"), "vault/1": addresses("10.0.1.2")}
	out = u.Run(t, probe(client, func(ctx context.Context, h *reactive.Hook) error { return nil }), "server-relation-departed")
	require.NoError(t, out.Err)
	assert.True(t, out.HasFlag("server.available"))
	assert.False(t, out.HasFlag("server.changed"))

	var got credentials.Credentials
	out = out.Run(t, probe(client, func(ctx context.Context, h *reactive.Hook) error {
		c, ok, err := credentials.Get(ctx, h, "server")
		if !ok {
			return fmt.Errorf("not available: %v", err)
		}
		got = c
		return err
	}), "update-status")
	require.NoError(t, out.Err)
	assert.Equal(t, credentials.Credentials{Username: "admin", Password: "s3cret", RelationID: "server:5", Application: "vault"}, got)
}

// Ensure that what a provider published is read as it was meant: JSON
// strings decoded, host and port optional, a port as a JSON number; and
// that a bad port or host fails the hook naming the relation and the
// provider, while missing pieces only mean "not available".
func TestRequires_Decoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		bag   map[string]string
		want  *credentials.Credentials // nil: not available
		error string
	}{
		{"plain strings", map[string]string{"username": "u", "password": "p", "host": "db.local", "port": "5432"},
			&credentials.Credentials{Username: "u", Password: "p", Host: "db.local", Port: 5432}, ""},
		{"JSON from a charms.reactive provider", map[string]string{"username": `"u"`, "password": `"p w"`, "port": "5432", "extra": `{"a": 1}`},
			&credentials.Credentials{Username: "u", Password: "p w", Port: 5432}, ""},
		{"a password that looks like a number", map[string]string{"username": "u", "password": "1234"},
			&credentials.Credentials{Username: "u", Password: "1234"}, ""},
		{"no password", map[string]string{"username": "u"}, nil, ""},
		{"an empty JSON username", map[string]string{"username": `""`, "password": "p"}, nil, ""},
		{"bad port", map[string]string{"username": "u", "password": "p", "port": "http"}, nil,
			`credentials: endpoint server: relation server:5: what vault published: invalid credentials: port "http" is not a number from 1 to 65535`},
		{"port out of range", map[string]string{"username": "u", "password": "p", "port": "0"}, nil, `port "0" is not a number`},
		{"host with a space", map[string]string{"username": "u", "password": "p", "host": "a b"}, nil, `host "a b" holds white space`},
		{"a secret URI that is not one", map[string]string{"secret-user": "secret:nope"}, nil,
			`credentials: endpoint server: relation server:5: what vault published: invalid credentials: secret-user "secret:nope" is not a secret URI`},
		{"a secret URI as a JSON string, and the port", map[string]string{"secret-user": `"` + vaultSecretID + `"`, "port": "5432"},
			&credentials.Credentials{Username: "admin", Password: "s3cret", Port: 5432, SecretURI: vaultSecretID}, ""},
		{"a secret URI with more after it", map[string]string{"secret-user": vaultSecretURI + "/x"}, nil, `is not a secret URI`},
		{"a secret without a password (the secret: username only)", map[string]string{"secret-user": otherSecretID}, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got credentials.Credentials
			var ok bool
			u := related(tc.bag, "vault/0")
			u.Secrets = []charmtest.Secret{vaultSecret(map[string]string{"username": "admin", "password": "s3cret"}),
				{ID: otherSecretID, Owner: "vault", Revisions: []map[string]string{{"username": "admin"}}, Granted: true}}
			out := u.Run(t, func(r *reactive.Registry) {
				endpoint.Register(r, &endpoint.Options{Metadata: appMD})
				credentials.RegisterRequires(r, appMD)
				r.Handle("get", reactive.When("endpoint.server.joined"), func(ctx context.Context, h *reactive.Hook) error {
					var err error
					got, ok, err = credentials.Get(ctx, h, "server")
					return err
				})
			}, "server-relation-joined")
			if tc.error != "" {
				require.ErrorIs(t, out.Err, credentials.ErrInvalidCredentials)
				assert.Contains(t, out.Err.Error(), tc.error)
				assert.Empty(t, out.Invoked, "the layer's start failed the hook")
				return
			}
			require.NoError(t, out.Err)
			assert.Equal(t, tc.want != nil, out.HasFlag("server.available"))
			assert.Equal(t, tc.want != nil, ok)
			if tc.want != nil {
				tc.want.RelationID, tc.want.Application = "server:5", "vault"
				assert.Equal(t, *tc.want, got)
			}
		})
	}
}

// Ensure that what one side publishes is what the other side reads, in
// both modes: the provider leader's application bag, as charmtest returns
// it, given to a client unit as its remote application's bag, and, in
// secret mode, the provider's secret as the client sees it once granted.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, juju := range []string{"3.6.4", "2.9.42"} {
		t.Run(juju, func(t *testing.T) {
			t.Parallel()
			full := credentials.Credentials{Username: "app", Password: "p=\"x\"\n", Host: "10.0.0.1", Port: 8200}
			u := leader()
			u.Env.JujuVersion = juju
			out := u.Run(t, vault(full), "clients-relation-joined")
			require.NoError(t, out.Err)
			var got credentials.Credentials
			in := related(out.Relations[0].AppData, "vault/0")
			in.Env.JujuVersion = juju
			for _, s := range out.Secrets {
				in.Secrets = append(in.Secrets, consumed(s, "vault"))
			}
			res := in.Run(t, probe(client, func(ctx context.Context, h *reactive.Hook) error {
				var err error
				got, _, err = credentials.Get(ctx, h, "server")
				return err
			}), "update-status")
			require.NoError(t, res.Err)
			full.RelationID, full.Application = "server:5", "vault"
			if len(out.Secrets) > 0 {
				full.SecretURI = uri(out.Secrets[0])
			}
			assert.Equal(t, full, got)
		})
	}
}

// vaultSecret is vault's secret of the relation server:5 as app/0 sees it
// (granted to app), with the given revisions.
func vaultSecret(revisions ...map[string]string) charmtest.Secret {
	return charmtest.Secret{ID: vaultSecretID, Owner: "vault", Revisions: revisions, Granted: true}
}

const (
	otherSecretID  = "secret:coj8mulh8b41e8nv6pa0"
	vaultSecretID  = "secret:coj8mulh8b41e8nv6p90"
	vaultSecretURI = "secret://" + modelUUID + "/coj8mulh8b41e8nv6p90"
)

// Ensure the requires side of secret mode through a relation's life: the
// URI in the provider's bag and a readable secret make the credentials
// available and changed, read with --refresh (the unit tracks the latest
// revision); a hook that is neither a relation hook nor secret-changed
// reads nothing; a new revision, announced by secret-changed, sets changed
// again and the file follows it; reading it again (secret-changed once
// more, a relation hook, a new revision with the same content) changes
// nothing; a secret the unit may not read is no credentials, with a
// WARNING; nothing secret is left in the unit's store or shown anywhere.
func TestRequires_Secret(t *testing.T) {
	t.Parallel()
	u := related(map[string]string{"secret-user": vaultSecretURI}, "vault/0")
	u.Secrets = []charmtest.Secret{vaultSecret(map[string]string{"username": "admin", "password": "s3cret"})}
	out := u.Run(t, client, "server-relation-joined")
	require.NoError(t, out.Err)
	assert.Contains(t, out.Events, "+server.available")
	assert.Equal(t, []string{"use"}, out.Invoked)
	assert.Equal(t, []string{"secret-get --format=json " + vaultSecretURI + " --refresh"}, secretCalls(out), "read once per hook")
	pw, _ := out.File("password")
	assert.Equal(t, "s3cret", pw)
	assert.Equal(t, 1, out.Secrets[0].Tracked)
	requireNoValue(t, out, "s3cret")

	out = out.Run(t, client, "update-status")
	require.NoError(t, out.Err)
	assert.Empty(t, secretCalls(out), "nothing can have changed")
	assert.Empty(t, out.Invoked)

	// The provider rotates: a new revision, and secret-changed.
	u = out.Unit
	u.Secrets[0].Revisions = append(u.Secrets[0].Revisions, map[string]string{"username": "admin", "password": "n3w-pass"})
	u.Env = charmtest.HookEnv{SecretID: vaultSecretID}
	out = u.Run(t, client, "secret-changed")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"+server.changed", "-server.changed"}, out.Events)
	pw, _ = out.File("password")
	assert.Equal(t, "n3w-pass", pw)
	assert.Equal(t, 2, out.Secrets[0].Tracked, "follows the latest revision")
	requireNoValue(t, out, "s3cret", "n3w-pass")

	for _, hook := range []string{"secret-changed", "server-relation-changed"} {
		out = out.Run(t, client, hook)
		require.NoError(t, out.Err, hook)
		assert.Len(t, secretCalls(out), 1, hook)
		assert.Empty(t, out.Events, "%s: read again, the same credentials", hook)
	}
	u = out.Unit
	u.Secrets[0].Revisions = append(u.Secrets[0].Revisions, map[string]string{"username": "admin", "password": "n3w-pass"})
	out = u.Run(t, client, "secret-changed")
	require.NoError(t, out.Err)
	assert.Empty(t, out.Events, "a new revision with the same content")
	assert.Equal(t, 3, out.Secrets[0].Tracked)

	// The grant is gone: no credentials, a warning, the file removed.
	u = out.Unit
	u.Secrets[0].Granted, u.Secrets[0].Tracked = false, 0
	out = u.Run(t, client, "server-relation-changed")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"-server.available"}, out.Events)
	assert.Equal(t, []string{"forget"}, out.Invoked)
	assert.Equal(t, []string{"credentials: endpoint server: relation server:5: vault published the secret " + vaultSecretURI +
		", which this unit may not read (not granted, or removed): no credentials from it"}, warnings(out))
	_, ok := out.File("password")
	assert.False(t, ok)
	assert.NotContains(t, out.KV, flags.DataChangedPrefix+credentials.ReceivedID("server"))
}

// Ensure that the requires side reads either mode, whatever it read
// before: a provider that moves from plain data to a secret with the same
// credentials changes nothing; one that moves back neither; new
// credentials in the other mode set changed.
func TestRequires_ModeChanges(t *testing.T) {
	t.Parallel()
	creds := map[string]string{"username": "admin", "password": "s3cret"}
	out := related(creds, "vault/0").Run(t, client, "server-relation-joined")
	require.NoError(t, out.Err)
	assert.Contains(t, out.Events, "+server.changed")

	u := out.Unit
	u.Relations[0].RemoteAppData = map[string]string{"secret-user": vaultSecretURI}
	u.Secrets = []charmtest.Secret{vaultSecret(creds)}
	out = u.Run(t, client, "server-relation-changed")
	require.NoError(t, out.Err)
	assert.Empty(t, out.Events, "the same credentials, now in a secret")

	u = out.Unit
	u.Relations[0].RemoteAppData = map[string]string{"username": "admin", "password": "s3cret"}
	out = u.Run(t, client, "server-relation-changed")
	require.NoError(t, out.Err)
	assert.Empty(t, out.Events, "and back")
	assert.Empty(t, secretCalls(out))

	u = out.Unit
	u.Relations[0].RemoteAppData = map[string]string{"secret-user": vaultSecretURI, "username": "old", "password": "old"}
	u.Secrets[0].Revisions = append(u.Secrets[0].Revisions, map[string]string{"username": "admin", "password": "n3w-pass"})
	out = u.Run(t, client, "server-relation-changed")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"+server.changed", "-server.changed"}, out.Events)
	pw, _ := out.File("password")
	assert.Equal(t, "n3w-pass", pw, "the secret wins over plain keys")
}

// Ensure that a secret the unit cannot read for another reason than
// access (Juju without the tool: a provider on a Juju with secrets, a
// client on one without) fails the hook naming the relation and the
// secret, never a value.
func TestRequires_SecretUnreadable(t *testing.T) {
	t.Parallel()
	u := related(map[string]string{"secret-user": vaultSecretURI}, "vault/0")
	u.Secrets = []charmtest.Secret{vaultSecret(map[string]string{"username": "admin", "password": "s3cret"})}
	u.Faults = map[string]charmtest.Fault{"secret-get": {Missing: true}}
	out := u.Run(t, client, "server-relation-joined")
	require.ErrorIs(t, out.Err, hookenv.ErrToolNotFound)
	assert.Contains(t, out.Err.Error(), "credentials: endpoint server: relation server:5: reading the secret "+vaultSecretURI+" that vault published")
	assert.False(t, out.HasFlag("server.available"))
}

// Ensure that Get on a name that is not a requires endpoint of the
// interface, or without the layer, says so.
func TestRequires_BadName(t *testing.T) {
	t.Parallel()
	out := related(published, "vault/0").Run(t, probe(client, func(ctx context.Context, h *reactive.Hook) error {
		_, _, err := credentials.Get(ctx, h, "db")
		assert.ErrorIs(t, err, credentials.ErrUnknownEndpoint)
		assert.EqualError(t, err, `credentials: endpoint "db": unknown endpoint: not a requires endpoint of interface credentials (the charm's are: server)`)
		err = credentials.Publish(ctx, h, "server", admin)
		assert.ErrorIs(t, err, credentials.ErrNotRegistered)
		return nil
	}), "update-status")
	require.NoError(t, out.Err)
}

// Ensure that a relation hook naming a remote unit that is not in the
// relation, which Juju never runs, is refused with an error naming the
// unit and the relation before any handler runs.
func TestRequires_RemoteUnitNotInRelation(t *testing.T) {
	t.Parallel()
	out := related(published, "vault/0").Run(t, client, "server-relation-joined")
	require.NoError(t, out.Err)
	for _, hook := range []string{"server-relation-changed", "server-relation-departed"} {
		u := out.Unit
		u.Env.RemoteUnit = "vault/7"
		_, err := u.RunDir(t.Context(), t.TempDir(), client, hook)
		require.ErrorIs(t, err, charmtest.ErrInvalidUnit, hook)
		assert.ErrorContains(t, err, `"vault/7": not a unit of Relations[0] ("server:5")`, hook)
	}
}

// Ensure that relation data that is not a map of strings fails the hook
// with endpoint.ErrBadData, naming the relation and the application.
func TestRequires_BadData(t *testing.T) {
	t.Parallel()
	r := reactive.NewRegistry()
	client(r)
	_, err := r.Run(context.Background(), reactive.RunOptions{
		Store:              flags.OpenMemory(),
		Env:                hookenv.Env{InHook: true, HookName: "server-relation-changed", UnitName: "app/0", AppName: "app", CharmDir: t.TempDir(), RelationID: "server:5", RemoteUnit: "vault/0", RemoteApp: "vault"},
		Runner:             badBag{},
		NoExternalHandlers: true,
	})
	require.ErrorIs(t, err, endpoint.ErrBadData)
	assert.Contains(t, err.Error(), `start callback "credentials.requires": credentials: endpoint server: relation server:5: vault's data: relation data is not a map of strings`)
}

// badBag answers the relation tools for one relation whose provider
// application's bag holds a number.
type badBag struct{}

func (badBag) Run(_ context.Context, tool string, args []string, _ []byte) ([]byte, error) {
	switch tool {
	case "relation-ids":
		return json.Marshal([]string{"server:5"})
	case "relation-list":
		return json.Marshal([]string{"vault/0"})
	case "relation-get":
		if strings.Contains(strings.Join(args, " "), "--app") {
			return []byte(`{"username": "admin", "password": 1234}`), nil
		}
		return json.Marshal(addresses("10.0.1.1"))
	case "juju-log", "status-set":
		return nil, nil
	}
	return nil, fmt.Errorf("%w: %s", hookenv.ErrToolNotFound, tool)
}
