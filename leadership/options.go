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
}
