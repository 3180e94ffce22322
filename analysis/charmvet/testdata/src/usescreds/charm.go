package usescreds // want package:"flags\\(reads clients.requested endpoint.server.joined leadership.is_leader server.available server.avialable server.changed\\)"

// Test data: usescreds watches the flags of the endpoint layer and of an
// interface package (interfaces/credentials), which declares its families
// with a directive.

import (
	"context"

	"github.com/charmkit/charmkit/endpoint"
	"github.com/charmkit/charmkit/interfaces/credentials"
	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/reactive"
)

// Register adds the charm's handlers to r.
func Register(r *reactive.Registry, md *reactive.Metadata) {
	endpoint.Register(r, &endpoint.Options{Metadata: md})
	leadership.Register(r, nil)
	credentials.RegisterProvides(r, md)
	credentials.RegisterRequires(r, md)
	r.Handle("share", reactive.When(leadership.IsLeaderFlag, credentials.RequestedFlag("clients"), "server.available"),
		func(ctx context.Context, h *reactive.Hook) error { return nil })
	r.Handle("use", reactive.When("server.changed", "endpoint.server.joined"),
		func(ctx context.Context, h *reactive.Hook) error { return nil })
	r.Handle("typo", reactive.When("server.avialable"), // want `flag "server.avialable" is watched but never set \(did you mean "server.available"\?\)`
		func(ctx context.Context, h *reactive.Hook) error { return nil })
}
