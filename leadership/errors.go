package leadership

import (
	"errors"

	"github.com/charmkit/charmkit/hookenv"
)

// ErrNotLeader is returned by [Set] when this unit is not the leader:
// is-leader answered false at the start of the hook, or answered false when
// asked again after the 30-second leadership guarantee had lapsed. No tool
// was run for the write, and no flag or snapshot entry changed. The hook's
// other leader-only writes through h.Tools() return it in the same cases,
// since the layer's lease tracker is the hook's Tools.Leader. It is the
// same value as [hookenv.ErrNotLeader], so errors.Is works with either name.
var ErrNotLeader = hookenv.ErrNotLeader

// ErrNoLeaderSettings is returned (wrapped, with the tool's own error) when
// the leader-settings backend is in use and leader-get or leader-set is not
// installed, as on Juju 4, which removed leader settings. The cure is to
// keep the settings in a peer relation: set [Options.PeerRelation].
var ErrNoLeaderSettings = errors.New("leader settings tools are missing (Juju 4 removed leader-get and leader-set) and no peer relation is configured (set Options.PeerRelation)")

// ErrPeerUnavailable is returned (wrapped) by the peer-relation backend when
// the peer relation is not there yet (relation-ids lists no relation for the
// endpoint). At the start of such a hook only leadership.is_leader is
// computed; the settings flags and the snapshot are left as they were, and
// [Set] returns this error without running a tool.
var ErrPeerUnavailable = errors.New("peer relation not available yet")

// ErrNotStarted is returned by [Set] in a hook where the layer's start
// callback did not run, such as a restricted hook (collect-metrics,
// meter-status-changed), where leadership tools cannot be used.
var ErrNotStarted = errors.New("leadership layer did not run at the start of this hook")
