package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/testing/fakejuju"
)

// fakeModel is a model directory as jujusim lays it out: the fake Juju's
// store at the root, a unit directory per unit whose agent.socket names the
// root.
type fakeModel struct {
	root  string
	store fakejuju.Dir
}

// newFakeModel makes app/0 (leader) and app/1 with the given leader
// settings, on a clock at 1000 ns.
func newFakeModel(t *testing.T, settings map[string]string) *fakeModel {
	t.Helper()
	m := fakejuju.New("sim", "uuid", "3.6.4", time.Unix(0, 1000))
	_, err := m.AddApp("app", nil, nil)
	require.NoError(t, err)
	for _, u := range []string{"app/0", "app/1"} {
		_, err := m.AddUnit(u, "")
		require.NoError(t, err)
	}
	_, err = m.Elect("app/0")
	require.NoError(t, err)
	if settings != nil {
		require.NoError(t, m.SetLeaderSettings("app", settings))
	}
	root := t.TempDir()
	store, err := fakejuju.CreateDir(root, m)
	require.NoError(t, err)
	return &fakeModel{root: root, store: store}
}

// open opens a context on unit and returns the environment a hook gets.
func (f *fakeModel) open(t *testing.T, unit, id string) map[string]string {
	t.Helper()
	require.NoError(t, f.store.Update(func(m *fakejuju.Model) error {
		_, err := m.Open(fakejuju.ContextSpec{ID: id, Unit: unit, Hook: "config-changed"})
		return err
	}))
	return map[string]string{
		"JUJU_CONTEXT_ID":           id,
		"JUJU_AGENT_SOCKET_ADDRESS": filepath.Join(f.root, "units", strings.ReplaceAll(unit, "/", "-"), "agent.socket"),
		"JUJU_AGENT_SOCKET_NETWORK": "unix",
	}
}

type result struct {
	stdout, stderr string
	code           int
}

func call(env map[string]string, cwd, tool string, args ...string) result {
	var out, errb bytes.Buffer
	code := run(tool, args, func(k string) string { return env[k] }, strings.NewReader(""), cwd, &out, &errb)
	return result{out.String(), errb.String(), code}
}

// Ensure that the tools fail like jujuc when the context environment is
// missing or the context is not a live one.
func TestTools_Context(t *testing.T) {
	f := newFakeModel(t, nil)
	env := f.open(t, "app/0", "app/0-install-1")
	for _, name := range []string{"JUJU_CONTEXT_ID", "JUJU_AGENT_SOCKET_ADDRESS", "JUJU_AGENT_SOCKET_NETWORK"} {
		t.Run("missing "+name, func(t *testing.T) {
			e := map[string]string{}
			for k, v := range env {
				if k != name {
					e[k] = v
				}
			}
			assert.Equal(t, result{"", "ERROR " + name + " not set\n", 1}, call(e, "/", "is-leader"))
		})
	}
	t.Run("stale context", func(t *testing.T) {
		stale := map[string]string{}
		for k, v := range env {
			stale[k] = v
		}
		stale["JUJU_CONTEXT_ID"] = "app/0-install-0"
		assert.Equal(t, result{"", "ERROR bad request: expected context id \"app/0-install-0\"\n", 1}, call(stale, "/", "is-leader"))
	})
	t.Run("closed context", func(t *testing.T) {
		require.NoError(t, f.store.Update(func(m *fakejuju.Model) error { _, err := m.Close("app/0-install-1", true); return err }))
		assert.Equal(t, 1, call(env, "/", "is-leader").code)
	})
	t.Run("missing tool", func(t *testing.T) {
		env := f.open(t, "app/0", "app/0-install-2")
		assert.Equal(t, result{"", "ERROR bad request: unknown command: no-such-tool\n", 1}, call(env, "/", "no-such-tool"))
	})
}

// Ensure that is-leader False is sticky for the rest of the context and
// leader-set then fails, while a new context sees the new leader.
func TestTools_StickyMinion(t *testing.T) {
	f := newFakeModel(t, nil)
	env := f.open(t, "app/1", "ctx-1")
	assert.Equal(t, "False\n", call(env, "/", "is-leader").stdout)
	require.NoError(t, f.store.Update(func(m *fakejuju.Model) error { _, err := m.Elect("app/1"); return err }))
	assert.Equal(t, "False\n", call(env, "/", "is-leader").stdout, "same context")
	assert.Equal(t, 1, call(env, "/", "leader-set", "a=1").code)
	env2 := f.open(t, "app/1", "ctx-2")
	assert.Equal(t, "True\n", call(env2, "/", "is-leader").stdout, "new context")
}

// Ensure that leader-get serves the context's first read until the
// context's own leader-set, and that leader-set merges, trims and deletes.
func TestTools_LeaderSettings(t *testing.T) {
	f := newFakeModel(t, map[string]string{"a": "1", "gone": "x"})
	follower := f.open(t, "app/1", "f-1")
	leader := f.open(t, "app/0", "l-1")
	assert.Equal(t, "1\n", call(follower, "/", "leader-get", "a").stdout)
	require.Equal(t, 0, call(leader, "/", "leader-set", " a = 2 ", "gone=", "new=n").code)
	assert.Equal(t, "1\n", call(follower, "/", "leader-get", "a").stdout, "follower keeps its first read")
	assert.Equal(t, `{"a":"2","new":"n"}`+"\n", call(leader, "/", "leader-get", "--format=json").stdout, "leader sees its write")

	settings := func() (map[string]string, int) {
		m, err := f.store.ReadModel()
		require.NoError(t, err)
		return m.Apps["app"].LeaderSettings, m.Apps["app"].SettingsVersion
	}
	s, version := settings()
	assert.Equal(t, map[string]string{"a": "2", "new": "n"}, s)
	assert.Equal(t, 2, version, "one write by the test's setup, one by leader-set")

	require.Equal(t, 0, call(leader, "/", "leader-set", "a=2", "absent=").code)
	_, after := settings()
	assert.Equal(t, version, after, "a write that changes nothing is not counted")
}

// Ensure that -o writes the output to a file relative to the caller's cwd,
// that an injected fault replaces the tool, and that calls are journaled
// with the simulated time.
func TestTools_OutputFileAndFault(t *testing.T) {
	f := newFakeModel(t, nil)
	env := f.open(t, "app/0", "ctx")
	cwd := t.TempDir()
	got := call(env, cwd, "is-leader", "-o", "out.txt", "--format=json")
	assert.Equal(t, result{"", "", 0}, got)
	b, err := os.ReadFile(filepath.Join(cwd, "out.txt"))
	require.NoError(t, err)
	assert.Equal(t, "true\n", string(b))

	require.NoError(t, f.store.Update(func(m *fakejuju.Model) error {
		m.Units["app/0"].Faults = map[string]fakejuju.Fault{"is-leader": {Message: "leadership status unknown: boom"}}
		return nil
	}))
	assert.Equal(t, result{"", "ERROR leadership status unknown: boom\n", 1}, call(env, cwd, "is-leader"))

	journal, err := f.store.Journal()
	require.NoError(t, err)
	var calls []fakejuju.ToolCall
	for _, e := range journal {
		if e.Call != nil {
			calls = append(calls, *e.Call)
		}
	}
	require.Len(t, calls, 2)
	assert.Equal(t, []string{"-o", "out.txt", "--format=json"}, calls[0].Args)
	assert.Equal(t, 1, calls[1].ExitCode)
	assert.Equal(t, time.Unix(0, 1000).UTC(), calls[1].Time.UTC())
}

// Ensure that concurrent tool calls from several contexts and units share
// the model safely: no leader-set is lost and every call is journaled.
func TestTools_ConcurrentCalls(t *testing.T) {
	f := newFakeModel(t, nil)
	const n = 40
	envs := []map[string]string{f.open(t, "app/0", "app/0-ctx"), f.open(t, "app/1", "app/1-ctx")}
	done := make(chan result, 2*n)
	for i := range n {
		go func() { done <- call(envs[0], "/", "leader-set", fmt.Sprintf("k%d=v", i)) }()
		go func() { done <- call(envs[1], "/", "juju-log", "message") }()
	}
	for range 2 * n {
		r := <-done
		assert.Equal(t, 0, r.code, r.stderr)
	}
	m, err := f.store.ReadModel()
	require.NoError(t, err)
	assert.Len(t, m.Apps["app"].LeaderSettings, n)
	assert.Equal(t, n, m.Apps["app"].SettingsVersion)
	journal, err := f.store.Journal()
	require.NoError(t, err)
	count := map[string]int{}
	for _, e := range journal {
		if e.Call != nil {
			count[e.Call.Unit]++
		}
	}
	assert.Equal(t, map[string]int{"app/0": n, "app/1": n}, count)
}
