// Command client is a charm, the requires side of the credentials
// interface (package interfaces/credentials): every unit writes the
// credentials a related provider gives it to a file, and removes the file
// when they go away.
package main

import (
	"context"
	_ "embed"

	"github.com/charmkit/charmkit/endpoint"
	"github.com/charmkit/charmkit/files"
	"github.com/charmkit/charmkit/interfaces/credentials"
	"github.com/charmkit/charmkit/reactive"
)

// The charm's endpoint, file and flag.
const (
	// ServerEndpoint is the requires endpoint (metadata.yaml).
	ServerEndpoint = "server"
	// CredentialsFile holds "user:password" while the credentials are there.
	CredentialsFile = "/etc/howto-client/credentials"
	// WrittenFlag is set while CredentialsFile is written.
	WrittenFlag = "client.credentials-written"
)

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

// snippet:register

// Register adds the layers and the charm's handlers to r.
func Register(r *reactive.Registry) {
	endpoint.Register(r, &endpoint.Options{Metadata: Metadata})
	credentials.RegisterRequires(r, Metadata) // server.available, server.changed

	// New or changed credentials: write the file, and clear the event flag.
	r.Handle("write_credentials", reactive.When(credentials.AvailableFlag(ServerEndpoint), credentials.ChangedFlag(ServerEndpoint)),
		func(ctx context.Context, h *reactive.Hook) error {
			c, ok, err := credentials.Get(ctx, h, ServerEndpoint)
			if err != nil || !ok {
				return err
			}
			data := []byte(c.Username + ":" + c.Password + "\n")
			if _, err := files.Write(ctx, files.Path(ctx, CredentialsFile), data, files.Options{Mode: 0o600}); err != nil {
				return err
			}
			if err := h.SetFlag(WrittenFlag); err != nil {
				return err
			}
			return h.ClearFlag(credentials.ChangedFlag(ServerEndpoint))
		})

	// The credentials went away (relation removed, provider gone): remove
	// the file.
	r.Handle("remove_credentials", reactive.All(
		reactive.WhenNot(credentials.AvailableFlag(ServerEndpoint)), reactive.When(WrittenFlag),
	), func(ctx context.Context, h *reactive.Hook) error {
		if _, err := files.Remove(ctx, files.Path(ctx, CredentialsFile)); err != nil {
			return err
		}
		return h.ClearFlag(WrittenFlag)
	})
}

// end snippet

func main() {
	r := reactive.NewRegistry()
	Register(r)
	reactive.Main(r)
}
