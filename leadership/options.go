package leadership

// Options configures the layer. The zero value (or nil) keeps the settings in
// Juju's leader settings.
type Options struct {
	// PeerRelation, when not empty, names the peer relation endpoint (from
	// the peers section of metadata.yaml) whose application data bag holds
	// the settings, instead of Juju's leader settings. Use it on Juju 4,
	// which has no leader-get or leader-set; it works on Juju 3 too. Writes
	// to it are applied by Juju only when the hook succeeds.
	PeerRelation string

	// Secrets keeps the values of some keys in application-owned Juju
	// secrets instead of the settings: it maps a group name to its keys,
	// e.g. {"admin": {"admin_password"}}. Each group is one secret,
	// labelled "leadership-<group>" ([SecretLabel]); the settings (leader
	// settings, or the peer relation's bag) carry only a pointer to it,
	// under "leadership.secret.<group>" ([SecretPointerKey]): the secret's
	// ID and revisions, never a value. [Set], [Delete], [Get], [GetAll] and
	// the flags are the same for these keys as for the others, so a charm
	// moves a key into a secret by naming it here and changes nothing else.
	// A value already in the settings (written by an earlier version of the
	// charm or by the Python layer) is moved into the secret by the leader
	// at the start of its next hook, with no flag raised on any unit
	// (docs/leadership.md, "Shared values in Juju secrets").
	//
	// A group name is lowercase letters, digits and single hyphens,
	// starting with a letter; a key belongs to at most one group. Register
	// panics otherwise.
	Secrets map[string][]string

	// PlainFallback keeps the keys of Secrets in plain settings, with a
	// WARNING in every hook, on a Juju without secrets (JUJU_VERSION before
	// 3.0.2). Without it, such a Juju fails every hook with an error
	// wrapping [ErrNoJujuSecrets].
	PlainFallback bool
}
