package endpoint

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmkit/charmkit/internal/callsite"
	"github.com/charmkit/charmkit/reactive"
)

// Func is the action of an endpoint handler: it gets the endpoint it was
// registered for (charms.reactive passes it as self).
type Func func(ctx context.Context, h *reactive.Hook, ep *Endpoint) error

// Cond builds a handler's condition for one endpoint name. The constructors
// below take flag templates, in which {endpoint_name} stands for the name
// (charms.reactive's {endpoint_name} expansion): When("endpoint.{endpoint_name}.joined")
// gives reactive.When("endpoint.db.joined") for db. A Cond is a plain
// function, so any condition can be written as one.
type Cond func(endpointName string) reactive.Condition

// Expand replaces every {endpoint_name} in the flag templates with name (a
// plain text replacement: other braces are left alone).
func Expand(name string, templates ...string) []string {
	out := make([]string, len(templates))
	for i, t := range templates {
		out[i] = strings.ReplaceAll(t, placeholder, name)
	}
	return out
}

func templated(c func(...string) reactive.Condition, templates []string) Cond {
	return func(name string) reactive.Condition { return c(Expand(name, templates...)...) }
}

// When is reactive.When over the expanded templates.
func When(templates ...string) Cond { return templated(reactive.When, templates) }

// WhenAll is reactive.WhenAll over the expanded templates.
func WhenAll(templates ...string) Cond { return templated(reactive.WhenAll, templates) }

// WhenAny is reactive.WhenAny over the expanded templates.
func WhenAny(templates ...string) Cond { return templated(reactive.WhenAny, templates) }

// WhenNot is reactive.WhenNot over the expanded templates.
func WhenNot(templates ...string) Cond { return templated(reactive.WhenNot, templates) }

// WhenNone is reactive.WhenNone over the expanded templates.
func WhenNone(templates ...string) Cond { return templated(reactive.WhenNone, templates) }

// WhenNotAll is reactive.WhenNotAll over the expanded templates.
func WhenNotAll(templates ...string) Cond { return templated(reactive.WhenNotAll, templates) }

// Fixed is c for every endpoint.
func Fixed(c reactive.Condition) Cond { return func(string) reactive.Condition { return c } }

// All combines conditions with reactive.All.
func All(conds ...Cond) Cond {
	return func(name string) reactive.Condition {
		cs := make([]reactive.Condition, len(conds))
		for i, c := range conds {
			cs[i] = c(name)
		}
		return reactive.All(cs...)
	}
}

// Handle registers fn on r as the handler called name, for the endpoint
// called endpointName, with the condition cond builds for that name. When
// it runs, fn gets the hook's endpoint; if the layer does not manage the
// endpoint in that hook, the handler fails with the error of [Get].
// Registration mistakes panic as in [reactive.Registry.Handle].
func Handle(r *reactive.Registry, name, endpointName string, cond Cond, fn Func) {
	if cond == nil || fn == nil {
		panic(fmt.Sprintf("endpoint: Handle %q at %s: nil condition or function", name, callsite.Charm(0)))
	}
	if !nameRE.MatchString(endpointName) {
		panic(fmt.Sprintf("endpoint: Handle %q at %s: invalid endpoint name %q: an endpoint name is lowercase letters, digits, - and _, starting with a letter", name, callsite.Charm(0), endpointName))
	}
	r.Handle(name, cond(endpointName), func(ctx context.Context, h *reactive.Hook) error {
		ep, err := get(h, endpointName, false)
		if err != nil {
			return err
		}
		return fn(ctx, h, ep)
	})
}

// HandleInterface registers one handler per relation that md lists under
// role ("provides", "requires" or "peers") with the interface iface, in
// sorted name order: the handler for endpoint db is called "<name>:db" and
// gets the condition cond builds for db (see [Handle]). It returns the
// endpoint names it registered handlers for; none when no relation matches,
// as charms.reactive registers nothing for an interface role the charm
// does not use. It panics on a nil md or an unknown role.
//
// This is how an interface package writes its handlers once for every
// endpoint of its interface, charms.reactive's @when('endpoint.{endpoint_name}.joined')
// on an Endpoint subclass.
func HandleInterface(r *reactive.Registry, md *reactive.Metadata, role, iface, name string, cond Cond, fn Func) []string {
	if md == nil {
		panic(fmt.Sprintf("endpoint: HandleInterface %q at %s: nil metadata: embed the charm's metadata.yaml and parse it with reactive.ParseMetadata", name, callsite.Charm(0)))
	}
	switch role {
	case "provides", "requires", "peers":
	default:
		panic(fmt.Sprintf("endpoint: HandleInterface %q at %s: role %q: want provides, requires or peers", name, callsite.Charm(0), role))
	}
	names := md.RelationsFor(role, iface)
	for _, ep := range names {
		Handle(r, name+":"+ep, ep, cond, fn)
	}
	return names
}
