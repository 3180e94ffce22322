// Command hello is a charm: build it as the charm's dispatch binary.
package main

import (
	"context"
	"errors"

	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/reactive"
)

// Register adds the charm's handlers to r.
func Register(r *reactive.Registry) {
	leadership.Register(r, nil) // leadership.* flags; leadership.Set/Get in handlers

	r.Handle("install", reactive.WhenNot("hello.installed"),
		func(ctx context.Context, h *reactive.Hook) error {
			// ... install the workload ...
			return h.SetFlag("hello.installed")
		})

	r.Handle("pick_greeting",
		reactive.All(reactive.When("leadership.is_leader"), reactive.WhenNot("leadership.set.greeting")),
		func(ctx context.Context, h *reactive.Hook) error {
			return leadership.Set(ctx, h, map[string]string{"greeting": "hello"})
		})

	r.Handle("ready", reactive.When("hello.installed", "leadership.set.greeting"),
		func(ctx context.Context, h *reactive.Hook) error {
			greeting, ok := leadership.Get(h, "greeting")
			if !ok {
				return errors.New("greeting flag set without a value")
			}
			return h.Tools().StatusSet(ctx, hookenv.Status{State: "active", Message: greeting})
		})
}

func main() {
	r := reactive.NewRegistry()
	Register(r)
	reactive.Main(r) // runs the hook named by Juju's environment, or a charms.reactive command
}
