package credentials

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/charmkit/charmkit/endpoint"
	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/reactive"
)

//charmkit:flags sets {endpoint}.available {endpoint}.changed

// AvailableFlag returns <name>.available: a provider application related
// on the requires endpoint name, with at least one joined unit, has
// published a username and a password.
func AvailableFlag(name string) string { return name + ".available" }

// ChangedFlag returns <name>.changed: the credentials [Get] returns are not
// those of the last time the flag was set (the first credentials count as
// a change). The layer sets it and clears it with <name>.available; the
// charm clears it once it has used the new credentials.
func ChangedFlag(name string) string { return name + ".changed" }

// ReceivedID returns the data_changed id under which the requires side
// keeps the digest of the credentials it last saw on the endpoint
// (reactive.data_changed.credentials.received.<name>; a sha256 digest,
// never the password itself).
func ReceivedID(name string) string { return "credentials.received." + name }

// Requires is the requires side of the credentials interface on one
// registry: the layer [RegisterRequires] adds. Handlers use the package
// function [Get].
type Requires struct{ side }

var _ reactive.Layer = (*Requires)(nil)

// LayerName implements [reactive.Layer]: "credentials.requires".
func (q *Requires) LayerName() string { return RequiresLayerName }

// LayerFlags implements [reactive.Layer]: <name>.available and
// <name>.changed for each endpoint.
func (q *Requires) LayerFlags() []string {
	var out []string
	for _, n := range q.names {
		out = append(out, AvailableFlag(n), ChangedFlag(n))
	}
	return out
}

// Endpoints returns the requires endpoints of the interface, sorted.
func (q *Requires) Endpoints() []string { return slices.Clone(q.names) }

// RegisterRequires adds the requires side of the credentials interface to
// r, for every endpoint that md lists under requires with interface
// credentials (each gets its own <name>.available and <name>.changed
// flags). Register the endpoint layer first, with the same metadata.
//
// At the start of every hook the layer sets <name>.available while a
// provider unit is joined on one of the endpoint's relations and the
// provider application has published credentials the unit can read (a
// username and a password in its bag, or the URI of a secret holding
// them that the unit can read), and clears it otherwise (with
// <name>.changed); it sets <name>.changed when those credentials differ
// from the last ones seen. It reads the provider application's bag (one
// relation-get per relation with a joined unit) and the secret it names
// (one secret-get --refresh, which follows the secret's latest revision)
// in the endpoint's own relation hooks, in secret-changed hooks (Juju runs
// one when the provider publishes a new revision), and in any hook while
// the flag is not set: the bag changes only through a -relation-changed
// hook. A handler of the layer forgets the endpoint's departed units.
//
// RegisterRequires panics when md is nil, when the endpoint layer is not
// registered, or when md has no such endpoint (naming those it has).
func RegisterRequires(r *reactive.Registry, md *reactive.Metadata) *Requires {
	q := &Requires{side{role: "requires", names: endpoints(r, md, "requires", "RegisterRequires")}}
	r.AddLayer(q)
	r.AtStart(RequiresLayerName, q.start)
	registerDeparted(r, md, "requires")
	return q
}

// start sets and clears the available and changed flags.
func (q *Requires) start(ctx context.Context, h *reactive.Hook) error {
	for _, name := range q.names {
		ep, err := endpoint.Get(h, name)
		if err != nil {
			return fmt.Errorf("credentials: %w", err)
		}
		relHook := strings.HasPrefix(h.Name(), name+"-relation-") || h.Name() == "secret-changed"
		if ep.IsJoined() && h.IsFlagSet(AvailableFlag(name)) && !relHook {
			continue // neither a relation hook nor secret-changed: nothing can have changed
		}
		c, ok, err := find(ctx, h, ep)
		if err != nil {
			return err
		}
		if err := h.ToggleFlag(AvailableFlag(name), ok); err != nil {
			return err
		}
		if !ok {
			h.KV().Unset(flags.DataChangedPrefix + ReceivedID(name))
			if err := h.ClearFlag(ChangedFlag(name)); err != nil {
				return err
			}
			continue
		}
		changed, err := flags.DataChanged(h.KV(), ReceivedID(name), c.wire(), "sha256")
		if err != nil {
			return err
		}
		if changed {
			if err := h.SetFlag(ChangedFlag(name)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Get returns the credentials a provider application published on the
// requires endpoint called name: those of the first relation (by id) that
// has a joined unit and credentials the unit can read, in either mode,
// with RelationID, Application and (secret mode) SecretURI set. ok is
// false when there are none, which is when <name>.available is not set. It
// reads each relation's provider application bag, and the secret it
// names, once per hook (the layer's start may have read them already).
//
// A secret the unit may not read (not granted, or removed) counts as no
// credentials, with a WARNING in the hook's log naming the secret.
//
// Errors: [ErrNotRegistered], [ErrUnknownEndpoint] (not a requires
// endpoint of the interface), [ErrInvalidCredentials] (a provider
// published a bad port, host or secret URI), endpoint.ErrBadData
// (relation data that is not a map of strings), and secret-get's other
// errors (hookenv.ErrToolNotFound on a Juju without secrets).
func Get(ctx context.Context, h *reactive.Hook, name string) (c Credentials, ok bool, err error) {
	ep, err := get(h, RequiresLayerName, name)
	if err != nil {
		return Credentials{}, false, err
	}
	return find(ctx, h, ep)
}

// find reads the provider bags of the relations with a joined unit, in
// order, and returns the first complete credentials.
func find(ctx context.Context, h *reactive.Hook, ep *endpoint.Endpoint) (Credentials, bool, error) {
	for _, rel := range ep.Relations() {
		if len(rel.JoinedUnits()) == 0 {
			continue
		}
		app, err := rel.ApplicationName(ctx)
		if err != nil {
			return Credentials{}, false, fmt.Errorf("credentials: %w", err)
		}
		data, err := rel.ReceivedApp(ctx)
		if err != nil {
			return Credentials{}, false, fmt.Errorf("credentials: %w", err)
		}
		c, ok, err := decode(data)
		if err != nil {
			return Credentials{}, false, fmt.Errorf("credentials: endpoint %s: relation %s: what %s published: %w", ep.Name(), rel.ID(), app, err)
		}
		if ok && c.SecretURI != "" {
			content, readable, err := readSecret(ctx, h, c.SecretURI)
			if err != nil {
				return Credentials{}, false, fmt.Errorf("credentials: endpoint %s: relation %s: reading the secret %s that %s published: %w", ep.Name(), rel.ID(), c.SecretURI, app, err)
			}
			if !readable {
				h.Logger().Warn(fmt.Sprintf("credentials: endpoint %s: relation %s: %s published the secret %s, which this unit may not read (not granted, or removed): no credentials from it", ep.Name(), rel.ID(), app, c.SecretURI))
			}
			c.Username, c.Password = content[UsernameKey], content[PasswordKey]
			ok = readable && c.Username != "" && c.Password != ""
		}
		if ok {
			c.RelationID, c.Application = rel.ID(), app
			return c, true, nil
		}
	}
	return Credentials{}, false, nil
}

// secretsKey is the reactive.Hook value key of the secrets the requires
// side read in the hook, by URI.
type secretsKey struct{}

// secretRead is what secret-get gave for a URI in this hook.
type secretRead struct {
	content  map[string]string
	readable bool
}

// readSecret returns the latest content of the secret uri
// (secret-get --refresh: the unit follows the provider's revisions), once
// per hook. readable is false, with no error, when Juju says the unit may
// not read it or it does not exist.
func readSecret(ctx context.Context, h *reactive.Hook, uri string) (content map[string]string, readable bool, err error) {
	cache, _ := h.Value(secretsKey{}).(map[string]secretRead)
	if r, ok := cache[uri]; ok {
		return r.content, r.readable, nil
	}
	content, err = h.Tools().SecretGet(ctx, uri, hookenv.SecretGetOptions{Refresh: true})
	var te *hookenv.ToolError
	switch {
	case errors.Is(err, hookenv.ErrSecretNotFound),
		errors.As(err, &te) && te.ExitCode == 1 && strings.Contains(te.Message, "permission denied"):
		content, err = nil, nil
	case err != nil:
		return nil, false, err
	default:
		readable = true
	}
	if cache == nil {
		cache = map[string]secretRead{}
		h.SetValue(secretsKey{}, cache)
	}
	cache[uri] = secretRead{content: content, readable: readable}
	return content, readable, nil
}
