package fakejuju

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/charmkit/charmkit/hookenv"
)

// The secrets of a model follow docs/juju-secrets.md, which records what
// Juju 3.x and 4.0 do; its section 13 ("13. Checklist for a faithful fake")
// lists what this fake keeps. In short:
//
//   - A [Secret] is owned by an application (managed by its leader) or by a
//     unit. Its content is kept per revision, base64-encoded as Juju stores
//     it. Revisions are numbered from 1; a committed content change makes a
//     new revision; removed numbers are not reused.
//   - Every unit that reads a secret has a consumer record ([SecretConsumer]):
//     the revision it tracks, the latest revision it was told about, its
//     consumer label. Units of the owning application read by ID or by the
//     owner label without a grant; other units need a grant ([SecretGrant]).
//     A grant made in a relation ends when the relation is gone.
//   - secret-add, secret-set, secret-remove, secret-grant and secret-revoke
//     are queued in the context ([SecretChanges]) and committed by
//     [Model.Close] in Juju's order; secret-get's tracking and label changes
//     take effect at once.
//   - The hooks Juju would run because of the model's secrets are derived
//     from it: [Model.SecretHooks].
//   - Secret content is kept in the model only: the journal records
//     secret-add and secret-set arguments and secret-get output with the
//     content replaced by [Redacted], and no error of the fake names a
//     value (Juju's own messages are kept, and the journal's copy of the
//     one that quotes a malformed key=value argument is redacted).

// Secret is a secret of the model, as the controller keeps it.
type Secret struct {
	// ID is the secret's 20-character ID, without "secret:".
	ID string `json:"id"`
	// Owner is the owning application or unit (a name with a "/").
	Owner string `json:"owner"`
	// Label is the owner's label for the secret.
	Label       string `json:"label,omitempty"`
	Description string `json:"description,omitempty"`
	// RotatePolicy is the rotation policy ("" when none was set) and
	// NextRotate the next rotation time (zero when it does not rotate).
	RotatePolicy string    `json:"rotate-policy,omitempty"`
	NextRotate   time.Time `json:"next-rotate,omitzero"`
	// Revisions holds the revisions still stored, oldest first.
	Revisions []SecretRevision `json:"revisions"`
	// LatestRevision is the number of the latest revision. Numbers are not
	// reused, whatever revisions were removed.
	LatestRevision int `json:"latest-revision"`
	// Consumers are the consumer records, by reading unit.
	Consumers map[string]*SecretConsumer `json:"consumers,omitempty"`
	// Grants are the view grants, by subject: an application or a unit.
	Grants map[string]SecretGrant `json:"grants,omitempty"`
	// RemoveHandled lists, by unit, the obsolete revisions the unit has run
	// secret-remove for (the unit agent's record).
	RemoveHandled map[string][]int `json:"remove-handled,omitempty"`
}

// SecretRevision is one revision of a secret's content.
type SecretRevision struct {
	Revision int `json:"revision"`
	// Content maps each key to its value, base64-encoded (as secret-add
	// with key#base64=value stores it as given).
	Content map[string]string `json:"content"`
	// Expire is the revision's expiry time; zero when it does not expire.
	Expire time.Time `json:"expire,omitzero"`
}

// SecretConsumer is a unit's consumer record of a secret.
type SecretConsumer struct {
	// Current is the revision the unit tracks: what secret-get returns
	// without --peek or --refresh.
	Current int `json:"current"`
	// Latest is the latest revision the record knows of; a committed new
	// revision updates every record.
	Latest int `json:"latest"`
	// Label is the unit's consumer label.
	Label string `json:"label,omitempty"`
	// Announced is the revision the unit's last secret-changed hook was
	// about (the unit agent's record).
	Announced int `json:"announced,omitempty"`
}

// SecretGrant is a view grant of a secret to an application or a unit.
type SecretGrant struct {
	// Relation is the relation the grant was made in; -1 for none.
	Relation int `json:"relation"`
}

// SecretRules settle the points docs/juju-secrets.md leaves open (section
// "14. Open points (not verified)"). The zero value follows Juju's code.
type SecretRules struct {
	// SkipManagerChanged keeps secret-changed from the unit that manages
	// the secret (the leader of an application-owned secret, the owner of a
	// unit-owned one), as a field report says Juju does for secrets not
	// granted across a relation. By default, as Juju's code reads, every
	// unit with a consumer record is told, the manager included.
	SkipManagerChanged bool `json:"skip-manager-changed,omitempty"`
	// ChangedRule chooses when a unit with a consumer record gets
	// secret-changed: SecretChangedLatest (Juju 3: when the latest
	// revision its record knows of, 2 or more, was not announced to it) or
	// SecretChangedTracked (Juju 4.0: when its tracked revision is behind
	// the latest and the latest was not announced). "" follows the model's
	// JujuVersion.
	ChangedRule string `json:"changed-rule,omitempty"`
}

// The rules of [SecretRules.ChangedRule].
const (
	SecretChangedLatest  = "latest"
	SecretChangedTracked = "tracked"
)

// IsUnitOwned reports whether a unit owns the secret.
func (s *Secret) IsUnitOwned() bool { return strings.Contains(s.Owner, "/") }

// OwnerApp returns the application of the owner.
func (s *Secret) OwnerApp() string { return AppOf(s.Owner) }

// Revision returns the stored revision n, or nil.
func (s *Secret) Revision(n int) *SecretRevision {
	for i := range s.Revisions {
		if s.Revisions[i].Revision == n {
			return &s.Revisions[i]
		}
	}
	return nil
}

// Latest returns the latest revision, or nil when it was removed.
func (s *Secret) Latest() *SecretRevision { return s.Revision(s.LatestRevision) }

// Values returns the revision's content decoded, as secret-get prints it.
func (r *SecretRevision) Values() (map[string]string, error) { return decodeSecretContent(r.Content) }

// EncodeSecretContent encodes plain values as Juju stores them: each value
// base64-encoded.
func EncodeSecretContent(values map[string]string) map[string]string {
	out := make(map[string]string, len(values))
	for k, v := range values {
		out[k] = base64.StdEncoding.EncodeToString([]byte(v))
	}
	return out
}

// decodeSecretContent decodes stored content; a value that is not base64
// fails as Juju's secret-get fails on it (the error names no value).
func decodeSecretContent(content map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(content))
	for _, k := range slices.Sorted(maps.Keys(content)) {
		b, err := base64.StdEncoding.DecodeString(content[k])
		if err != nil {
			return nil, err
		}
		out[k] = string(b)
	}
	return out, nil
}

// AddSecret adds a committed secret (for setting up a test): owner is an
// application or a unit, content the plain values of each revision,
// oldest first. An empty id gets a new one.
func (m *Model) AddSecret(id, owner string, revisions ...map[string]string) (*Secret, error) {
	if id == "" {
		id = m.newSecretID()
	}
	if !validXID(id) {
		return nil, fmt.Errorf("fakejuju: invalid secret id %q", id)
	}
	if m.Secrets[id] != nil {
		return nil, fmt.Errorf("fakejuju: secret %q already exists", id)
	}
	if strings.Contains(owner, "/") {
		if _, err := m.Unit(owner); err != nil {
			return nil, err
		}
	} else if _, err := m.App(owner); err != nil {
		return nil, err
	}
	if len(revisions) == 0 {
		return nil, fmt.Errorf("fakejuju: secret %q: no revision", id)
	}
	s := &Secret{ID: id, Owner: owner}
	for i, values := range revisions {
		s.Revisions = append(s.Revisions, SecretRevision{Revision: i + 1, Content: EncodeSecretContent(values)})
	}
	s.LatestRevision = len(revisions)
	if m.Secrets == nil {
		m.Secrets = map[string]*Secret{}
	}
	m.Secrets[id] = s
	return s, nil
}

// xidEncoding is the encoding of secret IDs: base32 with the extended hex
// alphabet, lower case, no padding.
var xidEncoding = base32.NewEncoding("0123456789abcdefghijklmnopqrstuv").WithPadding(base32.NoPadding)

// newSecretID returns the ID for a new secret: NextSecretID once, else 12
// random bytes encoded as Juju encodes them.
func (m *Model) newSecretID() string {
	if id := m.NextSecretID; id != "" {
		m.NextSecretID = ""
		return id
	}
	var b [12]byte
	rand.Read(b[:])
	return xidEncoding.EncodeToString(b[:])
}

// validXID reports whether id is a secret ID Juju accepts: 20 characters
// of 0-9a-v, the last one 0 or g (12 bytes in base32: the last character
// carries one bit).
func validXID(id string) bool {
	if len(id) != 20 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'v') {
			return false
		}
	}
	return id[19] == '0' || id[19] == 'g'
}

// secretURI is a parsed secret ID: the ID and the UUID of the model it
// comes from ("" when not given).
type secretURI struct {
	Source, ID string
}

// String formats the URI as Juju does: secret:<id>, or
// secret://<uuid>/<id> with a source.
func (u secretURI) String() string {
	if u.Source == "" {
		return "secret:" + u.ID
	}
	return "secret://" + u.Source + "/" + u.ID
}

var (
	uuidRE      = regexp.MustCompile(`[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}`)
	secretURIRE = regexp.MustCompile(`^((` + uuidRE.String() + `)/)?([0-9a-z]{20})$`)
)

// parseSecretURI parses a secret ID in any form Juju accepts (the bare ID,
// secret:<id>, secret:<uuid>/<id>, secret://<uuid>/<id>), with Juju's
// errors (docs/juju-secrets.md, "2. Secret IDs").
func parseSecretURI(s string) (secretURI, error) {
	u, err := url.Parse(s)
	if err != nil {
		return secretURI{}, err
	}
	if u.Scheme != "" && u.Scheme != "secret" {
		return secretURI{}, fmt.Errorf("secret URI scheme %q not valid", u.Scheme)
	}
	if u.Host != "" && !uuidRE.MatchString(u.Host) {
		return secretURI{}, fmt.Errorf("host controller UUID %q not valid", u.Host)
	}
	idStr := strings.TrimLeft(u.Path, "/")
	if idStr == "" {
		idStr = u.Opaque
	}
	m := secretURIRE.FindStringSubmatch(idStr)
	if m == nil || !validXID(m[3]) {
		return secretURI{}, fmt.Errorf("secret URI %q not valid", s)
	}
	source := m[2]
	if source == "" {
		source = u.Host
	}
	return secretURI{Source: source, ID: m[3]}, nil
}

// local reports whether the URI names a secret of this model.
func (m *Model) local(u secretURI) bool { return u.Source == "" || u.Source == m.UUID }

// Version switches: the Juju releases where the secret behaviour changed
// (docs/juju-secrets.md, "1. Which Juju has secrets").

// since reports whether the model's Juju has a change first released in
// the given versions, one per release line (e.g. "3.1.7", "3.3.1",
// "3.4.0"): a version of a listed line has it from that release on; a
// version of another line has it when no listed line is later. An empty or
// unparsable JujuVersion is taken as the newest.
func (m *Model) since(firsts ...string) bool {
	v, err := hookenv.ParseVersion(m.JujuVersion)
	if err != nil {
		return true
	}
	for _, f := range firsts {
		fv := mustVersion(f)
		if fv.Major == v.Major && fv.Minor == v.Minor {
			return !versionBefore(v, fv)
		}
	}
	for _, f := range firsts {
		fv := mustVersion(f)
		if fv.Major > v.Major || fv.Major == v.Major && fv.Minor > v.Minor {
			return false
		}
	}
	return true
}

func mustVersion(s string) hookenv.Version {
	v, err := hookenv.ParseVersion(s)
	if err != nil {
		panic("fakejuju: bad version " + s)
	}
	return v
}

// versionBefore compares two versions of one release line; a pre-release
// (3.6-beta1) comes before every release of its line.
func versionBefore(a, b hookenv.Version) bool {
	if (a.Tag != "") != (b.Tag != "") {
		return a.Tag != ""
	}
	if a.Patch != b.Patch {
		return a.Patch < b.Patch
	}
	return a.Build < b.Build
}

// uriWithSource: secret-add prints secret://<model-uuid>/<id> (3.1.3,
// 3.2.0), not secret:<id>.
func (m *Model) uriWithSource() bool { return m.since("3.1.3", "3.2.0") }

// ownersTrack: units of the owning application (and a unit owner) read
// their tracked revision like any consumer, and secret-get sees the
// context's pending content (3.1.7, 3.3.1, 3.4.0). Before, they always
// read the latest revision, and only committed content.
func (m *Model) ownersTrack() bool { return m.since("3.1.7", "3.3.1", "3.4.0") }

// keepsUnchangedRevision: secret-set with the latest revision's content
// makes no new revision (3.6.0).
func (m *Model) keepsUnchangedRevision() bool { return m.since("3.6.0") }

// peerLabel is what secret-get <id> --label does for a unit of the owning
// application that does not manage the secret.
type peerLabel int

const (
	peerLabelRefused  peerLabel = iota // a leadership error (before 3.3.4, 3.4.1)
	peerLabelConsumer                  // stored as the unit's consumer label (3.3.4, 3.4.1-3.4.2, 3.5.0)
	peerLabelIgnored                   // ignored (3.3.5, 3.4.3, 3.5.1, 3.6.0)
)

func (m *Model) peerLabel() peerLabel {
	switch {
	case m.since("3.3.5", "3.4.3", "3.5.1", "3.6.0"):
		return peerLabelIgnored
	case m.since("3.3.4", "3.4.1", "3.5.0"):
		return peerLabelConsumer
	}
	return peerLabelRefused
}

// secretLimits returns the size limits of secret content, measured on the
// base64-encoded values: per value and for the whole content.
func (m *Model) secretLimits() (value, total int) {
	switch {
	case m.since("3.6.9"):
		return 1000 * 1000, 1000 * 1000
	case m.since("3.3.2", "3.4.1", "3.5.0"):
		return 8 * 1024, 64 * 1024
	}
	return 5 * 1024, 64 * 1024
}

// changedRule returns the secret-changed rule in force.
func (m *Model) changedRule() string {
	if r := m.SecretRules.ChangedRule; r != "" {
		return r
	}
	if v, err := hookenv.ParseVersion(m.JujuVersion); err == nil && v.Major >= 4 {
		return SecretChangedTracked
	}
	return SecretChangedLatest
}

// Access and labels.

// manages reports whether unit manages s now: it owns it, or it leads the
// owning application (the controller's check, not the context's).
func (m *Model) manages(s *Secret, unit string) bool {
	return s.Owner == unit || s.Owner == AppOf(unit) && m.Leads(unit)
}

// manager returns the unit that manages s now ("" when none does).
func (m *Model) manager(s *Secret) string {
	if s.IsUnitOwned() {
		return s.Owner
	}
	if a := m.Apps[s.Owner]; a != nil && a.LeaderValid {
		return a.Leader
	}
	return ""
}

// canRead reports whether unit may read s: a unit of the owning
// application, the owning unit, or a unit granted access (itself or its
// application).
func canRead(s *Secret, unit string) bool {
	app := AppOf(unit)
	if s.Owner == unit || s.Owner == app {
		return true
	}
	_, u := s.Grants[unit]
	_, a := s.Grants[app]
	return u || a
}

// canManage is the controller's check of a change to s by unit, made when
// the change is committed: nil, or the error Juju gives.
func (m *Model) canManage(s *Secret, unit string) error {
	switch {
	case s.Owner == unit:
		return nil
	case s.Owner == AppOf(unit):
		if m.Leads(unit) {
			return nil
		}
		return notLeaderError(unit)
	}
	return errors.New("permission denied")
}

// notLeaderError is the controller's leadership-token error.
func notLeaderError(unit string) error {
	return fmt.Errorf("%q is not leader of %q", unit, AppOf(unit))
}

// tag returns Juju's tag for an application or unit name.
func tag(name string) string {
	if strings.Contains(name, "/") {
		return "unit-" + strings.ReplaceAll(name, "/", "-")
	}
	return "application-" + name
}

// labelConflict checks that holder (an application or unit) may use label
// as an owner label (consumer false) or as a consumer label of secret id,
// with the controller's messages: a label is unique among the owner and
// consumer labels of an application and its units.
func (m *Model) labelConflict(holder, label, id string, consumer bool) error {
	uses := func(h string, owner bool) bool {
		for _, s := range m.Secrets {
			if s.ID == id {
				continue
			}
			if owner && s.Owner == h && s.Label == label {
				return true
			}
			if c := s.Consumers[h]; !owner && c != nil && c.Label == label {
				return true
			}
		}
		return false
	}
	if strings.Contains(holder, "/") {
		if app := AppOf(holder); uses(app, true) || uses(app, false) {
			return fmt.Errorf("secret label %q for application %q already exists", label, app)
		}
	} else {
		for _, u := range m.AppUnits(holder) {
			if uses(u, true) || uses(u, false) {
				return fmt.Errorf("secret label %q for a unit of application %q already exists", label, holder)
			}
		}
	}
	first, second := "consumer", "owner"
	if consumer {
		first, second = second, first
	}
	for _, role := range []string{first, second} {
		if uses(holder, role == "owner") {
			return fmt.Errorf("secret label %q for %s %q already exists", label, role, tag(holder))
		}
	}
	return nil
}

// relationTag returns the tag of relation id as Juju names it,
// "relation-<app>.<endpoint>#<app>.<endpoint>", or "" when unknown.
func (m *Model) relationTag(id int) string {
	r := m.Relations[id]
	if r == nil {
		return ""
	}
	var eps []string
	for _, e := range r.Endpoints {
		eps = append(eps, e.App+":"+e.Endpoint)
	}
	slices.Sort(eps)
	key := strings.Join(eps, " ")
	return "relation-" + strings.NewReplacer(":", ".", " ", "#").Replace(key)
}
