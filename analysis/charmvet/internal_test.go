package charmvet

import (
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/internal/hookpattern"
	"github.com/charmkit/charmkit/reactive"
)

// Ensure that "*" matches any text, possibly empty, and nothing else is
// special.
func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"a.b", "a.b", true},
		{"a.b", "a.c", false},
		{"a.*", "a.", true},
		{"a.*", "a.b.c", true},
		{"*.ready", "db.ready", true},
		{"db.*.ready", "db.x.ready", true},
		{"db.*.ready", "db.ready", false},
		{"*", "", true},
		{"a*b*c", "abc", true},
		{"a*b*c", "acb", false},
		{"a?", "ab", false},
		{"[a]", "a", false},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, globMatch(tc.pattern, tc.name), "%q %q", tc.pattern, tc.name)
	}
}

// Ensure that families expand their placeholders from the bindings, "*"
// standing for an unknown set of names, and that capture finds the name a
// placeholder stands for.
func TestFamilies(t *testing.T) {
	b := bindings{
		values: map[string][]string{PlaceholderLeaderKey: {"a", "b"}},
		any:    map[string]bool{PlaceholderEndpoint: true},
	}
	assert.Equal(t, []string{"leadership.set.a", "leadership.set.b"}, b.globs("leadership.set.{leader-key}"))
	assert.Equal(t, []string{"db.*.joined"}, b.globs("db.{endpoint}.joined"))
	assert.Empty(t, b.globs("config.changed.{config}"), "no option: the family names no flag")
	assert.Equal(t, []string{"x"}, b.globs("x"))
	assert.Equal(t, "leadership.set.*", looseGlob("leadership.set.{leader-key}"))

	ph, v, ok := capture("leadership.set.{leader-key}", "leadership.set.api-token")
	assert.True(t, ok)
	assert.Equal(t, PlaceholderLeaderKey, ph)
	assert.Equal(t, "api-token", v)
	_, _, ok = capture("leadership.set.{leader-key}", "leadership.set.")
	assert.False(t, ok, "empty name")
	_, _, ok = capture("db.{endpoint}.{config}", "db.a.b")
	assert.False(t, ok, "two placeholders")

	require.NoError(t, validFamily("app.{config}.*"))
	assert.EqualError(t, validFamily("a b"), `flag family "a b": unexpected " " (placeholders are {leader-key}, {config}, {endpoint})`)
	assert.Error(t, validFamily(""))
}

// Ensure that every known layer's families are valid and sorted output is
// stable.
func TestKnownLayers(t *testing.T) {
	for path, fams := range KnownLayers {
		for _, f := range fams {
			assert.NoError(t, validFamily(f), path)
		}
	}
	assert.True(t, isFramework(pathLeadership))
	assert.True(t, isFramework(Module+"/internal/x"))
	assert.False(t, isFramework(Module+"/examples/hello"))
	assert.False(t, isFramework(Module+"/interfaces/credentials"))
	assert.False(t, isFramework("example.com/charm"))
}

// Ensure that hook-pattern expansion from the analyzer's reading of the
// metadata gives what reactive's reading of it gives (both expand with
// internal/hookpattern).
func TestExpandHookPattern_MatchesReactive(t *testing.T) {
	dir := t.TempDir()
	md := "name: x\nrequires:\n  db: {interface: mysql}\n  db2: {interface: mysql}\nprovides:\n  web: {interface: http}\npeers:\n  cluster: {interface: c}\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "metadata.yaml"), []byte(md), 0o644))
	ci, err := readCharmInfo(dir)
	require.NoError(t, err)
	rmd, err := reactive.ReadMetadata(dir)
	require.NoError(t, err)
	for _, p := range []string{
		"install", "{install,start}", "{requires:mysql}-relation-{joined,changed}",
		"{provides:http}-relation-joined", "{peers:c}-relation-{a,b,c}", "{requires:nothing}-x", "a{b,c}d{e,f}",
	} {
		got, ok := expandHookPattern(ci, p)
		require.True(t, ok, p)
		want, err := hookpattern.Expand(rmd.RelationsFor, p)
		require.NoError(t, err)
		slices.Sort(got)
		slices.Sort(want)
		assert.Equal(t, want, got, p)
	}
}

// Ensure that hook names are checked against Juju's hooks and the names
// in the metadata, with a suggestion for a typo.
func TestCheckHook(t *testing.T) {
	dir := t.TempDir()
	md := "name: x\nrequires:\n  db: {interface: mysql}\nstorage:\n  data: {type: filesystem}\ncontainers:\n  web: {resource: img}\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "metadata.yaml"), []byte(md), 0o644))
	ci, err := readCharmInfo(dir)
	require.NoError(t, err)
	tests := []struct {
		name string
		ci   *charmInfo
		want string
	}{
		{"install", ci, ""},
		{"secret-rotate", ci, ""},
		{"db-relation-broken", ci, ""},
		{"juju-info-relation-joined", ci, ""},
		{"data-storage-detaching", ci, ""},
		{"web-pebble-ready", ci, ""},
		{"web-pebble-check-failed", ci, ""},
		{"cache-relation-joined", ci, `"cache-relation-joined" is not a hook of this charm: metadata.yaml has no relation endpoint "cache"`},
		{"logs-storage-attached", ci, `"logs-storage-attached" is not a hook of this charm: metadata.yaml has no storage "logs"`},
		{"api-pebble-ready", ci, `"api-pebble-ready" is not a hook of this charm: metadata.yaml has no container "api"`},
		{"db-relation-joind", ci, `"db-relation-joind" is neither a Juju hook nor a hook of the names in metadata.yaml (did you mean "db-relation-joined"?)`},
		{"cache-relation-joined", nil, ""},
		{"upgrade-chram", nil, `"upgrade-chram" is not a Juju hook (did you mean "upgrade-charm"?)`},
		{"frobnicate", nil, `"frobnicate" is not a Juju hook`},
		{"secret-anything", nil, `"secret-anything" is not a Juju hook`},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, checkHook(tc.name, tc.ci), tc.name)
	}
}

// Ensure that the leadership calls are recognized under today's names and
// under the consolidated package functions (Set, Get, GetAll, Delete) that
// the leadership package is moving to.
func TestLeadershipNames(t *testing.T) {
	pkg := types.NewPackage(pathLeadership, "leadership")
	fn := func(name string) string {
		return funcKey(types.NewFunc(token.NoPos, pkg, name, types.NewSignatureType(nil, nil, nil, nil, nil, false)))
	}
	for _, k := range []string{fn("Set")} {
		assert.Contains(t, leaderSets, k)
		assert.True(t, leadershipWrites[k], k)
	}
	for _, k := range []string{fn("Delete")} {
		assert.Contains(t, leaderDeletes, k)
		assert.True(t, leadershipWrites[k], k)
	}
	for _, k := range []string{fn("Get")} {
		assert.Contains(t, leaderGets, k)
	}
	assert.Equal(t, "leadership.GetAll", fn("GetAll"), "GetAll names no key: nothing to check")
	assert.Equal(t, "", funcKey(types.NewFunc(token.NoPos, types.NewPackage("example.com/leadership", "leadership"), "Set",
		types.NewSignatureType(nil, nil, nil, nil, nil, false))), "another module's leadership package")
}
