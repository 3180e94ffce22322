package charm_test

import (
	"maps"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/examples/password-charm/charm"
	"github.com/charmkit/charmkit/testing/charmtest"
)

// config returns the charm's configuration with the defaults of config.yaml
// and the given options on top.
func config(kv ...string) map[string]any {
	c := map[string]any{"motd": "", "fail-on-unit": "", "password-file": "admin_password"}
	for i := 0; i+1 < len(kv); i += 2 {
		c[kv[i]] = kv[i+1]
	}
	return c
}

// juju4 are the faults of a Juju 4 controller, which has no leader-get or
// leader-set: the peer-relation backend must not need them.
var juju4 = map[string]charmtest.Fault{"leader-get": {Missing: true}, "leader-set": {Missing: true}}

// short abbreviates "leadership." to "L." in flag names and events, as
// docs/design.md does, so that the tables stay readable.
func short(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strings.Replace(n, "leadership.", "L.", 1)
	}
	return out
}

// statuses renders a hook's status-set calls as "state: message".
func statuses(out charmtest.Result) []string {
	s := []string{}
	for _, c := range out.StatusHistory {
		s = append(s, c.State+": "+c.Message)
	}
	return s
}

// file returns the content of a file of the charm directory after the hook,
// or "-" when it does not exist.
func file(out charmtest.Result, name string) string {
	if v, ok := out.File(name); ok {
		return v
	}
	return "-"
}

// writes counts the calls that wrote the setting key: leader-set, or
// relation-set with the peer backend.
func writes(calls []charmtest.ToolCall, key string) int {
	n := 0
	for _, c := range calls {
		if (c.Tool == "leader-set" || c.Tool == "relation-set") && strings.Contains(c.String()+" "+c.Stdin, key) {
			n++
		}
	}
	return n
}

func sp(s string) []string { return strings.Fields(s) }

// application is the Juju side shared by the units of one application in
// the timeline: which unit leads, the leader settings (or, with the peer
// backend, the peer relation's application bag) and the config. Each unit
// keeps its own state as a charmtest.Unit; a hook on one unit runs with the
// application's current state, which the result then updates.
type application struct {
	units    []charmtest.Unit
	leader   int
	settings map[string]string // leader-settings backend
	appData  map[string]string // peer-relation backend
	config   map[string]any
	peer     bool
	calls    []charmtest.ToolCall // every tool call of every hook
}

func newApplication(n int, peer bool) *application {
	a := &application{config: config(), peer: peer}
	for i := range n {
		a.units = append(a.units, charmtest.Unit{Name: "password/" + strconv.Itoa(i)})
	}
	return a
}

// run runs hook on unit i with the application's state and keeps the result.
func (a *application) run(t testing.TB, c *charm.Charm, i int, hook string) charmtest.Result {
	t.Helper()
	u := a.units[i]
	u.Leader = i == a.leader
	u.LeaderSettings = a.settings
	u.Config = a.config
	if a.peer {
		u.Faults = juju4
		peers := map[string]map[string]string{}
		for j, o := range a.units {
			if j != i {
				peers[o.Name] = map[string]string{}
			}
		}
		u.Relations = []charmtest.Relation{{ID: "cluster:0", RemoteApp: "password", Units: peers, AppData: a.appData}}
	}
	out := u.Run(t, c.Register, hook)
	a.units[i] = out.Unit
	a.settings = out.LeaderSettings
	if a.peer {
		require.Len(t, out.Relations, 1)
		a.appData = out.Relations[0].AppData
	}
	a.calls = append(a.calls, out.Calls...)
	return out
}

// bag returns the settings of the application's backend.
func (a *application) bag() map[string]string {
	if a.peer {
		return a.appData
	}
	return a.settings
}

// row is one row of the three-unit timeline (docs/design.md, "The three-unit
// timeline") for the password charm. "P" in password stands for the generated
// password. peer, when not nil, replaces the expectations for the peer-relation
// backend.
type row struct {
	name     string
	unit     int
	leader   int
	hook     string
	config   map[string]any
	wantErr  bool
	handlers string
	events   string
	flags    string
	password string // file admin_password: "P" or "-"
	motd     string // file motd, "-" when absent
	status   []string
	peer     *row
}

const (
	base    = "L.set.admin_password password.stored"
	lsc     = "leader-settings-changed"
	failing = "password/1 password/2"
)

func timeline() []row {
	return []row{
		{name: "1 leader install", unit: 0, leader: 0, hook: "install",
			handlers: "generate_secret sync_motd waiting store_secret maybe_fail ready",
			events:   "+L.is_leader +L.changed.admin_password +L.changed +L.set.admin_password +password.stored",
			flags:    "L.changed L.changed.admin_password L.is_leader " + base, password: "P", motd: "-",
			status: []string{"waiting: waiting for admin_password", "active: ready (leader)"}},
		{name: "2 leader-elected", unit: 0, leader: 0, hook: "leader-elected",
			handlers: "sync_motd maybe_fail ready", events: "-L.changed.admin_password -L.changed",
			flags: "L.is_leader " + base, password: "P", motd: "-", status: []string{"active: ready (leader)"}},
		{name: "3 follower install", unit: 1, leader: 0, hook: "install",
			handlers: "store_secret maybe_fail waiting ready",
			events:   "+L.changed.admin_password +L.set.admin_password +L.changed +password.stored",
			flags:    "L.changed L.changed.admin_password " + base, password: "P", motd: "-",
			status: []string{"waiting: waiting for admin_password", "active: ready (follower)"}},
		{name: "3 second follower install", unit: 2, leader: 0, hook: "install",
			handlers: "store_secret maybe_fail waiting ready",
			events:   "+L.changed.admin_password +L.set.admin_password +L.changed +password.stored",
			flags:    "L.changed L.changed.admin_password " + base, password: "P", motd: "-"},
		{name: "4 follower next hook", unit: 1, leader: 0, hook: lsc,
			handlers: "maybe_fail ready", events: "-L.changed.admin_password -L.changed",
			flags: base, password: "P", motd: "-", status: []string{"active: ready (follower)"}},
		{name: "4 second follower next hook", unit: 2, leader: 0, hook: lsc,
			handlers: "maybe_fail ready", events: "-L.changed.admin_password -L.changed",
			flags: base, password: "P", motd: "-"},
		{name: "5 leader writes motd", unit: 0, leader: 0, hook: "config-changed", config: map[string]any{"motd": "hello"},
			handlers: "sync_motd maybe_fail ready store_motd", events: "+L.changed.motd +L.changed +L.set.motd",
			flags: "L.changed L.changed.motd L.is_leader " + base + " L.set.motd", password: "P", motd: "hello"},
		{name: "6 follower sees motd", unit: 1, leader: 0, hook: lsc,
			handlers: "store_motd maybe_fail ready", events: "+L.changed.motd +L.set.motd +L.changed",
			flags: "L.changed L.changed.motd " + base + " L.set.motd", password: "P", motd: "hello"},
		{name: "7 follower config-changed", unit: 1, leader: 0, hook: "config-changed",
			handlers: "maybe_fail ready", events: "-L.changed.motd -L.changed",
			flags: base + " L.set.motd", password: "P", motd: "hello"},
		{name: "8 leadership moves", unit: 1, leader: 1, hook: "leader-elected",
			handlers: "sync_motd maybe_fail ready", events: "+L.is_leader",
			flags: "L.is_leader " + base + " L.set.motd", password: "P", motd: "hello", status: []string{"active: ready (leader)"}},
		{name: "9 old leader's next hook", unit: 0, leader: 1, hook: lsc,
			handlers: "maybe_fail ready", events: "-L.is_leader -L.changed.motd -L.changed",
			flags: base + " L.set.motd", password: "P", motd: "hello", status: []string{"active: ready (follower)"}},
		{name: "10 leader deletes motd", unit: 1, leader: 1, hook: "config-changed", config: map[string]any{"motd": ""},
			handlers: "sync_motd maybe_fail ready store_motd", events: "+L.changed.motd +L.changed -L.set.motd",
			flags: "L.changed L.changed.motd L.is_leader " + base, password: "P", motd: "-"},
		{name: "11 follower sees the deletion", unit: 0, leader: 1, hook: lsc,
			handlers: "store_motd maybe_fail ready", events: "+L.changed.motd -L.set.motd +L.changed",
			flags: "L.changed L.changed.motd " + base, password: "P", motd: "-"},
		{name: "12 follower config-changed", unit: 0, leader: 1, hook: "config-changed",
			handlers: "maybe_fail ready", events: "-L.changed.motd -L.changed", flags: base, password: "P", motd: "-"},
		{name: "13 leader hook fails", unit: 1, leader: 1, hook: "config-changed", config: map[string]any{"fail-on-unit": failing},
			wantErr: true, handlers: "sync_motd maybe_fail",
			events: "-L.changed.motd -L.changed +password.crash-attempted +L.changed.crash_marker +L.changed +L.set.crash_marker",
			flags:  "L.changed L.changed.motd L.is_leader " + base, password: "P", motd: "-",
			status: []string{"maintenance: about to fail (injected)"}},
		{name: "14 follower hook fails", unit: 2, leader: 1, hook: lsc, wantErr: true, handlers: "maybe_fail",
			events: "+L.changed.crash_marker +L.set.crash_marker +L.changed +password.crash-attempted",
			flags:  base, password: "P", motd: "-",
			status: []string{"maintenance: about to fail (injected)"},
			peer:   &row{events: "+password.crash-attempted"}},
		{name: "15 other follower sees crash_marker", unit: 0, leader: 1, hook: lsc,
			handlers: "maybe_fail ready", events: "+L.changed.crash_marker +L.set.crash_marker +L.changed",
			flags: "L.changed L.changed.crash_marker " + base + " L.set.crash_marker", password: "P", motd: "-",
			peer: &row{events: "", flags: base}},
		{name: "16 leader retry sees its own write", unit: 1, leader: 1, hook: "config-changed", config: map[string]any{"fail-on-unit": ""},
			handlers: "sync_motd maybe_fail ready", events: "+L.changed.crash_marker +L.set.crash_marker -L.changed.motd",
			flags: "L.changed L.changed.crash_marker L.is_leader " + base + " L.set.crash_marker", password: "P", motd: "-",
			status: []string{"active: ready (leader)"},
			peer:   &row{events: "-L.changed.motd -L.changed", flags: "L.is_leader " + base}},
		{name: "17 follower retry", unit: 2, leader: 1, hook: lsc,
			handlers: "maybe_fail ready", events: "+L.changed.crash_marker +L.set.crash_marker +L.changed",
			flags: "L.changed L.changed.crash_marker " + base + " L.set.crash_marker", password: "P", motd: "-",
			peer: &row{events: "", flags: base}},
		{name: "18 leader update-status", unit: 1, leader: 1, hook: "update-status",
			handlers: "sync_motd maybe_fail ready", events: "-L.changed.crash_marker -L.changed",
			flags: "L.is_leader " + base + " L.set.crash_marker", password: "P", motd: "-",
			peer: &row{events: "", flags: "L.is_leader " + base}},
	}
}

// Ensure that the password charm goes through the timeline of docs/design.md,
// "The three-unit timeline" (scenarios 1-17) with both backends: handlers run in
// order, flag events, flags, files and statuses, and the password is generated
// and written exactly once. Three units share one application: each hook runs
// one unit's state with the application's leader, settings and config.
func TestTimeline(t *testing.T) {
	for _, backend := range []string{"leader-settings", "peer-relation"} {
		t.Run(backend, func(t *testing.T) {
			peer := backend == "peer-relation"
			a := newApplication(3, peer)
			generated := 0
			c := &charm.Charm{NewPassword: func() (string, error) {
				generated++
				return charm.NewPassword()
			}}
			if peer {
				c.Leadership.PeerRelation = charm.PeerRelation
			}
			for _, rw := range timeline() {
				want := rw
				hook := rw.hook
				if peer {
					if hook == lsc {
						hook = "cluster-relation-changed"
					}
					if p := rw.peer; p != nil {
						want.events = p.events
						if p.flags != "" {
							want.flags = p.flags
						}
					}
				}
				if rw.config != nil {
					a.config = maps.Clone(a.config) // earlier states keep theirs
					maps.Copy(a.config, rw.config)
				}
				a.leader = rw.leader
				ok := t.Run(rw.name, func(t *testing.T) {
					out := a.run(t, c, rw.unit, hook)
					if want.wantErr {
						require.ErrorIs(t, out.Err, charm.ErrInjectedFailure)
						assert.NotZero(t, out.ExitCode)
					} else {
						require.NoError(t, out.Err)
						assert.Zero(t, out.ExitCode)
					}
					assert.Equal(t, sp(want.handlers), out.Invoked, "handlers")
					assert.Equal(t, sp(want.events), short(out.Events), "flag events")
					assert.ElementsMatch(t, sp(want.flags), short(out.Flags), "flags after")
					p := a.bag()[charm.PasswordKey]
					require.NotEmpty(t, p)
					wantPw := want.password
					if wantPw == "P" {
						wantPw = p
					}
					assert.Equal(t, wantPw, file(out, "admin_password"))
					assert.Equal(t, want.motd, file(out, "motd"))
					if want.status != nil {
						assert.Equal(t, want.status, statuses(out), "statuses")
					}
				})
				if !ok {
					return
				}
			}
			assert.Equal(t, 1, generated, "the password is generated once")
			assert.Equal(t, 1, writes(a.calls, charm.PasswordKey), "one write carries admin_password")
			for _, u := range a.units {
				assert.Equal(t, a.bag()[charm.PasswordKey], u.Files["admin_password"], u.Name)
			}
			if peer {
				assert.NotContains(t, a.appData, charm.CrashMarkerKey, "relation-set of the failed hook is discarded")
				assert.Empty(t, a.settings, "no leader settings with the peer backend")
			} else {
				assert.Equal(t, "config-changed", a.settings[charm.CrashMarkerKey], "leader-set of the failed hook stays")
			}
		})
	}
}

// Ensure that a fresh follower whose first hook fails keeps nothing in its
// store but keeps the file and status its handlers made; the retry then
// behaves as a normal first hook (scenario 17).
func TestFirstHookFails(t *testing.T) {
	t.Parallel()
	u := charmtest.Unit{
		Name:           "password/1",
		LeaderSettings: map[string]string{charm.PasswordKey: "P1"},
		Config:         config("fail-on-unit", "password/1"),
	}
	out := u.Run(t, charm.Register, "install")
	require.ErrorIs(t, out.Err, charm.ErrInjectedFailure)
	assert.Empty(t, out.Flags, "the store holds no flag")
	assert.Empty(t, out.Snapshot, "the store holds no snapshot")
	assert.Empty(t, out.Tombstones, "the store holds no tombstone")
	assert.Empty(t, out.KV, "the store holds no other key")
	assert.Equal(t, "P1", file(out, "admin_password"))
	assert.Equal(t, []string{"maintenance: about to fail (injected)"}, statuses(out))

	retry := out.Unit
	retry.Config = config()
	out = retry.Run(t, charm.Register, "install")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"store_secret", "maybe_fail", "waiting", "ready"}, out.Invoked)
	assert.Equal(t, []string{"+L.changed.admin_password", "+L.set.admin_password", "+L.changed", "+password.stored"}, short(out.Events))
}

// Ensure that a collect-metrics hook runs no tool and changes nothing
// (scenario 22).
func TestRestrictedHook(t *testing.T) {
	t.Parallel()
	u := charmtest.Unit{Name: "password/0", Leader: true, Config: config("motd", "hello")}
	installed := u.Run(t, charm.Register, "install")
	require.NoError(t, installed.Err)
	require.True(t, installed.HasFlag("leadership.changed.motd"))

	out := installed.Run(t, charm.Register, "collect-metrics")
	require.NoError(t, out.Err)
	assert.Empty(t, out.Calls, "tool calls")
	assert.Empty(t, out.Invoked)
	assert.Empty(t, out.Events)
	assert.Equal(t, installed.Flags, out.Flags)
	assert.Equal(t, installed.Snapshot, out.Snapshot)
	assert.Equal(t, installed.Files, out.Files)
}

// Ensure that with the peer backend and no peer relation yet, the leader's
// install succeeds, waits, and generates the password in a later hook.
func TestPeerRelationNotYetThere(t *testing.T) {
	t.Parallel()
	c := &charm.Charm{}
	c.Leadership.PeerRelation = charm.PeerRelation
	u := charmtest.Unit{Name: "password/0", Leader: true, Config: config(), Faults: juju4}
	out := u.Run(t, c.Register, "install")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"generate_secret", "sync_motd", "waiting"}, out.Invoked)
	assert.Equal(t, []string{"waiting: waiting for admin_password"}, statuses(out))
	assert.Empty(t, out.CallsTo("relation-set"), "no application data written")
	assert.Empty(t, out.Relations)
	assert.False(t, out.HasFlag(charm.StoredFlag))

	next := out.Unit
	next.Relations = []charmtest.Relation{{ID: "cluster:0", RemoteApp: "password"}}
	out = next.Run(t, c.Register, "cluster-relation-created")
	require.NoError(t, out.Err)
	require.Len(t, out.Relations, 1)
	pw := out.Relations[0].AppData[charm.PasswordKey]
	assert.NotEmpty(t, pw)
	assert.Equal(t, pw, file(out, "admin_password"))
	assert.True(t, out.HasFlag(charm.StoredFlag))
	assert.Equal(t, []string{"waiting: waiting for admin_password", "active: ready (leader)"}, statuses(out))
}

// Ensure that every unit's status ends as the handlers say: waiting while
// the password is unknown, then "ready (leader)" or "ready (follower)"
// (docs/design.md, "The reference charm").
func TestStatus(t *testing.T) {
	t.Parallel()
	ap := map[string]string{charm.PasswordKey: "s3cret"}
	tests := []struct {
		name string
		unit charmtest.Unit
		want charmtest.Status
	}{
		{"leader", charmtest.Unit{Name: "password/0", Leader: true, Config: config()},
			charmtest.Status{State: "active", Message: "ready (leader)"}},
		{"follower with the password", charmtest.Unit{Name: "password/1", LeaderSettings: ap, Config: config()},
			charmtest.Status{State: "active", Message: "ready (follower)"}},
		{"follower before the leader wrote", charmtest.Unit{Name: "password/1", Config: config()},
			charmtest.Status{State: "waiting", Message: "waiting for admin_password"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := tc.unit.Run(t, charm.Register, "install")
			require.NoError(t, out.Err)
			assert.Equal(t, tc.want, out.Status)
		})
	}
}
