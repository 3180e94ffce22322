package flags_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/charmkit/charmkit/flags"
	"github.com/stretchr/testify/require"
)

// realisticStore writes a store like a deployed charm's: ~200 keys of
// flags, leader settings, digests and invocation records.
func realisticStore(b *testing.B) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), ".unit-state.db")
	s, err := flags.Open(path, nil)
	require.NoError(b, err)
	require.NoError(b, s.Update(b.Context(), func(tx *flags.Tx) error {
		f := flags.New(tx)
		for i := range 120 {
			if err := f.Set(fmt.Sprintf("app.component%03d.ready", i)); err != nil {
				return err
			}
		}
		for i := range 40 {
			if err := tx.Set(fmt.Sprintf("leadership.settings.key%02d", i), fmt.Sprintf("value-%d-%040d", i, i)); err != nil {
				return err
			}
		}
		for i := range 30 {
			if err := tx.Set(fmt.Sprintf("reactive.data_changed.d%02d", i), "d41d8cd98f00b204e9800998ecf8427e"); err != nil {
				return err
			}
		}
		for i := range 10 {
			if err := flags.MarkInvoked(tx, fmt.Sprintf("handler%02d", i)); err != nil {
				return err
			}
		}
		if err := tx.Set("reactive.dispatch.phase", "other"); err != nil {
			return err
		}
		return tx.Set("reactive.dispatch.removed_state", false)
	}))
	require.NoError(b, s.Close())
	return path
}

// BenchmarkHook_OpenReadCommit is a whole hook's store work: open the file,
// Begin (lock and read every row), change a few flags and keys, Commit,
// Close; with the default (fsync) and with Options.NoSync. Target: under
// 5 ms.
func BenchmarkHook_OpenReadCommit(b *testing.B) {
	for _, noSync := range []bool{false, true} {
		b.Run(fmt.Sprintf("NoSync=%v", noSync), func(b *testing.B) {
			benchHook(b, &flags.Options{NoSync: noSync})
		})
	}
}

func benchHook(b *testing.B, opts *flags.Options) {
	path := realisticStore(b)
	ctx := b.Context()
	for i := 0; b.Loop(); i++ {
		s, err := flags.Open(path, opts)
		if err != nil {
			b.Fatal(err)
		}
		tx, err := s.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		f := flags.New(tx)
		if err := f.Toggle("hook.toggle", i%2 == 0); err != nil {
			b.Fatal(err)
		}
		if err := tx.Set("reactive.state_watch", map[string]any{"iteration": i, "changes": []string{}, "pending": []string{}}); err != nil {
			b.Fatal(err)
		}
		if err := tx.Set("leadership.settings.counter", i); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHook_ReadOnly is a hook that changes nothing: open, Begin,
// Rollback, Close.
func BenchmarkHook_ReadOnly(b *testing.B) {
	path := realisticStore(b)
	ctx := b.Context()
	for b.Loop() {
		s, err := flags.Open(path, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.View(ctx, func(tx *flags.Tx) error { return nil }); err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFlags_SetClear is the in-memory cost of flag operations with a
// trigger, on an open transaction.
func BenchmarkFlags_SetClear(b *testing.B) {
	s := flags.OpenMemory()
	tx, err := s.Begin(b.Context())
	require.NoError(b, err)
	defer tx.Rollback()
	f := flags.New(tx)
	require.NoError(b, f.RegisterTrigger(flags.Trigger{When: "a", SetFlag: "b"}))
	for b.Loop() {
		if err := f.Set("a"); err != nil {
			b.Fatal(err)
		}
		if err := f.Clear("a"); err != nil {
			b.Fatal(err)
		}
		if err := f.Clear("b"); err != nil {
			b.Fatal(err)
		}
	}
}
