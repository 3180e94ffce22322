package jujusim

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/charmkit/charmkit/testing/fakejuju"
)

// Relation is a relation between two applications of a [Model] (or an
// application's peer relation), as `juju integrate` makes it.
type Relation struct {
	m  *Model
	id int
}

// ID returns the relation's model-wide id, the number in JUJU_RELATION_ID.
func (r *Relation) ID() int { return r.id }

// Key returns the relation id as app's units see it, "<endpoint>:<id>".
func (r *Relation) Key(app string) string {
	key := ""
	_ = r.m.view(func(fm *fakejuju.Model) error {
		if fr := fm.Relations[r.id]; fr != nil {
			key = fr.Key(app)
		}
		return nil
	})
	return key
}

// Endpoints returns the relation's ends as "<app>:<endpoint>" (one for a
// peer relation), or nil once the relation is gone.
func (r *Relation) Endpoints() []string {
	var out []string
	_ = r.m.view(func(fm *fakejuju.Model) error {
		if fr := fm.Relations[r.id]; fr != nil {
			for _, e := range fr.Endpoints {
				out = append(out, e.App+":"+e.Endpoint)
			}
		}
		return nil
	})
	return out
}

// Gone reports whether the relation was removed and every unit left its
// scope.
func (r *Relation) Gone() bool {
	gone := true
	_ = r.m.view(func(fm *fakejuju.Model) error {
		gone = fm.Relations[r.id] == nil
		return nil
	})
	return gone
}

// Data returns the data bag of a unit or of an application in the relation,
// as committed (relation-set writes of successful hooks only).
func (r *Relation) Data(owner string) (map[string]string, error) {
	bag := map[string]string{}
	err := r.m.view(func(fm *fakejuju.Model) error {
		fr := fm.Relations[r.id]
		if fr == nil {
			return fmt.Errorf("jujusim: relation %d is gone", r.id)
		}
		maps.Copy(bag, fr.Bag(owner))
		return nil
	})
	return bag, err
}

// Relate relates two applications, as `juju integrate a b` does. Each side
// is "<app>:<endpoint>" or "<app>" alone, when one endpoint of that
// application fits the other side: same interface, one providing and the
// other requiring. Every unit then enters the relation's scope at its next
// step and runs -relation-created, then -joined and -changed for each
// counterpart unit, in Juju's order.
func (m *Model) Relate(a, b string) (*Relation, error) {
	ea, eb, err := m.resolveEndpoints(a, b)
	if err != nil {
		return nil, fmt.Errorf("jujusim: relating %s and %s: %w", a, b, err)
	}
	var id int
	err = m.update(func(fm *fakejuju.Model) error {
		for _, r := range fm.Relations {
			if len(r.Endpoints) == 2 && slices.Contains(r.Endpoints, ea) && slices.Contains(r.Endpoints, eb) && !r.Dying {
				return fmt.Errorf("relation %s already exists", r.Key(ea.App))
			}
		}
		r, err := fm.AddRelation(-1, ea, eb)
		if err != nil {
			return err
		}
		id = r.ID
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("jujusim: relating %s and %s: %w", a, b, err)
	}
	m.record(&Event{Kind: KindRelate, Note: fmt.Sprintf("%s:%s %s:%s (id %d)", ea.App, ea.Endpoint, eb.App, eb.Endpoint, id)})
	return &Relation{m: m, id: id}, nil
}

// resolveEndpoints finds the endpoints `juju integrate a b` would use.
func (m *Model) resolveEndpoints(a, b string) (fakejuju.RelationEndpoint, fakejuju.RelationEndpoint, error) {
	var none fakejuju.RelationEndpoint
	var endpoints map[string]map[string]fakejuju.Endpoint
	_ = m.view(func(fm *fakejuju.Model) error {
		endpoints = map[string]map[string]fakejuju.Endpoint{}
		for name, app := range fm.Apps {
			endpoints[name] = app.Endpoints
		}
		return nil
	})
	type side struct{ app, ep string }
	parse := func(s string) (side, error) {
		app, ep, _ := strings.Cut(s, ":")
		if _, ok := endpoints[app]; !ok {
			return side{}, fmt.Errorf("no application %q", app)
		}
		if ep != "" {
			e, ok := endpoints[app][ep]
			if !ok {
				return side{}, fmt.Errorf("application %q has no endpoint %q", app, ep)
			}
			if e.Role == "peers" {
				return side{}, fmt.Errorf("endpoint %s:%s is a peer endpoint", app, ep)
			}
		}
		return side{app, ep}, nil
	}
	sa, err := parse(a)
	if err != nil {
		return none, none, err
	}
	sb, err := parse(b)
	if err != nil {
		return none, none, err
	}
	if sa.app == sb.app {
		return none, none, fmt.Errorf("an application cannot be related to itself")
	}
	var matches [][2]string
	for _, na := range slices.Sorted(maps.Keys(endpoints[sa.app])) {
		if sa.ep != "" && na != sa.ep {
			continue
		}
		for _, nb := range slices.Sorted(maps.Keys(endpoints[sb.app])) {
			if sb.ep != "" && nb != sb.ep {
				continue
			}
			x, y := endpoints[sa.app][na], endpoints[sb.app][nb]
			if x.Interface == y.Interface && (x.Role == "provides" && y.Role == "requires" || x.Role == "requires" && y.Role == "provides") {
				matches = append(matches, [2]string{na, nb})
			}
		}
	}
	switch len(matches) {
	case 0:
		return none, none, fmt.Errorf("no endpoints with the same interface, one providing and one requiring")
	case 1:
		return fakejuju.RelationEndpoint{App: sa.app, Endpoint: matches[0][0]}, fakejuju.RelationEndpoint{App: sb.app, Endpoint: matches[0][1]}, nil
	}
	return none, none, fmt.Errorf("ambiguous: %d pairs of endpoints fit; name them as app:endpoint", len(matches))
}

// RemoveRelation removes a relation, as `juju remove-relation` does: every
// unit in its scope departs each counterpart unit (JUJU_DEPARTING_UNIT is
// the remote unit) and then runs -relation-broken; the relation is gone
// once the last unit has left its scope. A peer relation cannot be
// removed.
func (m *Model) RemoveRelation(r *Relation) error {
	if r == nil || r.m != m {
		return fmt.Errorf("jujusim: removing a relation: not a relation of this model")
	}
	err := m.update(func(fm *fakejuju.Model) error {
		fr := fm.Relations[r.id]
		if fr == nil {
			return fmt.Errorf("relation %d is gone", r.id)
		}
		if fr.Peer() {
			return fmt.Errorf("relation %s is a peer relation", fr.Key(fr.Endpoints[0].App))
		}
		return fm.RemoveRelation(r.id)
	})
	if err != nil {
		return fmt.Errorf("jujusim: removing relation %d: %w", r.id, err)
	}
	m.record(&Event{Kind: KindUnrelate, Note: fmt.Sprintf("id %d", r.id)})
	return nil
}

// Relations returns the model's relations that are not gone, peer relations
// included, in id order.
func (m *Model) Relations() []*Relation {
	var ids []int
	_ = m.view(func(fm *fakejuju.Model) error {
		ids = slices.Sorted(maps.Keys(fm.Relations))
		return nil
	})
	out := make([]*Relation, len(ids))
	for i, id := range ids {
		out[i] = &Relation{m: m, id: id}
	}
	return out
}
