// Command tabletest is a charm that checks its options in config-changed and
// is active only while they are valid; its test is table-driven.
package main

import (
	"context"
	"fmt"

	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/reactive"
)

// The charm's options and flag.
const (
	// HostnameOption is the name the workload answers to.
	HostnameOption = "hostname"
	// PortOption is the port the workload listens on.
	PortOption = "port"
	// ValidFlag is set while the options are valid.
	ValidFlag = "app.config-valid"
)

// snippet:register

// Register adds the charm's handlers to r.
func Register(r *reactive.Registry) {
	// Juju runs config-changed after install and upgrade-charm and after
	// every change of the options: the one hook to check them in.
	r.Handle("validate", reactive.OnHook("config-changed"), func(ctx context.Context, h *reactive.Hook) error {
		cfg, err := h.Tools().ConfigGet(ctx)
		if err != nil {
			return err
		}
		hostname, _ := cfg.String(HostnameOption)
		port, _ := cfg.Int(PortOption)
		var problem string
		switch {
		case hostname == "":
			problem = "set hostname"
		case port < 1024:
			problem = fmt.Sprintf("port %d: use 1024 or more", port)
		default:
			return h.SetFlag(ValidFlag)
		}
		if err := h.ClearFlag(ValidFlag); err != nil {
			return err
		}
		return h.Tools().StatusSet(ctx, hookenv.Status{State: "blocked", Message: problem})
	})

	r.Handle("ready", reactive.When(ValidFlag), func(ctx context.Context, h *reactive.Hook) error {
		cfg, err := h.Tools().ConfigGet(ctx)
		if err != nil {
			return err
		}
		hostname, _ := cfg.String(HostnameOption)
		port, _ := cfg.Int(PortOption)
		return h.Tools().StatusSet(ctx, hookenv.Status{State: "active", Message: fmt.Sprintf("serving %s:%d", hostname, port)})
	})
}

// end snippet

func main() {
	r := reactive.NewRegistry()
	Register(r)
	reactive.Main(r)
}
