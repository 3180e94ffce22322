package endpoint

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/reactive"
)

// Endpoint is one relation endpoint of the charm (a name under provides,
// requires or peers in its metadata) as one hook sees it: its relations,
// their joined units and data, and the units that departed. Get it with
// [FromName], [FromFlag] or [Get]; it is valid for the hook it came from.
//
// Every method is safe on a nil *Endpoint: it has no relations, no units and
// empty data.
type Endpoint struct {
	st        *state
	name      string
	relations Relations
	departed  []*DepartedUnit
	loaded    bool // departed was read from the store
}

// Name returns the endpoint's name (db).
func (e *Endpoint) Name() string {
	if e == nil {
		return ""
	}
	return e.name
}

// Role returns "provides", "requires" or "peers".
func (e *Endpoint) Role() string {
	if e == nil {
		return ""
	}
	return e.st.roles[e.name]
}

// ExpandName completes a flag for this endpoint as charms.reactive's
// expand_name: a flag without {endpoint_name} gets the prefix
// endpoint.{endpoint_name}., then {endpoint_name} is replaced by the name
// (joined gives endpoint.db.joined, {endpoint_name}.ready gives db.ready).
func (e *Endpoint) ExpandName(flag string) string {
	return expandName(e.Name(), flag)
}

func expandName(name, flag string) string {
	if !strings.Contains(flag, placeholder) {
		flag = "endpoint." + placeholder + "." + flag
	}
	return strings.ReplaceAll(flag, placeholder, name)
}

// Relations returns the endpoint's relations, sorted by id as strings
// (db:10 before db:2). A relation whose last unit departed in this hook is
// no longer among them.
func (e *Endpoint) Relations() Relations {
	if e == nil {
		return nil
	}
	return slices.Clone(e.relations)
}

// Relation returns the relation with the id, or an error wrapping
// [ErrUnknownRelation] that lists the endpoint's relations.
func (e *Endpoint) Relation(id string) (*Relation, error) {
	if r := e.Relations().Get(id); r != nil {
		return r, nil
	}
	return nil, fmt.Errorf("endpoint %s: %w %q (relations: %s)", e.Name(), ErrUnknownRelation, id, listOrNone(e.Relations().IDs()))
}

// IsJoined reports whether at least one remote unit is joined on one of the
// endpoint's relations.
func (e *Endpoint) IsJoined() bool { return len(e.AllJoinedUnits()) > 0 }

// AllJoinedUnits returns the joined units of every relation, sorted by
// relation id and unit name as strings. A unit related more than once
// appears once per relation.
func (e *Endpoint) AllJoinedUnits() Units {
	var all Units
	for _, r := range e.Relations() {
		all = append(all, r.units...)
	}
	slices.SortStableFunc(all, func(a, b *Unit) int {
		if c := strings.Compare(a.rel.id, b.rel.id); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	return all
}

// Received returns the data of every joined unit combined: for a key set by
// several units, the unit with the lowest relation id and unit name wins
// (AllJoinedUnits().Received).
func (e *Endpoint) Received(ctx context.Context) (Data, error) {
	return e.AllJoinedUnits().Received(ctx)
}

// ClearChanged clears endpoint.<name>.changed and the changed flags of the
// given fields, or of every field whose changed flag is set when none is
// given. An interface layer calls it once it has handled the change.
func (e *Endpoint) ClearChanged(fields ...string) error {
	if e == nil {
		return nil
	}
	h := e.st.h
	names := []string{ChangedFlag(e.name)}
	if len(fields) == 0 {
		prefix := ChangedFlag(e.name) + "."
		for _, f := range h.Flags().List() {
			if strings.HasPrefix(f, prefix) {
				names = append(names, f)
			}
		}
	}
	for _, f := range fields {
		names = append(names, ChangedFieldFlag(e.name, f))
	}
	for _, f := range names {
		if err := h.ClearFlag(f); err != nil {
			return err
		}
	}
	return nil
}

// DepartedUnits returns the units that departed from the endpoint's
// relations and have not been removed since, in the order they departed.
// The list is kept in the unit's store (reactive.endpoints.departed.<name>,
// in charms.reactive's format) across hooks until the charm removes them
// with [Endpoint.RemoveDeparted] or [Endpoint.ClearDeparted].
func (e *Endpoint) DepartedUnits() ([]*DepartedUnit, error) {
	if e == nil {
		return nil, nil
	}
	if err := e.loadDeparted(); err != nil {
		return nil, err
	}
	return slices.Clone(e.departed), nil
}

// RemoveDeparted removes the first departed unit with that name and
// reports whether there was one; the store key is deleted with the last one.
func (e *Endpoint) RemoveDeparted(unit string) (bool, error) {
	if e == nil {
		return false, nil
	}
	if err := e.loadDeparted(); err != nil {
		return false, err
	}
	i := slices.IndexFunc(e.departed, func(d *DepartedUnit) bool { return d.name == unit })
	if i < 0 {
		return false, nil
	}
	e.departed = slices.Delete(e.departed, i, i+1)
	return true, e.saveDeparted()
}

// ClearDeparted removes every departed unit.
func (e *Endpoint) ClearDeparted() error {
	if e == nil {
		return nil
	}
	if err := e.loadDeparted(); err != nil {
		return err
	}
	e.departed = nil
	return e.saveDeparted()
}

// departedRecord is one stored departed unit, in charms.reactive's format.
type departedRecord struct {
	Relation string          `json:"relation"`
	UnitName string          `json:"unit_name"`
	Data     json.RawMessage `json:"data"`
}

func (e *Endpoint) departedKey() string { return DepartedPrefix + e.name }

func (e *Endpoint) loadDeparted() error {
	if e.loaded {
		return nil
	}
	var recs []departedRecord
	key := e.departedKey()
	if _, err := e.st.h.KV().Get(key, &recs); err != nil {
		return fmt.Errorf("endpoint %s: %w: %s does not hold a list of departed units: %w", e.name, ErrBadData, key, err)
	}
	for i, rec := range recs {
		var data map[string]string
		if len(rec.Data) > 0 && string(rec.Data) != "null" {
			if err := json.Unmarshal(rec.Data, &data); err != nil {
				return fmt.Errorf("endpoint %s: %w: %s item %d (%s): %w", e.name, ErrBadData, key, i, rec.UnitName, err)
			}
		}
		if rec.UnitName == "" || rec.Relation == "" {
			return fmt.Errorf("endpoint %s: %w: %s item %d has no unit name or relation", e.name, ErrBadData, key, i)
		}
		e.departed = append(e.departed, &DepartedUnit{relationID: rec.Relation, name: rec.UnitName, data: Data{raw: data}, stored: rec.Data})
	}
	e.loaded = true
	return nil
}

// saveDeparted writes the list, or deletes the key when it is empty.
func (e *Endpoint) saveDeparted() error {
	kv := e.st.h.KV()
	if len(e.departed) == 0 {
		kv.Unset(e.departedKey())
		return nil
	}
	recs := make([]departedRecord, len(e.departed))
	for i, d := range e.departed {
		recs[i] = departedRecord{Relation: d.relationID, UnitName: d.name, Data: d.stored}
		if d.stored == nil {
			// A Go map of strings is encoded with sorted keys, the order in
			// which relation-get prints them and Python keeps them.
			b, err := json.Marshal(d.data.RawMap())
			if err != nil {
				return err
			}
			recs[i].Data = b
		}
	}
	return kv.Set(e.departedKey(), recs)
}

// newEndpoint reads the endpoint's relations and their joined units.
func (st *state) newEndpoint(ctx context.Context, name string) (*Endpoint, error) {
	e := &Endpoint{st: st, name: name}
	ids, err := st.h.Tools().RelationIDs(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("endpoint %s: %w", name, err)
	}
	for i, id := range ids {
		if !strings.Contains(id, ":") {
			ids[i] = name + ":" + id
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		r := &Relation{ep: e, id: id}
		units, err := st.h.Tools().RelationList(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("endpoint %s: %w", name, err)
		}
		slices.Sort(units)
		for _, u := range units {
			r.units = append(r.units, &Unit{rel: r, name: u})
		}
		e.relations = append(e.relations, r)
	}
	return e, nil
}

// hookKind tells whether the hook is one of the endpoint's relation hooks,
// and a -departed one, by its name alone (as charms.reactive).
func (e *Endpoint) hookKind() (relHook, departedHook bool) {
	hook := e.st.h.Name()
	relHook = strings.HasPrefix(hook, e.name+"-relation-")
	return relHook, relHook && strings.HasSuffix(hook, "-departed")
}

// manageDeparted records the departing unit of a -departed hook and drops
// its relation when no unit is left on it.
func (e *Endpoint) manageDeparted(ctx context.Context) error {
	if _, departed := e.hookKind(); !departed {
		return nil
	}
	env := e.st.h.Env()
	rel := e.relations.Get(env.RelationID)
	if rel == nil || env.RemoteUnit == "" {
		// charms.reactive fails here (charms.reactive#161); the flags are
		// still managed below.
		e.st.h.Logger().Warn(fmt.Sprintf("endpoint %s: %s for relation %q and unit %q: not one of the endpoint's relations; the departing unit is not recorded",
			e.name, e.st.h.Name(), env.RelationID, env.RemoteUnit))
		return nil
	}
	if err := e.loadDeparted(); err != nil {
		return err
	}
	raw, err := e.st.h.Tools().RelationGet(ctx, rel.id, false, env.RemoteUnit)
	if err != nil {
		return e.readErr(rel.id, env.RemoteUnit, err)
	}
	e.departed = append(e.departed, &DepartedUnit{relationID: rel.id, name: env.RemoteUnit, data: Data{raw: raw}})
	if err := e.saveDeparted(); err != nil {
		return err
	}
	if len(rel.units) == 0 {
		i := slices.Index(e.relations, rel)
		e.relations = slices.Delete(e.relations, i, i+1)
	}
	return nil
}

// manageFlags sets and clears the endpoint's automatic flags.
func (e *Endpoint) manageFlags(ctx context.Context) error {
	h := e.st.h
	alreadyJoined := h.IsFlagSet(JoinedFlag(e.name))
	relHook, departedHook := e.hookKind()
	joined := e.IsJoined()
	if err := h.ToggleFlag(JoinedFlag(e.name), joined); err != nil {
		return err
	}
	switch {
	case departedHook:
		if err := h.SetFlag(DepartedFlag(e.name)); err != nil {
			return err
		}
	case joined:
		if err := h.ClearFlag(DepartedFlag(e.name)); err != nil {
			return err
		}
	}
	if alreadyJoined && !relHook {
		return nil // the data is not examined: no relation-get
	}
	for _, u := range e.AllJoinedUnits() {
		data, err := u.Received(ctx)
		if err != nil {
			return err
		}
		for _, key := range data.Keys() {
			changed, err := e.dataChanged(u, key, data.raw[key])
			if err != nil {
				return err
			}
			if !changed {
				continue
			}
			if err := h.SetFlag(ChangedFlag(e.name)); err != nil {
				return err
			}
			if err := h.SetFlag(ChangedFieldFlag(e.name, key)); err != nil {
				return err
			}
		}
	}
	return nil
}

// DataChangedID returns the data_changed id under which the layer keeps the
// digest of one field of one unit's data:
// endpoint.<name>.<relation id>.<unit>.<key>, stored under
// reactive.data_changed.<id> as charms.reactive stores it.
func DataChangedID(name, relationID, unit, key string) string {
	return "endpoint." + name + "." + relationID + "." + unit + "." + key
}

// dataChanged compares the value's digest with the stored one and records
// it (charms.reactive's data_changed).
func (e *Endpoint) dataChanged(u *Unit, key, raw string) (bool, error) {
	digest, err := valueDigest(raw)
	if err != nil {
		return false, err
	}
	storeKey := flags.DataChangedPrefix + DataChangedID(e.name, u.rel.id, u.name, key)
	kv := e.st.h.KV()
	var old any
	if _, err := kv.Get(storeKey, &old); err != nil {
		return false, err
	}
	if s, ok := old.(string); ok && s == digest {
		return false, nil
	}
	return true, kv.Set(storeKey, digest)
}

func (e *Endpoint) readErr(relID, member string, err error) error {
	if errors.Is(err, hookenv.ErrBadOutput) {
		return fmt.Errorf("endpoint %s: relation %s: %s's data: %w: %w", e.name, relID, member, ErrBadData, err)
	}
	return fmt.Errorf("endpoint %s: relation %s: reading %s's data: %w", e.name, relID, member, err)
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// Relation is one relation of an endpoint (db:7) in one hook. Every method
// is safe on a nil *Relation.
type Relation struct {
	ep      *Endpoint
	id      string
	units   Units
	appName string
	recvApp *Data
	pub     *Bag
	pubApp  *Bag
}

// ID returns the relation id, "<endpoint>:<number>".
func (r *Relation) ID() string {
	if r == nil {
		return ""
	}
	return r.id
}

// EndpointName returns the name of the relation's endpoint.
func (r *Relation) EndpointName() string {
	if r == nil {
		return ""
	}
	return r.ep.name
}

// Endpoint returns the relation's endpoint.
func (r *Relation) Endpoint() *Endpoint {
	if r == nil {
		return nil
	}
	return r.ep
}

// JoinedUnits returns the remote units joined on the relation, sorted by
// name as strings (app/10 before app/2). In a -departed hook the departing
// unit is no longer among them.
func (r *Relation) JoinedUnits() Units {
	if r == nil {
		return nil
	}
	return slices.Clone(r.units)
}

// Unit returns the joined unit with that name, or an error wrapping
// [ErrUnknownUnit] that lists the joined units.
func (r *Relation) Unit(name string) (*Unit, error) {
	if u := r.JoinedUnits().Get(name); u != nil {
		return u, nil
	}
	return nil, fmt.Errorf("endpoint %s: relation %s: %w: %q is not joined (joined: %s)", r.EndpointName(), r.ID(), ErrUnknownUnit, name, listOrNone(r.JoinedUnits().Names()))
}

// ApplicationName returns the name of the remote application: the
// application of the first joined unit; with no joined unit, JUJU_REMOTE_APP
// when this is the hook's relation, the local application for a peer
// relation, else what relation-list --app prints. (charms.reactive answers
// the local application whenever no unit is joined, charms.reactive#243.)
func (r *Relation) ApplicationName(ctx context.Context) (string, error) {
	if r == nil {
		return "", nil
	}
	if r.appName != "" {
		return r.appName, nil
	}
	st := r.ep.st
	env := st.h.Env()
	switch {
	case len(r.units) > 0:
		r.appName = r.units[0].ApplicationName()
	case env.RelationID == r.id && env.RemoteApp != "":
		r.appName = env.RemoteApp
	case st.roles[r.ep.name] == "peers":
		r.appName = env.AppName
	default:
		app, err := st.h.Tools().RelationApp(ctx, r.id)
		if err != nil {
			return "", fmt.Errorf("endpoint %s: relation %s: finding the remote application: %w", r.ep.name, r.id, err)
		}
		r.appName = app
	}
	return r.appName, nil
}

// ReceivedApp returns the remote application's data bag (received_app),
// read once per hook. A bag never written is empty. On a peer relation the
// remote application is this unit's own: on the leader, once it has asked
// for [Relation.ToPublishApp], ReceivedApp shows that bag with this hook's
// changes, as upstream (whose two views share one dictionary) does.
func (r *Relation) ReceivedApp(ctx context.Context) (Data, error) {
	if r == nil {
		return Data{}, nil
	}
	app, err := r.ApplicationName(ctx)
	if err != nil {
		return Data{}, err
	}
	if r.pubApp != nil && app == r.ep.st.h.Env().AppName {
		return r.pubApp.Data(), nil
	}
	if r.recvApp != nil {
		return *r.recvApp, nil
	}
	raw, err := r.ep.st.h.Tools().RelationGet(ctx, r.id, true, app)
	if err != nil {
		return Data{}, r.ep.readErr(r.id, app, err)
	}
	r.recvApp = &Data{raw: raw}
	return *r.recvApp, nil
}

// ToPublish returns this unit's bag on the relation (to_publish and
// to_publish_raw), read once per hook; its changes are published when the
// hook succeeds.
func (r *Relation) ToPublish(ctx context.Context) (*Bag, error) {
	if r == nil {
		return nil, fmt.Errorf("endpoint: %w: nil relation", ErrUnknownRelation)
	}
	if r.pub == nil {
		h := r.ep.st.h
		raw, err := h.Tools().RelationGet(ctx, r.id, false, h.Env().UnitName)
		if err != nil {
			return nil, r.ep.readErr(r.id, h.Env().UnitName, err)
		}
		r.pub = newBag(r.id, false, raw)
	}
	return r.pub, nil
}

// ToPublishApp returns the local application's bag on the relation
// (to_publish_app and to_publish_app_raw), read once per hook; its changes
// are published when the hook succeeds. Only the leader has it: on another
// unit it returns an error wrapping [ErrNotLeader] before any relation tool
// runs (it asks is-leader unless the hook already knows the answer, through
// the leadership layer). Publishing checks leadership again, so a lease
// lost in the meantime fails the hook rather than being ignored.
func (r *Relation) ToPublishApp(ctx context.Context) (*Bag, error) {
	if r == nil {
		return nil, fmt.Errorf("endpoint: %w: nil relation", ErrUnknownRelation)
	}
	if r.pubApp == nil {
		st := r.ep.st
		if err := st.leaderTracker().RequireLeader(ctx); err != nil {
			return nil, fmt.Errorf("endpoint %s: relation %s: the application's bag: %w", r.ep.name, r.id, err)
		}
		app := st.h.Env().AppName
		if r.recvApp != nil && r.appName == app {
			// A peer relation's bag, already read through ReceivedApp.
			r.pubApp = newBag(r.id, true, r.recvApp.RawMap())
			return r.pubApp, nil
		}
		raw, err := st.h.Tools().RelationGet(ctx, r.id, true, app)
		if err != nil {
			return nil, r.ep.readErr(r.id, app, err)
		}
		r.pubApp = newBag(r.id, true, raw)
	}
	return r.pubApp, nil
}

// flush is the relation's exit callback: it publishes the modified bags,
// the unit's first (charms.reactive's _flush_data).
func (r *Relation) flush(ctx context.Context, h *reactive.Hook) error {
	if r.pub != nil && r.pub.Modified() {
		if err := h.Tools().RelationSet(ctx, r.id, false, r.pub.changes()); err != nil {
			return fmt.Errorf("endpoint %s: publishing on %s: %w", r.ep.name, r.id, err)
		}
	}
	if r.pubApp != nil && r.pubApp.Modified() {
		if h.Tools().Leader == nil {
			// Tools checks its own tracker; without one, the layer's.
			if err := r.ep.st.leaderTracker().RequireLeader(ctx); err != nil {
				return fmt.Errorf("endpoint %s: publishing the application's bag on %s: %w", r.ep.name, r.id, err)
			}
		}
		if err := h.Tools().RelationSet(ctx, r.id, true, r.pubApp.changes()); err != nil {
			return fmt.Errorf("endpoint %s: publishing the application's bag on %s: %w", r.ep.name, r.id, err)
		}
	}
	return nil
}

// Relations is a list of relations with lookups by id.
type Relations []*Relation

// IDs returns the relation ids, in order; nil for none.
func (rs Relations) IDs() []string {
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.id)
	}
	return ids
}

// Get returns the first relation with the id, or nil.
func (rs Relations) Get(id string) *Relation {
	for _, r := range rs {
		if r.id == id {
			return r
		}
	}
	return nil
}

// Unit is a remote unit joined on a relation. Every method is safe on a nil
// *Unit.
type Unit struct {
	rel  *Relation
	name string
	data *Data
}

// Name returns the unit's name (mysql/0).
func (u *Unit) Name() string {
	if u == nil {
		return ""
	}
	return u.name
}

// ApplicationName returns the application part of the unit's name.
func (u *Unit) ApplicationName() string {
	app, _, _ := strings.Cut(u.Name(), "/")
	return app
}

// Relation returns the relation the unit is joined on.
func (u *Unit) Relation() *Relation {
	if u == nil {
		return nil
	}
	return u.rel
}

// Received returns the unit's data bag on the relation (received and
// received_raw), read once per hook.
func (u *Unit) Received(ctx context.Context) (Data, error) {
	if u == nil {
		return Data{}, nil
	}
	if u.data == nil {
		raw, err := u.rel.ep.st.h.Tools().RelationGet(ctx, u.rel.id, false, u.name)
		if err != nil {
			return Data{}, u.rel.ep.readErr(u.rel.id, u.name, err)
		}
		u.data = &Data{raw: raw}
	}
	return *u.data, nil
}

// Units is a list of units with lookups by name and their combined data.
type Units []*Unit

// Names returns the unit names, in order, nil for none (a name may repeat in
// [Endpoint.AllJoinedUnits]).
func (us Units) Names() []string {
	var names []string
	for _, u := range us {
		names = append(names, u.name)
	}
	return names
}

// Get returns the first unit with the name, or nil.
func (us Units) Get(name string) *Unit {
	for _, u := range us {
		if u.name == name {
			return u
		}
	}
	return nil
}

// Received returns the units' data combined: for a key set by several
// units, the first unit of the list (the lowest relation id and unit name)
// wins.
func (us Units) Received(ctx context.Context) (Data, error) {
	out := map[string]string{}
	for _, u := range us {
		d, err := u.Received(ctx)
		if err != nil {
			return Data{}, err
		}
		for k, v := range d.raw {
			if _, seen := out[k]; !seen {
				out[k] = v
			}
		}
	}
	return Data{raw: out}, nil
}

// DepartedUnit is a unit that departed from one of the endpoint's
// relations, with the data it had when it departed.
type DepartedUnit struct {
	relationID string
	name       string
	data       Data
	stored     json.RawMessage // the data as stored, kept byte for byte
}

// Name returns the unit's name.
func (d *DepartedUnit) Name() string { return d.name }

// ApplicationName returns the application part of the unit's name.
func (d *DepartedUnit) ApplicationName() string {
	app, _, _ := strings.Cut(d.name, "/")
	return app
}

// RelationID returns the id of the relation it departed from (which may be
// gone).
func (d *DepartedUnit) RelationID() string { return d.relationID }

// Received returns the unit's data as it was when it departed.
func (d *DepartedUnit) Received() Data { return d.data }
