package hookenvtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// State is the model a script's outputs follow from: the `-- state --`
// section, one JSON object. Every key is optional; the zero State is a unit
// app/0, not the leader, in a config-changed hook, with nothing set. See
// testdata/README.md for the schema with examples.
//
// Units exist when the state names them: the running unit, the units of
// status.units, and the units of each relation's units and unit-data.
// Applications exist when they own one of those units, are a relation's
// remote application, or own an app-data bag.
type State struct {
	// Unit is the unit running the hook; "" means "app/0" (see UnitName).
	Unit string `json:"unit,omitempty"`
	// Leader reports whether the unit holds its application's leadership.
	// Otherwise no unit does.
	Leader bool `json:"leader,omitempty"`
	// LeaderSettings is the application's leader-settings bucket.
	LeaderSettings map[string]string `json:"leader-settings,omitempty"`
	// Config holds the charm's options with their values: a JSON number
	// (json.Number: one with a fraction or an exponent is a float option,
	// otherwise an int option), a bool (boolean), a string, or null (a
	// string option with no value and no default). ConfigTypes overrides
	// the type so inferred (see ConfigType).
	Config map[string]any `json:"config,omitempty"`
	// ConfigTypes gives an option's type explicitly: "string", "int",
	// "float" or "boolean".
	ConfigTypes map[string]string `json:"config-types,omitempty"`
	// Status holds workload statuses.
	Status Statuses `json:"status,omitzero"`
	// Relations are the relations the unit has joined, by "<endpoint>:<id>"
	// (the id as the running unit sees it).
	Relations map[string]Relation `json:"relations,omitempty"`
	// Hook is the hook the calls run in; see HookName for the default.
	Hook string `json:"hook,omitempty"`
	// Relation is the relation of a relation hook, a key of Relations.
	Relation string `json:"relation,omitempty"`
	// RemoteUnit and RemoteApp are the remote unit and application of a
	// relation hook; RemoteApp defaults to the relation's remote
	// application.
	RemoteUnit string `json:"remote-unit,omitempty"`
	RemoteApp  string `json:"remote-app,omitempty"`
	// Action is the action the calls run in; nil in a hook.
	Action *Action `json:"action,omitempty"`
	// State is the unit's server-side state (state-get).
	State map[string]string `json:"state,omitempty"`
	// Ports are the ports the unit has opened (for every endpoint), as
	// "80/tcp", "8000-8100/udp" or "icmp".
	Ports []string `json:"ports,omitempty"`
	// Address is the running unit's address, private and public (unit-get,
	// network-get); other units have none.
	Address string `json:"address,omitempty"`
	// Faults are failures injected on the controller's side.
	Faults Faults `json:"faults,omitzero"`
	// Env holds environment variables that differ from a hook's, "" meaning
	// unset: {"JUJU_CONTEXT_ID": ""} runs the calls outside any hook (see
	// OutsideHook).
	Env map[string]string `json:"env,omitempty"`
	// ModelUUID is the model's UUID; "" means DefaultModelUUID.
	ModelUUID string `json:"model-uuid,omitempty"`
	// JujuVersion is the version of the Juju the outputs come from; ""
	// means DefaultJujuVersion.
	JujuVersion string `json:"juju-version,omitempty"`
	// NextSecretID is the ID (20 characters, without "secret:") secret-add
	// gives the next secret it creates.
	NextSecretID string `json:"next-secret-id,omitempty"`
	// Secrets are the committed secrets the outputs depend on, by ID
	// without "secret:".
	Secrets map[string]Secret `json:"secrets,omitempty"`

	tools []string // the tools the script calls, sorted
}

// Statuses are workload statuses.
type Statuses struct {
	// Unit is the running unit's status (the same as Units[UnitName()]).
	Unit *Status `json:"unit,omitempty"`
	// App is the application's status.
	App *Status `json:"app,omitempty"`
	// Units are the statuses of any units, by name.
	Units map[string]Status `json:"units,omitempty"`
}

// Status is one workload status.
type Status struct {
	// Status is "maintenance", "blocked", "waiting" or "active".
	Status string `json:"status"`
	// Message is the status message.
	Message string `json:"message,omitempty"`
	// Since is when the status was set (goal-state prints it); zero when
	// not given.
	Since time.Time `json:"since,omitzero"`
}

// Relation is one relation the running unit has joined.
type Relation struct {
	// RemoteApp is the application at the other end; the running unit's own
	// application makes a peer relation. When empty it is the application
	// of the first unit of Units or UnitData, or app-data owner, that is not
	// the running unit's; failing that, the relation is a peer relation.
	RemoteApp string `json:"remote-app,omitempty"`
	// Units are the remote units the running unit has seen join (the
	// members relation-list prints), with their data bags.
	Units map[string]map[string]string `json:"units,omitempty"`
	// UnitData are units' data bags, whether or not they are members.
	UnitData map[string]map[string]string `json:"unit-data,omitempty"`
	// AppData are applications' data bags, by application.
	AppData map[string]map[string]string `json:"app-data,omitempty"`
	// Status is the relation's status as goal-state prints it; "" means
	// "joined".
	Status string `json:"status,omitempty"`
	// Since is when the relation got its status; zero when not given.
	Since time.Time `json:"since,omitzero"`
}

// Action is an action a script runs in.
type Action struct {
	Name string `json:"name"`
	// Params are the action's parameters; numbers are json.Number.
	Params map[string]any `json:"params,omitempty"`
}

// Faults are failures injected on the controller's side. In JSON they are
// one object: tool → cause, and "lose-lease-after-calls": n.
type Faults struct {
	// Tools maps a tool to the cause of its failure: the tool prints
	// "ERROR <its prefix><cause>" and exits 1 (is-leader's prefix is
	// "leadership status unknown: ", leader-get's "cannot read leadership
	// settings: ", leader-set's "cannot write leadership settings: cannot
	// write settings: failed to merge leadership settings: "; other tools
	// have none).
	Tools map[string]string
	// LoseLeaseAfterCalls, when not nil, makes the leader lose its lease
	// after that many leadership checks answered true: the next answers
	// false.
	LoseLeaseAfterCalls *int
}

const loseLeaseKey = "lose-lease-after-calls"

// UnmarshalJSON implements json.Unmarshaler.
func (f *Faults) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*f = Faults{}
	for k, v := range raw {
		if k == loseLeaseKey {
			var n int
			if err := json.Unmarshal(v, &n); err != nil || n < 0 {
				return fmt.Errorf("faults: %s: want a count, got %s", k, v)
			}
			f.LoseLeaseAfterCalls = &n
			continue
		}
		var cause string
		if err := json.Unmarshal(v, &cause); err != nil {
			return fmt.Errorf("faults: %s: want a cause (a string), got %s", k, v)
		}
		if f.Tools == nil {
			f.Tools = map[string]string{}
		}
		f.Tools[k] = cause
	}
	return nil
}

// MarshalJSON implements json.Marshaler.
func (f Faults) MarshalJSON() ([]byte, error) {
	m := map[string]any{}
	for k, v := range f.Tools {
		m[k] = v
	}
	if f.LoseLeaseAfterCalls != nil {
		m[loseLeaseKey] = *f.LoseLeaseAfterCalls
	}
	return json.Marshal(m)
}

// IsZero reports whether no fault is injected.
func (f Faults) IsZero() bool { return len(f.Tools) == 0 && f.LoseLeaseAfterCalls == nil }

// Secret is a committed secret of the model.
type Secret struct {
	// Owner owns the secret: an application (e.g. the running unit's) or a
	// unit (e.g. the running unit).
	Owner string `json:"owner"`
	// Label is the label the running unit knows the secret by: the owner
	// label when the running unit's application or the unit itself owns
	// it, else the running unit's consumer label (which needs Tracked).
	Label       string `json:"label,omitempty"`
	Description string `json:"description,omitempty"`
	// Revisions are the contents of the secret's revisions 1, 2, ...,
	// oldest first.
	Revisions []map[string]string `json:"revisions"`
	// Tracked is the revision the running unit tracks (its consumer
	// record, which knows of the latest revision); 0 when the unit never
	// read the secret.
	Tracked int `json:"tracked,omitempty"`
	// Granted gives the running unit's application view access to a
	// secret owned by another application or unit.
	Granted bool `json:"granted,omitempty"`
}

// The model a state describes unless it says otherwise.
const (
	DefaultModelUUID   = "6f6c6467-6e65-4a75-8a75-000000000000"
	DefaultJujuVersion = "3.6.4"
)

// Model returns the model's UUID: ModelUUID or DefaultModelUUID.
func (s State) Model() string {
	if s.ModelUUID == "" {
		return DefaultModelUUID
	}
	return s.ModelUUID
}

// Version returns the Juju version: JujuVersion or DefaultJujuVersion.
func (s State) Version() string {
	if s.JujuVersion == "" {
		return DefaultJujuVersion
	}
	return s.JujuVersion
}

// UnitName returns the unit running the hook: Unit, or "app/0".
func (s State) UnitName() string {
	if s.Unit == "" {
		return "app/0"
	}
	return s.Unit
}

// AppName returns the running unit's application.
func (s State) AppName() string { return appOf(s.UnitName()) }

// HookName returns the hook the calls run in: Hook; else "" in an action,
// "<endpoint>-relation-changed" with a Relation, "config-changed" otherwise.
func (s State) HookName() string {
	switch {
	case s.Hook != "":
		return s.Hook
	case s.Action != nil:
		return ""
	case s.Relation != "":
		ep, _, _ := SplitRelationKey(s.Relation)
		return ep + "-relation-changed"
	}
	return "config-changed"
}

// OutsideHook reports whether the calls run outside any hook (Env unsets
// JUJU_CONTEXT_ID): Juju's tool client then refuses every call before it
// reaches the unit agent, which only a fake run as a process with the
// hook's environment can show.
func (s State) OutsideHook() bool {
	v, set := s.Env["JUJU_CONTEXT_ID"]
	return set && v == ""
}

// Tools returns the tools the script's calls run, sorted, so that a runner
// factory can tell whether it serves them all.
func (s State) Tools() []string { return slices.Clone(s.tools) }

// ConfigType returns the type of a config option: ConfigTypes' entry, else
// the type its value implies ("int" for a number without fraction or
// exponent, "float" for another number, "boolean", "string" for a string or
// null), else "".
func (s State) ConfigType(option string) string {
	if t := s.ConfigTypes[option]; t != "" {
		return t
	}
	v, ok := s.Config[option]
	if !ok {
		return ""
	}
	switch v := v.(type) {
	case json.Number:
		if strings.ContainsAny(v.String(), ".eE") {
			return "float"
		}
		return "int"
	case bool:
		return "boolean"
	}
	return "string"
}

// ConfigValue returns a config option's value as config-get decodes it:
// int64, float64, bool, string, or nil for no value.
func (s State) ConfigValue(option string) any {
	v := s.Config[option]
	n, isNumber := v.(json.Number)
	if !isNumber {
		return v
	}
	if s.ConfigType(option) == "float" {
		f, _ := n.Float64()
		return f
	}
	i, _ := n.Int64()
	return i
}

// UnitStatus returns a unit's status: Status.Unit for the running unit,
// else its Status.Units entry; ok is false when the state sets none.
func (s State) UnitStatus(unit string) (st Status, ok bool) {
	if unit == s.UnitName() && s.Status.Unit != nil {
		return *s.Status.Unit, true
	}
	st, ok = s.Status.Units[unit]
	return st, ok
}

// RemoteAppOf returns the remote application of the relation with the given
// key (see Relation.RemoteApp); the running unit's application means a peer
// relation.
func (s State) RemoteAppOf(key string) string {
	r := s.Relations[key]
	if r.RemoteApp != "" {
		return r.RemoteApp
	}
	own := s.AppName()
	for _, bags := range []map[string]map[string]string{r.Units, r.UnitData} {
		for _, u := range slices.Sorted(maps.Keys(bags)) {
			if app := appOf(u); app != own {
				return app
			}
		}
	}
	for _, app := range slices.Sorted(maps.Keys(r.AppData)) {
		if app != own {
			return app
		}
	}
	return own
}

// Units returns every unit the state names, sorted: the running unit, those
// of Status.Units, each relation's Units and UnitData, and the units owning
// a secret.
func (s State) Units() []string {
	set := map[string]bool{s.UnitName(): true}
	for u := range s.Status.Units {
		set[u] = true
	}
	for _, r := range s.Relations {
		for u := range r.Units {
			set[u] = true
		}
		for u := range r.UnitData {
			set[u] = true
		}
	}
	for _, sec := range s.Secrets {
		if strings.Contains(sec.Owner, "/") {
			set[sec.Owner] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// Apps returns every application the state names, sorted: those of Units,
// the relations' remote applications and app-data owners, and the
// applications owning a secret.
func (s State) Apps() []string {
	set := map[string]bool{}
	for _, u := range s.Units() {
		set[appOf(u)] = true
	}
	for key, r := range s.Relations {
		set[s.RemoteAppOf(key)] = true
		for app := range r.AppData {
			set[app] = true
		}
	}
	for _, sec := range s.Secrets {
		if !strings.Contains(sec.Owner, "/") {
			set[sec.Owner] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// SplitRelationKey splits a relation key "<endpoint>:<id>".
func SplitRelationKey(key string) (endpoint string, id int, err error) {
	ep, num, ok := strings.Cut(key, ":")
	id, convErr := strconv.Atoi(num)
	if !ok || ep == "" || convErr != nil || id < 0 || strconv.Itoa(id) != num {
		return "", 0, fmt.Errorf("relation key %q is not <endpoint>:<id>", key)
	}
	return ep, id, nil
}

func appOf(unit string) string {
	app, _, _ := strings.Cut(unit, "/")
	return app
}

var unitNameRE = regexp.MustCompile(`^[a-z][a-z0-9-]*/(0|[1-9][0-9]*)$`)

var configTypes = []string{"string", "int", "float", "boolean"}

// decodeState decodes and checks a state section.
func decodeState(b []byte) (State, error) {
	var s State
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return State{}, err
	}
	if dec.More() {
		return State{}, errors.New("more than one JSON value")
	}
	return s, s.check()
}

// check reports the first inconsistency of a decoded state.
func (s State) check() error {
	for _, u := range s.Units() {
		if !unitNameRE.MatchString(u) {
			return fmt.Errorf("invalid unit name %q", u)
		}
	}
	for k, t := range s.ConfigTypes {
		if _, ok := s.Config[k]; !ok {
			return fmt.Errorf("config-types: %q is not a config option", k)
		}
		if !slices.Contains(configTypes, t) {
			return fmt.Errorf("config-types: %q: type %q is not one of %v", k, t, configTypes)
		}
	}
	ids := map[int]string{}
	for key := range s.Relations {
		_, id, err := SplitRelationKey(key)
		if err != nil {
			return err
		}
		if other, dup := ids[id]; dup {
			return fmt.Errorf("relations %q and %q share an id", other, key)
		}
		ids[id] = key
	}
	if s.Relation != "" {
		if _, ok := s.Relations[s.Relation]; !ok {
			return fmt.Errorf("relation %q is not in relations", s.Relation)
		}
	} else if s.RemoteUnit != "" || s.RemoteApp != "" {
		return errors.New("remote-unit and remote-app need a relation")
	}
	if s.Status.Unit != nil {
		if _, dup := s.Status.Units[s.UnitName()]; dup {
			return fmt.Errorf("status: the running unit's status given twice (unit and units[%q])", s.UnitName())
		}
	}
	if s.Action != nil && s.Action.Name == "" {
		return errors.New("action: no name")
	}
	if s.NextSecretID != "" && !secretIDRE.MatchString(s.NextSecretID) {
		return fmt.Errorf("next-secret-id: %q is not a secret ID (20 characters of 0-9a-v ending in 0 or g)", s.NextSecretID)
	}
	if s.ModelUUID != "" && !uuidRE.MatchString(s.ModelUUID) {
		return fmt.Errorf("model-uuid: %q is not a UUID", s.ModelUUID)
	}
	if s.JujuVersion != "" && !versionRE.MatchString(s.JujuVersion) {
		return fmt.Errorf("juju-version: %q is not a Juju version", s.JujuVersion)
	}
	for _, id := range slices.Sorted(maps.Keys(s.Secrets)) {
		sec := s.Secrets[id]
		switch {
		case !secretIDRE.MatchString(id):
			return fmt.Errorf("secrets: %q is not a secret ID (20 characters of 0-9a-v ending in 0 or g)", id)
		case sec.Owner == "":
			return fmt.Errorf("secrets: %s: no owner", id)
		case len(sec.Revisions) == 0:
			return fmt.Errorf("secrets: %s: no revision", id)
		case sec.Tracked < 0 || sec.Tracked > len(sec.Revisions):
			return fmt.Errorf("secrets: %s: tracked revision %d is not one of its %d revisions", id, sec.Tracked, len(sec.Revisions))
		case sec.Granted && s.Owns(sec):
			return fmt.Errorf("secrets: %s: granted to its own application", id)
		case sec.Label != "" && !s.Owns(sec) && sec.Tracked == 0:
			return fmt.Errorf("secrets: %s: a consumer label needs a tracked revision", id)
		}
	}
	return nil
}

// Owns reports whether the running unit or its application owns sec.
func (s State) Owns(sec Secret) bool { return sec.Owner == s.UnitName() || sec.Owner == s.AppName() }

var (
	secretIDRE = regexp.MustCompile(`^[0-9a-v]{19}[0g]$`)
	uuidRE     = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	versionRE  = regexp.MustCompile(`^\d+\.\d+(?:\.|-[a-z]+)\d+(?:\.\d+)?$`)
)
