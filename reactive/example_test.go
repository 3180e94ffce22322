package reactive_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/reactive"
)

// A charm registers handlers on a Registry; each hook is one Run on the
// unit's store. Handlers chain through flags.
func ExampleRegistry_Run() {
	r := reactive.NewRegistry()
	r.Handle("install", reactive.WhenNot("app.installed"), func(ctx context.Context, h *reactive.Hook) error {
		fmt.Println("installing")
		return h.SetFlag("app.installed")
	})
	r.Handle("configure", reactive.All(reactive.When("app.installed"), reactive.WhenNot("app.configured")),
		func(ctx context.Context, h *reactive.Hook) error {
			fmt.Println("configuring")
			return h.SetFlag("app.configured")
		})
	r.Handle("ready", reactive.When("app.configured"), func(ctx context.Context, h *reactive.Hook) error {
		fmt.Println("ready in", h.Name())
		return nil
	})

	store := flags.OpenMemory() // a charm uses flags.Open(flags.DefaultPath(nil), nil)
	for _, hook := range []string{"install", "update-status"} {
		res, err := r.Run(context.Background(), reactive.RunOptions{
			Store: store,
			Env:   hookenv.Env{HookName: hook},
		})
		if err != nil {
			fmt.Println("hook failed:", err)
			return
		}
		fmt.Println(hook, "ran", res.Invoked)
	}
	// Output:
	// installing
	// configuring
	// ready in install
	// install ran [install configure ready]
	// ready in update-status
	// update-status ran [ready]
}

// A failed hook leaves the store exactly as it was; the next hook retries.
func ExampleRegistry_Run_rollback() {
	fail := true
	r := reactive.NewRegistry()
	r.Handle("install", reactive.WhenNot("app.installed"), func(ctx context.Context, h *reactive.Hook) error {
		if err := h.SetFlag("app.installed"); err != nil {
			return err
		}
		if fail {
			return fmt.Errorf("apt-get: exit status 100")
		}
		return nil
	})
	store := flags.OpenMemory()
	run := func() {
		res, _ := r.Run(context.Background(), reactive.RunOptions{Store: store, Env: hookenv.Env{HookName: "install"}})
		_ = store.View(context.Background(), func(tx *flags.Tx) error {
			fmt.Printf("exit %d, flags %v\n", res.ExitCode, flags.New(tx).List())
			return nil
		})
	}
	run()
	fail = false
	run()
	// Output:
	// exit 1, flags []
	// exit 0, flags [app.installed]
}

// With Trace on, the dispatcher writes charms.reactive's LogTracer text as
// DEBUG records.
func ExampleRunOptions_trace() {
	r := reactive.NewRegistry()
	r.Handle("start", reactive.OnHook("config-changed"), func(ctx context.Context, h *reactive.Hook) error {
		return h.SetFlag("cfg.dirty")
	})
	r.Handle("apply", reactive.When("cfg.dirty"), func(ctx context.Context, h *reactive.Hook) error {
		return h.ClearFlag("cfg.dirty")
	})
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	_, _ = r.Run(context.Background(), reactive.RunOptions{
		Store:  flags.OpenMemory(),
		Env:    hookenv.Env{HookName: "config-changed"},
		Logger: logger,
		Trace:  true,
	})
	// Output:
	// level=INFO msg="Reactive main running for hook config-changed"
	// level=DEBUG msg="tracer: starting handler dispatch, 0 flags set"
	// level=DEBUG msg="tracer>\ntracer: hooks phase, 1 handlers queued\ntracer: ++   queue handler start"
	// level=INFO msg="Invoking reactive handler: start"
	// level=DEBUG msg="tracer: set flag cfg.dirty"
	// level=DEBUG msg="tracer>\ntracer: main dispatch loop, 1 handlers queued\ntracer: ++   queue handler apply"
	// level=INFO msg="Invoking reactive handler: apply"
	// level=DEBUG msg="tracer>\ntracer: cleared flag cfg.dirty\ntracer: -- dequeue handler apply"
}

// Conditions print themselves, for traces and errors.
func ExampleAll() {
	c := reactive.All(reactive.When("db.available"), reactive.WhenNot("app.configured"), reactive.OnlyOnce())
	fmt.Println(c)
	// Output:
	// All(WhenAll("db.available"), WhenNone("app.configured"), OnlyOnce())
}

// Hook patterns expand alternatives and relation groups from the metadata.
func ExampleAnyHook() {
	md, _ := reactive.ParseMetadata([]byte("requires:\n  db: {interface: mysql}\n"))
	ok, _ := reactive.AnyHook("db-relation-joined", md, "{requires:mysql}-relation-{joined,changed}")
	fmt.Println(ok)
	// Output:
	// true
}
