package jujusim_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/testing/jujusim"
)

// Ensure that New rejects bad options with a clear error.
func TestNew_BadOptions(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	busy := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(busy, "x"), nil, 0o644))
	noDispatch := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(noDispatch, "metadata.yaml"), []byte("name: x\n"), 0o644))
	badConfig := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(badConfig, "dispatch"), nil, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(badConfig, "config.yaml"), []byte("options:\n  a:\n    type: list\n"), 0o644))
	badMeta := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(badMeta, "metadata.yaml"), []byte("name: [\n"), 0o644))
	tests := []struct {
		name string
		opts jujusim.Options
		want string
	}{
		{"no charm", jujusim.Options{}, "jujusim: options: no charm directory"},
		{"missing charm", jujusim.Options{Charm: filepath.Join(t.TempDir(), "nope")}, "jujusim: options: charm: stat "},
		{"charm is a file", jujusim.Options{Charm: file}, "is not a directory"},
		{"negative units", jujusim.Options{Charm: "testdata/charms/shared", Units: -1}, "jujusim: options: negative unit count -1"},
		{"busy model dir", jujusim.Options{Charm: "testdata/charms/shared", Dir: busy}, "is not empty"},
		{"no dispatch", jujusim.Options{Charm: noDispatch}, "no dispatch and no hooks directory"},
		{"missing dispatch option", jujusim.Options{Charm: "testdata/charms/shared", Dispatch: file + "-nope"}, "jujusim: options: dispatch: stat "},
		{"bad config type", jujusim.Options{Charm: badConfig}, `jujusim: config.yaml: option "a": unknown type "list"`},
		{"bad metadata", jujusim.Options{Charm: badMeta}, "jujusim: parsing metadata.yaml: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.opts.Dir == "" {
				tc.opts.Dir = t.TempDir()
			}
			m, err := jujusim.New(tc.opts)
			assert.Nil(t, m)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

// Ensure that nil, foreign and gone units are errors, not panics.
func TestModel_BadUnits(t *testing.T) {
	t.Parallel()
	m := newModel(t, 2)
	other := newModel(t, 1)
	require.NoError(t, m.KillUnit(m.Unit(1)))
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"elect nil", func() error { return m.Elect(nil) }, "jujusim: electing: nil unit"},
		{"elect foreign", func() error { return m.Elect(other.Unit(0)) }, "jujusim: electing shared/0: unit of another model"},
		{"elect gone", func() error { return m.Elect(m.Unit(1)) }, "unit is gone"},
		{"remove nil", func() error { return m.RemoveUnit(nil) }, "jujusim: removing: nil unit"},
		{"kill gone", func() error { return m.KillUnit(m.Unit(1)) }, "unit is gone"},
		{"together nil", func() error { _, err := m.RunTogether(map[*jujusim.Unit]string{nil: "install"}); return err }, "nil unit"},
		{"together empty hook", func() error { _, err := m.RunTogether(map[*jujusim.Unit]string{m.Unit(0): ""}); return err }, "empty hook name"},
		{"run empty hook", func() error { _, err := m.Unit(0).Run(""); return err }, "empty hook name"},
		{"retry not in error", func() error { _, err := m.Unit(0).Retry(); return err }, "unit is not in error state"},
		{"resolve not in error", func() error { return m.Unit(0).Resolve() }, "unit is not in error state"},
		{"exec gone", func() error { _, err := m.Unit(1).Exec("true"); return err }, "unit is gone"},
		{"lose lease negative", func() error { return m.Unit(0).LoseLeaseAfter(-1) }, "negative count -1"},
		{"restart gone", func() error { return m.Unit(1).RestartAgent() }, "unit is gone"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.ErrorContains(t, tc.call(), tc.want)
		})
	}
	assert.Nil(t, m.Unit(7))
}

// Ensure that setting config to the values it has queues nothing.
func TestModel_SetConfigUnchanged(t *testing.T) {
	t.Parallel()
	m := deployed(t, 1)
	require.NoError(t, m.SetConfig(map[string]string{"retries": "3", "motd": ""}))
	assert.Empty(t, m.Unit(0).Pending())
	require.NoError(t, m.SetConfig(map[string]string{"retries": "4"}))
	assert.Equal(t, []string{"config-changed"}, m.Unit(0).Pending())
}
