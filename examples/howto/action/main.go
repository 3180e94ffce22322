// Command action is a charm with an action: it writes its workload's
// configuration, and `juju run <unit> backup` copies the file to
// /var/backups/howto-action/ and reports where.
package main

import (
	"context"
	"fmt"
	"os"
	"path"

	"github.com/charmkit/charmkit/files"
	"github.com/charmkit/charmkit/reactive"
)

// The charm's files and flag.
const (
	// ConfigFile is the workload's configuration.
	ConfigFile = "/etc/howto-action/app.conf"
	// BackupDir is where the backup action writes.
	BackupDir = "/var/backups/howto-action"
	// ConfiguredFlag is set once ConfigFile is written.
	ConfiguredFlag = "app.configured"
)

// Register adds the charm's handlers to r.
func Register(r *reactive.Registry) {
	r.Handle("configure", reactive.WhenNot(ConfiguredFlag), func(ctx context.Context, h *reactive.Hook) error {
		if _, err := files.Write(ctx, files.Path(ctx, ConfigFile), []byte("port = 8080\n"), files.Options{}); err != nil {
			return err
		}
		return h.SetFlag(ConfiguredFlag)
	})

	// snippet:backup

	// backup answers `juju run <unit> backup [name=...]`. A mistake of the
	// user is reported with ActionFail (the action fails, the hook's changes
	// are kept); an error returned fails the action and rolls back the store.
	r.Handle("backup", reactive.OnAction("backup"), func(ctx context.Context, h *reactive.Hook) error {
		params, err := h.Tools().ActionGet(ctx)
		if err != nil {
			return err
		}
		name, _ := params["name"].(string) // actions.yaml gives the default
		if name == "" || path.Base(name) != name || name == ".." {
			return h.Tools().ActionFail(ctx, fmt.Sprintf("name %q: give a file name, not a path", name))
		}
		if !h.IsFlagSet(ConfiguredFlag) {
			return h.Tools().ActionFail(ctx, "nothing to back up yet")
		}
		data, err := os.ReadFile(files.Path(ctx, ConfigFile))
		if err != nil {
			return err
		}
		dest := path.Join(BackupDir, name)
		if _, err := files.Write(ctx, files.Path(ctx, dest), data, files.Options{Mode: 0o600}); err != nil {
			return err
		}
		return h.Tools().ActionSet(ctx, map[string]string{"path": dest})
	})
	// end snippet
}

func main() {
	r := reactive.NewRegistry()
	Register(r)
	reactive.Main(r)
}
