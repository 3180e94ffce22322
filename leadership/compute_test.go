package leadership

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/flags"
)

// inTx runs fn on the flags of a transaction on a store seeded with the
// given flags and snapshot, records the flag events, commits, and returns
// the events, the resulting snapshot and the leadership flags.
func inTx(tb testing.TB, before []string, snap map[string]*string, fn func(f *flags.Flags) error) (events, after []string, snapAfter map[string]*string) {
	tb.Helper()
	store := seed(tb, before, snap)
	events = []string{}
	require.NoError(tb, store.Update(context.Background(), func(tx *flags.Tx) error {
		f := flags.New(tx)
		f.OnChange = func(flag string, set bool) {
			if set {
				events = append(events, "+"+flag)
			} else {
				events = append(events, "-"+flag)
			}
		}
		return fn(f)
	}))
	after, snapAfter, _ = unitState(tb, store)
	return events, after, snapAfter
}

// Ensure that the start-of-hook computation gives the flag events in the
// start-of-hook order and the new snapshot, tombstones, deleted keys coming back
// and keys never seen included (docs/design.md, "The start-of-hook
// computation").
func TestComputeStart(t *testing.T) {
	tests := []struct {
		name     string
		flags    []string
		snap     map[string]*string
		leader   bool
		current  map[string]string
		events   []string
		after    []string
		snapWant map[string]*string
	}{
		{name: "fresh leader, empty settings", leader: true, current: map[string]string{},
			events: L("+L.is_leader"), after: L("L.is_leader"), snapWant: map[string]*string{}},
		{name: "new key", current: map[string]string{"x": "1"},
			events: L("+L.changed.x", "+L.set.x", "+L.changed"), after: L("L.changed", "L.changed.x", "L.set.x"),
			snapWant: map[string]*string{"x": str("1")}},
		{name: "new value, set already set", flags: L("L.set.x"), snap: map[string]*string{"x": str("1")},
			current: map[string]string{"x": "2"},
			events:  L("+L.changed.x", "+L.changed"), after: L("L.changed", "L.changed.x", "L.set.x"),
			snapWant: map[string]*string{"x": str("2")}},
		{name: "deleted since the snapshot", flags: L("L.set.x"), snap: map[string]*string{"x": str("1")},
			current: map[string]string{},
			events:  L("+L.changed.x", "-L.set.x", "+L.changed"), after: L("L.changed", "L.changed.x"),
			snapWant: map[string]*string{"x": nil}},
		{name: "unchanged clears changed flags left over", flags: L("L.changed", "L.changed.x", "L.set.x"),
			snap: map[string]*string{"x": str("1")}, current: map[string]string{"x": "1"},
			events: L("-L.changed.x", "-L.changed"), after: L("L.set.x"), snapWant: map[string]*string{"x": str("1")}},
		{name: "two keys change in sorted order", current: map[string]string{"b": "2", "a": "1"},
			events:   L("+L.changed.a", "+L.set.a", "+L.changed.b", "+L.set.b", "+L.changed"),
			after:    L("L.changed", "L.changed.a", "L.changed.b", "L.set.a", "L.set.b"),
			snapWant: map[string]*string{"a": str("1"), "b": str("2")}},
		{name: "settings keys first, then deleted keys, each sorted",
			flags: L("L.set.a", "L.set.z"), snap: map[string]*string{"a": str("1"), "z": str("9")},
			current:  map[string]string{"m": "5"},
			events:   L("+L.changed.m", "+L.set.m", "+L.changed.a", "-L.set.a", "+L.changed.z", "-L.set.z", "+L.changed"),
			after:    L("L.changed", "L.changed.a", "L.changed.m", "L.changed.z", "L.set.m"),
			snapWant: map[string]*string{"a": nil, "m": str("5"), "z": nil}},
		{name: "a tombstone stays and emits nothing", snap: map[string]*string{"x": nil},
			current: map[string]string{}, events: []string{}, snapWant: map[string]*string{"x": nil}},
		{name: "a deleted key comes back", snap: map[string]*string{"x": nil}, current: map[string]string{"x": "again"},
			events: L("+L.changed.x", "+L.set.x", "+L.changed"), after: L("L.changed", "L.changed.x", "L.set.x"),
			snapWant: map[string]*string{"x": str("again")}},
		{name: "a key in neither settings nor snapshot is never visited", flags: L("L.changed.ghost", "L.set.ghost", "L.changed"),
			current: map[string]string{},
			events:  L("-L.changed"), after: L("L.changed.ghost", "L.set.ghost"), snapWant: map[string]*string{}},
		{name: "leadership alone raises no changed flag", leader: true, flags: L("L.set.x"),
			snap: map[string]*string{"x": str("1")}, current: map[string]string{"x": "1"},
			events: L("+L.is_leader"), after: L("L.is_leader", "L.set.x"), snapWant: map[string]*string{"x": str("1")}},
		{name: "losing leadership clears is_leader first", flags: L("L.is_leader", "L.changed", "L.changed.x", "L.set.x"),
			snap: map[string]*string{"x": str("1")}, current: map[string]string{"x": "1"},
			events: L("-L.is_leader", "-L.changed.x", "-L.changed"), after: L("L.set.x"), snapWant: map[string]*string{"x": str("1")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			events, after, snap := inTx(t, tc.flags, tc.snap, func(f *flags.Flags) error {
				return computeStart(f, tc.leader, tc.current, true, nil)
			})
			assert.Equal(t, tc.events, events, "events")
			assert.Equal(t, tc.after, after, "flags after")
			assert.Equal(t, tc.snapWant, snap, "snapshot after")
		})
	}
}

// Ensure that a snapshot value that is not a JSON string (a Python charm that
// wrote a number against the contract) reports the key as changed, as upstream
// does.
func TestComputeStart_NonStringSnapshot(t *testing.T) {
	store := flags.OpenMemory()
	ctx := context.Background()
	require.NoError(t, store.Update(ctx, func(tx *flags.Tx) error {
		return tx.SetRaw(SnapshotPrefix+"n", "3")
	}))
	var events []string
	require.NoError(t, store.Update(ctx, func(tx *flags.Tx) error {
		f := flags.New(tx)
		f.OnChange = func(flag string, set bool) { events = append(events, flag) }
		return computeStart(f, false, map[string]string{"n": "3"}, true, nil)
	}))
	assert.Equal(t, L("L.changed.n", "L.set.n", "L.changed"), events)
	_, snap, _ := unitState(t, store)
	assert.Equal(t, map[string]*string{"n": str("3")}, snap)
}

// Ensure that without settings (peer relation not there yet) only
// leadership.is_leader moves.
func TestComputeStart_NoSettings(t *testing.T) {
	events, after, snap := inTx(t, L("L.changed", "L.changed.x", "L.set.x"), map[string]*string{"x": str("1")}, func(f *flags.Flags) error {
		return computeStart(f, true, nil, false, nil)
	})
	assert.Equal(t, L("+L.is_leader"), events)
	assert.Equal(t, L("L.changed", "L.changed.x", "L.is_leader", "L.set.x"), after)
	assert.Equal(t, map[string]*string{"x": str("1")}, snap)
}

// Ensure that Set's flag changes follow Set's order of flag events
// (docs/design.md, "leadership.Set", and scenario 23), with keys in sorted order and
// "" as a deletion.
func TestApplySet(t *testing.T) {
	tests := []struct {
		name     string
		flags    []string
		snap     map[string]*string
		set      map[string]string
		events   []string
		after    []string
		snapWant map[string]*string
	}{
		{name: "new value", set: map[string]string{"x": "1"},
			events: L("+L.changed.x", "+L.changed", "+L.set.x"), after: L("L.changed", "L.changed.x", "L.set.x"),
			snapWant: map[string]*string{"x": str("1")}},
		{name: "deletion", flags: L("L.set.x"), snap: map[string]*string{"x": str("1")}, set: map[string]string{"x": ""},
			events: L("+L.changed.x", "+L.changed", "-L.set.x"), after: L("L.changed", "L.changed.x"),
			snapWant: map[string]*string{"x": nil}},
		{name: "scenario 23: two keys and a tombstone coming back", snap: map[string]*string{"b": nil},
			set:      map[string]string{"b": "2", "a": "1"},
			events:   L("+L.changed.a", "+L.changed", "+L.set.a", "+L.changed.b", "+L.set.b"),
			after:    L("L.changed", "L.changed.a", "L.changed.b", "L.set.a", "L.set.b"),
			snapWant: map[string]*string{"a": str("1"), "b": str("2")}},
		{name: "a value equal to the snapshot changes nothing", flags: L("L.set.x"), snap: map[string]*string{"x": str("1")},
			set: map[string]string{"x": "1"}, events: []string{}, after: L("L.set.x"), snapWant: map[string]*string{"x": str("1")}},
		{name: "a value equal to the snapshot restores a missing set flag", snap: map[string]*string{"x": str("1")},
			set: map[string]string{"x": "1"}, events: L("+L.set.x"), after: L("L.set.x"), snapWant: map[string]*string{"x": str("1")}},
		{name: "deleting a key never seen writes a tombstone only", set: map[string]string{"x": ""},
			events: []string{}, snapWant: map[string]*string{"x": nil}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			events, after, snap := inTx(t, tc.flags, tc.snap, func(f *flags.Flags) error {
				return applySet(f, tc.set)
			})
			assert.Equal(t, tc.events, events, "events")
			assert.Equal(t, tc.after, after, "flags after")
			assert.Equal(t, tc.snapWant, snap, "snapshot after")
		})
	}
}
