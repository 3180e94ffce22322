package fakejuju

import (
	"maps"
	"slices"
)

// RelationHook is a relation hook a unit agent decided to run: the hook's
// name and the context it runs in.
type RelationHook struct {
	Relation   int
	Hook       string // "<endpoint>-relation-<event>"
	RemoteUnit string
	RemoteApp  string
	Departing  string
	// Version is the counterpart bag version the hook is about (nil for
	// -created, -departed and -broken).
	Version *int
}

// Spec returns the context of the hook on unit.
func (h RelationHook) Spec(m *Model, unit string) ContextSpec {
	r := m.Relations[h.Relation]
	key := ""
	if r != nil {
		key = r.Key(AppOf(unit))
	}
	return ContextSpec{Unit: unit, Hook: h.Hook, Relation: key, RemoteUnit: h.RemoteUnit,
		RemoteApp: h.RemoteApp, Departing: h.Departing, Version: h.Version}
}

// SyncScopes enters unit into the scope of every relation of its
// application it has not entered yet and that is not dying, as its agent
// does once the unit is installed (and not dying), just before it runs the
// relation's -relation-created hook. It returns the relations entered.
func (m *Model) SyncScopes(unit string) ([]int, error) {
	u, err := m.Unit(unit)
	if err != nil {
		return nil, err
	}
	if u.Dying {
		return nil, nil
	}
	var entered []int
	for _, id := range slices.Sorted(maps.Keys(m.Relations)) {
		r := m.Relations[id]
		if _, in := r.Local(u.App()); !in || r.Dying || u.Relations[id] != nil {
			continue
		}
		if err := m.EnterScope(unit, r); err != nil {
			return nil, err
		}
		entered = append(entered, id)
	}
	return entered, nil
}

// PendingCreated returns the -relation-created hooks unit has still to run,
// in relation id order: one for every relation whose scope it entered and
// that it has not created yet (never while dying).
func (m *Model) PendingCreated(unit string) []RelationHook {
	u := m.Units[unit]
	if u == nil || u.Dying {
		return nil
	}
	var out []RelationHook
	for _, id := range slices.Sorted(maps.Keys(u.Relations)) {
		r := m.Relations[id]
		if r == nil || u.Relations[id].Created {
			continue
		}
		e, _ := r.Local(u.App())
		out = append(out, RelationHook{Relation: id, Hook: e.Endpoint + "-relation-created", RemoteApp: r.Remote(u.App())})
	}
	return out
}

// NextRelationHook returns the joined, changed, departed or broken hook the
// unit would run next, as Juju's relation resolver chooses it: relations in
// id order (Juju leaves the order across relations unspecified); within a
// relation, a pending -changed after a -joined first, then departures, then
// -broken (never for a peer relation), then app-level -changed for a
// counterpart application bag whose version moved, then joins, then
// -changed for counterpart units whose bag version moved, units in name
// order. A dying unit, or a dying relation, sees no counterpart. It
// reports false when the unit has nothing to run.
func (m *Model) NextRelationHook(unit string) (RelationHook, bool) {
	u := m.Units[unit]
	if u == nil {
		return RelationHook{}, false
	}
	for _, id := range slices.Sorted(maps.Keys(u.Relations)) {
		r, view := m.Relations[id], u.Relations[id]
		if r == nil || !view.Created {
			continue
		}
		if h, ok := m.nextForRelation(u, r, view); ok {
			return h, true
		}
	}
	return RelationHook{}, false
}

func (m *Model) nextForRelation(u *Unit, r *Relation, view *RelationView) (RelationHook, bool) {
	app := u.App()
	local, _ := r.Local(app)
	remoteApp := r.Remote(app)
	hook := func(event string) string { return local.Endpoint + "-relation-" + event }
	version := func(owner string) *int {
		v := r.Version(owner)
		return &v
	}
	broken := u.Dying || r.Dying
	// The remote view: counterpart units in scope and not departing, and
	// the counterpart application, with their bag versions.
	members := map[string]int{}
	apps := map[string]int{}
	if !broken {
		for _, x := range r.Scope {
			if x == u.Name || AppOf(x) != remoteApp || slices.Contains(r.Departing, x) {
				continue
			}
			members[x] = r.Version(x)
		}
		apps[remoteApp] = r.Version(remoteApp)
	}
	if x := view.ChangedPending; x != "" {
		return RelationHook{Relation: r.ID, Hook: hook("changed"), RemoteUnit: x, RemoteApp: AppOf(x), Version: version(x)}, true
	}
	names := slices.Sorted(maps.Keys(view.Members))
	for _, x := range names {
		if _, still := members[x]; !still {
			departing := x
			if u.Dying {
				departing = u.Name
			}
			return RelationHook{Relation: r.ID, Hook: hook("departed"), RemoteUnit: x, RemoteApp: AppOf(x), Departing: departing}, true
		}
	}
	if broken {
		if r.Peer() {
			return RelationHook{}, false
		}
		return RelationHook{Relation: r.ID, Hook: hook("broken"), RemoteApp: remoteApp}, true
	}
	for _, a := range slices.Sorted(maps.Keys(apps)) {
		if apps[a] != view.AppMembers[a] {
			return RelationHook{Relation: r.ID, Hook: hook("changed"), RemoteApp: a, Version: version(a)}, true
		}
	}
	remote := slices.Sorted(maps.Keys(members))
	for _, x := range remote {
		if _, known := view.Members[x]; !known {
			return RelationHook{Relation: r.ID, Hook: hook("joined"), RemoteUnit: x, RemoteApp: AppOf(x), Version: version(x)}, true
		}
	}
	for _, x := range remote {
		if members[x] != view.Members[x] {
			return RelationHook{Relation: r.ID, Hook: hook("changed"), RemoteUnit: x, RemoteApp: AppOf(x), Version: version(x)}, true
		}
	}
	return RelationHook{}, false
}
