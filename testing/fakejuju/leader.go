package fakejuju

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/internal/jujucmd"
)

func init() {
	serve(map[string]toolFunc{
		"is-leader":  isLeader,
		"leader-get": leaderGet,
		"leader-set": leaderSet,
	})
}

// Leads reports whether unit holds leadership of its application now.
func (m *Model) Leads(unit string) bool {
	a := m.Apps[AppOf(unit)]
	return a != nil && a.LeaderValid && a.Leader == unit
}

// CheckLeader is the leadership check Juju makes in a context: is-leader,
// the check of leader-set and the other leader-only tools, and the check
// before leader-elected runs. A false answer is sticky for the rest of the
// context. A true answer extends the unit's guarantee to now + [Guarantee]
// and is recorded in the journal. A unit with TruesLeft loses leadership
// when none is left.
func (m *Model) CheckLeader(c *Context) bool {
	if c.Minion {
		return false
	}
	u, a := m.Units[c.Unit], m.Apps[AppOf(c.Unit)]
	if u == nil || a == nil || !a.LeaderValid || a.Leader != c.Unit {
		c.Minion = true
		return false
	}
	if u.TruesLeft != nil {
		if *u.TruesLeft == 0 {
			u.TruesLeft = nil
			a.LeaderValid = false
			c.Minion = true
			return false
		}
		n := *u.TruesLeft - 1
		u.TruesLeft = &n
	}
	if until := m.Now.Add(Guarantee); until.After(a.LeaseExpires) {
		a.LeaseExpires = until
	}
	m.record(Entry{Lease: &LeaseAnswer{Unit: c.Unit, Context: c.ID, Time: m.Now, Epoch: a.LeaderEpoch}})
	return true
}

// Elect makes unit the leader of its application, as Juju does when the
// previous leader's lease ran out: the previous leader stops answering true
// at once and, when it was another unit, the clock moves to the end of the
// last guarantee given (if still ahead), so that two units' guarantees never
// overlap. The guarantee's end is never moved back: re-electing a unit that
// lost its lease keeps it, so a later election of another unit still waits
// for it. It returns how long the clock moved. Electing the current leader
// changes nothing.
func (m *Model) Elect(unit string) (time.Duration, error) {
	u, err := m.Unit(unit)
	if err != nil {
		return 0, err
	}
	a := m.Apps[u.App()]
	if a.LeaderValid && a.Leader == unit {
		return 0, nil
	}
	a.LeaderValid = false
	var waited time.Duration
	if a.Leader != unit && a.LeaseExpires.After(m.Now) {
		waited = a.LeaseExpires.Sub(m.Now)
		m.Now = a.LeaseExpires
	}
	a.Leader, a.LeaderValid = unit, true
	a.LeaderEpoch++
	return waited, nil
}

// Unelect takes leadership away from app's leader without electing another
// unit: no unit's check answers true until [Model.Elect]. The last
// guarantee still runs to its end.
func (m *Model) Unelect(app string) error {
	a, err := m.App(app)
	if err != nil {
		return err
	}
	a.LeaderValid = false
	return nil
}

func isLeader(t *invocation) error {
	p, err := t.parse("[options]", jujucmd.FormatOptions("smart")...)
	if p == nil {
		return err
	}
	if len(p.Positional) > 0 {
		return jujucmd.Unrecognized(p.Positional)
	}
	return t.emit(p, t.m.CheckLeader(t.c))
}

func leaderGet(t *invocation) error {
	p, err := t.parse("[options] [<key>]", jujucmd.FormatOptions("smart")...)
	if p == nil {
		return err
	}
	key := "-"
	switch len(p.Positional) {
	case 0:
	case 1:
		key = p.Positional[0]
	default:
		return jujucmd.Unrecognized(p.Positional[1:])
	}
	if strings.Contains(key, "=") {
		return jujucmd.Usagef("invalid key %q", key)
	}
	// The context reads the bucket at its first leader-get and serves that
	// copy until its own successful leader-set.
	if t.c.LeaderSnapshot == nil {
		t.c.LeaderSnapshot = maps.Clone(t.app.LeaderSettings)
		if t.c.LeaderSnapshot == nil {
			t.c.LeaderSnapshot = map[string]string{}
		}
	}
	if key == "-" {
		return t.emit(p, t.c.LeaderSnapshot)
	}
	if v, ok := t.c.LeaderSnapshot[key]; ok {
		return t.emit(p, v)
	}
	return t.emit(p, nil)
}

func leaderSet(t *invocation) error {
	p, err := t.parse("<key>=<value> [...]") // no options at all, not even --format
	if p == nil {
		return err
	}
	kv, err := hookenv.DecodeKeyValues(p.Positional)
	if err != nil {
		return jujucmd.Usagef("%v", err)
	}
	const prefix = "cannot write leadership settings: cannot write settings: "
	if !t.m.CheckLeader(t.c) {
		return errors.New(prefix + "not the leader")
	}
	t.c.LeaderSnapshot = nil // the leader sees its own write
	next := maps.Clone(t.app.LeaderSettings)
	if next == nil {
		next = map[string]string{}
	}
	applyChanges(next, kv)
	if maps.Equal(next, t.app.LeaderSettings) || len(next) == 0 && len(t.app.LeaderSettings) == 0 {
		return nil // a null change writes nothing and fires nothing
	}
	t.app.LeaderSettings = next
	t.app.SettingsVersion++
	return nil
}

// SetLeaderSettings replaces app's leader settings, as `juju exec -- leader-set`
// on the leader would (for setting up a test). Empty values are refused.
func (m *Model) SetLeaderSettings(app string, settings map[string]string) error {
	a, err := m.App(app)
	if err != nil {
		return err
	}
	for k, v := range settings {
		if v == "" {
			return fmt.Errorf("fakejuju: leader setting %q: empty value (Juju deletes a key set to \"\")", k)
		}
	}
	if !maps.Equal(a.LeaderSettings, settings) {
		a.LeaderSettings = maps.Clone(settings)
		a.SettingsVersion++
	}
	return nil
}
