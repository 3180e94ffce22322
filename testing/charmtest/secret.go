package charmtest

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/charmkit/charmkit/testing/fakejuju"
)

// Secret is a Juju secret the unit can see, as plain data: owned by the
// unit's application (managed by its leader), by the unit itself, or by
// another application that granted it to the unit's application.
type Secret struct {
	// ID is the secret's ID: "secret:" and 20 characters of 0-9a-v ending
	// in 0 or g (the bare 20 characters are accepted too). Empty means an
	// ID made from the label, the same every run.
	ID string
	// Owner is the owning application or unit; empty means the unit's
	// application.
	Owner string
	// Label is the owner's label.
	Label string
	// Revisions is the content of each revision, revision 1 first; the
	// last is the latest.
	Revisions []map[string]string
	// Tracked is the revision the unit tracks, what secret-get returns
	// without --peek or --refresh; 0 means the unit never read it.
	Tracked int
	// Granted gives the unit's application read access to a secret owned
	// by another application.
	Granted bool
}

var secretIDRE = regexp.MustCompile(`^[0-9a-v]{19}[0g]$`)

// secretID returns the bare ID of s, made from its label when empty.
func (s Secret) secretID() string {
	if s.ID != "" {
		id := strings.TrimPrefix(s.ID, "secret:")
		if i := strings.LastIndex(id, "/"); i >= 0 {
			id = id[i+1:]
		}
		return id
	}
	sum := sha256.Sum256([]byte("charmtest secret " + s.Label))
	return strings.ToLower(base32.HexEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:12]))
}

// checkSecrets reports the problems of u's secrets.
func (u Unit) checkSecrets(bad func(format string, args ...any)) {
	seen := map[string]bool{}
	labels := map[string]bool{}
	for i, s := range u.Secrets {
		id := s.secretID()
		switch {
		case !secretIDRE.MatchString(id):
			bad("secret %d: ID %q: want secret: and 20 characters of 0-9a-v ending in 0 or g", i, s.ID)
		case seen[id]:
			bad("secret %d: ID %q given twice", i, id)
		}
		seen[id] = true
		if s.Label != "" {
			if labels[s.Label] {
				bad("secret %d: label %q given twice (Juju keeps labels unique)", i, s.Label)
			}
			labels[s.Label] = true
		}
		if len(s.Revisions) == 0 {
			bad("secret %d (%s): no revision", i, id)
		}
		for r, content := range s.Revisions {
			if len(content) == 0 {
				bad("secret %d (%s): revision %d has no content", i, id, r+1)
			}
			for k := range content {
				if !secretKeyRE.MatchString(k) {
					bad("secret %d (%s): revision %d: key %q: want at least 3 lowercase letters, digits or single hyphens, starting with a letter", i, id, r+1, k)
				}
			}
		}
		if s.Tracked < 0 || s.Tracked > len(s.Revisions) {
			bad("secret %d (%s): tracked revision %d: it has revisions 1 to %d", i, id, s.Tracked, len(s.Revisions))
		}
		owner := s.Owner
		if owner == "" {
			owner = u.app()
		}
		switch {
		case strings.Contains(owner, "/") && !unitNameRE.MatchString(owner):
			bad("secret %d (%s): owner %q is not a unit name", i, id, owner)
		case !strings.Contains(owner, "/") && !appNameRE.MatchString(owner):
			bad("secret %d (%s): owner %q is not an application name", i, id, owner)
		case strings.Contains(owner, "/") && owner != u.name():
			bad("secret %d (%s): owned by unit %s: a unit sees only its own unit-owned secrets", i, id, owner)
		case fakejuju.AppOf(owner) != u.app() && s.Tracked > 0 && !s.Granted:
			bad("secret %d (%s): the unit tracks a revision of %s's secret that was not granted to it (set Granted)", i, id, owner)
		}
	}
}

var secretKeyRE = regexp.MustCompile(`^[a-z](?:-?[a-z0-9]){2,}$`)

// addSecrets puts u's secrets in the model.
func addSecrets(m *fakejuju.Model, u Unit) error {
	for _, s := range u.Secrets {
		owner := s.Owner
		if owner == "" {
			owner = u.app()
		}
		if !strings.Contains(owner, "/") && m.Apps[owner] == nil {
			if _, err := m.AddApp(owner, nil, nil); err != nil {
				return err
			}
		}
		fs := &fakejuju.Secret{ID: s.secretID(), Owner: owner, Label: s.Label, LatestRevision: len(s.Revisions)}
		for r, content := range s.Revisions {
			enc := map[string]string{}
			for k, v := range content {
				enc[k] = base64.StdEncoding.EncodeToString([]byte(v))
			}
			fs.Revisions = append(fs.Revisions, fakejuju.SecretRevision{Revision: r + 1, Content: enc})
		}
		if s.Tracked > 0 {
			fs.Consumers = map[string]*fakejuju.SecretConsumer{u.name(): {Current: s.Tracked, Latest: len(s.Revisions), Announced: len(s.Revisions)}}
		}
		if s.Granted {
			fs.Grants = map[string]fakejuju.SecretGrant{u.app(): {Relation: -1}}
		}
		if m.Secrets == nil {
			m.Secrets = map[string]*fakejuju.Secret{}
		}
		m.Secrets[fs.ID] = fs
	}
	return nil
}

// secretsOut returns the secrets of the model the unit can see, for the
// state after the hook: those it was given and those its hook created.
func secretsOut(m *fakejuju.Model, unit string, in []Secret) []Secret {
	var out []Secret
	known := map[string]bool{}
	for _, s := range in {
		known[s.secretID()] = true
	}
	ids := slices.Sorted(maps.Keys(m.Secrets))
	// Secrets given first, in their order; then new ones, by ID.
	slices.SortStableFunc(ids, func(a, b string) int {
		return cmpIndex(in, a) - cmpIndex(in, b)
	})
	for _, id := range ids {
		fs := m.Secrets[id]
		app := fakejuju.AppOf(unit)
		if !known[id] && fs.Owner != app && fs.Owner != unit {
			continue
		}
		s := Secret{ID: "secret:" + id, Owner: fs.Owner, Label: fs.Label}
		if fs.Owner == app {
			s.Owner = ""
		}
		for n := 1; n <= fs.LatestRevision; n++ {
			content := map[string]string{}
			if r := fs.Revision(n); r != nil {
				for k, v := range r.Content {
					b, err := base64.StdEncoding.DecodeString(v)
					if err != nil {
						b = []byte(v)
					}
					content[k] = string(b)
				}
			}
			s.Revisions = append(s.Revisions, content)
		}
		if c := fs.Consumers[unit]; c != nil {
			s.Tracked = c.Current
		}
		_, s.Granted = fs.Grants[app]
		out = append(out, s)
	}
	return out
}

// cmpIndex is the position of the secret with the given bare ID in in, or
// len(in) for a new secret.
func cmpIndex(in []Secret, id string) int {
	for i, s := range in {
		if s.secretID() == id {
			return i
		}
	}
	return len(in)
}

// secretEvent returns the secret a secret hook is about, from env.
func secretEvent(u Unit, hook string) (*fakejuju.SecretEvent, error) {
	if !strings.HasPrefix(hook, "secret-") {
		return nil, nil
	}
	id, label, rev := u.Env.SecretID, u.Env.SecretLabel, u.Env.SecretRevision
	if id == "" {
		if len(u.Secrets) != 1 {
			return nil, fmt.Errorf("%w: hook %s: set Env.SecretID (the unit has %d secrets)", ErrInvalidUnit, hook, len(u.Secrets))
		}
		s := u.Secrets[0]
		id, label = s.secretID(), s.Label
		if hook == "secret-changed" || hook == "secret-expired" || hook == "secret-remove" {
			rev = len(s.Revisions)
		}
	}
	return &fakejuju.SecretEvent{ID: "secret:" + strings.TrimPrefix(id, "secret:"), Label: label, Revision: rev}, nil
}
