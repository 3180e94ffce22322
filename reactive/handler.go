package reactive

import (
	"context"
	"log/slog"

	"github.com/charmkit/charmkit/flags"
)

// handler is one handler of a run: a Go handler registered with
// [Registry.Handle], or an external handler found in the charm directory
// (external.go).
type handler interface {
	// base returns what the index and the dispatcher need of every
	// handler.
	base() *handlerBase
	// test is the handler's test (docs/design.md, "Terms"): whether it is
	// queued now.
	test(ctx context.Context, ru *run) (bool, error)
	// predict is the tracer's prediction of test, with no side effect
	// (docs/design.md, "Decision 7").
	predict(ru *run) bool
	// id is the handler's display id, logged before it runs.
	id() string
	// invoke runs the handler, then records what its conditions need
	// recorded.
	invoke(ctx context.Context, ru *run) error
	// logRegistration writes charms.reactive's register records of the
	// handler (REACTIVE_LOG_OPTS=register).
	logRegistration(l *slog.Logger)
}

// handlerBase is the part of a handler that the index reads.
type handlerBase struct {
	idx     int      // position in the run's handlers: registration order
	name    string   // the registered name, or an external handler's path
	watched []string // the flags its When* conditions name, without duplicates
	phases  phaseSet // the phases in which it can hold
}

func (b *handlerBase) base() *handlerBase { return b }

// goHandler is a handler registered with [Registry.Handle].
type goHandler struct {
	handlerBase
	cond     cond
	fn       HandlerFunc
	site     site
	onlyOnce bool
}

// test checks the watch first (a handler with watched flags that the watch
// rule refuses is false without evaluating anything), then each condition
// in order, stopping at the first false one.
func (h *goHandler) test(_ context.Context, ru *run) (bool, error) {
	if len(h.watched) > 0 && !ru.watch.watch(h.watched) {
		return false, nil
	}
	return ru.eval(h.name, h.cond, false)
}

// predict evaluates the test without hashing files: a file-change
// condition holds only if it has latched already.
func (h *goHandler) predict(ru *run) bool {
	if len(h.watched) > 0 && !ru.watch.watch(h.watched) {
		return false
	}
	ok, err := ru.eval(h.name, h.cond, true)
	return err == nil && ok
}

func (h *goHandler) id() string { return h.name }

// invoke calls the function, then records the only-once mark and the file
// digests its file-change conditions saw (docs/design.md, "Decision 15").
func (h *goHandler) invoke(ctx context.Context, ru *run) error {
	if err := ru.call(ctx, "handler", callback{name: h.name, fn: h.fn}); err != nil {
		return err
	}
	if h.onlyOnce {
		if err := flags.MarkInvoked(ru.tx, h.name); err != nil {
			return err
		}
	}
	for i := range h.cond {
		a := &h.cond[i]
		seen, ok := ru.latch[a]
		if !ok {
			continue
		}
		delete(ru.latch, a)
		for _, p := range a.args {
			var v any
			if d := seen[p]; d != nil {
				v = *d
			}
			if err := ru.tx.Set(flags.FilesChangedPrefix+p, v); err != nil {
				return err
			}
		}
	}
	return nil
}

func (h *goHandler) logRegistration(l *slog.Logger) {
	logAt(l, slog.LevelDebug, "Registering reactive handler for "+h.name)
	for _, a := range h.cond {
		logAt(l, slog.LevelDebug, "  Adding predicate for "+h.name+": "+a.String())
	}
}
