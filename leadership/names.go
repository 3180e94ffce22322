package leadership

// Flags the layer sets and clears (docs/design.md, "Leadership flags"). All of
// them are set without a value: the store holds JSON null under
// reactive.states.<flag>.
const (
	// IsLeaderFlag is set when is-leader answered true at the start of the
	// hook and cleared when it answered false. It never changes mid-hook.
	IsLeaderFlag = "leadership.is_leader"
	// ChangedAnyFlag is set when at least one leader setting changed since
	// this unit's previous successful hook (or through this hook's Set).
	ChangedAnyFlag = "leadership.changed"
	// SnapshotPrefix is the store key prefix of the unit's snapshot of the
	// leader settings: leadership.settings.<key> holds the JSON string last
	// seen, or JSON null (a tombstone) for a key seen deleted. The names are
	// charm-helpers', so a unit upgraded from the Python layer keeps it.
	SnapshotPrefix = "leadership.settings."

	setFlagPrefix     = "leadership.set."
	changedFlagPrefix = "leadership.changed."
)

// SetFlag returns the name of the flag that is set while leader setting key
// has a value: leadership.set.<key>.
func SetFlag(key string) string { return setFlagPrefix + key }

// ChangedFlag returns the name of the flag that is set when leader setting key
// differs from this unit's snapshot: leadership.changed.<key>.
func ChangedFlag(key string) string { return changedFlagPrefix + key }
