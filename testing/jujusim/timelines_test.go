package jujusim_test

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/testing/jujusim"
)

// hookLog returns the unit's hooks.log lines from line n on (the test
// charms append one line per hook).
func hookLog(tb testing.TB, u *jujusim.Unit, from int) []string {
	tb.Helper()
	b, err := u.ReadFile("hooks.log")
	require.NoError(tb, err)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if from > len(lines) {
		return nil
	}
	return lines[from:]
}

// logLen returns how many lines each unit's hooks.log has now.
func logLen(tb testing.TB, m *jujusim.Model) map[string]int {
	tb.Helper()
	out := map[string]int{}
	for _, u := range m.Units() {
		out[u.Name()] = len(hookLog(tb, u, 0))
	}
	return out
}

// names returns the hook names of log lines ("<hook> remote=... ").
func names(lines []string) []string {
	var out []string
	for _, l := range lines {
		hook, rest, _ := strings.Cut(l, " ")
		if strings.HasSuffix(hook, "-relation-joined") || strings.HasSuffix(hook, "-relation-departed") ||
			strings.HasSuffix(hook, "-relation-changed") && !strings.HasPrefix(rest, "remote= ") {
			remote, _, _ := strings.Cut(strings.TrimPrefix(rest, "remote="), " ")
			hook += " " + remote
		} else if strings.HasSuffix(hook, "-relation-changed") {
			hook += " (app)"
		}
		out = append(out, hook)
	}
	return out
}

// dbWeb deploys db and web, two units each, started and idle.
func dbWeb(tb testing.TB) (*jujusim.Model, *jujusim.Application, *jujusim.Application) {
	tb.Helper()
	m := jujusim.Start(tb, jujusim.Options{Charm: filepath.Join("testdata", "charms", "db"), Units: 2})
	web, err := m.AddApplication(jujusim.AppOptions{Charm: filepath.Join("testdata", "charms", "web"), Units: 2})
	require.NoError(tb, err)
	require.NoError(tb, m.Deploy())
	return m, m.Application("db"), web
}

// Ensure that relating two 2-unit applications runs, on every unit, the
// hooks Juju's resolver runs on the reference schedule (timeline T1 of
// docs/jujusim.md): created first, the counterpart's app-level changed
// before any join, each joined followed by its changed, and a unit's write
// reaching the other side as one more changed.
func TestTimeline_Integrate(t *testing.T) {
	t.Parallel()
	m, db, web := dbWeb(t)
	before := logLen(t, m)
	rel, err := m.Relate("web", "db")
	require.NoError(t, err)
	require.NoError(t, m.Settle())
	require.NoError(t, m.CheckInvariants())

	for _, u := range db.Units() {
		assert.Equal(t, []string{"server-relation-created",
			"server-relation-joined web/0", "server-relation-changed web/0",
			"server-relation-joined web/1", "server-relation-changed web/1",
			"server-relation-changed web/0"}, names(hookLog(t, u, before[u.Name()])), u.Name())
	}
	for _, u := range web.Units() {
		lines := hookLog(t, u, before[u.Name()])
		assert.Equal(t, []string{"db-relation-created", "db-relation-changed (app)",
			"db-relation-joined db/0", "db-relation-changed db/0",
			"db-relation-joined db/1", "db-relation-changed db/1"}, names(lines), u.Name())
		assert.Contains(t, lines[1], "app=db departing= list=[]", "the app bag is seen before any unit joined")
		assert.Contains(t, lines[2], "list=[db/0 ]")
		assert.Equal(t, `{"password":"pw"}`+"\n", readFile(t, u, "app-bag-db-relation-changed"))
	}
	bag, err := rel.Data("db/0")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"host": "db/0", "private-address": "10.1.0.1", "ingress-address": "10.1.0.1"}, bag)
	bag, err = rel.Data("web/1")
	require.NoError(t, err)
	assert.Equal(t, "web/1", bag["user"])
	assert.Equal(t, []string{"web:db", "db:server"}, rel.Endpoints())
	assert.Equal(t, "db:"+itoa(rel.ID()), rel.Key("web"))
	assert.Equal(t, "server:"+itoa(rel.ID()), rel.Key("db"))

	ev := mustExec(t, web.Unit(1), "relation-get -r "+itoa(rel.ID())+" --app - web")
	assert.Equal(t, 1, ev.ExitCode, "a non-leader may not read its own app bag on a non-peer relation")
	assert.Equal(t, "ERROR permission denied\n", ev.Stderr)
}

func itoa(n int) string { return strconv.Itoa(n) }

// Ensure that a unit added to a related application enters the scope right
// after its install, so the other side joins it before its own start
// (timeline T2).
func TestTimeline_AddUnit(t *testing.T) {
	t.Parallel()
	m, db, web := dbWeb(t)
	_, err := m.Relate("web:db", "db:server")
	require.NoError(t, err)
	require.NoError(t, m.Settle())
	before := logLen(t, m)
	u, err := db.AddUnit()
	require.NoError(t, err)
	require.NoError(t, m.Settle())
	assert.Equal(t, []string{"install", "server-relation-created", "leader-settings-changed", "config-changed", "start",
		"server-relation-joined web/0", "server-relation-changed web/0",
		"server-relation-joined web/1", "server-relation-changed web/1"}, names(hookLog(t, u, 0)))
	for _, w := range web.Units() {
		assert.Equal(t, []string{"db-relation-joined db/2", "db-relation-changed db/2", "db-relation-changed db/2"},
			names(hookLog(t, w, before[w.Name()])), w.Name())
	}
	for _, d := range []*jujusim.Unit{db.Unit(0), db.Unit(1)} {
		assert.Empty(t, hookLog(t, d, before[d.Name()]), "%s runs nothing for a unit of its own application on a non-peer relation", d.Name())
	}
	require.NoError(t, m.CheckInvariants())
}

// Ensure that removing a unit departs it on both sides, and that removing
// the relation departs everyone and breaks it (timeline T3).
func TestTimeline_RemoveUnitThenRelation(t *testing.T) {
	t.Parallel()
	m, db, web := dbWeb(t)
	rel, err := m.Relate("web", "db")
	require.NoError(t, err)
	require.NoError(t, m.Settle())

	before := logLen(t, m)
	gone := db.Unit(1)
	require.NoError(t, m.RemoveUnit(gone))
	require.NoError(t, m.Settle())
	assert.Equal(t, []string{
		"server-relation-departed remote=web/0 app=web departing=db/1 list=[web/1 ]",
		"server-relation-departed remote=web/1 app=web departing=db/1 list=[]",
		"server-relation-broken remote= app=web departing= list=[]",
		"stop remote= app= departing= list=[]",
		"remove remote= app= departing= list=[]",
	}, hookLog(t, gone, before[gone.Name()]))
	for _, w := range web.Units() {
		assert.Equal(t, []string{"db-relation-departed remote=db/1 app=db departing=db/1 list=[db/0 ]"}, hookLog(t, w, before[w.Name()]), w.Name())
	}
	assert.Empty(t, hookLog(t, db.Unit(0), before["db/0"]))

	before = logLen(t, m)
	require.NoError(t, m.RemoveRelation(rel))
	require.NoError(t, m.Settle())
	for _, w := range web.Units() {
		assert.Equal(t, []string{
			"db-relation-departed remote=db/0 app=db departing=db/0 list=[]",
			"db-relation-broken remote= app=db departing= list=[]",
		}, hookLog(t, w, before[w.Name()]), w.Name())
		assert.Equal(t, `{"password":"pw"}`+"\n", readFile(t, w, "app-bag-db-relation-broken"), "the remote app bag is readable in -broken")
	}
	assert.Equal(t, []string{
		"server-relation-departed remote=web/0 app=web departing=web/0 list=[web/1 ]",
		"server-relation-departed remote=web/1 app=web departing=web/1 list=[]",
		"server-relation-broken remote= app=web departing= list=[]",
	}, hookLog(t, db.Unit(0), before["db/0"]))
	assert.True(t, rel.Gone())
	require.NoError(t, m.CheckInvariants())
}

// Ensure the peer-relation rules of timeline T4: every unit, the leader
// included, gets an app-level changed after the leader's app-bag write; a
// follower cannot write the app bag but can read it; a failed hook's
// relation-set is discarded and its retry publishes it; a removed unit
// departs its peers without -broken.
func TestTimeline_Peers(t *testing.T) {
	t.Parallel()
	m := jujusim.Start(t, jujusim.Options{Charm: filepath.Join("testdata", "charms", "kv"), Units: 3})
	require.NoError(t, m.Deploy())
	kv0, kv1, kv2 := m.Unit(0), m.Unit(1), m.Unit(2)

	before := logLen(t, m)
	ev := mustExec(t, kv0, "relation-set -r cluster:0 --app epoch=1")
	require.Equal(t, 0, ev.ExitCode, ev.Stderr)
	require.NoError(t, m.Settle())
	for _, u := range m.Units() {
		assert.Equal(t, []string{"cluster-relation-changed remote= app=kv departing="}, hookLog(t, u, before[u.Name()]), u.Name())
	}
	ev = mustExec(t, kv1, "relation-set -r cluster:0 --app epoch=2")
	assert.Equal(t, 1, ev.ExitCode)
	assert.Equal(t, "ERROR cannot write relation settings\n", ev.Stderr)
	assert.Equal(t, "epoch: \"1\"\n", mustExec(t, kv1, "relation-get -r cluster:0 --app - kv").Stdout, "a peer may read the app bag")

	require.NoError(t, m.SetConfig(map[string]string{"writer": "kv/2", "fail": "true"}))
	require.NoError(t, m.Settle())
	before = logLen(t, m)
	require.Equal(t, 0, mustExec(t, kv0, "relation-set -r cluster:0 --app epoch=2").ExitCode)
	require.ErrorIs(t, m.Settle(), jujusim.ErrHookFailed)
	require.True(t, kv2.InError())
	for _, u := range []*jujusim.Unit{kv0, kv1} {
		assert.Equal(t, []string{"cluster-relation-changed remote= app=kv departing="}, hookLog(t, u, before[u.Name()]), "%s sees nothing of the failed write", u.Name())
	}
	require.NoError(t, m.SetConfig(map[string]string{"fail": "false"}))
	ev, err := kv2.Retry()
	require.NoError(t, err)
	require.Equal(t, 0, ev.ExitCode, ev.Stderr)
	require.NoError(t, m.Settle())
	for _, u := range []*jujusim.Unit{kv0, kv1} {
		assert.Contains(t, hookLog(t, u, before[u.Name()]), "cluster-relation-changed remote=kv/2 app=kv departing=", u.Name())
	}
	assert.NotContains(t, hookLog(t, kv2, before["kv/2"]), "cluster-relation-changed remote=kv/2 app=kv departing=", "no hook for its own write")

	before = logLen(t, m)
	require.NoError(t, m.RemoveUnit(kv2))
	require.NoError(t, m.Settle())
	assert.Equal(t, []string{
		"cluster-relation-departed remote=kv/0 app=kv departing=kv/2",
		"cluster-relation-departed remote=kv/1 app=kv departing=kv/2",
		"stop remote= app= departing=",
		"remove remote= app= departing=",
	}, hookLog(t, kv2, before["kv/2"]))
	for _, u := range []*jujusim.Unit{kv0, kv1} {
		assert.Equal(t, []string{"cluster-relation-departed remote=kv/2 app=kv departing=kv/2"}, hookLog(t, u, before[u.Name()]), u.Name())
	}
	require.NoError(t, m.CheckInvariants())

	solo, err := m.AddApplication(jujusim.AppOptions{Charm: filepath.Join("testdata", "charms", "kv"), Name: "solo"})
	require.NoError(t, err)
	require.NoError(t, m.Deploy())
	assert.Equal(t, []string{"install", "cluster-relation-created", "leader-elected", "config-changed", "start"}, names(hookLog(t, solo.Unit(0), 0)))
	assert.Contains(t, hookLog(t, solo.Unit(0), 0)[1], "app=solo", "a peer relation's remote application is the unit's own")
	require.Equal(t, 0, mustExec(t, solo.Unit(0), "relation-set -r cluster:1 --app k=v").ExitCode)
	require.NoError(t, m.Settle())
	assert.Equal(t, "cluster-relation-changed (app)", names(hookLog(t, solo.Unit(0), 5))[0], "a lone leader gets its own app-bag change")
}
