package leadership

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/hookenv"
)

// session is the layer's state for one hook: the backend bound to the hook's
// tools, the lease tracker, and the settings read at hook start plus this
// hook's own successful writes (what Get serves).
type session struct {
	be          backend
	tools       *hookenv.Tools
	tracker     *hookenv.LeaderTracker
	isLeader    bool              // the hook-start answer
	settings    map[string]string // nil until read
	unavailable error             // why settings could not be read (peer relation missing)
}

// newSession returns the layer's state for one hook, whose tools are tools
// and whose clock is clock, and installs its lease tracker as tools.Leader:
// from then on every leader-only write through the hook's tools (leader-set,
// status-set --application, relation-set --app) gets the check that Set
// makes (docs/design.md, "Lease tracking and ErrNotLeader").
func newSession(opts Options, tools *hookenv.Tools, app string, clock func() time.Time) *session {
	s := &session{
		be:      newBackend(opts, tools, app),
		tools:   tools,
		tracker: &hookenv.LeaderTracker{Tools: tools, Clock: clock},
	}
	tools.Leader = s.tracker
	return s
}

// start runs the start-of-hook computation (docs/design.md, "The start-of-hook
// computation"): one is-leader, one read of the settings, then the flags and the
// snapshot.
func (s *session) start(ctx context.Context, f *flags.Flags, log *slog.Logger) error {
	leader, err := s.tracker.IsLeader(ctx)
	if err != nil {
		return fmt.Errorf("leadership: asking is-leader: %w", err)
	}
	s.isLeader = leader
	if log != nil {
		if leader {
			log.Info("Initializing Leadership Layer (is leader)")
		} else {
			log.Info("Initializing Leadership Layer (is follower)")
		}
	}
	cur, err := s.be.read(ctx)
	switch {
	case errors.Is(err, ErrPeerUnavailable):
		s.unavailable = err
		if log != nil {
			log.Info("leadership: peer relation not available yet; leader settings flags left unchanged", "error", err.Error())
		}
		return computeStart(f, leader, nil, false, log)
	case err != nil:
		return fmt.Errorf("leadership: reading leader settings: %w", err)
	}
	dropBadKeys(cur, "leader settings", log)
	s.settings = cur
	return computeStart(f, leader, maps.Clone(cur), true, log)
}

// set is Set (docs/design.md, "leadership.Set"): validate, check
// leadership (no tool on a follower, a re-check of is-leader once the
// guarantee has lapsed), write in one tool call, then flags and snapshot.
func (s *session) set(ctx context.Context, f *flags.Flags, settings map[string]string) error {
	what := writing(settings)
	for _, k := range slices.Sorted(maps.Keys(settings)) {
		if err := validKey(k); err != nil { // the rule reads are held to as well
			return fmt.Errorf("leadership: %s: %w", what, err)
		}
	}
	if _, err := hookenv.EncodeKeyValues(settings); err != nil {
		return fmt.Errorf("leadership: %s: %w", what, err)
	}
	if !s.isLeader {
		return fmt.Errorf("leadership: %s: %w: is-leader answered false at the start of the hook", what, ErrNotLeader)
	}
	if s.unavailable != nil {
		return fmt.Errorf("leadership: %s: %w", what, s.unavailable)
	}
	// The write goes through the hook's tools, whose Leader is this tracker:
	// the tool's wrapper checks the lease just before the tool runs. Check
	// here instead when no tool will run (nothing to write) or when
	// something replaced tools.Leader, so that the lease is checked exactly
	// once per write (a second check could ask is-leader again).
	if len(settings) == 0 || s.tools.Leader != s.tracker {
		if err := s.tracker.RequireLeader(ctx); err != nil {
			return fmt.Errorf("leadership: %s: %w", what, err)
		}
	}
	if err := s.be.write(ctx, settings); err != nil {
		return fmt.Errorf("leadership: %s: %w", what, err)
	}
	for k, v := range settings {
		if v == "" {
			delete(s.settings, k)
		} else {
			s.settings[k] = v
		}
	}
	return applySet(f, settings)
}

// get returns one setting from the hook-start read plus this hook's writes.
func (s *session) get(key string) (string, bool) {
	v, ok := s.settings[key]
	return v, ok
}

// all returns a copy of every setting (empty when they could not be read).
func (s *session) all() map[string]string {
	out := maps.Clone(s.settings)
	if out == nil {
		out = map[string]string{}
	}
	return out
}
