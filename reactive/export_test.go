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

// Names the package keeps to itself, for its tests.

// Store keys of the dispatcher's bookkeeping.
const (
	PhaseKey      = phaseKey
	StateWatchKey = stateWatchKey
)

// The functions behind the command line, the WARNING at the iteration cap,
// external handler discovery and hook patterns.
var (
	CapWarning         = capWarning
	WatchAllows        = watchAllows
	CurrentPhase       = currentPhase
	Check              = check
	DiscoverExternal   = discoverExternal
	AnyHook            = anyHook
	ExpandHookPatterns = expandHookPatterns
)

// CheckOptions is the situation Check checks a condition in.
type CheckOptions = checkOptions

// ExternalHandler is an executable DiscoverExternal found.
type ExternalHandler = externalFile

// Test reports whether the named handler's test holds against tx.
func (r *Registry) Test(tx *flags.Tx, name string, o CheckOptions) (bool, error) {
	return r.test(tx, name, o)
}

// Condition returns the condition of the named handler.
func (r *Registry) Condition(name string) (Condition, bool) { return r.condition(name) }
