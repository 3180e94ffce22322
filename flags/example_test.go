package flags_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/charmkit/charmkit/flags"
)

// A hook's work on the store: open, one transaction, commit on success.
func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "charm")
	defer os.RemoveAll(dir)
	path := flags.DefaultPath(func(k string) string {
		if k == "JUJU_CHARM_DIR" {
			return dir
		}
		return ""
	})
	fmt.Println(filepath.Base(path))

	ctx := context.Background()
	s, err := flags.Open(path, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	err = s.Update(ctx, func(tx *flags.Tx) error {
		f := flags.New(tx)
		if err := f.Set("app.installed"); err != nil {
			return err
		}
		return tx.Set("leadership.settings.motd", "héllo")
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = s.View(ctx, func(tx *flags.Tx) error {
		fmt.Println(flags.New(tx).List())
		raw, _ := tx.GetRaw("leadership.settings.motd")
		fmt.Println(raw) // the text Python's json.dumps writes
		return nil
	})
	// Output:
	// .unit-state.db
	// [app.installed]
	// "h\u00e9llo"
}

// A failed hook leaves the store exactly as it was.
func ExampleStore_Update_rollback() {
	ctx := context.Background()
	s := flags.OpenMemory()
	err := s.Update(ctx, func(tx *flags.Tx) error {
		_ = flags.New(tx).Set("half.done")
		return fmt.Errorf("handler failed")
	})
	fmt.Println(err)
	_ = s.View(ctx, func(tx *flags.Tx) error {
		fmt.Println(flags.New(tx).List())
		return nil
	})
	// Output:
	// handler failed
	// []
}

// Triggers fire inside the Set that changes their flag, depth first.
func ExampleFlags_RegisterTrigger() {
	s := flags.OpenMemory()
	_ = s.Update(context.Background(), func(tx *flags.Tx) error {
		f := flags.New(tx)
		f.OnChange = func(flag string, set bool) { fmt.Println("changed", flag, set) }
		_ = f.RegisterTrigger(flags.Trigger{When: "db.available", SetFlag: "app.configure"})
		_ = f.RegisterTrigger(flags.Trigger{WhenNot: "db.available", ClearFlag: "app.ready"})
		_ = f.Set("app.ready")
		_ = f.Set("db.available")
		_ = f.Clear("db.available")
		fmt.Println(f.List())
		return nil
	})
	// Output:
	// changed app.ready true
	// changed db.available true
	// changed app.configure true
	// changed db.available false
	// changed app.ready false
	// [app.configure]
}

// The digest is the one Python stores for the same data, so a unit upgraded
// from the Python charm sees no change.
func ExampleDataChanged() {
	s := flags.OpenMemory()
	_ = s.Update(context.Background(), func(tx *flags.Tx) error {
		cfg := map[string]any{"port": 8080, "motd": "hi"}
		for range 2 {
			changed, _ := flags.DataChanged(tx, "config", cfg, "")
			fmt.Println(changed)
		}
		raw, _ := tx.GetRaw("reactive.data_changed.config")
		fmt.Println(raw)
		return nil
	})
	// Output:
	// true
	// false
	// "32ea13ab1eafa9e3df78a09174ec61af"
}
