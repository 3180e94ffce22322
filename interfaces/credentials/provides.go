package credentials

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

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

// SecretLabelPrefix starts the owner label of every secret in which the
// provider's leader keeps credentials ([SecretLabel]).
const SecretLabelPrefix = "credentials-"

// SecretLabel returns the owner label of the application-owned secret in
// which the provider's leader keeps the credentials of one relation of the
// provides endpoint name, in secret mode: credentials-<name>-<relation
// number>, e.g. "credentials-clients-3" for relation clients:3. Labels are
// unique across an application and its units: the charm must not give
// another secret such a label.
func SecretLabel(name, relationID string) string {
	_, n, _ := strings.Cut(relationID, ":")
	if n == "" {
		n = relationID
	}
	return SecretLabelPrefix + name + "-" + n
}

// ProvidesOptions configure the provides side ([RegisterProvidesWith]).
// The zero value is what [RegisterProvides] uses.
type ProvidesOptions struct {
	// Plain publishes the username and the password as plain strings in
	// the application bag (plain mode) even on a Juju with secrets, for
	// clients that cannot read a Juju secret. Without it the provider
	// uses secret mode from Juju 3.0.2 on, and plain mode, with a WARNING
	// in the hook's log, on an older Juju.
	Plain bool
}

// Provides is the provides side of the credentials interface on one
// registry: the layer [RegisterProvides] adds. Handlers use the package
// functions [Publish] and [PublishTo].
type Provides struct {
	side
	opts ProvidesOptions
}

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
// In secret mode the leader also removes, in the endpoint's
// -relation-broken hook and in the first hook after it where it finds a
// relation it had published on gone, that relation's secret, and, in a
// secret-remove hook about one of the layer's secrets, the obsolete
// revision Juju names.
//
// RegisterProvides panics when md is nil, when the endpoint layer is not
// registered, or when md has no such endpoint (naming those it has).
func RegisterProvides(r *reactive.Registry, md *reactive.Metadata) *Provides {
	return RegisterProvidesWith(r, md, ProvidesOptions{})
}

// RegisterProvidesWith is [RegisterProvides] with options.
func RegisterProvidesWith(r *reactive.Registry, md *reactive.Metadata, opts ProvidesOptions) *Provides {
	p := &Provides{side: side{role: "provides", names: endpoints(r, md, "provides", "RegisterProvides")}, opts: opts}
	r.AddLayer(p)
	r.AtStart(ProvidesLayerName, p.start)
	registerDeparted(r, md, "provides")
	return p
}

// secretMode reports whether the provider publishes in secret mode in this
// hook.
func (p *Provides) secretMode(h *reactive.Hook) bool {
	return !p.opts.Plain && h.Env().JujuVersion.HasSecrets()
}

// start sets the requested flags and, on a unit that is no longer the
// leader, forgets what it published; on the leader it cleans up the
// secrets of relations that are gone and obsolete revisions.
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
		broken := brokenRelation(h, name)
		removeRev := h.Name() == "secret-remove" && h.Env().JujuVersion.HasSecrets()
		if len(recs) == 0 && broken == "" && !removeRev {
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
		if h.Name() == name+"-relation-departed" && h.Env().RelationID != "" && !slices.Contains(ids, h.Env().RelationID) {
			// The endpoint layer leaves out a relation whose last unit
			// departs, but the relation stays until its -broken hook: a
			// client application scaled to zero units keeps its secret
			// and its grant, and a unit that joins again reads them.
			ids = append(ids, h.Env().RelationID)
		}
		var gone []string
		for _, id := range slices.Sorted(maps.Keys(recs)) {
			if !slices.Contains(ids, id) || id == broken {
				gone = append(gone, id)
			}
		}
		if broken != "" && !slices.Contains(gone, broken) {
			gone = append(gone, broken)
		}
		if h.Env().JujuVersion.HasSecrets() {
			for _, id := range gone {
				if err := removeSecret(ctx, h, name, id); err != nil {
					return err
				}
			}
		}
		if removeRev {
			if err := removeRevision(ctx, h, name); err != nil {
				return err
			}
		}
		kept := maps.Clone(recs)
		maps.DeleteFunc(kept, func(id, _ string) bool { return slices.Contains(gone, id) })
		if len(kept) != len(recs) {
			if err := savePublished(h, name, kept); err != nil {
				return err
			}
		}
	}
	return nil
}

// brokenRelation returns the relation of a <name>-relation-broken hook, ""
// in any other hook.
func brokenRelation(h *reactive.Hook, name string) string {
	if h.Name() != name+"-relation-broken" {
		return ""
	}
	return h.Env().RelationID
}

// removeSecret removes the secret of a relation of the endpoint called
// name, if the application has one: the relation is gone, and with it the
// client application's need to read it.
func removeSecret(ctx context.Context, h *reactive.Hook, name, relationID string) error {
	label := SecretLabel(name, relationID)
	info, err := h.Tools().SecretInfoGet(ctx, "", label)
	if errors.Is(err, hookenv.ErrSecretNotFound) {
		return nil
	}
	if err == nil {
		err = h.Tools().SecretRemove(ctx, "secret:"+info.ID, 0)
	}
	if err != nil {
		return fmt.Errorf("credentials: endpoint %s: removing the secret of relation %s, which is gone: %w", name, relationID, err)
	}
	h.Logger().Info(fmt.Sprintf("credentials: endpoint %s: removed secret %s (%s): relation %s is gone", name, info.ID, label, relationID))
	return nil
}

// removeRevision removes, in a secret-remove hook about a secret of the
// endpoint called name, the obsolete revision Juju names.
func removeRevision(ctx context.Context, h *reactive.Hook, name string) error {
	env := h.Env()
	if env.SecretID == "" || env.SecretRevision <= 0 {
		return nil
	}
	label := env.SecretLabel
	if label == "" {
		info, err := h.Tools().SecretInfoGet(ctx, env.SecretID, "")
		if errors.Is(err, hookenv.ErrSecretNotFound) {
			return nil
		} else if err != nil {
			return fmt.Errorf("credentials: endpoint %s: secret %s: %w", name, env.SecretID, err)
		}
		label = info.Label
	}
	if !ownLabel(name, label) {
		return nil
	}
	if err := h.Tools().SecretRemove(ctx, env.SecretID, env.SecretRevision); err != nil {
		return fmt.Errorf("credentials: endpoint %s: removing obsolete revision %d of secret %s: %w", name, env.SecretRevision, env.SecretID, err)
	}
	return nil
}

// ownLabel reports whether label is that of a secret of the endpoint
// called name ([SecretLabel]).
func ownLabel(name, label string) bool {
	n, ok := strings.CutPrefix(label, SecretLabelPrefix+name+"-")
	if !ok || n == "" {
		return false
	}
	_, err := strconv.Atoi(n)
	return err == nil
}

// Publish gives c to every client application related on the provides
// endpoint called name, sent when the hook succeeds. Only the leader may
// call it: on another unit it returns an error wrapping [ErrNotLeader]
// before any tool runs.
//
// In secret mode (Juju 3.0.2 and later, unless [ProvidesOptions] Plain)
// the username and password go into an application-owned secret per
// relation, labelled [SecretLabel]: added the first time, given a new
// revision when they change (Juju 3.6 and later make none when the
// content is the same); Publish grants it to the relation and writes its
// URI under [SecretUserKey] into the relation's application bag, with the
// host and port, and deletes a username and password published in plain
// mode before. In plain mode it writes the username and password into the
// bag, and on a Juju without secrets logs a WARNING saying so.
//
// Publish is cheap to call in every hook: the leader remembers (as a
// digest, in the unit's store) what it sent on each relation, and reads
// and writes only the relations that have not got c from it yet: a new
// relation, every relation when c changed, every relation again after
// leadership came back to this unit. Only the keys that differ are
// written; the bag's other keys are left alone; an optional field left
// empty in c is deleted from the bag. A relation that is being broken
// gets nothing.
//
// Errors: [ErrNotRegistered], [ErrUnknownEndpoint] (not a provides
// endpoint of the interface), [ErrInvalidCredentials], [ErrNotLeader], and
// the hook tools' errors (which never show a value).
func Publish(ctx context.Context, h *reactive.Hook, name string, c Credentials) error {
	p, ep, err := checkPublish(ctx, h, name, c)
	if err != nil {
		return err
	}
	return p.publish(ctx, h, ep, ep.Relations(), c)
}

// PublishTo is [Publish] for one relation of the endpoint: a charm that
// gives each client application its own credentials calls it once per
// relation (endpoint.FromName(h, name).Relations() lists them, with
// ApplicationName). A relation id that is not one of the endpoint's is an
// error wrapping [ErrUnknownRelation].
func PublishTo(ctx context.Context, h *reactive.Hook, name, relationID string, c Credentials) error {
	p, ep, err := checkPublish(ctx, h, name, c)
	if err != nil {
		return err
	}
	rel, err := ep.Relation(relationID)
	if err != nil {
		return fmt.Errorf("credentials: publishing: %w", err)
	}
	return p.publish(ctx, h, ep, endpoint.Relations{rel}, c)
}

// checkPublish returns the layer and the endpoint once name, c and
// leadership are right.
func checkPublish(ctx context.Context, h *reactive.Hook, name string, c Credentials) (*Provides, *endpoint.Endpoint, error) {
	ep, err := get(h, ProvidesLayerName, name)
	if err != nil {
		return nil, nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, nil, fmt.Errorf("credentials: publishing on %s: %w", name, err)
	}
	if err := leaderTracker(h).RequireLeader(ctx); err != nil {
		return nil, nil, fmt.Errorf("credentials: publishing on %s: only the leader writes its application's bag: %w", name, err)
	}
	return h.Layer(ProvidesLayerName).(*Provides), ep, nil
}

// bagKeys are the keys of the provider application's bag that the layer
// manages, in both modes.
var bagKeys = []string{SecretUserKey, UsernameKey, PasswordKey, HostKey, PortKey}

func (p *Provides) publish(ctx context.Context, h *reactive.Hook, ep *endpoint.Endpoint, rels endpoint.Relations, c Credentials) error {
	recs, err := loadPublished(h, ep.Name())
	if err != nil {
		return err
	}
	secret := p.secretMode(h)
	digest, err := c.publishedDigest(secret)
	if err != nil {
		return err
	}
	broken := brokenRelation(h, ep.Name())
	changed := false
	var plain []string // relations written in plain mode for want of secrets
	for _, rel := range rels {
		if recs[rel.ID()] == digest || rel.ID() == broken {
			continue
		}
		bag, err := rel.ToPublishApp(ctx)
		if err != nil {
			return fmt.Errorf("credentials: %w", err)
		}
		want := c.wire()
		if secret {
			delete(want, UsernameKey)
			delete(want, PasswordKey)
			uri, err := shareSecret(ctx, h, ep.Name(), rel.ID(), bag, c)
			if err != nil {
				return err
			}
			want[SecretUserKey] = uri
		} else if !p.opts.Plain {
			plain = append(plain, rel.ID())
		}
		for _, k := range bagKeys {
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
	if len(plain) > 0 {
		h.Logger().Warn(fmt.Sprintf("credentials: Juju %s has no secrets (they need %s or later): publishing the username and password on %s as plain relation data, readable by anything that can read it",
			h.Env().JujuVersion, hookenv.MinSecretsVersion, strings.Join(plain, ", ")))
	}
	if !changed {
		return nil
	}
	return savePublished(h, ep.Name(), recs)
}

// shareSecret puts c's username and password into the application-owned
// secret of the relation (adding it, or setting its content: a new
// revision if it differs), grants it to the relation, and returns its URI:
// the one the bag already holds when it names that secret, else the
// secret://<model-uuid>/<id> form, which a client in another model can
// read too.
func shareSecret(ctx context.Context, h *reactive.Hook, name, relationID string, bag *endpoint.Bag, c Credentials) (string, error) {
	tools := h.Tools()
	label := SecretLabel(name, relationID)
	fail := func(what string, err error) (string, error) {
		return "", fmt.Errorf("credentials: endpoint %s: relation %s: %s the secret %s: %w", name, relationID, what, label, err)
	}
	var uri string
	info, err := tools.SecretInfoGet(ctx, "", label)
	switch {
	case errors.Is(err, hookenv.ErrSecretNotFound):
		if uri, err = tools.SecretAdd(ctx, c.secretContent(), hookenv.SecretOptions{Label: label}); err != nil {
			return fail("adding", err)
		}
	case err != nil:
		return fail("looking up", err)
	default:
		uri = hookenv.SecretID{ModelUUID: h.Env().ModelUUID, ID: info.ID}.String()
		if cur, ok := bag.String(SecretUserKey); ok {
			if id, err := hookenv.ParseSecretID(cur); err == nil && id.ID == info.ID {
				uri = cur
			}
		}
		if err := tools.SecretSet(ctx, "secret:"+info.ID, c.secretContent(), hookenv.SecretOptions{}); err != nil {
			return fail("setting", err)
		}
	}
	if err := tools.SecretGrant(ctx, uri, relationID, ""); err != nil {
		return fail("granting", err)
	}
	return uri, nil
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
