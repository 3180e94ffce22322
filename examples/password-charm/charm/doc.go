// Package charm is the password charm: the leader generates a strong random
// admin_password once and publishes it as a leader setting; every unit
// writes the shared value to a file (config option password-file, mode
// 0600, written atomically) and reports in its status whether it is ready
// and whether it leads.
//
// It is also the reference charm of the leadership scenarios (docs/design.md,
// "The reference charm"): the config option motd (mirrored by the leader into
// the motd setting and written to the file motd by every unit) and the option
// fail-on-unit (the units named there fail their hooks on purpose) exist so that
// every leadership scenario can be exercised. They are the example's test hooks;
// a real charm would not have them.
//
// # Handlers
//
// In registration order: generate_secret (leader, admin_password not set:
// publish a new password), store_secret (admin_password changed: write the
// file, toggle password.stored), sync_motd (leader: mirror config motd),
// store_motd (motd changed: write or remove the file motd), maybe_fail
// (admin_password set: fail on the units named in fail-on-unit), ready
// (password.stored: status active "ready (leader)" or "ready (follower)"),
// waiting (password not stored: status waiting) and share_password
// (leader, password set, clients.requested: publish user admin and the
// password to every client application related on the clients endpoint,
// interface credentials, see package interfaces/credentials).
//
// The endpoint layer manages the clients endpoint only ([Relations]); the
// settings live in Juju's leader settings, or with
// Charm.Leadership.PeerRelation set (see [ForJuju]) in the application
// data of the peer relation [PeerRelation].
package charm
