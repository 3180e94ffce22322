package flags

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Store keys used by the flag set, the same as charms.reactive's.
const (
	FlagPrefix          = "reactive.states."
	SetTriggerPrefix    = "reactive.flag_set_triggers."
	ClearTriggerPrefix  = "reactive.flag_clear_triggers."
	LegacyTriggerPrefix = "reactive.flag_triggers."
	RemovedStateKey     = "reactive.dispatch.removed_state"
)

// MaxTriggerDepth bounds how deeply triggers may fire one another. A pair
// of triggers that keep flipping one flag recurses without end; charms.reactive
// crashes with RecursionError, this package returns [ErrTriggerLoop].
const MaxTriggerDepth = 100

// ErrInvalidFlag is wrapped by the errors of operations given a flag name
// that cannot be stored: empty, not UTF-8, or containing a control character.
var ErrInvalidFlag = errors.New("invalid flag name")

// ErrTriggerLoop is returned when triggers fire each other more than
// [MaxTriggerDepth] levels deep.
var ErrTriggerLoop = errors.New("trigger recursion too deep")

// Trigger sets or clears flags, or calls a function, the moment a flag
// changes: when flag When becomes set, or when flag WhenNot becomes unset.
// Exactly one of When and WhenNot is given, and at least one of SetFlag,
// ClearFlag and Callback.
type Trigger struct {
	When      string
	WhenNot   string
	SetFlag   string
	ClearFlag string
	Callback  func() error
}

// Validate reports what is wrong with t, with charms.reactive's rules.
func (t Trigger) Validate() error {
	switch {
	case t.When == "" && t.WhenNot == "":
		return errors.New("trigger: one of When or WhenNot must be given")
	case t.When != "" && t.WhenNot != "":
		return errors.New("trigger: only one of When or WhenNot may be given")
	case t.SetFlag == "" && t.ClearFlag == "" && t.Callback == nil:
		return errors.New("trigger: at least one of SetFlag, ClearFlag or Callback must be given")
	}
	for _, f := range []string{t.When, t.WhenNot, t.SetFlag, t.ClearFlag} {
		if f != "" {
			if err := ValidateName(f); err != nil {
				return fmt.Errorf("trigger: %w", err)
			}
		}
	}
	return nil
}

type triggerRecord struct {
	SetFlag   []string `json:"set_flag"`
	ClearFlag []string `json:"clear_flag"`
}

// Flags is the set of flags of one transaction, with charms.reactive's
// semantics: set_flag, clear_flag, triggers, and a hook for observers of
// real transitions (the dispatcher's watch and the tracer).
type Flags struct {
	tx        *Tx
	callbacks map[string][]func() error // by trigger store key
	depth     int

	// OnChange, when not nil, is called on every real transition (a set of
	// an unset flag, a clear of a set flag), before the flag's triggers run.
	OnChange func(flag string, set bool)
}

// New returns the flag set of tx.
func New(tx *Tx) *Flags {
	return &Flags{tx: tx, callbacks: map[string][]func() error{}}
}

// Tx returns the transaction the flags live in.
func (f *Flags) Tx() *Tx { return f.tx }

// ValidateName returns an error wrapping [ErrInvalidFlag] for a name that is
// empty, not valid UTF-8, or holds a control character.
func ValidateName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: empty", ErrInvalidFlag)
	}
	if !utf8.ValidString(name) {
		return fmt.Errorf("%w: %q is not valid UTF-8", ErrInvalidFlag, name)
	}
	if strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return fmt.Errorf("%w: %q contains a control character", ErrInvalidFlag, name)
	}
	return nil
}

// IsSet reports whether the flag is set.
func (f *Flags) IsSet(name string) bool { return f.tx.Has(FlagPrefix + name) }

// AllSet reports whether every named flag is set (true for no names).
func (f *Flags) AllSet(names ...string) bool {
	for _, n := range names {
		if !f.IsSet(n) {
			return false
		}
	}
	return true
}

// AnySet reports whether at least one named flag is set (false for no names).
func (f *Flags) AnySet(names ...string) bool {
	for _, n := range names {
		if f.IsSet(n) {
			return true
		}
	}
	return false
}

// List returns the names of every set flag, sorted.
func (f *Flags) List() []string {
	keys := f.tx.Keys(FlagPrefix)
	for i, k := range keys {
		keys[i] = k[len(FlagPrefix):]
	}
	return keys
}

// Unset returns the given names that are not set, sorted and de-duplicated.
func (f *Flags) Unset(names ...string) []string {
	var out []string
	for _, n := range names {
		if !f.IsSet(n) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// Value decodes the value stored with a set flag into dst. It reports false
// when the flag is not set. A flag set without a value holds JSON null.
func (f *Flags) Value(name string, dst any) (bool, error) {
	return f.tx.Get(FlagPrefix+name, dst)
}

// Values returns every set flag with its raw JSON value (get_states).
func (f *Flags) Values() map[string]json.RawMessage {
	return f.tx.Range(FlagPrefix, true)
}

// Set sets the flag with no value (JSON null).
func (f *Flags) Set(name string) error { return f.SetValue(name, nil) }

// SetValue sets the flag and stores value with it. The value is written
// every time; only an unset-to-set transition notifies OnChange and fires
// the flag's When triggers.
func (f *Flags) SetValue(name string, value any) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	was := f.IsSet(name)
	if err := f.tx.Set(FlagPrefix+name, value); err != nil {
		return err
	}
	if was {
		return nil
	}
	return f.transition(name, true, SetTriggerPrefix+name)
}

// Clear clears the flag. Every clear, even of a flag that is not set,
// counts in [Flags.Clears] and is recorded under
// reactive.dispatch.removed_state, as charms.reactive records it, so the
// dispatcher re-tests its queue; only a set-to-unset transition notifies
// OnChange and fires WhenNot triggers.
func (f *Flags) Clear(name string) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	was := f.IsSet(name)
	if err := f.tx.Unset(FlagPrefix + name); err != nil {
		return err
	}
	if err := f.tx.Set(RemovedStateKey, true); err != nil {
		return err
	}
	f.tx.clears++
	if !was {
		return nil
	}
	return f.transition(name, false, ClearTriggerPrefix+name)
}

// Clears returns how many times a flag has been cleared in the transaction,
// by any Flags on it, clears of flags that were not set included. The
// dispatcher compares it before and after each handler: any clear re-tests
// the rest of the batch (docs/design.md, "Re-test after a clear").
func (f *Flags) Clears() int { return f.tx.clears }

// Toggle sets the flag when on is true and clears it otherwise.
func (f *Flags) Toggle(name string, on bool) error {
	if on {
		return f.Set(name)
	}
	return f.Clear(name)
}

func (f *Flags) transition(name string, set bool, triggerKey string) error {
	if f.OnChange != nil {
		f.OnChange(name, set)
	}
	f.depth++
	defer func() { f.depth-- }()
	if f.depth > MaxTriggerDepth {
		return fmt.Errorf("flags: %w: more than %d nested triggers starting at flag %q", ErrTriggerLoop, MaxTriggerDepth, name)
	}
	var rec triggerRecord
	if _, err := f.tx.Get(triggerKey, &rec); err != nil {
		return err
	}
	for _, t := range rec.SetFlag {
		if err := f.Set(t); err != nil {
			return err
		}
	}
	for _, t := range rec.ClearFlag {
		if err := f.Clear(t); err != nil {
			return err
		}
	}
	for _, cb := range f.callbacks[triggerKey] {
		if err := cb(); err != nil {
			return err
		}
	}
	return nil
}

// RegisterTrigger records a trigger. Its flag targets are stored under
// reactive.flag_set_triggers.<flag> or reactive.flag_clear_triggers.<flag>
// (so another process's flag changes fire them too) without duplicates; its
// callback lives in memory for the life of this Flags value.
func (f *Flags) RegisterTrigger(t Trigger) error {
	if err := t.Validate(); err != nil {
		return err
	}
	key := SetTriggerPrefix + t.When
	if t.WhenNot != "" {
		key = ClearTriggerPrefix + t.WhenNot
	}
	var rec triggerRecord
	if _, err := f.tx.Get(key, &rec); err != nil {
		return err
	}
	if rec.SetFlag == nil {
		rec.SetFlag = []string{}
	}
	if rec.ClearFlag == nil {
		rec.ClearFlag = []string{}
	}
	if t.SetFlag != "" && !slices.Contains(rec.SetFlag, t.SetFlag) {
		rec.SetFlag = append(rec.SetFlag, t.SetFlag)
	}
	if t.ClearFlag != "" && !slices.Contains(rec.ClearFlag, t.ClearFlag) {
		rec.ClearFlag = append(rec.ClearFlag, t.ClearFlag)
	}
	if err := f.tx.Set(key, rec); err != nil {
		return err
	}
	if t.Callback != nil {
		f.callbacks[key] = append(f.callbacks[key], t.Callback)
	}
	return nil
}

// ClearTriggers deletes every stored trigger record, current and legacy, and
// forgets the callbacks (charms.reactive's atexit _clear_triggers). It
// fails only on a finished transaction ([ErrTxDone]).
func (f *Flags) ClearTriggers() error {
	for _, p := range []string{SetTriggerPrefix, ClearTriggerPrefix, LegacyTriggerPrefix} {
		for _, k := range f.tx.Keys(p) {
			if err := f.tx.Unset(k); err != nil {
				return err
			}
		}
	}
	f.callbacks = map[string][]func() error{}
	return nil
}
