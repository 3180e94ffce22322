package leadership

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"

	"github.com/charmkit/charmkit/flags"
)

// computeStart is the start-of-hook computation (docs/design.md, "The
// start-of-hook computation") after is-leader and the read, on the hook's flags:
// it sets or clears leadership.is_leader, diffs current (the settings read at
// hook start) against the snapshot in the store, changes the leadership.set.*
// and leadership.changed.* flags in the start-of-hook order (per key changed
// before set; leader-get's keys in sorted order, then the deleted keys in sorted
// order; leadership.changed last), and stores the new snapshot, keeping
// tombstones. When haveSettings is false (the peer relation is not there yet)
// only leadership.is_leader is computed. Snapshot entries whose key Set would
// refuse (left by the Python layer or an older charm) are skipped with a
// WARNING on log (which may be nil) and left in the store as they are; current
// must hold only valid keys.
func computeStart(f *flags.Flags, isLeader bool, current map[string]string, haveSettings bool, log *slog.Logger) error {
	if err := f.Toggle(IsLeaderFlag, isLeader); err != nil {
		return fmt.Errorf("leadership: %w", err)
	}
	if !haveSettings {
		return nil
	}
	tx := f.Tx()
	snap := tx.Range(SnapshotPrefix, true)
	dropBadKeys(snap, "snapshot", log)
	keys := slices.Sorted(maps.Keys(current))
	var deleted []string
	for k := range snap {
		if _, ok := current[k]; !ok {
			deleted = append(deleted, k)
		}
	}
	slices.Sort(deleted)

	values := make(map[string]*string, len(keys)+len(deleted))
	for _, k := range keys {
		v := current[k]
		values[k] = &v
	}
	anyChanged := false
	for _, k := range append(keys, deleted...) {
		cur := values[k]
		raw, seen := snap[k]
		changed := !sameValue(raw, seen, cur)
		anyChanged = anyChanged || changed
		if err := f.Toggle(ChangedFlag(k), changed); err != nil {
			return fmt.Errorf("leadership: setting %q: %w", k, err)
		}
		if err := f.Toggle(SetFlag(k), cur != nil); err != nil {
			return fmt.Errorf("leadership: setting %q: %w", k, err)
		}
	}
	if err := f.Toggle(ChangedAnyFlag, anyChanged); err != nil {
		return fmt.Errorf("leadership: %w", err)
	}
	return writeSnapshot(tx, append(keys, deleted...), values)
}

// applySet changes the flags and the snapshot after a successful write of
// settings by this unit (docs/design.md, "leadership.Set", step 5 and its order): for
// each key in sorted order, leadership.changed.<key> then leadership.changed
// when the value differs from the snapshot, then leadership.set.<key> set for a
// value or cleared for a deletion (""); then the snapshot takes the new values
// (null for a deletion).
func applySet(f *flags.Flags, settings map[string]string) error {
	tx := f.Tx()
	snap := tx.Range(SnapshotPrefix, true)
	keys := slices.Sorted(maps.Keys(settings))
	values := make(map[string]*string, len(keys))
	for _, k := range keys {
		var cur *string
		if v := settings[k]; v != "" {
			cur = &v
		}
		values[k] = cur
		raw, seen := snap[k]
		if !sameValue(raw, seen, cur) {
			if err := f.Set(ChangedFlag(k)); err != nil {
				return fmt.Errorf("leadership: setting %q: %w", k, err)
			}
			if err := f.Set(ChangedAnyFlag); err != nil {
				return fmt.Errorf("leadership: %w", err)
			}
		}
		if err := f.Toggle(SetFlag(k), cur != nil); err != nil {
			return fmt.Errorf("leadership: setting %q: %w", k, err)
		}
	}
	return writeSnapshot(tx, keys, values)
}

// writeSnapshot stores values[k] (a JSON string, or null for nil) under
// leadership.settings.<k> for every key.
func writeSnapshot(tx *flags.Tx, keys []string, values map[string]*string) error {
	for _, k := range keys {
		var v any
		if p := values[k]; p != nil {
			v = *p
		}
		if err := tx.Set(SnapshotPrefix+k, v); err != nil {
			return fmt.Errorf("leadership: storing snapshot of %q: %w", k, err)
		}
	}
	return nil
}

// sameValue compares a snapshot entry with a current value as decoded JSON,
// the way the Python layer does: an absent entry and a null entry both equal
// an absent value (nil); a string entry equals the same string. Any other
// JSON (a number written by a Python charm against the documented contract,
// or text that does not decode) equals nothing, so the key reports changed.
func sameValue(raw json.RawMessage, seen bool, cur *string) bool {
	if !seen {
		return cur == nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return false
	}
	switch x := v.(type) {
	case nil:
		return cur == nil
	case string:
		return cur != nil && *cur == x
	default:
		return false
	}
}

// Snapshot returns the unit's snapshot of the leader settings as stored in
// tx: each key with the string last seen, or nil for a tombstone (a key this
// unit saw deleted). An entry that is not a JSON string or null (possible in
// a store written by a Python charm) is reported as an error naming the key.
func Snapshot(tx *flags.Tx) (map[string]*string, error) {
	out := map[string]*string{}
	for k, raw := range tx.Range(SnapshotPrefix, true) {
		var v *string
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, fmt.Errorf("leadership: snapshot entry %q is not a string or null: %w", k, err)
		}
		out[k] = v
	}
	return out, nil
}
