package leadership

import (
	"context"
	"fmt"
	"testing"

	"github.com/charmkit/charmkit/flags"
)

// BenchmarkComputeStart measures the start-of-hook diff for 100 settings of
// which 10 changed, on a store with the previous snapshot.
func BenchmarkComputeStart(b *testing.B) {
	snap := map[string]*string{}
	current := map[string]string{}
	for i := range 100 {
		k := fmt.Sprintf("key%03d", i)
		v := fmt.Sprintf("value%d", i)
		snap[k] = str(v)
		if i%10 == 0 {
			v += "-new"
		}
		current[k] = v
	}
	store := seed(b, nil, snap)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		tx, err := store.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if err := computeStart(flags.New(tx), true, current, true, nil); err != nil {
			b.Fatal(err)
		}
		_ = tx.Rollback()
	}
}

// BenchmarkHook measures one steady-state hook through reactive.Registry.Run
// with the layer and an in-memory fake of the tools.
func BenchmarkHook(b *testing.B) {
	m := newModel("u/0")
	m.settings = map[string]string{"admin_password": "p", "motd": "hello"}
	store := flags.OpenMemory()
	for b.Loop() {
		m.calls = m.calls[:0]
		if run := runReactiveHook(b, m, Options{}, store, "u/0", nil, nil); run.err != nil {
			b.Fatal(run.err)
		}
	}
}
