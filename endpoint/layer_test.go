package endpoint_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmkit/charmkit/endpoint"
	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/testing/charmtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// otherLayer stands for a layer registered on the registry.
type otherLayer struct{ name string }

func (l otherLayer) LayerName() string    { return l.name }
func (l otherLayer) LayerFlags() []string { return []string{l.name + ".*"} }

func TestRegister_Order(t *testing.T) {
	t.Parallel()
	r := reactive.NewRegistry()
	r.AddLayer(otherLayer{"config"})
	assert.NotPanics(t, func() { endpoint.Register(r, nil) }, "after the config layer")
	assert.Panics(t, func() { endpoint.Register(r, nil) }, "twice")

	r = reactive.NewRegistry()
	r.AddLayer(otherLayer{"leadership"})
	assert.Regexp(t,
		`^endpoint: Register at endpoint/layer_test.go:\d+: the endpoint layer must be registered before the leadership layer: its start callback runs first, after the config flags, as in charms.reactive; call endpoint.Register before the other layers' Register functions`,
		panicValue(func() { endpoint.Register(r, nil) }))
}

func TestRegister_Names(t *testing.T) {
	t.Parallel()
	md, err := reactive.ParseMetadata([]byte(wpMetadata))
	require.NoError(t, err)
	assert.Regexp(t, `^endpoint: Register at endpoint/layer_test.go:\d+: invalid endpoint name "Bad" in Options.Names`,
		panicValue(func() { endpoint.Register(reactive.NewRegistry(), &endpoint.Options{Names: []string{"Bad"}}) }))
	assert.Regexp(t, `^endpoint: Register at endpoint/layer_test.go:\d+: Options.Names lists "dbs", which is not a relation of Options.Metadata \(provides, requires or peers\) \(did you mean "db"\?\): fix the name`,
		panicValue(func() {
			endpoint.Register(reactive.NewRegistry(), &endpoint.Options{Metadata: md, Names: []string{"dbs"}})
		}))

	// Without the metadata at registration, an unknown name fails the hook
	// at its start.
	u := charmtest.Unit{Files: map[string]string{"metadata.yaml": wpMetadata}}
	out := u.Run(t, func(r *reactive.Registry) { endpoint.Register(r, &endpoint.Options{Names: []string{"cache"}}) }, "install")
	require.ErrorIs(t, out.Err, endpoint.ErrUnknownEndpoint)
	assert.Regexp(t, `"cache": not a relation of the charm's metadata \(provides, requires or peers\), but the Options.Names given to endpoint.Register at endpoint/layer_test.go:\d+ list it`, out.Err.Error())

	// No metadata at all: the hook fails, naming the files.
	out = charmtest.Unit{}.Run(t, func(r *reactive.Registry) { endpoint.Register(r, nil) }, "install")
	require.Error(t, out.Err)
	assert.Contains(t, out.Err.Error(), "no metadata.yaml or charmcraft.yaml")
	assert.Regexp(t, `; the layer registered at endpoint/layer_test.go:\d+ needs the charm's metadata: ship metadata.yaml \(or charmcraft.yaml\) with the charm, or give it in endpoint.Options.Metadata$`, out.Err.Error())
}

func TestLayerFlags(t *testing.T) {
	t.Parallel()
	md, err := reactive.ParseMetadata([]byte(wpMetadata))
	require.NoError(t, err)
	r := reactive.NewRegistry()
	l := endpoint.Register(r, &endpoint.Options{Metadata: md})
	assert.Same(t, l, r.Layer(endpoint.LayerName))
	assert.Equal(t, []string{"endpoint.db.joined", "endpoint.db.changed", "endpoint.db.changed.*", "endpoint.db.departed"}, l.LayerFlags())
	assert.Equal(t, []string{"endpoint.*"}, endpoint.Register(reactive.NewRegistry(), nil).LayerFlags())
}

func TestGet_Errors(t *testing.T) {
	t.Parallel()
	u := charmtest.Unit{Files: map[string]string{"metadata.yaml": wpMetadata}}
	var errs []error
	out := u.Run(t, func(r *reactive.Registry) {
		r.AtStart("too-early", func(ctx context.Context, h *reactive.Hook) error {
			_, err := endpoint.Get(h, "db")
			errs = append(errs, err)
			assert.Nil(t, endpoint.FromName(h, "db"))
			return nil
		})
		endpoint.Register(r, &endpoint.Options{Names: []string{}})
		r.AtStart("after", func(ctx context.Context, h *reactive.Hook) error {
			_, err := endpoint.Get(h, "db")
			errs = append(errs, err)
			_, err = endpoint.Get(h, "nope")
			errs = append(errs, err)
			return nil
		})
	}, "install")
	require.NoError(t, out.Err)
	require.Len(t, errs, 3)
	assert.ErrorIs(t, errs[0], endpoint.ErrNotStarted)
	assert.Regexp(t, `^endpoint "db" \(at endpoint/layer_test.go:\d+\): endpoint layer not started in this hook`, errs[0].Error(), "the charm's line")
	assert.ErrorIs(t, errs[1], endpoint.ErrUnknownEndpoint)
	assert.Contains(t, errs[1].Error(), "the layer manages only")
	assert.ErrorIs(t, errs[2], endpoint.ErrUnknownEndpoint)
	assert.Contains(t, errs[2].Error(), "not a relation of the charm's metadata")

	out = u.Run(t, func(r *reactive.Registry) {
		r.Handle("h", reactive.WhenNot("x"), func(ctx context.Context, h *reactive.Hook) error {
			_, err := endpoint.Get(h, "db")
			return err
		})
	}, "install")
	assert.ErrorIs(t, out.Err, endpoint.ErrNotRegistered)
	assert.Regexp(t, `^handler "h": endpoint "db" \(at endpoint/layer_test.go:\d+\): endpoint layer not registered: call endpoint.Register\(r, nil\)`, out.Err.Error())

	// A handler registered with endpoint.Handle is named by the hook error.
	out = u.Run(t, func(r *reactive.Registry) {
		endpoint.Handle(r, "h", "db", endpoint.WhenNot("x"), func(context.Context, *reactive.Hook, *endpoint.Endpoint) error { return nil })
	}, "install")
	assert.ErrorIs(t, out.Err, endpoint.ErrNotRegistered)
	assert.Equal(t, `handler "h": endpoint "db": endpoint layer not registered: call endpoint.Register(r, nil) with the charm's handlers`, out.Err.Error())
}

// db is the walk-through's unit with mysql/0 joined on db:7.
func db() charmtest.Unit {
	return charmtest.Unit{Name: "wp/0",
		Files: map[string]string{"metadata.yaml": wpMetadata},
		Relations: []charmtest.Relation{{ID: "db:7", RemoteApp: "mysql",
			Units:         map[string]map[string]string{"mysql/0": with(addresses("10.0.0.10"), "host", "10.0.0.10", "port", "3306")},
			LocalData:     with(addresses("10.0.0.2"), "database", `"wp"`),
			RemoteAppData: map[string]string{"version": "8.0"}}},
	}
}

// dbLeader is db() on the leader, which can read its application's bag.
func dbLeader() charmtest.Unit {
	u := db()
	u.Leader = true
	u.Relations[0].AppData = map[string]string{"shared": "1"}
	return u
}

func TestUnknownRelationAndUnit(t *testing.T) {
	t.Parallel()
	out := probe(t, db(), "update-status", func(ctx context.Context, h *reactive.Hook) error {
		ep := endpoint.FromName(h, "db")
		_, err := ep.Relation("db:99")
		assert.ErrorIs(t, err, endpoint.ErrUnknownRelation)
		assert.Contains(t, err.Error(), `"db:99" (relations: db:7)`)
		rel, err := ep.Relation("db:7")
		require.NoError(t, err)
		_, err = rel.Unit("mysql/9")
		assert.ErrorIs(t, err, endpoint.ErrUnknownUnit)
		assert.Contains(t, err.Error(), `"mysql/9" is not joined (joined: mysql/0)`)
		u, err := rel.Unit("mysql/0")
		require.NoError(t, err)
		assert.Equal(t, "mysql/0", u.Name())
		return nil
	})
	require.NoError(t, out.Err)
}

func TestNilSafe(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var ep *endpoint.Endpoint
	assert.Empty(t, ep.Name())
	assert.Nil(t, ep.Relations())
	assert.False(t, ep.IsJoined())
	assert.Nil(t, ep.AllJoinedUnits())
	d, err := ep.Received(ctx)
	require.NoError(t, err)
	assert.Zero(t, d.Len())
	ds, err := ep.DepartedUnits()
	require.NoError(t, err)
	assert.Nil(t, ds)
	require.NoError(t, ep.ClearChanged())
	_, err = ep.Relation("db:1")
	assert.ErrorIs(t, err, endpoint.ErrUnknownRelation)
	var rel *endpoint.Relation
	assert.Nil(t, rel.JoinedUnits())
	assert.Nil(t, rel.Endpoint())
	_, err = rel.ToPublish(ctx)
	assert.ErrorIs(t, err, endpoint.ErrUnknownRelation)
	_, err = rel.ToPublishApp(ctx)
	assert.ErrorIs(t, err, endpoint.ErrUnknownRelation)
	_, err = rel.Unit("a/0")
	assert.ErrorIs(t, err, endpoint.ErrUnknownUnit)
	var u *endpoint.Unit
	d, err = u.Received(ctx)
	require.NoError(t, err)
	assert.Zero(t, d.Len())
	assert.Nil(t, endpoint.Units{}.Get("a/0"))
	assert.Nil(t, endpoint.FromName(nil, "db"))
	assert.Nil(t, endpoint.FromFlag(nil, "endpoint.db.joined"))
}

// A non-leader asking for its application's bag gets ErrNotLeader before
// any relation tool runs.
func TestToPublishApp_NotLeader(t *testing.T) {
	t.Parallel()
	out := probe(t, db(), "update-status", func(ctx context.Context, h *reactive.Hook) error {
		_, err := endpoint.FromName(h, "db").Relations()[0].ToPublishApp(ctx)
		return err
	})
	require.ErrorIs(t, out.Err, endpoint.ErrNotLeader)
	require.ErrorIs(t, out.Err, hookenv.ErrNotLeader)
	assert.Len(t, out.CallsTo("is-leader"), 1)
	assert.Empty(t, appCalls(out, "relation-get"))
	assert.Empty(t, out.CallsTo("relation-set"))
}

// The leader's lease runs out before the hook ends: the publication
// re-checks it and fails the hook instead of writing.
func TestToPublishApp_LeaseLost(t *testing.T) {
	t.Parallel()
	u := dbLeader()
	// Two checks answer true: is-leader and the read of the application's
	// bag; the clock moves 31 s per reading, so publishing asks again.
	u.Leader, u.LoseLeadershipAfter, u.ClockStep = true, 2, 31*time.Second
	out := probe(t, u, "update-status", func(ctx context.Context, h *reactive.Hook) error {
		b, err := endpoint.FromName(h, "db").Relations()[0].ToPublishApp(ctx)
		if err != nil {
			return err
		}
		return b.SetRaw("shared", "2")
	})
	require.ErrorIs(t, out.Err, endpoint.ErrNotLeader)
	assert.Contains(t, out.Err.Error(), "publishing the application's bag on db:7")
	assert.Len(t, out.CallsTo("is-leader"), 2)
	assert.Empty(t, out.CallsTo("relation-set"))
	assert.Nil(t, out.Relations[0].AppData, "a unit whose lease ran out cannot read its application's bag, and nothing was published (no relation-set)")
}

func appCalls(out charmtest.Result, tool string) []charmtest.ToolCall {
	var calls []charmtest.ToolCall
	for _, c := range out.CallsTo(tool) {
		if slices.Contains(c.Args, "--app") {
			calls = append(calls, c)
		}
	}
	return calls
}

// Deleted keys are published as deletions, even when the bag ends up
// empty: upstream leaves them in Juju.
func TestToPublish_Deletions(t *testing.T) {
	t.Parallel()
	u := dbLeader()
	out := probe(t, u, "update-status", func(ctx context.Context, h *reactive.Hook) error {
		rel := endpoint.FromName(h, "db").Relations()[0]
		pub, err := rel.ToPublish(ctx)
		require.NoError(t, err)
		assert.True(t, pub.Delete("database"))
		require.NoError(t, pub.SetRaw("egress-subnets", ""), "an empty raw value deletes too")
		assert.False(t, pub.Has("egress-subnets"))
		app, err := rel.ToPublishApp(ctx)
		require.NoError(t, err)
		assert.True(t, app.Delete("shared"))
		assert.Zero(t, app.Data().Len())
		return nil
	})
	require.NoError(t, out.Err)
	sets := out.CallsTo("relation-set")
	require.Len(t, sets, 2)
	assert.Equal(t, `{"database":"","egress-subnets":""}`+"\n", sets[0].Stdin)
	assert.Equal(t, `{"shared":""}`+"\n", sets[1].Stdin)
	assert.Equal(t, map[string]string{"private-address": "10.0.0.2", "ingress-address": "10.0.0.2"}, out.Relations[0].LocalData)
	assert.Empty(t, out.Relations[0].AppData)
}

// A failed hook publishes nothing.
func TestToPublish_FailedHook(t *testing.T) {
	t.Parallel()
	out := probe(t, db(), "update-status", func(ctx context.Context, h *reactive.Hook) error {
		pub, err := endpoint.FromName(h, "db").Relations()[0].ToPublish(ctx)
		require.NoError(t, err)
		require.NoError(t, pub.Set("database", "other"))
		return nil
	}, func(r *reactive.Registry) {
		r.Handle("fail", reactive.WhenNot("x"), func(context.Context, *reactive.Hook) error { return errors.New("boom") })
	})
	require.Error(t, out.Err)
	assert.Empty(t, out.CallsTo("relation-set"))
	assert.Equal(t, `"wp"`, out.Relations[0].LocalData["database"])
}

// Keys Juju would refuse or change are refused when set.
func TestToPublish_BadKeys(t *testing.T) {
	t.Parallel()
	out := probe(t, db(), "update-status", func(ctx context.Context, h *reactive.Hook) error {
		pub, err := endpoint.FromName(h, "db").Relations()[0].ToPublish(ctx)
		require.NoError(t, err)
		for _, k := range []string{"", "a=b", " a", "a\x00"} {
			assert.ErrorIs(t, pub.SetRaw(k, "v"), hookenv.ErrInvalidArgument, "%q", k)
		}
		assert.ErrorIs(t, pub.SetRaw("k", "\xff"), hookenv.ErrInvalidArgument)
		assert.Error(t, pub.Set("k", make(chan int)))
		assert.False(t, pub.Modified())
		return nil
	})
	require.NoError(t, out.Err)
	assert.Empty(t, out.CallsTo("relation-set"))
}

// The remote application is named without a joined unit too
// (charms.reactive#243: upstream answers the local application, whose bag a
// non-leader may not read on a relation with another application).
func TestApplicationName(t *testing.T) {
	t.Parallel()
	u := db()
	u.Relations[0].Units = nil
	// -relation-created: JUJU_REMOTE_APP.
	var apps []string
	var recv []map[string]string
	p := func(ctx context.Context, h *reactive.Hook) error {
		rel := endpoint.FromName(h, "db").Relations()[0]
		app, err := rel.ApplicationName(ctx)
		require.NoError(t, err)
		apps = append(apps, app)
		d, err := rel.ReceivedApp(ctx)
		require.NoError(t, err)
		recv = append(recv, d.RawMap())
		return nil
	}
	out := probe(t, u, "db-relation-created", p)
	require.NoError(t, out.Err)
	assert.Empty(t, out.CallsTo("relation-list")[1:], "only the membership: JUJU_REMOTE_APP names the application")
	// An application-level -changed before any unit joined sets no flag.
	out = probe(t, u, "db-relation-changed", p)
	require.NoError(t, out.Err)
	assert.Empty(t, out.Flags, "application bags set no flag")
	// Another hook: relation-list --app.
	out = probe(t, u, "update-status", p)
	require.NoError(t, out.Err)
	assert.Len(t, appCalls(out, "relation-list"), 1)
	assert.Equal(t, []string{"mysql", "mysql", "mysql"}, apps)
	for _, d := range recv {
		assert.Equal(t, map[string]string{"version": "8.0"}, d)
	}

	// A peer relation with no other unit: the local application.
	peer := charmtest.Unit{Name: "wp/0",
		Files:     map[string]string{"metadata.yaml": "name: wp\npeers:\n  cluster:\n    interface: wp-cluster\n"},
		Relations: []charmtest.Relation{{ID: "cluster:1", RemoteApp: "wp", AppData: map[string]string{"k": "v"}}},
	}
	out = peer.Run(t, func(r *reactive.Registry) {
		endpoint.Register(r, nil)
		r.AtStart("probe", func(ctx context.Context, h *reactive.Hook) error {
			rel := endpoint.FromName(h, "cluster").Relations()[0]
			app, err := rel.ApplicationName(ctx)
			require.NoError(t, err)
			assert.Equal(t, "wp", app)
			d, err := rel.ReceivedApp(ctx)
			require.NoError(t, err)
			assert.Equal(t, map[string]string{"k": "v"}, d.RawMap(), "a follower reads its peer application's bag")
			return nil
		})
	}, "update-status")
	require.NoError(t, out.Err)
	assert.Empty(t, appCalls(out, "relation-list"))
}

// On a peer relation the leader's application bag and the peer
// application's received bag are one bag: this hook's changes show in both.
func TestPeerApplicationBag(t *testing.T) {
	t.Parallel()
	for _, readFirst := range []bool{false, true} {
		peer := charmtest.Unit{Name: "wp/0", Leader: true,
			Files:     map[string]string{"metadata.yaml": "name: wp\npeers:\n  cluster:\n    interface: wp-cluster\n"},
			Relations: []charmtest.Relation{{ID: "cluster:1", RemoteApp: "wp", AppData: map[string]string{"k": "v"}}},
		}
		out := probe(t, peer, "update-status", func(ctx context.Context, h *reactive.Hook) error {
			rel := endpoint.FromName(h, "cluster").Relations()[0]
			if readFirst {
				d, err := rel.ReceivedApp(ctx)
				require.NoError(t, err)
				assert.Equal(t, "v", d.Get("k"))
			}
			pub, err := rel.ToPublishApp(ctx)
			require.NoError(t, err)
			require.NoError(t, pub.SetRaw("k", "v2"))
			d, err := rel.ReceivedApp(ctx)
			require.NoError(t, err)
			assert.Equal(t, "v2", d.Get("k"))
			return nil
		})
		require.NoError(t, out.Err)
		assert.Len(t, appCalls(out, "relation-get"), 1, "one read of the bag")
		assert.Equal(t, map[string]string{"k": "v2"}, out.Relations[0].AppData)
	}
}

func TestClearChanged(t *testing.T) {
	t.Parallel()
	out := probe(t, db(), "db-relation-changed", nil, func(r *reactive.Registry) {
		r.Handle("some", reactive.When("endpoint.db.changed.host"), func(ctx context.Context, h *reactive.Hook) error {
			return endpoint.FromName(h, "db").ClearChanged("host", "port")
		})
	})
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"endpoint.db.changed.egress-subnets", "endpoint.db.changed.ingress-address", "endpoint.db.changed.private-address", "endpoint.db.joined"}, out.Flags)
	out = probe(t, out.Unit, "update-status", nil, func(r *reactive.Registry) {
		r.Handle("all", reactive.When("endpoint.db.joined"), func(ctx context.Context, h *reactive.Hook) error {
			return endpoint.FromName(h, "db").ClearChanged()
		})
	})
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"endpoint.db.joined"}, out.Flags)
}

// A departed hook for a relation the endpoint does not list records no
// unit (upstream fails, charms.reactive#161) and still sets the flag.
func TestDeparted_UnknownRelation(t *testing.T) {
	t.Parallel()
	f := peerFixture()
	md, err := reactive.ParseMetadata([]byte(fixtureMetadata))
	require.NoError(t, err)
	r := reactive.NewRegistry()
	endpoint.Register(r, &endpoint.Options{Metadata: md})
	var logs strings.Builder
	store := flags.OpenMemory()
	res, err := r.Run(context.Background(), reactive.RunOptions{
		Store: store,
		Env: hookenv.Env{InHook: true, HookName: "test-endpoint-relation-departed", UnitName: "local/0", AppName: "local",
			RelationID: "test-endpoint:9", RemoteUnit: "unit/9", CharmDir: t.TempDir()},
		Runner:             f,
		Logger:             slog.New(slog.NewTextHandler(&logs, nil)),
		NoExternalHandlers: true,
	})
	require.NoError(t, err)
	require.NoError(t, res.Err)
	assert.Contains(t, logs.String(), `not one of the endpoint's relations; the departing unit is not recorded`)
	require.NoError(t, store.View(context.Background(), func(tx *flags.Tx) error {
		assert.True(t, flags.New(tx).IsSet("endpoint.test-endpoint.departed"))
		assert.False(t, tx.Has(endpoint.DepartedPrefix+"test-endpoint"))
		return nil
	}))
}

// Relation data that is not a map of strings, and a corrupt list of
// departed units, fail with ErrBadData.
func TestBadData(t *testing.T) {
	t.Parallel()
	f := &badRelations{fakeRelations: *peerFixture()}
	md, err := reactive.ParseMetadata([]byte(fixtureMetadata))
	require.NoError(t, err)
	r := reactive.NewRegistry()
	endpoint.Register(r, &endpoint.Options{Metadata: md})
	res, _ := r.Run(context.Background(), reactive.RunOptions{
		Store:              flags.OpenMemory(),
		Env:                hookenv.Env{InHook: true, HookName: "upgrade-charm", UnitName: "local/0", AppName: "local", CharmDir: t.TempDir()},
		Runner:             f,
		NoExternalHandlers: true,
	})
	require.ErrorIs(t, res.Err, endpoint.ErrBadData)
	assert.Contains(t, res.Err.Error(), "relation test-endpoint:0: local/0's data")

	bad := db()
	bad.KV = map[string]string{"reactive.endpoints.departed.db": `{"not": "a list"}`}
	out := probe(t, bad, "update-status", func(ctx context.Context, h *reactive.Hook) error {
		_, err := endpoint.FromName(h, "db").DepartedUnits()
		return err
	})
	require.ErrorIs(t, out.Err, endpoint.ErrBadData)
	assert.Contains(t, out.Err.Error(), "reactive.endpoints.departed.db does not hold a list of departed units")
	bad.KV = map[string]string{"reactive.endpoints.departed.db": `[{"relation": "db:7", "unit_name": "mysql/1", "data": {"a": 1}}]`}
	out = probe(t, bad, "update-status", func(ctx context.Context, h *reactive.Hook) error {
		_, err := endpoint.FromName(h, "db").DepartedUnits()
		return err
	})
	require.ErrorIs(t, out.Err, endpoint.ErrBadData)
}

// badRelations prints a relation bag holding a number.
type badRelations struct{ fakeRelations }

func (f *badRelations) Run(ctx context.Context, tool string, args []string, stdin []byte) ([]byte, error) {
	if tool == "relation-get" {
		return []byte(`{"key": 1}`), nil
	}
	return f.fakeRelations.Run(ctx, tool, args, stdin)
}

// md5Of is Python's hashlib.md5(text.encode()).hexdigest().
func md5Of(text string) string {
	sum := md5.Sum([]byte(text))
	return hex.EncodeToString(sum[:])
}

// The digests are the ones charms.reactive stores, so a unit upgraded from
// the Python charm sees no spurious change.
func TestPythonDigests(t *testing.T) {
	t.Parallel()
	// raw value → what Python's json.dumps(decoded, sort_keys=True) writes
	values := map[string]string{
		"host":    "10.0.0.10",                             // not JSON: the string itself
		"port":    "3306",                                  // an int
		"quoted":  `"wp"`,                                  // a JSON string
		"nested":  `{"b":1,"a":[1,2.5,null,true]}`,         // sorted, Python separators
		"float":   "1e2",                                   // a float: 100.0
		"big":     "123456789012345678901234567890",        // Python ints have no limit
		"unicode": "é",                                     // non-ASCII escaped
		"nan":     "NaN",                                   // Python's json.loads extension
		"ws":      " [1,2] ",                               // white space around JSON
		"dup":     `{"a": 1, "a": 2}`,                      // the last value wins
		"nulls":   "null",                                  //
		"text":    "hello world",                           //
		"list":    `[{"z": "é", "a": "x"}, "y", -0, 1.50]`, //
	}
	python := map[string]string{
		"host": `"10.0.0.10"`, "port": "3306", "quoted": `"wp"`, "nested": `{"a": [1, 2.5, null, true], "b": 1}`,
		"float": "100.0", "big": "123456789012345678901234567890", "unicode": `"\u00e9"`, "nan": "NaN",
		"ws": "[1, 2]", "dup": `{"a": 2}`, "nulls": "null", "text": `"hello world"`, "list": `[{"a": "x", "z": "\u00e9"}, "y", 0, 1.5]`,
	}
	u := db()
	u.Relations[0].Units["mysql/0"] = values
	out := probe(t, u, "db-relation-changed", nil)
	require.NoError(t, out.Err)
	for k, text := range python {
		key := flags.DataChangedPrefix + endpoint.DataChangedID("db", "db:7", "mysql/0", k)
		assert.Equal(t, `"`+md5Of(text)+`"`, out.KV[key], k)
	}

	// The same store written by Python: nothing changed.
	up := db()
	up.Relations[0].Units["mysql/0"] = values
	up.Flags = []string{"endpoint.db.joined"}
	up.KV = map[string]string{}
	for k, text := range python {
		up.KV[flags.DataChangedPrefix+endpoint.DataChangedID("db", "db:7", "mysql/0", k)] = `"` + md5Of(text) + `"`
	}
	out = probe(t, up, "db-relation-changed", nil)
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"endpoint.db.joined"}, out.Flags)
	for k, v := range up.KV {
		assert.Equal(t, v, out.KV[k], "%s: unchanged", k)
	}
}

// The charmtest snippet of docs/endpoint.md, on the example's charm.
func TestWordpress_DocSnippet(t *testing.T) {
	t.Parallel()
	u := charmtest.Unit{Name: "wp/0",
		Files: map[string]string{"metadata.yaml": "name: wp\nrequires:\n  db:\n    interface: mysql\n"},
		Relations: []charmtest.Relation{{ID: "db:7", RemoteApp: "mysql",
			Units: map[string]map[string]string{"mysql/0": {"host": "10.0.0.10", "port": "3306"}}}},
	}
	out := u.Run(t, wordpress, "db-relation-joined")
	require.NoError(t, out.Err)
	assert.Equal(t, `"wordpress"`, out.Relations[0].LocalData["database"])
	assert.True(t, out.HasFlag("wordpress.db-ready"))
}

// Ensure that a watched endpoint.<name>.… flag naming an endpoint the layer
// does not manage in the hook is logged as a WARNING at the start of the
// hook, naming the handler and suggesting the endpoint; flags of a managed
// endpoint are not, whatever follows its name (a charm may set flags of
// its own there), with the metadata read from the charm directory or
// given to Register.
func TestHookFlags_UnknownEndpoint(t *testing.T) {
	t.Parallel()
	md, err := reactive.ParseMetadata([]byte(wpMetadata))
	require.NoError(t, err)
	for _, opts := range []*endpoint.Options{nil, {Metadata: md}} {
		register := func(r *reactive.Registry) {
			endpoint.Register(r, opts)
			fn := func(context.Context, *reactive.Hook) error { return nil }
			r.Handle("fine", reactive.WhenAny(endpoint.JoinedFlag("db"), endpoint.ChangedFieldFlag("db", "host"), "endpoint.db.available"), fn)
			r.Handle("typo", reactive.When(endpoint.JoinedFlag("dbs")), fn)
		}
		out := charmtest.Unit{Files: map[string]string{"metadata.yaml": wpMetadata}}.Run(t, register, "update-status")
		require.NoError(t, out.Err)
		var w []string
		for _, l := range out.Logs {
			if l.Level == "WARNING" {
				w = append(w, l.Message)
			}
		}
		require.Len(t, w, 1, "%q", w)
		assert.Regexp(t, `^handler "typo" \(registered at endpoint/layer_test.go:\d+\) watches flag "endpoint.dbs.joined", which the endpoint layer never sets in this hook \(did you mean "endpoint.db.joined"\?\); its flags are endpoint.db.\*; fix the name`, w[0])
	}
	assert.Nil(t, endpoint.Register(reactive.NewRegistry(), nil).HookFlags(nil), "before the layer started: LayerFlags")
}

// panicValue returns what f panics with, as text; "no panic" when it does
// not.
func panicValue(f func()) (msg string) {
	defer func() {
		if v := recover(); v != nil {
			msg = fmt.Sprint(v)
		}
	}()
	f()
	return "no panic"
}
