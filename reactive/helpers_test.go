package reactive_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/reactive"
	"github.com/stretchr/testify/require"
)

// record is one captured log record.
type record struct {
	Level slog.Level
	Msg   string
}

// recorder is a slog.Handler keeping every record, for assertions.
type recorder struct {
	mu   sync.Mutex
	recs []record
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, record{rec.Level, rec.Message})
	return nil
}
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *recorder) WithGroup(string) slog.Handler      { return r }

// at returns the messages logged at level, in order.
func (r *recorder) at(level slog.Level) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, rec := range r.recs {
		if rec.Level == level {
			out = append(out, rec.Msg)
		}
	}
	return out
}

// noTools is a runner for tests in which no hook tool may run.
var noTools = hookenv.RunnerFunc(func(_ context.Context, tool string, _ []string, _ []byte) ([]byte, error) {
	return nil, fmt.Errorf("%w: %s", hookenv.ErrToolNotFound, tool)
})

// newStore returns an in-memory store whose invariants are checked when the
// test ends: no transaction is left open.
func newStore(tb testing.TB) *flags.Store {
	tb.Helper()
	s := flags.OpenMemory()
	tb.Cleanup(func() { checkNoOpenTx(tb, s) })
	return s
}

func checkNoOpenTx(tb testing.TB, s *flags.Store) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	tx, err := s.Begin(ctx)
	require.NoError(tb, err, "a transaction was left open")
	require.NoError(tb, tx.Rollback())
}

// runHook runs one hook of reg on the store and returns the result and the
// records logged. mod, if not nil, adjusts the options.
func runHook(tb testing.TB, reg *reactive.Registry, s *flags.Store, hook string, mod func(*reactive.RunOptions)) (*reactive.Result, *recorder) {
	tb.Helper()
	rec := &recorder{}
	opts := reactive.RunOptions{
		Store:    s,
		Env:      hookenv.Env{HookName: hook, CharmDir: tb.TempDir()},
		Runner:   noTools,
		Logger:   slog.New(rec),
		Metadata: &reactive.Metadata{},
	}
	if mod != nil {
		mod(&opts)
	}
	res, err := reg.Run(context.Background(), opts)
	require.NotNil(tb, res)
	require.Equal(tb, res.Err, err)
	return res, rec
}

// setFlags commits the flags as set.
func setFlags(tb testing.TB, s *flags.Store, names ...string) {
	tb.Helper()
	require.NoError(tb, s.Update(context.Background(), func(tx *flags.Tx) error {
		f := flags.New(tx)
		for _, n := range names {
			if err := f.Set(n); err != nil {
				return err
			}
		}
		return nil
	}))
}

// clearFlags commits the flags as cleared.
func clearFlags(tb testing.TB, s *flags.Store, names ...string) {
	tb.Helper()
	require.NoError(tb, s.Update(context.Background(), func(tx *flags.Tx) error {
		f := flags.New(tx)
		for _, n := range names {
			if err := f.Clear(n); err != nil {
				return err
			}
		}
		return nil
	}))
}

// flagList returns the committed flags, sorted.
func flagList(tb testing.TB, s *flags.Store) []string {
	tb.Helper()
	var out []string
	require.NoError(tb, s.View(context.Background(), func(tx *flags.Tx) error {
		out = flags.New(tx).List()
		return nil
	}))
	return out
}

// dump returns every committed row as raw JSON text.
func dump(tb testing.TB, s *flags.Store) map[string]string {
	tb.Helper()
	out := map[string]string{}
	require.NoError(tb, s.View(context.Background(), func(tx *flags.Tx) error {
		for k, v := range tx.Range("", false) {
			out[k] = string(v)
		}
		return nil
	}))
	return out
}

// calls collects handler invocations.
type calls struct{ names []string }

// fn returns a handler that records its name and then runs do (if any).
func (c *calls) fn(name string, do func(h *reactive.Hook) error) reactive.HandlerFunc {
	return func(_ context.Context, h *reactive.Hook) error {
		c.names = append(c.names, name)
		if do != nil {
			return do(h)
		}
		return nil
	}
}

// sets returns an action setting the flags.
func sets(names ...string) func(h *reactive.Hook) error {
	return func(h *reactive.Hook) error {
		for _, n := range names {
			if err := h.SetFlag(n); err != nil {
				return err
			}
		}
		return nil
	}
}

// clears returns an action clearing the flags.
func clears(names ...string) func(h *reactive.Hook) error {
	return func(h *reactive.Hook) error {
		for _, n := range names {
			if err := h.ClearFlag(n); err != nil {
				return err
			}
		}
		return nil
	}
}

// envFor is a hook environment for a unit running install.
func envFor(unit string) hookenv.Env {
	return hookenv.Env{HookName: "install", UnitName: unit}
}
