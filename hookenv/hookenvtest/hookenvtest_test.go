package hookenvtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/hookenv"
)

// Ensure every golden script parses, is named after the tool it is about,
// says what it shows, and follows Juju's output rules, so that a fake
// checked against the scripts is checked against Juju: exit 0 with empty
// stderr, or exit 1/2 with one "ERROR ..." line and nothing on stdout;
// --format=json output is one compact JSON value and a newline.
func TestScripts(t *testing.T) {
	scripts, err := Scripts()
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(scripts), 48)
	names := make([]string, len(scripts))
	for i, s := range scripts {
		names[i] = s.Name
	}
	assert.True(t, slices.IsSorted(names), "sorted by name")
	for _, s := range scripts {
		t.Run(s.Name, func(t *testing.T) {
			assert.NotEmpty(t, strings.TrimSpace(s.Comment), "a comment says what the script shows")
			require.NotEmpty(t, s.Calls)
			tool, _, _ := strings.Cut(s.Name, "/")
			assert.Equal(t, tool, s.Calls[0].Tool(), "the directory names the first call's tool")
			for i, c := range s.Calls {
				switch c.ExitCode {
				case 0:
					assert.Empty(t, c.Stderr, "call %d: exit 0 writes no stderr", i)
				case 1, 2:
					assert.Empty(t, c.Stdout, "call %d: failed call prints nothing", i)
					line := string(c.Stderr)
					assert.True(t, strings.HasPrefix(line, "ERROR ") && strings.Count(line, "\n") == 1 && strings.HasSuffix(line, "\n"),
						"call %d: stderr %q is not one ERROR line", i, line)
				default:
					t.Errorf("call %d: exit code %d: Juju exits 0, 1 or 2", i, c.ExitCode)
				}
				if c.ExitCode != 0 || !slices.Contains(c.Args, "--format=json") {
					continue
				}
				out := c.Stdout
				require.True(t, bytes.HasSuffix(out, []byte("\n")) && bytes.Count(out, []byte("\n")) == 1,
					"call %d: JSON output %q is one line", i, out)
				require.True(t, json.Valid(out), "call %d: %q is JSON", i, out)
				var compact bytes.Buffer
				require.NoError(t, json.Compact(&compact, out))
				assert.Equal(t, string(bytes.TrimSuffix(out, []byte("\n"))), compact.String(), "call %d: compact as Go's encoding/json", i)
				var m map[string]json.RawMessage
				if json.Unmarshal(out, &m) == nil && m != nil && c.Tool() != "goal-state" && c.Tool() != "network-get" {
					// Maps are printed with sorted keys; goal-state and network-get print structs.
					re, err := json.Marshal(m)
					require.NoError(t, err)
					assert.Equal(t, compact.String(), string(re), "call %d: keys sorted", i)
				}
			}
		})
	}
}

// Ensure ParseScript reads every section, tells a call reading no stdin
// from one reading an empty stdin, and lists the tools the script runs.
func TestParseScript(t *testing.T) {
	s, err := ParseScript("x/y", []byte(`What it shows.
Two lines.
-- state --
{"leader": true, "config": {"n": 1, "f": 2.5, "g": 1e3, "b": false, "s": "x", "u": null}, "config-types": {"u": "int"}}
-- call --
["leader-set", "a=1"]
-- stdout --
-- stderr --
-- call --
["relation-set", "--file", "-"]
-- stdin --
-- stdout --
-- stderr --
ERROR boom
-- exit --
1
-- call --
["is-leader", "--format=json"]
-- stdin --
{}
-- stdout --
true
`))
	require.NoError(t, err)
	assert.Equal(t, "x/y", s.Name)
	assert.Equal(t, "What it shows.\nTwo lines.\n", s.Comment)
	assert.True(t, s.State.Leader)
	require.Len(t, s.Calls, 3)
	assert.Equal(t, Call{Args: []string{"leader-set", "a=1"}}, s.Calls[0])
	assert.Equal(t, Call{Args: []string{"relation-set", "--file", "-"}, Stdin: []byte{}, Stderr: []byte("ERROR boom\n"), ExitCode: 1}, s.Calls[1])
	assert.Nil(t, s.Calls[0].Stdin, "no stdin section: the call reads no stdin")
	assert.NotNil(t, s.Calls[1].Stdin, "an empty stdin section: the call reads nothing")
	assert.Equal(t, []byte("{}\n"), s.Calls[2].Stdin)
	assert.Equal(t, []byte("true\n"), s.Calls[2].Stdout)
	assert.Equal(t, []string{"is-leader", "leader-set", "relation-set"}, s.State.Tools())
	assert.Equal(t, `relation-set "--file" "-"`, s.Calls[1].String())

	for opt, want := range map[string]struct {
		typ   string
		value any
	}{
		"n": {"int", int64(1)}, "f": {"float", 2.5}, "g": {"float", 1000.0}, "b": {"boolean", false},
		"s": {"string", "x"}, "u": {"int", nil}, "missing": {"", nil},
	} {
		assert.Equal(t, want.typ, s.State.ConfigType(opt), "type of %s", opt)
		assert.Equal(t, want.value, s.State.ConfigValue(opt), "value of %s", opt)
	}
}

// Ensure malformed scripts and inconsistent states are refused, naming the
// script.
func TestParseScriptErrors(t *testing.T) {
	for name, tc := range map[string]struct{ text, want string }{
		"unknown section":       {"-- stdot --\n", `unknown section "stdot"`},
		"stdout before a call":  {"-- stdout --\nx\n", `section "stdout" before the first call`},
		"state after a call":    {"-- call --\n[\"a\"]\n-- state --\n{}\n", "one state section, before the first call"},
		"two states":            {"-- state --\n{}\n-- state --\n{}\n", "one state section"},
		"two stdouts":           {"-- call --\n[\"a\"]\n-- stdout --\n-- stdout --\n", `call 0: two "stdout" sections`},
		"call not a list":       {"-- call --\n\"a\"\n", "call 0: want a JSON list"},
		"empty call":            {"-- call --\n[]\n", "call 0: want a JSON list"},
		"bad exit":              {"-- call --\n[\"a\"]\n-- exit --\none\n", `call 0: bad exit code "one\n"`},
		"state not JSON":        {"-- state --\n{\n", "state: unexpected EOF"},
		"unknown key":           {"-- state --\n{\"leadr\": true}\n", `state: json: unknown field "leadr"`},
		"two values":            {"-- state --\n{} {}\n", "state: more than one JSON value"},
		"bad unit":              {"-- state --\n{\"unit\": \"app\"}\n", `state: invalid unit name "app"`},
		"bad relation key":      {"-- state --\n{\"relations\": {\"db\": {}}}\n", `state: relation key "db" is not <endpoint>:<id>`},
		"shared relation id":    {"-- state --\n{\"relations\": {\"db:1\": {}, \"web:1\": {}}}\n", "share an id"},
		"relation not known":    {"-- state --\n{\"relation\": \"db:1\"}\n", `state: relation "db:1" is not in relations`},
		"remote without rel":    {"-- state --\n{\"remote-unit\": \"a/0\"}\n", "remote-unit and remote-app need a relation"},
		"bad config type":       {"-- state --\n{\"config\": {\"a\": 1}, \"config-types\": {\"a\": \"number\"}}\n", `config-types: "a": type "number"`},
		"config type no option": {"-- state --\n{\"config-types\": {\"a\": \"int\"}}\n", `config-types: "a" is not a config option`},
		"fault not a string":    {"-- state --\n{\"faults\": {\"is-leader\": 1}}\n", "faults: is-leader: want a cause"},
		"negative lease count":  {"-- state --\n{\"faults\": {\"lose-lease-after-calls\": -1}}\n", "faults: lose-lease-after-calls: want a count"},
		"status twice":          {"-- state --\n{\"status\": {\"unit\": {\"status\": \"active\"}, \"units\": {\"app/0\": {\"status\": \"active\"}}}}\n", "status given twice"},
		"action without name":   {"-- state --\n{\"action\": {}}\n", "action: no name"},
		"files not an object":   {"-- call --\n[\"a\"]\n-- files --\n[]\n", "call 0: files: want a JSON object"},
		"file name with slash":  {"-- call --\n[\"a\"]\n-- files --\n{\"a/b\": \"\"}\n", `call 0: files: "a/b" is not a file name`},
		"bad secret id":         {"-- state --\n{\"secrets\": {\"nope\": {\"owner\": \"app\", \"revisions\": [{}]}}}\n", `secrets: "nope" is not a secret ID`},
		"bad next secret id":    {"-- state --\n{\"next-secret-id\": \"coj8mulh8b41e8nv6p9z\"}\n", `next-secret-id: "coj8mulh8b41e8nv6p9z" is not a secret ID`},
		"secret no revision":    {"-- state --\n{\"secrets\": {\"coj8mulh8b41e8nv6p90\": {\"owner\": \"app\"}}}\n", "secrets: coj8mulh8b41e8nv6p90: no revision"},
		"secret bad tracked":    {"-- state --\n{\"secrets\": {\"coj8mulh8b41e8nv6p90\": {\"owner\": \"app\", \"revisions\": [{}], \"tracked\": 2}}}\n", "tracked revision 2 is not one of its 1 revisions"},
		"own secret granted":    {"-- state --\n{\"secrets\": {\"coj8mulh8b41e8nv6p90\": {\"owner\": \"app/0\", \"revisions\": [{}], \"granted\": true}}}\n", "granted to its own application"},
		"consumer label":        {"-- state --\n{\"secrets\": {\"coj8mulh8b41e8nv6p90\": {\"owner\": \"db\", \"label\": \"x\", \"revisions\": [{}]}}}\n", "a consumer label needs a tracked revision"},
		"bad secret owner unit": {"-- state --\n{\"secrets\": {\"coj8mulh8b41e8nv6p90\": {\"owner\": \"db/x\", \"revisions\": [{}]}}}\n", `invalid unit name "db/x"`},
		"bad model uuid":        {"-- state --\n{\"model-uuid\": \"x\"}\n", `model-uuid: "x" is not a UUID`},
		"bad juju version":      {"-- state --\n{\"juju-version\": \"3\"}\n", `juju-version: "3" is not a Juju version`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseScript("s/x", []byte("comment\n"+tc.text))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "hookenvtest: s/x: ")
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// Ensure the state's defaults and inferences are those documented.
func TestStateDefaults(t *testing.T) {
	var zero State
	assert.Equal(t, "app/0", zero.UnitName())
	assert.Equal(t, "app", zero.AppName())
	assert.Equal(t, "config-changed", zero.HookName())
	assert.False(t, zero.OutsideHook())
	assert.Equal(t, []string{"app/0"}, zero.Units())
	assert.Equal(t, []string{"app"}, zero.Apps())

	s, err := decodeState([]byte(`{"unit": "web/1", "relation": "db:2", "action": null,
		"relations": {"db:2": {"unit-data": {"web/1": {}, "mysql/0": {}}}, "peer:0": {"units": {"web/0": {}}},
		              "ext:3": {"app-data": {"web": {}, "other": {}}}, "x:4": {"remote-app": "zed"}},
		"status": {"unit": {"status": "active"}, "units": {"cache/0": {"status": "waiting", "since": "2024-01-02T03:04:05Z"}}},
		"env": {"JUJU_CONTEXT_ID": ""}}`))
	require.NoError(t, err)
	assert.Equal(t, "db-relation-changed", s.HookName())
	assert.Equal(t, "mysql", s.RemoteAppOf("db:2"))
	assert.Equal(t, "web", s.RemoteAppOf("peer:0"), "only the own application: a peer relation")
	assert.Equal(t, "other", s.RemoteAppOf("ext:3"))
	assert.Equal(t, "zed", s.RemoteAppOf("x:4"))
	assert.Equal(t, []string{"cache/0", "mysql/0", "web/0", "web/1"}, s.Units())
	assert.Equal(t, []string{"cache", "mysql", "other", "web", "zed"}, s.Apps())
	assert.True(t, s.OutsideHook())
	st, ok := s.UnitStatus("web/1")
	assert.True(t, ok)
	assert.Equal(t, "active", st.Status)
	st, ok = s.UnitStatus("cache/0")
	assert.True(t, ok)
	assert.Equal(t, 2024, st.Since.Year())
	_, ok = s.UnitStatus("mysql/0")
	assert.False(t, ok)

	s.Action = &Action{Name: "backup"}
	s.Relation = ""
	assert.Equal(t, "", s.HookName(), "actions run no hook")
	s.Hook = "install"
	assert.Equal(t, "install", s.HookName())
}

// Ensure faults keep their one-object JSON form both ways.
func TestFaultsJSON(t *testing.T) {
	var f Faults
	require.NoError(t, json.Unmarshal([]byte(`{"is-leader": "down", "lose-lease-after-calls": 2}`), &f))
	require.NotNil(t, f.LoseLeaseAfterCalls)
	assert.Equal(t, 2, *f.LoseLeaseAfterCalls)
	assert.Equal(t, map[string]string{"is-leader": "down"}, f.Tools)
	b, err := json.Marshal(f)
	require.NoError(t, err)
	assert.JSONEq(t, `{"is-leader": "down", "lose-lease-after-calls": 2}`, string(b))
	assert.True(t, Faults{}.IsZero())
	assert.False(t, f.IsZero())
}

// replay is a runner that answers each call with the script's recorded
// answer, as a perfect fake would.
type replay struct {
	t     *testing.T
	calls []Call
}

func (r *replay) Run(_ context.Context, tool string, args []string, stdin []byte) ([]byte, error) {
	c := r.calls[0]
	r.calls = r.calls[1:]
	dir, ok := c.MatchArgs(append([]string{tool}, args...))
	assert.True(r.t, ok, "arguments %q, want %q", args, c.Args)
	for name, content := range c.Files {
		b, err := os.ReadFile(filepath.Join(dir, name))
		assert.NoError(r.t, err)
		assert.Equal(r.t, content, string(b), "file %s", name)
	}
	c = c.Expand(dir)
	assert.Equal(r.t, c.Stdin, stdin)
	if c.ExitCode != 0 {
		return c.Stdout, hookenv.NewToolError(tool, args, c.ExitCode, string(c.Stderr))
	}
	return c.Stdout, nil
}

// Ensure a runner that answers as Juju does passes every script.
func TestRunScriptReplay(t *testing.T) {
	scripts, err := Scripts()
	require.NoError(t, err)
	for _, sc := range scripts {
		t.Run(sc.Name, func(t *testing.T) {
			r := &replay{t: t, calls: sc.Calls}
			runScript(t, sc, r)
			assert.Empty(t, r.calls, "every call ran")
		})
	}
}

// Ensure a wrong answer is reported with what was got and what was wanted.
func TestCompareCall(t *testing.T) {
	c := Call{Args: []string{"is-leader", "--format=json"}, Stdout: []byte("true\n")}
	assert.Empty(t, compareCall(c, []byte("true\n"), nil))
	assert.Equal(t, "  got: exit 0, stdout \"false\\n\", stderr \"\"\n want: exit 0, stdout \"true\\n\", stderr \"\"",
		compareCall(c, []byte("false\n"), nil))
	assert.Equal(t, "  got: exit 1, stdout \"\", stderr \"ERROR x\\n\"\n want: exit 0, stdout \"true\\n\", stderr \"\"",
		compareCall(c, nil, hookenv.NewToolError("is-leader", nil, 1, "ERROR x\n")))
	msg := compareCall(c, nil, errors.New("no such tool"))
	assert.True(t, strings.HasPrefix(msg, "runner error (not a *hookenv.ToolError): no such tool\n want: exit 0"), msg)

	failed := Call{Args: []string{"leader-set", "a=1"}, Stderr: []byte("ERROR no\n"), ExitCode: 1}
	assert.Empty(t, compareCall(failed, nil, hookenv.NewToolError("leader-set", []string{"a=1"}, 1, "ERROR no\n")))
	assert.NotEmpty(t, compareCall(failed, nil, nil), "success where Juju fails")
}

// Ensure a call's files are parsed with their exact content, written by
// WriteFiles, named by Expand and found again by MatchArgs, one directory
// for the whole call.
func TestCallFiles(t *testing.T) {
	s, err := ParseScript("x/y", []byte(`comment
-- call --
["secret-add", "--label=l", "a#file=$FILES/a", "b#file=$FILES/b"]
-- files --
{"a": " x\n", "b": ""}
-- stderr --
ERROR reading $FILES/a
-- exit --
1
-- call --
["secret-ids"]
`))
	require.NoError(t, err)
	c := s.Calls[0]
	assert.Equal(t, map[string]string{"a": " x\n", "b": ""}, c.Files)
	assert.Nil(t, s.Calls[1].Files)
	assert.True(t, c.usesFiles())
	assert.False(t, s.Calls[1].usesFiles())

	dir := t.TempDir()
	require.NoError(t, c.WriteFiles(dir))
	b, err := os.ReadFile(filepath.Join(dir, "a"))
	require.NoError(t, err)
	assert.Equal(t, " x\n", string(b))
	fi, err := os.Stat(filepath.Join(dir, "b"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	e := c.Expand("/tmp/d")
	assert.Equal(t, []string{"secret-add", "--label=l", "a#file=/tmp/d/a", "b#file=/tmp/d/b"}, e.Args)
	assert.Equal(t, "ERROR reading /tmp/d/a\n", string(e.Stderr))
	assert.Equal(t, []string{"secret-add", "--label=l", "a#file=$FILES/a", "b#file=$FILES/b"}, c.Args, "the call is unchanged")

	got, ok := c.MatchArgs(e.Args)
	assert.True(t, ok)
	assert.Equal(t, "/tmp/d", got)
	for _, bad := range [][]string{
		{"secret-add", "--label=l", "a#file=/tmp/d/a", "b#file=/tmp/e/b"},
		{"secret-add", "--label=m", "a#file=/tmp/d/a", "b#file=/tmp/d/b"},
		{"secret-add", "--label=l", "a#file=/a", "b#file=/b"},
		{"secret-add", "--label=l", "a#file=/tmp/d/a"},
		{"secret-add", "--label=l", "a=x", "b#file=/tmp/d/b"},
	} {
		_, ok := c.MatchArgs(bad)
		assert.False(t, ok, "%q", bad)
	}
	dir, ok = s.Calls[1].MatchArgs([]string{"secret-ids"})
	assert.True(t, ok)
	assert.Empty(t, dir)
}

// Ensure the secrets of a state name their owners and the model's UUID
// and Juju version default as documented.
func TestStateSecrets(t *testing.T) {
	s, err := decodeState([]byte(`{"secrets": {
		"coj8mulh8b41e8nv6p90": {"owner": "mysql", "granted": true, "revisions": [{"a": "b"}]},
		"coj8mulh8b41e8nv6pa0": {"owner": "app/1", "granted": true, "revisions": [{"a": "b"}]},
		"coj8mulh8b41e8nv6pb0": {"owner": "app", "label": "l", "revisions": [{"a": "b"}]}}}`))
	require.NoError(t, err)
	assert.Equal(t, []string{"app/0", "app/1"}, s.Units())
	assert.Equal(t, []string{"app", "mysql"}, s.Apps())
	assert.True(t, s.Owns(s.Secrets["coj8mulh8b41e8nv6pb0"]))
	assert.False(t, s.Owns(s.Secrets["coj8mulh8b41e8nv6pa0"]), "another unit's secret")
	assert.Equal(t, DefaultModelUUID, s.Model())
	assert.Equal(t, DefaultJujuVersion, s.Version())
	s.ModelUUID, s.JujuVersion = "00000000-0000-4000-8000-000000000000", "3.1.2"
	assert.Equal(t, "00000000-0000-4000-8000-000000000000", s.Model())
	assert.Equal(t, "3.1.2", s.Version())
}
