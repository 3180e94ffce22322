package endpoint_test

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/charmkit/charmkit/endpoint"
	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/testing/charmtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fixture of the endpoint rows (docs/design.md, "Endpoint rows (EP1–EP19)"):
// unit local/0 of application local; endpoint test-endpoint has two
// relations with application unit, the others none; two units departed
// earlier (unit/3 from test-endpoint:1, unit/4 from test-endpoint:2, a
// relation that is gone).
const fixtureMetadata = `name: local
requires:
  test-rel:
    interface: test
  test-endpoint:
    interface: test-alt
  test-endpoint2:
    interface: test-alt
  test-endpoint3:
    interface: test-alt
`

const fixtureDeparted = `[{"relation": "test-endpoint:1", "unit_name": "unit/3", "data": {"departed": "true"}}, ` +
	`{"relation": "test-endpoint:2", "unit_name": "unit/4", "data": {"departed": "true"}}]`

func fixture() charmtest.Unit {
	return charmtest.Unit{
		Name: "local/0",
		// The fixture holds the local application's bag, which only a leader
		// can read on a relation with another application.
		Leader: true,
		Files:  map[string]string{"metadata.yaml": fixtureMetadata},
		KV:     map[string]string{"reactive.endpoints.departed.test-endpoint": fixtureDeparted},
		Relations: []charmtest.Relation{
			{ID: "test-endpoint:0", RemoteApp: "unit",
				Units:         map[string]map[string]string{"unit/0": {"foo": "yes"}, "unit/1": {}},
				LocalData:     map[string]string{"key": "value"},
				AppData:       map[string]string{"app-key": "value"},
				RemoteAppData: map[string]string{"simple": "value", "complex": "[1, 2]"}},
			{ID: "test-endpoint:1", RemoteApp: "unit",
				Units: map[string]map[string]string{"unit/0": {"bar": "[1, 2]"}, "unit/1": {"foo": "no"}}},
		},
	}
}

// probe runs one hook of u with the endpoint layer, extra registrations,
// and fn as a start callback right after the layer's.
func probe(t *testing.T, u charmtest.Unit, hook string, fn func(ctx context.Context, h *reactive.Hook) error, extra ...func(*reactive.Registry)) charmtest.Result {
	t.Helper()
	out := u.Run(t, func(r *reactive.Registry) {
		endpoint.Register(r, nil)
		if fn != nil {
			r.AtStart("probe", fn)
		}
		for _, e := range extra {
			e(r)
		}
	}, hook)
	return out
}

// forgetDigests removes the layer's data digests from u's store, so that
// every value counts as changed in the next hook (upstream's tests mock
// data_changed to answer true).
func forgetDigests(u charmtest.Unit) charmtest.Unit {
	u.KV = maps.Clone(u.KV)
	for k := range u.KV {
		if strings.HasPrefix(k, flags.DataChangedPrefix+"endpoint.") {
			delete(u.KV, k)
		}
	}
	return u
}

func clearFlags(u charmtest.Unit, names ...string) charmtest.Unit {
	u.Flags = without(u.Flags, names...)
	return u
}

// EP1, EP11: looking an endpoint up by name.
func TestEP1_FromName(t *testing.T) {
	t.Parallel()
	out := probe(t, fixture(), "upgrade-charm", func(ctx context.Context, h *reactive.Hook) error {
		ep := endpoint.FromName(h, "test-endpoint")
		require.NotNil(t, ep)
		assert.Equal(t, "test-endpoint", ep.Name())
		assert.Same(t, ep, endpoint.FromName(h, "test-endpoint"))
		assert.Nil(t, endpoint.FromName(h, "bar"))
		_, err := endpoint.Get(h, "bar")
		assert.ErrorIs(t, err, endpoint.ErrUnknownEndpoint)
		return nil
	})
	require.NoError(t, out.Err)
}

// EP2, EP12: looking an endpoint up by flag.
func TestEP2_FromFlag(t *testing.T) {
	t.Parallel()
	out := probe(t, fixture(), "upgrade-charm", func(ctx context.Context, h *reactive.Hook) error {
		ep := endpoint.FromName(h, "test-endpoint")
		assert.Nil(t, endpoint.FromFlag(h, "test-endpoint"), "no dot")
		assert.Nil(t, endpoint.FromFlag(h, "bar.qux.zod"), "unset")
		assert.Nil(t, endpoint.FromFlag(h, "endpoint.test-endpoint.qux"), "unset")
		require.NoError(t, h.SetFlag("endpoint.test-endpoint.qux"))
		assert.Same(t, ep, endpoint.FromFlag(h, "endpoint.test-endpoint.qux"))
		require.NoError(t, h.SetFlag("test-endpoint.qux"))
		assert.Same(t, ep, endpoint.FromFlag(h, "test-endpoint.qux"), "without the endpoint. prefix")
		require.NoError(t, h.SetFlag("bar.qux"))
		assert.Nil(t, endpoint.FromFlag(h, "bar.qux"), "set, but no such endpoint")
		return nil
	})
	require.NoError(t, out.Err)
}

// aliasTriggers registers, for each test-alt endpoint, joined → set
// alias.<name>.joined and not joined → clear it (upstream's
// register_triggers in the fixture).
func aliasTriggers(r *reactive.Registry) {
	for _, n := range []string{"test-endpoint", "test-endpoint2", "test-endpoint3"} {
		r.RegisterTrigger(flags.Trigger{When: endpoint.JoinedFlag(n), SetFlag: "alias." + n + ".joined"})
		r.RegisterTrigger(flags.Trigger{WhenNot: endpoint.JoinedFlag(n), ClearFlag: "alias." + n + ".joined"})
	}
}

// EP3: the start of a hook, phase by phase.
func TestEP3_Startup(t *testing.T) {
	t.Parallel()
	const (
		joined  = "endpoint.test-endpoint.joined"
		changed = "endpoint.test-endpoint.changed"
		foo     = "endpoint.test-endpoint.changed.foo"
	)
	// EP3a: before the first hook none of the flags is set.
	u := fixture()
	assert.Empty(t, u.Flags)

	// EP3b: triggers see the layer's flag changes; endpoints exist for every
	// relation of the metadata; the relations' publishing runs last in,
	// first out.
	u.Flags = []string{"alias.test-endpoint2.joined", "endpoint.test-endpoint2.joined"}
	var names []string
	out := probe(t, u, "upgrade-charm", func(ctx context.Context, h *reactive.Hook) error {
		names = endpoint.Names(h)
		ep, ep2 := endpoint.FromName(h, "test-endpoint"), endpoint.FromName(h, "test-endpoint2")
		assert.True(t, ep.IsJoined())
		assert.False(t, ep2.IsJoined())
		assert.Equal(t, "test-endpoint2", ep2.Name())
		for _, rel := range ep.Relations() {
			pub, err := rel.ToPublish(ctx)
			require.NoError(t, err)
			require.NoError(t, pub.SetRaw("order", rel.ID()))
		}
		return nil
	}, aliasTriggers)
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"test-endpoint", "test-endpoint2", "test-endpoint3", "test-rel"}, names)
	assert.Equal(t, []string{"alias.test-endpoint.joined", changed, "endpoint.test-endpoint.changed.bar", foo, joined}, out.Flags,
		"alias.test-endpoint2.joined cleared by its trigger, alias.test-endpoint3.joined never set")
	var order []string
	for _, c := range out.CallsTo("relation-set") {
		order = append(order, c.Args[1])
	}
	assert.Equal(t, []string{"test-endpoint:1", "test-endpoint:0"}, order, "exit callbacks run last in, first out")

	// EP3c: already joined and not a relation hook of the endpoint: the data
	// is not examined, not even read.
	u = forgetDigests(clearFlags(out.Unit, changed, foo))
	out = probe(t, u, "upgrade-charm", nil)
	require.NoError(t, out.Err)
	assert.False(t, out.HasFlag(changed))
	assert.False(t, out.HasFlag(foo))
	assert.Empty(t, out.CallsTo("relation-get"))

	// EP3d: in a relation hook of the endpoint the data is examined.
	out = probe(t, forgetDigests(clearFlags(out.Unit, changed, foo)), "test-endpoint-relation-joined", nil)
	require.NoError(t, out.Err)
	assert.True(t, out.HasFlag(changed))
	assert.True(t, out.HasFlag(foo))

	// EP3e: not joined before the hook: examined in any hook.
	out = probe(t, forgetDigests(clearFlags(out.Unit, joined, changed, foo)), "upgrade-charm", nil)
	require.NoError(t, out.Err)
	assert.True(t, out.HasFlag(changed))
	assert.True(t, out.HasFlag(foo))

	// EP3f: examined, but nothing changed since the digests were stored.
	out = probe(t, clearFlags(out.Unit, joined, changed, foo), "upgrade-charm", nil)
	require.NoError(t, out.Err)
	assert.True(t, out.HasFlag(joined))
	assert.False(t, out.HasFlag(changed))
	assert.False(t, out.HasFlag(foo))
}

// EP4: relations and units, in order, with lookups.
func TestEP4_Collections(t *testing.T) {
	t.Parallel()
	out := probe(t, fixture(), "upgrade-charm", func(ctx context.Context, h *reactive.Hook) error {
		tep := endpoint.FromName(h, "test-endpoint")
		rels := tep.Relations()
		require.Len(t, rels, 2)
		assert.Len(t, rels[0].JoinedUnits(), 2)
		assert.Len(t, rels[1].JoinedUnits(), 2)
		assert.Equal(t, "test-endpoint:0", rels.Get("test-endpoint:0").ID())
		all := tep.AllJoinedUnits()
		assert.Equal(t, []string{"unit/0", "unit/1", "unit/0", "unit/1"}, all.Names())
		assert.Same(t, rels[0].JoinedUnits()[0], all.Get("unit/0"), "the first unit of that name")
		assert.Equal(t, "unit/1", rels[0].JoinedUnits().Get("unit/1").Name())
		assert.Equal(t, "test-endpoint", rels[0].EndpointName())
		assert.Same(t, tep, rels[0].Endpoint())
		app, err := rels[0].ApplicationName(ctx)
		require.NoError(t, err)
		assert.Equal(t, "unit", app)
		assert.Equal(t, "unit", rels[0].JoinedUnits()[0].ApplicationName())
		assert.Equal(t, []string{"unit/0", "unit/1"}, rels[0].JoinedUnits().Names())
		assert.Equal(t, []string{"test-endpoint:0", "test-endpoint:1"}, rels.IDs())
		return nil
	})
	require.NoError(t, out.Err)
}

// EP5: departed units.
func TestEP5_Departed(t *testing.T) {
	t.Parallel()
	u := fixture()
	delete(u.Relations[0].Units, "unit/1")
	delete(u.Relations[1].Units, "unit/0")
	u.Relations[0].Units["unit/2"] = map[string]string{"departed": "yes"}
	u.Env = charmtest.HookEnv{RelationID: "test-endpoint:0", RemoteUnit: "unit/2"}
	out := probe(t, u, "test-endpoint-relation-departed", func(ctx context.Context, h *reactive.Hook) error {
		tep := endpoint.FromName(h, "test-endpoint")
		// EP5a
		assert.Equal(t, []string{"test-endpoint:0", "test-endpoint:1"}, tep.Relations().IDs())
		assert.ElementsMatch(t, []string{"unit/0", "unit/1"}, tep.AllJoinedUnits().Names())
		ds, err := tep.DepartedUnits()
		require.NoError(t, err)
		var names []string
		for _, d := range ds {
			names = append(names, d.Name())
		}
		assert.Equal(t, []string{"unit/3", "unit/4", "unit/2"}, names)
		raw, _ := ds[2].Received().Raw("departed")
		assert.Equal(t, "yes", raw)
		assert.Equal(t, true, ds[0].Received().Get("departed"))
		// EP5b
		assert.JSONEq(t, `[{"relation": "test-endpoint:1", "unit_name": "unit/3", "data": {"departed": "true"}},
			{"relation": "test-endpoint:2", "unit_name": "unit/4", "data": {"departed": "true"}},
			{"relation": "test-endpoint:0", "unit_name": "unit/2", "data": {"departed": "yes"}}]`, storedDeparted(t, h))
		// EP5c
		ok, err := tep.RemoveDeparted("unit/3")
		require.NoError(t, err)
		assert.True(t, ok)
		assert.JSONEq(t, `[{"relation": "test-endpoint:2", "unit_name": "unit/4", "data": {"departed": "true"}},
			{"relation": "test-endpoint:0", "unit_name": "unit/2", "data": {"departed": "yes"}}]`, storedDeparted(t, h))
		// EP5d
		for _, n := range []string{"unit/2", "unit/4"} {
			ok, err := tep.RemoveDeparted(n)
			require.NoError(t, err)
			assert.True(t, ok)
		}
		ok, err = tep.RemoveDeparted("unit/4")
		require.NoError(t, err)
		assert.False(t, ok)
		assert.False(t, h.KV().Has(endpoint.DepartedPrefix+"test-endpoint"), "the key goes with the last unit")
		return nil
	})
	require.NoError(t, out.Err)
	assert.True(t, out.HasFlag("endpoint.test-endpoint.departed"))
	assert.NotContains(t, out.KV, endpoint.DepartedPrefix+"test-endpoint")

	// EP5e: the last unit of test-endpoint:1 departs: the relation is gone
	// from the endpoint's relations in that hook.
	u = out.Unit
	u.Relations[1].Units["unit/1"] = map[string]string{"departed": "yes"}
	u.Env = charmtest.HookEnv{RelationID: "test-endpoint:1", RemoteUnit: "unit/1"}
	out = probe(t, u, "test-endpoint-relation-departed", func(ctx context.Context, h *reactive.Hook) error {
		assert.Equal(t, []string{"test-endpoint:0"}, endpoint.FromName(h, "test-endpoint").Relations().IDs())
		return nil
	})
	require.NoError(t, out.Err)
	assert.Equal(t, `[{"relation": "test-endpoint:1", "unit_name": "unit/1", "data": {"departed": "yes"}}]`,
		out.KV[endpoint.DepartedPrefix+"test-endpoint"])
}

func storedDeparted(t *testing.T, h *reactive.Hook) string {
	t.Helper()
	raw, ok := h.KV().GetRaw(endpoint.DepartedPrefix + "test-endpoint")
	require.True(t, ok)
	return raw
}

// EP6: received data, per unit, per relation and combined; read-only.
func TestEP6_Receive(t *testing.T) {
	t.Parallel()
	out := probe(t, fixture(), "upgrade-charm", func(ctx context.Context, h *reactive.Hook) error {
		tep := endpoint.FromName(h, "test-endpoint")
		rels := tep.Relations()
		recv := func(d endpoint.Data, err error) endpoint.Data {
			t.Helper()
			require.NoError(t, err)
			return d
		}
		all := recv(tep.Received(ctx))
		assert.Equal(t, map[string]string{"foo": "yes", "bar": "[1, 2]"}, all.RawMap(), "the lowest relation and unit wins foo")
		assert.Equal(t, map[string]any{"foo": "yes", "bar": []any{int64(1), int64(2)}}, all.Map())
		assert.Equal(t, map[string]string{"foo": "yes"}, recv(rels[0].JoinedUnits().Received(ctx)).RawMap())
		assert.Equal(t, map[string]string{"foo": "no", "bar": "[1, 2]"}, recv(rels[1].JoinedUnits().Received(ctx)).RawMap())
		assert.Equal(t, map[string]any{"foo": "no", "bar": []any{int64(1), int64(2)}}, recv(rels[1].JoinedUnits().Received(ctx)).Map())
		for i, want := range []map[string]string{{"foo": "yes"}, {}, {"bar": "[1, 2]"}, {"foo": "no"}} {
			u := tep.AllJoinedUnits()[i]
			assert.Equal(t, want, recv(u.Received(ctx)).RawMap(), u.Name())
		}
		raw, ok := all.Raw("bar")
		assert.True(t, ok)
		assert.Equal(t, "[1, 2]", raw)
		assert.Equal(t, []any{int64(1), int64(2)}, all.Get("bar"))
		var bar []int
		ok, err := all.Decode("bar", &bar)
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, []int{1, 2}, bar)
		_, ok = all.Raw("none")
		assert.False(t, ok)
		assert.Nil(t, all.Get("none"))
		_, ok = all.Lookup("none")
		assert.False(t, ok, "a default applies")
		// Read-only: the views have no setter, and what they return is a copy.
		m := all.RawMap()
		m["foo"] = "nope"
		d := all.Map()
		d["foo"] = "nope"
		assert.Equal(t, "yes", all.Get("foo"))
		again := recv(rels[0].JoinedUnits()[0].Received(ctx))
		assert.Equal(t, "yes", again.Get("foo"))
		return nil
	})
	require.NoError(t, out.Err)
	assert.Len(t, out.CallsTo("relation-get"), 4, "each unit's bag is read once per hook")
}

// EP7: the remote application's data; read-only.
func TestEP7_ReceiveApp(t *testing.T) {
	t.Parallel()
	out := probe(t, fixture(), "upgrade-charm", func(ctx context.Context, h *reactive.Hook) error {
		rels := endpoint.FromName(h, "test-endpoint").Relations()
		d0, err := rels[0].ReceivedApp(ctx)
		require.NoError(t, err)
		d1, err := rels[1].ReceivedApp(ctx)
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"simple": "value", "complex": "[1, 2]"}, d0.RawMap())
		assert.Equal(t, map[string]string{}, d1.RawMap())
		assert.Equal(t, map[string]any{"simple": "value", "complex": []any{int64(1), int64(2)}}, d0.Map())
		assert.Equal(t, map[string]any{}, d1.Map())
		m := d0.RawMap()
		m["simple"] = "nope"
		again, err := rels[0].ReceivedApp(ctx)
		require.NoError(t, err)
		assert.Equal(t, "value", again.Get("simple"))
		return nil
	})
	require.NoError(t, out.Err)
}

// publishCase runs one hook whose probe changes a bag (the unit's, or with
// app the application's, of test-endpoint:0) and returns the result.
func publishCase(t *testing.T, u charmtest.Unit, app bool, change func(b *endpoint.Bag)) charmtest.Result {
	t.Helper()
	out := probe(t, u, "upgrade-charm", func(ctx context.Context, h *reactive.Hook) error {
		rel := endpoint.FromName(h, "test-endpoint").Relations()[0]
		b, err := rel.ToPublish(ctx)
		if app {
			b, err = rel.ToPublishApp(ctx)
		}
		if err != nil {
			return err
		}
		change(b)
		return nil
	})
	require.NoError(t, out.Err)
	return out
}

// testPublish is EP8 (app false) and EP9 (app true).
func testPublish(t *testing.T, u charmtest.Unit, app bool, key string) {
	bag := func(r charmtest.Result) map[string]string {
		if app {
			return r.Relations[0].AppData
		}
		return r.Relations[0].LocalData
	}
	// a: the bag as Juju holds it; nothing published without a change.
	out := publishCase(t, u, app, func(b *endpoint.Bag) {
		assert.Equal(t, map[string]string{key: "value"}, b.Data().RawMap())
		assert.False(t, b.Modified())
	})
	assert.Empty(t, out.CallsTo("relation-set"))

	// b: a raw value is published as it is, in one relation-set.
	out = publishCase(t, u, app, func(b *endpoint.Bag) { require.NoError(t, b.SetRaw(key, "new-value")) })
	calls := out.CallsTo("relation-set")
	require.Len(t, calls, 1)
	assert.Equal(t, `{"`+key+`":"new-value"}`+"\n", calls[0].Stdin)
	assert.Equal(t, app, strings.Contains(calls[0].String(), "--app"))
	assert.Equal(t, map[string]string{key: "new-value"}, bag(out))

	// c: a value is published as JSON with sorted keys.
	out = publishCase(t, u, app, func(b *endpoint.Bag) { require.NoError(t, b.Set(key, map[string]string{"new": "complex"})) })
	require.Len(t, out.CallsTo("relation-set"), 1)
	assert.Equal(t, map[string]string{key: `{"new": "complex"}`}, bag(out))

	// d: updates, raw and JSON.
	publishCase(t, u, app, func(b *endpoint.Bag) {
		require.NoError(t, b.SetRaw(key, "new-new"))
		assert.Equal(t, map[string]string{key: "new-new"}, b.Data().RawMap())
		require.NoError(t, b.Update(map[string]any{key: map[string]any{"new": "new"}}))
		assert.Equal(t, map[string]string{key: `{"new": "new"}`}, b.Data().RawMap())
		assert.Equal(t, map[string]any{"new": "new"}, b.Get(key))
	})

	// e: absent keys, defaults, deletion.
	publishCase(t, u, app, func(b *endpoint.Bag) {
		assert.False(t, b.Has("foo"))
		_, ok := b.Lookup("foo")
		assert.False(t, ok, "so a default applies")
		assert.False(t, b.Has("foo"))
		v, err := b.SetDefault("foo", "two")
		require.NoError(t, err)
		assert.Equal(t, "two", v)
		assert.True(t, b.Has("foo"))
		assert.Equal(t, "two", b.Get("foo"))
		assert.True(t, b.Delete("foo"))
		assert.False(t, b.Has("foo"))
		assert.False(t, b.Delete("foo"), "a second delete finds nothing")
		assert.Nil(t, b.Get("foo"))
	})
}

// EP8: this unit's bag.
func TestEP8_ToPublish(t *testing.T) {
	t.Parallel()
	testPublish(t, fixture(), false, "key")
}

// EP9: the application's bag, on the leader.
func TestEP9_ToPublishApp(t *testing.T) {
	t.Parallel()
	u := fixture()
	u.Leader = true
	testPublish(t, u, true, "app-key")
}

// altHandlers registers the fixture's interface handlers (upstream's
// TestAltRequires) for every test-alt endpoint, recording invocations.
func altHandlers(inv *[]string) func(*reactive.Registry) {
	return func(r *reactive.Registry) {
		md, err := reactive.ParseMetadata([]byte(fixtureMetadata))
		if err != nil {
			panic(err)
		}
		for _, suffix := range []string{"joined", "changed", "changed.foo"} {
			endpoint.HandleInterface(r, md, "requires", "test-alt", "handle_"+suffix,
				endpoint.When("endpoint.{endpoint_name}."+suffix),
				func(ctx context.Context, h *reactive.Hook, ep *endpoint.Endpoint) error {
					*inv = append(*inv, suffix+": "+ep.Name())
					return nil
				})
		}
	}
}

// EP10: handlers written once for every endpoint of an interface.
func TestEP10_Handlers(t *testing.T) {
	t.Parallel()
	// a: one handler per endpoint, its condition on that endpoint's flags.
	r := reactive.NewRegistry()
	var inv []string
	altHandlers(&inv)(r)
	hs := r.Handlers()
	require.Len(t, hs, 9)
	for _, h := range hs {
		_, ep, _ := strings.Cut(h.Name, ":")
		assert.True(t, strings.HasPrefix(h.Watched[0], "endpoint."+ep+"."), "%s watches %v", h.Name, h.Watched)
	}
	assert.Equal(t, "handle_joined:test-endpoint", hs[0].Name)

	// b: nothing changed since the stored digests: only joined.
	first := probe(t, fixture(), "upgrade-charm", nil)
	require.NoError(t, first.Err)
	u := clearFlags(first.Unit, first.Flags...)
	inv = nil
	out := probe(t, u, "upgrade-charm", nil, altHandlers(&inv))
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"joined: test-endpoint"}, inv)

	// c: every value new again.
	inv = nil
	out = probe(t, forgetDigests(clearFlags(out.Unit, out.Flags...)), "upgrade-charm", nil, altHandlers(&inv))
	require.NoError(t, out.Err)
	assert.ElementsMatch(t, []string{"joined: test-endpoint", "changed: test-endpoint", "changed.foo: test-endpoint"}, inv)

	// d: test-endpoint2 gets two relations.
	u = forgetDigests(clearFlags(out.Unit, out.Flags...))
	u.Relations = append(u.Relations,
		charmtest.Relation{ID: "test-endpoint2:2", RemoteApp: "unit",
			Units: map[string]map[string]string{"unit/0": {"foo": "yes"}, "unit/1": {}}},
		charmtest.Relation{ID: "test-endpoint2:3", RemoteApp: "unit",
			Units: map[string]map[string]string{"unit/0": {}, "unit/1": {"foo": "no"}}})
	inv = nil
	out = probe(t, u, "upgrade-charm", nil, altHandlers(&inv))
	require.NoError(t, out.Err)
	assert.Equal(t, []string{
		"joined: test-endpoint", "joined: test-endpoint2",
		"changed: test-endpoint", "changed: test-endpoint2",
		"changed.foo: test-endpoint", "changed.foo: test-endpoint2",
	}, inv)
}
