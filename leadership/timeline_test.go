package leadership

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/flags"
)

// L expands the "L." abbreviation of docs/design.md in flag names and
// flag events ("+L.changed" is "+leadership.changed"); nil stays nil.
func L(names ...string) []string {
	if names == nil {
		return nil
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strings.Replace(n, "L.", "leadership.", 1)
	}
	return out
}

// step is one hook of the three-unit timeline (docs/design.md, "The three-unit
// timeline"), as the leadership layer sees it. Fields starting with peer
// override the expectation for the peer-relation backend where Juju differs (a
// failed hook's relation-set is discarded: docs/design.md, "Two backends", and
// scenario 25).
type step struct {
	name      string
	unit      int
	leader    int // the model's leader before the hook
	do        work
	wantErr   bool
	events    []string
	flags     []string
	snap      map[string]*string
	settings  map[string]string
	writes    int // leader-set / relation-set calls in this hook
	peer      *peerWant
	extraWant func(t *testing.T, s map[string]string) // checks of the hook-start+writes view
}

type peerWant struct {
	events   []string
	flags    []string
	snap     map[string]*string
	settings map[string]string
}

const pw = "s3cret"

func timeline() []step {
	ap := map[string]*string{"admin_password": str(pw)}
	apMotd := map[string]*string{"admin_password": str(pw), "motd": str("hello")}
	apTomb := map[string]*string{"admin_password": str(pw), "motd": nil}
	apTombCrash := map[string]*string{"admin_password": str(pw), "motd": nil, "crash_marker": str("config-changed")}
	apCrash := map[string]*string{"admin_password": str(pw), "crash_marker": str("config-changed")}
	set1 := map[string]string{"admin_password": pw}
	setMotd := map[string]string{"admin_password": pw, "motd": "hello"}
	setCrash := map[string]string{"admin_password": pw, "crash_marker": "config-changed"}
	charm := func(motd string) work { return all(generateSecret(pw), syncMotd(motd)) }
	return []step{
		{name: "1 leader install generates the secret", unit: 0, leader: 0, do: charm(""),
			events: L("+L.is_leader", "+L.changed.admin_password", "+L.changed", "+L.set.admin_password"),
			flags:  L("L.changed", "L.changed.admin_password", "L.is_leader", "L.set.admin_password"),
			snap:   ap, settings: set1, writes: 1},
		{name: "2 leader-elected clears the changed flags", unit: 0, leader: 0, do: charm(""),
			events: L("-L.changed.admin_password", "-L.changed"),
			flags:  L("L.is_leader", "L.set.admin_password"), snap: ap, settings: set1},
		{name: "3 follower install sees existing keys as changed", unit: 1, leader: 0, do: charm(""),
			events: L("+L.changed.admin_password", "+L.set.admin_password", "+L.changed"),
			flags:  L("L.changed", "L.changed.admin_password", "L.set.admin_password"), snap: ap, settings: set1},
		{name: "3b second follower install", unit: 2, leader: 0, do: charm(""),
			events: L("+L.changed.admin_password", "+L.set.admin_password", "+L.changed"),
			flags:  L("L.changed", "L.changed.admin_password", "L.set.admin_password"), snap: ap, settings: set1},
		{name: "4 follower's next hook clears changed", unit: 1, leader: 0, do: charm(""),
			events: L("-L.changed.admin_password", "-L.changed"),
			flags:  L("L.set.admin_password"), snap: ap, settings: set1},
		{name: "5 leader writes motd and reacts in the same hook", unit: 0, leader: 0, do: charm("hello"),
			events: L("+L.changed.motd", "+L.changed", "+L.set.motd"),
			flags:  L("L.changed", "L.changed.motd", "L.is_leader", "L.set.admin_password", "L.set.motd"),
			snap:   apMotd, settings: setMotd, writes: 1,
			extraWant: func(t *testing.T, s map[string]string) { assert.Equal(t, "hello", s["motd"]) }},
		{name: "6 follower sees the new key", unit: 1, leader: 0, do: charm("hello"),
			events: L("+L.changed.motd", "+L.set.motd", "+L.changed"),
			flags:  L("L.changed", "L.changed.motd", "L.set.admin_password", "L.set.motd"), snap: apMotd, settings: setMotd},
		{name: "6b follower config-changed clears changed", unit: 1, leader: 0, do: charm("hello"),
			events: L("-L.changed.motd", "-L.changed"),
			flags:  L("L.set.admin_password", "L.set.motd"), snap: apMotd, settings: setMotd},
		{name: "8 leadership moves: only is_leader", unit: 1, leader: 1, do: charm("hello"),
			events: L("+L.is_leader"),
			flags:  L("L.is_leader", "L.set.admin_password", "L.set.motd"), snap: apMotd, settings: setMotd},
		{name: "9 old leader loses is_leader and its changed flags", unit: 0, leader: 1, do: charm("hello"),
			events: L("-L.is_leader", "-L.changed.motd", "-L.changed"),
			flags:  L("L.set.admin_password", "L.set.motd"), snap: apMotd, settings: setMotd},
		{name: "10 leader deletes a key", unit: 1, leader: 1, do: charm(""),
			events: L("+L.changed.motd", "+L.changed", "-L.set.motd"),
			flags:  L("L.changed", "L.changed.motd", "L.is_leader", "L.set.admin_password"),
			snap:   apTomb, settings: set1, writes: 1,
			extraWant: func(t *testing.T, s map[string]string) { assert.NotContains(t, s, "motd") }},
		{name: "11 follower sees the deletion", unit: 0, leader: 1, do: charm(""),
			events: L("+L.changed.motd", "-L.set.motd", "+L.changed"),
			flags:  L("L.changed", "L.changed.motd", "L.set.admin_password"), snap: apTomb, settings: set1},
		{name: "11b the tombstone stays", unit: 0, leader: 1, do: charm(""),
			events: L("-L.changed.motd", "-L.changed"),
			flags:  L("L.set.admin_password"), snap: apTomb, settings: set1},
		{name: "4.4 a key set and deleted unseen leaves nothing", unit: 2, leader: 1, do: charm(""),
			events: L("-L.changed.admin_password", "-L.changed"),
			flags:  L("L.set.admin_password"), snap: ap, settings: set1},
		{name: "12 failed leader hook: store rolled back, leader-set kept", unit: 1, leader: 1,
			do: all(charm(""), failHook("config-changed")), wantErr: true,
			events: L("-L.changed.motd", "-L.changed", "+L.changed.crash_marker", "+L.changed", "+L.set.crash_marker"),
			flags:  L("L.changed", "L.changed.motd", "L.is_leader", "L.set.admin_password"),
			snap:   apTomb, settings: setCrash, writes: 1,
			peer: &peerWant{settings: set1}},
		{name: "13 failed follower hook loses the start-of-hook changes", unit: 2, leader: 1,
			do: all(charm(""), failHook("leader-settings-changed")), wantErr: true,
			events: L("+L.changed.crash_marker", "+L.set.crash_marker", "+L.changed"),
			flags:  L("L.set.admin_password"), snap: ap, settings: setCrash,
			peer: &peerWant{events: []string{}, settings: set1}},
		{name: "row 15 follower sees crash_marker", unit: 0, leader: 1, do: charm(""),
			events: L("+L.changed.crash_marker", "+L.set.crash_marker", "+L.changed"),
			flags:  L("L.changed", "L.changed.crash_marker", "L.set.admin_password", "L.set.crash_marker"),
			snap:   apTombCrash, settings: setCrash,
			peer: &peerWant{events: []string{}, flags: L("L.set.admin_password"), snap: apTomb, settings: set1}},
		{name: "14 retried leader hook sees its own earlier write", unit: 1, leader: 1, do: charm(""),
			events: L("+L.changed.crash_marker", "+L.set.crash_marker", "-L.changed.motd"),
			flags:  L("L.changed", "L.changed.crash_marker", "L.is_leader", "L.set.admin_password", "L.set.crash_marker"),
			snap:   apTombCrash, settings: setCrash,
			peer: &peerWant{events: L("-L.changed.motd", "-L.changed"), flags: L("L.is_leader", "L.set.admin_password"), snap: apTomb, settings: set1}},
		{name: "15 retried follower hook derives the same flags", unit: 2, leader: 1, do: charm(""),
			events: L("+L.changed.crash_marker", "+L.set.crash_marker", "+L.changed"),
			flags:  L("L.changed", "L.changed.crash_marker", "L.set.admin_password", "L.set.crash_marker"),
			snap:   apCrash, settings: setCrash,
			peer: &peerWant{events: []string{}, flags: L("L.set.admin_password"), snap: ap, settings: set1}},
		{name: "row 18 leader update-status clears changed", unit: 1, leader: 1, do: charm(""),
			events: L("-L.changed.crash_marker", "-L.changed"),
			flags:  L("L.is_leader", "L.set.admin_password", "L.set.crash_marker"),
			snap:   apTombCrash, settings: setCrash,
			peer: &peerWant{events: []string{}, flags: L("L.is_leader", "L.set.admin_password"), snap: apTomb, settings: set1}},
	}
}

// Ensure that every row of the three-unit timeline gives the flags, flag events,
// snapshot, settings and tool calls of the timeline and of scenarios 1-16 and 25
// (docs/design.md, "Leadership scenarios") with both backends.
func TestTimeline(t *testing.T) {
	for _, rn := range runners {
		for _, bc := range backendCases {
			t.Run(rn.name+"/"+bc.name, func(t *testing.T) {
				testTimeline(t, rn.run, bc)
			})
		}
	}
}

func testTimeline(t *testing.T, runHook hookRunner, bc backendCase) {
	m := newModel("")
	// The peer backend must work on Juju 4, which has no leader tools.
	m.noLeaderTools = bc.opts.PeerRelation != ""
	stores := map[int]*flags.Store{}
	for _, st := range timeline() {
		m.leader = fmt.Sprintf("password/%d", st.leader)
		unit := fmt.Sprintf("password/%d", st.unit)
		if stores[st.unit] == nil {
			stores[st.unit] = flags.OpenMemory()
		}
		want := st
		if bc.opts.PeerRelation != "" && st.peer != nil {
			if st.peer.events != nil {
				want.events = st.peer.events
			}
			if st.peer.flags != nil {
				want.flags = st.peer.flags
			}
			if st.peer.snap != nil {
				want.snap = st.peer.snap
			}
			if st.peer.settings != nil {
				want.settings = st.peer.settings
			}
		}
		ok := t.Run(st.name, func(t *testing.T) {
			before := len(m.calls)
			var view map[string]string
			do := st.do
			if st.extraWant != nil {
				do = all(st.do, func(_ context.Context, s *session, _ *flags.Flags) error { view = s.all(); return nil })
			}
			run := runHook(t, m, bc.opts, stores[st.unit], unit, nil, do)
			if want.wantErr {
				require.ErrorIs(t, run.err, errInjected)
			} else {
				require.NoError(t, run.err)
			}
			if want.events == nil {
				want.events = []string{}
			}
			if run.events == nil {
				run.events = []string{}
			}
			assert.Equal(t, want.events, run.events, "flag events")
			gotFlags, gotSnap, _ := unitState(t, stores[st.unit])
			assert.Equal(t, want.flags, gotFlags, "leadership flags after the hook")
			assert.Equal(t, want.snap, gotSnap, "snapshot after the hook")
			got := m.settings
			if bc.opts.PeerRelation != "" {
				got = m.appData
			}
			assert.Equal(t, want.settings, got, "settings held by Juju")
			calls := m.calls[before:]
			assert.Equal(t, 1, countTool(calls, "is-leader"), "is-leader calls: %q", calls)
			readTool, writeTool := "leader-get", "leader-set"
			if bc.opts.PeerRelation != "" {
				readTool, writeTool = "relation-get", "relation-set"
			}
			assert.Equal(t, 1, countTool(calls, readTool), "%s calls: %q", readTool, calls)
			assert.Equal(t, want.writes, countTool(calls, writeTool), "%s calls: %q", writeTool, calls)
			if st.extraWant != nil {
				st.extraWant(t, view)
			}
		})
		if !ok {
			return
		}
	}
	// Scenario 16: the secret was written exactly once.
	n := 0
	for _, c := range m.calls {
		if strings.Contains(c, "admin_password") {
			n++
		}
	}
	assert.Equal(t, 1, n, "writes carrying admin_password: %q", m.calls)
}

// countTool counts the calls of tool in a slice of recorded calls.
func countTool(calls []string, tool string) int {
	n := 0
	for _, c := range calls {
		if strings.Fields(c)[1] == tool {
			n++
		}
	}
	return n
}
