package hookpattern_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/charmkit/charmkit/internal/hookpattern"
)

// Ensure hook names are classified by what they are named after, with a
// valid name before the ending.
func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name   string
		kind   hookpattern.Kind
		prefix string
	}{
		{"install", hookpattern.FixedHook, ""},
		{"secret-rotate", hookpattern.FixedHook, ""},
		{"db-relation-joined", hookpattern.RelationHook, "db"},
		{"juju-info-relation-broken", hookpattern.RelationHook, "juju-info"},
		{"data_2-storage-detaching", hookpattern.StorageHook, "data_2"},
		{"web-pebble-check-recovered", hookpattern.ContainerHook, "web"},
		{"config-chagned", hookpattern.NotAHook, ""},
		{"-relation-joined", hookpattern.NotAHook, ""},
		{"Db-relation-joined", hookpattern.NotAHook, ""},
		{"db--x-relation-joined", hookpattern.NotAHook, ""},
		{"db-relation-joined-", hookpattern.NotAHook, ""},
		{"", hookpattern.NotAHook, ""},
	} {
		k, p := hookpattern.Classify(tc.name)
		assert.Equal(t, tc.kind, k, tc.name)
		assert.Equal(t, tc.prefix, p, tc.name)
	}
	for _, s := range []string{"a", "db", "juju-info", "a1_b-c", hookpattern.Placeholder, "x" + hookpattern.Placeholder} {
		assert.True(t, hookpattern.ValidName(s), "%q", s)
	}
	for _, s := range []string{"", "1a", "a-", "a--b", "-a", "a_-b", "A", "a.b", "a b"} {
		assert.False(t, hookpattern.ValidName(s), "%q", s)
	}
}

// Ensure a pattern is impossible only when none of its expansions can be a
// hook of any charm, and that the reason suggests the likely name.
func TestImpossible(t *testing.T) {
	for _, p := range []string{
		"install", "config-{set,changed}", "{install,upgrade-charm}", "db-relation-joined",
		"{requires:mysql}-relation-{joined,changed}", "{peers:cluster}-relation-changed",
		"{requires:mysql}-storage-attached",                                      // the literal parts only
		"{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}", // too large: left to the hook
	} {
		assert.Empty(t, hookpattern.Impossible(p), p)
	}
	for _, tc := range []struct{ pattern, want string }{
		{"config-chagned", `"config-chagned" is not the name of a hook Juju runs (did you mean "config-changed"?)`},
		{"instal", `(did you mean "install"?)`},
		{"db-relation-chagned", `(did you mean "db-relation-changed"?)`},
		{"{requires:mysql}-relation-joinde", `"<relation>-relation-joinde" is not the name of a hook Juju runs (did you mean "<relation>-relation-joined"?)`},
		{"{instal,upgade-charm}", `it expands to "instal", "upgade-charm", none of which is a hook Juju runs (did you mean "install"?)`},
		{"backup", `"backup" is not the name of a hook Juju runs; for an action, use reactive.OnAction("backup"); hooks are Juju's own (collect-metrics, config-changed,`},
		{"{provide:http}-relation-joined", "its group {provide:http} matches no relation: the role must be provides, requires or peers"},
		{"*", `"*" is not the name of a hook Juju runs; hooks are Juju's own (`},
	} {
		assert.Contains(t, hookpattern.Impossible(tc.pattern), tc.want, tc.pattern)
	}
}
