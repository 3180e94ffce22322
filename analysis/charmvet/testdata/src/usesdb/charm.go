package usesdb // want package:"flags\\(sets app.configured; reads db.cache.joined db.database.joined db.database.ready db.ready db.replica.ready\\)"

// Test data: usesdb is a charm watching the flags of a third-party layer.

import (
	"context"

	"charmvettest/dblayer"

	"github.com/charmkit/charmkit/reactive"
)

// Register adds the charm's handlers to r.
func Register(r *reactive.Registry) {
	dblayer.Register(r)
	r.Handle("configure", reactive.When("db.ready", "db.database.joined", dblayer.ReadyFlag("database")),
		func(ctx context.Context, h *reactive.Hook) error {
			return h.SetFlag("app.configured") // the layer reads it
		})
	r.Handle("replica", reactive.When(dblayer.ReadyFlag("replica")), // a family set by the layer's code: any endpoint
		func(ctx context.Context, h *reactive.Hook) error { return nil })
	r.Handle("cache", reactive.When("db.cache.joined"), // want `flag "db.cache.joined" is watched but never set: "cache" is not an endpoint in metadata.yaml`
		func(ctx context.Context, h *reactive.Hook) error { return nil })
}
