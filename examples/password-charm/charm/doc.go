// Package charm is the password charm: the leader generates a strong random
// admin_password once and shares it with the other units; every unit
// writes the shared value to a file (config option password-file, mode
// 0600, written atomically) and reports in its status whether it is ready
// and whether it leads. The action rotate-password makes the leader set a
// new password, which every unit then writes.
//
// It is also the reference charm of the leadership scenarios (docs/design.md,
// "The reference charm"): the config option motd (mirrored by the leader into
// the motd setting and written to the file motd by every unit) and the option
// fail-on-unit (the units named there fail their hooks on purpose) exist so that
// every leadership scenario can be exercised. They are the example's test hooks;
// a real charm would not have them.
//
// # Where the password lives
//
// The charm's binary registers [ForJuju]'s configuration: the password is
// kept in an application-owned Juju secret (leadership.Options.Secrets, see
// [SecretOptions]), the leader settings holding only a pointer to it; on a
// Juju without secrets (before 3.0.2) it stays in plain leader settings,
// with a WARNING in every hook. The zero [Charm] ([Register]) keeps every
// setting, the password included, in plain leader settings.
//
// # Handlers
//
// In registration order: generate_secret (leader, admin_password not set:
// publish a new password), store_secret (admin_password changed: write the
// file, toggle password.stored), sync_motd (leader: mirror config motd),
// store_motd (motd changed: write or remove the file motd), maybe_fail
// (admin_password set: fail on the units named in fail-on-unit), ready
// (password.stored: status active "ready (leader)" or "ready (follower)"),
// waiting (password not stored: status waiting), share_password
// (leader, password set, clients.requested: publish user admin and the
// password to every client application related on the clients endpoint,
// interface credentials, see package interfaces/credentials) and
// rotate_password (the action [RotateAction]: on the leader, publish a new
// password and report result=rotated, never the password; on a follower,
// fail the action and say to run it on the leader).
//
// The endpoint layer manages the clients endpoint only ([Relations]); the
// settings live in Juju's leader settings, or with
// Charm.Leadership.PeerRelation set (see [ForJuju]) in the application
// data of the peer relation [PeerRelation].
package charm
