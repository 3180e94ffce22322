package simulate

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/files"
	"github.com/charmkit/charmkit/testing/jujusim"
)

// snippet:three-units

// Three units of the shared-password charm: one password, on every unit;
// the leader removed, a new one elected: still the same password, and no
// value of a secret anywhere outside it.
func TestSharedPassword_ThreeUnits(t *testing.T) {
	t.Parallel()
	m := jujusim.Start(t, jujusim.Options{ // a model in t.TempDir(), closed when the test ends
		Charm:    filepath.Join("..", "sharedpassword"), // the charm directory: metadata.yaml
		Dispatch: jujusim.BuildCharm(t, "github.com/charmkit/charmkit/examples/howto/sharedpassword"),
		Units:    3,
		Env:      []string{files.RootEnv + "=root"}, // each unit's system files under <its charm directory>/root
	})
	require.NoError(t, m.Deploy()) // install, leader-elected / leader-settings-changed, config-changed, start

	password := func(u *jujusim.Unit) string {
		b, err := u.ReadFile("root/etc/howto-shared-password/admin-password")
		require.NoError(t, err, u.Name())
		return string(b)
	}
	first := password(m.Unit(0))
	require.NotEmpty(t, first)
	for _, u := range m.Units() {
		assert.Equal(t, first, password(u), u.Name())
	}

	require.NoError(t, m.RemoveUnit(m.Leader()))
	require.NoError(t, m.Elect(m.Unit(1))) // waits out the old leader's 30 s guarantee, on a simulated clock
	require.NoError(t, m.Settle())         // run every queued hook
	for _, u := range m.Units() {
		assert.Equal(t, first, password(u), u.Name())
	}
	require.NoError(t, m.CheckInvariants()) // one leader at a time, no secret value outside its secret, ...
}

// end snippet

// snippet:two-apps

// The credentials server (2 units) and client (2 units): related, every
// client unit writes the credentials; the relation removed, the files go.
func TestRelate_TwoApplications(t *testing.T) {
	t.Parallel()
	m := jujusim.Start(t, jujusim.Options{Charm: "../relate/server", Units: 2,
		Dispatch: jujusim.BuildCharm(t, "github.com/charmkit/charmkit/examples/howto/relate/server"),
		Env:      []string{files.RootEnv + "=root"}}) // every application's units
	client, err := m.AddApplication(jujusim.AppOptions{Charm: "../relate/client", Units: 2,
		Dispatch: jujusim.BuildCharm(t, "github.com/charmkit/charmkit/examples/howto/relate/client")})
	require.NoError(t, err)
	require.NoError(t, m.Deploy())

	rel, err := m.Relate("howto-client", "howto-server") // juju integrate howto-client howto-server
	require.NoError(t, err)
	require.NoError(t, m.Settle()) // relation-created, -joined, -changed on both sides
	settings, err := m.LeaderSettings()
	require.NoError(t, err)
	for _, u := range client.Units() {
		b, err := u.ReadFile("root/etc/howto-client/credentials")
		require.NoError(t, err, u.Name())
		assert.Equal(t, "app:"+settings["password"]+"\n", string(b), u.Name())
	}

	require.NoError(t, m.RemoveRelation(rel)) // juju remove-relation
	require.NoError(t, m.Settle())
	for _, u := range client.Units() {
		_, err := u.ReadFile("root/etc/howto-client/credentials")
		assert.ErrorIs(t, err, os.ErrNotExist, u.Name())
	}
	require.NoError(t, m.CheckInvariants())
}

// end snippet
