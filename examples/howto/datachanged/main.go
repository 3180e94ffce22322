// Command datachanged is a charm that does something once per change of an
// option: it migrates the database schema once per value of the version
// option, as soon as a database is related, however many hooks later.
package main

import (
	"context"
	_ "embed"
	"fmt"
	"os/exec"

	"github.com/charmkit/charmkit/endpoint"
	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/reactive"
)

// The charm's option and endpoint.
const (
	// VersionOption is the workload's version (config.yaml).
	VersionOption = "version"
	// DBEndpoint is the database relation (metadata.yaml).
	DBEndpoint = "db"
	// migratedID is the data_changed id under which the version last
	// migrated to is recorded (store key reactive.data_changed.<id>).
	migratedID = "app.schema-version"
)

//go:embed metadata.yaml
var metadataYAML []byte

// snippet:register

// Register adds the endpoint layer and the charm's handler to r; migrate
// migrates the schema to a version.
func Register(r *reactive.Registry, migrate func(ctx context.Context, version string) error) {
	md, err := reactive.ParseMetadata(metadataYAML)
	if err != nil {
		panic(err)
	}
	endpoint.Register(r, &endpoint.Options{Metadata: md}) // endpoint.db.joined, ...

	// migrate runs in every hook while a database is there; DataChanged
	// compares the version with the one it recorded the last time, in a
	// hook that succeeded, and records the new one.
	r.Handle("migrate", reactive.When(endpoint.JoinedFlag(DBEndpoint)),
		func(ctx context.Context, h *reactive.Hook) error {
			cfg, err := h.Tools().ConfigGet(ctx)
			if err != nil {
				return err
			}
			version, _ := cfg.String(VersionOption)
			changed, err := flags.DataChanged(h.KV(), migratedID, version, "") // "": md5, as charms.reactive
			if err != nil || !changed {
				return err
			}
			h.Logger().Info("migrating the schema to " + version)
			return migrate(ctx, version)
		})
}

// end snippet

func main() {
	r := reactive.NewRegistry()
	Register(r, func(ctx context.Context, version string) error {
		if out, err := exec.CommandContext(ctx, "/usr/bin/howto-app", "migrate", "--to", version).CombinedOutput(); err != nil {
			return fmt.Errorf("migrating to %s: %w: %s", version, err, out)
		}
		return nil
	})
	reactive.Main(r)
}
