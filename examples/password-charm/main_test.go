package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain lets the test binary stand in for the charm's dispatch: with
// PASSWORD_CHARM_DISPATCH=1 it runs main() (which exits) instead of the tests.
func TestMain(m *testing.M) {
	if os.Getenv("PASSWORD_CHARM_DISPATCH") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// fakeTools are shell scripts standing in for Juju's hook tools; they keep
// the model in files under $FAKE_STATE.
var fakeTools = map[string]string{
	"is-leader":  `cat "$FAKE_STATE/leader"`,
	"leader-get": `cat "$FAKE_STATE/settings.json" 2>/dev/null || echo '{}'`,
	"leader-set": `for a in "$@"; do echo "$a" >> "$FAKE_STATE/leader-set"; done`,
	"config-get": `echo '{"password-file":"secret/pw","motd":"","fail-on-unit":""}'`,
	"status-set": `echo "$*" >> "$FAKE_STATE/status"`,
	"juju-log":   `echo "$*" >> "$FAKE_STATE/log"`,
	// No client application is related on the clients endpoint.
	"relation-ids": `echo '[]'`,
	// No secret yet; secret-add keeps each key#file= content in
	// $FAKE_STATE/secret.<key> and its arguments in $FAKE_STATE/secret-add.
	"secret-info-get": `echo 'ERROR secret "leadership-admin" not found' >&2; exit 1`,
	"secret-add": `for a in "$@"; do
  echo "$a" >> "$FAKE_STATE/secret-add"
  case "$a" in *'#file='*) cat "${a#*#file=}" > "$FAKE_STATE/secret.${a%%#file=*}";; esac
done
echo secret:coj8mulh8b41e8nv6p90`,
}

// runDispatch runs the charm binary for one hook of unit with the fake
// tools on Juju 3.6.4, and returns its combined output. env is added to
// the hook's environment (JUJU_VERSION=2.9.44 for an older Juju).
func runDispatch(tb testing.TB, dir, unit, hook string, env ...string) (string, error) {
	tb.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Dir = filepath.Join(dir, "charm")
	cmd.Env = append(os.Environ(),
		"PASSWORD_CHARM_DISPATCH=1",
		"PATH="+filepath.Join(dir, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"),
		"FAKE_STATE="+filepath.Join(dir, "state"),
		"JUJU_CONTEXT_ID="+unit+"-"+hook,
		"JUJU_UNIT_NAME="+unit,
		"JUJU_MODEL_NAME=test",
		"JUJU_MODEL_UUID=00000000-0000-4000-8000-000000000000",
		"JUJU_CHARM_DIR="+filepath.Join(dir, "charm"),
		"JUJU_DISPATCH_PATH=hooks/"+hook,
		"JUJU_VERSION=3.6.4",
	)
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func setup(tb testing.TB, leader bool) string {
	tb.Helper()
	dir := tb.TempDir()
	for _, d := range []string{"bin", "state", "charm"} {
		require.NoError(tb, os.Mkdir(filepath.Join(dir, d), 0o755))
	}
	for name, body := range fakeTools {
		require.NoError(tb, os.WriteFile(filepath.Join(dir, "bin", name), []byte("#!/bin/sh\n"+body+"\n"), 0o755))
	}
	answer := "false\n"
	if leader {
		answer = "true\n"
	}
	require.NoError(tb, os.WriteFile(filepath.Join(dir, "state", "leader"), []byte(answer), 0o644))
	return dir
}

func read(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	require.NoError(tb, err)
	return string(b)
}

// Ensure that the real binary runs a leader's install end to end through
// reactive.Main on Juju 3: it keeps one password in a new Juju secret
// (secret-add, the value passed in a file, not on the command line),
// publishes only the pointer to it with leader-set, writes the password to
// the configured file with mode 0600, sets the statuses and commits the
// unit's SQLite store in the charm directory.
func TestDispatch_LeaderInstall(t *testing.T) {
	dir := setup(t, true)
	out, err := runDispatch(t, dir, "password/0", "install")
	require.NoError(t, err, out)

	pw := read(t, filepath.Join(dir, "state", "secret.admin-password"))
	assert.Len(t, pw, 43)
	add := read(t, filepath.Join(dir, "state", "secret-add"))
	assert.Contains(t, add, "--label=leadership-admin\n")
	assert.NotContains(t, add, pw, "secret-add's arguments")
	sets := strings.Fields(read(t, filepath.Join(dir, "state", "leader-set")))
	require.Len(t, sets, 1)
	assert.Equal(t, `leadership.secret.admin={"id":"secret:coj8mulh8b41e8nv6p90","revision":1,"keys":{"admin_password":1}}`, sets[0])

	file := filepath.Join(dir, "charm", "secret", "pw")
	assert.Equal(t, pw, read(t, file))
	fi, err := os.Stat(file)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	assert.Equal(t, "waiting waiting for admin_password\nactive ready (leader)\n",
		strings.ReplaceAll(read(t, filepath.Join(dir, "state", "status")), "-- ", ""))
	assert.NotContains(t, read(t, filepath.Join(dir, "state", "log")), pw)
	assert.NotContains(t, out, pw)
	_, err = os.Stat(filepath.Join(dir, "charm", ".unit-state.db"))
	assert.NoError(t, err, "the store is in the charm directory")
}

// Ensure that on a Juju without secrets (2.9) the binary keeps the
// password in plain leader settings, with a WARNING, and runs no secret
// tool.
func TestDispatch_LeaderInstallWithoutSecrets(t *testing.T) {
	dir := setup(t, true)
	out, err := runDispatch(t, dir, "password/0", "install", "JUJU_VERSION=2.9.44")
	require.NoError(t, err, out)

	sets := strings.Fields(read(t, filepath.Join(dir, "state", "leader-set")))
	require.Len(t, sets, 1)
	pw, ok := strings.CutPrefix(sets[0], "admin_password=")
	require.True(t, ok, sets[0])
	assert.Len(t, pw, 43)
	assert.Equal(t, pw, read(t, filepath.Join(dir, "charm", "secret", "pw")))
	assert.NoFileExists(t, filepath.Join(dir, "state", "secret-add"))
	assert.Contains(t, read(t, filepath.Join(dir, "state", "log")),
		"-l WARNING -- leadership: Juju 2.9.44 has no secrets (they need 3.0.2 or later): keeping keys admin_password in plain settings (Options.PlainFallback)")
}

// Ensure that a follower's install writes the leader's password and a
// failing hook tool makes the binary exit non-zero.
func TestDispatch_Follower(t *testing.T) {
	dir := setup(t, false)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "state", "settings.json"), []byte(`{"admin_password":"from-leader"}`), 0o644))
	out, err := runDispatch(t, dir, "password/1", "install")
	require.NoError(t, err, out)
	assert.Equal(t, "from-leader", read(t, filepath.Join(dir, "charm", "secret", "pw")))
	_, err = os.Stat(filepath.Join(dir, "state", "leader-set"))
	assert.ErrorIs(t, err, os.ErrNotExist, "a follower runs no leader-set")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "bin", "leader-get"), []byte("#!/bin/sh\necho 'ERROR cannot read leadership settings: boom' >&2\nexit 1\n"), 0o755))
	out, err = runDispatch(t, dir, "password/1", "config-changed")
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, out)
	assert.Equal(t, 1, ee.ExitCode())
	assert.Contains(t, read(t, filepath.Join(dir, "state", "log")), "cannot read leadership settings: boom")
}
