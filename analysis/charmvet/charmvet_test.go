package charmvet_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/charmkit/charmkit/analysis/charmvet"
)

// testModule copies testdata/src into a temporary module, charmvettest,
// that requires the charmkit module from this repository (a replace
// directive) with the repository's own requirements and go.sum, so the
// test packages import the real charmkit packages and load offline.
func testModule(tb testing.TB) string {
	tb.Helper()
	root, err := filepath.Abs("../..")
	require.NoError(tb, err)
	dir := tb.TempDir()
	require.NoError(tb, os.CopyFS(dir, os.DirFS("testdata/src")))
	WriteTestModule(tb, root, dir, "charmvettest")
	return dir
}

// WriteTestModule writes go.mod and go.sum into dir for a module named
// name that uses the charmkit module at root.
func WriteTestModule(tb testing.TB, root, dir, name string) {
	tb.Helper()
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	require.NoError(tb, err)
	text := strings.Replace(string(gomod), "module "+charmvet.Module+"\n", "module "+name+"\n", 1)
	require.NotEqual(tb, string(gomod), text, "go.mod starts with the module line")
	text += "\nrequire " + charmvet.Module + " v0.0.0\n\nreplace " + charmvet.Module + " => " + root + "\n"
	require.NoError(tb, os.WriteFile(filepath.Join(dir, "go.mod"), []byte(text), 0o644))
	gosum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(tb, err)
	require.NoError(tb, os.WriteFile(filepath.Join(dir, "go.sum"), gosum, 0o644))
}

// Ensure that each mistake is found where it is, with its message, that
// a clean charm gets no diagnostic, that a third-party layer's
// //charmkit:flags families and flag-name functions reach the charms that
// import it, and that malformed directives are reported. Facts are checked
// too (the "want package:" and "want ReadyFlag:" comments).
func TestAnalyzer(t *testing.T) {
	dir := testModule(t)
	t.Setenv("GOFLAGS", "-mod=readonly")
	results := analysistest.Run(t, dir, charmvet.Analyzer,
		"charmvettest/mistakes", "charmvettest/dblayer", "charmvettest/usesdb", "charmvettest/clean", "charmvettest/directives", "charmvettest/usescreds")
	require.Len(t, results, 6)

	// The result describes the registered handlers, for charmkit graph.
	var clean *charmvet.Charm
	for _, r := range results {
		if c := r.Action.Result.(*charmvet.Charm); c.Package == "charmvettest/clean" {
			clean = c
		}
	}
	require.NotNil(t, clean)
	var names []string
	for _, h := range clean.Handlers {
		names = append(names, h.Name)
	}
	assert.Equal(t, []string{"install", "start", "leader", "motd", "dynamic", "peer"}, names)
	install, start, leader := clean.Handlers[0], clean.Handlers[1], clean.Handlers[2]
	assert.Equal(t, `WhenNone("clean.installed")`, install.Condition)
	assert.Equal(t, []charmvet.Read{{Flag: "clean.installed", How: charmvet.WhenNone}}, install.Reads)
	assert.Equal(t, []charmvet.Write{{Flag: "clean.ready", Op: charmvet.OpToggle}, {Flag: "clean.installed", Op: charmvet.OpSet}}, install.Writes,
		"a named function and the helper it calls")
	assert.Equal(t, `All(WhenAll("clean.installed", "clean.triggered"), WhenNone("clean.from-bash"))`, start.Condition)
	assert.Equal(t, []charmvet.Write{{Flag: "clean.started", Op: charmvet.OpSet}}, start.Writes, "through NotUnless")
	assert.Equal(t, `All(WhenAll("clean.started"), WhenAll("leadership.is_leader"), WhenNone("leadership.set.token"))`, leader.Condition,
		"a condition kept in a variable; flag names from flag-name functions")
	assert.Equal(t, []charmvet.Write{
		{Flag: "leadership.changed.token", Op: charmvet.OpSet}, {Flag: "leadership.changed", Op: charmvet.OpSet},
		{Flag: "leadership.set.token", Op: charmvet.OpSet}, {Flag: "leadership.changed.motd", Op: charmvet.OpSet},
		{Flag: "leadership.set.motd", Op: charmvet.OpSet},
	}, leader.Writes, "what the leadership layer changes after a write")
	assert.Equal(t, []charmvet.Write{{Flag: "clean.external", Op: charmvet.OpSet},
		{Flag: "leadership.changed.old", Op: charmvet.OpSet}, {Flag: "leadership.changed", Op: charmvet.OpSet},
		{Flag: "leadership.set.old", Op: charmvet.OpClear}}, clean.Handlers[3].Writes, "a deletion clears the set flag")
	assert.Equal(t, []charmvet.Write{{Flag: "clean.peer.*", Op: charmvet.OpSet}}, clean.Handlers[4].Writes, "a name known only at run time")
	require.Len(t, clean.Triggers, 1)
	assert.Equal(t, "clean.installed", clean.Triggers[0].When)
	assert.Equal(t, "clean.triggered", clean.Triggers[0].SetFlag)
}
