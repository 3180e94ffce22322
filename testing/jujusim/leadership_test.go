package jujusim_test

import (
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/testing/jujusim"
)

func deployed(tb testing.TB, n int) *jujusim.Model {
	tb.Helper()
	m := newModel(tb, n)
	require.NoError(tb, m.Deploy())
	return m
}

// Ensure that a leader-set that changes the settings queues
// leader-settings-changed on every other unit, and one that changes nothing
// queues nothing.
func TestModel_LeaderSetQueuesSettingsChanged(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		command string
		want    []string // pending on the followers
	}{
		{"new key", "leader-set extra=1", []string{"leader-settings-changed"}},
		{"two writes coalesce", "leader-set a=1 && leader-set b=2", []string{"leader-settings-changed"}},
		{"same value", `leader-set secret="$(leader-get secret)"`, nil},
		{"delete absent key", "leader-set nothing=", nil},
		{"delete key", "leader-set secret=", []string{"leader-settings-changed"}},
	}
	m := deployed(t, 3) // the cases run in order on one model
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := m.Unit(0).Exec(tc.command)
			require.NoError(t, err)
			require.Equal(t, 0, ev.ExitCode, ev.Stderr)
			assert.Empty(t, m.Unit(0).Pending(), "the leader gets no hook for its own write")
			for _, u := range m.Units()[1:] {
				assert.Equal(t, tc.want, u.Pending(), u.Name())
			}
			require.NoError(t, m.Settle())
			for _, u := range m.Units() {
				assert.Empty(t, u.Pending(), u.Name())
			}
		})
	}
}

// Ensure that a deleted key disappears from every unit once the followers
// have run leader-settings-changed.
func TestModel_DeleteKeyEverywhere(t *testing.T) {
	t.Parallel()
	m := deployed(t, 3)
	require.NoError(t, m.SetConfig(map[string]string{"motd": "hello"}))
	require.NoError(t, m.Settle())
	for _, u := range m.Units() {
		assert.Equal(t, "hello\n", readFile(t, u, "motd"), u.Name())
	}
	ev, err := m.Unit(0).Exec("leader-set motd=")
	require.NoError(t, err)
	require.Equal(t, 0, ev.ExitCode)
	require.NoError(t, m.Settle())
	settings, err := m.LeaderSettings()
	require.NoError(t, err)
	assert.NotContains(t, settings, "motd")
	for _, u := range m.Units()[1:] {
		_, err := u.ReadFile("motd")
		assert.ErrorIs(t, err, fs.ErrNotExist, u.Name())
		assert.Equal(t, "null\n", mustExec(t, u, "leader-get --format=json motd").Stdout)
	}
}

func mustExec(tb testing.TB, u *jujusim.Unit, cmd string) *jujusim.Event {
	tb.Helper()
	ev, err := u.Exec(cmd)
	require.NoError(tb, err)
	return ev
}

// Ensure that leader-set from a follower fails with Juju's exact error and
// changes nothing.
func TestModel_FollowerCannotWrite(t *testing.T) {
	t.Parallel()
	m := deployed(t, 2)
	ev := mustExec(t, m.Unit(1), "leader-set secret=stolen")
	assert.Equal(t, 1, ev.ExitCode)
	assert.Equal(t, "ERROR cannot write leadership settings: cannot write settings: not the leader\n", ev.Stderr)
	settings, err := m.LeaderSettings()
	require.NoError(t, err)
	assert.Equal(t, "secret-from-shared/0-install", settings["secret"])
	assert.Empty(t, m.Unit(0).Pending())
}

// Ensure that Elect waits for the old leader's guarantee on the simulated
// clock, then runs leader-elected on the new leader and
// leader-settings-changed on the deposed one.
func TestModel_Elect(t *testing.T) {
	t.Parallel()
	m := deployed(t, 3)
	leases, err := m.Leases()
	require.NoError(t, err)
	last := leases[len(leases)-1]
	require.Equal(t, "shared/0", last.Unit)

	require.NoError(t, m.Elect(m.Unit(1)))
	assert.False(t, m.Now().Before(last.Until()), "elected at %s, before the guarantee ended at %s", m.Now(), last.Until())
	assert.Equal(t, m.Unit(1), m.Leader())
	assert.Equal(t, []string{"leader-elected"}, m.Unit(1).Pending())
	assert.Equal(t, []string{"leader-settings-changed"}, m.Unit(0).Pending(), "deposed leader")
	assert.Empty(t, m.Unit(2).Pending())

	require.NoError(t, m.Settle())
	assert.Equal(t, "False\n", mustExec(t, m.Unit(0), "is-leader").Stdout)
	assert.Equal(t, "True\n", mustExec(t, m.Unit(1), "is-leader").Stdout)
	require.NoError(t, m.CheckLeases())
	settings, err := m.LeaderSettings()
	require.NoError(t, err)
	assert.Equal(t, "secret-from-shared/0-install", settings["secret"], "no second secret")
}

// Ensure that leader-elected is skipped when the unit is no longer leader
// when it starts.
func TestModel_LeaderElectedSkipped(t *testing.T) {
	t.Parallel()
	m := deployed(t, 2)
	require.NoError(t, m.Elect(m.Unit(1)))
	require.NoError(t, m.Unelect())
	assert.Nil(t, m.Leader())
	ev, err := m.Unit(1).Run("leader-elected")
	require.NoError(t, err)
	assert.Equal(t, "unit is no longer the leader", ev.Skipped)
	assert.Empty(t, ev.Calls, "the charm did not run")
	assert.False(t, m.Unit(1).InError())
}

// Ensure that a hook failing because of an injected tool failure puts the
// unit in error, that nothing else runs on it, and that Retry runs the same
// hook again.
func TestModel_FailToolAndRetry(t *testing.T) {
	t.Parallel()
	m := deployed(t, 2)
	u := m.Unit(1)
	require.NoError(t, u.SetFault("leader-get", jujusim.Fault{Message: "cannot read leadership settings: boom"}))
	require.NoError(t, m.SetConfig(map[string]string{"motd": "hi"}))
	err := m.Settle()
	require.ErrorIs(t, err, jujusim.ErrHookFailed)
	assert.Contains(t, err.Error(), "shared/1 leader-settings-changed exit 1", "leadership hooks come before config-changed")
	assert.True(t, u.InError())
	assert.Equal(t, "leader-settings-changed", u.FailedHook())
	assert.Empty(t, u.Pending())
	_, err = u.Run("update-status")
	assert.ErrorIs(t, err, jujusim.ErrUnitInError)

	ev, err := u.Retry()
	require.NoError(t, err)
	assert.Equal(t, 1, ev.ExitCode, "still failing")
	assert.True(t, ev.Retry)

	require.NoError(t, u.SetFault("leader-get", jujusim.Fault{}))
	ev, err = u.Retry()
	require.NoError(t, err)
	assert.Equal(t, 0, ev.ExitCode, ev.Stderr)
	assert.Equal(t, "leader-settings-changed", ev.Hook)
	assert.False(t, u.InError())
	_, err = u.Retry()
	assert.ErrorIs(t, err, jujusim.ErrNotInError)
	require.NoError(t, m.Settle())
	assert.Equal(t, "hi\n", readFile(t, u, "motd"))
}

// Ensure that a unit elected while a leader-settings-changed hook of its
// is in error retries that hook first, now leading (Juju retries a failed
// hook as it was and accepts leadership only after it, so is-leader is
// already true in the retry), then runs leader-elected; and that the
// invariants accept the retry.
func TestModel_ElectedWhileInError(t *testing.T) {
	t.Parallel()
	m := deployed(t, 2)
	u := m.Unit(1)
	require.NoError(t, u.SetFault("leader-get", jujusim.Fault{Message: "cannot read leadership settings: boom"}))
	require.NoError(t, m.SetConfig(map[string]string{"motd": "hi"}))
	require.ErrorIs(t, m.Settle(), jujusim.ErrHookFailed)
	require.Equal(t, "leader-settings-changed", u.FailedHook())

	require.NoError(t, m.Elect(u))
	require.Equal(t, u, m.Leader())
	require.NoError(t, u.ClearFaults())
	ev, err := u.Retry()
	require.NoError(t, err)
	assert.Equal(t, 0, ev.ExitCode, ev.Stderr)
	assert.Equal(t, "leader-settings-changed", ev.Hook)
	assert.True(t, ev.Retry)
	assert.True(t, ev.Leader, "the unit leads during the retry")
	assert.Equal(t, "True\n", mustExec(t, u, "is-leader").Stdout)
	require.NoError(t, m.Settle())
	var after []string
	for _, e := range m.Timeline() {
		if e.Unit == u.Name() && e.Kind == jujusim.KindHook && e.Seq > ev.Seq {
			after = append(after, e.Hook)
		}
	}
	require.NotEmpty(t, after)
	assert.Equal(t, "leader-elected", after[0], "leadership is accepted once the failed hook is resolved")
	require.NoError(t, m.CheckInvariants())
}

// Ensure that Resolve skips the failed hook as juju resolved --no-retry.
func TestModel_Resolve(t *testing.T) {
	t.Parallel()
	m := deployed(t, 1)
	u := m.Unit(0)
	require.NoError(t, m.SetConfig(map[string]string{"fail-hooks": "config-changed"}))
	require.ErrorIs(t, m.Settle(), jujusim.ErrHookFailed)
	st, err := u.Status()
	require.NoError(t, err)
	assert.Equal(t, jujusim.Status{State: "maintenance", Message: "about to fail (injected)"}, st,
		"status-set before the failure is kept")
	require.NoError(t, u.Resolve())
	assert.False(t, u.InError())
	assert.Empty(t, u.Pending(), "the config change counts as handled")
}

// Ensure that removing the leader runs its teardown hooks, leaves the model
// without a leader, and that the next leader keeps the same secret.
func TestModel_RemoveLeader(t *testing.T) {
	t.Parallel()
	m := deployed(t, 3)
	require.NoError(t, m.RemoveUnit(m.Unit(0)))
	assert.Nil(t, m.Leader())
	assert.Len(t, m.Units(), 2)
	var teardown []string
	for _, h := range hooks(t, m) {
		if strings.HasPrefix(h, "shared/0 ") {
			teardown = append(teardown, h)
		}
	}
	assert.Equal(t, []string{"shared/0 stop", "shared/0 remove"}, teardown[len(teardown)-2:])
	_, err := m.Unit(0).Run("update-status")
	assert.ErrorIs(t, err, jujusim.ErrUnitGone)

	require.NoError(t, m.Elect(m.Unit(2)))
	require.NoError(t, m.Settle())
	for _, u := range m.Units() {
		assert.Equal(t, "secret-from-shared/0-install\n", readFile(t, u, "secret"), u.Name())
	}
	require.NoError(t, m.CheckLeases())
}

// Ensure that a killed unit runs nothing more and a leader can be elected.
func TestModel_KillUnit(t *testing.T) {
	t.Parallel()
	m := deployed(t, 2)
	before := len(hooks(t, m))
	require.NoError(t, m.KillUnit(m.Unit(0)))
	assert.Equal(t, before, len(hooks(t, m)), "no teardown hook")
	assert.ErrorIs(t, m.KillUnit(m.Unit(0)), jujusim.ErrUnitGone)
	require.NoError(t, m.Elect(m.Unit(1)))
	require.NoError(t, m.Settle())
	assert.Equal(t, "True\n", mustExec(t, m.Unit(1), "is-leader").Stdout)
}

// Ensure that SetConfig validates options against config.yaml.
func TestModel_SetConfig(t *testing.T) {
	t.Parallel()
	m := newModel(t, 1)
	tests := []struct {
		values  map[string]string
		wantErr string
	}{
		{map[string]string{"retries": "5", "verbose": "true", "motd": ""}, ""},
		{map[string]string{"nope": "1"}, `jujusim: bad config: unknown option "nope"`},
		{map[string]string{"retries": "many"}, `jujusim: bad config: option "retries"`},
		{map[string]string{"verbose": "perhaps"}, `jujusim: bad config: option "verbose"`},
	}
	for _, tc := range tests {
		err := m.SetConfig(tc.values)
		if tc.wantErr == "" {
			assert.NoError(t, err, "%v", tc.values)
			continue
		}
		assert.ErrorIs(t, err, jujusim.ErrBadConfig, "%v", tc.values)
		assert.ErrorContains(t, err, tc.wantErr, "%v", tc.values)
	}
	assert.Equal(t, map[string]string{"retries": "5", "verbose": "true", "motd": "", "fail-hooks": ""}, m.Config())
	require.NoError(t, m.Deploy())
	assert.Equal(t, "5\n", mustExec(t, m.Unit(0), "config-get retries").Stdout)
	assert.Equal(t, `{"fail-hooks":"","motd":"","retries":5,"verbose":true}`+"\n", mustExec(t, m.Unit(0), "config-get --format=json").Stdout)
}

// Ensure that the simulated clock moves by HookDuration per hook and by
// Advance, and that tool calls carry the simulated time.
func TestModel_Clock(t *testing.T) {
	t.Parallel()
	start := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	m, err := jujusim.New(jujusim.Options{Charm: "testdata/charms/shared", Dir: t.TempDir(), Start: start, HookDuration: 10 * time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { m.Close() })
	assert.Equal(t, start, m.Now())
	ev, err := m.Unit(0).Run("install")
	require.NoError(t, err)
	assert.Equal(t, start, ev.Time)
	assert.Equal(t, start, ev.Calls[0].Time)
	assert.Equal(t, start.Add(10*time.Second), m.Now())
	require.NoError(t, m.Advance(time.Hour))
	assert.Equal(t, start.Add(time.Hour+10*time.Second), m.Now())
}

// Ensure that a hook's environment is built from scratch as Juju builds it.
func TestModel_HookEnvironment(t *testing.T) {
	t.Parallel()
	m := deployed(t, 1)
	u := m.Unit(0)
	_, err := u.Run("update-status")
	require.NoError(t, err)
	env := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(readFile(t, u, "last-env")), "\n") {
		k, v, _ := strings.Cut(line, "=")
		env[k] = v
	}
	assert.Equal(t, u.CharmDir(), env["CHARM_DIR"])
	assert.Equal(t, u.CharmDir(), env["JUJU_CHARM_DIR"])
	assert.Equal(t, "update-status", env["JUJU_HOOK_NAME"])
	assert.Equal(t, "hooks/update-status", env["JUJU_DISPATCH_PATH"])
	assert.Equal(t, "shared/0", env["JUJU_UNIT_NAME"])
	assert.Equal(t, "3.6.4", env["JUJU_VERSION"])
	assert.Equal(t, "unix", env["JUJU_AGENT_SOCKET_NETWORK"])
	assert.True(t, strings.HasPrefix(env["JUJU_CONTEXT_ID"], "shared/0-update-status-"), env["JUJU_CONTEXT_ID"])
	assert.True(t, strings.HasPrefix(env["PATH"], m.Dir()), env["PATH"])
	for _, unset := range []string{"HOME", "USER", "LOGNAME", "SHELL"} {
		assert.NotContains(t, env, unset)
	}
}

// Ensure that a missing tool is missing for the charm, and can be restored.
func TestUnit_MissingTool(t *testing.T) {
	t.Parallel()
	m := deployed(t, 1)
	u := m.Unit(0)
	require.NoError(t, u.SetFault("leader-get", jujusim.Fault{Missing: true}))
	ev := mustExec(t, u, "leader-get secret")
	assert.Equal(t, 127, ev.ExitCode)
	assert.Contains(t, ev.Stderr, "not found")
	require.NoError(t, u.SetFault("leader-get", jujusim.Fault{}))
	assert.Equal(t, 0, mustExec(t, u, "leader-get secret").ExitCode)
	assert.ErrorContains(t, u.SetFault("rm", jujusim.Fault{Missing: true}), `unknown tool`)
	assert.ErrorContains(t, u.SetFault("is-leader", jujusim.Fault{ExitCode: 256}), `exit code 256 out of range`)
}

// Ensure that a tool call made with a context id after its hook ended fails.
func TestModel_StaleContext(t *testing.T) {
	t.Parallel()
	m := deployed(t, 1)
	u := m.Unit(0)
	ev, err := u.Run("update-status")
	require.NoError(t, err)
	stale := ev.Calls[0].Context
	out := mustExec(t, u, "JUJU_CONTEXT_ID="+stale+" is-leader")
	assert.Equal(t, 1, out.ExitCode)
	assert.True(t, strings.HasPrefix(out.Stderr, "ERROR bad request: expected context id "), out.Stderr)
}

// Ensure that a lease lost in the middle of a hook turns is-leader False
// for the rest of that hook and makes leader-set fail, and that the unit
// then gets leader-settings-changed once another unit leads.
func TestUnit_LoseLeaseAfter(t *testing.T) {
	t.Parallel()
	m := deployed(t, 2)
	u := m.Unit(0)
	require.NoError(t, u.LoseLeaseAfter(1))
	ev := mustExec(t, u, "is-leader; is-leader; is-leader; leader-set x=1")
	assert.Equal(t, "True\nFalse\nFalse\n", ev.Stdout)
	assert.Equal(t, 1, ev.ExitCode)
	assert.Equal(t, "ERROR cannot write leadership settings: cannot write settings: not the leader\n", ev.Stderr)
	assert.Nil(t, m.Leader())
	assert.Equal(t, "False\n", mustExec(t, u, "is-leader").Stdout, "the fault is used up but the lease stays lost")
	require.NoError(t, m.Elect(m.Unit(1)))
	assert.Equal(t, []string{"leader-settings-changed"}, u.Pending())
	require.NoError(t, m.Settle())
	require.NoError(t, m.CheckLeases())
}

// Ensure that an agent restart re-runs leader-settings-changed on a
// follower and nothing on the leader.
func TestUnit_RestartAgent(t *testing.T) {
	t.Parallel()
	m := deployed(t, 2)
	require.NoError(t, m.Unit(0).RestartAgent())
	require.NoError(t, m.Unit(1).RestartAgent())
	assert.Empty(t, m.Unit(0).Pending())
	assert.Equal(t, []string{"leader-settings-changed"}, m.Unit(1).Pending())
}

// Ensure that hooks run together on several units overlap, start at the
// same simulated time and leave a consistent model: the leader's write
// reaches every unit once the followers' leader-settings-changed has run.
func TestModel_RunTogether(t *testing.T) {
	t.Parallel()
	m := deployed(t, 3)
	require.NoError(t, m.SetConfig(map[string]string{"motd": "together"}))
	start := m.Now()
	evs, err := m.RunTogether(map[*jujusim.Unit]string{m.Unit(2): "config-changed", m.Unit(0): "config-changed", m.Unit(1): "config-changed"})
	require.NoError(t, err)
	require.Len(t, evs, 3)
	for i, ev := range evs {
		assert.Equal(t, m.Unit(i).Name(), ev.Unit, "events in unit order")
		assert.Equal(t, 0, ev.ExitCode, ev.Stderr)
		assert.Equal(t, start, ev.Time)
	}
	assert.Equal(t, start.Add(time.Second), m.Now(), "one HookDuration for the batch")
	require.Len(t, evs[0].CallsTo("leader-set"), 1)
	for _, u := range m.Units()[1:] {
		assert.Equal(t, []string{"leader-settings-changed"}, u.Pending(), u.Name())
	}
	require.NoError(t, m.Settle())
	for _, u := range m.Units() {
		assert.Equal(t, "together\n", readFile(t, u, "motd"), u.Name())
	}

	_, err = m.RunTogether(map[*jujusim.Unit]string{m.Unit(0): "update-status"})
	require.NoError(t, err)
	require.NoError(t, m.KillUnit(m.Unit(1)))
	_, err = m.RunTogether(map[*jujusim.Unit]string{m.Unit(0): "update-status", m.Unit(1): "update-status"})
	assert.ErrorIs(t, err, jujusim.ErrUnitGone)
}

// Ensure that leader-elected, once queued on an idle unit, still runs after
// leadership moved on, and is then skipped, as Juju skips a leader-elected
// whose unit no longer leads when it starts.
func TestModel_ReelectionWhileQueued(t *testing.T) {
	t.Parallel()
	m := deployed(t, 3)
	require.NoError(t, m.Elect(m.Unit(1)))
	require.NoError(t, m.Elect(m.Unit(2)))
	assert.Equal(t, []string{"leader-elected"}, m.Unit(1).Pending())
	assert.Equal(t, []string{"leader-elected"}, m.Unit(2).Pending())
	require.NoError(t, m.Settle())
	var got []string
	for _, ev := range m.Timeline() {
		if ev.Kind == jujusim.KindHook && ev.Hook == "leader-elected" && ev.Unit != "shared/0" {
			got = append(got, ev.Unit+" "+ev.Skipped)
		}
	}
	assert.Equal(t, []string{"shared/1 unit is no longer the leader", "shared/2 "}, got)
	assert.Empty(t, m.Unit(1).Pending(), "a unit that never led since its last settings change gets no leader-settings-changed")
	require.NoError(t, m.CheckLeases())
}

// Ensure that New refuses a malformed Juju version and that Juju 4 units
// have no leader-get or leader-set.
func TestModel_JujuVersion(t *testing.T) {
	t.Parallel()
	_, err := jujusim.New(jujusim.Options{Charm: "testdata/charms/shared", Dir: t.TempDir(), JujuVersion: "x.y"})
	assert.ErrorContains(t, err, `jujusim: options: bad Juju version "x.y"`)
	m, err := jujusim.New(jujusim.Options{Charm: "testdata/charms/shared", Dir: t.TempDir(), JujuVersion: "4.0.1"})
	require.NoError(t, err)
	t.Cleanup(func() { m.Close() })
	ev := mustExec(t, m.Unit(0), "echo $JUJU_VERSION; command -v is-leader >/dev/null && echo has-is-leader; command -v leader-get || echo no-leader-get")
	assert.Equal(t, "4.0.1\nhas-is-leader\nno-leader-get\n", ev.Stdout)
}

// Ensure that a fault with a Cause makes a tool fail with the tool's own
// Juju annotation around the cause.
func TestUnit_FaultCause(t *testing.T) {
	t.Parallel()
	m := deployed(t, 1)
	u := m.Unit(0)
	tests := []struct{ tool, args, want string }{
		{"is-leader", "", "ERROR leadership status unknown: connection is shut down\n"},
		{"leader-get", "x", "ERROR cannot read leadership settings: connection is shut down\n"},
		{"leader-set", "x=1", "ERROR cannot write leadership settings: cannot write settings: failed to merge leadership settings: connection is shut down\n"},
		{"status-set", "active", "ERROR connection is shut down\n"},
	}
	for _, tc := range tests {
		require.NoError(t, u.SetFault(tc.tool, jujusim.Fault{Cause: "connection is shut down"}))
		ev := mustExec(t, u, tc.tool+" "+tc.args)
		assert.Equal(t, 1, ev.ExitCode, tc.tool)
		assert.Equal(t, tc.want, ev.Stderr, tc.tool)
	}
	require.NoError(t, u.ClearFaults())
	assert.Equal(t, "True\n", mustExec(t, u, "is-leader").Stdout)
	assert.ErrorContains(t, u.SetFault("is-leader", jujusim.Fault{Cause: "a\nb"}), "message spans lines")
}
