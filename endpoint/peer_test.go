package endpoint_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/charmkit/charmkit/endpoint"
	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/reactive"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeRelations answers the relation tools from plain maps, the way
// upstream's tests mock them: relation-list lists what related lists,
// whatever it is (the one-unit peer fixture lists the unit itself, which
// Juju never does).
type fakeRelations struct {
	ids     map[string][]string                     // endpoint → relation ids
	related map[string][]string                     // relation id → relation-list
	bags    map[string]map[string]map[string]string // relation id → unit or application → bag
	leader  bool
	sets    []string // relation-set calls: "[--app ]<id> <stdin>"
}

func (f *fakeRelations) Run(_ context.Context, tool string, args []string, stdin []byte) ([]byte, error) {
	var rid, member string
	var app bool
	var pos []string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-r":
			rid = args[i+1]
			i++
		case a == "--app":
			app = true
		case a == "--file":
			i++
		case strings.HasPrefix(a, "--format"):
		default:
			pos = append(pos, a)
		}
	}
	switch tool {
	case "is-leader":
		return json.Marshal(f.leader)
	case "relation-ids":
		return json.Marshal(append([]string{}, f.ids[pos[0]]...))
	case "relation-list":
		return json.Marshal(append([]string{}, f.related[rid]...))
	case "relation-get":
		member = pos[1]
		if app {
			member, _, _ = strings.Cut(member, "/")
		}
		bag := f.bags[rid][member]
		if bag == nil {
			bag = map[string]string{}
		}
		return json.Marshal(bag)
	case "relation-set":
		prefix := ""
		if app {
			prefix = "--app "
		}
		f.sets = append(f.sets, prefix+rid+" "+strings.TrimSpace(string(stdin)))
		return nil, nil
	}
	return nil, fmt.Errorf("%w: %s", hookenv.ErrToolNotFound, tool)
}

// peerFixture is upstream's one-unit peer fixture: test-endpoint has one
// relation whose only related unit is the local unit itself.
func peerFixture() *fakeRelations {
	return &fakeRelations{
		ids:     map[string][]string{"test-endpoint": {"test-endpoint:0"}},
		related: map[string][]string{"test-endpoint:0": {"local/0"}},
		bags: map[string]map[string]map[string]string{"test-endpoint:0": {
			"local":   {"app-key": "value"},
			"local/0": {"key": "value"},
		}},
	}
}

// fakeUnit runs hooks of unit local/0 on one memory store.
type fakeUnit struct {
	t     *testing.T
	f     *fakeRelations
	store *flags.Store
}

func newFakeUnit(t *testing.T, f *fakeRelations) *fakeUnit {
	return &fakeUnit{t: t, f: f, store: flags.OpenMemory()}
}

func (u *fakeUnit) run(hook string, probe func(ctx context.Context, h *reactive.Hook) error, extra ...func(*reactive.Registry)) *reactive.Result {
	u.t.Helper()
	md, err := reactive.ParseMetadata([]byte(fixtureMetadata))
	require.NoError(u.t, err)
	r := reactive.NewRegistry()
	endpoint.Register(r, &endpoint.Options{Metadata: md})
	if probe != nil {
		r.AtStart("probe", probe)
	}
	for _, e := range extra {
		e(r)
	}
	res, _ := r.Run(context.Background(), reactive.RunOptions{
		Store:              u.store,
		Env:                hookenv.Env{InHook: true, HookName: hook, UnitName: "local/0", AppName: "local", CharmDir: u.t.TempDir()},
		Runner:             u.f,
		NoExternalHandlers: true,
	})
	return res
}

func (u *fakeUnit) flags() []string {
	var out []string
	require.NoError(u.t, u.store.View(context.Background(), func(tx *flags.Tx) error {
		out = flags.New(tx).List()
		return nil
	}))
	return out
}

// edit changes the store between hooks: clears flags and, with forget,
// removes the layer's digests.
func (u *fakeUnit) edit(forget bool, clear ...string) {
	require.NoError(u.t, u.store.Update(context.Background(), func(tx *flags.Tx) error {
		fl := flags.New(tx)
		for _, f := range clear {
			if err := fl.Clear(f); err != nil {
				return err
			}
		}
		if forget {
			for _, k := range tx.Keys(flags.DataChangedPrefix + "endpoint.") {
				tx.Unset(k)
			}
		}
		return nil
	}))
}

// EP11, EP12: lookups by name and by flag with the one-unit peer fixture.
func TestEP11EP12_PeerLookups(t *testing.T) {
	t.Parallel()
	u := newFakeUnit(t, peerFixture())
	res := u.run("upgrade-charm", func(ctx context.Context, h *reactive.Hook) error {
		ep := endpoint.FromName(h, "test-endpoint")
		require.NotNil(t, ep)
		assert.Nil(t, endpoint.FromName(h, "bar"))
		assert.Nil(t, endpoint.FromFlag(h, "test-endpoint"))
		assert.Nil(t, endpoint.FromFlag(h, "bar.qux.zod"))
		assert.Nil(t, endpoint.FromFlag(h, "endpoint.test-endpoint.qux"))
		require.NoError(t, h.SetFlag("endpoint.test-endpoint.qux"))
		assert.Same(t, ep, endpoint.FromFlag(h, "endpoint.test-endpoint.qux"))
		require.NoError(t, h.SetFlag("test-endpoint.qux"))
		assert.Same(t, ep, endpoint.FromFlag(h, "test-endpoint.qux"))
		return nil
	})
	require.NoError(t, res.Err)
}

// EP13: the start of a hook with the one-unit peer fixture.
func TestEP13_PeerStartup(t *testing.T) {
	t.Parallel()
	const (
		joined  = "endpoint.test-endpoint.joined"
		changed = "endpoint.test-endpoint.changed"
	)
	u := newFakeUnit(t, peerFixture())
	res := u.run("upgrade-charm", func(ctx context.Context, h *reactive.Hook) error {
		pub, err := endpoint.FromName(h, "test-endpoint").Relations()[0].ToPublish(ctx)
		if err != nil {
			return err
		}
		return pub.SetRaw("order", "0")
	}, aliasTriggers)
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"alias.test-endpoint.joined", changed, "endpoint.test-endpoint.changed.key", joined}, u.flags())
	assert.Equal(t, []string{`test-endpoint:0 {"order":"0"}`}, u.f.sets, "one relation, one publication")

	u.edit(true, changed)
	require.NoError(t, u.run("upgrade-charm", nil).Err)
	assert.NotContains(t, u.flags(), changed, "already joined, not a relation hook")
	u.edit(true, changed)
	require.NoError(t, u.run("test-endpoint-relation-changed", nil).Err)
	assert.Contains(t, u.flags(), changed, "a relation hook of the endpoint")
	u.edit(true, joined, changed)
	require.NoError(t, u.run("upgrade-charm", nil).Err)
	assert.Contains(t, u.flags(), changed, "not joined before")
	u.edit(false, joined, changed)
	require.NoError(t, u.run("upgrade-charm", nil).Err)
	assert.NotContains(t, u.flags(), changed, "nothing changed")
}

// EP14–EP16: the one-unit peer's collections and data.
func TestEP14toEP16_PeerViews(t *testing.T) {
	t.Parallel()
	u := newFakeUnit(t, peerFixture())
	res := u.run("upgrade-charm", func(ctx context.Context, h *reactive.Hook) error {
		tep := endpoint.FromName(h, "test-endpoint")
		// EP14
		require.Len(t, tep.Relations(), 1)
		rel := tep.Relations()[0]
		assert.Equal(t, []string{"local/0"}, rel.JoinedUnits().Names())
		assert.Equal(t, []string{"local/0"}, tep.AllJoinedUnits().Names())
		app, err := rel.ApplicationName(ctx)
		require.NoError(t, err)
		assert.Equal(t, "local", app)
		// EP15
		want := map[string]string{"key": "value"}
		for _, d := range []func() (endpoint.Data, error){
			func() (endpoint.Data, error) { return tep.Received(ctx) },
			func() (endpoint.Data, error) { return rel.JoinedUnits().Received(ctx) },
			func() (endpoint.Data, error) { return rel.JoinedUnits()[0].Received(ctx) },
		} {
			data, err := d()
			require.NoError(t, err)
			assert.Equal(t, want, data.RawMap())
			assert.Equal(t, map[string]any{"key": "value"}, data.Map())
		}
		// EP16
		appData, err := rel.ReceivedApp(ctx)
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"app-key": "value"}, appData.RawMap())
		return nil
	})
	require.NoError(t, res.Err)
}

// EP17, EP18: publishing with the one-unit peer fixture, as EP8 and EP9.
func TestEP17EP18_PeerToPublish(t *testing.T) {
	t.Parallel()
	for _, app := range []bool{false, true} {
		t.Run(fmt.Sprint("app=", app), func(t *testing.T) {
			t.Parallel()
			f := peerFixture()
			f.leader = app
			key := "key"
			if app {
				key = "app-key"
			}
			u := newFakeUnit(t, f)
			change := func(fn func(b *endpoint.Bag)) []string {
				f.sets = nil
				res := u.run("upgrade-charm", func(ctx context.Context, h *reactive.Hook) error {
					rel := endpoint.FromName(h, "test-endpoint").Relations()[0]
					b, err := rel.ToPublish(ctx)
					if app {
						b, err = rel.ToPublishApp(ctx)
					}
					require.NoError(t, err)
					fn(b)
					return nil
				})
				require.NoError(t, res.Err)
				return f.sets
			}
			prefix := "test-endpoint:0 "
			if app {
				prefix = "--app " + prefix
			}
			assert.Empty(t, change(func(b *endpoint.Bag) {
				assert.Equal(t, map[string]string{key: "value"}, b.Data().RawMap())
			}))
			assert.Equal(t, []string{prefix + `{"` + key + `":"new-value"}`}, change(func(b *endpoint.Bag) {
				require.NoError(t, b.SetRaw(key, "new-value"))
			}))
			assert.Equal(t, []string{prefix + `{"` + key + `":"{\"new\": \"complex\"}"}`}, change(func(b *endpoint.Bag) {
				require.NoError(t, b.Set(key, map[string]any{"new": "complex"}))
			}))
		})
	}
}

// EP19: interface handlers with the one-unit peer fixture: joined and
// changed, no changed.foo (the data has only key).
func TestEP19_PeerHandlers(t *testing.T) {
	t.Parallel()
	f := peerFixture()
	u := newFakeUnit(t, f)
	var inv []string
	require.NoError(t, u.run("upgrade-charm", nil).Err)
	all := u.flags()
	u.edit(false, all...)
	require.NoError(t, u.run("upgrade-charm", nil, altHandlers(&inv)).Err)
	assert.Equal(t, []string{"joined: test-endpoint"}, inv)

	inv = nil
	u.edit(true, u.flags()...)
	require.NoError(t, u.run("upgrade-charm", nil, altHandlers(&inv)).Err)
	assert.Equal(t, []string{"joined: test-endpoint", "changed: test-endpoint"}, inv)

	inv = nil
	u.edit(true, u.flags()...)
	f.ids["test-endpoint2"] = []string{"test-endpoint2:0", "test-endpoint2:1"}
	f.related["test-endpoint2:0"] = []string{"unit/0", "unit/1"}
	f.related["test-endpoint2:1"] = []string{"unit/0", "unit/1"}
	f.bags["test-endpoint2:0"] = map[string]map[string]string{"unit/0": {"foo": "yes"}, "unit/1": {}}
	f.bags["test-endpoint2:1"] = map[string]map[string]string{"unit/0": {}, "unit/1": {"foo": "no"}}
	require.NoError(t, u.run("upgrade-charm", nil, altHandlers(&inv)).Err)
	assert.Equal(t, []string{
		"joined: test-endpoint", "joined: test-endpoint2",
		"changed: test-endpoint", "changed: test-endpoint2",
		"changed.foo: test-endpoint2",
	}, inv)
}
