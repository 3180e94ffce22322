// Package fakejujutest builds fake Juju models for tests: from the state a
// recorded hook-tool script describes (hookenv/hookenvtest), so that every
// harness built on testing/fakejuju can run the shared conformance suite.
package fakejujutest

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/charmkit/charmkit/hookenv/hookenvtest"
	"github.com/charmkit/charmkit/testing/fakejuju"
)

// FromState builds the model a golden hook-tool script's state describes
// (see hookenvtest.State) and opens the hook context the script's calls run
// in. It returns the model and the context's id, for a fakejuju.Runner:
//
//	m, id, err := fakejujutest.FromState(s, now)
//	runner := fakejuju.Runner{Store: fakejuju.NewMemory(m), Context: id}
//
// The model, named "golden", has the applications and units the state
// names (only the running unit has an address). Each relation key
// "<endpoint>:<id>" gives the running unit's application that endpoint (a
// peer endpoint for a peer relation, else one requiring the interface of the
// same name) and the remote application an endpoint of the same name; the
// running unit and the relation's units are in scope, the latter members of
// the running unit's view (as if their -joined hooks had run), and every bag
// has the state's data. With Leader the running unit is elected; otherwise
// no unit leads. Faults and lose-lease-after-calls apply to the running
// unit (fakejuju.Unit's Faults and TruesLeft).
//
// The model has the state's UUID and Juju version (hookenvtest's defaults
// unless it names them) and its secrets, committed: revisions 1, 2, ...
// with the state's contents; a label is the owner label of a secret of the
// running unit or its application, else the running unit's consumer label;
// with Tracked the running unit has a consumer record tracking that
// revision and knowing of the latest (announced: no secret-changed is due);
// Granted grants the running unit's application view access.
// NextSecretID is the ID the next secret-add gives.
//
// Env is left to the caller: an in-process fake has no environment (see
// hookenvtest.State.OutsideHook).
func FromState(s hookenvtest.State, now time.Time) (*fakejuju.Model, string, error) {
	m := fakejuju.New("golden", s.Model(), s.Version(), now)
	unit, own := s.UnitName(), s.AppName()

	// Applications, with the endpoints the relations use and the config.
	endpoints := map[string]map[string]fakejuju.Endpoint{}
	for _, key := range slices.Sorted(maps.Keys(s.Relations)) {
		ep, _, err := hookenvtest.SplitRelationKey(key)
		if err != nil {
			return nil, "", fmt.Errorf("fakejujutest: %w", err)
		}
		remote := s.RemoteAppOf(key)
		add := func(app string, e fakejuju.Endpoint) {
			if endpoints[app] == nil {
				endpoints[app] = map[string]fakejuju.Endpoint{}
			}
			if _, dup := endpoints[app][ep]; !dup {
				endpoints[app][ep] = e
			}
		}
		if remote == own {
			add(own, fakejuju.Endpoint{Role: "peers", Interface: ep})
			continue
		}
		add(own, fakejuju.Endpoint{Role: "requires", Interface: ep})
		add(remote, fakejuju.Endpoint{Role: "provides", Interface: ep})
	}
	config := map[string]fakejuju.ConfigOption{}
	for k := range s.Config {
		config[k] = fakejuju.ConfigOption{Type: s.ConfigType(k), Value: s.ConfigValue(k)}
	}
	for _, app := range s.Apps() {
		var cfg map[string]fakejuju.ConfigOption
		if app == own {
			cfg = config
		}
		if _, err := m.AddApp(app, endpoints[app], cfg); err != nil {
			return nil, "", err
		}
	}
	for _, name := range s.Units() {
		addr := ""
		if name == unit {
			addr = s.Address
		}
		u, err := m.AddUnit(name, addr)
		if err != nil {
			return nil, "", err
		}
		if st, ok := s.UnitStatus(name); ok {
			u.Status, u.StatusSince = fakejuju.Status{State: st.Status, Message: st.Message}, st.Since
		}
	}
	if st := s.Status.App; st != nil {
		m.Apps[own].Status, m.Apps[own].StatusSince = fakejuju.Status{State: st.Status, Message: st.Message}, st.Since
	}

	// Relations, in id order.
	keys := slices.Collect(maps.Keys(s.Relations))
	slices.SortFunc(keys, func(a, b string) int {
		_, i, _ := hookenvtest.SplitRelationKey(a)
		_, j, _ := hookenvtest.SplitRelationKey(b)
		return i - j
	})
	for _, key := range keys {
		if err := addStateRelation(m, s, key); err != nil {
			return nil, "", err
		}
	}

	// Leadership.
	if s.Leader {
		if _, err := m.Elect(unit); err != nil {
			return nil, "", err
		}
	}
	if err := m.SetLeaderSettings(own, s.LeaderSettings); err != nil {
		return nil, "", err
	}

	// The running unit's own data and faults.
	u := m.Units[unit]
	u.State = maps.Clone(s.State)
	for _, p := range s.Ports {
		r, err := fakejuju.NormalizePort(p)
		if err != nil {
			return nil, "", fmt.Errorf("fakejujutest: port %q: %w", p, err)
		}
		u.Ports = append(u.Ports, r)
	}
	fakejuju.SortPorts(u.Ports)
	for tool, cause := range s.Faults.Tools {
		if u.Faults == nil {
			u.Faults = map[string]fakejuju.Fault{}
		}
		u.Faults[tool] = fakejuju.Fault{Cause: cause}
	}
	if n := s.Faults.LoseLeaseAfterCalls; n != nil {
		u.TruesLeft = new(int)
		*u.TruesLeft = *n
	}

	// Secrets.
	m.NextSecretID = s.NextSecretID
	for _, id := range slices.Sorted(maps.Keys(s.Secrets)) {
		sec := s.Secrets[id]
		fs, err := m.AddSecret(id, sec.Owner, sec.Revisions...)
		if err != nil {
			return nil, "", fmt.Errorf("fakejujutest: %w", err)
		}
		fs.Description = sec.Description
		consumerLabel := sec.Label
		if s.Owns(sec) {
			fs.Label, consumerLabel = sec.Label, ""
		}
		if sec.Tracked > 0 {
			fs.Consumers = map[string]*fakejuju.SecretConsumer{unit: {
				Current: sec.Tracked, Latest: fs.LatestRevision, Announced: fs.LatestRevision, Label: consumerLabel,
			}}
		}
		if sec.Granted {
			fs.Grants = map[string]fakejuju.SecretGrant{own: {Relation: -1}}
		}
	}

	spec := fakejuju.ContextSpec{Unit: unit, Hook: s.HookName(), Relation: s.Relation, RemoteUnit: s.RemoteUnit, RemoteApp: s.RemoteApp}
	name := spec.Hook
	if a := s.Action; a != nil {
		params, _ := plainNumbers(a.Params).(map[string]any)
		spec.Action = &fakejuju.Action{Name: a.Name, ID: "1", Params: params}
		name = a.Name
	}
	spec.ID = fakejuju.NewContextID(unit, name)
	c, err := m.Open(spec)
	if err != nil {
		return nil, "", err
	}
	return m, c.ID, nil
}

// addStateRelation adds the relation of a state's relation key, with its
// scope, the running unit's view and its bags.
func addStateRelation(m *fakejuju.Model, s hookenvtest.State, key string) error {
	ep, id, _ := hookenvtest.SplitRelationKey(key)
	unit, own, remote := s.UnitName(), s.AppName(), s.RemoteAppOf(key)
	ends := []fakejuju.RelationEndpoint{{App: own, Endpoint: ep}}
	if remote != own {
		ends = append(ends, fakejuju.RelationEndpoint{App: remote, Endpoint: ep})
	}
	r, err := m.AddRelation(id, ends...)
	if err != nil {
		return err
	}
	sr := s.Relations[key]
	if sr.Status != "" {
		r.Status = sr.Status
	}
	if !sr.Since.IsZero() {
		r.Since = sr.Since
	}
	if err := m.EnterScope(unit, r); err != nil {
		return err
	}
	view := m.Units[unit].Relations[id]
	for _, member := range slices.Sorted(maps.Keys(sr.Units)) {
		if err := m.EnterScope(member, r); err != nil {
			return err
		}
		r.Apply(member, sr.Units[member])
		if view.Members == nil {
			view.Members = map[string]int{}
		}
		view.Members[member] = r.Version(member)
	}
	for owner, bag := range sr.UnitData {
		if _, in := r.Local(fakejuju.AppOf(owner)); !in {
			return fmt.Errorf("fakejujutest: relation %s: unit %s is not of an application in it", key, owner)
		}
		r.Apply(owner, bag)
	}
	for owner, bag := range sr.AppData {
		if _, in := r.Local(owner); !in {
			return fmt.Errorf("fakejujutest: relation %s: application %s is not in it", key, owner)
		}
		r.Apply(owner, bag)
	}
	return nil
}

// plainNumbers returns v with every json.Number turned into an int64 or,
// failing that, a float64.
func plainNumbers(v any) any {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		f, _ := v.Float64()
		return f
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = plainNumbers(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = plainNumbers(x)
		}
		return out
	}
	return v
}
