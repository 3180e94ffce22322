package charm_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/examples/password-charm/charm"
	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/reactive"
)

// unit is one simulated unit: its name, charm directory and store.
type unit struct {
	name  string
	dir   string
	store *flags.Store
}

func newUnit(tb testing.TB, n int) *unit {
	tb.Helper()
	return &unit{name: "password/" + string(rune('0'+n)), dir: tb.TempDir(), store: flags.OpenMemory()}
}

// hookOut is what one hook did.
type hookOut struct {
	res    *reactive.Result
	err    error
	events []string
}

// runHook runs one hook of the charm c on u against j, recording the flag
// events with a start callback registered before the charm's.
func runHook(tb testing.TB, j *juju, c *charm.Charm, u *unit, hook string) hookOut {
	tb.Helper()
	var o hookOut
	o.events = []string{}
	r := reactive.NewRegistry()
	r.AtStart("test.record-events", func(_ context.Context, h *reactive.Hook) error {
		f := h.Flags()
		prev := f.OnChange
		f.OnChange = func(flag string, set bool) {
			sign := "-"
			if set {
				sign = "+"
			}
			o.events = append(o.events, sign+strings.Replace(flag, "leadership.", "L.", 1))
			if prev != nil {
				prev(flag, set)
			}
		}
		return nil
	})
	c.Register(r)
	hc := j.hook(u.name)
	o.res, o.err = r.Run(context.Background(), reactive.RunOptions{
		Store:  u.store,
		Env:    hookenv.Env{InHook: true, HookName: hook, UnitName: u.name, AppName: "password", CharmDir: u.dir},
		Runner: hc,
	})
	hc.end(o.err == nil)
	return o
}

// flagsOf returns u's committed flags, with "leadership." shortened to "L.".
func flagsOf(tb testing.TB, u *unit) []string {
	tb.Helper()
	var out []string
	require.NoError(tb, u.store.View(context.Background(), func(tx *flags.Tx) error {
		for _, f := range flags.New(tx).List() {
			out = append(out, strings.Replace(f, "leadership.", "L.", 1))
		}
		return nil
	}))
	return out
}

// fileOf returns the content of a file in u's charm directory, or "-" when
// it does not exist.
func fileOf(tb testing.TB, u *unit, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(u.dir, name))
	if errors.Is(err, os.ErrNotExist) {
		return "-"
	}
	require.NoError(tb, err)
	return string(b)
}

func sp(s string) []string { return strings.Fields(s) }

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// row is one row of the timeline of spec/leadership.md §9.2 for the
// password charm. "P" in files stands for the generated password. peer, when
// not nil, replaces the expectations for the peer-relation backend.
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

// Ensure that the password charm goes through the timeline of
// spec/leadership.md §9.2 (scenarios 1-17) with both backends: handlers run
// in order, flag events, flags, files and statuses, and the password is
// generated and written exactly once.
func TestTimeline(t *testing.T) {
	for _, backend := range []string{"leader-settings", "peer-relation"} {
		t.Run(backend, func(t *testing.T) {
			j := newJuju()
			generated := 0
			c := &charm.Charm{NewPassword: func() (string, error) {
				generated++
				return charm.NewPassword()
			}}
			bag := func() map[string]string { return j.settings }
			if backend == "peer-relation" {
				c.Leadership.PeerRelation = charm.PeerRelation
				j.noLeaderTools = true
				bag = func() map[string]string { return j.appData }
			}
			units := []*unit{newUnit(t, 0), newUnit(t, 1), newUnit(t, 2)}
			for _, rw := range timeline() {
				want := rw
				hook := rw.hook
				if backend == "peer-relation" {
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
				for k, v := range rw.config {
					j.config[k] = v
				}
				j.leader = units[rw.leader].name
				u := units[rw.unit]
				statusBefore := len(j.status[u.name])
				ok := t.Run(rw.name, func(t *testing.T) {
					o := runHook(t, j, c, u, hook)
					if want.wantErr {
						require.ErrorIs(t, o.err, charm.ErrInjectedFailure)
						assert.NotZero(t, o.res.ExitCode)
					} else {
						require.NoError(t, o.err)
					}
					assert.Equal(t, sp(want.handlers), o.res.Invoked, "handlers")
					assert.Equal(t, sp(want.events), o.events, "flag events")
					assert.Equal(t, sorted(sp(want.flags)), sorted(flagsOf(t, u)), "flags after")
					p := bag()[charm.PasswordKey]
					require.NotEmpty(t, p)
					wantPw := want.password
					if wantPw == "P" {
						wantPw = p
					}
					assert.Equal(t, wantPw, fileOf(t, u, "admin_password"))
					assert.Equal(t, want.motd, fileOf(t, u, "motd"))
					if want.status != nil {
						assert.Equal(t, want.status, j.status[u.name][statusBefore:], "statuses")
					}
				})
				if !ok {
					return
				}
			}
			assert.Equal(t, 1, generated, "the password is generated once")
			n := 0
			for _, call := range j.calls {
				if strings.Contains(call, "admin_password") && (strings.Contains(call, "leader-set") || strings.Contains(call, "relation-set")) {
					n++
				}
			}
			assert.Equal(t, 1, n, "one write carries admin_password")
			for _, u := range units {
				assert.Equal(t, bag()[charm.PasswordKey], fileOf(t, u, "admin_password"), u.name)
			}
			if backend == "leader-settings" {
				assert.Equal(t, "config-changed", j.settings[charm.CrashMarkerKey], "leader-set of the failed hook stays")
			} else {
				assert.NotContains(t, j.appData, charm.CrashMarkerKey, "relation-set of the failed hook is discarded")
			}
		})
	}
}
