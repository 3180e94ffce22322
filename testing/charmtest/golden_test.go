package charmtest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goldenCall is one recorded tool call of a golden script.
type goldenCall struct {
	argv   []string
	stdin  string
	stdout string
	stderr string
	exit   int
}

// goldenState is the `state` section of a golden script (hookenv/testdata/README.md).
type goldenState struct {
	Unit           string                     `json:"unit"`
	Hook           string                     `json:"hook"`
	Leader         bool                       `json:"leader"`
	LeaderSettings map[string]string          `json:"leader-settings"`
	Config         map[string]json.RawMessage `json:"config"`
	Relations      map[string]struct {
		UnitData map[string]map[string]string `json:"unit-data"`
		AppData  map[string]map[string]string `json:"app-data"`
	} `json:"relations"`
	Status struct {
		Unit struct{ Status, Message string } `json:"unit"`
	} `json:"status"`
	Faults map[string]any `json:"faults"`
}

// parseGolden splits a golden script into its state and calls.
func parseGolden(tb testing.TB, text string) (goldenState, []goldenCall) {
	tb.Helper()
	var st goldenState
	var calls []goldenCall
	var section string
	var body strings.Builder
	flush := func() {
		content := body.String()
		body.Reset()
		switch section {
		case "state":
			require.NoError(tb, json.Unmarshal([]byte(content), &st), "state section")
		case "call":
			var argv []string
			require.NoError(tb, json.Unmarshal([]byte(content), &argv), "call section")
			calls = append(calls, goldenCall{argv: argv})
		case "stdin":
			calls[len(calls)-1].stdin = content
		case "stdout":
			calls[len(calls)-1].stdout = content
		case "stderr":
			calls[len(calls)-1].stderr = content
		case "exit":
			n, err := strconv.Atoi(strings.TrimSpace(content))
			require.NoError(tb, err, "exit section")
			calls[len(calls)-1].exit = n
		}
	}
	for _, line := range strings.SplitAfter(text, "\n") {
		trimmed := strings.TrimRight(line, "\n")
		if strings.HasPrefix(trimmed, "-- ") && strings.HasSuffix(trimmed, " --") && len(trimmed) > 6 {
			flush()
			section = trimmed[3 : len(trimmed)-3]
			continue
		}
		if section != "" {
			body.WriteString(line)
		}
	}
	flush()
	return st, calls
}

// unit builds the Unit a golden state describes.
func (st goldenState) unit(tb testing.TB) Unit {
	tb.Helper()
	u := Unit{Name: st.Unit, Leader: st.Leader, LeaderSettings: st.LeaderSettings, Status: Status{State: st.Status.Unit.Status, Message: st.Status.Unit.Message}}
	app := u.app()
	for k, raw := range st.Config {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		require.NoError(tb, dec.Decode(&v))
		if n, isNum := v.(json.Number); isNum {
			if i, err := n.Int64(); err == nil {
				v = i
			} else {
				v, _ = n.Float64()
			}
		}
		if u.Config == nil {
			u.Config = map[string]any{}
		}
		u.Config[k] = v
	}
	ids := sortedKeys(st.Relations)
	for _, id := range ids {
		gr := st.Relations[id]
		r := Relation{ID: id, RemoteApp: "remote"}
		if strings.HasPrefix(id, "peers:") {
			r.RemoteApp = app
		}
		for m, bag := range gr.UnitData {
			r.RemoteApp, _, _ = strings.Cut(m, "/")
			if r.Units == nil {
				r.Units = map[string]map[string]string{}
			}
			r.Units[m] = bag
		}
		for a, bag := range gr.AppData {
			if a == app {
				r.AppData = bag
			} else {
				r.RemoteApp, r.RemoteAppData = a, bag
			}
		}
		u.Relations = append(u.Relations, r)
	}
	for tool, f := range st.Faults {
		if tool == "lose-lease-after-calls" {
			u.LoseLeadershipAfter = int(f.(float64))
			continue
		}
		if u.Faults == nil {
			u.Faults = map[string]Fault{}
		}
		u.Faults[tool] = Fault{Cause: f.(string)}
	}
	return u
}

// Ensure that the fake tools give, for every golden script of the hookenv
// package (copied into testdata/tools), exactly the stdout, stderr and exit
// code Juju gives.
func TestTools_Golden(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "tools", "*", "*.txt"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 25)
	sort.Strings(files)
	for _, file := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.ToSlash(file), "testdata/tools/"), ".txt")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			text, err := os.ReadFile(file)
			require.NoError(t, err)
			st, calls := parseGolden(t, string(text))
			require.NotEmpty(t, calls)
			hook := st.Hook
			if hook == "" {
				hook = "config-changed"
			}
			m := newTestModel(t, st.unit(t), hook)
			for i, c := range calls {
				out, code, stderr := call(t, m, c.argv[0], c.stdin, c.argv[1:]...)
				assert.Equal(t, c.stdout, out, "call %d %q: stdout", i, c.argv)
				assert.Equal(t, c.stderr, stderr, "call %d %q: stderr", i, c.argv)
				assert.Equal(t, c.exit, code, "call %d %q: exit code", i, c.argv)
			}
		})
	}
}
