package reactive

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/internal/hookpattern"
)

// Phase is a dispatch phase, as stored under reactive.dispatch.phase.
type Phase string

// The dispatch phases, with charms.reactive's names.
const (
	// PhaseHooks is the first phase of a normal hook: only hook-name,
	// file-change and only-once conditions can hold.
	PhaseHooks Phase = "hooks"
	// PhaseOther is the main loop, where the When* conditions hold.
	PhaseOther Phase = "other"
	// PhaseRestricted is the single phase of collect-metrics and
	// meter-status-changed hooks.
	PhaseRestricted Phase = "restricted"
)

// Store keys of the dispatcher's own bookkeeping, the same as charms.reactive's.
const (
	phaseKey      = "reactive.dispatch.phase"
	stateWatchKey = "reactive.state_watch"
)

// The restricted hooks: only their restricted batch runs, with no start or
// exit callbacks (docs/design.md, "Restricted hooks").
const (
	HookCollectMetrics     = "collect-metrics"
	HookMeterStatusChanged = "meter-status-changed"
)

// Condition is a handler's predicate. Conditions print themselves (String)
// for traces, errors and the handler listing. Build them with [When],
// [WhenAny], [WhenNot], [WhenNotAll], [OnHook], [WhenFileChanged],
// [OnlyOnce], [CollectMetrics], [MeterStatusChanged] and combine them with
// [All].
type Condition interface {
	String() string
	atomList() []atom
}

// actionNameRE is Juju's rule for action names.
var actionNameRE = regexp.MustCompile(`^[a-z](?:[a-z0-9-]*[a-z0-9])?$`)

type atomKind int

const (
	kWhenAll atomKind = iota
	kWhenAny
	kWhenNone
	kWhenNotAll
	kHook
	kFileChanged
	kOnlyOnce
	kRestricted
	kAction
)

var atomNames = [...]string{
	kWhenAll:     "WhenAll",
	kWhenAny:     "WhenAny",
	kWhenNone:    "WhenNone",
	kWhenNotAll:  "WhenNotAll",
	kHook:        "OnHook",
	kFileChanged: "WhenFileChanged",
	kOnlyOnce:    "OnlyOnce",
	kRestricted:  "Restricted",
	kAction:      "OnAction",
}

// atom is one predicate: a kind and its arguments (flags, hook patterns,
// paths, or the restricted hook's name).
type atom struct {
	kind atomKind
	args []string
	hash string // WhenFileChangedHash's hash type
}

func (a atom) String() string {
	switch a.kind {
	case kOnlyOnce:
		return "OnlyOnce()"
	case kRestricted:
		if len(a.args) == 1 && a.args[0] == HookCollectMetrics {
			return "CollectMetrics()"
		}
		return "MeterStatusChanged()"
	case kFileChanged:
		if a.hash != "" {
			return "WhenFileChangedHash(" + strconv.Quote(a.hash) + ", " + quoteAll(a.args) + ")"
		}
	}
	return atomNames[a.kind] + "(" + quoteAll(a.args) + ")"
}

func quoteAll(args []string) string {
	q := make([]string, len(args))
	for i, s := range args {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

// phases reports the phases in which a can be true.
func (a atom) phases() phaseSet {
	switch a.kind {
	case kWhenAll, kWhenAny, kWhenNone, kWhenNotAll:
		return inOther
	case kHook, kAction:
		return inHooks
	case kRestricted:
		return inRestricted
	default:
		return inHooks | inOther | inRestricted
	}
}

func (a atom) watched() []string {
	switch a.kind {
	case kWhenAll, kWhenAny, kWhenNone, kWhenNotAll:
		return a.args
	}
	return nil
}

type phaseSet uint8

const (
	inHooks phaseSet = 1 << iota
	inOther
	inRestricted
)

func (s phaseSet) has(p Phase) bool {
	switch p {
	case PhaseHooks:
		return s&inHooks != 0
	case PhaseOther:
		return s&inOther != 0
	case PhaseRestricted:
		return s&inRestricted != 0
	}
	return false
}

// cond is the one implementation of Condition: atoms ANDed in order.
type cond []atom

func (c cond) atomList() []atom { return c }

func (c cond) String() string {
	if len(c) == 1 {
		return c[0].String()
	}
	parts := make([]string, len(c))
	for i, a := range c {
		parts[i] = a.String()
	}
	return "All(" + strings.Join(parts, ", ") + ")"
}

func one(k atomKind, args []string) Condition {
	return cond{{kind: k, args: slices.Clone(args)}}
}

// When holds in the main loop when every flag is set; it is the same as
// [WhenAll]. With no flags it holds in every iteration of the main loop.
func When(flags ...string) Condition { return WhenAll(flags...) }

// WhenAll holds in the main loop when every flag is set.
func WhenAll(flags ...string) Condition { return one(kWhenAll, flags) }

// WhenAny holds in the main loop when at least one flag is set.
func WhenAny(flags ...string) Condition { return one(kWhenAny, flags) }

// WhenNot holds in the main loop when no flag is set; it is the same as
// [WhenNone].
func WhenNot(flags ...string) Condition { return WhenNone(flags...) }

// WhenNone holds in the main loop when no flag is set.
func WhenNone(flags ...string) Condition { return one(kWhenNone, flags) }

// WhenNotAll holds in the main loop when at least one flag is not set.
func WhenNotAll(flags ...string) Condition { return one(kWhenNotAll, flags) }

// OnHook holds in the hooks phase when the current hook matches one of the
// patterns (charms.reactive's @hook; the name Hook is the hook context
// type). A pattern may hold alternative groups {a,b} and relation groups
// {role:interface}, which expand to the relation names that the charm's
// metadata lists under role (provides, requires or peers) with that
// interface (docs/design.md, "Hook patterns").
func OnHook(patterns ...string) Condition { return one(kHook, patterns) }

// OnAction holds in the hooks phase of an action (`juju run <unit>
// <action>`) named one of names. An action runs the charm like a hook
// whose name is empty: the start callbacks (the leadership layer's flags,
// ...), then the hooks phase, where only OnAction handlers can hold, then
// every handler whose flags hold, as in any hook, then the exit callbacks.
// The handler reads the action's parameters and reports its results with
// the action tools (h.Tools().ActionGet, ActionSet, ActionFail); returning
// an error fails the action and rolls its store changes back. An action
// no OnAction handler names fails with an error saying so.
func OnAction(names ...string) Condition { return one(kAction, names) }

// WhenFileChanged holds, in any phase, when one of the files' MD5 digest
// differs from the one recorded under reactive.files_changed.<path> (a file
// that appears or disappears counts as changed). Testing it has no side
// effect, and once it has held for a handler it keeps holding until that
// handler has run; the digests it saw are recorded only then
// (docs/design.md, "Decision 15").
// Relative paths are read relative to the charm directory.
func WhenFileChanged(paths ...string) Condition { return one(kFileChanged, paths) }

// WhenFileChangedHash is [WhenFileChanged] with another hash than MD5, named
// as Python's hashlib names it ("sha256", "sha1", ...).
func WhenFileChangedHash(hashType string, paths ...string) Condition {
	return cond{{kind: kFileChanged, args: slices.Clone(paths), hash: hashType}}
}

// OnlyOnce holds, in any phase, until the handler has run once; the run is
// recorded under reactive.invoked.<handler name>.
func OnlyOnce() Condition { return cond{{kind: kOnlyOnce}} }

// CollectMetrics holds in the restricted phase of a collect-metrics hook.
func CollectMetrics() Condition {
	return cond{{kind: kRestricted, args: []string{HookCollectMetrics}}}
}

// MeterStatusChanged holds in the restricted phase of a
// meter-status-changed hook.
func MeterStatusChanged() Condition {
	return cond{{kind: kRestricted, args: []string{HookMeterStatusChanged}}}
}

// All holds when every condition holds. They are tested in the given order.
// A nil condition makes the registration that uses it panic.
func All(conds ...Condition) Condition {
	var out cond
	for _, c := range conds {
		if c == nil {
			out = append(out, atom{kind: -1})
			continue
		}
		out = append(out, c.atomList()...)
	}
	return out
}

// validate reports why a condition is misuse: a bad flag name, an empty
// argument list that can never hold, or a combination that can never fire.
func validate(c Condition) error {
	atoms := c.atomList()
	if len(atoms) == 0 {
		return errors.New("empty condition")
	}
	ph := inHooks | inOther | inRestricted
	hasHook, hasAction := false, false
	mustSet := map[string]bool{}
	mustUnset := map[string]bool{}
	restrictedHook := ""
	for _, a := range atoms {
		if a.kind < 0 {
			return errors.New("nil condition inside All")
		}
		switch a.kind {
		case kWhenAll, kWhenAny, kWhenNone, kWhenNotAll:
			for _, f := range a.args {
				if err := flags.ValidateName(f); err != nil {
					return fmt.Errorf("%s: %w", a, err)
				}
			}
			if len(a.args) == 0 && (a.kind == kWhenAny || a.kind == kWhenNotAll) {
				return fmt.Errorf("%s with no flags can never hold", a)
			}
			switch a.kind {
			case kWhenAll:
				for _, f := range a.args {
					mustSet[f] = true
				}
			case kWhenNone:
				for _, f := range a.args {
					mustUnset[f] = true
				}
			}
		case kAction:
			if len(a.args) == 0 {
				return errors.New("OnAction() with no action names can never hold")
			}
			for _, n := range a.args {
				if !actionNameRE.MatchString(n) {
					return fmt.Errorf("OnAction: %q is not an action name (lowercase letters, digits and hyphens, starting with a letter)", n)
				}
			}
		case kHook:
			if len(a.args) == 0 {
				return errors.New("OnHook() with no patterns can never hold")
			}
			for _, p := range a.args {
				if p == "" {
					return errors.New("OnHook: empty pattern")
				}
			}
		case kFileChanged:
			if len(a.args) == 0 {
				return errors.New("WhenFileChanged() with no paths can never hold")
			}
			for _, p := range a.args {
				if p == "" {
					return errors.New("WhenFileChanged: empty path")
				}
			}
			if a.hash != "" {
				if _, err := flags.DataDigest(nil, a.hash); err != nil {
					return fmt.Errorf("%s: %w", a, err)
				}
			}
		case kRestricted:
			if restrictedHook != "" && restrictedHook != a.args[0] {
				return fmt.Errorf("%s: CollectMetrics and MeterStatusChanged can never hold together", c)
			}
			restrictedHook = a.args[0]
		}
		ph &= a.phases()
		hasHook = hasHook || a.kind == kHook
		hasAction = hasAction || a.kind == kAction
	}
	if hasHook && hasAction {
		return fmt.Errorf("%s can never hold: an action runs with no hook name, so OnHook never holds in one", c)
	}
	if ph == 0 {
		return fmt.Errorf("%s can never hold: its conditions belong to different dispatch phases", c)
	}
	for f := range mustSet {
		if mustUnset[f] {
			return fmt.Errorf("%s can never hold: flag %q must be both set and unset", c, f)
		}
	}
	for _, a := range atoms {
		if a.kind != kHook {
			continue
		}
		for _, p := range a.args {
			if why := hookpattern.Impossible(p); why != "" {
				return fmt.Errorf("OnHook(%q) can never hold: %s", p, why)
			}
		}
	}
	return nil
}

// resolvePath makes a relative path relative to the charm directory.
func resolvePath(charmDir, p string) string {
	if charmDir == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(charmDir, p)
}
