package credentials_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/charmkit/charmkit/endpoint"
	"github.com/charmkit/charmkit/interfaces/credentials"
	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/testing/charmtest"
)

// Both sides of a relation, one hook each: the provider's leader publishes
// its credentials when a client unit joins (on this Juju, 3.6, in a
// secret granted to the relation, whose URI alone is in the bag), and a
// client unit that sees them gets <endpoint>.available and
// <endpoint>.changed.
func Example() {
	dir, err := os.MkdirTemp("", "credentials")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()

	// The provider: vault/0 leads; app/0 has joined relation clients:3.
	provides, _ := reactive.ParseMetadata([]byte("name: vault\nprovides:\n  clients:\n    interface: credentials\n"))
	providerCharm := func(r *reactive.Registry) {
		endpoint.Register(r, &endpoint.Options{Metadata: provides})
		leadership.Register(r, nil)
		credentials.RegisterProvides(r, provides)
		r.Handle("share", reactive.When(leadership.IsLeaderFlag, "clients.requested"),
			func(ctx context.Context, h *reactive.Hook) error {
				return credentials.Publish(ctx, h, "clients", credentials.Credentials{Username: "admin", Password: "s3cret", Port: 8200})
			})
	}
	leader := charmtest.Unit{Name: "vault/0", Leader: true, Relations: []charmtest.Relation{{ID: "clients:3", RemoteApp: "app",
		Units: map[string]map[string]string{"app/0": {"private-address": "10.0.0.5"}}}}}
	out, err := leader.RunDir(ctx, filepath.Join(dir, "vault"), providerCharm, "clients-relation-joined")
	if err != nil || out.Err != nil {
		panic(fmt.Sprint(err, out.Err))
	}
	fmt.Println("vault/0 flags:", out.Flags)
	secret := out.Secrets[0]
	fmt.Printf("vault/0: secret %s, %d revision, keys %v\n", secret.Label, len(secret.Revisions), slices.Sorted(maps.Keys(secret.Revisions[0])))
	for _, c := range out.CallsTo("secret-grant") {
		fmt.Println("vault/0:", strings.Replace(c.String(), strings.TrimPrefix(secret.ID, "secret:"), "<id>", 1))
	}
	bag := out.Relations[0].AppData
	fmt.Println("vault/0: bag keys", slices.Sorted(maps.Keys(bag)))

	// The client: app/0 sees vault's application bag on server:5.
	requires, _ := reactive.ParseMetadata([]byte("name: app\nrequires:\n  server:\n    interface: credentials\n"))
	clientCharm := func(r *reactive.Registry) {
		endpoint.Register(r, &endpoint.Options{Metadata: requires})
		credentials.RegisterRequires(r, requires)
		r.Handle("use", reactive.When("server.available", "server.changed"),
			func(ctx context.Context, h *reactive.Hook) error {
				c, _, err := credentials.Get(ctx, h, "server")
				if err != nil {
					return err
				}
				fmt.Println("app/0 got", c) // the password is not printed
				return h.ClearFlag("server.changed")
			})
	}
	unit := charmtest.Unit{Name: "app/0", Relations: []charmtest.Relation{{ID: "server:5", RemoteApp: "vault",
		Units:         map[string]map[string]string{"vault/0": {"private-address": "10.0.0.1"}},
		RemoteAppData: bag}},
		// vault's secret, granted to app.
		Secrets: []charmtest.Secret{{ID: secret.ID, Owner: "vault", Revisions: secret.Revisions, Granted: true}}}
	res, err := unit.RunDir(ctx, filepath.Join(dir, "app"), clientCharm, "server-relation-joined")
	if err != nil || res.Err != nil {
		panic(fmt.Sprint(err, res.Err))
	}
	fmt.Println("app/0 flags:", res.Flags)
	// Output:
	// vault/0 flags: [clients.requested endpoint.clients.changed endpoint.clients.changed.private-address endpoint.clients.joined leadership.is_leader]
	// vault/0: secret credentials-clients-3, 1 revision, keys [password username]
	// vault/0: secret-grant secret://6e0b1d2c-0000-4000-8000-000000000000/<id> -r clients:3
	// vault/0: bag keys [port secret-user]
	// app/0 got credentials{username: "admin", password: (hidden), port: 8200, from vault on server:5}
	// app/0 flags: [endpoint.server.changed endpoint.server.changed.private-address endpoint.server.joined server.available]
}

// Publishing on a unit that does not lead fails before any relation tool
// runs: only the leader writes its application's bag.
func ExamplePublish_follower() {
	dir, err := os.MkdirTemp("", "credentials")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	md, _ := reactive.ParseMetadata([]byte("name: vault\nprovides:\n  clients:\n    interface: credentials\n"))
	charm := func(r *reactive.Registry) {
		endpoint.Register(r, &endpoint.Options{Metadata: md})
		leadership.Register(r, nil)
		credentials.RegisterProvides(r, md)
		r.Handle("share", reactive.When("clients.requested"), // no leadership condition: a mistake
			func(ctx context.Context, h *reactive.Hook) error {
				return credentials.Publish(ctx, h, "clients", credentials.Credentials{Username: "admin", Password: "s3cret"})
			})
	}
	follower := charmtest.Unit{Name: "vault/1", Relations: []charmtest.Relation{{ID: "clients:3", RemoteApp: "app",
		Units: map[string]map[string]string{"app/0": {"private-address": "10.0.0.5"}}}}}
	out, err := follower.RunDir(context.Background(), dir, charm, "clients-relation-joined")
	if err != nil {
		panic(err)
	}
	fmt.Println(errors.Is(out.Err, credentials.ErrNotLeader))
	msg, _, _ := strings.Cut(out.Err.Error(), " bag: ")
	fmt.Println(msg, "bag: ...")
	fmt.Println("relation-set calls:", len(out.CallsTo("relation-set")))
	// Output:
	// true
	// handler "share": credentials: publishing on clients: only the leader writes its application's bag: ...
	// relation-set calls: 0
}

// The layers list the flags they manage, per endpoint of the metadata.
func ExampleRegisterRequires() {
	md, _ := reactive.ParseMetadata([]byte(`name: app
requires:
  server:
    interface: credentials
  backup-server:
    interface: credentials
  db:
    interface: mysql
`))
	r := reactive.NewRegistry()
	endpoint.Register(r, &endpoint.Options{Metadata: md})
	q := credentials.RegisterRequires(r, md)
	fmt.Println(q.Endpoints())
	fmt.Println(q.LayerFlags())
	for _, h := range r.Handlers() {
		fmt.Println(h.Name, h.Watched)
	}
	// Output:
	// [backup-server server]
	// [backup-server.available backup-server.changed server.available server.changed]
	// credentials.departed:backup-server [endpoint.backup-server.departed]
	// credentials.departed:server [endpoint.server.departed]
}
