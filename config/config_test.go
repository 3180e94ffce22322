package config_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/charmkit/charmkit/config"
	"github.com/charmkit/charmkit/endpoint"
	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/testing/charmtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const configYAML = `options:
  port:
    type: int
    default: 8080
  name:
    type: string
    default: ""
  token:
    type: string
    description: no default
  debug:
    type: boolean
    default: false
  ratio:
    type: float
    default: 1.0
  low:
    type: float
    default: 0.5
`

// flagsSeen registers the config layer and a handler that records the
// config.* flags set while handlers run (they are gone after the hook).
func flagsSeen(seen *[]string, extra ...func(*reactive.Registry)) func(*reactive.Registry) {
	return func(r *reactive.Registry) {
		config.Register(r, nil)
		for _, e := range extra {
			e(r)
		}
		r.Handle("look", reactive.WhenNot("never"), func(ctx context.Context, h *reactive.Hook) error {
			*seen = nil
			for _, f := range h.Flags().List() {
				if strings.HasPrefix(f, "config.") {
					*seen = append(*seen, f)
				}
			}
			return nil
		})
	}
}

func unit() charmtest.Unit {
	return charmtest.Unit{
		Files:  map[string]string{"config.yaml": configYAML},
		Config: map[string]any{"port": 0, "name": "x", "debug": false, "ratio": 1.0, "low": 0.0},
	}
}

// CF1, CF2, CF3, CF4: the first successful hook reports every option
// changed; set and default follow Python's truthiness and equality; no
// flag outlives the hook; the values are saved as charm-helpers saves them.
func TestCF1_FirstHook(t *testing.T) {
	t.Parallel()
	var seen []string
	out := unit().Run(t, flagsSeen(&seen), "install")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{
		"config.changed",
		"config.changed.debug", "config.changed.low", "config.changed.name", "config.changed.port", "config.changed.ratio", "config.changed.token",
		"config.default.debug", "config.default.ratio", "config.default.token",
		"config.set.name", "config.set.ratio",
	}, seen)
	assert.Empty(t, out.Flags, "cleared at the end of the hook")
	assert.Equal(t, `{"debug": false, "low": 0, "name": "x", "port": 0, "ratio": 1, "token": null}`, out.Files[config.PersistentFile])
	// Events in config.yaml's order: per option changed, set, default.
	assert.Equal(t, []string{"+config.changed", "+config.changed.port", "+config.changed.name", "+config.set.name",
		"+config.changed.token", "+config.default.token", "+config.changed.debug", "+config.default.debug",
		"+config.changed.ratio", "+config.set.ratio", "+config.default.ratio", "+config.changed.low"}, out.Events)

	// CF5: the next hook with the same values changes nothing.
	out = out.Run(t, flagsSeen(&seen), "update-status")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"config.default.debug", "config.default.ratio", "config.default.token", "config.set.name", "config.set.ratio"}, seen)

	// CF6: a new value is a change of that option only.
	next := out.Unit
	next.Config = map[string]any{"port": 8080, "name": "x", "debug": false, "ratio": 1.0, "low": 0.0}
	out = next.Run(t, flagsSeen(&seen), "config-changed")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"config.changed", "config.changed.port", "config.default.debug", "config.default.port", "config.default.ratio",
		"config.default.token", "config.set.name", "config.set.port", "config.set.ratio"}, seen)
	assert.Empty(t, out.Flags)
}

// CF7: a failed hook saves nothing, so the change shows again in the retry.
func TestCF7_FailedHook(t *testing.T) {
	t.Parallel()
	var seen []string
	first := unit().Run(t, flagsSeen(&seen), "install")
	require.NoError(t, first.Err)
	u := first.Unit
	u.Config = map[string]any{"port": 0, "name": "y", "debug": false, "ratio": 1.0, "low": 0.0}
	fail := func(r *reactive.Registry) {
		r.Handle("fail", reactive.When("config.changed.name"), func(context.Context, *reactive.Hook) error { return os.ErrInvalid })
	}
	out := u.Run(t, flagsSeen(&seen, fail), "config-changed")
	require.Error(t, out.Err)
	assert.Equal(t, first.Files[config.PersistentFile], out.Files[config.PersistentFile])
	assert.Empty(t, out.Flags)
	out = out.Run(t, flagsSeen(&seen), "config-changed")
	require.NoError(t, out.Err)
	assert.Contains(t, seen, "config.changed.name")
	assert.Contains(t, out.Files[config.PersistentFile], `"name": "y"`)
}

// CF8: a unit upgraded from the Python charm keeps its previous values:
// nothing changed, and the file is written back byte for byte, with the keys
// only it holds.
func TestCF8_UpgradeFromPython(t *testing.T) {
	t.Parallel()
	// As charm-helpers writes it: config-get's keys sorted, then a key an
	// earlier charm revision had, kept from an older file.
	const python = `{"debug": false, "low": 0, "name": "caf\u00e9", "port": 0, "ratio": 1, "token": null, "removed-option": [1, {"b": 2.5, "a": null}]}`
	u := unit()
	u.Config["name"] = "café"
	u.Files[config.PersistentFile] = python
	var seen []string
	out := u.Run(t, flagsSeen(&seen), "upgrade-charm")
	require.NoError(t, out.Err)
	assert.NotContains(t, seen, "config.changed")
	assert.Equal(t, python, out.Files[config.PersistentFile], "Python's json.dump of the merged dict")

	// A value Python would write differently is re-encoded as json.dump(json.load(...)) does.
	u.Files[config.PersistentFile] = strings.Replace(python, "2.5", "2.50e0", 1)
	out = u.Run(t, flagsSeen(&seen), "upgrade-charm")
	require.NoError(t, out.Err)
	assert.Equal(t, python, out.Files[config.PersistentFile])
}

// CF9: an unreadable previous file is logged and every option reported
// changed; an empty file counts as none; "{}" reports only options with a
// value.
func TestCF9_PreviousFileEdgeCases(t *testing.T) {
	t.Parallel()
	var seen []string
	u := unit()
	u.Files[config.PersistentFile] = "{not json"
	out := u.Run(t, flagsSeen(&seen), "config-changed")
	require.NoError(t, out.Err)
	assert.Contains(t, seen, "config.changed.token")
	assert.True(t, slices.ContainsFunc(out.Logs, func(l charmtest.LogRecord) bool {
		return l.Level == "ERROR" && strings.HasPrefix(l.Message, "Found but was unable to parse previous config data, ignoring which will report all values as changed - ")
	}), "%v", out.Logs)

	// JSON that is not an object (upstream crashes on it).
	u.Files[config.PersistentFile] = "null"
	out = u.Run(t, flagsSeen(&seen), "config-changed")
	require.NoError(t, out.Err)
	assert.Contains(t, seen, "config.changed.token")
	assert.True(t, slices.ContainsFunc(out.Logs, func(l charmtest.LogRecord) bool {
		return l.Level == "ERROR" && strings.HasSuffix(l.Message, "- not a JSON object")
	}), "%v", out.Logs)

	u.Files[config.PersistentFile] = ""
	out = u.Run(t, flagsSeen(&seen), "config-changed")
	require.NoError(t, out.Err)
	assert.Contains(t, seen, "config.changed.token")

	u.Files[config.PersistentFile] = "{}"
	out = u.Run(t, flagsSeen(&seen), "config-changed")
	require.NoError(t, out.Err)
	assert.Contains(t, seen, "config.changed.port", "0 is not None")
	assert.NotContains(t, seen, "config.changed.token", "None == None")
}

// CF10: no config.yaml: no option, no flag; the values are saved all the
// same.
func TestCF10_NoConfigYAML(t *testing.T) {
	t.Parallel()
	var seen []string
	out := charmtest.Unit{Config: map[string]any{"a": "b"}}.Run(t, flagsSeen(&seen), "install")
	require.NoError(t, out.Err)
	assert.Empty(t, seen)
	assert.Equal(t, `{"a": "b"}`, out.Files[config.PersistentFile])
}

// CF11: the flags' clears at the end of the hook fire no trigger (they
// happen after charms.reactive forgot the triggers); sets at the start do.
func TestCF11_Triggers(t *testing.T) {
	t.Parallel()
	var seen []string
	out := unit().Run(t, flagsSeen(&seen, func(r *reactive.Registry) {
		r.RegisterTrigger(flags.Trigger{When: "config.changed", SetFlag: "saw.change"})
		r.RegisterTrigger(flags.Trigger{WhenNot: "config.changed", SetFlag: "saw.clear"})
	}), "install")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"saw.change"}, out.Flags)
}

// CF12: restricted hooks leave the layer out: no flag, no file.
func TestCF12_Restricted(t *testing.T) {
	t.Parallel()
	var seen []string
	out := unit().Run(t, func(r *reactive.Registry) {
		config.Register(r, nil)
		r.Handle("m", reactive.CollectMetrics(), func(ctx context.Context, h *reactive.Hook) error {
			seen = h.Flags().List()
			_, err := config.Values(h)
			assert.ErrorIs(t, err, config.ErrNotStarted)
			return nil
		})
	}, "collect-metrics")
	require.NoError(t, out.Err)
	assert.Empty(t, seen)
	assert.NotContains(t, out.Files, config.PersistentFile)
}

// CF13: the config flags are set before the endpoint layer starts, and the
// handlers' API reads charm-helpers' Config.
func TestCF13_OrderAndAPI(t *testing.T) {
	t.Parallel()
	u := unit()
	u.Files["metadata.yaml"] = "name: app\nrequires:\n  db:\n    interface: mysql\n"
	u.Files[config.PersistentFile] = `{"port": 1, "gone": "x"}`
	u.Relations = []charmtest.Relation{{ID: "db:1", RemoteApp: "mysql", Units: map[string]map[string]string{"mysql/0": {"host": "h"}}}}
	out := u.Run(t, func(r *reactive.Registry) {
		config.Register(r, nil)
		endpoint.Register(r, nil)
		r.AtStart("api", func(ctx context.Context, h *reactive.Hook) error {
			assert.True(t, config.Changed(h, "port"))
			assert.False(t, config.Changed(h, "gone"))
			prev, ok := config.Previous(h, "port")
			assert.True(t, ok)
			assert.Equal(t, int64(1), prev)
			_, ok = config.Previous(h, "name")
			assert.False(t, ok)
			vals, err := config.Values(h)
			require.NoError(t, err)
			assert.Equal(t, "x", vals["gone"], "kept from the previous values")
			assert.Equal(t, int64(0), vals["port"])
			return nil
		})
	}, "db-relation-joined")
	require.NoError(t, out.Err)
	first := slices.IndexFunc(out.Events, func(e string) bool { return strings.HasPrefix(e, "+endpoint.") })
	last := slices.IndexFunc(out.Events, func(e string) bool { return strings.HasPrefix(e, "+config.") })
	assert.Less(t, last, first, "%v", out.Events)
	assert.Contains(t, out.Files[config.PersistentFile], `"gone": "x"`)
	assert.Equal(t, []string{"endpoint.db.changed", "endpoint.db.changed.host", "endpoint.db.joined"}, out.Flags)
}

func TestRegister(t *testing.T) {
	t.Parallel()
	r := reactive.NewRegistry()
	endpoint.Register(r, nil)
	assert.Regexp(t, `^config: Register at config/config_test.go:\d+: the config layer must be registered first, before the endpoint layer: its flags are set before any other layer starts, as layer-basic sets them; call config.Register before the other layers' Register functions$`,
		panicValue(func() { config.Register(r, nil) }))
	assert.Regexp(t, `^config: Register at config/config_test.go:\d+: Options.ConfigYAML: parsing config.yaml: `,
		panicValue(func() { config.Register(reactive.NewRegistry(), &config.Options{ConfigYAML: []byte("options: [")}) }))
	l := config.Register(reactive.NewRegistry(), &config.Options{ConfigYAML: []byte(configYAML)})
	assert.Equal(t, "config", l.LayerName())
	assert.Equal(t, []string{"config.changed", "config.changed.*", "config.set.*", "config.default.*"}, l.LayerFlags())

	// ConfigYAML instead of the charm's file.
	var seen []string
	u := unit()
	delete(u.Files, "config.yaml")
	out := u.Run(t, func(r *reactive.Registry) {
		config.Register(r, &config.Options{ConfigYAML: []byte("options:\n  name:\n    default: x\n")})
		r.Handle("look", reactive.WhenNot("never"), func(ctx context.Context, h *reactive.Hook) error {
			seen = h.Flags().List()
			return nil
		})
	}, "install")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"config.changed", "config.changed.name", "config.default.name", "config.set.name"}, seen)

	out = charmtest.Unit{}.Run(t, func(r *reactive.Registry) {
		r.Handle("h", reactive.WhenNot("x"), func(ctx context.Context, h *reactive.Hook) error {
			_, err := config.Values(h)
			return err
		})
	}, "install")
	assert.ErrorIs(t, out.Err, config.ErrNotRegistered)
	assert.Regexp(t, `^handler "h": config: reading the values \(at config/config_test.go:\d+\): config layer not registered: call config.Register\(r, nil\)`, out.Err.Error())

	var early error
	out = charmtest.Unit{}.Run(t, func(r *reactive.Registry) {
		r.AtStart("early", func(ctx context.Context, h *reactive.Hook) error {
			_, early = config.Values(h)
			return nil
		})
		config.Register(r, nil)
	}, "install")
	require.NoError(t, out.Err)
	assert.ErrorIs(t, early, config.ErrNotStarted)
	assert.Regexp(t, `^config: reading the values \(at config/config_test.go:\d+\): config layer not started in this hook: "early" runs before the layer's start callback "config.init_config_states"; register it after config.Register$`, early.Error())
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

// The saved file has charm-helpers' mode, 0600, even when it existed with
// another mode.
func TestSave_Mode(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	u := unit()
	u.Files[config.PersistentFile] = "{}"
	out, err := u.RunDir(context.Background(), dir, func(r *reactive.Registry) { config.Register(r, nil) }, "install")
	require.NoError(t, err)
	require.NoError(t, out.Err)
	fi, err := os.Stat(filepath.Join(dir, "charm", config.PersistentFile))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}

// warnings returns the WARNING messages of a run.
func warnings(out charmtest.Result) []string {
	var w []string
	for _, l := range out.Logs {
		if l.Level == "WARNING" {
			w = append(w, l.Message)
		}
	}
	return w
}

// Ensure that, once the layer has read config.yaml, a watched
// config.changed/set/default flag naming an option config.yaml does not
// declare is logged as a WARNING at the start of the hook, naming the
// handler and suggesting the option; flags of declared options are not,
// and without config.yaml every config.* flag is reported.
func TestHookFlags_UnknownOption(t *testing.T) {
	t.Parallel()
	register := func(r *reactive.Registry) {
		config.Register(r, nil)
		fn := func(context.Context, *reactive.Hook) error { return nil }
		r.Handle("fine", reactive.WhenAny(config.ChangedAnyFlag, config.ChangedFlag("port"), config.SetFlag("name"), config.DefaultFlag("low")), fn)
		r.Handle("typo", reactive.When(config.ChangedFlag("prot")), fn)
		r.Handle("family", reactive.When("config.chnaged.port"), fn)
	}
	out := unit().Run(t, register, "config-changed")
	require.NoError(t, out.Err)
	w := warnings(out)
	require.Len(t, w, 2, "%q", w)
	assert.Regexp(t, `^handler "typo" \(registered at config/config_test.go:\d+\) watches flag "config.changed.prot", which the config layer never sets in this hook \(did you mean "config.changed.port"\?\); its flags are config.changed, config.changed.port, `, w[0])
	assert.Contains(t, w[1], `watches flag "config.chnaged.port", which the config layer never sets in this hook (did you mean "config.changed.port"?)`)

	out = charmtest.Unit{Config: map[string]any{"a": "b"}}.Run(t, register, "config-changed")
	require.NoError(t, out.Err)
	w = warnings(out)
	require.Len(t, w, 6, "%q", w)
	assert.Contains(t, w[0], `watches flag "config.changed", which the config layer never sets in this hook: it sets no flag in this hook; fix the name`)

	l := config.Register(reactive.NewRegistry(), nil)
	assert.Nil(t, l.HookFlags(nil), "before the layer started: LayerFlags")
}
