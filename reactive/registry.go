package reactive

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/internal/callsite"
)

// HandlerFunc is the action of a handler or a start/exit callback. It gets
// the hook's context; returning an error fails the hook (nothing is
// persisted). Return [ErrStop] to end the hook early but successfully, or
// [Abort] to end it with an exit code and nothing persisted.
type HandlerFunc func(ctx context.Context, h *Hook) error

// HandlerInfo describes a registered handler (for graphs, the CLI and tests).
type HandlerInfo struct {
	Name      string   // the handler's unique name
	Condition string   // the condition as it prints itself
	Watched   []string // the flags named by its When* conditions, in order, without duplicates
	Site      string   // file:line of the registration
}

type callback struct {
	name string
	fn   HandlerFunc
	site site
}

// Registry holds a charm's handlers, triggers and start/exit callbacks, in
// registration order. Register everything before the first [Registry.Run];
// a Registry may then run any number of hooks, also concurrently.
//
// The zero value is an empty registry ready to use; [NewRegistry] returns
// one too.
type Registry struct {
	mu       sync.Mutex
	handlers []*goHandler
	byName   map[string]*goHandler
	triggers []flags.Trigger
	atStart  []callback
	atExit   []callback
	layers   []layerEntry
	run      []handler // handlers as a run sees them; nil with index
	index    *index    // nil when handlers changed since it was built
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{byName: map[string]*goHandler{}}
}

// DefaultRegistry is the registry used by the package-level [Handle],
// [RegisterTrigger], [AtStart] and [AtExit] functions.
var DefaultRegistry = NewRegistry()

// Handle registers fn under DefaultRegistry; see [Registry.Handle].
func Handle(name string, cond Condition, fn HandlerFunc) {
	DefaultRegistry.handle(name, cond, fn, callsite.Caller(1))
}

// RegisterTrigger registers a trigger on DefaultRegistry; see
// [Registry.RegisterTrigger].
func RegisterTrigger(t flags.Trigger) { DefaultRegistry.registerTrigger(t, callsite.Caller(1)) }

// AtStart registers a start callback on DefaultRegistry; see
// [Registry.AtStart].
func AtStart(name string, fn HandlerFunc) {
	DefaultRegistry.addCallback(&DefaultRegistry.atStart, "AtStart", name, fn, callsite.Caller(1))
}

// AtExit registers an exit callback on DefaultRegistry; see
// [Registry.AtExit].
func AtExit(name string, fn HandlerFunc) {
	DefaultRegistry.addCallback(&DefaultRegistry.atExit, "AtExit", name, fn, callsite.Caller(1))
}

// site is where something was registered (the charm's line): resolved
// only when a message or a listing needs it.
type site = callsite.Site

// Handle registers a handler: fn runs when cond holds, as the dispatch loop
// decides (see the package documentation). Within a batch, handlers run in
// registration order.
//
// Handle panics, naming the registration site, on programming errors: an
// empty name or one already registered (naming both sites), a nil fn or
// cond, an empty or invalid flag name, a When-family condition that can
// never hold (WhenAny or WhenNotAll without flags, a flag required both set
// and unset), and a combination of conditions from different phases (Hook
// with any When*, CollectMetrics or MeterStatusChanged with Hook or When*).
func (r *Registry) Handle(name string, cond Condition, fn HandlerFunc) {
	r.handle(name, cond, fn, callsite.Caller(1))
}

func (r *Registry) handle(name string, c Condition, fn HandlerFunc, site site) {
	fail := func(format string, args ...any) {
		panic(fmt.Sprintf("reactive: handler %q registered at %s: %s", name, site, fmt.Sprintf(format, args...)))
	}
	switch {
	case name == "":
		fail("empty handler name")
	case fn == nil:
		fail("nil handler function")
	case c == nil:
		fail("nil condition")
	}
	if err := validate(c); err != nil {
		fail("%v", err)
	}
	h := &goHandler{handlerBase: handlerBase{name: name, phases: inHooks | inOther | inRestricted}, cond: slices.Clone(c.atomList()), fn: fn, site: site}
	for _, a := range h.cond {
		h.phases &= a.phases()
		for _, f := range a.watched() {
			if !slices.Contains(h.watched, f) {
				h.watched = append(h.watched, f)
			}
		}
		if a.kind == kOnlyOnce {
			h.onlyOnce = true
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byName == nil {
		r.byName = map[string]*goHandler{}
	}
	if old, ok := r.byName[name]; ok {
		panic(fmt.Sprintf("reactive: handler %q registered twice: at %s and at %s", name, old.site, site))
	}
	h.idx = len(r.handlers)
	r.handlers = append(r.handlers, h)
	r.byName[name] = h
	r.run, r.index = nil, nil
}

// RegisterTrigger registers a trigger (docs/design.md, "Triggers"). It is
// written to the store at the start of every hook, before the start
// callbacks run, so it also fires for their flag changes. RegisterTrigger
// panics when the trigger is invalid ([flags.Trigger.Validate]).
func (r *Registry) RegisterTrigger(t flags.Trigger) { r.registerTrigger(t, callsite.Caller(1)) }

func (r *Registry) registerTrigger(t flags.Trigger, site site) {
	if err := t.Validate(); err != nil {
		panic(fmt.Sprintf("reactive: trigger registered at %s: %v", site, err))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.triggers = append(r.triggers, t)
}

// AtStart registers a start callback. Start callbacks run in registration
// order before dispatch, in every hook except the restricted ones; a
// callback added during that pass with [Hook.AtStart] runs in the same
// pass. AtStart panics on an empty or duplicate name or a nil fn.
func (r *Registry) AtStart(name string, fn HandlerFunc) {
	r.addCallback(&r.atStart, "AtStart", name, fn, callsite.Caller(1))
}

// AtExit registers an exit callback. Exit callbacks run after dispatch, last
// registered first, only when the hook is succeeding and never in
// restricted hooks; callbacks added while they run never run. AtExit panics
// on an empty or duplicate name or a nil fn.
func (r *Registry) AtExit(name string, fn HandlerFunc) {
	r.addCallback(&r.atExit, "AtExit", name, fn, callsite.Caller(1))
}

func (r *Registry) addCallback(list *[]callback, kind, name string, fn HandlerFunc, site site) {
	switch {
	case name == "":
		panic(fmt.Sprintf("reactive: %s callback registered at %s: empty name", kind, site))
	case fn == nil:
		panic(fmt.Sprintf("reactive: %s callback %q registered at %s: nil function", kind, name, site))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range *list {
		if c.name == name {
			panic(fmt.Sprintf("reactive: %s callback %q registered twice: at %s and at %s", kind, name, c.site, site))
		}
	}
	*list = append(*list, callback{name: name, fn: fn, site: site})
}

// Handlers describes the registered handlers, in registration order.
func (r *Registry) Handlers() []HandlerInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]HandlerInfo, len(r.handlers))
	for i, h := range r.handlers {
		out[i] = HandlerInfo{Name: h.name, Condition: h.cond.String(), Watched: slices.Clone(h.watched), Site: h.site.String()}
	}
	return out
}

// condition returns the condition of the named handler.
func (r *Registry) condition(name string) (Condition, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	h, ok := r.byName[name]
	if !ok {
		return nil, false
	}
	return h.cond, true
}

// snapshot is a registry's content at the start of a run, with the index.
type snapshot struct {
	handlers []handler
	triggers []flags.Trigger
	atStart  []callback
	atExit   []callback
	layers   []layerEntry
	index    *index
}

// handlesAction reports whether a Go handler's condition names the action.
func (s *snapshot) handlesAction(name string) bool {
	for _, h := range s.handlers {
		if g, ok := h.(*goHandler); ok {
			for _, a := range g.cond {
				if a.kind == kAction && slices.Contains(a.args, name) {
					return true
				}
			}
		}
	}
	return false
}

// index maps each flag to the handlers watching it, in registration order.
type index struct {
	watchers map[string][]int
	// per phase: every handler that can hold in it, and those of them that
	// watch no flag (tested in every iteration).
	all       [3][]int
	unwatched [3][]int
}

func phaseNo(p Phase) int {
	switch p {
	case PhaseHooks:
		return 0
	case PhaseOther:
		return 1
	}
	return 2
}

func buildIndex(hs []handler) *index {
	ix := &index{watchers: map[string][]int{}}
	for _, hh := range hs {
		h := hh.base()
		for _, f := range h.watched {
			ix.watchers[f] = append(ix.watchers[f], h.idx)
		}
		for i, p := range []Phase{PhaseHooks, PhaseOther, PhaseRestricted} {
			if h.phases.has(p) {
				ix.all[i] = append(ix.all[i], h.idx)
				if len(h.watched) == 0 {
					ix.unwatched[i] = append(ix.unwatched[i], h.idx)
				}
			}
		}
	}
	return ix
}

func (r *Registry) snapshot() *snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.index == nil {
		r.run = make([]handler, len(r.handlers))
		for i, h := range r.handlers {
			r.run[i] = h
		}
		r.index = buildIndex(r.run)
	}
	return &snapshot{
		handlers: r.run[:len(r.run):len(r.run)],
		triggers: r.triggers[:len(r.triggers):len(r.triggers)],
		atStart:  slices.Clone(r.atStart),
		atExit:   slices.Clone(r.atExit),
		layers:   slices.Clone(r.layers),
		index:    r.index,
	}
}
