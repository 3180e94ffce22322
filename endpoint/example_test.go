package endpoint_test

import (
	"context"
	"fmt"
	"os"

	"github.com/charmkit/charmkit/endpoint"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/testing/charmtest"
)

// wordpress is a charm with a db endpoint (requires, interface mysql): it
// asks for its database, waits for the server's host and port, and writes
// its configuration again whenever they change.
func wordpress(r *reactive.Registry) {
	endpoint.Register(r, nil) // every relation of metadata.yaml

	// Publish the database name on every relation, once: the bag is
	// published when the hook succeeds, and only if it changed.
	r.Handle("db.request", reactive.When("endpoint.db.joined"),
		func(ctx context.Context, h *reactive.Hook) error {
			for _, rel := range endpoint.FromName(h, "db").Relations() {
				pub, err := rel.ToPublish(ctx)
				if err != nil {
					return err
				}
				if name, _ := pub.String("database"); name != "wordpress" {
					if err := pub.Set("database", "wordpress"); err != nil {
						return err
					}
				}
			}
			return nil
		})

	// React to new data from the server.
	r.Handle("db.configure", reactive.When("endpoint.db.changed"),
		func(ctx context.Context, h *reactive.Hook) error {
			db := endpoint.FromName(h, "db")
			data, err := db.Received(ctx) // every joined unit's data, lowest unit first
			if err != nil {
				return err
			}
			host, hasHost := data.String("host")
			var port int
			hasPort, err := data.Decode("port", &port)
			if err != nil {
				return err
			}
			if !hasHost || !hasPort {
				return h.Tools().StatusSet(ctx, hookenv.Status{State: "waiting", Message: "waiting for the database"})
			}
			fmt.Printf("  configure: %s:%d\n", host, port)
			if err := h.SetFlag("wordpress.db-ready"); err != nil {
				return err
			}
			return db.ClearChanged() // handled: clear changed and changed.<field>
		})

	// The last server unit left.
	r.Handle("db.gone", reactive.All(reactive.When("endpoint.db.departed"), reactive.WhenNot("endpoint.db.joined")),
		func(ctx context.Context, h *reactive.Hook) error {
			db := endpoint.FromName(h, "db")
			if err := db.ClearDeparted(); err != nil {
				return err
			}
			if err := h.ClearFlag("wordpress.db-ready"); err != nil {
				return err
			}
			return h.ClearFlag(endpoint.DepartedFlag("db"))
		})
}

// A charm's handlers for a db endpoint, run on one unit through a
// relation's life.
func Example() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	u := charmtest.Unit{Name: "wp/0",
		Files:     map[string]string{"metadata.yaml": "name: wp\nrequires:\n  db:\n    interface: mysql\n"},
		Relations: []charmtest.Relation{{ID: "db:7", RemoteApp: "mysql"}},
	}
	n := 0
	run := func(hook string, change func(bag map[string]string)) {
		n++
		fmt.Println(hook)
		if change != nil {
			change(u.Relations[0].Units["mysql/0"])
		}
		out, err := u.RunDir(context.Background(), fmt.Sprintf("%s/%d", dir, n), wordpress, hook)
		if err != nil || out.Err != nil {
			panic(fmt.Sprint(err, out.Err))
		}
		fmt.Println("  handlers:", out.Invoked)
		for _, c := range out.CallsTo("relation-set") {
			fmt.Print("  published: ", c.Stdin)
		}
		fmt.Println("  flags:", out.Flags)
		u = out.Unit
	}
	u.Relations[0].Units = map[string]map[string]string{"mysql/0": {"private-address": "10.0.0.10"}}
	run("db-relation-joined", nil)
	run("db-relation-changed", func(bag map[string]string) { bag["host"], bag["port"] = "10.0.0.10", "3306" })
	run("update-status", nil)
	run("db-relation-changed", func(bag map[string]string) { bag["port"] = "3307" })
	u.Relations[0].Units = map[string]map[string]string{"mysql/0": u.Relations[0].Units["mysql/0"]}
	u.Env.RemoteUnit = "mysql/0"
	run("db-relation-departed", nil)
	// Output:
	// db-relation-joined
	//   handlers: [db.request db.configure]
	//   published: {"database":"\"wordpress\""}
	//   flags: [endpoint.db.changed endpoint.db.changed.private-address endpoint.db.joined]
	// db-relation-changed
	//   configure: 10.0.0.10:3306
	//   handlers: [db.request db.configure]
	//   flags: [endpoint.db.joined wordpress.db-ready]
	// update-status
	//   handlers: [db.request]
	//   flags: [endpoint.db.joined wordpress.db-ready]
	// db-relation-changed
	//   configure: 10.0.0.10:3307
	//   handlers: [db.request db.configure]
	//   flags: [endpoint.db.joined wordpress.db-ready]
	// db-relation-departed
	//   handlers: [db.gone]
	//   flags: []
}

// An interface package writes its handlers once, for every endpoint of
// its interface in the charm's metadata.
func ExampleHandleInterface() {
	md, err := reactive.ParseMetadata([]byte(`name: app
requires:
  db:
    interface: mysql
  reporting-db:
    interface: mysql
`))
	if err != nil {
		panic(err)
	}
	r := reactive.NewRegistry()
	endpoint.Register(r, &endpoint.Options{Metadata: md})
	names := endpoint.HandleInterface(r, md, "requires", "mysql", "mysql.available",
		endpoint.All(endpoint.When("endpoint.{endpoint_name}.changed.host"), endpoint.WhenNot("{endpoint_name}.available")),
		func(ctx context.Context, h *reactive.Hook, ep *endpoint.Endpoint) error {
			return h.SetFlag(ep.ExpandName("{endpoint_name}.available"))
		})
	fmt.Println(names)
	for _, h := range r.Handlers() {
		fmt.Println(h.Name, h.Watched)
	}
	// Output:
	// [db reporting-db]
	// mysql.available:db [endpoint.db.changed.host db.available]
	// mysql.available:reporting-db [endpoint.reporting-db.changed.host reporting-db.available]
}
