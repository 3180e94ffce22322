package reactive

import (
	"fmt"
	"slices"

	"github.com/charmkit/charmkit/flags"
)

// evaluator evaluates conditions against one transaction, phase and hook.
// Evaluation has no side effect on the store.
type evaluator struct {
	tx        *flags.Tx
	fl        *flags.Flags
	phase     Phase
	hookName  string
	action    string // the action's name in an action, else ""
	charmDir  string
	md        *Metadata
	mdLoaded  bool
	hookMatch map[*atom]bool
	latch     map[*atom]map[string]*string // file-change condition → digests seen; nil: do not latch
}

// eval evaluates a handler's conditions in the current phase. In tracing
// mode a file-change condition holds only if it already latched.
func (ev *evaluator) eval(name string, c cond, tracing bool) (bool, error) {
	for i := range c {
		a := &c[i]
		ok, err := ev.evalAtom(name, a, tracing)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

func (ev *evaluator) evalAtom(name string, a *atom, tracing bool) (bool, error) {
	switch a.kind {
	case kWhenAll:
		return ev.phase == PhaseOther && ev.fl.AllSet(a.args...), nil
	case kWhenAny:
		return ev.phase == PhaseOther && ev.fl.AnySet(a.args...), nil
	case kWhenNone:
		return ev.phase == PhaseOther && !ev.fl.AnySet(a.args...), nil
	case kWhenNotAll:
		return ev.phase == PhaseOther && !ev.fl.AllSet(a.args...), nil
	case kRestricted:
		return ev.phase == PhaseRestricted && ev.hookName == a.args[0], nil
	case kAction:
		return ev.phase == PhaseHooks && ev.action != "" && slices.Contains(a.args, ev.action), nil
	case kHook:
		if ev.phase != PhaseHooks {
			return false, nil
		}
		if m, ok := ev.hookMatch[a]; ok {
			return m, nil
		}
		md, err := ev.metadata(a.args)
		if err != nil {
			return false, fmt.Errorf("handler %q: %w", name, err)
		}
		m, err := anyHook(ev.hookName, md, a.args...)
		if err != nil {
			return false, fmt.Errorf("handler %q: %s: %w", name, a, err)
		}
		ev.hookMatch[a] = m
		return m, nil
	case kOnlyOnce:
		return !flags.WasInvoked(ev.tx, name), nil
	case kFileChanged:
		if _, ok := ev.latch[a]; ok {
			return true, nil
		}
		if tracing {
			return false, nil
		}
		return ev.filesChanged(name, a)
	}
	return false, fmt.Errorf("handler %q: unknown condition %d", name, a.kind)
}

// filesChanged compares each file's digest with the stored one, and latches
// the handler when one differs.
func (ev *evaluator) filesChanged(name string, a *atom) (bool, error) {
	seen := map[string]*string{}
	changed := false
	for _, p := range a.args {
		d, err := flags.FileDigest(resolvePath(ev.charmDir, p), a.hash)
		if err != nil {
			return false, fmt.Errorf("handler %q: %w", name, err)
		}
		var old *string
		if _, err := ev.tx.Get(flags.FilesChangedPrefix+p, &old); err != nil {
			return false, fmt.Errorf("handler %q: %w", name, err)
		}
		seen[p] = d
		if (old == nil) != (d == nil) || (old != nil && *old != *d) {
			changed = true
		}
	}
	if changed && ev.latch != nil {
		ev.latch[a] = seen
	}
	return changed, nil
}

// metadata returns the charm metadata when the patterns need it.
func (ev *evaluator) metadata(patterns []string) (*Metadata, error) {
	if ev.mdLoaded || !needsMetadata(patterns) {
		return ev.md, nil
	}
	return ev.loadMetadata()
}

// loadMetadata returns the charm metadata, reading it from the charm
// directory the first time. A failed read is not remembered.
func (ev *evaluator) loadMetadata() (*Metadata, error) {
	if ev.mdLoaded {
		return ev.md, nil
	}
	md, err := ReadMetadata(ev.charmDir)
	if err != nil {
		return nil, err
	}
	ev.md, ev.mdLoaded = md, true
	return md, nil
}

// checkOptions is the situation a condition is checked in by check.
type checkOptions struct {
	// Phase is the dispatch phase; "" means the phase recorded in the store
	// under reactive.dispatch.phase.
	Phase Phase
	// Hook is the current hook's name.
	Hook string
	// Action is the running action's name, "" outside an action.
	Action string
	// Handler is the handler name OnlyOnce looks up (reactive.invoked.<name>).
	Handler string
	// CharmDir is the charm directory: relative file paths are read there,
	// and metadata.yaml too when Metadata is nil.
	CharmDir string
	// Metadata gives the relations for {role:interface} hook patterns.
	Metadata *Metadata
}

// check reports whether cond holds against the state in tx, in the given
// phase and hook, as dispatch would test it (without the watch rule; see
// watchAllows). It has no side effect: a file-change condition compares
// digests but records nothing. The charms.reactive CLI's test commands use
// it.
func check(tx *flags.Tx, cond Condition, o checkOptions) (bool, error) {
	if cond == nil {
		return false, fmt.Errorf("reactive: check: nil condition")
	}
	phase := o.Phase
	if phase == "" {
		p, err := currentPhase(tx)
		if err != nil {
			return false, err
		}
		phase = p
	}
	ev := &evaluator{
		tx:        tx,
		fl:        flags.New(tx),
		phase:     phase,
		hookName:  o.Hook,
		action:    o.Action,
		charmDir:  o.CharmDir,
		md:        o.Metadata,
		mdLoaded:  o.Metadata != nil,
		hookMatch: map[*atom]bool{},
	}
	return ev.eval(o.Handler, cond.atomList(), false)
}

// test reports whether the named handler's test holds against tx: the
// watch rule of the FlagWatch record in tx, then its condition with
// check (o.Handler is set to name). It reports an error for an unknown
// handler.
func (r *Registry) test(tx *flags.Tx, name string, o checkOptions) (bool, error) {
	r.mu.Lock()
	h, ok := r.byName[name]
	r.mu.Unlock()
	if !ok {
		return false, fmt.Errorf("reactive: test: no handler named %q", name)
	}
	if len(h.watched) > 0 {
		ok, err := watchAllows(tx, h.watched)
		if err != nil || !ok {
			return false, err
		}
	}
	o.Handler = name
	return check(tx, h.cond, o)
}
