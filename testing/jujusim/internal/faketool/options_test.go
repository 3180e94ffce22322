package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/charmkit/charmkit/testing/jujusim/internal/modelfs"
)

// Ensure that boolean options take gnuflag's explicit values, as Juju's do:
// "--app=true/false/1/0" is accepted and anything else is an exit-2 error in
// gnuflag's words. This fake once said "for flag ...: parse error" and
// charmtest refused the value outright; both now share internal/jujucmd and
// testing/charmtest has the same table.
func TestTools_BooleanOptionValues(t *testing.T) {
	rels := []modelfs.RelationMeta{{ID: 1, Endpoint: "peer", App: "app", Units: []string{"app/0", "app/1"}}}
	s := setup{leader: "app/0", rels: rels}
	tests := []struct {
		name string
		tool string
		args []string
		want result
	}{
		{"relation-get --app=true", "relation-get", []string{"-r", "1", "--app=true", "--format=json", "-", "app"}, result{"{}\n", "", 0}},
		{"relation-get --app=1", "relation-get", []string{"-r", "1", "--app=1", "--format=json", "-", "app"}, result{"{}\n", "", 0}},
		{"relation-get --app=false reads a unit", "relation-get", []string{"-r", "1", "--app=false", "--format=json", "-", "app/1"}, result{"{}\n", "", 0}},
		{"relation-get --app=false refuses an app", "relation-get", []string{"-r", "1", "--app=false", "-", "app"}, result{"", "ERROR expected unit name, got application name \"app\"\n", 2}},
		{"relation-list --app=true", "relation-list", []string{"-r", "1", "--app=true"}, result{"app\n", "", 0}},
		{"relation-list --app=0", "relation-list", []string{"-r", "1", "--app=0"}, result{"app/1\n", "", 0}},
		{"relation-list --app=yes", "relation-list", []string{"-r", "1", "--app=yes"}, result{"", "ERROR invalid value \"yes\" for option --app: strconv.ParseBool: parsing \"yes\": invalid syntax\n", 2}},
		{"config-get -a=true keeps the equals sign", "config-get", []string{"-a=true"}, result{"", "ERROR invalid value \"=true\" for option -a: strconv.ParseBool: parsing \"=true\": invalid syntax\n", 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := newFakeModel(t, s)
			env := m.open(t, "app/0", "app/0-config-changed-1")
			got := call(t, env, m.layout.CharmDir("app/0"), tc.tool, tc.args...)
			assert.Equal(t, tc.want, got, "%s %q", tc.tool, tc.args)
		})
	}
}
