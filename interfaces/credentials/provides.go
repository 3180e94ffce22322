package credentials

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/charmkit/charmkit/endpoint"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/reactive"
)

//charmkit:flags sets {endpoint}.requested

// PublishedPrefix prefixes the store key in which a leader remembers what
// it published on an endpoint: credentials.published.<endpoint>, a JSON
// object mapping each relation id to the sha256 digest of the credentials
// sent there (never the password itself).
const PublishedPrefix = "credentials.published."

// RequestedFlag returns <name>.requested: at least one client application
// is related on the provides endpoint name with a joined unit, and wants
// credentials.
func RequestedFlag(name string) string { return name + ".requested" }

// Provides is the provides side of the credentials interface on one
// registry: the layer [RegisterProvides] adds. Handlers use the package
// functions [Publish] and [PublishTo].
type Provides struct{ side }

var _ reactive.Layer = (*Provides)(nil)

// LayerName implements [reactive.Layer]: "credentials.provides".
func (p *Provides) LayerName() string { return ProvidesLayerName }

// LayerFlags implements [reactive.Layer]: <name>.requested for each
// endpoint.
func (p *Provides) LayerFlags() []string {
	var out []string
	for _, n := range p.names {
		out = append(out, RequestedFlag(n))
	}
	return out
}

// Endpoints returns the provides endpoints of the interface, sorted.
func (p *Provides) Endpoints() []string { return slices.Clone(p.names) }

// RegisterProvides adds the provides side of the credentials interface to
// r, for every endpoint that md lists under provides with interface
// credentials (charms.reactive's {endpoint_name} expansion: each gets its
// own <name>.requested flag). Register the endpoint layer first, with the
// same metadata, and the leadership layer before this one: its start
// callback then asks no is-leader of its own.
//
// At the start of every hook the layer sets <name>.requested while a
// client unit is joined on one of the endpoint's relations, and clears it
// otherwise; a handler of the layer forgets the endpoint's departed units.
//
// RegisterProvides panics when md is nil, when the endpoint layer is not
// registered, or when md has no such endpoint (naming those it has).
func RegisterProvides(r *reactive.Registry, md *reactive.Metadata) *Provides {
	p := &Provides{side{role: "provides", names: endpoints(r, md, "provides", "RegisterProvides")}}
	r.AddLayer(p)
	r.AtStart(ProvidesLayerName, p.start)
	registerDeparted(r, md, "provides")
	return p
}

// start sets the requested flags and, on a unit that is no longer the
// leader, forgets what it published.
func (p *Provides) start(ctx context.Context, h *reactive.Hook) error {
	for _, name := range p.names {
		ep, err := endpoint.Get(h, name)
		if err != nil {
			return fmt.Errorf("credentials: %w", err)
		}
		if err := h.ToggleFlag(RequestedFlag(name), ep.IsJoined()); err != nil {
			return err
		}
		recs, err := loadPublished(h, name)
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			continue
		}
		if err := leaderTracker(h).RequireLeader(ctx); errors.Is(err, hookenv.ErrNotLeader) {
			// Another unit leads (or led meanwhile): what this unit sent
			// may have been replaced. Ask again when it leads next.
			h.KV().Unset(PublishedPrefix + name)
			continue
		} else if err != nil {
			return fmt.Errorf("credentials: endpoint %s: %w", name, err)
		}
		ids := ep.Relations().IDs()
		kept := maps.Clone(recs)
		maps.DeleteFunc(kept, func(id, _ string) bool { return !slices.Contains(ids, id) })
		if len(kept) != len(recs) {
			if err := savePublished(h, name, kept); err != nil {
				return err
			}
		}
	}
	return nil
}

// Publish gives c to every client application related on the provides
// endpoint called name: into the application bag of each of the
// endpoint's relations, sent when the hook succeeds. Only the leader may
// call it: on another unit it returns an error wrapping [ErrNotLeader]
// before any relation tool runs.
//
// Publish is cheap to call in every hook: the leader remembers (as a
// digest, in the unit's store) what it sent on each relation, and reads
// and writes only the relations that have not got c from it yet: a new
// relation, every relation when c changed, every relation again after
// leadership came back to this unit. Only the keys that differ are
// written; the bag's other keys are left alone; an optional field left
// empty in c is deleted from the bag.
//
// Errors: [ErrNotRegistered], [ErrUnknownEndpoint] (not a provides
// endpoint of the interface), [ErrInvalidCredentials], [ErrNotLeader].
func Publish(ctx context.Context, h *reactive.Hook, name string, c Credentials) error {
	ep, err := checkPublish(ctx, h, name, c)
	if err != nil {
		return err
	}
	return publish(ctx, h, ep, ep.Relations(), c)
}

// PublishTo is [Publish] for one relation of the endpoint: a charm that
// gives each client application its own credentials calls it once per
// relation (endpoint.FromName(h, name).Relations() lists them, with
// ApplicationName). A relation id that is not one of the endpoint's is an
// error wrapping [ErrUnknownRelation].
func PublishTo(ctx context.Context, h *reactive.Hook, name, relationID string, c Credentials) error {
	ep, err := checkPublish(ctx, h, name, c)
	if err != nil {
		return err
	}
	rel, err := ep.Relation(relationID)
	if err != nil {
		return fmt.Errorf("credentials: publishing: %w", err)
	}
	return publish(ctx, h, ep, endpoint.Relations{rel}, c)
}

// checkPublish returns the endpoint once name, c and leadership are right.
func checkPublish(ctx context.Context, h *reactive.Hook, name string, c Credentials) (*endpoint.Endpoint, error) {
	ep, err := get(h, ProvidesLayerName, name)
	if err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("credentials: publishing on %s: %w", name, err)
	}
	if err := leaderTracker(h).RequireLeader(ctx); err != nil {
		return nil, fmt.Errorf("credentials: publishing on %s: only the leader writes its application's bag: %w", name, err)
	}
	return ep, nil
}

func publish(ctx context.Context, h *reactive.Hook, ep *endpoint.Endpoint, rels endpoint.Relations, c Credentials) error {
	recs, err := loadPublished(h, ep.Name())
	if err != nil {
		return err
	}
	digest, err := c.digest()
	if err != nil {
		return err
	}
	want := c.wire()
	changed := false
	for _, rel := range rels {
		if recs[rel.ID()] == digest {
			continue
		}
		bag, err := rel.ToPublishApp(ctx)
		if err != nil {
			return fmt.Errorf("credentials: %w", err)
		}
		for _, k := range []string{UsernameKey, PasswordKey, HostKey, PortKey} {
			v, ok := want[k]
			cur, has := bag.Raw(k)
			switch {
			case ok && (!has || cur != v):
				if err := bag.SetRaw(k, v); err != nil {
					return fmt.Errorf("credentials: %w", err)
				}
			case !ok && has:
				bag.Delete(k)
			}
		}
		recs[rel.ID()] = digest
		changed = true
	}
	if !changed {
		return nil
	}
	return savePublished(h, ep.Name(), recs)
}

func loadPublished(h *reactive.Hook, name string) (map[string]string, error) {
	recs := map[string]string{}
	if _, err := h.KV().Get(PublishedPrefix+name, &recs); err != nil {
		return nil, fmt.Errorf("credentials: %s%s does not hold a map of relation ids to digests: %w", PublishedPrefix, name, err)
	}
	if recs == nil {
		recs = map[string]string{}
	}
	return recs, nil
}

func savePublished(h *reactive.Hook, name string, recs map[string]string) error {
	if len(recs) == 0 {
		h.KV().Unset(PublishedPrefix + name)
		return nil
	}
	return h.KV().Set(PublishedPrefix+name, recs)
}

// trackerKey is the reactive.Hook value key of the layer's own lease
// tracker, used when no layer installed one in the hook's tools.
type trackerKey struct{}

// leaderTracker returns the hook's lease tracker: the one the leadership
// layer installs, else one kept for the hook.
func leaderTracker(h *reactive.Hook) *hookenv.LeaderTracker {
	if t := h.Tools().Leader; t != nil {
		return t
	}
	if t, ok := h.Value(trackerKey{}).(*hookenv.LeaderTracker); ok {
		return t
	}
	t := &hookenv.LeaderTracker{Tools: h.Tools(), Clock: h.Now}
	h.SetValue(trackerKey{}, t)
	return t
}
