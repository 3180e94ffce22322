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

// ErrNotRegistered is returned (wrapped) by [Set] and [Delete], and is the
// panic of [Get] and [GetAll], in a charm that never called [Register]: the
// layer is not on the hook's registry, so it keeps no leader settings and
// sets no leadership.* flags. The cure is in its message.
var ErrNotRegistered = errors.New("the leadership layer is not registered on this charm's registry: call leadership.Register(r, nil) where the charm registers its handlers")

// ErrNotStarted is returned (wrapped, with the reason) by [Set] and [Delete]
// when the layer is registered but has not started in this hook, so it has
// neither asked is-leader nor read the settings: in a restricted hook
// (collect-metrics, meter-status-changed), where the layer does not run, and
// in a start callback that runs before the layer's (register such a
// callback after [Register]). [Get] and [GetAll] report nothing set there.
var ErrNotStarted = errors.New("the leadership layer has not started in this hook")

// ErrSecretNotReady is returned (wrapped, naming the key group, the secret
// ID and the revisions) at the start of a hook on a follower when the
// settings point to a secret, or to a revision of it, that Juju has not
// committed yet: leader-set takes effect at once while the leader's
// secret-add or secret-set is committed only when its hook ends, so a
// follower's hook can run in between. The hook fails, with nothing
// changed, and Juju retries it; by then the secret is there
// (docs/leadership.md, "The race between leader-set and the secret").
var ErrSecretNotReady = errors.New("the settings point to a secret revision that Juju has not committed yet; the hook fails so that Juju retries it")

// ErrNoJujuSecrets is returned (wrapped, with the version) at the start of
// every hook when [Options.Secrets] is set and the Juju running the unit
// has no secrets (JUJU_VERSION before 3.0.2). Upgrade Juju, or set
// [Options.PlainFallback] to keep those keys in plain settings there.
var ErrNoJujuSecrets = errors.New("this Juju has no secrets, which Options.Secrets needs (Juju 3.0.2 or later): upgrade Juju, or set Options.PlainFallback to keep these keys in plain settings on such a Juju")
