package charm_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/examples/password-charm/charm"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/testing/charmtest"
)

// Ensure that the password file follows the password-file option: default
// admin_password, relative to the charm directory, absolute paths as given,
// mode 0600 and no temporary file left behind. The runs use RunDir so that
// the test knows the charm directory and can look at the files on disk.
func TestPasswordFile(t *testing.T) {
	t.Parallel()
	abs := filepath.Join(t.TempDir(), "secrets", "pw")
	tests := []struct {
		name   string
		option string
		path   func(charmDir string) string
		rel    string // the file's name in Result.Files; "" when outside the charm directory
	}{
		{"default", "admin_password", func(d string) string { return filepath.Join(d, "admin_password") }, "admin_password"},
		{"empty means default", "", func(d string) string { return filepath.Join(d, "admin_password") }, "admin_password"},
		{"relative in a sub-directory", "etc/app/password", func(d string) string { return filepath.Join(d, "etc", "app", "password") }, "etc/app/password"},
		{"absolute", abs, func(string) string { return abs }, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			u := charmtest.Unit{Name: "password/0", Leader: true, Config: config("password-file", tc.option)}
			out, err := u.RunDir(t.Context(), dir, charm.Register, "install")
			require.NoError(t, err)
			require.NoError(t, out.Err)
			pw, ok := out.Setting(charm.PasswordKey)
			require.True(t, ok, "the leader published the password")

			p := tc.path(filepath.Join(dir, "charm"))
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			assert.Equal(t, pw, string(b))
			if tc.rel != "" {
				assert.Equal(t, pw, file(out, tc.rel))
			}
			assert.Equal(t, "-", file(out, "motd"), "no motd file without a motd")
			fi, err := os.Stat(p)
			require.NoError(t, err)
			assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
			entries, err := os.ReadDir(filepath.Dir(p))
			require.NoError(t, err)
			for _, e := range entries {
				assert.False(t, strings.Contains(e.Name(), ".tmp"), "temporary file left: %s", e.Name())
			}
		})
	}
}

// Ensure that changing the password-file option moves the file, with no
// leadership flag raised, and leaves no copy of the password in the old
// file. The charm directory's absolute path changes from
// one charmtest run to the next, which alone would make the charm rewrite a
// relative file; the absolute case shows that the option change itself
// moves the file.
func TestPasswordFile_Moves(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name     string
		from, to string
	}{
		{"relative", "admin_password", "moved"},
		{"absolute", filepath.Join(dir, "a", "pw"), filepath.Join(dir, "b", "pw")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := charmtest.Unit{
				Name:           "password/1",
				LeaderSettings: map[string]string{charm.PasswordKey: "shared"},
				Config:         config("password-file", tc.from),
			}
			out := u.Run(t, charm.Register, "install")
			require.NoError(t, out.Err)
			assert.Equal(t, "shared", fileAt(t, out, tc.from))
			assert.Equal(t, "-", fileAt(t, out, tc.to), "not written before the option names it")

			next := out.Unit
			next.Config = config("password-file", tc.to)
			out = next.Run(t, charm.Register, "config-changed")
			require.NoError(t, out.Err)
			assert.Equal(t, []string{"maybe_fail", "ready"}, out.Invoked)
			assert.Equal(t, []string{"-leadership.changed.admin_password", "-leadership.changed"}, out.Events)
			assert.Equal(t, "shared", fileAt(t, out, tc.to))
			if filepath.IsAbs(tc.from) {
				assert.Equal(t, "-", fileAt(t, out, tc.from), "the old file is removed")
			}
		})
	}
}

// Ensure that a temporary copy of the password left by a hook killed in
// the middle of writing it is removed by the next write.
func TestPasswordFile_KilledWriteLeftovers(t *testing.T) {
	t.Parallel()
	u := charmtest.Unit{
		Name:           "password/1",
		LeaderSettings: map[string]string{charm.PasswordKey: "shared"},
		Files:          map[string]string{".admin_password.charmkit-tmp-4242": "old secret"},
	}
	out := u.Run(t, charm.Register, "install")
	require.NoError(t, out.Err)
	assert.Equal(t, "shared", file(out, "admin_password"))
	_, left := out.File(".admin_password.charmkit-tmp-4242")
	assert.False(t, left, "the leftover copy is gone")
}

// fileAt returns the content of the file at p after the hook, "-" when it
// does not exist: an absolute p is read from disk, a relative one from the
// result's charm directory.
func fileAt(tb testing.TB, out charmtest.Result, p string) string {
	tb.Helper()
	if !filepath.IsAbs(p) {
		return file(out, p)
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return "-"
	}
	require.NoError(tb, err)
	return string(b)
}

// Ensure that the motd file follows the leader's motd setting on every
// unit: written when set, removed when deleted.
func TestMotdFile(t *testing.T) {
	t.Parallel()
	ap := map[string]string{charm.PasswordKey: "s3cret"}
	follower := charmtest.Unit{Name: "password/1", LeaderSettings: ap, Config: config()}
	out := follower.Run(t, charm.Register, "install")
	require.NoError(t, out.Err)
	assert.Equal(t, "-", file(out, "motd"))

	next := out.Unit
	next.LeaderSettings = map[string]string{charm.PasswordKey: "s3cret", charm.MotdKey: "hello"}
	out = next.Run(t, charm.Register, "leader-settings-changed")
	require.NoError(t, out.Err)
	assert.Equal(t, "hello", file(out, "motd"))

	next = out.Unit
	next.LeaderSettings = ap
	out = next.Run(t, charm.Register, "leader-settings-changed")
	require.NoError(t, out.Err)
	assert.Equal(t, "-", file(out, "motd"))
	assert.Equal(t, "s3cret", file(out, "admin_password"))
}

// Ensure that ForJuju keeps leader settings before Juju 4 and uses the peer
// relation from Juju 4.
func TestForJuju(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		major int
		peer  string
	}{{2, ""}, {3, ""}, {4, charm.PeerRelation}, {5, charm.PeerRelation}} {
		c := charm.ForJuju(hookenv.Env{JujuVersion: hookenv.Version{Major: tc.major}})
		assert.Equal(t, tc.peer, c.Leadership.PeerRelation, "Juju %d", tc.major)
	}
}

// Ensure that passwords are 43 URL-safe characters and differ every time.
func TestNewPassword(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		p, err := charm.NewPassword()
		require.NoError(t, err)
		assert.Len(t, p, 43)
		assert.NotContains(t, p, "=")
		assert.False(t, seen[p])
		seen[p] = true
	}
}

// Ensure that a unit upgraded in place from the Python charm keeps its
// state: no changed flags, no new secret, no write, the file unchanged and
// status active (scenario 21). The store is the .unit-state.db the Python
// charm left, read with charmtest.LoadState.
func TestUpgradeFromPython(t *testing.T) {
	t.Parallel()
	for _, fx := range []string{"leader-after-deploy", "follower-after-deploy"} {
		t.Run(fx, func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile(filepath.Join("testdata", fx, "expected.json"))
			require.NoError(t, err)
			var exp struct {
				Unit     string            `json:"unit"`
				Leader   string            `json:"model_leader"`
				Settings map[string]string `json:"model_leader_settings"`
			}
			require.NoError(t, json.Unmarshal(raw, &exp))
			u, err := charmtest.LoadState(t.Context(), filepath.Join("testdata", fx, "unit-state.db"))
			require.NoError(t, err)
			require.NotEmpty(t, u.Flags)
			pw := exp.Settings[charm.PasswordKey]
			require.NotEmpty(t, pw)
			u.Name = exp.Unit
			u.Leader = exp.Leader == exp.Unit
			u.LeaderSettings = exp.Settings
			u.Config = config()
			u.Files = map[string]string{"admin_password": pw}

			before := u.Flags
			var out charmtest.Result
			for _, hook := range []string{"upgrade-charm", "config-changed"} {
				out = u.Run(t, charm.Register, hook)
				require.NoError(t, out.Err, hook)
				assert.Empty(t, out.Events, hook)
				assert.NotContains(t, out.Invoked, "generate_secret", hook)
				assert.NotContains(t, out.Invoked, "store_secret", hook)
				assert.Contains(t, out.Invoked, "ready", hook)
				assert.Empty(t, out.CallsTo("leader-set"), hook)
				u = out.Unit
			}
			assert.Equal(t, before, out.Flags)
			assert.Equal(t, exp.Settings, out.LeaderSettings)
			assert.Equal(t, pw, file(out, "admin_password"))
			st := statuses(out)
			require.NotEmpty(t, st)
			assert.True(t, strings.HasPrefix(st[len(st)-1], "active: ready"), st)
			assert.Equal(t, "active", out.Status.State, "status-get after the upgrade")
		})
	}
}
