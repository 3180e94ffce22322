package leadership

import (
	"context"
	"errors"
	"fmt"

	"github.com/charmkit/charmkit/hookenv"
)

// backend is where the leader's settings live, bound to one hook. read returns
// every current setting; write publishes a group of settings in one tool call,
// an empty value deleting the key. Both implementations give the layer identical
// flags and snapshot semantics (docs/design.md, "Two backends").
type backend interface {
	read(ctx context.Context) (map[string]string, error)
	write(ctx context.Context, settings map[string]string) error
}

// newBackend returns the backend chosen by opts for one hook.
func newBackend(opts Options, tools *hookenv.Tools, app string) backend {
	if opts.PeerRelation != "" {
		return &peerBackend{tools: tools, endpoint: opts.PeerRelation, app: app}
	}
	return leaderSettingsBackend{tools: tools}
}

// leaderSettingsBackend keeps the settings in Juju's leader settings
// (leader-get / leader-set; Juju up to 3.6).
type leaderSettingsBackend struct {
	tools *hookenv.Tools
}

func (b leaderSettingsBackend) read(ctx context.Context) (map[string]string, error) {
	m, err := b.tools.LeaderGet(ctx)
	if err != nil {
		return nil, leaderToolError(err)
	}
	return m, nil
}

func (b leaderSettingsBackend) write(ctx context.Context, settings map[string]string) error {
	return leaderToolError(b.tools.LeaderSet(ctx, settings))
}

// leaderToolError turns a missing leader-get/leader-set into
// ErrNoLeaderSettings, keeping the tool's error in the chain.
func leaderToolError(err error) error {
	if err != nil && errors.Is(err, hookenv.ErrToolNotFound) {
		return fmt.Errorf("%w: %w", ErrNoLeaderSettings, err)
	}
	return err
}

// peerBackend keeps the settings in the application data bag of a peer
// relation (relation-get --app / relation-set --app; Juju 3 and 4).
type peerBackend struct {
	tools    *hookenv.Tools
	endpoint string // the peer relation's endpoint name, from metadata.yaml
	app      string // this unit's application
	relID    string // resolved once per hook by relationID
}

// relationID finds the peer relation's id with relation-ids, once per hook.
func (b *peerBackend) relationID(ctx context.Context) (string, error) {
	if b.relID != "" {
		return b.relID, nil
	}
	ids, err := b.tools.RelationIDs(ctx, b.endpoint)
	if err != nil {
		return "", err
	}
	if len(ids) == 0 {
		return "", fmt.Errorf("%w: relation-ids %q lists no relation", ErrPeerUnavailable, b.endpoint)
	}
	b.relID = ids[0]
	return b.relID, nil
}

func (b *peerBackend) read(ctx context.Context) (map[string]string, error) {
	if b.app == "" {
		return nil, fmt.Errorf("peer relation %q: the unit's application name is unknown (JUJU_UNIT_NAME not set)", b.endpoint)
	}
	id, err := b.relationID(ctx)
	if err != nil {
		return nil, err
	}
	return b.tools.RelationGet(ctx, id, true, b.app)
}

func (b *peerBackend) write(ctx context.Context, settings map[string]string) error {
	if len(settings) == 0 {
		return nil
	}
	id, err := b.relationID(ctx)
	if err != nil {
		return err
	}
	return b.tools.RelationSet(ctx, id, true, settings)
}
