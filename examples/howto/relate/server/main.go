// Command server is a charm, the provider side of the credentials interface
// (package interfaces/credentials): its leader generates a password once
// and gives it to every client application related on its clients
// endpoint.
package main

import (
	"context"
	"crypto/rand"
	_ "embed"

	"github.com/charmkit/charmkit/endpoint"
	"github.com/charmkit/charmkit/interfaces/credentials"
	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/reactive"
)

// The charm's endpoint, leader setting and user name.
const (
	// ClientsEndpoint is the provides endpoint (metadata.yaml).
	ClientsEndpoint = "clients"
	// PasswordKey is the leader setting holding the password.
	PasswordKey = "password"
	// Username is the user name the clients get.
	Username = "app"
)

// snippet:metadata

// The layers need the charm's endpoints when handlers are registered: the
// metadata is embedded in the binary.
//
//go:embed metadata.yaml
var metadataYAML []byte

// Metadata is the charm's metadata.yaml.
var Metadata = func() *reactive.Metadata {
	md, err := reactive.ParseMetadata(metadataYAML)
	if err != nil {
		panic(err)
	}
	return md
}()

// end snippet

// snippet:register

// Register adds the layers and the charm's handlers to r.
func Register(r *reactive.Registry) {
	endpoint.Register(r, &endpoint.Options{Metadata: Metadata}) // endpoint.clients.joined, ...
	leadership.Register(r, nil)                                 // leadership.is_leader, leadership.set.password, ...
	credentials.RegisterProvides(r, Metadata)                   // clients.requested

	r.Handle("generate_password", reactive.All(
		reactive.When(leadership.IsLeaderFlag),
		reactive.WhenNot(leadership.SetFlag(PasswordKey)),
	), func(ctx context.Context, h *reactive.Hook) error {
		return leadership.Set(ctx, h, map[string]string{PasswordKey: rand.Text()})
	})

	// share_password runs in every hook of the leader while a client is
	// related; Publish writes only to relations that do not have this
	// password yet.
	r.Handle("share_password", reactive.When(
		leadership.IsLeaderFlag, leadership.SetFlag(PasswordKey), credentials.RequestedFlag(ClientsEndpoint),
	), func(ctx context.Context, h *reactive.Hook) error {
		password, _ := leadership.Get(h, PasswordKey)
		return credentials.Publish(ctx, h, ClientsEndpoint, credentials.Credentials{Username: Username, Password: password})
	})
}

// end snippet

func main() {
	r := reactive.NewRegistry()
	Register(r)
	reactive.Main(r)
}
