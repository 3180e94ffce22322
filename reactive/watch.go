package reactive

import (
	"fmt"

	"github.com/charmkit/charmkit/flags"
)

// watchRecord is charms.reactive's FlagWatch record, stored under
// reactive.state_watch.
type watchRecord struct {
	Iteration int      `json:"iteration"`
	Changes   []string `json:"changes"`
	Pending   []string `json:"pending"`
}

// flagWatch decides when a handler may run again within one dispatch
// (docs/design.md, "FlagWatch"). It keeps the record in memory and writes it to
// the transaction when flushed: at the start of every main-loop iteration, when
// dispatch ends (so the commit stores what upstream's store holds) and whenever
// a handler asks for [Hook.KV].
type flagWatch struct {
	tx      *flags.Tx
	rec     watchRecord
	changed map[string]bool // the flags in rec.Changes
	dirty   bool            // rec differs from the stored record
	err     error           // first error writing the record
}

func newWatch(tx *flags.Tx) (*flagWatch, error) {
	w := &flagWatch{tx: tx}
	if _, err := tx.Get(stateWatchKey, &w.rec); err != nil {
		return nil, fmt.Errorf("reading the flag watch: %w", err)
	}
	w.index()
	return w, nil
}

// loadWatch is newWatch for the dispatcher: a record it cannot decode is
// treated as absent (dispatch deletes it anyway), so a damaged record of
// the framework's own bookkeeping cannot fail every later hook.
func loadWatch(tx *flags.Tx) *flagWatch {
	w, err := newWatch(tx)
	if err != nil {
		return &flagWatch{tx: tx, changed: map[string]bool{}}
	}
	return w
}

func (w *flagWatch) index() {
	w.changed = make(map[string]bool, len(w.rec.Changes))
	for _, f := range w.rec.Changes {
		w.changed[f] = true
	}
}

func (w *flagWatch) save() { w.dirty = true }

// flush writes the record to the transaction if it changed.
func (w *flagWatch) flush() {
	if !w.dirty {
		return
	}
	w.dirty = false
	if w.rec.Changes == nil {
		w.rec.Changes = []string{}
	}
	if w.rec.Pending == nil {
		w.rec.Pending = []string{}
	}
	if err := w.tx.Set(stateWatchKey, w.rec); err != nil && w.err == nil {
		w.err = fmt.Errorf("writing the flag watch: %w", err)
	}
}

// reset deletes the record; the iteration is 0 again.
func (w *flagWatch) reset() {
	if err := w.tx.Unset(stateWatchKey); err != nil && w.err == nil {
		w.err = fmt.Errorf("deleting the flag watch: %w", err)
	}
	w.dirty = false
	w.rec = watchRecord{}
	w.changed = map[string]bool{}
}

// change records a real transition of flag f as pending.
func (w *flagWatch) change(f string) {
	w.rec.Pending = append(w.rec.Pending, f)
	w.save()
}

// commit makes the pending changes the ones the next iteration watches.
func (w *flagWatch) commit() {
	w.rec.Changes = w.rec.Pending
	w.rec.Pending = []string{}
	w.index()
	w.save()
}

// setIteration stores the iteration number, and writes the record: the
// iteration and the committed changes, which decide the watch rule for
// anyone reading the store (the command line), are then current in the
// transaction until the next iteration; only the pending list lags.
func (w *flagWatch) setIteration(i int) {
	w.rec.Iteration = i
	w.save()
	w.flush()
}

// watch reports whether a handler watching these flags may be tested: in
// iteration 0 always, later only when one of them changed in the previous
// iteration.
func (w *flagWatch) watch(watched []string) bool {
	if w.rec.Iteration == 0 {
		return true
	}
	for _, f := range watched {
		if w.changed[f] {
			return true
		}
	}
	return false
}

// watchAllows reports whether the FlagWatch record in tx lets a handler watching
// these flags be tested now (docs/design.md, "FlagWatch"): true in iteration 0,
// and otherwise when one of the flags changed in the previous iteration. The
// charms.reactive CLI's test command uses this rule.
func watchAllows(tx *flags.Tx, watched []string) (bool, error) {
	w, err := newWatch(tx)
	if err != nil {
		return false, err
	}
	return w.watch(watched), nil
}

// currentPhase returns the phase recorded under reactive.dispatch.phase, or
// "" when there is none.
func currentPhase(tx *flags.Tx) (Phase, error) {
	var p string
	if _, err := tx.Get(phaseKey, &p); err != nil {
		return "", fmt.Errorf("reading the dispatch phase: %w", err)
	}
	return Phase(p), nil
}
