package endpoint_test

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/charmkit/charmkit/endpoint"
	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/testing/charmtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const wpMetadata = `name: wp
requires:
  db:
    interface: mysql
`

// view is what a probe saw of one endpoint right after the layer started.
type view struct {
	started   bool
	relations []string
	joined    []string // relation/unit
	departed  []string // relation/unit
	appName   map[string]string
}

// probed registers the endpoint layer (opts) and a start callback after it
// that records what the hook sees of endpoint name.
func probed(name string, opts *endpoint.Options, v *view) func(*reactive.Registry) {
	return func(r *reactive.Registry) {
		endpoint.Register(r, opts)
		r.AtStart("probe", func(ctx context.Context, h *reactive.Hook) error {
			*v = view{}
			ep := endpoint.FromName(h, name)
			if ep == nil {
				return nil
			}
			v.started = true
			v.relations = ep.Relations().IDs()
			for _, u := range ep.AllJoinedUnits() {
				v.joined = append(v.joined, u.Relation().ID()+"/"+u.Name())
			}
			ds, err := ep.DepartedUnits()
			if err != nil {
				return err
			}
			for _, d := range ds {
				v.departed = append(v.departed, d.RelationID()+"/"+d.Name())
			}
			v.appName = map[string]string{}
			for _, rel := range ep.Relations() {
				app, err := rel.ApplicationName(ctx)
				if err != nil {
					return err
				}
				v.appName[rel.ID()] = app
			}
			return nil
		})
	}
}

func addresses(ip string) map[string]string {
	return map[string]string{"private-address": ip, "ingress-address": ip, "egress-subnets": ip + "/32"}
}

func with(m map[string]string, kv ...string) map[string]string {
	m = maps.Clone(m)
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func sorted(s []string) []string {
	if s == nil {
		return nil
	}
	return slices.Sorted(slices.Values(s))
}

func without(flagList []string, drop ...string) []string {
	return slices.DeleteFunc(slices.Clone(flagList), func(f string) bool { return slices.Contains(drop, f) })
}

// TestWalkthrough follows unit wp/0's endpoint db through one relation's
// life, db:7 with mysql/0 and mysql/1, hook by hook: the flags the layer
// leaves when it has started, what the hook sees, and what it stores
// (docs/endpoint.md, "Walk-through").
func TestWalkthrough(t *testing.T) {
	t.Parallel()
	const (
		joined   = "endpoint.db.joined"
		changed  = "endpoint.db.changed"
		departed = "endpoint.db.departed"
	)
	field := func(f string) string { return endpoint.ChangedFieldFlag("db", f) }
	addr0, addr1 := addresses("10.0.0.10"), addresses("10.0.0.11")
	type step struct {
		hook, remote string
		before       func(u *charmtest.Unit) // Juju's side and handlers' clears before the hook
		flags        []string
		relations    []string
		joined       []string
		departed     []string
		relationGets int // relation-get calls the layer makes at hook start
	}
	units := func(u *charmtest.Unit, bags map[string]map[string]string) { u.Relations[0].Units = bags }
	steps := []step{
		{hook: "db-relation-created", flags: nil, relations: []string{"db:7"}},
		{hook: "db-relation-joined", remote: "mysql/0",
			before: func(u *charmtest.Unit) {
				units(u, map[string]map[string]string{"mysql/0": with(addr0, "host", "10.0.0.10")})
			},
			flags:     []string{changed, field("egress-subnets"), field("host"), field("ingress-address"), field("private-address"), joined},
			relations: []string{"db:7"}, joined: []string{"db:7/mysql/0"}, relationGets: 1},
		{hook: "db-relation-changed", remote: "mysql/0",
			before: func(u *charmtest.Unit) {
				u.Flags = without(u.Flags, changed, field("egress-subnets"), field("host"), field("ingress-address"), field("private-address"))
			},
			flags: []string{joined}, relations: []string{"db:7"}, joined: []string{"db:7/mysql/0"}, relationGets: 1},
		{hook: "db-relation-joined", remote: "mysql/1",
			before:    func(u *charmtest.Unit) { u.Relations[0].Units["mysql/1"] = addr1 },
			flags:     []string{changed, field("egress-subnets"), field("ingress-address"), field("private-address"), joined},
			relations: []string{"db:7"}, joined: []string{"db:7/mysql/0", "db:7/mysql/1"}, relationGets: 2},
		{hook: "update-status",
			before:    func(u *charmtest.Unit) { u.Relations[0].Units["mysql/1"] = with(addr1, "host", "10.0.0.11") },
			flags:     []string{changed, field("egress-subnets"), field("ingress-address"), field("private-address"), joined},
			relations: []string{"db:7"}, joined: []string{"db:7/mysql/0", "db:7/mysql/1"}, relationGets: 0},
		{hook: "db-relation-changed", remote: "mysql/1",
			flags:     []string{changed, field("egress-subnets"), field("host"), field("ingress-address"), field("private-address"), joined},
			relations: []string{"db:7"}, joined: []string{"db:7/mysql/0", "db:7/mysql/1"}, relationGets: 2},
		{hook: "db-relation-changed", remote: "mysql/0",
			before: func(u *charmtest.Unit) {
				u.Relations[0].Units["mysql/0"] = with(u.Relations[0].Units["mysql/0"], "port", "3306")
			},
			flags:     []string{changed, field("egress-subnets"), field("host"), field("ingress-address"), field("port"), field("private-address"), joined},
			relations: []string{"db:7"}, joined: []string{"db:7/mysql/0", "db:7/mysql/1"}, relationGets: 2},
		{hook: "db-relation-changed", remote: "mysql/0",
			before: func(u *charmtest.Unit) {
				delete(u.Relations[0].Units["mysql/0"], "port")
				u.Flags = without(u.Flags, changed, field("port"))
			},
			flags:     []string{field("egress-subnets"), field("host"), field("ingress-address"), field("private-address"), joined},
			relations: []string{"db:7"}, joined: []string{"db:7/mysql/0", "db:7/mysql/1"}, relationGets: 2},
		{hook: "db-relation-departed", remote: "mysql/1",
			flags:     []string{departed, field("egress-subnets"), field("host"), field("ingress-address"), field("private-address"), joined},
			relations: []string{"db:7"}, joined: []string{"db:7/mysql/0"}, departed: []string{"db:7/mysql/1"}, relationGets: 2},
		{hook: "db-relation-departed", remote: "mysql/0",
			before:    func(u *charmtest.Unit) { delete(u.Relations[0].Units, "mysql/1") },
			flags:     []string{departed, field("egress-subnets"), field("host"), field("ingress-address"), field("private-address")},
			relations: nil, departed: []string{"db:7/mysql/1", "db:7/mysql/0"}, relationGets: 1},
		{hook: "db-relation-broken",
			before:    func(u *charmtest.Unit) { delete(u.Relations[0].Units, "mysql/0") },
			flags:     []string{departed, field("egress-subnets"), field("host"), field("ingress-address"), field("private-address")},
			relations: []string{"db:7"}, departed: []string{"db:7/mysql/1", "db:7/mysql/0"}},
		{hook: "update-status",
			flags:     []string{departed, field("egress-subnets"), field("host"), field("ingress-address"), field("private-address")},
			relations: []string{"db:7"}, departed: []string{"db:7/mysql/1", "db:7/mysql/0"}},
	}
	u := charmtest.Unit{Name: "wp/0",
		Files:     map[string]string{"metadata.yaml": wpMetadata},
		Relations: []charmtest.Relation{{ID: "db:7", RemoteApp: "mysql", LocalData: addresses("10.0.0.2")}},
	}
	for i, s := range steps {
		if s.before != nil {
			s.before(&u)
		}
		u.Env = charmtest.HookEnv{RemoteUnit: s.remote}
		var v view
		out := u.Run(t, probed("db", nil, &v), s.hook)
		require.NoError(t, out.Err, "row %d %s", i+1, s.hook)
		assert.Equal(t, sorted(s.flags), out.Flags, "row %d %s: flags", i+1, s.hook)
		assert.Equal(t, s.relations, v.relations, "row %d %s: relations", i+1, s.hook)
		assert.Equal(t, s.joined, v.joined, "row %d %s: joined units", i+1, s.hook)
		assert.Equal(t, s.departed, v.departed, "row %d %s: departed units", i+1, s.hook)
		assert.Len(t, out.CallsTo("relation-get"), s.relationGets, "row %d %s: relation-get calls", i+1, s.hook)
		assert.Empty(t, out.CallsTo("relation-set"), "row %d: nothing published", i+1)
		u = out.Unit
	}
	// The departed units are kept in charms.reactive's format, the data as
	// relation-get printed it.
	assert.Equal(t, `[{"relation": "db:7", "unit_name": "mysql/1", "data": {"egress-subnets": "10.0.0.11/32", "host": "10.0.0.11", "ingress-address": "10.0.0.11", "private-address": "10.0.0.11"}}, `+
		`{"relation": "db:7", "unit_name": "mysql/0", "data": {"egress-subnets": "10.0.0.10/32", "host": "10.0.0.10", "ingress-address": "10.0.0.10", "private-address": "10.0.0.10"}}]`,
		u.KV["reactive.endpoints.departed.db"])
}
