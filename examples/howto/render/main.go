// Command render is a charm that renders its workload's configuration from
// its options and writes the workload's systemd unit, in every hook, and
// restarts the workload only when one of the files changed.
package main

import (
	"context"
	"os/exec"
	"text/template"

	"github.com/charmkit/charmkit/files"
	"github.com/charmkit/charmkit/reactive"
)

// The charm's options, files and flag.
const (
	// PortOption is the port the workload listens on.
	PortOption = "port"
	// LogLevelOption is the workload's log level.
	LogLevelOption = "log-level"
	// ConfigFile is the workload's configuration, rendered from the options.
	ConfigFile = "/etc/howto-render/app.conf"
	// UnitFile is the workload's systemd unit.
	UnitFile = "/etc/systemd/system/howto-render.service"
	// InstalledFlag is set once the workload is installed.
	InstalledFlag = "app.installed"
)

// snippet:template

// confTemplate is ConfigFile's content. missingkey=error makes a missing
// value an error instead of "<no value>" in the file.
var confTemplate = template.Must(template.New("app.conf").Option("missingkey=error").Parse(
	"# Written by the charm: edits are overwritten.\nport = {{.Port}}\nlog-level = {{.LogLevel}}\n"))

// serviceUnit is UnitFile's content.
const serviceUnit = `[Unit]
Description=howto-render workload

[Service]
ExecStart=/usr/bin/howto-render --config /etc/howto-render/app.conf

[Install]
WantedBy=multi-user.target
`

// end snippet

// snippet:register

// Register adds the charm's handlers to r; restart restarts the workload
// (systemctl in main, a counter in tests).
func Register(r *reactive.Registry, restart func(context.Context) error) {
	r.Handle("install", reactive.WhenNot(InstalledFlag), func(ctx context.Context, h *reactive.Hook) error {
		// ... install the workload's package ...
		return h.SetFlag(InstalledFlag)
	})

	// configure runs in every hook: the files are the record of what was
	// written, so nothing else needs remembering, and a hand edit is undone
	// by the next hook.
	r.Handle("configure", reactive.When(InstalledFlag), func(ctx context.Context, h *reactive.Hook) error {
		cfg, err := h.Tools().ConfigGet(ctx)
		if err != nil {
			return err
		}
		port, _ := cfg.Int(PortOption)
		level, _ := cfg.String(LogLevelOption)
		confChanged, err := files.Render(ctx, files.Path(ctx, ConfigFile), confTemplate,
			struct {
				Port     int64
				LogLevel string
			}{port, level}, files.Options{Mode: 0o640})
		if err != nil {
			return err
		}
		unitChanged, err := files.Write(ctx, files.Path(ctx, UnitFile), []byte(serviceUnit), files.Options{})
		if err != nil {
			return err
		}
		if !confChanged && !unitChanged {
			return nil // the workload already runs with these files
		}
		return restart(ctx)
	})
}

// end snippet

func main() {
	r := reactive.NewRegistry()
	Register(r, func(ctx context.Context) error {
		if err := exec.CommandContext(ctx, "systemctl", "daemon-reload").Run(); err != nil {
			return err
		}
		return exec.CommandContext(ctx, "systemctl", "restart", "howto-render").Run()
	})
	reactive.Main(r)
}
