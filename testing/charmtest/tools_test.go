package charmtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/testing/fakejuju"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testJuju is the fake Juju of one hook of u, with its tools' runner.
type testJuju struct {
	*juju
	hookenv.Runner
	charmDir string
}

// update changes the model under the store's lock, as another writer would.
func (j testJuju) update(tb testing.TB, fn func(m *fakejuju.Model)) {
	tb.Helper()
	require.NoError(tb, j.store.Update(func(m *fakejuju.Model) error { fn(m); return nil }))
}

// view reads the model.
func (j testJuju) view(tb testing.TB, fn func(m *fakejuju.Model)) {
	tb.Helper()
	require.NoError(tb, j.store.View(func(m *fakejuju.Model) error { fn(m); return nil }))
}

// settings returns the application's leader settings as Juju holds them.
func (j testJuju) settings(tb testing.TB) (s map[string]string) {
	j.view(tb, func(m *fakejuju.Model) { s = m.Apps["app"].LeaderSettings })
	return s
}

// bag returns a relation bag as Juju holds it (committed data).
func (j testJuju) bag(tb testing.TB, relID, owner string) (b map[string]string) {
	j.view(tb, func(m *fakejuju.Model) {
		r, ok := m.RelationByKey(relID)
		require.True(tb, ok, relID)
		b = r.Bag(owner)
	})
	return b
}

// newTestModel builds the fake tools of one hook of u in a temporary charm dir.
func newTestModel(tb testing.TB, u Unit, hook string) testJuju {
	tb.Helper()
	spec, err := u.validate()
	require.NoError(tb, err)
	j, err := newJuju(u, spec, hook, nil)
	require.NoError(tb, err)
	dir := tb.TempDir()
	return testJuju{j, j.runner(dir), dir}
}

// calls returns the tool calls made so far.
func (j testJuju) calls(tb testing.TB) []ToolCall {
	calls, _, _, err := j.records()
	require.NoError(tb, err)
	return calls
}

// call runs one tool and returns stdout, exit code and stderr as a process would.
func call(tb testing.TB, m testJuju, tool string, stdin string, args ...string) (string, int, string) {
	tb.Helper()
	var in []byte
	if stdin != "" {
		in = []byte(stdin)
	}
	out, err := m.Run(tb.Context(), tool, args, in)
	if err == nil {
		return string(out), 0, ""
	}
	var te *hookenv.ToolError
	require.ErrorAs(tb, err, &te, "%s %q", tool, args)
	return string(out), te.ExitCode, te.Stderr
}

var peers = Relation{
	ID:        "peers:1",
	RemoteApp: "app",
	Units: map[string]map[string]string{
		"app/1": {"addr": "10.0.0.2"},
		"app/2": {"addr": "10.0.0.3"},
	},
	LocalData: map[string]string{"addr": "10.0.0.1"},
	AppData:   map[string]string{"shared": "yes"},
}

var db = Relation{
	ID:            "db:3",
	RemoteApp:     "mysql",
	Units:         map[string]map[string]string{"mysql/0": {"host": "db0"}},
	RemoteAppData: map[string]string{"database": "x"},
	AppData:       map[string]string{"want": "rw"},
}

// dbFollower is db as a follower sees it: without its own application's bag.
var dbFollower = func() Relation {
	r := db
	r.AppData = nil
	return r
}()

// Ensure that every fake tool prints exactly what Juju prints (docs/design.md,
// "The hook-tool contract").
func TestTools_Output(t *testing.T) {
	t.Parallel()
	leader := Unit{
		Leader:         true,
		LeaderSettings: map[string]string{"key": "value", "sample": "settings"},
		Config:         map[string]any{"a": 1, "b": true, "c": "x", "d": nil},
		Relations:      []Relation{peers, db},
	}
	follower := leader
	follower.Leader = false
	follower.Relations = []Relation{peers, dbFollower} // a follower cannot see db's AppData
	empty := Unit{}
	tests := []struct {
		name   string
		unit   Unit
		hook   string
		tool   string
		args   []string
		stdin  string
		out    string
		code   int
		stderr string
	}{
		{name: "is-leader json true", unit: leader, tool: "is-leader", args: []string{"--format=json"}, out: "true\n"},
		{name: "is-leader json false", unit: follower, tool: "is-leader", args: []string{"--format=json"}, out: "false\n"},
		{name: "is-leader smart", unit: leader, tool: "is-leader", out: "True\n"},
		{name: "is-leader smart false", unit: follower, tool: "is-leader", out: "False\n"},
		{name: "is-leader yaml", unit: leader, tool: "is-leader", args: []string{"--format", "yaml"}, out: "true\n"},
		{name: "is-leader extra arg", unit: leader, tool: "is-leader", args: []string{"blah"}, code: 2, stderr: "ERROR unrecognized args: [\"blah\"]\n"},
		{name: "is-leader bad format", unit: leader, tool: "is-leader", args: []string{"--format=bad"}, code: 2, stderr: "ERROR invalid value \"bad\" for option --format: unknown format \"bad\"\n"},
		{name: "is-leader restricted", unit: leader, hook: "collect-metrics", tool: "is-leader", args: []string{"--format=json"}, code: 1, stderr: "ERROR leadership status unknown: not implemented for restricted context not implemented\n"},
		{name: "leader-get all json", unit: leader, tool: "leader-get", args: []string{"--format=json", "-"}, out: "{\"key\":\"value\",\"sample\":\"settings\"}\n"},
		{name: "leader-get all smart", unit: leader, tool: "leader-get", out: "key: value\nsample: settings\n"},
		{name: "leader-get key smart", unit: leader, tool: "leader-get", args: []string{"key"}, out: "value\n"},
		{name: "leader-get key json", unit: leader, tool: "leader-get", args: []string{"--format=json", "key"}, out: "\"value\"\n"},
		{name: "leader-get missing json", unit: leader, tool: "leader-get", args: []string{"--format=json", "nope"}, out: "null\n"},
		{name: "leader-get missing smart", unit: leader, tool: "leader-get", args: []string{"nope"}, out: ""},
		{name: "leader-get missing yaml", unit: leader, tool: "leader-get", args: []string{"--format=yaml", "nope"}, out: ""},
		{name: "leader-get empty bucket json", unit: empty, tool: "leader-get", args: []string{"--format=json", "-"}, out: "{}\n"},
		{name: "leader-get empty bucket smart", unit: empty, tool: "leader-get", out: "{}\n"},
		{name: "leader-get invalid key", unit: leader, tool: "leader-get", args: []string{"x=x"}, code: 2, stderr: "ERROR invalid key \"x=x\"\n"},
		{name: "leader-get two keys", unit: leader, tool: "leader-get", args: []string{"a", "b"}, code: 2, stderr: "ERROR unrecognized args: [\"b\"]\n"},
		{name: "leader-set follower", unit: follower, tool: "leader-set", args: []string{"k=v"}, code: 1, stderr: "ERROR cannot write leadership settings: cannot write settings: not the leader\n"},
		{name: "leader-set no args leader", unit: leader, tool: "leader-set"},
		{name: "leader-set no args follower", unit: follower, tool: "leader-set", code: 1, stderr: "ERROR cannot write leadership settings: cannot write settings: not the leader\n"},
		{name: "leader-set no equals", unit: leader, tool: "leader-set", args: []string{"k"}, code: 2, stderr: "ERROR expected \"key=value\", got \"k\"\n"},
		{name: "leader-set takes no --format", unit: leader, tool: "leader-set", args: []string{"--format=json", "k=v"}, code: 2, stderr: "ERROR option provided but not defined: --format\n"},
		{name: "leader-set after --", unit: leader, tool: "leader-set", args: []string{"--", "k=v"}},
		{name: "leader-set repeated key", unit: leader, tool: "leader-set", args: []string{"k=1", "k=2"}, code: 2, stderr: "ERROR key \"k\" specified more than once\n"},
		{name: "config-get all json", unit: leader, tool: "config-get", args: []string{"--all", "--format=json"}, out: "{\"a\":1,\"b\":true,\"c\":\"x\",\"d\":null}\n"},
		{name: "config-get json", unit: leader, tool: "config-get", args: []string{"--format=json"}, out: "{\"a\":1,\"b\":true,\"c\":\"x\"}\n"},
		{name: "config-get smart", unit: leader, tool: "config-get", out: "a: 1\nb: true\nc: x\n"},
		{name: "config-get bool key", unit: leader, tool: "config-get", args: []string{"b"}, out: "True\n"},
		{name: "config-get int key", unit: leader, tool: "config-get", args: []string{"a"}, out: "1\n"},
		{name: "config-get missing json", unit: leader, tool: "config-get", args: []string{"--format=json", "zz"}, out: "null\n"},
		{name: "config-get all with key", unit: leader, tool: "config-get", args: []string{"--all", "k"}, code: 2, stderr: "ERROR cannot use argument --all together with key \"k\"\n"},
		{name: "status-set ok", unit: follower, tool: "status-set", args: []string{"--", "active", "ready"}},
		{name: "status-set no args", unit: leader, tool: "status-set", code: 2, stderr: "ERROR invalid args, require <status> [message]\n"},
		{name: "status-set bad state", unit: leader, tool: "status-set", args: []string{"x"}, code: 2, stderr: "ERROR invalid status \"x\", expected one of [maintenance blocked waiting active]\n"},
		{name: "status-set third arg", unit: leader, tool: "status-set", args: []string{"active", "m", "z"}, code: 2, stderr: "ERROR unrecognized args: [\"z\"]\n"},
		{name: "status-set app follower", unit: follower, tool: "status-set", args: []string{"--application", "active"}, code: 1, stderr: "ERROR this unit is not the leader\n"},
		{name: "status-get smart", unit: Unit{Status: Status{State: "active", Message: "msg"}}, tool: "status-get", out: "active\n"},
		{name: "status-get json", unit: Unit{Status: Status{State: "active", Message: "msg"}}, tool: "status-get", args: []string{"--format=json"}, out: "{\"status\":\"active\"}\n"},
		{name: "status-get json data", unit: Unit{Status: Status{State: "active", Message: "msg"}}, tool: "status-get", args: []string{"--format=json", "--include-data"}, out: "{\"message\":\"msg\",\"status\":\"active\",\"status-data\":{}}\n"},
		{name: "status-get unknown", unit: empty, tool: "status-get", args: []string{"--format=json"}, out: "{\"status\":\"unknown\"}\n"},
		{name: "juju-log no message", unit: leader, tool: "juju-log", code: 2, stderr: "ERROR no message specified\n"},
		{name: "juju-log ok", unit: leader, tool: "juju-log", args: []string{"-l", "WARNING", "--", "-x"}},
		{name: "application-version-set none", unit: leader, tool: "application-version-set", code: 2, stderr: "ERROR no version specified\n"},
		{name: "relation-ids json", unit: leader, tool: "relation-ids", args: []string{"--format=json", "peers"}, out: "[\"peers:1\"]\n"},
		{name: "relation-ids none json", unit: leader, tool: "relation-ids", args: []string{"--format=json", "other"}, out: "[]\n"},
		{name: "relation-ids none smart", unit: leader, tool: "relation-ids", args: []string{"other"}, out: ""},
		{name: "relation-ids no endpoint", unit: leader, tool: "relation-ids", code: 2, stderr: "ERROR no endpoint name specified\n"},
		{name: "relation-ids current", unit: leader, hook: "db-relation-changed", tool: "relation-ids", args: []string{"--format=json"}, out: "[\"db:3\"]\n"},
		{name: "relation-list json", unit: leader, tool: "relation-list", args: []string{"--format=json", "-r", "peers:1"}, out: "[\"app/1\",\"app/2\"]\n"},
		{name: "relation-list smart", unit: leader, tool: "relation-list", args: []string{"-r", "1"}, out: "app/1\napp/2\n"},
		{name: "relation-list app", unit: leader, tool: "relation-list", args: []string{"--format=json", "--app", "-r", "db:3"}, out: "\"mysql\"\n"},
		{name: "relation-list bad id", unit: leader, tool: "relation-list", args: []string{"-r", "x"}, code: 2, stderr: "ERROR invalid value \"x\" for option -r: invalid relation id\n"},
		{name: "relation-list unknown id", unit: leader, tool: "relation-list", args: []string{"-r", "db:9"}, code: 2, stderr: "ERROR invalid value \"db:9\" for option -r: relation not found\n"},
		{name: "relation-list no id", unit: leader, tool: "relation-list", code: 2, stderr: "ERROR no relation id specified\n"},
		{name: "relation-get remote unit", unit: leader, tool: "relation-get", args: []string{"--format=json", "-r", "db:3", "-", "mysql/0"}, out: "{\"host\":\"db0\"}\n"},
		{name: "relation-get key", unit: leader, tool: "relation-get", args: []string{"--format=json", "-r", "db:3", "host", "mysql/0"}, out: "\"db0\"\n"},
		{name: "relation-get missing key", unit: leader, tool: "relation-get", args: []string{"--format=json", "-r", "db:3", "zz", "mysql/0"}, out: "null\n"},
		{name: "relation-get default remote", unit: leader, hook: "db-relation-changed", tool: "relation-get", args: []string{"--format=json", "-"}, out: "{\"host\":\"db0\"}\n"},
		{name: "relation-get own unit", unit: leader, tool: "relation-get", args: []string{"--format=json", "-r", "peers:1", "-", "app/0"}, out: "{\"addr\":\"10.0.0.1\"}\n"},
		{name: "relation-get peer app follower", unit: follower, tool: "relation-get", args: []string{"--format=json", "--app", "-r", "peers:1", "-", "app"}, out: "{\"shared\":\"yes\"}\n"},
		{name: "relation-get own app non-peer follower", unit: follower, tool: "relation-get", args: []string{"--format=json", "--app", "-r", "db:3", "-", "app"}, code: 1, stderr: "ERROR permission denied\n"},
		{name: "relation-get own app non-peer leader", unit: leader, tool: "relation-get", args: []string{"--format=json", "--app", "-r", "db:3", "-", "app"}, out: "{\"want\":\"rw\"}\n"},
		{name: "relation-get remote app", unit: follower, tool: "relation-get", args: []string{"--format=json", "--app", "-r", "db:3", "-", "mysql"}, out: "{\"database\":\"x\"}\n"},
		{name: "relation-get no member", unit: leader, tool: "relation-get", args: []string{"-r", "db:3"}, code: 2, stderr: "ERROR no unit or application specified\n"},
		{name: "relation-get app name as unit", unit: leader, tool: "relation-get", args: []string{"-r", "db:3", "-", "mysql"}, code: 2, stderr: "ERROR expected unit name, got application name \"mysql\"\n"},
		{name: "relation-get bad unit", unit: leader, tool: "relation-get", args: []string{"-r", "db:3", "-", "Bad/x"}, code: 2, stderr: "ERROR invalid unit name \"Bad/x\"\n"},
		{name: "relation-set app follower", unit: follower, tool: "relation-set", args: []string{"--app", "-r", "peers:1", "k=v"}, code: 1, stderr: "ERROR cannot write relation settings\n"},
		{name: "relation-set bad kv", unit: leader, tool: "relation-set", args: []string{"-r", "peers:1", "=v"}, code: 2, stderr: "ERROR expected \"key=value\", got \"=v\"\n"},
		{name: "unknown option", unit: leader, tool: "is-leader", args: []string{"--nope"}, code: 2, stderr: "ERROR option provided but not defined: --nope\n"},
		{name: "help", unit: leader, tool: "is-leader", args: []string{"--help"}, out: "Usage: is-leader [options]\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hook := tc.hook
			if hook == "" {
				hook = "config-changed"
			}
			m := newTestModel(t, tc.unit, hook)
			out, code, stderr := call(t, m, tc.tool, tc.stdin, tc.args...)
			assert.Equal(t, tc.out, out, "%s %q: stdout", tc.tool, tc.args)
			assert.Equal(t, tc.code, code, "%s %q: exit code", tc.tool, tc.args)
			assert.Equal(t, tc.stderr, stderr, "%s %q: stderr", tc.tool, tc.args)
		})
	}
}

// Ensure that is-leader is sticky false within a hook, and that a lease lost
// mid-hook turns later answers and leader-set into refusals.
func TestTools_LeadershipSemantics(t *testing.T) {
	t.Parallel()
	t.Run("lease lost after first answer", func(t *testing.T) {
		t.Parallel()
		m := newTestModel(t, Unit{Leader: true, LoseLeadershipAfter: 1}, "config-changed")
		out, _, _ := call(t, m, "is-leader", "", "--format=json")
		assert.Equal(t, "true\n", out)
		out, _, _ = call(t, m, "is-leader", "", "--format=json")
		assert.Equal(t, "false\n", out)
		_, code, stderr := call(t, m, "leader-set", "", "k=v")
		assert.Equal(t, 1, code)
		assert.Contains(t, stderr, "not the leader")
		assert.Empty(t, m.settings(t), "a refused write changes nothing")
	})
	t.Run("leader-get is a first-read snapshot dropped by leader-set", func(t *testing.T) {
		t.Parallel()
		m := newTestModel(t, Unit{Leader: true, LeaderSettings: map[string]string{"a": "1"}}, "config-changed")
		out, _, _ := call(t, m, "leader-get", "", "--format=json", "-")
		assert.Equal(t, "{\"a\":\"1\"}\n", out)
		m.update(t, func(m *fakejuju.Model) { m.Apps["app"].LeaderSettings["b"] = "2" }) // another writer, after the first read
		out, _, _ = call(t, m, "leader-get", "", "--format=json", "-")
		assert.Equal(t, "{\"a\":\"1\"}\n", out, "the snapshot is served again")
		_, code, _ := call(t, m, "leader-set", "", "a=", "c=3")
		require.Equal(t, 0, code)
		out, _, _ = call(t, m, "leader-get", "", "--format=json", "-")
		assert.Equal(t, "{\"b\":\"2\",\"c\":\"3\"}\n", out, "leader-set drops the snapshot; an empty value deletes")
	})
	t.Run("relation-set is queued and visible to the writer", func(t *testing.T) {
		t.Parallel()
		for _, hookOK := range []bool{false, true} {
			m := newTestModel(t, Unit{Leader: true, Relations: []Relation{peers}}, "config-changed")
			_, code, _ := call(t, m, "relation-set", "{\"shared\":\"\",\"new\":\"v\"}", "--app", "-r", "peers:1", "--file", "-")
			require.Equal(t, 0, code)
			out, _, _ := call(t, m, "relation-get", "", "--format=json", "--app", "-r", "peers:1", "-", "app")
			assert.Equal(t, "{\"new\":\"v\"}\n", out)
			assert.Equal(t, map[string]string{"shared": "yes"}, m.bag(t, "peers:1", "app"), "not committed before the hook ends")
			next := Unit{Relations: []Relation{peers}}
			_, _, err := m.finish(&next, hookOK)
			require.NoError(t, err)
			if hookOK {
				assert.Equal(t, map[string]string{"new": "v"}, next.Relations[0].AppData)
			} else {
				assert.Equal(t, map[string]string{"shared": "yes"}, next.Relations[0].AppData, "a failed hook discards relation-set")
			}
		}
	})
	t.Run("-o writes the file", func(t *testing.T) {
		t.Parallel()
		m := newTestModel(t, Unit{Leader: true}, "config-changed")
		out, code, _ := call(t, m, "is-leader", "", "-o", "answer", "--format=json")
		require.Equal(t, 0, code)
		assert.Empty(t, out)
		b, err := os.ReadFile(filepath.Join(m.charmDir, "answer"))
		require.NoError(t, err)
		assert.Equal(t, "true\n", string(b))
	})
}

// Ensure that faults and unknown tools are reported the way hookenv.ExecRunner
// reports them.
func TestTools_Faults(t *testing.T) {
	t.Parallel()
	u := Unit{Faults: map[string]Fault{
		"is-leader":  {Message: "leadership status unknown: boom"},
		"leader-get": {Missing: true},
		"leader-set": {ExitCode: 2, Message: "nope"},
	}}
	m := newTestModel(t, u, "install")
	_, err := m.Run(t.Context(), "is-leader", []string{"--format=json"}, nil)
	var te *hookenv.ToolError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, 1, te.ExitCode)
	assert.Equal(t, "leadership status unknown: boom", te.Message)
	assert.Equal(t, "ERROR leadership status unknown: boom\n", te.Stderr)

	_, err = m.Run(t.Context(), "leader-get", []string{"--format=json", "-"}, nil)
	assert.ErrorIs(t, err, hookenv.ErrToolNotFound)
	_, err = m.Run(t.Context(), "no-such-tool", nil, nil)
	assert.ErrorIs(t, err, hookenv.ErrToolNotFound)
	assert.True(t, strings.Contains(err.Error(), "no-such-tool"), "the error names the tool: %v", err)

	_, err = m.Run(t.Context(), "leader-set", []string{"a=1"}, nil)
	require.ErrorAs(t, err, &te)
	assert.Equal(t, 2, te.ExitCode)
	assert.Len(t, m.calls(t), 4, "every call is recorded, failed ones included")
}
