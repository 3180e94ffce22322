package main

import (
	"archive/zip"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/interfaces/credentials"
	"github.com/charmkit/charmkit/internal/charmpack"
	"github.com/charmkit/charmkit/testing/charmtest"
)

// related is unit password-client/0 related to the password application on
// server:4, with its units and the leader's application bag.
func related(bag map[string]string, units ...string) charmtest.Unit {
	us := map[string]map[string]string{}
	for _, u := range units {
		us[u] = map[string]string{"private-address": "10.1.0.1"}
	}
	return charmtest.Unit{Name: "password-client/0", Config: map[string]any{FileOption: DefaultFile},
		Relations: []charmtest.Relation{{ID: "server:4", RemoteApp: "password", Units: us, RemoteAppData: bag}}}
}

func file(out charmtest.Result, name string) string {
	if v, ok := out.File(name); ok {
		return v
	}
	return "-"
}

var creds = map[string]string{"username": "admin", "password": "P"}

// Ensure the client through a relation's life: blocked without a relation,
// waiting until the provider's leader has published, then the file holds
// the password (and follows a new one), and it is removed when the
// provider's last unit departs.
func TestClient_Lifecycle(t *testing.T) {
	t.Parallel()
	out := charmtest.Unit{Name: "password-client/0", Config: map[string]any{FileOption: DefaultFile}}.Run(t, Register, "install")
	require.NoError(t, out.Err)
	assert.Equal(t, charmtest.Status{State: "blocked", Message: "needs a credentials relation (juju integrate)"}, out.Status)

	u := related(nil, "password/0")
	out = u.Run(t, Register, "server-relation-joined")
	require.NoError(t, out.Err)
	assert.Equal(t, "-", file(out, DefaultFile))
	assert.Equal(t, charmtest.Status{State: "waiting", Message: "waiting for credentials"}, out.Status)

	u = out.Unit
	u.Relations[0].RemoteAppData = creds
	out = u.Run(t, Register, "server-relation-changed")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"write_password", "follow_option", "ready"}, out.Invoked)
	assert.Equal(t, "P", file(out, DefaultFile))
	assert.True(t, out.HasFlag("server.available"))
	assert.False(t, out.HasFlag("server.changed"), "handled")
	assert.True(t, out.HasFlag(WrittenFlag))
	assert.Equal(t, charmtest.Status{State: "active", Message: "ready"}, out.Status)

	u = out.Unit
	u.Relations[0].RemoteAppData = map[string]string{"username": "admin", "password": "P2"}
	out = u.Run(t, Register, "server-relation-changed")
	require.NoError(t, out.Err)
	assert.Equal(t, "P2", file(out, DefaultFile))

	u = out.Unit
	u.Env.RemoteUnit = "password/0"
	out = u.Run(t, Register, "server-relation-departed")
	require.NoError(t, out.Err)
	assert.Equal(t, "-", file(out, DefaultFile))
	assert.False(t, out.HasFlag("server.available"))
	assert.False(t, out.HasFlag(WrittenFlag))
	assert.Contains(t, out.Invoked, "remove_password")
	assert.Equal(t, charmtest.Status{State: "blocked", Message: "needs a credentials relation (juju integrate)"}, out.Status)
}

// Ensure that the file has mode 0600, that a change of the password-file
// option moves it (absolute paths as given), and that no temporary file is
// left behind.
func TestClient_FileOption(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first, second := filepath.Join(dir, "a", "pw"), filepath.Join(dir, "b", "pw")
	u := related(creds, "password/0")
	u.Config = map[string]any{FileOption: first}
	out, err := u.RunDir(t.Context(), filepath.Join(dir, "1"), Register, "server-relation-joined")
	require.NoError(t, err)
	require.NoError(t, out.Err)
	b, err := os.ReadFile(first)
	require.NoError(t, err)
	assert.Equal(t, "P", string(b))
	fi, err := os.Stat(first)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	next := out.Unit
	next.Config = map[string]any{FileOption: second}
	out, err = next.RunDir(t.Context(), filepath.Join(dir, "2"), Register, "config-changed")
	require.NoError(t, err)
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"follow_option", "ready"}, out.Invoked)
	_, err = os.Stat(first)
	assert.ErrorIs(t, err, os.ErrNotExist, "moved")
	b, err = os.ReadFile(second)
	require.NoError(t, err)
	assert.Equal(t, "P", string(b))
	for _, d := range []string{filepath.Dir(first), filepath.Dir(second)} {
		entries, err := os.ReadDir(d)
		require.NoError(t, err)
		for _, e := range entries {
			assert.Equal(t, "pw", e.Name(), "no temporary file")
		}
	}
}

// Ensure that a provider publishing a bad port fails the hook with a clear
// error and writes no file.
func TestClient_BadCredentials(t *testing.T) {
	t.Parallel()
	out := related(map[string]string{"username": "admin", "password": "P", "port": "none"}, "password/0").Run(t, Register, "server-relation-joined")
	require.ErrorIs(t, out.Err, credentials.ErrInvalidCredentials)
	assert.Contains(t, out.Err.Error(), `relation server:4: what password published: invalid credentials: port "none"`)
	assert.Equal(t, "-", file(out, DefaultFile))
}

// Ensure that the charm packs as the password charm does: dispatch, then
// metadata.yaml, config.yaml and manifest.yaml.
func TestClient_Pack(t *testing.T) {
	t.Parallel()
	path, err := charmpack.Pack(context.Background(), charmpack.Options{Dir: ".", Out: filepath.Join(t.TempDir(), "password-client.charm")})
	require.NoError(t, err)
	zr, err := zip.OpenReader(path)
	require.NoError(t, err)
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	assert.Equal(t, []string{"dispatch", "metadata.yaml", "config.yaml", "manifest.yaml"}, names)
	assert.Equal(t, os.FileMode(0o755), zr.File[0].Mode().Perm())
	assert.Greater(t, zr.File[0].UncompressedSize64, uint64(1<<20), "the static binary")
}
