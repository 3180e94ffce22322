package leadership

import (
	"context"
	"fmt"
	"regexp"

	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/reactive"
)

// StartCallback is the name of the start callback [Register] adds.
const StartCallback = "leadership.initialize"

// Layer is the leadership layer registered on one [reactive.Registry]. It
// holds only its configuration: the per-hook state (hook-start settings,
// lease tracker) lives in the [reactive.Hook], so one Layer serves any
// number of hooks, in parallel.
type Layer struct {
	opts Options
}

// stateKey is the reactive.Hook value key of the per-hook session.
type stateKey struct{}

var endpointRE = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)

// Register adds the leadership layer's start callback to r and returns the
// layer. opts nil means the leader-settings backend. Register the layer
// before callbacks that depend on its flags; the callback does not run in
// restricted hooks. It panics when opts.PeerRelation is not a valid
// endpoint name (a mistake in the charm's code).
func Register(r *reactive.Registry, opts *Options) *Layer {
	l := &Layer{}
	if opts != nil {
		l.opts = *opts
	}
	if p := l.opts.PeerRelation; p != "" && !endpointRE.MatchString(p) {
		panic(fmt.Sprintf("leadership: Register: invalid peer relation endpoint name %q", p))
	}
	r.AtStart(StartCallback, l.start)
	return l
}

// start is the start callback: the start-of-hook computation
// (docs/design.md, "The start-of-hook computation").
func (l *Layer) start(ctx context.Context, h *reactive.Hook) error {
	tools := h.Tools()
	s := &session{
		be:      newBackend(l.opts, tools, h.Env().AppName),
		tracker: &hookenv.LeaderTracker{Tools: tools, Clock: h.Now},
	}
	if err := s.start(ctx, h.Flags(), h.Logger()); err != nil {
		return err
	}
	h.SetValue(stateKey{}, s)
	return nil
}

func sessionOf(h *reactive.Hook) *session {
	s, _ := h.Value(stateKey{}).(*session)
	return s
}

// Set writes a self-consistent group of leader settings in one tool call
// (leader-set, or relation-set --app with the peer backend) and then updates
// this unit's flags and snapshot at once, in LeaderSet's order of flag events
// (docs/design.md, "LeaderSet"), keys sorted. An empty value deletes the key
// (see the package documentation for how that differs from the Python layer).
//
// On a unit that is not the leader it returns [ErrNotLeader] before any
// tool runs. Once the 30-second leadership guarantee of the hook-start
// is-leader has lapsed, it asks is-leader again first; a false answer gives
// ErrNotLeader, and leadership.is_leader keeps its hook-start value. Bad keys
// or values are an error wrapping [hookenv.ErrInvalidArgument], before any
// tool runs. A failed tool is returned as the hookenv error; flags and the
// snapshot then stay as they were. In a hook where the layer did not start
// (a restricted hook) it returns [ErrNotStarted].
func (l *Layer) Set(ctx context.Context, h *reactive.Hook, settings map[string]string) error {
	return LeaderSet(ctx, h, settings)
}

// Delete deletes leader settings: it is [Layer.Set] with an empty value for
// every key, in one tool call. Deleting a key this unit has seen raises
// leadership.changed.<key> and clears leadership.set.<key>; the snapshot
// keeps a null tombstone for it.
func (l *Layer) Delete(ctx context.Context, h *reactive.Hook, keys ...string) error {
	settings := make(map[string]string, len(keys))
	for _, k := range keys {
		settings[k] = ""
	}
	return LeaderSet(ctx, h, settings)
}

// Get returns one leader setting and whether it is set, from the settings
// read at the start of the hook plus this hook's successful writes. It runs
// no tool.
func (l *Layer) Get(h *reactive.Hook, key string) (string, bool) { return LeaderGet(h, key) }

// GetAll returns a copy of every leader setting, as [Layer.Get] sees them.
func (l *Layer) GetAll(h *reactive.Hook) map[string]string { return LeaderGetAll(h) }

// LeaderSet is [Layer.Set] for the layer registered on h's registry.
func LeaderSet(ctx context.Context, h *reactive.Hook, settings map[string]string) error {
	s := sessionOf(h)
	if s == nil {
		return fmt.Errorf("leadership: writing leader settings: %w", ErrNotStarted)
	}
	return s.set(ctx, h.Flags(), settings)
}

// LeaderGet is [Layer.Get] for the layer registered on h's registry. It
// reports false in a hook where the layer did not start.
func LeaderGet(h *reactive.Hook, key string) (string, bool) {
	s := sessionOf(h)
	if s == nil {
		return "", false
	}
	return s.get(key)
}

// LeaderGetAll is [Layer.GetAll] for the layer registered on h's registry.
// It returns an empty map in a hook where the layer did not start.
func LeaderGetAll(h *reactive.Hook) map[string]string {
	s := sessionOf(h)
	if s == nil {
		return map[string]string{}
	}
	return s.all()
}

// Tracker returns the hook's leadership lease tracker, which other
// leader-only writes (status-set --application, relation-set --app) use for
// the same check as [Layer.Set]; nil in a hook where the layer did not start.
func Tracker(h *reactive.Hook) *hookenv.LeaderTracker {
	if s := sessionOf(h); s != nil {
		return s.tracker
	}
	return nil
}
