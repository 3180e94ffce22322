package charmtest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/testing/fakejuju"
)

// The records of a hook and its fault injection are the fake Juju's own
// types, shared with testing/jujusim.
type (
	// ToolCall records one hook-tool call the charm made.
	ToolCall = fakejuju.ToolCall
	// LogRecord is one log record of the hook: a juju-log call, or a record
	// the framework logged through its slog.Logger.
	LogRecord = fakejuju.LogRecord
	// StatusChange records one successful status-set call.
	StatusChange = fakejuju.StatusChange
	// Status is a workload status: one of "maintenance", "blocked",
	// "waiting", "active" (or "" and "unknown" before any), with a message.
	Status = fakejuju.Status
	// Fault makes a hook tool fail, without any effect. The zero value is no
	// fault.
	Fault = fakejuju.Fault
	// Action is an action the unit ran: its name, parameters (with the
	// defaults of actions.yaml), results (action-set, nested by the dots of
	// the keys), whether it failed and why, and its action-log messages.
	Action = fakejuju.Action
)

// Model details of every simulated hook.
const (
	defaultModelName   = "test-model"
	defaultJujuVersion = "3.6.4"
	modelUUID          = "6e0b1d2c-0000-4000-8000-000000000000"
)

// hookRelation returns the relation id and remote unit of a relation hook:
// those given in env, else the first relation on the hook's endpoint and its
// first remote unit. Other hooks get none.
func hookRelation(u Unit, hook string) (relID, remote string) {
	relID = u.Env.RelationID
	ep, event, isRel := strings.Cut(hook, "-relation-")
	if relID == "" {
		if !isRel {
			return "", ""
		}
		for _, r := range u.Relations {
			if r.Endpoint() == ep {
				relID = r.ID
				break
			}
		}
		if relID == "" {
			return "", ""
		}
	}
	remote = u.Env.RemoteUnit
	if remote == "" && event != "created" && event != "broken" {
		for _, r := range u.Relations {
			if r.ID == relID {
				if units := sortedKeys(r.Units); len(units) > 0 {
					remote = units[0]
				}
			}
		}
	}
	return relID, remote
}

// juju is the fake Juju side of one hook of a unit: a model holding the unit,
// its application, the relations' other ends, and the hook's open context.
type juju struct {
	store *fakejuju.Memory
	ctxID string
	unit  string
}

// newJuju builds the model Juju would hold for u and opens the hook's
// context. u must be valid; charm is the charm's metadata and config (nil
// when unknown).
func newJuju(u Unit, charm *charmSpec, hook string, action *Action) (*juju, error) {
	now := u.Now
	if now.IsZero() {
		now = defaultNow
	}
	m := fakejuju.New(orDefault(u.Env.ModelName, defaultModelName), modelUUID, orDefault(u.Env.JujuVersion, defaultJujuVersion), now)
	cfg, err := appConfig(u, charm)
	if err != nil {
		return nil, err
	}
	name, app := u.name(), u.app()
	a, err := m.AddApp(app, nil, cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidUnit, err)
	}
	unit, err := m.AddUnit(name, "")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidUnit, err)
	}
	a.LeaderSettings = maps.Clone(u.LeaderSettings)
	a.Status, unit.Status = u.AppStatus, u.Status
	unit.Faults = maps.Clone(u.Faults)
	if u.Leader {
		if _, err := m.Elect(name); err != nil {
			return nil, err
		}
		if n := u.LoseLeadershipAfter; n > 0 {
			unit.TruesLeft = &n
		}
	}
	for _, r := range u.Relations {
		if err := addRelation(m, name, r); err != nil {
			return nil, fmt.Errorf("%w: relation %q: %v", ErrInvalidUnit, r.ID, err)
		}
	}
	if err := addSecrets(m, u); err != nil {
		return nil, fmt.Errorf("%w: secrets: %v", ErrInvalidUnit, err)
	}
	secret, err := secretEvent(u, hook)
	if err != nil {
		return nil, err
	}
	relID, remote := hookRelation(u, hook)
	ep, event, isRel := strings.Cut(hook, "-relation-")
	if isRel && relID == "" {
		return nil, fmt.Errorf("%w: hook %s: no relation on endpoint %q in Relations", ErrInvalidUnit, hook, ep)
	}
	if isRel {
		if err := checkRemoteUnit(u, relID, event, remote); err != nil {
			return nil, err
		}
	}
	spec := fakejuju.ContextSpec{ID: contextID(name, hook), Unit: name, Hook: hook, Relation: relID, RemoteUnit: remote, Secret: secret, Action: action}
	if action != nil {
		spec.ID = contextID(name, action.Name)
	}
	if strings.HasSuffix(hook, "-relation-departed") {
		spec.Departing = remote // the remote unit leaves; this one stays
	}
	if _, err := m.Open(spec); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidUnit, err)
	}
	return &juju{store: fakejuju.NewMemory(m), ctxID: spec.ID, unit: name}, nil
}

// checkRemoteUnit refuses a relation hook Juju would not run: -joined and
// -departed are about one remote unit of the relation, and a remote unit
// given in Env must be one of the relation's. (-changed may have none: a
// change of the remote application's bag.)
func checkRemoteUnit(u Unit, relID, event, remote string) error {
	var r Relation
	i := slices.IndexFunc(u.Relations, func(r Relation) bool { return r.ID == relID })
	if i >= 0 {
		r = u.Relations[i]
	}
	switch {
	case remote == "" && (event == "joined" || event == "departed"):
		return &invalidError{msg: fmt.Sprintf("hook %s-relation-%s: Relations[%d] (%q) has no remote unit, and Juju runs -relation-%s for one: add the unit to its Units", r.Endpoint(), event, i, relID, event)}
	case u.Env.RemoteUnit != "" && !slices.Contains(sortedKeys(r.Units), u.Env.RemoteUnit):
		return &invalidError{msg: fmt.Sprintf("Env.RemoteUnit %q: not a unit of Relations[%d] (%q): add it to its Units", u.Env.RemoteUnit, i, relID)}
	}
	return nil
}

// contextID is a context id in Juju's form, the same for the same unit and
// hook so that runs are reproducible.
func contextID(unit, hook string) string {
	sum := sha256.Sum256([]byte(unit + "/" + hook))
	return strings.ReplaceAll(unit, "/", "-") + "-" + hook + "-" + hex.EncodeToString(sum[:16])
}

// addRelation adds one relation of the unit to the model: the remote
// application and units (for a peer relation, the unit's own application),
// every unit in scope, the data bags as given, and the unit's view with
// every remote unit a member.
func addRelation(m *fakejuju.Model, unit string, r Relation) error {
	app := fakejuju.AppOf(unit)
	ep := r.Endpoint()
	ends := []fakejuju.RelationEndpoint{{App: app, Endpoint: ep}}
	if r.RemoteApp != app {
		if m.Apps[r.RemoteApp] == nil {
			if _, err := m.AddApp(r.RemoteApp, nil, nil); err != nil {
				return err
			}
		}
		// The remote end's endpoint name is not part of the unit's state;
		// the local name stands in for it.
		ends = append(ends, fakejuju.RelationEndpoint{App: r.RemoteApp, Endpoint: ep})
	}
	_, num, _ := strings.Cut(r.ID, ":")
	var id int
	fmt.Sscanf(num, "%d", &id)
	rel, err := m.AddRelation(id, ends...)
	if err != nil {
		return err
	}
	if err := m.EnterScope(unit, rel); err != nil {
		return err
	}
	view := m.Units[unit].Relations[rel.ID]
	view.Created = true
	view.Members = map[string]int{}
	for _, member := range sortedKeys(r.Units) {
		if m.Units[member] == nil {
			if _, err := m.AddUnit(member, ""); err != nil {
				return err
			}
		}
		if err := m.EnterScope(member, rel); err != nil {
			return err
		}
		setBag(rel, member, r.Units[member])
		view.Members[member] = rel.Bags[member].Version
	}
	setBag(rel, unit, r.LocalData)
	setBag(rel, app, r.AppData)
	if !rel.Peer() {
		setBag(rel, r.RemoteApp, r.RemoteAppData)
		view.AppMembers = map[string]int{r.RemoteApp: rel.Bags[r.RemoteApp].Version}
	}
	return nil
}

// setBag gives a bag its initial data, at version 1.
func setBag(r *fakejuju.Relation, owner string, data map[string]string) {
	if r.Bags == nil {
		r.Bags = map[string]*fakejuju.Bag{}
	}
	b := &fakejuju.Bag{Data: maps.Clone(data)}
	if len(data) > 0 {
		b.Version = 1
	}
	r.Bags[owner] = b
}

// runner returns the hook tools of the hook's context.
func (j *juju) runner(charmDir string) hookenv.Runner {
	return fakejuju.Runner{Store: j.store, Context: j.ctxID, Dir: charmDir}
}

// env returns the hook environment Juju would export, read through
// hookenv.LoadEnv so it is validated the way a charm reads it.
func (j *juju) env(charmDir string) (hookenv.Env, error) {
	vars := map[string]string{"JUJU_CHARM_DIR": charmDir, "CHARM_DIR": charmDir}
	err := j.store.View(func(m *fakejuju.Model) error {
		for _, kv := range m.HookVars(m.Contexts[j.ctxID]) {
			k, v, _ := strings.Cut(kv, "=")
			vars[k] = v
		}
		return nil
	})
	if err != nil {
		return hookenv.Env{}, err
	}
	env, err := hookenv.LoadEnv(func(k string) string { return vars[k] }, "")
	if err != nil {
		return env, fmt.Errorf("%w: hook environment: %w", ErrInvalidUnit, err)
	}
	return env, nil
}

// log records a framework log record in the journal, in order with the
// tool calls.
func (j *juju) log(level, msg string) {
	_ = j.store.Update(func(m *fakejuju.Model) error {
		if c := m.Contexts[j.ctxID]; c != nil {
			m.Log(c, level, msg)
		}
		return nil
	})
}

// finish closes the hook's context, committing what Juju commits when the
// hook succeeded, and copies Juju's side of the state into next: leadership,
// leader settings, status, relation data, the application version.
// If Juju refuses the hook's changes when it commits them (a follower's
// write to an application-owned secret, a secret label in use), finish
// returns that refusal, a *fakejuju.CommitError, with Juju's side as the
// refusal left it.
func (j *juju) finish(next *Unit, hookOK bool) (version string, action *Action, err error) {
	var refused error
	err = j.store.Update(func(m *fakejuju.Model) error {
		commit, err := m.Close(j.ctxID, hookOK)
		if errors.Is(err, fakejuju.ErrCommitFailed) {
			refused = err
		} else if err != nil {
			return err
		}
		action = commit.Action
		u, a := m.Units[j.unit], m.Apps[fakejuju.AppOf(j.unit)]
		next.Leader = m.Leads(j.unit) && (u.TruesLeft == nil || *u.TruesLeft > 0)
		next.LoseLeadershipAfter = 0
		if next.Leader && u.TruesLeft != nil {
			next.LoseLeadershipAfter = *u.TruesLeft
		}
		next.LeaderSettings = maps.Clone(a.LeaderSettings)
		if len(next.LeaderSettings) == 0 {
			next.LeaderSettings = nil
		}
		next.Status, next.AppStatus = u.Status, a.Status
		if !next.Leader {
			next.AppStatus = Status{} // a follower cannot read it
		}
		for i := range next.Relations {
			r := &next.Relations[i]
			rel, _ := m.RelationByKey(r.ID)
			r.LocalData = maps.Clone(rel.Bag(j.unit))
			r.AppData = maps.Clone(rel.Bag(a.Name))
			if !rel.Peer() {
				r.RemoteAppData = maps.Clone(rel.Bag(r.RemoteApp))
				if !next.Leader {
					r.AppData = nil // a follower cannot read it
				}
			}
		}
		next.Secrets = secretsOut(m, j.unit, next.Secrets)
		version = u.Version
		return nil
	})
	if err == nil {
		err = refused
	}
	return version, action, err
}

// records returns the hook's tool calls, log records and status changes.
func (j *juju) records() ([]ToolCall, []LogRecord, []StatusChange, error) {
	journal, err := j.store.Journal()
	if err != nil {
		return nil, nil, nil, err
	}
	var calls []ToolCall
	var logs []LogRecord
	var statuses []StatusChange
	for _, e := range journal {
		switch {
		case e.Call != nil:
			calls = append(calls, *e.Call)
		case e.Log != nil:
			logs = append(logs, e.Log.LogRecord)
		case e.Status != nil:
			statuses = append(statuses, *e.Status)
		}
	}
	return calls, logs, statuses, nil
}

// appConfig returns the application's config options: those the charm's
// config.yaml declares (spec) with their defaults, overridden by u.Config;
// without a config.yaml, an option of u.Config gets the type of its value.
func appConfig(u Unit, spec *charmSpec) (map[string]fakejuju.ConfigOption, error) {
	cfg := map[string]fakejuju.ConfigOption{}
	if spec != nil && spec.hasConfig {
		for _, name := range sortedKeys(spec.options) {
			o := spec.options[name]
			v, err := configDefault(o.Type, o.Default)
			if err != nil {
				return nil, &invalidError{msg: fmt.Sprintf("%s: option %q: %v", spec.configFile, name, err)}
			}
			cfg[name] = fakejuju.ConfigOption{Type: o.Type, Value: v}
		}
	}
	for _, k := range sortedKeys(u.Config) {
		v, err := configValue(u.Config[k])
		if err != nil {
			return nil, fmt.Errorf("%w: config option %q: %v", ErrInvalidUnit, k, err)
		}
		o, declared := cfg[k]
		if !declared {
			o.Type = typeOf(v)
		}
		if o.Type == "float" {
			if i, isInt := v.(int64); isInt {
				v = float64(i)
			}
		}
		o.Value = v
		cfg[k] = o
	}
	return cfg, nil
}

// typeOf returns the config.yaml type of a config value.
func typeOf(v any) string {
	switch v.(type) {
	case bool:
		return "boolean"
	case int64:
		return "int"
	case float64:
		return "float"
	}
	return "string"
}

// configDefault converts a config.yaml default to the option's type.
func configDefault(typ string, def any) (any, error) {
	if def == nil {
		return nil, nil
	}
	switch typ {
	case "string", "secret", "":
		if s, isStr := def.(string); isStr {
			return s, nil
		}
		return fmt.Sprint(def), nil
	case "boolean":
		if b, isBool := def.(bool); isBool {
			return b, nil
		}
	case "int":
		if i, isInt := def.(int); isInt {
			return int64(i), nil
		}
	case "float":
		switch f := def.(type) {
		case float64:
			return f, nil
		case int:
			return float64(f), nil
		}
	default:
		return nil, fmt.Errorf("unknown type %q", typ)
	}
	return nil, fmt.Errorf("default %v is not of type %s", def, typ)
}

// statusStates lists the states status-set accepts.
var statusStates = fakejuju.StatusStates
