package jujusim

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the unit's .unit-state.db

	"github.com/charmkit/charmkit/testing/jujusim/internal/modelfs"
)

const flagPrefix = "reactive.states."

// State returns the key/value pairs of the unit's .unit-state.db (table kv,
// as charm-helpers writes it), values as their JSON text. A unit whose
// charm has not created the store has an empty state.
func (u *Unit) State() (map[string]string, error) {
	path := filepath.Join(u.CharmDir(), ".unit-state.db")
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
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

// Calls returns every hook-tool call the unit made, in order.
func (u *Unit) Calls() ([]ToolCall, error) { return u.readCalls("") }

func (u *Unit) readCalls(ctxID string) ([]ToolCall, error) {
	var out []ToolCall
	err := modelfs.ReadJSONL(u.m.layout.UnitFile(u.name, "calls.jsonl"), func(b []byte) error {
		var c modelfs.Call
		if err := json.Unmarshal(b, &c); err != nil {
			return err
		}
		if ctxID == "" || c.Context == ctxID {
			out = append(out, ToolCall{Tool: c.Tool, Args: c.Args, Stdin: c.Stdin, Exit: c.Exit,
				Stdout: c.Stdout, Stderr: c.Stderr, Hook: c.Hook, Context: c.Context,
				Time: time.Unix(0, c.SimTime).UTC()})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("jujusim: reading %s calls: %w", u.name, err)
	}
	return out, nil
}

// Logs returns every juju-log record of the unit, in order.
func (u *Unit) Logs() ([]LogRecord, error) { return u.readLogs("") }

func (u *Unit) readLogs(ctxID string) ([]LogRecord, error) {
	var out []LogRecord
	err := modelfs.ReadJSONL(u.m.layout.UnitFile(u.name, "log.jsonl"), func(b []byte) error {
		var r modelfs.LogRecord
		if err := json.Unmarshal(b, &r); err != nil {
			return err
		}
		if ctxID == "" || r.Context == ctxID {
			out = append(out, LogRecord{Level: r.Level, Message: r.Message, Time: time.Unix(0, r.SimTime).UTC()})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("jujusim: reading %s log: %w", u.name, err)
	}
	return out, nil
}

// Status returns the unit's workload status ("unknown" before any
// status-set).
func (u *Unit) Status() (Status, error) {
	st := modelfs.Status{Status: "unknown"}
	if _, err := modelfs.ReadJSON(u.m.layout.UnitFile(u.name, "status.json"), &st); err != nil {
		return Status{}, fmt.Errorf("jujusim: reading %s status: %w", u.name, err)
	}
	return Status{Status: st.Status, Message: st.Message, Time: time.Unix(0, st.Time).UTC()}, nil
}

// StatusHistory returns every status the unit set, in order.
func (u *Unit) StatusHistory() ([]Status, error) {
	var out []Status
	err := modelfs.ReadJSONL(u.m.layout.UnitFile(u.name, "status-history.jsonl"), func(b []byte) error {
		var st modelfs.Status
		if err := json.Unmarshal(b, &st); err != nil {
			return err
		}
		out = append(out, Status{Status: st.Status, Message: st.Message, Time: time.Unix(0, st.Time).UTC()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("jujusim: reading %s status history: %w", u.name, err)
	}
	return out, nil
}

// FailTool makes the named tool fail for this unit from now on: it prints
// stderr (a newline is added if missing) and exits with code, doing
// nothing else. For example FailTool("is-leader", 1, "ERROR leadership
// status unknown: boom").
func (u *Unit) FailTool(tool string, code int, stderr string) error {
	if !isTool(tool) {
		return fmt.Errorf("jujusim: failing tool %q: unknown tool", tool)
	}
	if code == 0 {
		return fmt.Errorf("jujusim: failing tool %q: exit code must not be 0", tool)
	}
	return u.updateFaults(func(f map[string]modelfs.Fault) { f[tool] = modelfs.Fault{Code: code, Stderr: stderr} },
		fmt.Sprintf("%s fails with exit %d", tool, code))
}

// FailToolWith makes the named tool fail for this unit from now on as
// Juju's does when its call to the controller fails with cause: exit 1 and
// the tool's own annotation, e.g. FailToolWith("is-leader", "connection is
// shut down") prints "ERROR leadership status unknown: connection is shut
// down", and for leader-set "ERROR cannot write leadership settings: cannot
// write settings: failed to merge leadership settings: <cause>".
func (u *Unit) FailToolWith(tool, cause string) error {
	if !isTool(tool) {
		return fmt.Errorf("jujusim: failing tool %q: unknown tool", tool)
	}
	if cause == "" {
		return fmt.Errorf("jujusim: failing tool %q: empty cause", tool)
	}
	return u.updateFaults(func(f map[string]modelfs.Fault) { f[tool] = modelfs.Fault{Cause: cause} },
		fmt.Sprintf("%s fails: %s", tool, cause))
}

// HealTool undoes [Unit.FailTool] for the named tool, or for every tool
// when tool is "".
func (u *Unit) HealTool(tool string) error {
	note := "all tools healed"
	if tool != "" {
		note = tool + " healed"
	}
	return u.updateFaults(func(f map[string]modelfs.Fault) {
		if tool == "" {
			clear(f)
		}
		delete(f, tool)
	}, note)
}

func (u *Unit) updateFaults(change func(map[string]modelfs.Fault), note string) error {
	unlock, err := modelfs.Lock(u.m.layout.UnitLock(u.name), true)
	if err != nil {
		return fmt.Errorf("jujusim: %w", err)
	}
	defer unlock()
	path := u.m.layout.UnitFile(u.name, "faults.json")
	f := map[string]modelfs.Fault{}
	if _, err := modelfs.ReadJSON(path, &f); err != nil {
		return fmt.Errorf("jujusim: %w", err)
	}
	if f == nil {
		f = map[string]modelfs.Fault{}
	}
	change(f)
	if err := modelfs.WriteJSON(path, f); err != nil {
		return fmt.Errorf("jujusim: %w", err)
	}
	u.m.record(&Event{Kind: KindFault, Unit: u.name, Note: note})
	return nil
}

// RemoveTool deletes the named tool from the unit's tools directory, so
// running it fails with "not found" (as leader-get and leader-set on Juju 4).
func (u *Unit) RemoveTool(tool string) error {
	if !isTool(tool) {
		return fmt.Errorf("jujusim: removing tool %q: unknown tool", tool)
	}
	err := os.Remove(filepath.Join(u.m.layout.ToolsDir(u.name), tool))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("jujusim: removing tool %q: %w", tool, err)
	}
	u.m.record(&Event{Kind: KindFault, Unit: u.name, Note: tool + " removed"})
	return nil
}

// RestoreTool puts back a tool removed with [Unit.RemoveTool].
func (u *Unit) RestoreTool(tool string) error {
	if !isTool(tool) {
		return fmt.Errorf("jujusim: restoring tool %q: unknown tool", tool)
	}
	path := filepath.Join(u.m.layout.ToolsDir(u.name), tool)
	if _, err := os.Lstat(path); err == nil {
		return nil
	}
	if err := os.Symlink(u.m.tool, path); err != nil {
		return fmt.Errorf("jujusim: restoring tool %q: %w", tool, err)
	}
	u.m.record(&Event{Kind: KindFault, Unit: u.name, Note: tool + " restored"})
	return nil
}

func isTool(name string) bool {
	for _, t := range toolNames {
		if t == name {
			return true
		}
	}
	return false
}

// Leases returns every is-leader True answer (and every leader-elected
// start, which asks the same question), in order.
func (m *Model) Leases() ([]Lease, error) {
	var out []Lease
	err := modelfs.ReadJSONL(m.layout.LeasesFile(m.app), func(b []byte) error {
		var l modelfs.Lease
		if err := json.Unmarshal(b, &l); err != nil {
			return err
		}
		out = append(out, Lease{Unit: l.Unit, Context: l.Context, Time: time.Unix(0, l.Time).UTC()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("jujusim: reading leases: %w", err)
	}
	return out, nil
}

// CheckLeases verifies Juju's leadership guarantee over the whole run: at
// no simulated moment did two units both hold an unexpired guarantee (an
// is-leader True answer less than 30 seconds old). The error matches
// [ErrLeaseOverlap] and names the two answers.
func (m *Model) CheckLeases() error {
	leases, err := m.Leases()
	if err != nil {
		return err
	}
	return checkLeases(leases)
}

// CheckInvariants verifies, over the whole run, the leadership invariants
// of spec/hook-tools.md §7.5 and returns every violation joined: no two
// units held a guarantee at once ([Model.CheckLeases]); every successful
// leader-set came from the unit that led at the time (its context had a
// True leadership answer); and no unit ran a queued leader-settings-changed
// while it led.
func (m *Model) CheckInvariants() error {
	errs := []error{m.CheckLeases()}
	leases, err := m.Leases()
	if err != nil {
		return err
	}
	led := map[string]bool{}
	for _, l := range leases {
		led[l.Context] = true
	}
	for _, u := range m.units {
		calls, err := u.Calls()
		if err != nil {
			return err
		}
		for _, c := range calls {
			if c.Tool == "leader-set" && c.Exit == 0 && !led[c.Context] {
				errs = append(errs, fmt.Errorf("jujusim: %s ran %q without leading", u.name, c.String()))
			}
		}
	}
	for _, ev := range m.timeline {
		if ev.Kind == KindHook && ev.Queued && ev.Hook == "leader-settings-changed" && ev.Leader && ev.Skipped == "" {
			errs = append(errs, fmt.Errorf("jujusim: %s ran leader-settings-changed while leading (event %d)", ev.Unit, ev.Seq))
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
			if unit != l.Unit && prev.Until().After(l.Time) {
				return fmt.Errorf("%w: %s answered True at %s, guaranteed until %s; %s answered True at %s",
					ErrLeaseOverlap, prev.Unit, prev.Time.Format(time.RFC3339), prev.Until().Format(time.RFC3339),
					l.Unit, l.Time.Format(time.RFC3339))
			}
		}
		last[l.Unit] = l
	}
	return nil
}

// RelationData returns a peer relation's data bag of a unit or of the
// application, as committed (relation-set writes of successful hooks only).
func (m *Model) RelationData(endpoint, owner string) (map[string]string, error) {
	for _, p := range m.peers {
		if p.endpoint == endpoint {
			bag := map[string]string{}
			if _, err := modelfs.ReadJSON(m.layout.RelationBag(p.id, owner), &bag); err != nil {
				return nil, fmt.Errorf("jujusim: reading relation data: %w", err)
			}
			if bag == nil {
				bag = map[string]string{}
			}
			return bag, nil
		}
	}
	return nil, fmt.Errorf("jujusim: reading relation data: no peer relation %q", endpoint)
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
	unlock, err := modelfs.Lock(u.m.layout.AppLock(u.m.app), true)
	if err != nil {
		return fmt.Errorf("jujusim: %w", err)
	}
	defer unlock()
	if err := modelfs.WriteJSON(u.m.layout.UnitFile(u.name, "lease-fault.json"), modelfs.LeaseFault{TruesLeft: n}); err != nil {
		return fmt.Errorf("jujusim: losing lease on %s: %w", u.name, err)
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
