package charm_test

import (
	"fmt"
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/testing/charmtest"

	"github.com/charmkit/charmkit/examples/tutorial/charm"
)

// One hook on one unit, in process: the unit's state in, the state out.
// charmtest reads metadata.yaml and config.yaml from the module's root, so
// the port defaults to 8080 and a mistyped option fails the test.
func TestHooks(t *testing.T) {
	t.Parallel()
	withToken := map[string]string{charm.TokenKey: "f00d"}
	active := charmtest.Status{State: "active", Message: "ready"}
	waiting := charmtest.Status{State: "waiting", Message: "waiting for the leader's token"}
	tests := []struct {
		name   string
		unit   charmtest.Unit
		hook   string
		status charmtest.Status
		port   int // in the configuration file; 0: no file
	}{
		{"the leader generates the token", charmtest.Unit{Name: "mycharm/0", Leader: true}, "install", active, 8080},
		{"a follower waits for the token", charmtest.Unit{Name: "mycharm/1"}, "install", waiting, 0},
		{"a follower writes the leader's token", charmtest.Unit{Name: "mycharm/1", LeaderSettings: withToken}, "leader-settings-changed", active, 8080},
		{"a new port is written", charmtest.Unit{Name: "mycharm/1", LeaderSettings: withToken, Config: map[string]any{charm.PortOption: 9000}}, "config-changed", active, 9000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := tc.unit.Run(t, charm.Register, tc.hook)
			require.NoError(t, out.Err)
			assert.Equal(t, tc.status, out.Status)
			content, ok := out.File(charm.ConfigFile)
			if tc.port == 0 {
				assert.False(t, ok, "no configuration file without a token")
				return
			}
			token, _ := out.Setting(charm.TokenKey)
			require.NotEmpty(t, token)
			assert.Equal(t, fmt.Sprintf("# Written by the mycharm charm: edits are overwritten.\nport = %d\ntoken = %s\n", tc.port, token), content)
			mode, _ := out.FileMode(charm.ConfigFile)
			assert.Equal(t, fs.FileMode(0o600), mode, "the file holds the token")
		})
	}
}

// The configuration file is written again only when it changes.
func TestConfigure_OnlyWhenChanged(t *testing.T) {
	t.Parallel()
	wrote := charmtest.LogRecord{Level: "INFO", Message: "wrote " + charm.ConfigFile}
	out := charmtest.Unit{Name: "mycharm/0", Leader: true}.Run(t, charm.Register, "install")
	require.NoError(t, out.Err)
	assert.Contains(t, out.Logs, wrote)

	out = out.Run(t, charm.Register, "update-status")
	require.NoError(t, out.Err)
	assert.Contains(t, out.Invoked, "configure")
	assert.NotContains(t, out.Logs, wrote, "same content: not written")
	assert.Empty(t, out.CallsTo("leader-set"), "the token is generated once")
}

// snippet:banner-test

// The banner file follows the option: written once it is set, rewritten only
// when it changes, removed when it is emptied.
func TestBanner(t *testing.T) {
	t.Parallel()
	wrote := charmtest.LogRecord{Level: "INFO", Message: "wrote " + charm.BannerFile}
	u := charmtest.Unit{Name: "mycharm/0", Leader: true, Config: map[string]any{charm.BannerOption: "Welcome"}}
	out := u.Run(t, charm.Register, "install")
	require.NoError(t, out.Err)
	banner, _ := out.File(charm.BannerFile)
	assert.Equal(t, "Welcome\n", banner)
	assert.Contains(t, out.Logs, wrote)

	out = out.Run(t, charm.Register, "update-status")
	require.NoError(t, out.Err)
	assert.Contains(t, out.Invoked, "write_banner")
	assert.NotContains(t, out.Logs, wrote, "same text: not written again")

	next := out.Unit
	next.Config = map[string]any{charm.BannerOption: ""}
	out = next.Run(t, charm.Register, "config-changed")
	require.NoError(t, out.Err)
	_, ok := out.File(charm.BannerFile)
	assert.False(t, ok, "an empty banner removes the file")
}

// end snippet
