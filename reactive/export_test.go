package reactive

import (
	"context"
	"net"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/reactive/internal/cli"
)

// The in-hook charms.reactive channel, for the tests that drive it by hand
// (Registry.Run starts and stops it for a real hook).

// CLISocketEnv tells a hook's children where the channel's socket is.
const CLISocketEnv = cli.SocketEnv

// CLIServer is the channel's server.
type CLIServer = cli.Server

// ServeOptions is the hook a test server answers for.
type ServeOptions struct {
	Hook     string
	CharmDir string
	Metadata *Metadata
	Registry *Registry
}

func (o ServeOptions) rules() cliRules {
	return cliRules{hook: o.Hook, charmDir: o.CharmDir, md: o.Metadata, registry: o.Registry}
}

// NewCLIServer returns a server applying commands to fl.
func NewCLIServer(fl *flags.Flags, o ServeOptions) *CLIServer { return cli.NewServer(fl, o.rules()) }

// StartCLIServer starts a server on a socket of its own, until Close.
func StartCLIServer(_ context.Context, fl *flags.Flags, o ServeOptions) (*CLIServer, error) {
	return cli.StartServer(fl, o.rules())
}

// ServeCLI serves commands on l until ctx is done or l is closed.
func ServeCLI(ctx context.Context, l net.Listener, fl *flags.Flags, o ServeOptions) error {
	return cli.Serve(ctx, l, fl, o.rules())
}
