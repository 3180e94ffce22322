package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/testing/jujusim/internal/modelfs"
)

// fakeModel is a one-application model on disk with live contexts, for
// running the tools in process.
type fakeModel struct {
	layout modelfs.Layout
	app    string
}

type setup struct {
	leader   string            // unit that leads ("" for nobody)
	settings map[string]string // leader settings
	config   map[string]modelfs.ConfigOption
	status   *modelfs.Status
	rels     []modelfs.RelationMeta
}

func newFakeModel(tb testing.TB, s setup) *fakeModel {
	tb.Helper()
	return newFakeModelAt(tb, tb.TempDir(), "app", "app/0", s)
}

// newFakeModelAt builds the model under root for app, with units app/0,
// app/1 and the given unit.
func newFakeModelAt(tb testing.TB, root, app, unit string, s setup) *fakeModel {
	tb.Helper()
	m := &fakeModel{layout: modelfs.Layout{Root: root}, app: app}
	require.NoError(tb, os.MkdirAll(m.layout.AppDir(m.app), 0o755))
	require.NoError(tb, modelfs.WriteJSON(m.layout.ClockFile(), modelfs.Clock{Now: 1000}))
	require.NoError(tb, modelfs.WriteJSON(m.layout.LeaderFile(m.app), modelfs.Leader{Unit: s.leader, Valid: s.leader != ""}))
	require.NoError(tb, modelfs.WriteJSON(m.layout.SettingsFile(m.app), modelfs.LeaderSettings{Data: s.settings}))
	for _, u := range []string{app + "/0", app + "/1", unit} {
		require.NoError(tb, os.MkdirAll(m.layout.CharmDir(u), 0o755))
		if s.config != nil {
			require.NoError(tb, modelfs.WriteJSON(m.layout.UnitFile(u, "config.json"), s.config))
		}
		if s.status != nil {
			require.NoError(tb, modelfs.WriteJSON(m.layout.UnitFile(u, "status.json"), s.status))
		}
	}
	for _, r := range s.rels {
		require.NoError(tb, os.MkdirAll(m.layout.RelationDir(r.ID), 0o755))
		require.NoError(tb, modelfs.WriteJSON(filepath.Join(m.layout.RelationDir(r.ID), "meta.json"), r))
	}
	return m
}

// open creates a live config-changed context for unit and returns its
// environment.
func (m *fakeModel) open(tb testing.TB, unit, id string) map[string]string {
	tb.Helper()
	return m.openHook(tb, unit, id, "config-changed")
}

// openHook creates a live context of the given hook.
func (m *fakeModel) openHook(tb testing.TB, unit, id, hook string) map[string]string {
	tb.Helper()
	require.NoError(tb, os.MkdirAll(m.layout.ContextDir(id), 0o755))
	require.NoError(tb, modelfs.WriteJSON(m.layout.ContextFile(id, "meta.json"),
		modelfs.ContextMeta{ID: id, Unit: unit, App: m.app, Hook: hook, RelationID: -1}))
	require.NoError(tb, modelfs.WriteJSON(m.layout.UnitFile(unit, "context.json"), modelfs.UnitContext{ID: id}))
	return map[string]string{
		"JUJU_CONTEXT_ID":           id,
		"JUJU_AGENT_SOCKET_ADDRESS": m.layout.Socket(unit),
		"JUJU_AGENT_SOCKET_NETWORK": "unix",
	}
}

type result struct {
	stdout, stderr string
	code           int
}

func call(tb testing.TB, env map[string]string, cwd, tool string, args ...string) result {
	tb.Helper()
	return callStdin(tb, env, cwd, "", tool, args...)
}

func callStdin(tb testing.TB, env map[string]string, cwd, stdin, tool string, args ...string) result {
	tb.Helper()
	var out, errb bytes.Buffer
	code := run(tool, args, func(k string) string { return env[k] }, strings.NewReader(stdin), cwd, &out, &errb)
	return result{out.String(), errb.String(), code}
}

// Ensure that every tool prints Juju's exact bytes and exits with Juju's
// codes (spec/hook-tools.md §1).
func TestTools_Output(t *testing.T) {
	bucket := map[string]string{"key": "value", "sample": "settings"}
	config := map[string]modelfs.ConfigOption{
		"a": {Type: "int", Value: 1}, "b": {Type: "boolean", Value: true},
		"c": {Type: "string", Value: "x"}, "d": {Type: "string"},
	}
	active := &modelfs.Status{Status: "active", Message: "msg"}
	rels := []modelfs.RelationMeta{
		{ID: 1, Endpoint: "peer", App: "app", Units: []string{"app/0", "app/1"}},
		{ID: 10, Endpoint: "peer", App: "app", Units: []string{"app/0", "app/1"}},
		{ID: 2, Endpoint: "peer", App: "app", Units: []string{"app/0", "app/1"}},
		{ID: 3, Endpoint: "other", App: "app", Units: []string{"app/0"}},
	}
	tests := []struct {
		name string
		s    setup
		unit string
		tool string
		args []string
		want result
	}{
		// is-leader
		{"is-leader smart leader", setup{leader: "app/0"}, "app/0", "is-leader", nil, result{"True\n", "", 0}},
		{"is-leader smart follower", setup{leader: "app/0"}, "app/1", "is-leader", nil, result{"False\n", "", 0}},
		{"is-leader json", setup{leader: "app/0"}, "app/0", "is-leader", []string{"--format=json"}, result{"true\n", "", 0}},
		{"is-leader json space", setup{leader: "app/0"}, "app/1", "is-leader", []string{"--format", "json"}, result{"false\n", "", 0}},
		{"is-leader yaml", setup{leader: "app/0"}, "app/0", "is-leader", []string{"--format=yaml"}, result{"true\n", "", 0}},
		{"is-leader no leader", setup{}, "app/0", "is-leader", nil, result{"False\n", "", 0}},
		{"is-leader extra arg", setup{leader: "app/0"}, "app/0", "is-leader", []string{"blah"}, result{"", "ERROR unrecognized args: [\"blah\"]\n", 2}},
		{"is-leader bad format", setup{leader: "app/0"}, "app/0", "is-leader", []string{"--format=bad"}, result{"", "ERROR invalid value \"bad\" for option --format: unknown format \"bad\"\n", 2}},
		{"is-leader help", setup{}, "app/0", "is-leader", []string{"--help"}, result{"Usage: is-leader [options]\n", "", 0}},
		// leader-get
		{"leader-get smart all", setup{settings: bucket}, "app/0", "leader-get", nil, result{"key: value\nsample: settings\n", "", 0}},
		{"leader-get smart dash", setup{settings: bucket}, "app/0", "leader-get", []string{"-"}, result{"key: value\nsample: settings\n", "", 0}},
		{"leader-get smart key", setup{settings: bucket}, "app/0", "leader-get", []string{"key"}, result{"value\n", "", 0}},
		{"leader-get smart missing", setup{settings: bucket}, "app/0", "leader-get", []string{"nope"}, result{"", "", 0}},
		{"leader-get json all", setup{settings: bucket}, "app/1", "leader-get", []string{"--format=json"}, result{`{"key":"value","sample":"settings"}` + "\n", "", 0}},
		{"leader-get json key", setup{settings: bucket}, "app/1", "leader-get", []string{"--format=json", "key"}, result{"\"value\"\n", "", 0}},
		{"leader-get json key first", setup{settings: bucket}, "app/1", "leader-get", []string{"key", "--format", "json"}, result{"\"value\"\n", "", 0}},
		{"leader-get json missing", setup{settings: bucket}, "app/1", "leader-get", []string{"--format=json", "nope"}, result{"null\n", "", 0}},
		{"leader-get yaml key", setup{settings: bucket}, "app/1", "leader-get", []string{"--format=yaml", "key"}, result{"value\n", "", 0}},
		{"leader-get yaml missing", setup{settings: bucket}, "app/1", "leader-get", []string{"--format=yaml", "nope"}, result{"", "", 0}},
		{"leader-get empty smart", setup{}, "app/0", "leader-get", nil, result{"{}\n", "", 0}},
		{"leader-get empty yaml", setup{}, "app/0", "leader-get", []string{"--format=yaml"}, result{"{}\n", "", 0}},
		{"leader-get empty json", setup{}, "app/0", "leader-get", []string{"--format=json", "-"}, result{"{}\n", "", 0}},
		{"leader-get invalid key", setup{}, "app/0", "leader-get", []string{"x=x"}, result{"", "ERROR invalid key \"x=x\"\n", 2}},
		{"leader-get two keys", setup{}, "app/0", "leader-get", []string{"a", "b"}, result{"", "ERROR unrecognized args: [\"b\"]\n", 2}},
		{"leader-get json escapes", setup{settings: map[string]string{"k": "<a&b>"}}, "app/0", "leader-get", []string{"--format=json", "k"}, result{"\"\\u003ca\\u0026b\\u003e\"\n", "", 0}},
		{"leader-get smart keeps newline", setup{settings: map[string]string{"k": "v\n"}}, "app/0", "leader-get", []string{"k"}, result{"v\n\n", "", 0}},
		{"leader-get yaml quotes number", setup{settings: map[string]string{"k": "12345"}}, "app/0", "leader-get", []string{"--format=yaml", "k"}, result{"\"12345\"\n", "", 0}},
		// leader-set
		{"leader-set leader", setup{leader: "app/0"}, "app/0", "leader-set", []string{"a=1"}, result{"", "", 0}},
		{"leader-set follower", setup{leader: "app/0"}, "app/1", "leader-set", []string{"a=1"}, result{"", "ERROR cannot write leadership settings: cannot write settings: not the leader\n", 1}},
		{"leader-set no leader", setup{}, "app/0", "leader-set", []string{"a=1"}, result{"", "ERROR cannot write leadership settings: cannot write settings: not the leader\n", 1}},
		{"leader-set no equals", setup{leader: "app/0"}, "app/0", "leader-set", []string{"foo"}, result{"", "ERROR expected \"key=value\", got \"foo\"\n", 2}},
		{"leader-set empty key", setup{leader: "app/0"}, "app/0", "leader-set", []string{"=v"}, result{"", "ERROR expected \"key=value\", got \"=v\"\n", 2}},
		{"leader-set repeated key", setup{leader: "app/0"}, "app/0", "leader-set", []string{"a=1", " a =2"}, result{"", "ERROR key \"a\" specified more than once\n", 2}},
		{"leader-set parse before leadership", setup{leader: "app/0"}, "app/1", "leader-set", []string{"foo"}, result{"", "ERROR expected \"key=value\", got \"foo\"\n", 2}},
		{"leader-set no args leader", setup{leader: "app/0"}, "app/0", "leader-set", nil, result{"", "", 0}},
		{"leader-set no args follower", setup{leader: "app/0"}, "app/1", "leader-set", nil, result{"", "ERROR cannot write leadership settings: cannot write settings: not the leader\n", 1}},
		{"leader-set has no format", setup{leader: "app/0"}, "app/0", "leader-set", []string{"--format=json", "a=1"}, result{"", "ERROR option provided but not defined: --format\n", 2}},
		// config-get
		{"config-get smart all", setup{config: config}, "app/0", "config-get", nil, result{"a: 1\nb: true\nc: x\n", "", 0}},
		{"config-get smart --all", setup{config: config}, "app/0", "config-get", []string{"--all"}, result{"a: 1\nb: true\nc: x\nd: null\n", "", 0}},
		{"config-get smart -a", setup{config: config}, "app/0", "config-get", []string{"-a"}, result{"a: 1\nb: true\nc: x\nd: null\n", "", 0}},
		{"config-get bool", setup{config: config}, "app/0", "config-get", []string{"b"}, result{"True\n", "", 0}},
		{"config-get int", setup{config: config}, "app/0", "config-get", []string{"a"}, result{"1\n", "", 0}},
		{"config-get string", setup{config: config}, "app/0", "config-get", []string{"c"}, result{"x\n", "", 0}},
		{"config-get json", setup{config: config}, "app/0", "config-get", []string{"--format=json"}, result{`{"a":1,"b":true,"c":"x"}` + "\n", "", 0}},
		{"config-get json all", setup{config: config}, "app/0", "config-get", []string{"--format=json", "--all"}, result{`{"a":1,"b":true,"c":"x","d":null}` + "\n", "", 0}},
		{"config-get json missing", setup{config: config}, "app/0", "config-get", []string{"--format=json", "zzz"}, result{"null\n", "", 0}},
		{"config-get smart missing", setup{config: config}, "app/0", "config-get", []string{"zzz"}, result{"", "", 0}},
		{"config-get all with key", setup{config: config}, "app/0", "config-get", []string{"--all", "k"}, result{"", "ERROR cannot use argument --all together with key \"k\"\n", 2}},
		// status-set / status-get
		{"status-set ok", setup{}, "app/0", "status-set", []string{"active", "all good"}, result{"", "", 0}},
		{"status-set no args", setup{}, "app/0", "status-set", nil, result{"", "ERROR invalid args, require <status> [message]\n", 2}},
		{"status-set bad status", setup{}, "app/0", "status-set", []string{"x"}, result{"", "ERROR invalid status \"x\", expected one of [maintenance blocked waiting active]\n", 2}},
		{"status-set third arg", setup{}, "app/0", "status-set", []string{"active", "a", "b"}, result{"", "ERROR unrecognized args: [\"b\"]\n", 2}},
		{"status-set app follower", setup{leader: "app/0"}, "app/1", "status-set", []string{"--application", "active"}, result{"", "ERROR this unit is not the leader\n", 1}},
		{"status-set app leader", setup{leader: "app/0"}, "app/0", "status-set", []string{"--application", "active"}, result{"", "", 0}},
		{"status-get smart", setup{status: active}, "app/0", "status-get", nil, result{"active\n", "", 0}},
		{"status-get json", setup{status: active}, "app/0", "status-get", []string{"--format=json"}, result{`{"status":"active"}` + "\n", "", 0}},
		{"status-get json data", setup{status: active}, "app/0", "status-get", []string{"--format=json", "--include-data"}, result{`{"message":"msg","status":"active","status-data":{}}` + "\n", "", 0}},
		{"status-get unknown", setup{}, "app/0", "status-get", nil, result{"unknown\n", "", 0}},
		// juju-log, application-version-set, actions
		{"juju-log ok", setup{}, "app/0", "juju-log", []string{"-l", "WARNING", "--", "-x", "y"}, result{"", "", 0}},
		{"juju-log no message", setup{}, "app/0", "juju-log", nil, result{"", "ERROR no message specified\n", 2}},
		{"juju-log dash without --", setup{}, "app/0", "juju-log", []string{"-x"}, result{"", "ERROR option provided but not defined: -x\n", 2}},
		{"application-version-set none", setup{}, "app/0", "application-version-set", nil, result{"", "ERROR no version specified\n", 2}},
		{"application-version-set ok", setup{}, "app/0", "application-version-set", []string{"--", "-1.2"}, result{"", "", 0}},
		{"action-get outside action", setup{}, "app/0", "action-get", nil, result{"", "ERROR not running an action\n", 1}},
		// relations
		{"relation-ids sorted as strings", setup{rels: rels}, "app/0", "relation-ids", []string{"peer"}, result{"peer:1\npeer:10\npeer:2\n", "", 0}},
		{"relation-ids json", setup{rels: rels}, "app/0", "relation-ids", []string{"--format=json", "other"}, result{`["other:3"]` + "\n", "", 0}},
		{"relation-ids none json", setup{rels: rels}, "app/1", "relation-ids", []string{"--format=json", "other"}, result{"[]\n", "", 0}},
		{"relation-ids none smart", setup{rels: rels}, "app/1", "relation-ids", []string{"other"}, result{"", "", 0}},
		{"relation-ids no endpoint", setup{rels: rels}, "app/0", "relation-ids", nil, result{"", "ERROR no endpoint name specified\n", 2}},
		{"relation-list", setup{rels: rels}, "app/0", "relation-list", []string{"-r", "peer:1"}, result{"app/1\n", "", 0}},
		{"relation-list json", setup{rels: rels}, "app/0", "relation-list", []string{"-r", "1", "--format=json"}, result{`["app/1"]` + "\n", "", 0}},
		{"relation-list app", setup{rels: rels}, "app/0", "relation-list", []string{"-r", "1", "--app"}, result{"app\n", "", 0}},
		{"relation-list no id", setup{rels: rels}, "app/0", "relation-list", nil, result{"", "ERROR no relation id specified\n", 2}},
		{"relation-list bad id", setup{rels: rels}, "app/0", "relation-list", []string{"-r", "x"}, result{"", "ERROR invalid value \"x\" for option -r: invalid relation id\n", 2}},
		{"relation-list unknown id", setup{rels: rels}, "app/0", "relation-list", []string{"-r", "peer:99"}, result{"", "ERROR invalid value \"peer:99\" for option -r: relation not found\n", 2}},
		{"relation-get no unit", setup{rels: rels}, "app/0", "relation-get", []string{"-r", "1"}, result{"", "ERROR no unit or application specified\n", 2}},
		{"relation-get app name", setup{rels: rels}, "app/0", "relation-get", []string{"-r", "1", "-", "app"}, result{"", "ERROR expected unit name, got application name \"app\"\n", 2}},
		{"relation-get bad unit", setup{rels: rels}, "app/0", "relation-get", []string{"-r", "1", "-", "Bad!"}, result{"", "ERROR invalid unit name \"Bad!\"\n", 2}},
		{"relation-get empty bag", setup{rels: rels}, "app/0", "relation-get", []string{"-r", "1", "--format=json", "-", "app/1"}, result{"{}\n", "", 0}},
		{"relation-set app follower", setup{leader: "app/0", rels: rels}, "app/1", "relation-set", []string{"-r", "1", "--app", "k=v"}, result{"", "ERROR cannot write relation settings\n", 1}},
		{"relation-set bad kv", setup{rels: rels}, "app/0", "relation-set", []string{"-r", "1", "k"}, result{"", "ERROR expected \"key=value\", got \"k\"\n", 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := newFakeModel(t, tc.s)
			env := m.open(t, tc.unit, tc.unit+"-config-changed-1")
			got := call(t, env, m.layout.CharmDir(tc.unit), tc.tool, tc.args...)
			assert.Equal(t, tc.want, got, "%s %q", tc.tool, tc.args)
		})
	}
}

// Ensure that the tools fail like jujuc when the context environment is
// missing or the context is not the unit's live one.
func TestTools_Context(t *testing.T) {
	m := newFakeModel(t, setup{leader: "app/0"})
	env := m.open(t, "app/0", "app/0-install-1")
	for _, name := range []string{"JUJU_CONTEXT_ID", "JUJU_AGENT_SOCKET_ADDRESS", "JUJU_AGENT_SOCKET_NETWORK"} {
		t.Run("missing "+name, func(t *testing.T) {
			e := map[string]string{}
			for k, v := range env {
				if k != name {
					e[k] = v
				}
			}
			assert.Equal(t, result{"", "ERROR " + name + " not set\n", 1}, call(t, e, "/", "is-leader"))
		})
	}
	t.Run("stale context", func(t *testing.T) {
		stale := map[string]string{}
		for k, v := range env {
			stale[k] = v
		}
		stale["JUJU_CONTEXT_ID"] = "app/0-install-0"
		assert.Equal(t, result{"", "ERROR bad request: expected context id \"app/0-install-1\", got \"app/0-install-0\"\n", 1},
			call(t, stale, "/", "is-leader"))
	})
	t.Run("closed context", func(t *testing.T) {
		require.NoError(t, os.WriteFile(m.layout.ContextFile("app/0-install-1", "closed"), nil, 0o644))
		assert.Equal(t, 1, call(t, env, "/", "is-leader").code)
	})
}

// Ensure that is-leader False is sticky for the rest of the context and
// leader-set then fails, while a new context sees the new leader.
func TestTools_StickyMinion(t *testing.T) {
	m := newFakeModel(t, setup{leader: "app/0"})
	env := m.open(t, "app/1", "ctx-1")
	assert.Equal(t, "False\n", call(t, env, "/", "is-leader").stdout)
	require.NoError(t, modelfs.WriteJSON(m.layout.LeaderFile("app"), modelfs.Leader{Unit: "app/1", Valid: true}))
	assert.Equal(t, "False\n", call(t, env, "/", "is-leader").stdout, "same context")
	assert.Equal(t, 1, call(t, env, "/", "leader-set", "a=1").code)
	env2 := m.open(t, "app/1", "ctx-2")
	assert.Equal(t, "True\n", call(t, env2, "/", "is-leader").stdout, "new context")
}

// Ensure that leader-get serves the context's first read until the
// context's own leader-set, and that leader-set merges, trims and deletes.
func TestTools_LeaderSettings(t *testing.T) {
	m := newFakeModel(t, setup{leader: "app/0", settings: map[string]string{"a": "1", "gone": "x"}})
	follower := m.open(t, "app/1", "f-1")
	leader := m.open(t, "app/0", "l-1")
	assert.Equal(t, "1\n", call(t, follower, "/", "leader-get", "a").stdout)
	require.Equal(t, 0, call(t, leader, "/", "leader-set", " a = 2 ", "gone=", "new=n").code)
	assert.Equal(t, "1\n", call(t, follower, "/", "leader-get", "a").stdout, "follower keeps its first read")
	assert.Equal(t, `{"a":"2","new":"n"}`+"\n", call(t, leader, "/", "leader-get", "--format=json").stdout, "leader sees its write")

	var s modelfs.LeaderSettings
	_, err := modelfs.ReadJSON(m.layout.SettingsFile("app"), &s)
	require.NoError(t, err)
	assert.Equal(t, modelfs.LeaderSettings{Data: map[string]string{"a": "2", "new": "n"}, Changes: 1}, s)

	require.Equal(t, 0, call(t, leader, "/", "leader-set", "a=2", "absent=").code)
	_, err = modelfs.ReadJSON(m.layout.SettingsFile("app"), &s)
	require.NoError(t, err)
	assert.Equal(t, 1, s.Changes, "a write that changes nothing is not counted")
}

// Ensure that -o writes the output to a file relative to the caller's cwd,
// and that an injected fault replaces the tool.
func TestTools_OutputFileAndFault(t *testing.T) {
	m := newFakeModel(t, setup{leader: "app/0"})
	env := m.open(t, "app/0", "ctx")
	cwd := m.layout.CharmDir("app/0")
	got := call(t, env, cwd, "is-leader", "-o", "out.txt", "--format=json")
	assert.Equal(t, result{"", "", 0}, got)
	b, err := os.ReadFile(filepath.Join(cwd, "out.txt"))
	require.NoError(t, err)
	assert.Equal(t, "true\n", string(b))

	require.NoError(t, modelfs.WriteJSON(m.layout.UnitFile("app/0", "faults.json"),
		map[string]modelfs.Fault{"is-leader": {Code: 1, Stderr: "ERROR leadership status unknown: boom"}}))
	assert.Equal(t, result{"", "ERROR leadership status unknown: boom\n", 1}, call(t, env, cwd, "is-leader"))

	var calls []modelfs.Call
	require.NoError(t, modelfs.ReadJSONL(m.layout.UnitFile("app/0", "calls.jsonl"), func(b []byte) error {
		var c modelfs.Call
		calls = append(calls, c)
		return json.Unmarshal(b, &calls[len(calls)-1])
	}))
	require.Len(t, calls, 2)
	assert.Equal(t, []string{"-o", "out.txt", "--format=json"}, calls[0].Args)
	assert.Equal(t, 1, calls[1].Exit)
	assert.Equal(t, int64(1000), calls[1].SimTime)
}

// Ensure that concurrent tool calls from several contexts and units share
// the model's files safely: no leader-set is lost and every call is logged.
func TestTools_ConcurrentCalls(t *testing.T) {
	m := newFakeModel(t, setup{leader: "app/0"})
	const n = 40
	envs := []map[string]string{
		m.open(t, "app/0", "app/0-ctx"),
		m.open(t, "app/1", "app/1-ctx"),
	}
	done := make(chan result, 2*n)
	for i := range n {
		go func() {
			done <- call(t, envs[0], "/", "leader-set", "k"+string(rune('a'+i%26))+strings.Repeat("x", i/26)+"=v")
		}()
		go func() { done <- call(t, envs[1], "/", "juju-log", "message") }()
	}
	for range 2 * n {
		r := <-done
		assert.Equal(t, 0, r.code, r.stderr)
	}
	var s modelfs.LeaderSettings
	_, err := modelfs.ReadJSON(m.layout.SettingsFile("app"), &s)
	require.NoError(t, err)
	assert.Len(t, s.Data, n)
	assert.Equal(t, n, s.Changes)
	count := func(unit string) int {
		lines := 0
		require.NoError(t, modelfs.ReadJSONL(m.layout.UnitFile(unit, "calls.jsonl"), func([]byte) error { lines++; return nil }))
		return lines
	}
	assert.Equal(t, n, count("app/0"))
	assert.Equal(t, n, count("app/1"))
}

// BenchmarkIsLeader measures one in-process is-leader call (locks, files,
// call log), the fake's share of a hook-tool process.
func BenchmarkIsLeader(b *testing.B) {
	m := newFakeModel(b, setup{leader: "app/0"})
	env := m.open(b, "app/0", "ctx")
	for b.Loop() {
		if r := call(b, env, "/", "is-leader", "--format=json"); r.code != 0 {
			b.Fatal(r.stderr)
		}
	}
}

// Ensure that the binary implements exactly the tools the simulator links
// into every unit's tools directory (jujusim.ToolNames).
func TestToolNames(t *testing.T) {
	assert.Equal(t, []string{
		"action-fail", "action-get", "action-log", "action-set",
		"application-version-set", "config-get", "is-leader", "juju-log",
		"leader-get", "leader-set", "relation-get", "relation-ids",
		"relation-list", "relation-set", "status-get", "status-set",
	}, toolNames())
}

// Ensure that in restricted hooks every tool but juju-log fails as in
// Juju's restricted context.
func TestTools_RestrictedContext(t *testing.T) {
	m := newFakeModel(t, setup{leader: "app/0"})
	env := m.openHook(t, "app/0", "ctx", "collect-metrics")
	tests := []struct {
		tool string
		args []string
		want result
	}{
		{"is-leader", nil, result{"", "ERROR leadership status unknown: not implemented for restricted context not implemented\n", 1}},
		{"leader-get", nil, result{"", "ERROR cannot read leadership settings: not implemented for restricted context not implemented\n", 1}},
		{"leader-set", []string{"a=1"}, result{"", "ERROR cannot write leadership settings: not implemented for restricted context not implemented\n", 1}},
		{"status-set", []string{"active"}, result{"", "ERROR not implemented for restricted context not implemented\n", 1}},
		{"juju-log", []string{"fine"}, result{"", "", 0}},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, call(t, env, "/", tc.tool, tc.args...), "%s %q", tc.tool, tc.args)
	}
}
