package hookenv

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// LeadershipGuarantee is how long Juju guarantees leadership after `is-leader`
// answered true (the agent holds a 60-second lease and renews it after 30 s).
const LeadershipGuarantee = 30 * time.Second

// LeaderTracker keeps one hook's view of leadership (docs/design.md, "Lease
// tracking and ErrNotLeader", and Juju's rules in "Juju's leadership rules"). It
// records the time taken just before every is-leader call that answers true, so
// the guarantee is never overestimated. A false answer is sticky for the rest of
// the hook, as in Juju's hook context: no more is-leader calls are made. A
// failed is-leader call is returned as an error and changes nothing, never a
// guess. Clock nil means time.Now. Safe for concurrent use.
type LeaderTracker struct {
	// Tools runs is-leader; nil means a Tools with the default runner.
	Tools *Tools
	// Clock returns the current time; nil means time.Now (whose readings are monotonic).
	Clock func() time.Time

	mu        sync.Mutex
	minion    bool      // is-leader answered false in this hook
	confirmed time.Time // when the last true answer was requested; zero if none
}

func (l *LeaderTracker) now() time.Time {
	if l.Clock != nil {
		return l.Clock()
	}
	return time.Now()
}

// IsLeader asks is-leader, unless an earlier call in this hook answered false, in
// which case it answers false without running the tool.
func (l *LeaderTracker) IsLeader(ctx context.Context) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.askLocked(ctx)
}

func (l *LeaderTracker) askLocked(ctx context.Context) (bool, error) {
	if l.minion {
		return false, nil
	}
	tools := l.Tools
	if tools == nil {
		tools = &Tools{}
	}
	asked := l.now()
	ok, err := tools.IsLeader(ctx)
	if err != nil {
		return false, err
	}
	if ok {
		l.confirmed = asked
	} else {
		l.minion = true
		l.confirmed = time.Time{}
	}
	return ok, nil
}

// Guaranteed reports whether a true answer was requested less than
// [LeadershipGuarantee] ago, so leadership still holds without asking. A clock that
// reads earlier than the recorded time counts as lapsed (fail safe).
func (l *LeaderTracker) Guaranteed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.guaranteedLocked()
}

func (l *LeaderTracker) guaranteedLocked() bool {
	if l.minion || l.confirmed.IsZero() {
		return false
	}
	elapsed := l.now().Sub(l.confirmed)
	return elapsed >= 0 && elapsed < LeadershipGuarantee
}

// RequireLeader is the check before a leader-only write: after a false
// answer it returns [ErrNotLeader] without running a tool; within the guarantee it
// returns nil; otherwise it asks is-leader again, returning nil for true,
// ErrNotLeader for false, and the tool's error if the call failed.
func (l *LeaderTracker) RequireLeader(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.minion {
		return fmt.Errorf("%w: is-leader answered false earlier in this hook", ErrNotLeader)
	}
	if l.guaranteedLocked() {
		return nil
	}
	ok, err := l.askLocked(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: is-leader answered false", ErrNotLeader)
	}
	return nil
}
