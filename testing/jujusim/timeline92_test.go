package jujusim_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/testing/jujusim"
)

// Ensure that the password charm, run out of process on three simulated
// units in the hook order of docs/design.md, "The three-unit timeline", runs
// the handlers and
// leaves the flags that timeline gives, row by row.
func TestPassword_Timeline92(t *testing.T) {
	t.Parallel()
	m := newPasswordModel(t, 3)
	u := func(n int) *jujusim.Unit { return m.Unit(n) }
	config := func(k, v string) func() { return func() { require.NoError(t, m.SetConfig(map[string]string{k: v})) } }
	rows := []struct {
		row      string
		before   func()
		unit     int
		hook     string
		retry    bool
		exit     int
		handlers string
		flags    string
	}{
		{"1", nil, 0, "install", false, 0, "generate_secret sync_motd waiting store_secret maybe_fail ready", "L.changed L.changed.admin_password L.is_leader L.set.admin_password password.stored"},
		{"2", nil, 0, "leader-elected", false, 0, "sync_motd maybe_fail ready", "L.is_leader L.set.admin_password password.stored"},
		{"2 config-changed", nil, 0, "config-changed", false, 0, "sync_motd maybe_fail ready", "L.is_leader L.set.admin_password password.stored"},
		{"2 start", nil, 0, "start", false, 0, "sync_motd maybe_fail ready", "L.is_leader L.set.admin_password password.stored"},
		{"3", nil, 1, "install", false, 0, "store_secret maybe_fail waiting ready", "L.changed L.changed.admin_password L.set.admin_password password.stored"},
		{"4", nil, 1, "leader-settings-changed", false, 0, "maybe_fail ready", "L.set.admin_password password.stored"},
		{"4 config-changed", nil, 1, "config-changed", false, 0, "maybe_fail ready", "L.set.admin_password password.stored"},
		{"3 on unit 2", nil, 2, "install", false, 0, "store_secret maybe_fail waiting ready", "L.changed L.changed.admin_password L.set.admin_password password.stored"},
		{"4 on unit 2", nil, 2, "leader-settings-changed", false, 0, "maybe_fail ready", "L.set.admin_password password.stored"},
		{"5", config("motd", "hello"), 0, "config-changed", false, 0, "sync_motd maybe_fail ready store_motd", "L.changed L.changed.motd L.is_leader L.set.admin_password L.set.motd password.stored"},
		{"6", nil, 1, "leader-settings-changed", false, 0, "store_motd maybe_fail ready", "L.changed L.changed.motd L.set.admin_password L.set.motd password.stored"},
		{"7", nil, 1, "config-changed", false, 0, "maybe_fail ready", "L.set.admin_password L.set.motd password.stored"},
		{"6 on unit 2", nil, 2, "leader-settings-changed", false, 0, "store_motd maybe_fail ready", "L.changed L.changed.motd L.set.admin_password L.set.motd password.stored"},
		{"7 on unit 2", nil, 2, "config-changed", false, 0, "maybe_fail ready", "L.set.admin_password L.set.motd password.stored"},
		{"8", func() { require.NoError(t, m.Elect(u(1))) }, 1, "leader-elected", false, 0, "sync_motd maybe_fail ready", "L.is_leader L.set.admin_password L.set.motd password.stored"},
		{"9", nil, 0, "leader-settings-changed", false, 0, "maybe_fail ready", "L.set.admin_password L.set.motd password.stored"},
		{"10", config("motd", ""), 1, "config-changed", false, 0, "sync_motd maybe_fail ready store_motd", "L.changed L.changed.motd L.is_leader L.set.admin_password password.stored"},
		{"11", nil, 0, "leader-settings-changed", false, 0, "store_motd maybe_fail ready", "L.changed L.changed.motd L.set.admin_password password.stored"},
		{"12", nil, 0, "config-changed", false, 0, "maybe_fail ready", "L.set.admin_password password.stored"},
		{"11 on unit 2", nil, 2, "leader-settings-changed", false, 0, "store_motd maybe_fail ready", "L.changed L.changed.motd L.set.admin_password password.stored"},
		{"12 on unit 2", nil, 2, "config-changed", false, 0, "maybe_fail ready", "L.set.admin_password password.stored"},
		{"13", config("fail-on-unit", "password/1 password/2"), 1, "config-changed", false, 1, "sync_motd maybe_fail", "L.changed L.changed.motd L.is_leader L.set.admin_password password.stored"},
		{"14", nil, 2, "leader-settings-changed", false, 1, "maybe_fail", "L.set.admin_password password.stored"},
		{"15", nil, 0, "leader-settings-changed", false, 0, "maybe_fail ready", "L.changed L.changed.crash_marker L.set.admin_password L.set.crash_marker password.stored"},
		{"16", config("fail-on-unit", ""), 1, "config-changed", true, 0, "sync_motd maybe_fail ready", "L.changed L.changed.crash_marker L.is_leader L.set.admin_password L.set.crash_marker password.stored"},
		{"17", nil, 2, "leader-settings-changed", true, 0, "maybe_fail ready", "L.changed L.changed.crash_marker L.set.admin_password L.set.crash_marker password.stored"},
		{"17 config-changed on unit 0", nil, 0, "config-changed", false, 0, "maybe_fail ready", "L.set.admin_password L.set.crash_marker password.stored"},
		{"17 config-changed on unit 2", nil, 2, "config-changed", false, 0, "maybe_fail ready", "L.set.admin_password L.set.crash_marker password.stored"},
		{"18", nil, 1, "update-status", false, 0, "sync_motd maybe_fail ready", "L.is_leader L.set.admin_password L.set.crash_marker password.stored"},
	}
	for _, r := range rows {
		if !t.Run("row "+r.row, func(t *testing.T) {
			if r.before != nil {
				r.before()
			}
			var ev *jujusim.Event
			var err error
			if r.retry {
				require.Equal(t, r.hook, u(r.unit).FailedHook())
				ev, err = u(r.unit).Retry()
			} else {
				ev, err = u(r.unit).Run(r.hook)
			}
			require.NoError(t, err)
			assert.Equal(t, r.exit, ev.ExitCode, ev.Stderr)
			assert.Equal(t, sp(r.handlers), handlersRun(ev), "handlers")
			assert.Equal(t, sp(r.flags), lflags(t, u(r.unit)), "flags after")
		}) {
			t.FailNow() // later rows depend on this one
		}
	}
	settings, err := m.LeaderSettings()
	require.NoError(t, err)
	assert.Equal(t, "config-changed", settings["crash_marker"])
	assert.NotContains(t, settings, "motd")
	requireOnePassword(t, m)
	require.NoError(t, m.CheckInvariants())
}

// handlersRun returns the handlers the framework logged as invoked.
func handlersRun(ev *jujusim.Event) []string {
	out := []string{}
	for _, l := range ev.Logs {
		for _, line := range strings.Split(l.Message, "\n") {
			if _, h, ok := strings.Cut(line, "Invoking reactive handler: "); ok {
				out = append(out, strings.TrimSpace(h))
			}
		}
	}
	return out
}
