package charmtest_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/charmkit/charmkit/examples/password-charm/charm"
	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/testing/charmtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// L expands the "L." abbreviation docs/design.md uses in flag names and
// events: "+L.changed" is "+leadership.changed".
func L(names ...string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strings.Replace(n, "L.", "leadership.", 1)
	}
	return out
}

// charms are the implementations of the reference charm
// (docs/design.md, "The reference charm") the scenarios run against: the project's password
// charm, and the small copy in this package's tests.
var charms = []struct {
	name     string
	register func(*reactive.Registry)
}{
	{"password-charm", charm.Register},
	{"reference", registerRef},
}

// P is the shared password in states written by hand.
const P = "s3cret"

// cfg returns the reference charm's configuration.
func cfg(motd, failOn string) map[string]any {
	return map[string]any{"motd": motd, "fail-on-unit": failOn}
}

// Ensure that the password charm passes the one-unit scenarios of
// docs/design.md ("Leadership scenarios", rows of "The three-unit
// timeline"), each from a literal state.
func TestPasswordCharm_Scenarios(t *testing.T) {
	t.Parallel()
	ap := map[string]string{"admin_password": P}
	apMotd := map[string]string{"admin_password": P, "motd": "hello"}
	apCrash := map[string]string{"admin_password": P, "crash_marker": "config-changed"}
	leader0 := func(flags []string, snap, settings map[string]string, files map[string]string) charmtest.Unit {
		return charmtest.Unit{Name: "password/0", Leader: true, Flags: L(flags...), Snapshot: snap, LeaderSettings: settings, Files: files, Config: cfg("", "")}
	}
	tests := []struct {
		name      string
		in        charmtest.Unit
		hook      string
		wantErr   bool
		invoked   []string
		events    []string
		flags     []string // nil: unchanged from the input
		snapshot  map[string]string
		tombs     []string
		settings  map[string]string
		files     map[string]string // the files the charm manages; "" means absent
		leaderSet []string
		status    []charmtest.Status // the status-set calls
	}{
		{
			name: "2 leader's next hook clears changed", hook: "leader-elected",
			in:       leader0([]string{"L.changed", "L.changed.admin_password", "L.is_leader", "L.set.admin_password", "password.stored"}, ap, ap, map[string]string{"admin_password": P}),
			invoked:  []string{"sync_motd", "maybe_fail", "ready"},
			events:   L("-L.changed.admin_password", "-L.changed"),
			flags:    L("L.is_leader", "L.set.admin_password", "password.stored"),
			snapshot: ap, settings: ap, files: map[string]string{"admin_password": P, "motd": ""},
			status: []charmtest.Status{{State: "active", Message: "ready (leader)"}},
		},
		{
			name: "3 follower's first hook sees every setting as changed", hook: "install",
			in:       charmtest.Unit{Name: "password/1", LeaderSettings: ap, Config: cfg("", "")},
			invoked:  []string{"store_secret", "maybe_fail", "waiting", "ready"},
			events:   L("+L.changed.admin_password", "+L.set.admin_password", "+L.changed", "+password.stored"),
			flags:    L("L.changed", "L.changed.admin_password", "L.set.admin_password", "password.stored"),
			snapshot: ap, settings: ap, files: map[string]string{"admin_password": P},
			status: []charmtest.Status{{State: "waiting", Message: "waiting for admin_password"}, {State: "active", Message: "ready (follower)"}},
		},
		{
			name: "4 follower's next hook clears changed", hook: "leader-settings-changed",
			in:      charmtest.Unit{Name: "password/1", Flags: L("L.changed", "L.changed.admin_password", "L.set.admin_password", "password.stored"), Snapshot: ap, LeaderSettings: ap, Config: cfg("", ""), Files: map[string]string{"admin_password": P}},
			invoked: []string{"maybe_fail", "ready"},
			events:  L("-L.changed.admin_password", "-L.changed"),
			flags:   L("L.set.admin_password", "password.stored"), snapshot: ap, settings: ap,
		},
		{
			name: "5 key written: the leader reacts in the same hook", hook: "config-changed",
			in:       charmtest.Unit{Name: "password/0", Leader: true, Flags: L("L.is_leader", "L.set.admin_password", "password.stored"), Snapshot: ap, LeaderSettings: ap, Config: cfg("hello", ""), Files: map[string]string{"admin_password": P}},
			invoked:  []string{"sync_motd", "maybe_fail", "ready", "store_motd"},
			events:   L("+L.changed.motd", "+L.changed", "+L.set.motd"),
			flags:    L("L.changed", "L.changed.motd", "L.is_leader", "L.set.admin_password", "L.set.motd", "password.stored"),
			snapshot: apMotd, settings: apMotd, files: map[string]string{"admin_password": P, "motd": "hello"},
			leaderSet: []string{"leader-set motd=hello"},
		},
		{
			name: "6 follower sees the new key", hook: "leader-settings-changed",
			in:       charmtest.Unit{Name: "password/1", Flags: L("L.set.admin_password", "password.stored"), Snapshot: ap, LeaderSettings: apMotd, Config: cfg("hello", ""), Files: map[string]string{"admin_password": P}},
			invoked:  []string{"store_motd", "maybe_fail", "ready"},
			events:   L("+L.changed.motd", "+L.set.motd", "+L.changed"),
			flags:    L("L.changed", "L.changed.motd", "L.set.admin_password", "L.set.motd", "password.stored"),
			snapshot: apMotd, settings: apMotd, files: map[string]string{"motd": "hello"},
		},
		{
			name: "7 any hook can observe the change", hook: "update-status",
			in:       charmtest.Unit{Name: "password/1", Flags: L("L.set.admin_password", "password.stored"), Snapshot: ap, LeaderSettings: apMotd, Config: cfg("hello", ""), Files: map[string]string{"admin_password": P}},
			invoked:  []string{"store_motd", "maybe_fail", "ready"},
			events:   L("+L.changed.motd", "+L.set.motd", "+L.changed"),
			flags:    L("L.changed", "L.changed.motd", "L.set.admin_password", "L.set.motd", "password.stored"),
			snapshot: apMotd, settings: apMotd, files: map[string]string{"motd": "hello"},
		},
		{
			name: "8 leadership gained: only is_leader moves", hook: "leader-elected",
			in:       charmtest.Unit{Name: "password/1", Leader: true, Flags: L("L.set.admin_password", "L.set.motd", "password.stored"), Snapshot: apMotd, LeaderSettings: apMotd, Config: cfg("hello", ""), Files: map[string]string{"admin_password": P, "motd": "hello"}},
			invoked:  []string{"sync_motd", "maybe_fail", "ready"},
			events:   L("+L.is_leader"),
			flags:    L("L.is_leader", "L.set.admin_password", "L.set.motd", "password.stored"),
			snapshot: apMotd, settings: apMotd,
			status: []charmtest.Status{{State: "active", Message: "ready (leader)"}},
		},
		{
			name: "9 leadership lost: the old leader clears is_leader and changed", hook: "leader-settings-changed",
			in:       charmtest.Unit{Name: "password/0", Flags: L("L.changed", "L.changed.motd", "L.is_leader", "L.set.admin_password", "L.set.motd", "password.stored"), Snapshot: apMotd, LeaderSettings: apMotd, Config: cfg("hello", ""), Files: map[string]string{"admin_password": P, "motd": "hello"}},
			invoked:  []string{"maybe_fail", "ready"},
			events:   L("-L.is_leader", "-L.changed.motd", "-L.changed"),
			flags:    L("L.set.admin_password", "L.set.motd", "password.stored"),
			snapshot: apMotd, settings: apMotd,
			status: []charmtest.Status{{State: "active", Message: "ready (follower)"}},
		},
		{
			name: "10 key deleted by the leader", hook: "config-changed",
			in:       charmtest.Unit{Name: "password/1", Leader: true, Flags: L("L.is_leader", "L.set.admin_password", "L.set.motd", "password.stored"), Snapshot: apMotd, LeaderSettings: apMotd, Config: cfg("", ""), Files: map[string]string{"admin_password": P, "motd": "hello"}},
			invoked:  []string{"sync_motd", "maybe_fail", "ready", "store_motd"},
			events:   L("+L.changed.motd", "+L.changed", "-L.set.motd"),
			flags:    L("L.changed", "L.changed.motd", "L.is_leader", "L.set.admin_password", "password.stored"),
			snapshot: ap, tombs: []string{"motd"}, settings: ap, files: map[string]string{"admin_password": P, "motd": ""},
			leaderSet: []string{"leader-set motd="},
		},
		{
			name: "11 follower sees the deletion and keeps a tombstone", hook: "leader-settings-changed",
			in:       charmtest.Unit{Name: "password/0", Flags: L("L.set.admin_password", "L.set.motd", "password.stored"), Snapshot: apMotd, LeaderSettings: ap, Config: cfg("", ""), Files: map[string]string{"admin_password": P, "motd": "hello"}},
			invoked:  []string{"store_motd", "maybe_fail", "ready"},
			events:   L("+L.changed.motd", "-L.set.motd", "+L.changed"),
			flags:    L("L.changed", "L.changed.motd", "L.set.admin_password", "password.stored"),
			snapshot: ap, tombs: []string{"motd"}, settings: ap, files: map[string]string{"motd": ""},
		},
		{
			name: "11b the tombstone stays", hook: "config-changed",
			in:       charmtest.Unit{Name: "password/0", Flags: L("L.changed", "L.changed.motd", "L.set.admin_password", "password.stored"), Snapshot: ap, Tombstones: []string{"motd"}, LeaderSettings: ap, Config: cfg("", ""), Files: map[string]string{"admin_password": P}},
			invoked:  []string{"maybe_fail", "ready"},
			events:   L("-L.changed.motd", "-L.changed"),
			flags:    L("L.set.admin_password", "password.stored"),
			snapshot: ap, tombs: []string{"motd"}, settings: ap,
		},
		{
			name: "12 failed leader hook: store rolled back, leader-set and status kept", hook: "config-changed",
			in:       charmtest.Unit{Name: "password/1", Leader: true, Flags: L("L.changed", "L.changed.motd", "L.is_leader", "L.set.admin_password", "password.stored"), Snapshot: ap, Tombstones: []string{"motd"}, LeaderSettings: ap, Config: cfg("", "password/1 password/2"), Files: map[string]string{"admin_password": P}},
			wantErr:  true,
			invoked:  []string{"sync_motd", "maybe_fail"},
			events:   L("-L.changed.motd", "-L.changed", "+password.crash-attempted", "+L.changed.crash_marker", "+L.changed", "+L.set.crash_marker"),
			snapshot: ap, tombs: []string{"motd"}, settings: apCrash,
			leaderSet: []string{"leader-set crash_marker=config-changed"},
			status:    []charmtest.Status{{State: "maintenance", Message: "about to fail (injected)"}},
		},
		{
			name: "13 failed follower hook loses even the start-of-hook changes", hook: "leader-settings-changed",
			in:       charmtest.Unit{Name: "password/2", Flags: L("L.set.admin_password", "password.stored"), Snapshot: ap, LeaderSettings: apCrash, Config: cfg("", "password/1 password/2"), Files: map[string]string{"admin_password": P}},
			wantErr:  true,
			invoked:  []string{"maybe_fail"},
			events:   L("+L.changed.crash_marker", "+L.set.crash_marker", "+L.changed", "+password.crash-attempted"),
			snapshot: ap, settings: apCrash, files: map[string]string{"admin_password": P},
			status: []charmtest.Status{{State: "maintenance", Message: "about to fail (injected)"}},
		},
		{
			name: "14 retried leader hook sees its own earlier write as a change", hook: "config-changed",
			in:       charmtest.Unit{Name: "password/1", Leader: true, Flags: L("L.changed", "L.changed.motd", "L.is_leader", "L.set.admin_password", "password.stored"), Snapshot: ap, Tombstones: []string{"motd"}, LeaderSettings: apCrash, Config: cfg("", ""), Files: map[string]string{"admin_password": P}},
			invoked:  []string{"sync_motd", "maybe_fail", "ready"},
			events:   L("+L.changed.crash_marker", "+L.set.crash_marker", "-L.changed.motd"),
			flags:    L("L.changed", "L.changed.crash_marker", "L.is_leader", "L.set.admin_password", "L.set.crash_marker", "password.stored"),
			snapshot: apCrash, tombs: []string{"motd"}, settings: apCrash,
		},
		{
			name: "15 retried follower hook derives the same flags again", hook: "leader-settings-changed",
			in:       charmtest.Unit{Name: "password/2", Flags: L("L.set.admin_password", "password.stored"), Snapshot: ap, LeaderSettings: apCrash, Config: cfg("", ""), Files: map[string]string{"admin_password": P}},
			invoked:  []string{"maybe_fail", "ready"},
			events:   L("+L.changed.crash_marker", "+L.set.crash_marker", "+L.changed"),
			flags:    L("L.changed", "L.changed.crash_marker", "L.set.admin_password", "L.set.crash_marker", "password.stored"),
			snapshot: apCrash, settings: apCrash,
		},
		{
			name: "17 a unit whose first hook fails keeps an empty store", hook: "install",
			in:       charmtest.Unit{Name: "password/2", LeaderSettings: ap, Config: cfg("", "password/2")},
			wantErr:  true,
			invoked:  []string{"store_secret", "maybe_fail"},
			flags:    []string{},
			settings: ap, files: map[string]string{"admin_password": P},
			status: []charmtest.Status{{State: "maintenance", Message: "about to fail (injected)"}},
		},
	}
	for _, c := range charms {
		for _, tc := range tests {
			t.Run(c.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				out := tc.in.Run(t, c.register, tc.hook)
				if tc.wantErr {
					require.Error(t, out.Err)
					assert.NotEqual(t, 0, out.ExitCode)
				} else {
					require.NoError(t, out.Err)
				}
				assert.Equal(t, tc.invoked, out.Invoked, "handlers run")
				if tc.events != nil {
					assert.Equal(t, tc.events, out.Events, "flag events")
				}
				wantFlags := tc.flags
				if wantFlags == nil || tc.wantErr {
					wantFlags = tc.in.Flags
				}
				assert.ElementsMatch(t, wantFlags, out.Flags, "flags after the hook")
				assert.False(t, out.HasFlag("password.crash-attempted"), "never committed")
				assert.Equal(t, tc.snapshot, out.Snapshot, "snapshot")
				assert.Equal(t, tc.tombs, out.Tombstones, "tombstones")
				assert.Equal(t, tc.settings, out.LeaderSettings, "Juju's leader settings")
				for name, want := range tc.files {
					got, ok := out.File(name)
					if want == "" {
						assert.False(t, ok, "file %s should be absent, holds %q", name, got)
					} else {
						assert.Equal(t, want, got, "file %s", name)
					}
				}
				var sets []string
				for _, call := range out.CallsTo("leader-set") {
					sets = append(sets, call.String())
				}
				assert.Equal(t, tc.leaderSet, sets, "leader-set calls")
				if tc.status != nil {
					var got []charmtest.Status
					for _, s := range out.StatusHistory {
						got = append(got, s.Status)
					}
					assert.Equal(t, tc.status, got, "status-set calls")
				}
			})
		}
	}
}

// Ensure that the leader's first hook generates the password once and that
// every later hook, across a leadership change, a deletion and a failed hook
// with its retry, keeps that one password (scenarios 1, 8-16, one unit at a
// time, each hook fed with the state the previous one returned).
func TestPasswordCharm_OnePassword(t *testing.T) {
	t.Parallel()
	var generated atomic.Int32
	c := &charm.Charm{NewPassword: func() (string, error) {
		return fmt.Sprintf("generated-%d", generated.Add(1)), nil
	}}
	register := c.Register

	// Scenario 1: a fresh leader's install.
	u0 := charmtest.Unit{Name: "password/0", Leader: true, Config: cfg("", "")}
	out := u0.Run(t, register, "install")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"generate_secret", "sync_motd", "waiting", "store_secret", "maybe_fail", "ready"}, out.Invoked)
	assert.Equal(t, L("+L.is_leader", "+L.changed.admin_password", "+L.changed", "+L.set.admin_password", "+password.stored"), out.Events)
	pw, ok := out.Setting("admin_password")
	require.True(t, ok)
	assert.Equal(t, "generated-1", pw)
	assert.Equal(t, map[string]string{"admin_password": pw}, out.Snapshot)
	file, _ := out.File("admin_password")
	assert.Equal(t, pw, file)
	require.Len(t, out.CallsTo("leader-set"), 1)
	u0 = out.Unit

	// A follower installs, then both run config-changed.
	u1 := charmtest.Unit{Name: "password/1", LeaderSettings: u0.LeaderSettings, Config: cfg("", "")}
	for _, hook := range []string{"install", "leader-settings-changed", "config-changed"} {
		out = u1.Run(t, register, hook)
		require.NoError(t, out.Err, hook)
		u1 = out.Unit
	}
	for _, hook := range []string{"leader-elected", "config-changed", "start"} {
		out = u0.Run(t, register, hook)
		require.NoError(t, out.Err, hook)
		assert.Empty(t, out.CallsTo("leader-set"), "%s on the leader writes nothing", hook)
		u0 = out.Unit
	}

	// Leadership moves to unit 1, which must not generate a second password.
	u0.Leader, u1.Leader = false, true
	u1.LeaderSettings = u0.LeaderSettings
	out = u1.Run(t, register, "leader-elected")
	require.NoError(t, out.Err)
	assert.Equal(t, L("+L.is_leader"), out.Events)
	assert.Empty(t, out.CallsTo("leader-set"))
	u1 = out.Unit
	out = u0.Run(t, register, "leader-settings-changed")
	require.NoError(t, out.Err)
	assert.Equal(t, L("-L.is_leader"), out.Events)
	u0 = out.Unit

	// The new leader's hook fails after writing a crash marker; the retry
	// succeeds; still one password.
	u1.Config = cfg("", "password/1")
	failed := u1.Run(t, register, "config-changed")
	require.ErrorIs(t, failed.Err, charm.ErrInjectedFailure)
	assert.Equal(t, u1.Flags, failed.Flags, "flags rolled back")
	assert.Equal(t, u1.Snapshot, failed.Snapshot, "snapshot rolled back")
	crash, _ := failed.Setting("crash_marker")
	assert.Equal(t, "config-changed", crash, "leader-set is kept")
	retry := failed.Unit
	retry.Config = cfg("", "")
	out = retry.Run(t, register, "config-changed")
	require.NoError(t, out.Err)
	assert.Equal(t, L("+L.changed.crash_marker", "+L.set.crash_marker", "+L.changed"), out.Events)
	assert.Empty(t, out.CallsTo("leader-set"))
	u1 = out.Unit

	assert.Equal(t, int32(1), generated.Load(), "the password was generated exactly once")
	for _, u := range []charmtest.Unit{u0, u1} {
		assert.Equal(t, pw, u.Files["admin_password"], "%s's password file", u.Name)
		assert.Equal(t, pw, u.LeaderSettings["admin_password"])
	}
}
