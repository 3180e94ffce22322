package reactive

import (
	"context"
	"fmt"
	"log/slog"
	"slices"

	"github.com/charmkit/charmkit/flags"
)

// setPhase records the phase in memory and under reactive.dispatch.phase.
func (ru *run) setPhase(p Phase) error {
	ru.phase = p
	if err := ru.tx.Set(phaseKey, string(p)); err != nil {
		return fmt.Errorf("writing the dispatch phase: %w", err)
	}
	return nil
}

// dispatch is charms.reactive's dispatch (docs/design.md, "The algorithm"),
// indexed: in iteration i ≥ 1 only the handlers watching a flag changed in
// iteration i-1, and those watching no flag, are tested. The batches, their
// order and the invocations are those of the reference algorithm.
func (ru *run) dispatch(ctx context.Context) error {
	ru.watch.reset()
	ru.tracer.startDispatch(ru.fl.List())
	if ru.result.Restricted {
		if err := ru.setPhase(PhaseRestricted); err != nil {
			return err
		}
		return ru.phaseBatch(ctx, PhaseRestricted)
	}
	if err := ru.setPhase(PhaseHooks); err != nil {
		return err
	}
	if err := ru.phaseBatch(ctx, PhaseHooks); err != nil {
		return err
	}
	if err := ru.setPhase(PhaseOther); err != nil {
		return err
	}
	emptied := false
	for i := 0; i < ru.maxIter; i++ {
		ru.watch.setIteration(i)
		cands := ru.snap.index.all[phaseNo(PhaseOther)]
		if i > 0 {
			cands = ru.candidates()
		}
		batch, err := ru.testAll(ctx, cands)
		if err != nil {
			return err
		}
		if i == 0 {
			ru.tracer.startPhase(PhaseOther, ru.traceNames(batch))
		}
		ru.tracer.startIteration(i, ru.traceNames(batch))
		if len(batch) == 0 {
			emptied = true
			break
		}
		ru.result.Iterations++
		if err := ru.runBatch(ctx, batch); err != nil {
			return err
		}
	}
	if !emptied {
		ru.result.CapReached = true
		logAt(ru.logger, slog.LevelWarn, capWarning(ru.maxIter))
	}
	ru.watch.reset()
	return nil
}

// phaseBatch tests every handler that can hold in the phase and runs the
// batch (the hooks and restricted phases).
func (ru *run) phaseBatch(ctx context.Context, p Phase) error {
	batch, err := ru.testAll(ctx, ru.snap.index.all[phaseNo(p)])
	if err != nil {
		return err
	}
	ru.tracer.startPhase(p, ru.traceNames(batch))
	return ru.runBatch(ctx, batch)
}

// candidates is a set of handler indexes, cleared in constant time: a
// handler is in the set when its mark is the current generation.
type candidates struct {
	mark []uint32
	gen  uint32
}

// reset empties the set.
func (c *candidates) reset() {
	c.gen++
	if c.gen == 0 {
		clear(c.mark)
		c.gen = 1
	}
}

// add reports whether i was not in the set, and adds it.
func (c *candidates) add(i int) bool {
	if c.mark[i] == c.gen {
		return false
	}
	c.mark[i] = c.gen
	return true
}

// candidates returns, in registration order, the main-loop handlers that
// the watch lets through: those watching a flag in the committed changes,
// and those watching none.
func (ru *run) candidates() []int {
	ru.cands.reset()
	var out []int
	ix := ru.snap.index
	for _, i := range ix.unwatched[phaseNo(PhaseOther)] {
		if ru.cands.add(i) {
			out = append(out, i)
		}
	}
	for _, f := range ru.watch.rec.Changes {
		for _, i := range ix.watchers[f] {
			if ru.snap.handlers[i].base().phases.has(PhaseOther) && ru.cands.add(i) {
				out = append(out, i)
			}
		}
	}
	slices.Sort(out)
	return out
}

// traceNames returns the handlers' names for the tracer (nil when tracing
// is off, so an untraced hook does not build them).
func (ru *run) traceNames(hs []handler) []string {
	if _, off := ru.tracer.(nullTracer); off {
		return nil
	}
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.base().name
	}
	return out
}

// testAll returns the handlers, among the given indexes, whose test holds.
func (ru *run) testAll(ctx context.Context, idx []int) ([]handler, error) {
	var out []handler
	for _, i := range idx {
		h := ru.snap.handlers[i]
		ok, err := h.test(ctx, ru)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, h)
		}
	}
	return out, nil
}

// runBatch runs a batch: after each handler, if any flag was cleared (by
// the handler, a trigger or a child's charms.reactive command), the rest of
// the batch is re-tested (handlers are only removed); then the watch
// commits the changes of this batch.
func (ru *run) runBatch(ctx context.Context, batch []handler) error {
	for len(batch) > 0 {
		// The store keeps upstream's record of the pass (false, then true
		// after a clear); the dispatcher itself counts the clears.
		if err := ru.tx.SetRaw(flags.RemovedStateKey, "false"); err != nil {
			return err
		}
		clears := ru.fl.Clears()
		var next []handler
		for j, h := range batch {
			if err := ru.invoke(ctx, h); err != nil {
				return err
			}
			if ru.fl.Clears() != clears {
				var err error
				if next, err = ru.testList(ctx, batch[j+1:]); err != nil {
					return err
				}
				break
			}
		}
		batch = next
	}
	ru.watch.commit()
	return nil
}

func (ru *run) testList(ctx context.Context, hs []handler) ([]handler, error) {
	var out []handler
	for _, h := range hs {
		ok, err := h.test(ctx, ru)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, h)
		}
	}
	return out, nil
}

// invoke logs and runs one handler.
func (ru *run) invoke(ctx context.Context, h handler) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("before handler %q: %w", h.base().name, err)
	}
	id := h.id()
	logAt(ru.logger, slog.LevelInfo, "Invoking reactive handler: "+id)
	ru.result.Invoked = append(ru.result.Invoked, id)
	return h.invoke(ctx, ru)
}

// traceQueued is the tracer's prediction: every handler whose test holds,
// computed without hashing files or running external handlers (tracing
// has no side effects; docs/design.md, "Decision 7").
func (ru *run) traceQueued() []string {
	var out []string
	for _, h := range ru.snap.handlers {
		if h.predict(ru) {
			out = append(out, h.base().name)
		}
	}
	return out
}
