package charmtest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Ensure that boolean options take gnuflag's explicit values, as Juju's do:
// "--app=true/false/1/0" is accepted and anything else is an exit-2 error in
// gnuflag's words. These fakes once refused "--app=true" ("boolean option
// takes no value") while jujusim's accepted it; both now share
// internal/jujucmd and jujusim's faketool has the same table.
func TestTools_BooleanOptionValues(t *testing.T) {
	t.Parallel()
	leader := Unit{Leader: true, Config: map[string]any{"a": 1}, Relations: []Relation{peers}}
	tests := []struct {
		name   string
		tool   string
		args   []string
		out    string
		code   int
		stderr string
	}{
		{name: "relation-get --app=true", tool: "relation-get", args: []string{"-r", "peers:1", "--app=true", "--format=json", "-", "app"}, out: "{\"shared\":\"yes\"}\n"},
		{name: "relation-get --app=1", tool: "relation-get", args: []string{"-r", "peers:1", "--app=1", "--format=json", "-", "app"}, out: "{\"shared\":\"yes\"}\n"},
		{name: "relation-get --app=false reads a unit", tool: "relation-get", args: []string{"-r", "peers:1", "--app=false", "--format=json", "-", "app/1"}, out: "{\"addr\":\"10.0.0.2\"}\n"},
		{name: "relation-get --app=false refuses an app", tool: "relation-get", args: []string{"-r", "peers:1", "--app=false", "-", "app"}, code: 2, stderr: "ERROR expected unit name, got application name \"app\"\n"},
		{name: "relation-list --app=true", tool: "relation-list", args: []string{"-r", "peers:1", "--app=true"}, out: "app\n"},
		{name: "relation-list --app=0", tool: "relation-list", args: []string{"-r", "peers:1", "--app=0"}, out: "app/1\napp/2\n"},
		{name: "relation-list --app=yes", tool: "relation-list", args: []string{"-r", "peers:1", "--app=yes"}, code: 2, stderr: "ERROR invalid value \"yes\" for option --app: strconv.ParseBool: parsing \"yes\": invalid syntax\n"},
		{name: "config-get -a=true keeps the equals sign", tool: "config-get", args: []string{"-a=true"}, code: 2, stderr: "ERROR invalid value \"=true\" for option -a: strconv.ParseBool: parsing \"=true\": invalid syntax\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := newTestModel(t, leader, "config-changed")
			out, code, stderr := call(t, m, tc.tool, "", tc.args...)
			assert.Equal(t, tc.out, out, "%s %q: stdout", tc.tool, tc.args)
			assert.Equal(t, tc.code, code, "%s %q: exit code", tc.tool, tc.args)
			assert.Equal(t, tc.stderr, stderr, "%s %q: stderr", tc.tool, tc.args)
		})
	}
}
