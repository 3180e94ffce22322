package fakejuju

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Guarantee is how long a leadership check that answered true guarantees
// leadership, as in Juju: the unit agent holds a 60-second lease and renews
// it after 30 seconds.
const Guarantee = 30 * time.Second

// Model is a simulated Juju model: everything the controller and the unit
// agents hold that hook tools can see or change. It is plain data, encoded as
// JSON by the file store; the fake's semantics are its methods and [Run].
//
// A Model is used by one goroutine at a time: a [Store] hands it out under a
// lock.
type Model struct {
	Name        string    `json:"name"`
	UUID        string    `json:"uuid"`
	JujuVersion string    `json:"juju-version"`
	Now         time.Time `json:"now"` // the simulated clock

	Apps      map[string]*App     `json:"apps"`
	Units     map[string]*Unit    `json:"units"`
	Relations map[int]*Relation   `json:"relations"`
	Secrets   map[string]*Secret  `json:"secrets,omitempty"` // by ID
	Contexts  map[string]*Context `json:"contexts"`          // open hook contexts

	// NextRelationID numbers new relations.
	NextRelationID int `json:"next-relation-id"`
	// NextSecretID, when not empty, is the ID the next secret-add gives
	// (once); otherwise IDs are random, as Juju makes them.
	NextSecretID string `json:"next-secret-id,omitempty"`
	// SecretRules settle what Juju's behaviour leaves open about secrets.
	SecretRules SecretRules `json:"secret-rules,omitzero"`

	journal []Entry // entries recorded since the store handed the model out
}

// App is one application of the model.
type App struct {
	Name string `json:"name"`
	// Endpoints are the relation endpoints of the charm's metadata, by name.
	Endpoints map[string]Endpoint `json:"endpoints,omitempty"`
	// Config holds the charm's options with their current values.
	Config map[string]ConfigOption `json:"config,omitempty"`

	// Leader is the unit that holds, or last held, leadership. Only while
	// LeaderValid is true do its leadership checks answer true.
	Leader      string `json:"leader,omitempty"`
	LeaderValid bool   `json:"leader-valid,omitempty"`
	// LeaderEpoch counts elections.
	LeaderEpoch int `json:"leader-epoch,omitempty"`
	// LeaseExpires is the end of the last guarantee a true answer gave. A
	// new leader may answer true only after it (see [Model.Elect]).
	LeaseExpires time.Time `json:"lease-expires,omitzero"`

	// LeaderSettings is the leader-settings bucket; SettingsVersion counts
	// the leader-set calls that changed it.
	LeaderSettings  map[string]string `json:"leader-settings,omitempty"`
	SettingsVersion int               `json:"settings-version,omitempty"`

	Status Status `json:"status,omitzero"`
	// StatusSince is when Status was last set (goal-state's "since").
	StatusSince time.Time `json:"status-since,omitzero"`
}

// Endpoint is a relation endpoint declared in a charm's metadata.
type Endpoint struct {
	Role      string `json:"role"` // "provides", "requires" or "peers"
	Interface string `json:"interface"`
}

// ConfigOption is one option of a charm's config.yaml with its value.
type ConfigOption struct {
	Type  string `json:"type"` // "string", "int", "float", "boolean" or "secret"
	Value any    `json:"value"`
}

// value returns the option's value as config-get reports it: string, bool,
// int64, float64 or nil. The file store's JSON round trip turns numbers into
// float64; the option's type turns them back.
func (o ConfigOption) value() any {
	switch v := o.Value.(type) {
	case float64:
		if o.Type == "int" {
			return int64(v)
		}
		return v
	case json.Number:
		if o.Type == "int" {
			n, _ := v.Int64()
			return n
		}
		f, _ := v.Float64()
		return f
	case int:
		if o.Type == "float" {
			return float64(v)
		}
		return int64(v)
	case int64:
		if o.Type == "float" {
			return float64(v)
		}
		return v
	}
	return o.Value
}

// Unit is one unit of the model, as the controller and its unit agent see it.
type Unit struct {
	Name   string `json:"name"`
	Status Status `json:"status,omitzero"`
	// StatusSince is when Status was last set (goal-state's "since").
	StatusSince time.Time `json:"status-since,omitzero"`
	Version     string    `json:"version,omitempty"` // application-version-set
	// Address is the unit's private address (unit-get, network-get).
	Address string `json:"address,omitempty"`
	// State is the unit's server-side state (state-get, state-set).
	State map[string]string `json:"state,omitempty"`
	// Ports are the ports the unit has opened for every endpoint, as
	// "80/tcp", "8000-8100/udp" or "icmp".
	Ports []string `json:"ports,omitempty"`
	// EndpointPorts are the ports the unit has opened for some endpoints
	// only (open-port --endpoints), by endpoint.
	EndpointPorts map[string][]string `json:"endpoint-ports,omitempty"`
	// Faults make tools fail for this unit, by tool name.
	Faults map[string]Fault `json:"faults,omitempty"`
	// TruesLeft, when not nil, makes the unit lose leadership once it has
	// answered true to that many more leadership checks (0: at the next).
	TruesLeft *int `json:"trues-left,omitempty"`
	// Relations is the unit agent's own view of the relations whose scope
	// it has entered, by relation id.
	Relations map[int]*RelationView `json:"relations,omitempty"`
	// Dying is true once the unit is being removed.
	Dying bool `json:"dying,omitempty"`
}

// App returns the application part of the unit's name.
func (u *Unit) App() string { return AppOf(u.Name) }

// AppOf returns the application part of a unit name ("app" for "app/0").
func AppOf(unit string) string {
	app, _, _ := strings.Cut(unit, "/")
	return app
}

// Relation is one relation of the model.
type Relation struct {
	ID int `json:"id"`
	// Endpoints are the two ends of the relation; a peer relation has one.
	Endpoints []RelationEndpoint `json:"endpoints"`
	// Scope lists the units in the relation's scope, sorted.
	Scope []string `json:"scope"`
	// Departing lists units in scope that are leaving: counterparts see
	// them departed already.
	Departing []string `json:"departing,omitempty"`
	// Dying is true once the relation is being removed.
	Dying bool `json:"dying,omitempty"`
	// Status is the relation's status as goal-state reports it, "joined"
	// ("" means the same), since Since, when the relation was added.
	Status string    `json:"status,omitempty"`
	Since  time.Time `json:"since,omitzero"`
	// Bags are the data bags, by owner: a unit name or an application name.
	Bags map[string]*Bag `json:"bags,omitempty"`
}

// RelationEndpoint is one end of a relation: an application's endpoint.
type RelationEndpoint struct {
	App      string `json:"app"`
	Endpoint string `json:"endpoint"`
}

// Bag is one relation data bag. Version moves only when a write changes a key.
type Bag struct {
	Data    map[string]string `json:"data,omitempty"`
	Version int               `json:"version,omitempty"`
}

// RelationView is a unit agent's local state of one relation: what its
// committed hooks have shown it. relation-list is derived from it.
type RelationView struct {
	// Created is true once -relation-created has run.
	Created bool `json:"created,omitempty"`
	// Members maps each remote unit whose -joined ran to the version of
	// its bag the last hook for it saw.
	Members map[string]int `json:"members,omitempty"`
	// AppMembers maps the counterpart application to the version of its
	// bag the last app-level -changed saw.
	AppMembers map[string]int `json:"app-members,omitempty"`
	// ChangedPending is a unit whose -changed must run next (after its
	// -joined).
	ChangedPending string `json:"changed-pending,omitempty"`
}

// Peer reports whether the relation is a peer relation.
func (r *Relation) Peer() bool { return len(r.Endpoints) == 1 }

// Local returns the end of the relation that belongs to app, and whether
// app is in the relation.
func (r *Relation) Local(app string) (RelationEndpoint, bool) {
	for _, e := range r.Endpoints {
		if e.App == app {
			return e, true
		}
	}
	return RelationEndpoint{}, false
}

// Remote returns the application at the other end from app (app itself for
// a peer relation).
func (r *Relation) Remote(app string) string {
	for _, e := range r.Endpoints {
		if e.App != app {
			return e.App
		}
	}
	return app
}

// Key returns the relation id as app's units see it, "<endpoint>:<id>".
func (r *Relation) Key(app string) string {
	e, _ := r.Local(app)
	return fmt.Sprintf("%s:%d", e.Endpoint, r.ID)
}

// Bag returns the committed data of owner's bag (nil when never written).
func (r *Relation) Bag(owner string) map[string]string {
	if b := r.Bags[owner]; b != nil {
		return b.Data
	}
	return nil
}

// Version returns the version of owner's bag (0 when never written).
func (r *Relation) Version(owner string) int {
	if b := r.Bags[owner]; b != nil {
		return b.Version
	}
	return 0
}

// Apply applies changes ("" deletes) to owner's bag and reports whether
// anything changed; the bag's version moves only then.
func (r *Relation) Apply(owner string, changes map[string]string) bool {
	b := r.Bags[owner]
	if b == nil {
		b = &Bag{}
	}
	next := maps.Clone(b.Data)
	if next == nil {
		next = map[string]string{}
	}
	applyChanges(next, changes)
	if maps.Equal(next, b.Data) || len(next) == 0 && len(b.Data) == 0 {
		return false
	}
	b.Data = next
	b.Version++
	if r.Bags == nil {
		r.Bags = map[string]*Bag{}
	}
	r.Bags[owner] = b
	return true
}

// applyChanges sets every key of changes in m, deleting those set to "".
func applyChanges(m, changes map[string]string) {
	for k, v := range changes {
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
}

// inScope reports whether unit is in the relation's scope.
func (r *Relation) inScope(unit string) bool { return slices.Contains(r.Scope, unit) }

// New returns an empty model: no application, no unit, the clock at now.
func New(name, uuid, jujuVersion string, now time.Time) *Model {
	return &Model{
		Name: name, UUID: uuid, JujuVersion: jujuVersion, Now: now.UTC(),
		Apps: map[string]*App{}, Units: map[string]*Unit{}, Relations: map[int]*Relation{},
		Contexts: map[string]*Context{},
	}
}

// record appends an entry to the model's journal.
func (m *Model) record(e Entry) { m.journal = append(m.journal, e) }

// takeJournal returns the entries recorded since the last call and forgets them.
func (m *Model) takeJournal() []Entry {
	j := m.journal
	m.journal = nil
	return j
}

// App returns the named application, or an error naming it.
func (m *Model) App(name string) (*App, error) {
	if a := m.Apps[name]; a != nil {
		return a, nil
	}
	return nil, fmt.Errorf("fakejuju: no application %q", name)
}

// Unit returns the named unit, or an error naming it.
func (m *Model) Unit(name string) (*Unit, error) {
	if u := m.Units[name]; u != nil {
		return u, nil
	}
	return nil, fmt.Errorf("fakejuju: no unit %q", name)
}

// AddApp adds an application (with its charm's endpoints and config
// options) and returns it. Adding an application that exists is an error.
func (m *Model) AddApp(name string, endpoints map[string]Endpoint, config map[string]ConfigOption) (*App, error) {
	if !appNameRE.MatchString(name) {
		return nil, fmt.Errorf("fakejuju: invalid application name %q", name)
	}
	if m.Apps[name] != nil {
		return nil, fmt.Errorf("fakejuju: application %q already exists", name)
	}
	a := &App{Name: name, Endpoints: maps.Clone(endpoints), Config: maps.Clone(config)}
	m.Apps[name] = a
	return a, nil
}

// AddUnit adds a unit to its application, with its private address (empty
// for none: unit-get and network-get then have nothing to report).
func (m *Model) AddUnit(name, address string) (*Unit, error) {
	if !unitNameRE.MatchString(name) {
		return nil, fmt.Errorf("fakejuju: invalid unit name %q", name)
	}
	if m.Apps[AppOf(name)] == nil {
		return nil, fmt.Errorf("fakejuju: adding unit %q: no application %q", name, AppOf(name))
	}
	if m.Units[name] != nil {
		return nil, fmt.Errorf("fakejuju: unit %q already exists", name)
	}
	u := &Unit{Name: name, Address: address}
	m.Units[name] = u
	return u, nil
}

// AppUnits returns the names of app's units, sorted.
func (m *Model) AppUnits(app string) []string {
	var out []string
	for name := range m.Units {
		if AppOf(name) == app {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// AddRelation adds a relation between the given endpoints (one for a peer
// relation, two otherwise) and returns it. With id < 0 the relation gets
// the next free id.
func (m *Model) AddRelation(id int, ends ...RelationEndpoint) (*Relation, error) {
	if len(ends) != 1 && len(ends) != 2 {
		return nil, fmt.Errorf("fakejuju: a relation has one or two endpoints, not %d", len(ends))
	}
	if len(ends) == 2 && ends[0].App == ends[1].App {
		return nil, fmt.Errorf("fakejuju: relating %q to itself: use one peer endpoint", ends[0].App)
	}
	for _, e := range ends {
		if m.Apps[e.App] == nil {
			return nil, fmt.Errorf("fakejuju: relating: no application %q", e.App)
		}
		if !endpointRE.MatchString(e.Endpoint) {
			return nil, fmt.Errorf("fakejuju: relating: invalid endpoint name %q", e.Endpoint)
		}
	}
	if id < 0 {
		id = m.NextRelationID
	}
	if m.Relations[id] != nil {
		return nil, fmt.Errorf("fakejuju: relation id %d already used", id)
	}
	if id >= m.NextRelationID {
		m.NextRelationID = id + 1
	}
	r := &Relation{ID: id, Endpoints: slices.Clone(ends), Scope: []string{}, Status: "joined", Since: m.Now}
	m.Relations[id] = r
	return r, nil
}

// RelationByKey finds a relation from an id as hook tools accept it: "N"
// or "anything:N".
func (m *Model) RelationByKey(key string) (*Relation, bool) {
	num := key
	if i := strings.LastIndex(key, ":"); i >= 0 {
		num = key[i+1:]
	}
	var id int
	if _, err := fmt.Sscanf(num, "%d", &id); err != nil || fmt.Sprint(id) != num {
		return nil, false
	}
	r := m.Relations[id]
	return r, r != nil
}

// EnterScope puts unit in the relation's scope and gives it a view of the
// relation, as its agent does just before -relation-created: its bag gets
// private-address and ingress-address when the unit has an address.
func (m *Model) EnterScope(unit string, r *Relation) error {
	u, err := m.Unit(unit)
	if err != nil {
		return err
	}
	if _, ok := r.Local(u.App()); !ok {
		return fmt.Errorf("fakejuju: %s entering relation %d: %q is not in it", unit, r.ID, u.App())
	}
	if !r.inScope(unit) {
		r.Scope = append(r.Scope, unit)
		slices.Sort(r.Scope)
	}
	if u.Relations == nil {
		u.Relations = map[int]*RelationView{}
	}
	if u.Relations[r.ID] == nil {
		u.Relations[r.ID] = &RelationView{}
	}
	if u.Address != "" {
		r.Apply(unit, map[string]string{"private-address": u.Address, "ingress-address": u.Address})
	}
	return nil
}

// LeaveScope takes unit out of the relation's scope and forgets its view.
// Its bag stays readable for the relation's life. A dying relation whose
// scope is now empty is gone.
func (m *Model) LeaveScope(unit string, r *Relation) {
	r.Scope = slices.DeleteFunc(r.Scope, func(s string) bool { return s == unit })
	r.Departing = slices.DeleteFunc(r.Departing, func(s string) bool { return s == unit })
	if u := m.Units[unit]; u != nil {
		delete(u.Relations, r.ID)
	}
	if r.Dying && len(r.Scope) == 0 {
		m.relationGone(r.ID)
	}
}

// Depart marks unit as leaving every relation it is in scope of, as the
// controller does as soon as a unit is dying: counterparts see it departed
// at once, while it stays in scope to run its own -departed and -broken
// hooks.
func (m *Model) Depart(unit string) {
	for _, r := range m.Relations {
		if r.inScope(unit) && !slices.Contains(r.Departing, unit) {
			r.Departing = append(r.Departing, unit)
			slices.Sort(r.Departing)
		}
	}
}

// RemoveRelation marks a relation dying, as juju remove-relation does:
// every unit in scope departs its members and runs -relation-broken; the
// relation is gone once the last unit has left its scope.
func (m *Model) RemoveRelation(id int) error {
	r := m.Relations[id]
	if r == nil {
		return fmt.Errorf("fakejuju: no relation %d", id)
	}
	r.Dying = true
	if len(r.Scope) == 0 {
		m.relationGone(id)
	}
	return nil
}

// relationGone forgets relation id, which is gone, and, as Juju's
// controller does when it removes a relation, the secret grants made in
// it (secret-grant -r): the remote application's units can no longer read
// those secrets. Their consumer records stay.
func (m *Model) relationGone(id int) {
	delete(m.Relations, id)
	for _, s := range m.Secrets {
		maps.DeleteFunc(s.Grants, func(_ string, g SecretGrant) bool { return g.Relation == id })
	}
}

// Clone returns a deep copy of the model (without its pending journal).
func (m *Model) Clone() *Model {
	b, err := json.Marshal(m)
	if err != nil {
		panic("fakejuju: encoding model: " + err.Error())
	}
	c, err := decodeModel(b)
	if err != nil {
		panic("fakejuju: decoding model: " + err.Error())
	}
	return c
}

// decodeModel decodes a model encoded as JSON, with empty maps allocated.
func decodeModel(b []byte) (*Model, error) {
	m := &Model{}
	if err := json.Unmarshal(b, m); err != nil {
		return nil, err
	}
	if m.Apps == nil {
		m.Apps = map[string]*App{}
	}
	if m.Units == nil {
		m.Units = map[string]*Unit{}
	}
	if m.Relations == nil {
		m.Relations = map[int]*Relation{}
	}
	if m.Contexts == nil {
		m.Contexts = map[string]*Context{}
	}
	return m, nil
}
