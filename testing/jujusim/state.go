package jujusim

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"modernc.org/sqlite" // the unit's .unit-state.db
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/charmkit/charmkit/testing/fakejuju"
)

const flagPrefix = "reactive.states."

// State returns the key/value pairs of the unit's .unit-state.db (table kv,
// as charm-helpers writes it), values as their JSON text. A unit whose
// charm has not created the store has an empty state. A store that a hook
// killed within its commit left with a hot journal is rolled back first,
// as the unit's next hook would roll it back.
func (u *Unit) State() (map[string]string, error) {
	path := filepath.Join(u.CharmDir(), ".unit-state.db")
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	out, err := u.readState(path, "ro")
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code() == sqlite3.SQLITE_READONLY_ROLLBACK {
		// A hook killed within its commit left a hot journal, which only a
		// writer may roll back: roll it back, as the unit's next hook would.
		out, err = u.readState(path, "rw")
	}
	return out, err
}

// readState reads the kv table of the store at path opened in mode.
func (u *Unit) readState(path, mode string) (map[string]string, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode="+mode+"&_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, fmt.Errorf("jujusim: opening %s state: %w", u.name, err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT key, data FROM kv`)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return map[string]string{}, nil
		}
		return nil, fmt.Errorf("jujusim: reading %s state: %w", u.name, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k string
		var v sql.NullString
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("jujusim: reading %s state: %w", u.name, err)
		}
		out[k] = v.String
	}
	return out, rows.Err()
}

// Flags returns the reactive flags set in the unit's store, sorted.
func (u *Unit) Flags() ([]string, error) {
	st, err := u.State()
	if err != nil {
		return nil, err
	}
	var out []string
	for k := range st {
		if f, ok := strings.CutPrefix(k, flagPrefix); ok {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out, nil
}

// journal returns the fake Juju's whole journal.
func (m *Model) journalEntries() ([]fakejuju.Entry, error) {
	j, err := m.store.Journal()
	if err != nil {
		return nil, fmt.Errorf("jujusim: %w", err)
	}
	return j, nil
}

// Calls returns every hook-tool call the unit made, in order.
func (u *Unit) Calls() ([]ToolCall, error) {
	j, err := u.m.journalEntries()
	if err != nil {
		return nil, err
	}
	var out []ToolCall
	for _, e := range j {
		if e.Call != nil && e.Call.Unit == u.name {
			out = append(out, *e.Call)
		}
	}
	return out, nil
}

// Logs returns every juju-log record of the unit, in order.
func (u *Unit) Logs() ([]LogRecord, error) {
	j, err := u.m.journalEntries()
	if err != nil {
		return nil, err
	}
	var out []LogRecord
	for _, e := range j {
		if e.Log != nil && e.Log.Unit == u.name {
			out = append(out, e.Log.LogRecord)
		}
	}
	return out, nil
}

// Status returns the unit's workload status (State "" before any
// status-set; see [Status.StateOrUnknown]).
func (u *Unit) Status() (Status, error) {
	var st Status
	err := u.m.view(func(fm *fakejuju.Model) error {
		if fu := fm.Units[u.name]; fu != nil {
			st = fu.Status
		}
		return nil
	})
	return st, err
}

// StatusHistory returns every status the unit set for itself, in order.
func (u *Unit) StatusHistory() ([]StatusChange, error) {
	j, err := u.m.journalEntries()
	if err != nil {
		return nil, err
	}
	var out []StatusChange
	for _, e := range j {
		if e.Status != nil && e.Status.Unit == u.name && !e.Status.Application {
			out = append(out, *e.Status)
		}
	}
	return out, nil
}

// SetFault makes the named tool fail for this unit from now on, as
// [Fault] describes (Missing removes the tool from the unit's tools
// directory, so running it fails with "not found", as leader-get and
// leader-set on Juju 4). The zero Fault clears the tool's fault.
func (u *Unit) SetFault(tool string, f Fault) error {
	if !fakejuju.Serves(tool) {
		return fmt.Errorf("jujusim: fault on %q: unknown tool", tool)
	}
	if f.ExitCode < 0 || f.ExitCode > 255 {
		return fmt.Errorf("jujusim: fault on %q: exit code %d out of range", tool, f.ExitCode)
	}
	if strings.Contains(f.Message+f.Cause, "\n") {
		return fmt.Errorf("jujusim: fault on %q: message spans lines", tool)
	}
	path := filepath.Join(u.toolsDir(), tool)
	if f.Missing {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("jujusim: fault on %q: %w", tool, err)
		}
	} else if err := u.linkTool(tool); err != nil {
		return fmt.Errorf("jujusim: fault on %q: %w", tool, err)
	}
	err := u.m.update(func(fm *fakejuju.Model) error {
		fu := fm.Units[u.name]
		if !f.Active() {
			delete(fu.Faults, tool)
			return nil
		}
		if fu.Faults == nil {
			fu.Faults = map[string]fakejuju.Fault{}
		}
		fu.Faults[tool] = f
		return nil
	})
	if err != nil {
		return err
	}
	u.m.record(&Event{Kind: KindFault, Unit: u.name, Note: faultNote(tool, f)})
	return nil
}

// ClearFaults undoes every [Unit.SetFault] of the unit.
func (u *Unit) ClearFaults() error {
	for _, t := range ToolNames() {
		if err := u.linkTool(t); err != nil {
			return fmt.Errorf("jujusim: restoring %q: %w", t, err)
		}
	}
	err := u.m.update(func(fm *fakejuju.Model) error {
		fm.Units[u.name].Faults = nil
		return nil
	})
	if err != nil {
		return err
	}
	u.m.record(&Event{Kind: KindFault, Unit: u.name, Note: "all tools healed"})
	return nil
}

func faultNote(tool string, f Fault) string {
	switch {
	case !f.Active():
		return tool + " healed"
	case f.Missing:
		return tool + " removed"
	case f.Cause != "":
		return tool + " fails: " + f.Cause
	}
	code := f.ExitCode
	if code == 0 {
		code = 1
	}
	return fmt.Sprintf("%s fails with exit %d", tool, code)
}

// Leases returns every is-leader True answer (and every leader-elected
// start, which asks the same question), in order.
func (m *Model) Leases() ([]Lease, error) {
	j, err := m.journalEntries()
	if err != nil {
		return nil, err
	}
	var out []Lease
	for _, e := range j {
		if e.Lease != nil {
			out = append(out, *e.Lease)
		}
	}
	return out, nil
}

// CheckLeases verifies Juju's leadership guarantee over the whole run: at
// no simulated moment did two units of one application both hold an
// unexpired guarantee (an
// is-leader True answer less than 30 seconds old). The error matches
// [ErrLeaseOverlap] and names the two answers.
func (m *Model) CheckLeases() error {
	leases, err := m.Leases()
	if err != nil {
		return err
	}
	return checkLeases(leases)
}

// CheckInvariants verifies, over the whole run, the invariants of the fake
// (docs/jujusim.md, "Invariants") and returns every violation joined:
//
//   - no two units of one application held a leadership guarantee at once
//     ([Model.CheckLeases]);
//   - every successful leader-set and relation-set --app came from a unit
//     that led at the time (its context had a True leadership answer);
//   - no unit ran a queued leader-settings-changed while it led, but for
//     the retry of one that failed before the unit was elected;
//   - on each unit and relation, every -relation-joined for a remote unit
//     was followed by -relation-changed for that unit before any other hook
//     of that relation;
//   - no unit ran a relation hook about its own unit, nor about a unit of
//     its own application on a non-peer relation;
//   - -relation-departed came only for a remote unit the unit had joined,
//     and -relation-broken only once it had departed every remote unit;
//   - no secret value appears outside the secrets ([Model.CheckSecretLeaks]).
func (m *Model) CheckInvariants() error {
	errs := []error{m.CheckLeases(), m.CheckSecretLeaks()}
	leases, err := m.Leases()
	if err != nil {
		return err
	}
	led := map[string]bool{}
	for _, l := range leases {
		led[l.Context] = true
	}
	for _, u := range m.allUnits() {
		calls, err := u.Calls()
		if err != nil {
			return err
		}
		for _, c := range calls {
			leaderOnly := c.Tool == "leader-set" || c.Tool == "relation-set" && slices.ContainsFunc(c.Args, func(a string) bool {
				return a == "--app" || a == "--app=true"
			})
			if leaderOnly && c.ExitCode == 0 && !led[c.Context] {
				errs = append(errs, fmt.Errorf("jujusim: %s ran %q without leading", u.name, c.String()))
			}
		}
	}
	type key struct{ unit, rel string }
	joined := map[key][]string{}  // members the unit has joined
	changeDue := map[key]string{} // a -joined whose -changed must come next
	for _, ev := range m.timeline {
		// A retry is the exception: Juju retries a failed hook as it was,
		// and a unit elected meanwhile accepts leadership (leader-elected)
		// only after it, so is-leader already answers true in the retry.
		if ev.Kind == KindHook && ev.Queued && ev.Hook == "leader-settings-changed" && ev.Leader && ev.Skipped == "" && !ev.Retry {
			errs = append(errs, fmt.Errorf("jujusim: %s ran leader-settings-changed while leading (event %d)", ev.Unit, ev.Seq))
		}
		if ev.Kind != KindHook || ev.Relation == "" || ev.Failed() || ev.Skipped != "" {
			continue
		}
		_, event, _ := strings.Cut(ev.Hook, "-relation-")
		k := key{ev.Unit, ev.Relation}
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("jujusim: %s %s (event %d): %s", ev.Unit, ev.Hook, ev.Seq, fmt.Sprintf(format, args...)))
		}
		if x := changeDue[k]; x != "" && !(event == "changed" && ev.RemoteUnit == x) {
			bad("-relation-changed for %s was due after its -relation-joined", x)
		}
		delete(changeDue, k)
		if ev.RemoteUnit == ev.Unit {
			bad("a hook about the unit itself")
		} else if ev.RemoteUnit != "" && ev.RemoteApp != fakejuju.AppOf(ev.Unit) && fakejuju.AppOf(ev.RemoteUnit) == fakejuju.AppOf(ev.Unit) {
			bad("a hook about %s, a unit of its own application, on a non-peer relation", ev.RemoteUnit)
		}
		switch event {
		case "joined":
			joined[k] = append(joined[k], ev.RemoteUnit)
			changeDue[k] = ev.RemoteUnit
		case "departed":
			if !slices.Contains(joined[k], ev.RemoteUnit) {
				bad("departed %s, which it never joined", ev.RemoteUnit)
			}
			joined[k] = slices.DeleteFunc(joined[k], func(s string) bool { return s == ev.RemoteUnit })
		case "broken":
			if len(joined[k]) > 0 {
				bad("broken while %v had not departed", joined[k])
			}
			delete(joined, k)
		}
	}
	return errors.Join(errs...)
}

func checkLeases(leases []Lease) error {
	sorted := append([]Lease(nil), leases...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Time.Before(sorted[j].Time) })
	last := map[string]Lease{}
	for _, l := range sorted {
		for unit, prev := range last {
			if unit != l.Unit && fakejuju.AppOf(unit) == fakejuju.AppOf(l.Unit) && prev.Until().After(l.Time) {
				return fmt.Errorf("%w: %s answered True at %s, guaranteed until %s; %s answered True at %s",
					ErrLeaseOverlap, prev.Unit, prev.Time.Format(time.RFC3339), prev.Until().Format(time.RFC3339),
					l.Unit, l.Time.Format(time.RFC3339))
			}
		}
		last[l.Unit] = l
	}
	return nil
}

// LoseLeaseAfter makes the unit lose leadership after it has answered True
// to n more leadership checks (is-leader, or the check leader-set makes),
// so a test can take leadership away in the middle of a hook: the next
// check answers False, stays False for the rest of that hook, and nobody
// leads until [Model.Elect]. n = 0 loses it at the next check.
func (u *Unit) LoseLeaseAfter(n int) error {
	if n < 0 {
		return fmt.Errorf("jujusim: losing lease on %s: negative count %d", u.name, n)
	}
	if err := u.m.update(func(fm *fakejuju.Model) error {
		fm.Units[u.name].TruesLeft = &n
		return nil
	}); err != nil {
		return err
	}
	u.m.record(&Event{Kind: KindFault, Unit: u.name, Note: fmt.Sprintf("loses its lease after %d more True answers", n)})
	return nil
}

// RestartAgent simulates a restart of the unit's agent: its in-memory
// leader-settings versions are reset, so a unit that is not leader runs
// leader-settings-changed again; the leader runs nothing.
func (u *Unit) RestartAgent() error {
	if u.gone {
		return fmt.Errorf("jujusim: restarting %s: %w", u.name, ErrUnitGone)
	}
	u.localLSV, u.remoteLSV = 0, 1
	u.m.record(&Event{Kind: KindFault, Unit: u.name, Note: "agent restarted"})
	return nil
}

// minSecretLen is the length under which a value is not looked for by
// CheckSecretLeaks: shorter strings would match by chance.
const minSecretLen = 6

// keptSecret is a value the test declared secret, and from which journal
// entry on.
type keptSecret struct {
	value string
	since int
}

// KeepSecret declares values secret from now on, for [Model.CheckSecretLeaks]
// (and so [Model.CheckInvariants]): the journal entries recorded after this
// call and the model's state when the check runs must not hold them.
// Values shorter than 6 bytes are not looked for (they would match by
// chance).
func (m *Model) KeepSecret(values ...string) error {
	j, err := m.journalEntries()
	if err != nil {
		return err
	}
	for _, v := range values {
		m.secrets = append(m.secrets, keptSecret{value: v, since: len(j)})
	}
	return nil
}

// secretValue is one value CheckSecretLeaks looks for: what it is (for
// messages, which never show the value) and from which journal entry on.
type secretValue struct {
	value, what string
	since       int
}

// CheckSecretLeaks verifies that no secret value appears outside the
// fake's secrets. The values are every value of every revision of a secret
// the model still stores, and those declared with [Model.KeepSecret]; they
// are looked for as they are and JSON-escaped, in:
//
//   - the model's state now: every relation bag, every application's
//     leader settings, every unit's server-side state (state-set), and
//     every row (key and raw text) of every unit's .unit-state.db;
//   - the journal, from the first call about the secret on (its secret-add,
//     or a call naming its ID; for a declared value, from the KeepSecret
//     call), so that a value that was plain before it became secret (a
//     charm moving its settings into a secret) counts only from then on:
//     tool-call arguments, stdin, output (secret-get's, which the journal
//     redacts, aside) and errors, juju-log records and status messages.
//
// Values shorter than 6 bytes are not looked for. Each leak is reported
// with where it is and whose value it is (secret ID, revision and key, or
// the KeepSecret value's position), never with the value. The errors are
// joined; nil means no leak.
func (m *Model) CheckSecretLeaks() error {
	journal, err := m.journalEntries()
	if err != nil {
		return err
	}
	var values []secretValue
	type place struct{ where, text string }
	var state []place
	err = m.view(func(fm *fakejuju.Model) error {
		for _, id := range slices.Sorted(maps.Keys(fm.Secrets)) {
			s := fm.Secrets[id]
			since := len(journal)
			for i, e := range journal {
				if c := e.Call; c != nil && (strings.Contains(c.Stdout, id) || slices.ContainsFunc(c.Args, func(a string) bool { return strings.Contains(a, id) })) {
					since = i
					break
				}
			}
			for _, r := range s.Revisions {
				content, err := r.Values()
				if err != nil {
					continue
				}
				for _, k := range slices.Sorted(maps.Keys(content)) {
					values = append(values, secretValue{value: content[k], since: since,
						what: fmt.Sprintf("the value of key %q of revision %d of secret %s", k, r.Revision, id)})
				}
			}
		}
		for _, name := range slices.Sorted(maps.Keys(fm.Apps)) {
			for k, v := range fm.Apps[name].LeaderSettings {
				state = append(state, place{fmt.Sprintf("%s's leader settings (key %q)", name, k), k + "=" + v})
			}
		}
		for _, id := range slices.Sorted(maps.Keys(fm.Relations)) {
			r := fm.Relations[id]
			for _, owner := range slices.Sorted(maps.Keys(r.Bags)) {
				for k, v := range r.Bags[owner].Data {
					state = append(state, place{fmt.Sprintf("relation %d, %s's bag (key %q)", id, owner, k), k + "=" + v})
				}
			}
		}
		for _, name := range slices.Sorted(maps.Keys(fm.Units)) {
			for k, v := range fm.Units[name].State {
				state = append(state, place{fmt.Sprintf("%s's server-side state (key %q)", name, k), k + "=" + v})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, k := range m.secrets {
		values = append(values, secretValue{value: k.value, since: k.since, what: fmt.Sprintf("value %d given to KeepSecret", i+1)})
	}
	values = slices.DeleteFunc(values, func(v secretValue) bool { return len(v.value) < minSecretLen })
	if len(values) == 0 {
		return nil
	}
	for _, u := range m.allUnits() {
		kv, err := u.State()
		if err != nil {
			return err
		}
		for _, k := range slices.Sorted(maps.Keys(kv)) {
			state = append(state, place{fmt.Sprintf("%s's .unit-state.db (row %q)", u.name, k), k + "\x00" + kv[k]})
		}
	}
	var errs []error
	found := func(v secretValue, text string) bool {
		if strings.Contains(text, v.value) {
			return true
		}
		esc, _ := json.Marshal(v.value)
		return strings.Contains(text, string(esc[1:len(esc)-1]))
	}
	for _, v := range values {
		for _, p := range state {
			if found(v, p.text) {
				errs = append(errs, fmt.Errorf("jujusim: %s appears in %s", v.what, p.where))
			}
		}
		for i := v.since; i < len(journal); i++ {
			e := journal[i]
			switch {
			case e.Call != nil:
				c := e.Call
				out := c.Stdout
				if c.Tool == "secret-get" {
					out = ""
				}
				for _, part := range []struct{ name, text string }{
					{"an argument", strings.Join(c.Args, "\x00")}, {"stdin", c.Stdin}, {"output", out}, {"error output", c.Stderr},
				} {
					if found(v, part.text) {
						errs = append(errs, fmt.Errorf("jujusim: %s appears in %s of %s's call %d, %s (%s)", v.what, part.name, c.Unit, i, c.Tool, hookOrNot(c.Hook)))
					}
				}
			case e.Log != nil && found(v, e.Log.Message):
				errs = append(errs, fmt.Errorf("jujusim: %s appears in %s's juju-log record %d (%s)", v.what, e.Log.Unit, i, hookOrNot(e.Log.Hook)))
			case e.Status != nil && found(v, e.Status.Message):
				errs = append(errs, fmt.Errorf("jujusim: %s appears in %s's status message %d", v.what, e.Status.Unit, i))
			}
		}
	}
	return errors.Join(errs...)
}

// hookOrNot names the hook of a journal entry for messages.
func hookOrNot(hook string) string {
	if hook == "" {
		return "not in a hook: an action or juju exec"
	}
	return "hook " + hook
}

// Secret is a secret of the model as the fake's controller keeps it: ID
// without "secret:", owner, label, the revisions still stored (their
// content base64-encoded; [fakejuju.SecretRevision.Values] decodes it),
// the latest revision's number and the units' consumer records.
type Secret = fakejuju.Secret

// Secrets returns the model's secrets, in ID order: a copy, which the
// model does not change.
func (m *Model) Secrets() ([]Secret, error) {
	var out []Secret
	err := m.view(func(fm *fakejuju.Model) error {
		b, err := json.Marshal(fm.Secrets)
		if err != nil {
			return err
		}
		var all map[string]Secret
		if err := json.Unmarshal(b, &all); err != nil {
			return err
		}
		for _, id := range slices.Sorted(maps.Keys(all)) {
			out = append(out, all[id])
		}
		return nil
	})
	return out, err
}
