package hookenv

import (
	"context"
	"fmt"
	"maps"
)

// IsLeader runs `is-leader --format=json` and reports the answer. It never caches:
// use a [LeaderTracker] for the per-hook view. A failed call is an error, never a
// silent false.
func (t *Tools) IsLeader(ctx context.Context) (bool, error) {
	out, err := t.run(ctx, "is-leader", []string{"--format=json"}, nil)
	if err != nil {
		return false, err
	}
	return decodeBool("is-leader", out)
}

// LeaderGet returns all leader settings (`leader-get --format=json -`). Like Juju's
// hook context, the first read is kept and served again until this Tools value's own
// successful [Tools.LeaderSet], so repeated reads cost no process and give Juju's
// answers. The returned map is a copy.
func (t *Tools) LeaderGet(ctx context.Context) (map[string]string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.leaderCached {
		out, err := t.run(ctx, "leader-get", []string{"--format=json", "-"}, nil)
		if err != nil {
			return nil, err
		}
		m, err := decodeStringMap("leader-get", out)
		if err != nil {
			return nil, err
		}
		t.leaderCache, t.leaderCached = m, true
	}
	return maps.Clone(t.leaderCache), nil
}

// LeaderGetKey returns one leader setting and whether it is set, served from the
// same per-hook snapshot as [Tools.LeaderGet]. A key Juju would reject (empty,
// containing "=") is an error wrapping [ErrInvalidArgument].
func (t *Tools) LeaderGetKey(ctx context.Context, key string) (string, bool, error) {
	if err := checkFreeKey("leader-get", key); err != nil {
		return "", false, err
	}
	all, err := t.LeaderGet(ctx)
	if err != nil {
		return "", false, err
	}
	v, ok := all[key]
	return v, ok, nil
}

// LeaderSet writes leader settings with `leader-set k=v ...`, keys sorted. An empty
// value deletes the key. Keys and values are validated first (see
// [EncodeKeyValues]); an empty map runs nothing. On a unit that is not the leader
// Juju refuses the write and the returned [*ToolError] matches [ErrNotLeader]. A
// successful write drops the leader-settings snapshot, as Juju does.
func (t *Tools) LeaderSet(ctx context.Context, settings map[string]string) error {
	args, err := EncodeKeyValues(settings)
	if err != nil {
		return fmt.Errorf("leader-set: %w", err)
	}
	if len(args) == 0 {
		return nil
	}
	if err := t.requireLeader(ctx, "leader-set"); err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, err := t.run(ctx, "leader-set", args, nil); err != nil {
		return err
	}
	t.leaderCache, t.leaderCached = nil, false
	return nil
}
