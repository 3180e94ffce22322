package main

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"strings"
	"time"

	"github.com/charmkit/charmkit/internal/jujucmd"
	"github.com/charmkit/charmkit/testing/jujusim/internal/modelfs"
)

// Guarantee is how long an is-leader True answer guarantees leadership.
const guarantee = 30 * time.Second

// ensureLeader is the hook context's leadership check: sticky False once
// answered False, otherwise the app's leader record decides. A True answer
// extends the lease to now+30s and is recorded in leases.jsonl.
func (inv *invocation) ensureLeader() (bool, error) {
	minion := inv.layout.ContextFile(inv.ctx.ID, "minion")
	if modelfs.Exists(minion) {
		return false, nil
	}
	unlock, err := modelfs.Lock(inv.layout.AppLock(inv.ctx.App), true)
	if err != nil {
		return false, err
	}
	defer unlock()
	var l modelfs.Leader
	if _, err := modelfs.ReadJSON(inv.layout.LeaderFile(inv.ctx.App), &l); err != nil {
		return false, err
	}
	if l.Unit != inv.ctx.Unit || !l.Valid {
		return false, os.WriteFile(minion, nil, 0o644)
	}
	lost, err := inv.leaseLost()
	if err != nil {
		return false, err
	}
	if lost {
		l.Valid = false
		if err := modelfs.WriteJSON(inv.layout.LeaderFile(inv.ctx.App), l); err != nil {
			return false, err
		}
		return false, os.WriteFile(minion, nil, 0o644)
	}
	if until := inv.now + int64(guarantee); until > l.Expires {
		l.Expires = until
		if err := modelfs.WriteJSON(inv.layout.LeaderFile(inv.ctx.App), l); err != nil {
			return false, err
		}
	}
	err = modelfs.AppendJSONL(inv.layout.LeasesFile(inv.ctx.App), modelfs.Lease{
		Unit: inv.ctx.Unit, Context: inv.ctx.ID, Time: inv.now, Epoch: l.Epoch,
	})
	return true, err
}

// leaseLost applies a LoseLeaseAfter fault: it counts down the True answers
// the unit may still give and reports true once none is left (the fault is
// then used up). Callers hold the app lock.
func (inv *invocation) leaseLost() (bool, error) {
	path := inv.layout.UnitFile(inv.ctx.Unit, "lease-fault.json")
	var f modelfs.LeaseFault
	ok, err := modelfs.ReadJSON(path, &f)
	if err != nil || !ok {
		return false, err
	}
	if f.TruesLeft > 0 {
		f.TruesLeft--
		return false, modelfs.WriteJSON(path, f)
	}
	return true, os.Remove(path)
}

func isLeader(inv *invocation) error {
	p, err := inv.parse("[options]", jujucmd.FormatOptions("smart")...)
	if p == nil {
		return err
	}
	if len(p.Positional) > 0 {
		return jujucmd.Unrecognized(p.Positional)
	}
	ok, err := inv.ensureLeader()
	if err != nil {
		return fmt.Errorf("leadership status unknown: %v", err)
	}
	return inv.emit(p, ok)
}

// readSettings returns the app's leader settings under a shared app lock.
func (inv *invocation) readSettings() (modelfs.LeaderSettings, error) {
	var s modelfs.LeaderSettings
	unlock, err := modelfs.Lock(inv.layout.AppLock(inv.ctx.App), false)
	if err != nil {
		return s, err
	}
	defer unlock()
	_, err = modelfs.ReadJSON(inv.layout.SettingsFile(inv.ctx.App), &s)
	if s.Data == nil {
		s.Data = map[string]string{}
	}
	return s, err
}

func leaderGet(inv *invocation) error {
	p, err := inv.parse("[options] [<key>]", jujucmd.FormatOptions("smart")...)
	if p == nil {
		return err
	}
	key := "-"
	if len(p.Positional) > 0 {
		key = p.Positional[0]
		if len(p.Positional) > 1 {
			return jujucmd.Unrecognized(p.Positional[1:])
		}
	}
	if strings.Contains(key, "=") {
		return jujucmd.Usagef("invalid key %q", key)
	}
	// The context reads the bucket lazily at its first leader-get and serves
	// that copy until its own successful leader-set.
	snapPath := inv.layout.ContextFile(inv.ctx.ID, "leader-snapshot.json")
	var snap map[string]string
	ok, err := modelfs.ReadJSON(snapPath, &snap)
	if err != nil {
		return fmt.Errorf("cannot read leadership settings: %v", err)
	}
	if !ok {
		s, err := inv.readSettings()
		if err != nil {
			return fmt.Errorf("cannot read leadership settings: %v", err)
		}
		snap = s.Data
		if err := modelfs.WriteJSON(snapPath, snap); err != nil {
			return fmt.Errorf("cannot read leadership settings: %v", err)
		}
	}
	if snap == nil {
		snap = map[string]string{}
	}
	if key == "-" {
		return inv.emit(p, snap)
	}
	if v, ok := snap[key]; ok {
		return inv.emit(p, v)
	}
	return inv.emit(p, nil)
}

// parseKeyValues is juju/utils keyvalues.Parse(args, allowEmptyValues=true).
func parseKeyValues(args []string) (map[string]string, []string, error) {
	out := map[string]string{}
	var order []string
	for _, a := range args {
		if a == "" {
			continue
		}
		k, v, found := strings.Cut(a, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !found || k == "" {
			return nil, nil, jujucmd.Usagef("expected \"key=value\", got %q", a)
		}
		if _, dup := out[k]; dup {
			return nil, nil, jujucmd.Usagef("key %q specified more than once", k)
		}
		out[k] = v
		order = append(order, k)
	}
	return out, order, nil
}

func leaderSet(inv *invocation) error {
	p, err := inv.parse("<key>=<value> [...]")
	if p == nil {
		return err
	}
	kv, _, err := parseKeyValues(p.Positional)
	if err != nil {
		return err
	}
	const prefix = "cannot write leadership settings: cannot write settings: "
	ok, err := inv.ensureLeader()
	if err != nil {
		return errors.New(prefix + err.Error())
	}
	if !ok {
		return errors.New(prefix + "not the leader")
	}
	if len(kv) == 0 {
		return nil
	}
	// The context's snapshot is dropped, so the leader sees its own write.
	if err := os.Remove(inv.layout.ContextFile(inv.ctx.ID, "leader-snapshot.json")); err != nil && !os.IsNotExist(err) {
		return errors.New(prefix + err.Error())
	}
	unlock, err := modelfs.Lock(inv.layout.AppLock(inv.ctx.App), true)
	if err != nil {
		return errors.New(prefix + err.Error())
	}
	defer unlock()
	var l modelfs.Leader
	if _, err := modelfs.ReadJSON(inv.layout.LeaderFile(inv.ctx.App), &l); err != nil {
		return errors.New(prefix + err.Error())
	}
	if l.Unit != inv.ctx.Unit || !l.Valid {
		return fmt.Errorf("%sfailed to merge leadership settings: prerequisites failed: %q is not leader of %q",
			prefix, inv.ctx.Unit, inv.ctx.App)
	}
	var s modelfs.LeaderSettings
	if _, err := modelfs.ReadJSON(inv.layout.SettingsFile(inv.ctx.App), &s); err != nil {
		return errors.New(prefix + err.Error())
	}
	next := maps.Clone(s.Data)
	if next == nil {
		next = map[string]string{}
	}
	for k, v := range kv {
		if v == "" {
			delete(next, k)
		} else {
			next[k] = v
		}
	}
	if maps.Equal(next, s.Data) || len(next) == 0 && len(s.Data) == 0 {
		return nil // a null change writes nothing and fires nothing
	}
	s.Data = next
	s.Changes++
	if err := modelfs.WriteJSON(inv.layout.SettingsFile(inv.ctx.App), s); err != nil {
		return errors.New(prefix + err.Error())
	}
	return nil
}
