package fakejuju

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Context is one hook context: one run of a hook, an action or a command
// (juju exec) on a unit, with what Juju caches and queues for it.
type Context struct {
	ID   string `json:"id"`
	Unit string `json:"unit"`
	// Hook is the hook's name; "" for an action or a juju exec command.
	Hook string `json:"hook,omitempty"`

	// Relation is the relation id of a relation hook, -1 otherwise.
	Relation   int    `json:"relation"`
	RemoteUnit string `json:"remote-unit,omitempty"`
	RemoteApp  string `json:"remote-app,omitempty"`
	// Departing is JUJU_DEPARTING_UNIT of a -relation-departed hook.
	Departing string `json:"departing,omitempty"`
	// Version, when set, is the version of the counterpart's bag the
	// relation hook is about (the unit's or, in an app-level -changed, the
	// application's), as the unit agent decided it: the unit's view records
	// it when the hook commits, so a write made while the hook ran gives
	// another -changed.
	Version *int `json:"version,omitempty"`

	// Action is the running action, nil outside an action.
	Action *Action `json:"action,omitempty"`
	// Secret is the secret a secret hook is about, nil otherwise.
	Secret *SecretEvent `json:"secret,omitempty"`

	// Minion is set by the first leadership check that answered false: the
	// context then stays a minion (Juju's sticky false).
	Minion bool `json:"minion,omitempty"`
	// Led is set by every leadership check that answered true.
	Led bool `json:"led,omitempty"`

	// Snapshots: what the context read once and serves from then on. They
	// are omitted from JSON only when nil: an empty snapshot is a snapshot.
	LeaderSnapshot map[string]string            `json:"leader-snapshot,omitzero"` // nil until the first leader-get
	ConfigSnapshot map[string]any               `json:"config-snapshot,omitzero"` // nil until the first config-get
	StateSnapshot  map[string]string            `json:"state-snapshot,omitzero"`  // nil until the first state-* call
	BagCache       map[string]map[string]string `json:"bag-cache,omitempty"`      // remote bags read, by "<id>/<owner>"
	// Members is relation-list's membership, fixed when the context opened.
	Members map[int][]string `json:"members,omitempty"`

	// Pending changes, applied when the context closes after a success.
	PendingBags    map[string]map[string]string `json:"pending-bags,omitempty"`  // by "<id>/<owner>"; "" deletes
	PendingState   map[string]*string           `json:"pending-state,omitempty"` // nil deletes
	PendingPorts   []PortChange                 `json:"pending-ports,omitempty"` // open-port and close-port requests still in force, in call order
	PendingSecrets *SecretChanges               `json:"pending-secrets,omitempty"`

	// SecretMetadata lists the secrets the context's metadata holds: those
	// the unit managed when the context first needed them (see
	// docs/juju-secrets.md, "secret-info-get"); nil until then.
	SecretMetadata []string `json:"secret-metadata,omitzero"`
}

// PortChange is one open-port or close-port request: one for each endpoint
// of --endpoints.
type PortChange struct {
	Open bool   `json:"open"`
	Port string `json:"port"` // "80/tcp", "8000-8100/udp" or "icmp"
	// Endpoint is the endpoint the request is for; "" is every endpoint.
	Endpoint string `json:"endpoint,omitempty"`
}

// Action is the action a context runs.
type Action struct {
	Name    string         `json:"name"`
	ID      string         `json:"id,omitempty"`
	Params  map[string]any `json:"params,omitempty"`
	Results map[string]any `json:"results,omitempty"` // action-set, nested by dotted keys
	Failed  bool           `json:"failed,omitempty"`
	Message string         `json:"message,omitempty"` // action-fail's message
	Logs    []string       `json:"logs,omitempty"`    // action-log messages
}

// SecretEvent is what a secret hook (secret-changed, secret-rotate,
// secret-expired, secret-remove) is about.
type SecretEvent struct {
	ID       string `json:"id"`
	Label    string `json:"label,omitempty"`
	Revision int    `json:"revision,omitempty"`
}

// ContextSpec describes a hook context to open with [Model.Open].
type ContextSpec struct {
	// ID is JUJU_CONTEXT_ID; empty means "<unit>-<hook>-<32 random hex>".
	ID   string
	Unit string
	// Hook is the hook's name; empty for an action or a juju exec command.
	Hook string
	// Relation is the relation of a relation hook, as "<endpoint>:<id>" or
	// "<id>"; empty otherwise.
	Relation string
	// RemoteUnit and RemoteApp are the hook's remote unit and application.
	// For a relation hook an empty RemoteApp means the relation's
	// counterpart application.
	RemoteUnit, RemoteApp string
	// Departing is the departing unit of a -relation-departed hook.
	Departing string
	// Version is the counterpart bag version a relation hook is about;
	// nil means the version when the hook commits.
	Version *int
	Action  *Action
	Secret  *SecretEvent
}

// restrictedHooks run in Juju's restricted context, where most tools fail.
var restrictedHooks = map[string]bool{"collect-metrics": true, "meter-status-changed": true}

// Restricted reports whether the context runs a restricted hook.
func (c *Context) Restricted() bool { return restrictedHooks[c.Hook] }

// Open opens a hook context on a unit and returns it. The relation
// membership relation-list reports is fixed now: the unit's view of each
// relation, plus the remote unit of a -joined or -changed hook, minus it
// in -departed.
func (m *Model) Open(spec ContextSpec) (*Context, error) {
	u, err := m.Unit(spec.Unit)
	if err != nil {
		return nil, err
	}
	c := &Context{ID: spec.ID, Unit: u.Name, Hook: spec.Hook, Relation: -1,
		RemoteUnit: spec.RemoteUnit, RemoteApp: spec.RemoteApp, Departing: spec.Departing, Version: spec.Version}
	if c.ID == "" {
		c.ID = NewContextID(u.Name, spec.Hook)
	}
	if m.Contexts[c.ID] != nil {
		return nil, fmt.Errorf("fakejuju: context %q already open", c.ID)
	}
	if spec.Action != nil {
		a := *spec.Action
		c.Action = &a
	}
	if spec.Secret != nil {
		s := *spec.Secret
		c.Secret = &s
	}
	if spec.Relation != "" {
		r, ok := m.RelationByKey(spec.Relation)
		if !ok {
			return nil, fmt.Errorf("fakejuju: opening a context on %s: no relation %q", u.Name, spec.Relation)
		}
		if _, in := r.Local(u.App()); !in {
			return nil, fmt.Errorf("fakejuju: opening a context on %s: %q is not in relation %q", u.Name, u.App(), spec.Relation)
		}
		c.Relation = r.ID
		if c.RemoteApp == "" {
			c.RemoteApp = r.Remote(u.App())
		}
	}
	c.Members = map[int][]string{}
	for id, v := range u.Relations {
		members := slices.Sorted(maps.Keys(v.Members))
		if id == c.Relation && c.RemoteUnit != "" {
			switch {
			case strings.HasSuffix(c.Hook, "-relation-departed"):
				members = slices.DeleteFunc(members, func(s string) bool { return s == c.RemoteUnit })
			case strings.HasSuffix(c.Hook, "-relation-joined"), strings.HasSuffix(c.Hook, "-relation-changed"):
				if !slices.Contains(members, c.RemoteUnit) {
					members = append(members, c.RemoteUnit)
					slices.Sort(members)
				}
			}
		}
		c.Members[id] = members
	}
	m.Contexts[c.ID] = c
	return c, nil
}

// NewContextID returns a fresh context id as Juju makes them:
// "<unit>-<hook>-<32 random hex digits>".
func NewContextID(unit, hook string) string {
	b := make([]byte, 16)
	rand.Read(b)
	return fmt.Sprintf("%s-%s-%s", unit, hook, hex.EncodeToString(b))
}

// Context returns the open context with the given id.
func (m *Model) Context(id string) (*Context, bool) {
	c := m.Contexts[id]
	return c, c != nil
}

// Commit is what closing a successful context changed in the model, for the
// simulator to queue the hooks Juju would.
type Commit struct {
	// Bags lists the relation bags whose data changed, as "<id>/<owner>".
	Bags []BagRef
	// Secrets lists the IDs of the secrets the commit created, gave a new
	// revision or removed (whole or some revisions), sorted.
	Secrets []string
	// SecretHooks are the secret hooks due once the context closed, as
	// [Model.SecretHooks] then reports them: e.g. secret-changed on the units
	// that read a secret the commit gave a new revision, secret-remove on
	// the manager of a revision a reader's --refresh made obsolete. A hook
	// stays due until a context opened for it closes successfully, so a
	// simulator queues those it has not queued yet.
	SecretHooks []SecretHook
	// Action is the action the context ran, with its results, logs and
	// failure, reported whether or not the process succeeded (Juju sends
	// them when the action finishes); nil outside an action.
	Action *Action
}

// BagRef names one relation data bag.
type BagRef struct {
	Relation int
	Owner    string // a unit or an application name
}

// Close ends a context. When ok (the process exited 0) the context's queued
// changes are committed as Juju's controller commits them: first the secret
// changes, step by step (creations, updates, tracked revisions, grants,
// revocations, removals), then relation data, state and ports together; the
// unit's view of a relation hook's relation moves on, and a secret hook
// counts as run. Otherwise they are dropped. Either way an action's results
// come back in the Commit. The context is gone afterwards: a tool call
// naming it fails.
//
// When the controller refuses a secret step (a unit that does not manage
// the secret, e.g. a non-leader's secret-set of an application-owned
// secret; a label already in use; an unknown secret), the hook fails at
// commit: Close returns a *[CommitError] (matching [ErrCommitFailed]) with
// the controller's message. The model then holds what Juju would have:
// the context is closed and the secret steps before the failing one are
// applied, but nothing else; the returned Commit reports them. The caller
// keeps the model (returns nil from [Store.Update]) and reports the hook as
// failed, with the error as its message. Any other error is a misuse (an
// unknown context) and changes nothing.
func (m *Model) Close(id string, ok bool) (Commit, error) {
	c, found := m.Contexts[id]
	if !found {
		return Commit{}, fmt.Errorf("fakejuju: closing context %q: not open", id)
	}
	u, err := m.Unit(c.Unit)
	if err != nil && ok {
		return Commit{}, err
	}
	delete(m.Contexts, id)
	out := Commit{Action: c.Action}
	if !ok {
		return out, nil
	}
	secrets, commitErr := m.commitSecrets(c)
	out.Secrets = secrets
	if commitErr == nil {
		for _, key := range slices.Sorted(maps.Keys(c.PendingBags)) {
			ref, err := parseBagKey(key)
			if err != nil {
				return Commit{}, err
			}
			r := m.Relations[ref.Relation]
			if r == nil {
				continue // removed while the hook ran
			}
			if r.Apply(ref.Owner, c.PendingBags[key]) {
				out.Bags = append(out.Bags, ref)
			}
		}
		if len(c.PendingState) > 0 {
			if u.State == nil {
				u.State = map[string]string{}
			}
			for k, v := range c.PendingState {
				if v == nil {
					delete(u.State, k)
				} else {
					u.State[k] = *v
				}
			}
		}
		if len(c.PendingPorts) > 0 {
			g := u.PortGroups()
			applyPortChanges(g, c.PendingPorts)
			u.setPortGroups(g)
		}
		m.advanceView(u, c)
		m.secretHookDone(c)
	}
	out.SecretHooks = m.SecretHooks()
	if commitErr != nil {
		return out, commitErr
	}
	return out, nil
}

// advanceView moves the unit's view of a relation hook's relation on, as the
// unit agent does when the hook commits.
func (m *Model) advanceView(u *Unit, c *Context) {
	if c.Relation < 0 {
		return
	}
	r := m.Relations[c.Relation]
	v := u.Relations[c.Relation]
	if v == nil {
		return
	}
	_, event, _ := strings.Cut(c.Hook, "-relation-")
	switch event {
	case "created":
		v.Created = true
	case "joined":
		if v.Members == nil {
			v.Members = map[string]int{}
		}
		if r != nil {
			v.Members[c.RemoteUnit] = c.version(r, c.RemoteUnit)
		}
		v.ChangedPending = c.RemoteUnit
	case "changed":
		if r == nil {
			return
		}
		if c.RemoteUnit == "" {
			if v.AppMembers == nil {
				v.AppMembers = map[string]int{}
			}
			v.AppMembers[c.RemoteApp] = c.version(r, c.RemoteApp)
			return
		}
		if v.Members == nil {
			v.Members = map[string]int{}
		}
		v.Members[c.RemoteUnit] = c.version(r, c.RemoteUnit)
		if v.ChangedPending == c.RemoteUnit {
			v.ChangedPending = ""
		}
	case "departed":
		delete(v.Members, c.RemoteUnit)
	case "broken":
		if r != nil {
			m.LeaveScope(u.Name, r)
		} else {
			delete(u.Relations, c.Relation)
		}
	}
}

// version is the counterpart bag version the hook is about.
func (c *Context) version(r *Relation, owner string) int {
	if c.Version != nil {
		return *c.Version
	}
	return r.Version(owner)
}

func bagKey(rel int, owner string) string { return fmt.Sprintf("%d/%s", rel, owner) }

func parseBagKey(key string) (BagRef, error) {
	id, owner, ok := strings.Cut(key, "/")
	var n int
	if _, err := fmt.Sscanf(id, "%d", &n); !ok || err != nil {
		return BagRef{}, fmt.Errorf("fakejuju: bad bag key %q", key)
	}
	return BagRef{Relation: n, Owner: owner}, nil
}
