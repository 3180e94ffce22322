package flags_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/charmkit/charmkit/flags"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixture is the part of a fixture's expected.json these tests use.
type fixture struct {
	Unit string                     `json:"unit"`
	KV   map[string]json.RawMessage `json:"kv"`
}

func fixtureNames(t testing.TB) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join("testdata", "python-unit-state"))
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	require.NotEmpty(t, names)
	return names
}

func loadFixture(t testing.TB, name string) fixture {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "python-unit-state", name, "expected.json"))
	require.NoError(t, err)
	var fx fixture
	require.NoError(t, json.Unmarshal(b, &fx))
	require.NotEmpty(t, fx.KV, "fixture %s has rows", name)
	return fx
}

func decode(t testing.TB, raw []byte) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(raw, &v), "decoding %s", raw)
	return v
}

// Ensure that every store written by the Python stack reads exactly as its
// expected.json says: the same keys, the same values, the same flags; that
// Go's encoding of each value is byte-identical to Python's; and that
// opening and reading the store changes no byte of the file.
func TestPythonFixtures_Read(t *testing.T) {
	for _, name := range fixtureNames(t) {
		t.Run(name, func(t *testing.T) {
			fx := loadFixture(t, name)
			path := copyFixture(t, name)
			before, err := os.ReadFile(path)
			require.NoError(t, err)

			s, err := flags.Open(path, nil)
			require.NoError(t, err)
			var wantFlags []string
			for k := range fx.KV {
				if f, ok := strings.CutPrefix(k, flags.FlagPrefix); ok {
					wantFlags = append(wantFlags, f)
				}
			}
			sort.Strings(wantFlags)
			require.NoError(t, s.View(t.Context(), func(tx *flags.Tx) error {
				got := tx.Range("", false)
				assert.Len(t, got, len(fx.KV), "row count")
				for k, want := range fx.KV {
					raw, ok := got[k]
					if !assert.True(t, ok, "key %q missing", k) {
						continue
					}
					assert.Equal(t, decode(t, want), decode(t, raw), "value of %q", k)
					// Go writes the same text Python wrote.
					enc, err := flags.EncodeValue(decode(t, raw))
					require.NoError(t, err)
					assert.Equal(t, string(raw), enc, "encoding of %q", k)
				}
				assert.Equal(t, wantFlags, flags.New(tx).List())
				return nil
			}))
			require.NoError(t, s.Close())
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.True(t, bytes.Equal(before, after), "reading a Python store leaves the file unchanged")
			checkInvariants(t, path)
		})
	}
}

// Ensure that a store written from scratch by Go, with a fixture's values,
// is what the Python layout reads: the same schema SQL, the same keys and
// byte-identical JSON text in kv.
func TestPythonFixtures_WriteLikePython(t *testing.T) {
	for _, name := range fixtureNames(t) {
		t.Run(name, func(t *testing.T) {
			fx := loadFixture(t, name)
			pyPath := copyFixture(t, name)
			goPath := filepath.Join(t.TempDir(), ".unit-state.db")
			s, err := flags.Open(goPath, nil)
			require.NoError(t, err)
			require.NoError(t, s.Update(t.Context(), func(tx *flags.Tx) error {
				for k, raw := range fx.KV {
					if err := tx.Set(k, decode(t, raw)); err != nil {
						return err
					}
				}
				return nil
			}))
			require.NoError(t, s.Close())
			assert.Equal(t, schemaOf(t, pyPath), schemaOf(t, goPath), "schema")
			assert.Equal(t, flags.RawRows(t, pyPath), flags.RawRows(t, goPath), "kv rows, byte for byte")
			checkInvariants(t, goPath)
		})
	}
}

// Ensure that Go can take over a Python store: change flags, commit, and
// the file holds exactly the old rows plus the change, in Python's text.
func TestPythonFixtures_Modify(t *testing.T) {
	path := copyFixture(t, "leader-wrote-motd")
	before := flags.RawRows(t, path)
	s, err := flags.Open(path, nil)
	require.NoError(t, err)
	require.NoError(t, s.Update(t.Context(), func(tx *flags.Tx) error {
		f := flags.New(tx)
		if err := f.Clear("leadership.changed.motd"); err != nil {
			return err
		}
		if err := f.SetValue("go.took.over", map[string]any{"by": "charmkit", "é": 1.0}); err != nil {
			return err
		}
		return tx.Set("reactive.state_watch", map[string]any{"iteration": 0, "changes": []string{}, "pending": []string{}})
	}))
	require.NoError(t, s.Close())
	want := before
	delete(want, "reactive.states.leadership.changed.motd")
	want["reactive.dispatch.removed_state"] = "true"
	want["reactive.states.go.took.over"] = `{"by": "charmkit", "\u00e9": 1.0}`
	want["reactive.state_watch"] = `{"changes": [], "iteration": 0, "pending": []}`
	assert.Equal(t, want, flags.RawRows(t, path))
	checkInvariants(t, path)
	pythonReads(t, path, want)
}

// pythonReads checks, when python3 is installed, that Python's sqlite3 and
// json read the store as want says. Without python3 it checks nothing more
// (the tests above already compare the file with Python-written ones).
func pythonReads(t *testing.T, path string, want map[string]string) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Log("python3 not found: Python reader check not run")
		return
	}
	script := `
import json, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
rows = {k: json.loads(v) for k, v in c.execute("select key, data from kv")}
print(json.dumps({k: json.dumps(v) for k, v in rows.items()}))
`
	out, err := exec.Command(py, "-c", script, path).Output()
	require.NoError(t, err)
	var got map[string]string
	require.NoError(t, json.Unmarshal(out, &got))
	assert.Equal(t, want, got, "Python re-serialises every value to the same text")
}
