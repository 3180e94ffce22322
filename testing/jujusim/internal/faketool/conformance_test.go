package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/testing/jujusim/internal/modelfs"
)

// goldenDir holds the hookenv package's golden hook-tool scripts: what
// Juju's tools print, per spec/hook-tools.md. Its README invites a fake to
// be checked against them.
var goldenDir = filepath.Join("..", "..", "..", "..", "hookenv", "hookenvtest", "testdata", "tools")

// notDerivable lists golden files whose outputs depend on model state their
// "state" section does not describe; each says what is missing.
var notDerivable = map[string]string{
	"relation-list/units.txt":         "the remote units mysql/0 and mysql/1 are not in the state",
	"relation-list/empty.txt":         "runs in a relation hook the state does not name",
	"status-get/application.txt":      "the other units' statuses are not in the state",
	"relation-set/app-not-leader.txt": "the relation peers:0 is not in the state",
	"relation-set/unit.txt":           "runs in a relation hook the state does not name",
}

type goldenCall struct {
	args           []string
	stdin          *string
	stdout, stderr string
	exit           int
}

type goldenScript struct {
	state map[string]json.RawMessage
	calls []goldenCall
}

func parseGolden(tb testing.TB, path string) goldenScript {
	tb.Helper()
	f, err := os.Open(path)
	require.NoError(tb, err)
	defer f.Close()
	var g goldenScript
	section := ""
	var buf strings.Builder
	flush := func() {
		text := buf.String()
		buf.Reset()
		switch section {
		case "state":
			require.NoError(tb, json.Unmarshal([]byte(text), &g.state), path)
		case "call":
			var args []string
			require.NoError(tb, json.Unmarshal([]byte(text), &args), path)
			g.calls = append(g.calls, goldenCall{args: args})
		case "stdin":
			g.calls[len(g.calls)-1].stdin = &text
		case "stdout":
			g.calls[len(g.calls)-1].stdout = text
		case "stderr":
			g.calls[len(g.calls)-1].stderr = text
		case "exit":
			n, err := strconv.Atoi(strings.TrimSpace(text))
			require.NoError(tb, err, path)
			g.calls[len(g.calls)-1].exit = n
		}
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "-- ") && strings.HasSuffix(line, " --") {
			flush()
			section = strings.TrimSuffix(strings.TrimPrefix(line, "-- "), " --")
			continue
		}
		if section != "" {
			buf.WriteString(line + "\n")
		}
	}
	require.NoError(tb, sc.Err())
	flush()
	return g
}

// buildState puts a fake model in the state a golden script describes and
// returns the environment of a live context in it.
func buildState(tb testing.TB, state map[string]json.RawMessage) (*fakeModel, map[string]string, string) {
	tb.Helper()
	get := func(key string, v any) bool {
		raw, ok := state[key]
		if ok {
			require.NoError(tb, json.Unmarshal(raw, v), key)
		}
		return ok
	}
	unit := "app/0"
	get("unit", &unit)
	var s setup
	var leader bool
	if get("leader", &leader) && leader {
		s.leader = unit
	}
	get("leader-settings", &s.settings)
	var config map[string]any
	if get("config", &config) {
		s.config = map[string]modelfs.ConfigOption{}
		for k, v := range config {
			switch x := v.(type) {
			case nil:
				s.config[k] = modelfs.ConfigOption{Type: "string"}
			case bool:
				s.config[k] = modelfs.ConfigOption{Type: "boolean", Value: x}
			case float64:
				if x == float64(int64(x)) {
					s.config[k] = modelfs.ConfigOption{Type: "int", Value: int64(x)}
				} else {
					s.config[k] = modelfs.ConfigOption{Type: "float", Value: x}
				}
			default:
				s.config[k] = modelfs.ConfigOption{Type: "string", Value: v}
			}
		}
	}
	var status struct {
		Unit *modelfs.Status `json:"unit"`
	}
	if get("status", &status) {
		s.status = status.Unit
	}
	var rels map[string]struct {
		UnitData map[string]map[string]string `json:"unit-data"`
		AppData  map[string]map[string]string `json:"app-data"`
	}
	get("relations", &rels)
	for key := range rels {
		ep, idText, _ := strings.Cut(key, ":")
		id, err := strconv.Atoi(idText)
		require.NoError(tb, err, key)
		meta := modelfs.RelationMeta{ID: id, Endpoint: ep, App: modelfs.AppOf(unit), Units: []string{unit}}
		for owner := range rels[key].UnitData {
			meta.Units = append(meta.Units, owner)
			if modelfs.AppOf(owner) != modelfs.AppOf(unit) {
				meta.App = modelfs.AppOf(owner)
			}
		}
		sort.Strings(meta.Units)
		meta.Units = slices.Compact(meta.Units)
		s.rels = append(s.rels, meta)
	}
	m := &fakeModel{layout: modelfs.Layout{Root: tb.TempDir()}, app: modelfs.AppOf(unit)}
	m = newFakeModelAt(tb, m.layout.Root, m.app, unit, s)
	for key, r := range rels {
		_, idText, _ := strings.Cut(key, ":")
		id, _ := strconv.Atoi(idText)
		for owner, bag := range r.UnitData {
			require.NoError(tb, modelfs.WriteJSON(m.layout.RelationBag(id, owner), bag))
		}
		for owner, bag := range r.AppData {
			require.NoError(tb, modelfs.WriteJSON(m.layout.RelationBag(id, owner), bag))
		}
	}
	var faults map[string]json.RawMessage
	if get("faults", &faults) {
		fs := map[string]modelfs.Fault{}
		for tool, raw := range faults {
			if tool == "lose-lease-after-calls" {
				var n int
				require.NoError(tb, json.Unmarshal(raw, &n))
				require.NoError(tb, modelfs.WriteJSON(m.layout.UnitFile(unit, "lease-fault.json"), modelfs.LeaseFault{TruesLeft: n}))
				continue
			}
			var cause string
			require.NoError(tb, json.Unmarshal(raw, &cause))
			fs[tool] = modelfs.Fault{Cause: cause}
		}
		require.NoError(tb, modelfs.WriteJSON(m.layout.UnitFile(unit, "faults.json"), fs))
	}
	env := m.open(tb, unit, unit+"-config-changed-golden")
	var overrides map[string]string
	if get("env", &overrides) {
		for k, v := range overrides {
			env[k] = v
		}
	}
	return m, env, unit
}

// Ensure that the fake tools print exactly what the golden scripts of the
// hookenv package record for Juju, for every tool the fake implements.
func TestTools_HookenvGoldens(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(goldenDir, "*", "*.txt"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no golden scripts in %s", goldenDir)
	ran := 0
	for _, path := range files {
		rel, _ := filepath.Rel(goldenDir, path)
		rel = filepath.ToSlash(rel)
		g := parseGolden(t, path)
		supported := len(g.calls) > 0
		for _, c := range g.calls {
			_, ok := tools[c.args[0]]
			supported = supported && ok
		}
		if _, action := g.state["action"]; action || !supported || notDerivable[rel] != "" {
			continue
		}
		ran++
		t.Run(rel, func(t *testing.T) {
			m, env, unit := buildState(t, g.state)
			cwd := m.layout.CharmDir(unit)
			for i, c := range g.calls {
				stdin := ""
				if c.stdin != nil {
					stdin = *c.stdin
				}
				got := callStdin(t, env, cwd, stdin, c.args[0], c.args[1:]...)
				assert.Equal(t, result{c.stdout, c.stderr, c.exit}, got, "call %d: %q", i+1, c.args)
			}
		})
	}
	assert.Greater(t, ran, 20, "golden scripts checked")
}
