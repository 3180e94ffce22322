package leadership

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"

	"github.com/charmkit/charmkit/flags"
)

// entry is one key's current state for the flags and the snapshot: a plain
// setting has a value; a key kept in a Juju secret has a token (the
// snapshot's record of which revision of which secret holds it, see
// secretToken) and, once the secret has been read in this hook, its value
// too. The zero entry is an absent key.
type entry struct {
	value *string
	token string
}

// plainEntry is the entry of a plain setting.
func plainEntry(v string) entry { return entry{value: &v} }

// present reports whether the key has a value.
func (e entry) present() bool { return e.value != nil || e.token != "" }

// snapshotValue is what the snapshot stores for the entry: the token of a
// key kept in a secret (never its value), the value of a plain setting, or
// nil (JSON null, a tombstone) for an absent key.
func (e entry) snapshotValue() any {
	switch {
	case e.token != "":
		return e.token
	case e.value != nil:
		return *e.value
	}
	return nil
}

// plainEntries turns the settings of a write into entries, "" deleting a
// key.
func plainEntries(settings map[string]string) map[string]entry {
	out := make(map[string]entry, len(settings))
	for k, v := range settings {
		if v == "" {
			out[k] = entry{}
		} else {
			out[k] = plainEntry(v)
		}
	}
	return out
}

// computeStart is computeStartEntries for plain settings only (as read:
// every key present).
func computeStart(f *flags.Flags, isLeader bool, current map[string]string, haveSettings bool, log *slog.Logger) error {
	entries := make(map[string]entry, len(current))
	for k, v := range current {
		entries[k] = plainEntry(v)
	}
	return computeStartEntries(f, isLeader, entries, haveSettings, log)
}

// computeStartEntries is the start-of-hook computation (docs/design.md, "The
// start-of-hook computation") after is-leader and the read, on the hook's flags:
// it sets or clears leadership.is_leader, diffs current (the settings read at
// hook start, keys kept in secrets included) against the snapshot in the store,
// changes the leadership.set.* and leadership.changed.* flags in the
// start-of-hook order (per key changed before set; current keys in sorted
// order, then the deleted keys in sorted order; leadership.changed last), and
// stores the new snapshot, keeping tombstones. When haveSettings is false (the
// peer relation is not there yet) only leadership.is_leader is computed.
// Snapshot entries whose key Set would refuse (left by the Python layer or an
// older charm) are skipped with a WARNING on log (which may be nil) and left in
// the store as they are; current must hold only valid keys.
func computeStartEntries(f *flags.Flags, isLeader bool, current map[string]entry, haveSettings bool, log *slog.Logger) error {
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

	values := make(map[string]entry, len(keys)+len(deleted))
	maps.Copy(values, current)
	anyChanged := false
	for _, k := range append(keys, deleted...) {
		cur := values[k]
		raw, seen := snap[k]
		changed := !sameValue(raw, seen, cur)
		anyChanged = anyChanged || changed
		if err := f.Toggle(ChangedFlag(k), changed); err != nil {
			return fmt.Errorf("leadership: setting %q: %w", k, err)
		}
		if err := f.Toggle(SetFlag(k), cur.present()); err != nil {
			return fmt.Errorf("leadership: setting %q: %w", k, err)
		}
	}
	if err := f.Toggle(ChangedAnyFlag, anyChanged); err != nil {
		return fmt.Errorf("leadership: %w", err)
	}
	return writeSnapshot(tx, append(keys, deleted...), values)
}

// applySet is applyEntries for plain settings, "" deleting a key.
func applySet(f *flags.Flags, settings map[string]string) error {
	return applyEntries(f, plainEntries(settings))
}

// applyEntries changes the flags and the snapshot after a successful write of
// settings by this unit (docs/design.md, "leadership.Set", step 5 and its order): for
// each key in sorted order, leadership.changed.<key> then leadership.changed
// when the value differs from the snapshot, then leadership.set.<key> set for a
// value or cleared for a deletion (the zero entry); then the snapshot takes the
// new values (null for a deletion, the token for a key kept in a secret).
func applyEntries(f *flags.Flags, settings map[string]entry) error {
	tx := f.Tx()
	snap := tx.Range(SnapshotPrefix, true)
	keys := slices.Sorted(maps.Keys(settings))
	for _, k := range keys {
		cur := settings[k]
		raw, seen := snap[k]
		if !sameValue(raw, seen, cur) {
			if err := f.Set(ChangedFlag(k)); err != nil {
				return fmt.Errorf("leadership: setting %q: %w", k, err)
			}
			if err := f.Set(ChangedAnyFlag); err != nil {
				return fmt.Errorf("leadership: %w", err)
			}
		}
		if err := f.Toggle(SetFlag(k), cur.present()); err != nil {
			return fmt.Errorf("leadership: setting %q: %w", k, err)
		}
	}
	return writeSnapshot(tx, keys, settings)
}

// writeSnapshot stores each key's snapshot value (a JSON string, the token
// of a key kept in a secret, or null for an absent key) under
// leadership.settings.<k>.
func writeSnapshot(tx *flags.Tx, keys []string, values map[string]entry) error {
	for _, k := range keys {
		if err := tx.Set(SnapshotPrefix+k, values[k].snapshotValue()); err != nil {
			return fmt.Errorf("leadership: storing snapshot of %q: %w", k, err)
		}
	}
	return nil
}

// sameValue compares a snapshot entry with a current entry as decoded JSON,
// the way the Python layer does: an absent entry and a null entry both equal
// an absent key; a string entry equals the same plain value. For a key kept
// in a secret, a token equals the same revision of the same secret (written
// by this unit or confirmed), and a plain string (the snapshot of a value
// that has since moved into the secret) equals the value read from the
// secret. Any other JSON (a number written by a Python charm against the
// documented contract, or text that does not decode) equals nothing, so the
// key reports changed.
func sameValue(raw json.RawMessage, seen bool, cur entry) bool {
	if !seen {
		return !cur.present()
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return false
	}
	switch x := v.(type) {
	case nil:
		return !cur.present()
	case string:
		if cur.token != "" {
			if t, ok := parseSecretToken(x); ok {
				c, _ := parseSecretToken(cur.token)
				return t.id == c.id && t.revision == c.revision
			}
		}
		return cur.value != nil && *cur.value == x
	default:
		return false
	}
}

// Snapshot returns the unit's snapshot of the leader settings as stored in
// tx: each key with the string last seen, or nil for a tombstone (a key this
// unit saw deleted). For a key kept in a Juju secret ([Options.Secrets]) the
// string is a token naming the secret and the revision that holds the
// value, "secret:<id>?revision=<n>" (with "&unconfirmed" while the leader's
// own write has not been seen committed), never the value. An entry that is not a JSON string or null (possible in
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
