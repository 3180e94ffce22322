// Command configchanged is a charm that reacts to changes of its options
// with the config layer's flags: it reloads its workload when log-level
// changes, and it is blocked while admin-email has its (empty) default.
package main

import (
	"context"
	_ "embed"
	"fmt"
	"os/exec"

	"github.com/charmkit/charmkit/config"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/reactive"
)

// The charm's options (config.yaml).
const (
	// LogLevelOption is the workload's log level.
	LogLevelOption = "log-level"
	// AdminEmailOption is where the workload sends its alerts.
	AdminEmailOption = "admin-email"
)

// snippet:embed

// configYAML is the charm's config.yaml, embedded so that the config layer
// knows the options when handlers are registered, on a unit and in tests.
//
//go:embed config.yaml
var configYAML []byte

// end snippet

// snippet:register

// Register adds the config layer and the charm's handlers to r; reload
// reloads the workload with a new log level.
func Register(r *reactive.Registry, reload func(ctx context.Context, level string) error) {
	config.Register(r, &config.Options{ConfigYAML: configYAML}) // first, before every other layer

	// config.changed.log-level is set while a hook runs in which log-level
	// differs from its value at the end of the last successful hook (and in
	// the unit's first hook).
	r.Handle("reload", reactive.When(config.ChangedFlag(LogLevelOption)),
		func(ctx context.Context, h *reactive.Hook) error {
			cfg, err := h.Tools().ConfigGet(ctx)
			if err != nil {
				return err
			}
			level, _ := cfg.String(LogLevelOption)
			prev, _ := config.Previous(h, LogLevelOption) // nil in the first hook
			h.Logger().Info(fmt.Sprintf("log-level: %v -> %s", prev, level))
			return reload(ctx, level)
		})

	// config.default.admin-email is set while the option has its default.
	r.Handle("blocked", reactive.When(config.DefaultFlag(AdminEmailOption)),
		func(ctx context.Context, h *reactive.Hook) error {
			return h.Tools().StatusSet(ctx, hookenv.Status{State: "blocked", Message: "set admin-email"})
		})
	r.Handle("ready", reactive.WhenNot(config.DefaultFlag(AdminEmailOption)),
		func(ctx context.Context, h *reactive.Hook) error {
			return h.Tools().StatusSet(ctx, hookenv.Status{State: "active", Message: "ready"})
		})
}

// end snippet

func main() {
	r := reactive.NewRegistry()
	Register(r, func(ctx context.Context, level string) error {
		return exec.CommandContext(ctx, "systemctl", "reload", "howto-workload").Run()
	})
	reactive.Main(r)
}
