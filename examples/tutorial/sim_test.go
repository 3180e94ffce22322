package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/files"
	"github.com/charmkit/charmkit/testing/jujusim"

	"github.com/charmkit/charmkit/examples/tutorial/charm"
)

// The compiled charm on three simulated units, out of process: deploy,
// change the config, remove the leader and elect another.
func TestThreeUnits(t *testing.T) {
	m := jujusim.Start(t, jujusim.Options{ // a model in t.TempDir(), closed when the test ends
		Charm:    charmFiles(t),              // metadata.yaml and config.yaml
		Dispatch: jujusim.BuildCharm(t, "."), // CGO_ENABLED=0 go build, once per test binary
		Units:    3,
		// Each unit's system paths (files.Path) under <its charm directory>/root.
		Env: []string{files.RootEnv + "=root"},
	})
	require.NoError(t, m.Deploy()) // install, leader-elected / leader-settings-changed, config-changed, start

	settings, err := m.LeaderSettings()
	require.NoError(t, err)
	token := settings[charm.TokenKey]
	require.Len(t, token, 32)
	for _, u := range m.Units() {
		b, err := u.ReadFile("root" + charm.ConfigFile)
		require.NoError(t, err, u.Name())
		assert.Equal(t, "# Written by the mycharm charm: edits are overwritten.\nport = 8080\ntoken = "+token+"\n", string(b), u.Name())
	}

	require.NoError(t, m.SetConfig(map[string]string{charm.PortOption: "9000"}))
	require.NoError(t, m.Settle()) // run every queued hook
	for _, u := range m.Units() {
		b, err := u.ReadFile("root" + charm.ConfigFile)
		require.NoError(t, err, u.Name())
		assert.Contains(t, string(b), "port = 9000\n", u.Name())
	}

	// snippet:banner-sim
	require.NoError(t, m.SetConfig(map[string]string{charm.BannerOption: "Welcome"})) // juju config mycharm banner=Welcome
	require.NoError(t, m.Settle())
	for _, u := range m.Units() {
		b, err := u.ReadFile("root" + charm.BannerFile)
		require.NoError(t, err, u.Name())
		assert.Equal(t, "Welcome\n", string(b), u.Name())
	}
	// end snippet

	require.NoError(t, m.RemoveUnit(m.Leader()))
	require.NoError(t, m.Elect(m.Unit(1))) // waits out the old leader's 30 s guarantee, on a simulated clock
	require.NoError(t, m.Settle())
	settings, err = m.LeaderSettings()
	require.NoError(t, err)
	assert.Equal(t, token, settings[charm.TokenKey], "the new leader keeps the token")
	require.NoError(t, m.CheckInvariants()) // e.g. no two units ever held a leadership guarantee at once
}

// charmFiles returns a directory holding the charm's YAML files, which
// jujusim copies into every unit's charm directory.
func charmFiles(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"metadata.yaml", "config.yaml"} {
		b, err := os.ReadFile(name)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	}
	return dir
}
