package endpoint

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/internal/callsite"
	"github.com/charmkit/charmkit/internal/suggest"
	"github.com/charmkit/charmkit/reactive"
)

// LayerName is the name the layer is registered under
// ([reactive.Registry.AddLayer], [reactive.Hook.Layer]).
const LayerName = "endpoint"

// StartCallback is the name of the start callback [Register] adds.
const StartCallback = "endpoint.startup"

// DepartedPrefix prefixes the store key of an endpoint's departed units,
// reactive.endpoints.departed.<name> (charms.reactive's key).
const DepartedPrefix = "reactive.endpoints.departed."

// Errors of the layer; every error the package returns for one of these
// situations matches it with errors.Is.
var (
	// ErrNotRegistered: the charm never called [Register] on the hook's
	// registry.
	ErrNotRegistered = errors.New("endpoint layer not registered: call endpoint.Register(r, nil) with the charm's handlers")
	// ErrNotStarted: the layer is registered but its start callback has
	// not run in this hook (a restricted hook, or a start callback that
	// runs before the layer's).
	ErrNotStarted = errors.New("endpoint layer not started in this hook")
	// ErrUnknownEndpoint: a name that is not a relation of the charm's
	// metadata, or not one the layer manages.
	ErrUnknownEndpoint = errors.New("unknown endpoint")
	// ErrUnknownRelation: a relation id that is not one of the endpoint's
	// relations in this hook.
	ErrUnknownRelation = errors.New("unknown relation")
	// ErrUnknownUnit: a unit that is not joined to the relation.
	ErrUnknownUnit = errors.New("unit not in the relation")
	// ErrBadData: relation data, or the stored departed units, that is not
	// a map of strings.
	ErrBadData = errors.New("relation data is not a map of strings")
	// ErrNotLeader is hookenv.ErrNotLeader: a unit that is not the leader
	// asked for its application's bag ([Relation.ToPublishApp]).
	ErrNotLeader = hookenv.ErrNotLeader
)

// Options configures the layer. The zero value (or nil) manages every
// relation of the charm's metadata, read from the charm directory when each
// hook starts.
type Options struct {
	// Metadata is the charm's metadata (reactive.ParseMetadata of an
	// embedded metadata.yaml, say). Nil means the hook's, read at the start
	// of every hook with [reactive.Hook.Metadata]: reactive.RunOptions'
	// Metadata, or metadata.yaml (or charmcraft.yaml) from the charm
	// directory, read once for the layer, the hook patterns and the
	// registry's checks.
	Metadata *reactive.Metadata
	// Names lists the endpoints to manage. Nil means every relation the
	// metadata lists under provides, requires and peers. A name that the
	// metadata does not list fails the hook at its start (and panics in
	// Register when Metadata is given).
	Names []string
}

// Layer is the endpoint layer registered on one [reactive.Registry]. It
// holds only its configuration; each hook's endpoints live in the
// [reactive.Hook], found with [FromName], [FromFlag] and [Get].
type Layer struct {
	opts Options
	site callsite.Site // the charm's line that called Register
}

var _ reactive.HookLayer = (*Layer)(nil)

// LayerName implements [reactive.Layer]: "endpoint".
func (l *Layer) LayerName() string { return LayerName }

// LayerFlags implements [reactive.Layer]: per managed endpoint,
// endpoint.<name>.joined, .changed, .changed.* and .departed; "endpoint.*"
// when the names are known only when a hook starts (no Names and no
// Metadata).
func (l *Layer) LayerFlags() []string {
	names := l.opts.Names
	if names == nil && l.opts.Metadata != nil {
		names = slices.Sorted(maps.Keys(relationRoles(l.opts.Metadata)))
	}
	if names == nil {
		return []string{"endpoint.*"}
	}
	var out []string
	for _, n := range slices.Sorted(slices.Values(names)) {
		out = append(out, JoinedFlag(n), ChangedFlag(n), ChangedFlag(n)+".*", DepartedFlag(n))
	}
	return out
}

// HookFlags implements [reactive.HookLayer]: endpoint.<name>.* for each
// endpoint the layer manages in the hook h, so that the registry warns
// about a watched flag naming another endpoint (see the reactive package
// documentation). The family is the whole endpoint.<name>. prefix, not the
// layer's four flags: charms and interface layers may set flags of their
// own there, as charms.reactive's Endpoint classes do. Nil before the
// layer has started in h.
func (l *Layer) HookFlags(h *reactive.Hook) []string {
	st := stateOf(h)
	if st == nil {
		return nil
	}
	out := make([]string, 0, len(st.names))
	for _, n := range st.names {
		out = append(out, "endpoint."+n+".*")
	}
	return out
}

// Flag names.

// JoinedFlag returns endpoint.<name>.joined: at least one remote unit is
// joined on one of the endpoint's relations.
func JoinedFlag(name string) string { return "endpoint." + name + ".joined" }

// ChangedFlag returns endpoint.<name>.changed: some field of some joined
// unit's data changed. The layer never clears it.
func ChangedFlag(name string) string { return "endpoint." + name + ".changed" }

// ChangedFieldFlag returns endpoint.<name>.changed.<field>: that field of
// some joined unit's data changed. The layer never clears it.
func ChangedFieldFlag(name, field string) string { return ChangedFlag(name) + "." + field }

// DepartedFlag returns endpoint.<name>.departed: a remote unit departed. It
// stays set until the endpoint is joined in a later hook.
func DepartedFlag(name string) string { return "endpoint." + name + ".departed" }

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)

// Register adds the endpoint layer to r ([reactive.Registry.AddLayer]) with
// its start callback, and returns the layer. opts nil manages every relation
// of the metadata read from the charm directory at hook start.
//
// Register the layer right after the config layer, if any, and before
// every other layer: charms.reactive starts its endpoints after layer-basic's
// config flags and before the layers it discovers later (the leadership
// layer among them), and the start callbacks run in registration order.
// Register panics, naming the layers already registered, when another layer
// than config was registered first; and on an invalid name in opts.Names or
// one that opts.Metadata does not list.
func Register(r *reactive.Registry, opts *Options) *Layer {
	l := &Layer{site: callsite.Charm(0)}
	if opts != nil {
		l.opts = *opts
		l.opts.Names = slices.Clone(opts.Names)
	}
	for _, n := range l.opts.Names {
		if !nameRE.MatchString(n) {
			panic(fmt.Sprintf("endpoint: Register at %s: invalid endpoint name %q in Options.Names: an endpoint name is lowercase letters, digits, - and _, starting with a letter", l.site, n))
		}
		if md := l.opts.Metadata; md != nil {
			if _, ok := relationRoles(md)[n]; !ok {
				panic(fmt.Sprintf("endpoint: Register at %s: Options.Names lists %q, which is not a relation of Options.Metadata (provides, requires or peers)%s: fix the name, or declare the relation in the metadata",
					l.site, n, suggest.DidYouMean(n, slices.Sorted(maps.Keys(relationRoles(md))))))
			}
		}
	}
	var before []string
	for _, other := range r.Layers() {
		if other.LayerName() != "config" && other.LayerName() != LayerName {
			before = append(before, other.LayerName())
		}
	}
	if len(before) > 0 {
		panic(fmt.Sprintf("endpoint: Register at %s: the endpoint layer must be registered before the %s layer: its start callback runs first, after the config flags, as in charms.reactive; call endpoint.Register before the other layers' Register functions (after config.Register, if the charm uses it)",
			l.site, strings.Join(before, ", ")))
	}
	r.AddLayer(l)
	r.AtStart(StartCallback, l.start)
	return l
}

// relationRoles maps every relation of md to its role.
func relationRoles(md *reactive.Metadata) map[string]string {
	roles := map[string]string{}
	if md == nil {
		return roles
	}
	for role, rels := range map[string]map[string]reactive.Relation{"provides": md.Provides, "requires": md.Requires, "peers": md.Peers} {
		for n := range rels {
			roles[n] = role
		}
	}
	return roles
}

// stateKey is the reactive.Hook value key of the hook's endpoints.
type stateKey struct{}

// state is the layer's view of one hook.
type state struct {
	h         *reactive.Hook
	names     []string
	roles     map[string]string
	endpoints map[string]*Endpoint
	tracker   *hookenv.LeaderTracker // used when h.Tools().Leader is nil
}

func stateOf(h *reactive.Hook) *state {
	if h == nil {
		return nil
	}
	st, _ := h.Value(stateKey{}).(*state)
	return st
}

// start is the start callback: charms.reactive's Endpoint._startup.
func (l *Layer) start(ctx context.Context, h *reactive.Hook) error {
	md := l.opts.Metadata
	if md == nil {
		var err error
		if md, err = h.Metadata(); err != nil {
			return fmt.Errorf("endpoint: %w; the layer registered at %s needs the charm's metadata: ship metadata.yaml (or charmcraft.yaml) with the charm, or give it in endpoint.Options.Metadata", err, l.site)
		}
	}
	roles := relationRoles(md)
	names := l.opts.Names
	if names == nil {
		names = slices.Collect(maps.Keys(roles))
	}
	for _, n := range names {
		if _, ok := roles[n]; !ok {
			return fmt.Errorf("endpoint: %w %q: not a relation of the charm's metadata (provides, requires or peers)%s, but the Options.Names given to endpoint.Register at %s list it: fix the name, or declare the relation in the metadata",
				ErrUnknownEndpoint, n, suggest.DidYouMean(n, slices.Sorted(maps.Keys(roles))), l.site)
		}
	}
	st := &state{h: h, names: slices.Sorted(slices.Values(names)), roles: roles, endpoints: map[string]*Endpoint{}}
	st.names = slices.Compact(st.names)
	h.SetValue(stateKey{}, st)
	for _, n := range st.names {
		ep, err := st.newEndpoint(ctx, n)
		if err != nil {
			return err
		}
		st.endpoints[n] = ep
		if err := ep.manageDeparted(ctx); err != nil {
			return err
		}
		if err := ep.manageFlags(ctx); err != nil {
			return err
		}
		for _, rel := range ep.relations {
			h.AtExit("endpoint.flush:"+rel.id, rel.flush)
		}
	}
	return nil
}

// leaderCheck returns the check to run before this hook uses the
// application's bag: the hook's tracker when one is installed (the
// leadership layer installs its own), else the layer's.
func (st *state) leaderTracker() *hookenv.LeaderTracker {
	if t := st.h.Tools().Leader; t != nil {
		return t
	}
	if st.tracker == nil {
		st.tracker = &hookenv.LeaderTracker{Tools: st.h.Tools(), Clock: st.h.Now}
	}
	return st.tracker
}

// FromName returns the hook's endpoint called name, or nil when the layer
// does not manage it in this hook (not registered, not started, or not an
// endpoint the layer manages). Every method of a nil *Endpoint is safe.
func FromName(h *reactive.Hook, name string) *Endpoint {
	if st := stateOf(h); st != nil {
		return st.endpoints[name]
	}
	return nil
}

// FromFlag returns the endpoint a flag names, as charms.reactive's
// Endpoint.from_flag: nil when the flag is not set or has no dot; else the
// endpoint named by the flag's second part when the first is "endpoint"
// (endpoint.db.joined), by its first part otherwise (db.ready). A set flag
// does not mean its endpoint exists: check for nil.
func FromFlag(h *reactive.Hook, flag string) *Endpoint {
	if h == nil || !strings.Contains(flag, ".") || !h.IsFlagSet(flag) {
		return nil
	}
	parts := strings.Split(flag, ".")
	if parts[0] == "endpoint" {
		return FromName(h, parts[1])
	}
	return FromName(h, parts[0])
}

// Get returns the hook's endpoint called name, or an error saying why there
// is none: [ErrNotRegistered], [ErrNotStarted], or [ErrUnknownEndpoint]
// (naming the endpoints the layer manages).
func Get(h *reactive.Hook, name string) (*Endpoint, error) {
	return get(h, name, true)
}

// get is Get; the errors of a layer that is not there name the charm's
// line that called into the package when atCaller is set (a handler
// registered with Handle is named by its hook error instead).
func get(h *reactive.Hook, name string, atCaller bool) (*Endpoint, error) {
	st := stateOf(h)
	if st == nil {
		where := ""
		if atCaller {
			where = fmt.Sprintf(" (at %s)", callsite.Charm(0))
		}
		if h == nil || h.Layer(LayerName) == nil {
			return nil, fmt.Errorf("endpoint %q%s: %w", name, where, ErrNotRegistered)
		}
		return nil, fmt.Errorf("endpoint %q%s: %w (a restricted hook, or a start callback registered before the layer)", name, where, ErrNotStarted)
	}
	ep := st.endpoints[name]
	if ep == nil {
		if _, ok := st.roles[name]; ok {
			return nil, fmt.Errorf("endpoint %q: %w: the layer manages only %s", name, ErrUnknownEndpoint, strings.Join(st.names, ", "))
		}
		return nil, fmt.Errorf("endpoint %q: %w: not a relation of the charm's metadata", name, ErrUnknownEndpoint)
	}
	return ep, nil
}

// Names returns the names of the endpoints the layer manages in this hook,
// sorted; nil when it did not start.
func Names(h *reactive.Hook) []string {
	if st := stateOf(h); st != nil {
		return slices.Clone(st.names)
	}
	return nil
}
