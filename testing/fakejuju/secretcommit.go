package fakejuju

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// SecretChanges are the secret changes a context queued, as Juju's hook
// context records them, committed by [Model.Close] when the hook succeeds.
type SecretChanges struct {
	// Creates are the secret-add calls, with the secret-set calls on those
	// secrets folded in, in call order.
	Creates []*SecretUpsert `json:"creates,omitempty"`
	// Updates are the secret-set calls on other secrets, merged by secret.
	Updates []*SecretUpsert `json:"updates,omitempty"`
	// Deletes are the secret-remove calls, merged by secret.
	Deletes []*SecretDelete `json:"deletes,omitempty"`
	// Grants and Revokes are the secret-grant and secret-revoke calls.
	Grants  []*SecretAccessChange `json:"grants,omitempty"`
	Revokes []*SecretAccessChange `json:"revokes,omitempty"`
	// TrackLatest lists the secrets whose pending new content a
	// secret-get --refresh read: the unit tracks their latest revision
	// once the update is committed.
	TrackLatest []string `json:"track-latest,omitempty"`
}

// SecretUpsert is a queued creation or update of a secret. A nil field is
// left as it is.
type SecretUpsert struct {
	ID string `json:"id"`
	// URI is the secret as the hook named it, in Juju's form (for the
	// controller's messages).
	URI string `json:"uri"`
	// Owner is the owning application or unit of a created secret.
	Owner        string     `json:"owner,omitempty"`
	Label        *string    `json:"label,omitempty"`
	Description  *string    `json:"description,omitempty"`
	RotatePolicy *string    `json:"rotate-policy,omitempty"`
	Expire       *time.Time `json:"expire,omitempty"`
	// Content is the new content, base64-encoded; nil keeps the content.
	Content map[string]string `json:"content,omitempty"`
}

// SecretDelete is a queued removal of a secret (All) or of some of its
// revisions.
type SecretDelete struct {
	ID        string `json:"id"`
	URI       string `json:"uri"`
	All       bool   `json:"all,omitempty"`
	Revisions []int  `json:"revisions,omitempty"`
}

// SecretAccessChange is a queued grant or revocation of view access to an
// application or a unit.
type SecretAccessChange struct {
	ID  string `json:"id"`
	URI string `json:"uri"`
	// Relation is the relation of a grant; -1 for none.
	Relation int    `json:"relation"`
	App      string `json:"app,omitempty"`
	Unit     string `json:"unit,omitempty"`
}

// subject returns the application or unit the change is about.
func (a *SecretAccessChange) subject() string {
	if a.Unit != "" {
		return a.Unit
	}
	return a.App
}

// secretChanges returns the context's queue, made on first use.
func (c *Context) secretChanges() *SecretChanges {
	if c.PendingSecrets == nil {
		c.PendingSecrets = &SecretChanges{}
	}
	return c.PendingSecrets
}

func (sc *SecretChanges) pendingCreate(id string) *SecretUpsert {
	for _, c := range sc.Creates {
		if c.ID == id {
			return c
		}
	}
	return nil
}

func (sc *SecretChanges) pendingUpdate(id string) *SecretUpsert {
	for _, u := range sc.Updates {
		if u.ID == id {
			return u
		}
	}
	return nil
}

func (sc *SecretChanges) pendingDelete(id string) *SecretDelete {
	for _, d := range sc.Deletes {
		if d.ID == id {
			return d
		}
	}
	return nil
}

func (sc *SecretChanges) dropDelete(id string) {
	sc.Deletes = slices.DeleteFunc(sc.Deletes, func(d *SecretDelete) bool { return d.ID == id })
}

// create queues a secret-add: two creations in one hook may not share a
// label.
func (sc *SecretChanges) create(u *SecretUpsert) error {
	sc.dropDelete(u.ID)
	if u.Label != nil {
		for _, c := range sc.Creates {
			if c.Label != nil && *c.Label == *u.Label {
				return fmt.Errorf("secret with label %q already exists", *u.Label)
			}
		}
	}
	sc.Creates = append(sc.Creates, u)
	return nil
}

// update queues a secret-set: folded into the secret's pending creation or
// update, if any, each field given replacing the earlier one.
func (sc *SecretChanges) update(u *SecretUpsert) {
	sc.dropDelete(u.ID)
	prev := sc.pendingCreate(u.ID)
	if prev == nil {
		prev = sc.pendingUpdate(u.ID)
	}
	if prev == nil {
		sc.Updates = append(sc.Updates, u)
		return
	}
	if u.Label != nil {
		prev.Label = u.Label
	}
	if u.Description != nil {
		prev.Description = u.Description
	}
	if len(u.Content) > 0 {
		prev.Content = u.Content
	}
	if u.RotatePolicy != nil {
		prev.RotatePolicy = u.RotatePolicy
	}
	if u.Expire != nil {
		prev.Expire = u.Expire
	}
}

// remove queues a secret-remove of one revision (rev > 0) or of the whole
// secret; it drops the secret's other pending changes.
func (sc *SecretChanges) remove(id, uri string, rev int) {
	del := func(s []*SecretUpsert) []*SecretUpsert {
		return slices.DeleteFunc(s, func(u *SecretUpsert) bool { return u.ID == id })
	}
	sc.Creates, sc.Updates = del(sc.Creates), del(sc.Updates)
	isID := func(a *SecretAccessChange) bool { return a.ID == id }
	sc.Grants, sc.Revokes = slices.DeleteFunc(sc.Grants, isID), slices.DeleteFunc(sc.Revokes, isID)
	sc.TrackLatest = slices.DeleteFunc(sc.TrackLatest, func(s string) bool { return s == id })
	d := sc.pendingDelete(id)
	switch {
	case d == nil:
		d = &SecretDelete{ID: id, URI: uri, All: rev <= 0}
		if rev > 0 {
			d.Revisions = []int{rev}
		}
		sc.Deletes = append(sc.Deletes, d)
	case d.All:
	case rev > 0:
		d.Revisions = append(d.Revisions, rev)
	default:
		d.All, d.Revisions = true, nil
	}
}

// grant queues a secret-grant; a later grant in the same relation replaces
// an earlier one.
func (sc *SecretChanges) grant(g *SecretAccessChange) {
	for i, o := range sc.Grants {
		if o.ID == g.ID && o.Relation == g.Relation {
			sc.Grants[i] = g
			return
		}
	}
	sc.Grants = append(sc.Grants, g)
}

// revoke queues a secret-revoke, unless the same one, or one of the unit's
// application, is queued.
func (sc *SecretChanges) revoke(r *SecretAccessChange) {
	for _, o := range sc.Revokes {
		if o.ID != r.ID {
			continue
		}
		if *o == *r || o.App != "" && o.Unit == "" && r.Unit != "" && AppOf(r.Unit) == o.App {
			return
		}
	}
	sc.Revokes = append(sc.Revokes, r)
}

func (sc *SecretChanges) trackLatest(id string) {
	if !slices.Contains(sc.TrackLatest, id) {
		sc.TrackLatest = append(sc.TrackLatest, id)
	}
}

// CommitError is the error [Model.Close] returns when Juju's controller
// refused part of a successful hook's changes, which fails the hook: a
// secret change of a unit that does not (or no longer) manage the secret,
// a label already in use, an unknown secret. Its message is the
// controller's, e.g. `updating secrets: "app/1" is not leader of "app"`.
// It matches [ErrCommitFailed].
type CommitError struct {
	Message string
}

func (e *CommitError) Error() string { return e.Message }

// Is matches ErrCommitFailed.
func (e *CommitError) Is(target error) bool { return target == ErrCommitFailed }

// ErrCommitFailed is matched by a [*CommitError].
var ErrCommitFailed = errors.New("fakejuju: the controller refused the hook's changes")

// commitSecrets applies the context's queued secret changes as Juju's
// controller does when a hook succeeds, one step after the other:
// creations, updates, tracked revisions, grants, revocations, removals. A
// step that fails for some secret stops the commit after applying the
// step's other changes, leaving earlier steps applied, and returns a
// *CommitError. It returns the IDs of the secrets created, given a new
// revision or removed (whole or in part).
func (m *Model) commitSecrets(c *Context) ([]string, error) {
	sc := c.PendingSecrets
	if sc == nil {
		return nil, nil
	}
	unit := c.Unit
	changed := map[string]bool{}
	step := func(prefix string, n int, one func(i int) error) error {
		var errs []string
		for i := range n {
			if err := one(i); err != nil {
				errs = append(errs, err.Error())
			}
		}
		if len(errs) > 0 {
			return &CommitError{Message: prefix + ": " + strings.Join(errs, "\n")}
		}
		return nil
	}
	notFound := func(uri string) error { return fmt.Errorf("secret %q not found", uri) }
	labelTaken := func(label string) error { return fmt.Errorf("secret with label %q already exists", label) }
	managed := func(id, uri string) (*Secret, error) {
		s := m.Secrets[id]
		if s == nil {
			return nil, notFound(uri)
		}
		return s, m.canManage(s, unit)
	}
	steps := []func() error{
		func() error {
			return step("creating secrets", len(sc.Creates), func(i int) error {
				cr := sc.Creates[i]
				if AppOf(cr.Owner) != AppOf(unit) {
					return errors.New("permission denied")
				}
				if cr.Owner != unit && !m.Leads(unit) {
					return notLeaderError(unit)
				}
				if cr.Label != nil && *cr.Label != "" && m.labelConflict(cr.Owner, *cr.Label, cr.ID, false) != nil {
					return labelTaken(*cr.Label)
				}
				s := &Secret{ID: cr.ID, Owner: cr.Owner, Revisions: []SecretRevision{{Revision: 1, Content: cr.Content}}, LatestRevision: 1}
				m.applyUpsert(s, cr)
				if cr.Expire != nil {
					s.Revisions[0].Expire = *cr.Expire
				}
				if m.Secrets == nil {
					m.Secrets = map[string]*Secret{}
				}
				m.Secrets[s.ID] = s
				changed[s.ID] = true
				return nil
			})
		},
		func() error {
			return step("updating secrets", len(sc.Updates), func(i int) error {
				up := sc.Updates[i]
				s, err := managed(up.ID, up.URI)
				if err != nil {
					return err
				}
				if up.Label != nil && *up.Label != s.Label && *up.Label != "" && m.labelConflict(s.Owner, *up.Label, s.ID, false) != nil {
					return labelTaken(*up.Label)
				}
				m.applyUpsert(s, up)
				switch {
				case len(up.Content) > 0:
					rev := SecretRevision{Revision: s.LatestRevision + 1, Content: up.Content}
					if up.Expire != nil {
						rev.Expire = *up.Expire
					}
					s.Revisions = append(s.Revisions, rev)
					s.LatestRevision = rev.Revision
					for _, rec := range s.Consumers {
						rec.Latest = rev.Revision
					}
					changed[s.ID] = true
				case up.Expire != nil:
					if l := s.Latest(); l != nil {
						l.Expire = *up.Expire
					}
				}
				return nil
			})
		},
		func() error {
			return step("updating secret tracked revisions", len(sc.TrackLatest), func(i int) error {
				id := sc.TrackLatest[i]
				s := m.Secrets[id]
				if s == nil {
					return notFound(secretURI{ID: id}.String())
				}
				rec := s.consumer(unit)
				rec.Current, rec.Latest = s.LatestRevision, s.LatestRevision
				return nil
			})
		},
		func() error {
			return step("granting secrets access", len(sc.Grants), func(i int) error {
				g := sc.Grants[i]
				s, err := managed(g.ID, g.URI)
				if err != nil {
					return err
				}
				if s.Grants == nil {
					s.Grants = map[string]SecretGrant{}
				}
				s.Grants[g.subject()] = SecretGrant{Relation: g.Relation}
				return nil
			})
		},
		func() error {
			return step("revoking secrets access", len(sc.Revokes), func(i int) error {
				r := sc.Revokes[i]
				s, err := managed(r.ID, r.URI)
				if err != nil {
					return err
				}
				delete(s.Grants, r.subject())
				return nil
			})
		},
		func() error {
			// A secret that does not exist is no error: Juju ignores
			// not-found results of removals.
			return step("removing secrets", len(sc.Deletes), func(i int) error {
				d := sc.Deletes[i]
				s := m.Secrets[d.ID]
				if s == nil {
					return nil
				}
				if err := m.canManage(s, unit); err != nil {
					return err
				}
				changed[s.ID] = true
				if !d.All {
					s.Revisions = slices.DeleteFunc(s.Revisions, func(r SecretRevision) bool { return slices.Contains(d.Revisions, r.Revision) })
					if len(s.Revisions) > 0 {
						return nil
					}
				}
				delete(m.Secrets, s.ID)
				return nil
			})
		},
	}
	for _, run := range steps {
		if err := run(); err != nil {
			return slices.Sorted(maps.Keys(changed)), err
		}
	}
	return slices.Sorted(maps.Keys(changed)), nil
}

// applyUpsert applies an upsert's metadata to a secret.
func (m *Model) applyUpsert(s *Secret, u *SecretUpsert) {
	if u.Label != nil {
		s.Label = *u.Label
	}
	if u.Description != nil {
		s.Description = *u.Description
	}
	if u.RotatePolicy != nil {
		s.RotatePolicy = *u.RotatePolicy
		s.NextRotate = nextRotate(s.RotatePolicy, m.Now)
	}
}

// nextRotate returns when a secret with the policy next rotates, from now;
// zero for none.
func nextRotate(policy string, now time.Time) time.Time {
	switch policy {
	case "hourly":
		return now.Add(time.Hour)
	case "daily":
		return now.AddDate(0, 0, 1)
	case "weekly":
		return now.AddDate(0, 0, 7)
	case "monthly":
		return now.AddDate(0, 1, 0)
	case "quarterly":
		return now.AddDate(0, 3, 0)
	case "yearly":
		return now.AddDate(1, 0, 0)
	}
	return time.Time{}
}

// consumer returns unit's consumer record of s, made (tracking nothing)
// if it has none.
func (s *Secret) consumer(unit string) *SecretConsumer {
	if s.Consumers == nil {
		s.Consumers = map[string]*SecretConsumer{}
	}
	rec := s.Consumers[unit]
	if rec == nil {
		rec = &SecretConsumer{}
		s.Consumers[unit] = rec
	}
	return rec
}

// SecretHook is a secret hook Juju would run on a unit.
type SecretHook struct {
	Unit string `json:"unit"`
	// Hook is "secret-changed" or "secret-remove".
	Hook string `json:"hook"`
	// Secret is what the hook is about: open its context with it
	// (ContextSpec.Secret). ID is "secret:<id>"; Revision is the new
	// latest revision of secret-changed (the hook does not export it) or
	// the obsolete revision of secret-remove.
	Secret SecretEvent `json:"secret"`
}

// SecretHooks returns the secret hooks Juju would run now, derived from
// the model, by unit, then secret ID, then revision:
//
//   - secret-changed on each unit with a consumer record of a secret whose
//     new latest revision was not yet announced to it. Under Juju 3's rule
//     (SecretChangedLatest) that is a latest revision of 2 or more, told to
//     every such unit, including one that already tracks it; under Juju
//     4.0's (SecretChangedTracked) only units tracking an older revision.
//     Creating a secret notifies nobody, nor does a unit's first read. The
//     label is the owner label for units of the owning application, the
//     unit's consumer label otherwise. SecretRules.SkipManagerChanged
//     leaves out the unit that manages the secret.
//   - secret-remove on the unit that manages a secret (the owner unit, the
//     leader of the owning application) for each obsolete revision: one
//     that is not the latest and that no consumer record tracks, until the
//     unit has run the hook for it.
//
// A hook is no longer due once a context opened with its Secret closes
// successfully (see [Model.Close]), or once what made it due is gone. A
// simulator queues, after each commit ([Commit.SecretHooks]) and after any
// other change it makes (an election makes the new leader responsible for
// obsolete revisions), the due hooks it has not queued yet.
func (m *Model) SecretHooks() []SecretHook {
	var out []SecretHook
	rule := m.changedRule()
	for _, id := range slices.Sorted(maps.Keys(m.Secrets)) {
		s := m.Secrets[id]
		uri := secretURI{ID: id}.String()
		for _, unit := range slices.Sorted(maps.Keys(s.Consumers)) {
			rec := s.Consumers[unit]
			due, rev := rec.Latest >= 2 && rec.Latest != rec.Announced, rec.Latest
			if rule == SecretChangedTracked {
				due, rev = rec.Current < s.LatestRevision && rec.Announced != s.LatestRevision, s.LatestRevision
			}
			if !due || m.Units[unit] == nil || m.SecretRules.SkipManagerChanged && m.manages(s, unit) {
				continue
			}
			label := rec.Label
			if AppOf(unit) == s.OwnerApp() {
				label = s.Label
			}
			out = append(out, SecretHook{Unit: unit, Hook: "secret-changed", Secret: SecretEvent{ID: uri, Label: label, Revision: rev}})
		}
		mgr := m.manager(s)
		if mgr == "" || m.Units[mgr] == nil {
			continue
		}
		for _, r := range s.Revisions {
			if r.Revision == s.LatestRevision || slices.Contains(s.RemoveHandled[mgr], r.Revision) {
				continue
			}
			tracked := false
			for _, rec := range s.Consumers {
				tracked = tracked || rec.Current == r.Revision
			}
			if !tracked {
				out = append(out, SecretHook{Unit: mgr, Hook: "secret-remove", Secret: SecretEvent{ID: uri, Label: s.Label, Revision: r.Revision}})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b SecretHook) int { return strings.Compare(a.Unit, b.Unit) })
	return out
}

// secretHookDone records that a secret hook ran successfully on the
// context's unit, as the unit agent records it.
func (m *Model) secretHookDone(c *Context) {
	if c.Secret == nil {
		return
	}
	u, err := parseSecretURI(c.Secret.ID)
	if err != nil {
		return
	}
	s := m.Secrets[u.ID]
	if s == nil {
		return
	}
	switch c.Hook {
	case "secret-changed":
		if rec := s.Consumers[c.Unit]; rec != nil {
			rec.Announced = c.Secret.Revision
		}
	case "secret-remove":
		if !slices.Contains(s.RemoveHandled[c.Unit], c.Secret.Revision) {
			if s.RemoveHandled == nil {
				s.RemoveHandled = map[string][]int{}
			}
			s.RemoveHandled[c.Unit] = append(s.RemoveHandled[c.Unit], c.Secret.Revision)
		}
	}
}
