package reactive_test

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/reactive"
	"github.com/stretchr/testify/require"
)

// chainRegistry registers n handlers: the first links of a chain, each
// setting the flag the next one waits for (links flag changes in all), and
// n-links handlers waiting on flags that are never set.
func chainRegistry(n, links int) *reactive.Registry {
	r := reactive.NewRegistry()
	r.Handle("start", reactive.OnHook("config-changed"), c0(sets("c.0")))
	for i := 0; i < links-1; i++ {
		r.Handle("link."+strconv.Itoa(i), reactive.When("c."+strconv.Itoa(i)), c0(sets("c."+strconv.Itoa(i+1))))
	}
	for i := links; i < n; i++ {
		r.Handle("idle."+strconv.Itoa(i), reactive.When("idle."+strconv.Itoa(i)), c0(nil2))
	}
	return r
}

func nil2(*reactive.Hook) error { return nil }

func benchRun(b *testing.B, r *reactive.Registry, maxIter, wantInvoked int) {
	b.Helper()
	ctx := context.Background()
	opts := reactive.RunOptions{Runner: noTools, Env: hookenv.Env{HookName: "config-changed"}, MaxIterations: maxIter, Metadata: &reactive.Metadata{}}
	b.ReportAllocs()
	for b.Loop() {
		opts.Store = flags.OpenMemory()
		res, err := r.Run(ctx, opts)
		if err != nil || len(res.Invoked) != wantInvoked {
			b.Fatalf("run: %v, %d invoked", err, len(res.Invoked))
		}
	}
}

// BenchmarkDispatch1000Handlers100Changes dispatches a registry of 1,000
// handlers in one hook with 100 flag changes (a chain of 100 links, one
// per main-loop iteration). Target: well under 10 ms.
func BenchmarkDispatch1000Handlers100Changes(b *testing.B) {
	benchRun(b, chainRegistry(1000, 100), 0, 100)
}

// BenchmarkDispatchChain1000 runs 1,000 handlers chained by flags in one
// hook (1,000 iterations, cap raised).
func BenchmarkDispatchChain1000(b *testing.B) {
	benchRun(b, chainRegistry(1000, 1000), 1001, 1000)
}

// BenchmarkHookSQLite is a whole small hook on a real SQLite store: open,
// read, dispatch, commit, close.
func BenchmarkHookSQLite(b *testing.B) {
	path := filepath.Join(b.TempDir(), ".unit-state.db")
	c := &calls{}
	r := workedExample(c)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		s, err := flags.Open(path, nil)
		require.NoError(b, err)
		res, err := r.Run(ctx, reactive.RunOptions{Store: s, Runner: noTools, Env: hookenv.Env{HookName: "config-changed"}})
		require.NoError(b, err)
		require.True(b, res.Committed)
		require.NoError(b, s.Close())
		c.names = c.names[:0]
	}
}
