package reactive_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/reactive"
)

// fakeLayer is a layer with fixed flags and, when hookFlags is set, flags
// of its own in each hook.
type fakeLayer struct {
	name      string
	flags     []string
	hookFlags []string
}

func (l *fakeLayer) LayerName() string    { return l.name }
func (l *fakeLayer) LayerFlags() []string { return l.flags }

type fakeHookLayer struct{ fakeLayer }

func (l *fakeHookLayer) HookFlags(*reactive.Hook) []string { return l.hookFlags }

// Ensure that, at the start of a hook, a watched flag of a layer's family
// that the layer never sets is logged once per handler as a WARNING naming
// the handler, its registration site, the layer's flags and the likely
// name; flags the layer lists (exactly or under a family) and flags of
// other families are not; and a restricted hook logs nothing.
func TestStartChecks_LayerFlags(t *testing.T) {
	fn := func(context.Context, *reactive.Hook) error { return nil }
	r := reactive.NewRegistry()
	r.AddLayer(&fakeLayer{name: "fake", flags: []string{"fake.ready", "fake.set.*"}})
	r.Handle("typo", reactive.All(reactive.When("fake.redy"), reactive.WhenNotAll("fake.redy", "app.y")), fn)
	r.Handle("typo_again", reactive.WhenAny("fake.redy", "app.x"), fn)
	r.Handle("no_key", reactive.When("fake.set"), fn)
	r.Handle("family_typo", reactive.When("fake.sett.key"), fn)
	r.Handle("fine", reactive.When("fake.ready", "fake.set.key", "fakes.x", "app.fake.redy"), fn)

	_, rec := runHook(t, r, newStore(t), "update-status", nil)
	warns := rec.at(slog.LevelWarn)
	require.Len(t, warns, 4, "%q", warns)
	assert.Regexp(t, `^handler "typo" \(registered at reactive/checks_test.go:\d+\) watches flag "fake.redy", which the fake layer never sets in this hook \(did you mean "fake.ready"\?\); its flags are fake.ready, fake.set.\*; fix the name`, warns[0])
	assert.Contains(t, warns[1], `handler "typo_again"`)
	assert.Contains(t, warns[2], `handler "no_key" (registered at reactive/checks_test.go:`)
	assert.Contains(t, warns[2], `watches flag "fake.set", which the fake layer never sets`)
	assert.Contains(t, warns[3], `watches flag "fake.sett.key", which the fake layer never sets in this hook (did you mean "fake.set.key"?)`)

	for _, hook := range []string{reactive.HookCollectMetrics, reactive.HookMeterStatusChanged} {
		_, rec := runHook(t, r, newStore(t), hook, nil)
		assert.Empty(t, rec.at(slog.LevelWarn), hook)
	}
}

// Ensure that a HookLayer's flags for the hook replace its LayerFlags (an
// empty list: the layer sets none), and that nil means LayerFlags.
func TestStartChecks_HookLayer(t *testing.T) {
	fn := func(context.Context, *reactive.Hook) error { return nil }
	l := &fakeHookLayer{fakeLayer{name: "opt", flags: []string{"opt.*"}, hookFlags: []string{"opt.port", "opt.db.*"}}}
	r := reactive.NewRegistry()
	r.AddLayer(l)
	r.Handle("h", reactive.When("opt.prot", "opt.port", "opt.db.x", "opt.host"), fn)
	_, rec := runHook(t, r, newStore(t), "update-status", nil)
	warns := rec.at(slog.LevelWarn)
	require.Len(t, warns, 2, "%q", warns)
	assert.Contains(t, warns[0], `watches flag "opt.prot", which the opt layer never sets in this hook (did you mean "opt.port"?); its flags are opt.port, opt.db.*`)
	assert.Contains(t, warns[1], `watches flag "opt.host"`)

	l.hookFlags = []string{}
	_, rec = runHook(t, r, newStore(t), "update-status", nil)
	warns = rec.at(slog.LevelWarn)
	require.Len(t, warns, 4, "%q", warns)
	assert.Contains(t, warns[1], `watches flag "opt.port", which the opt layer never sets in this hook: it sets no flag in this hook; fix the name`)

	l.hookFlags = nil
	_, rec = runHook(t, r, newStore(t), "update-status", nil)
	assert.Empty(t, rec.at(slog.LevelWarn), "LayerFlags: opt.*")
}

// Ensure that, with the charm's metadata at hand, an OnHook pattern that
// can match no hook of the charm is logged as a WARNING naming the
// handler, its site, what the metadata lacks and the likely name; patterns
// that may match, juju-info included, are not.
func TestStartChecks_HookPatterns(t *testing.T) {
	md, err := reactive.ParseMetadata([]byte(`
name: app
requires: {db: {interface: mysql}}
peers: {cluster: {interface: app-peers}}
storage: {data: {type: filesystem}}
containers: {web: {resource: web-image}}
`))
	require.NoError(t, err)
	fn := func(context.Context, *reactive.Hook) error { return nil }
	r := reactive.NewRegistry()
	r.Handle("fine", reactive.OnHook("install", "db-relation-joined", "juju-info-relation-joined", "data-storage-attached",
		"web-pebble-ready", "{requires:mysql}-relation-changed", "{dbs,db}-relation-broken", "cluster-relation-{created,changed}"), fn)
	r.Handle("relation", reactive.OnHook("dbs-relation-joined"), fn)
	r.Handle("storage", reactive.OnHook("date-storage-attached"), fn)
	r.Handle("container", reactive.OnHook("api-pebble-ready"), fn)
	r.Handle("group", reactive.OnHook("{requires:pgsql}-relation-joined"), fn)
	r.Handle("role", reactive.OnHook("{provides:mysql}-relation-joined"), fn)

	_, rec := runHook(t, r, newStore(t), "update-status", func(o *reactive.RunOptions) { o.Metadata = md })
	warns := rec.at(slog.LevelWarn)
	require.Len(t, warns, 5, "%q", warns)
	assert.Regexp(t, `^handler "relation" \(registered at reactive/checks_test.go:\d+\): OnHook\("dbs-relation-joined"\) can never hold for this charm: hook "dbs-relation-joined" is named after relation "dbs", which the metadata does not declare \(did you mean "db-relation-joined"\?\); name a relation of the metadata, or declare "dbs" there$`, warns[0])
	assert.Contains(t, warns[1], `hook "date-storage-attached" is named after storage "date", which the metadata does not declare (did you mean "data-storage-attached"?)`)
	assert.Contains(t, warns[2], `hook "api-pebble-ready" is named after container "api", which the metadata does not declare; name a container of the metadata`)
	assert.Contains(t, warns[3], `OnHook("{requires:pgsql}-relation-joined") can never hold for this charm: the metadata declares no relation for its group {requires:pgsql}`)
	assert.Contains(t, warns[4], `handler "role"`)

	_, rec = runHook(t, r, newStore(t), "collect-metrics", func(o *reactive.RunOptions) { o.Metadata = md })
	assert.Empty(t, rec.at(slog.LevelWarn), "restricted hooks stay silent")
}

// Ensure that the hook-pattern check reads no metadata for itself: without
// RunOptions.Metadata, a layer that read it, or a {role:interface}
// pattern, a charm directory's metadata.yaml is not read and nothing is
// logged; a {role:interface} pattern, whose expansion reads it anyway,
// brings the check, as does a layer's Hook.Metadata call, and the file is
// read once.
func TestStartChecks_MetadataAtHand(t *testing.T) {
	fn := func(context.Context, *reactive.Hook) error { return nil }
	dir := t.TempDir()
	write := func(text string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "metadata.yaml"), []byte(text), 0o644))
	}
	write("name: app\nrequires: {db: {interface: mysql}}\n")
	noMD := func(o *reactive.RunOptions) { o.Metadata, o.Env.CharmDir = nil, dir }

	r := reactive.NewRegistry()
	r.Handle("typo", reactive.OnHook("dbs-relation-joined"), fn)
	_, rec := runHook(t, r, newStore(t), "update-status", noMD)
	assert.Empty(t, rec.at(slog.LevelWarn), "no metadata read for the check alone")

	r.Handle("group", reactive.OnHook("{requires:mysql}-relation-joined"), fn)
	_, rec = runHook(t, r, newStore(t), "update-status", noMD)
	warns := rec.at(slog.LevelWarn)
	require.Len(t, warns, 1, "%q", warns)
	assert.Contains(t, warns[0], `OnHook("dbs-relation-joined") can never hold for this charm`)

	// A layer's read is shared: the metadata is read once, at its call.
	r = reactive.NewRegistry()
	var got []*reactive.Metadata
	r.AtStart("layer", func(_ context.Context, h *reactive.Hook) error {
		md, err := h.Metadata()
		require.NoError(t, err)
		write("name: app\nrequires: {dbs: {interface: mysql}}\n") // not read again
		again, err := h.Metadata()
		require.NoError(t, err)
		got = append(got, md, again)
		return nil
	})
	c := &calls{}
	r.Handle("typo", reactive.OnHook("dbs-relation-joined"), fn)
	r.Handle("group", reactive.OnHook("{requires:mysql}-relation-joined"), c.fn("group", nil))
	write("name: app\nrequires: {db: {interface: mysql}}\n")
	_, rec = runHook(t, r, newStore(t), "db-relation-joined", noMD)
	require.Len(t, got, 2)
	assert.Same(t, got[0], got[1])
	assert.Equal(t, []string{"group"}, c.names, "the pattern expanded from the hook's one read")
	warns = rec.at(slog.LevelWarn)
	require.Len(t, warns, 1, "%q", warns)
	assert.Contains(t, warns[0], `OnHook("dbs-relation-joined")`)
}

// Ensure that Hook.Metadata gives RunOptions.Metadata when it is set.
func TestHook_MetadataFromOptions(t *testing.T) {
	md := &reactive.Metadata{Requires: map[string]reactive.Relation{"db": {Interface: "mysql"}}}
	r := reactive.NewRegistry()
	var got *reactive.Metadata
	r.AtStart("layer", func(_ context.Context, h *reactive.Hook) error {
		var err error
		got, err = h.Metadata()
		return err
	})
	res, _ := runHook(t, r, newStore(t), "install", func(o *reactive.RunOptions) { o.Metadata = md })
	require.NoError(t, res.Err)
	assert.Same(t, md, got)
}
