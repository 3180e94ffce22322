// Command password-client is a charm: the client side of the credentials
// interface (package interfaces/credentials). Related to a provider such as
// the password charm (examples/password-charm), every unit writes the
// password the provider's leader published to the file named by the
// password-file option (mode 0600, atomically), moves it when the option
// changes, and removes it when the credentials go away: the relation is
// removed, the provider's last unit departs, or the provider deletes them.
//
// Build it as the charm's dispatch binary:
//
//	CGO_ENABLED=0 go build -o dispatch ./examples/password-client
package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/charmkit/charmkit/endpoint"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/interfaces/credentials"
	"github.com/charmkit/charmkit/reactive"
)

// The layers need the charm's relations when handlers are registered: the
// metadata is embedded in the binary.
//
//go:embed metadata.yaml
var metadataYAML []byte

// Metadata is the charm's metadata.yaml.
var Metadata = func() *reactive.Metadata {
	md, err := reactive.ParseMetadata(metadataYAML)
	if err != nil {
		panic(err)
	}
	return md
}()

const (
	// Server is the requires endpoint (interface credentials).
	Server = "server"
	// FileOption is the config option naming the password file.
	FileOption = "password-file"
	// DefaultFile is the password file when the option is empty.
	DefaultFile = "server_password"
	// WrittenFlag is set while this unit's password file exists.
	WrittenFlag = "client.password-written"
	// writtenKey is the store key holding the password-file option the
	// file was last written for, so that a change moves it.
	writtenKey = "client.password-file"
)

// Register adds the charm's layers and handlers to r.
func Register(r *reactive.Registry) {
	endpoint.Register(r, &endpoint.Options{Metadata: Metadata})
	credentials.RegisterRequires(r, Metadata) // server.available, server.changed

	// New or changed credentials: write the file.
	r.Handle("write_password", reactive.When(credentials.AvailableFlag(Server), credentials.ChangedFlag(Server)),
		func(ctx context.Context, h *reactive.Hook) error {
			c, ok, err := credentials.Get(ctx, h, Server)
			if err != nil || !ok {
				return err
			}
			if err := write(ctx, h, c); err != nil {
				return err
			}
			h.Logger().Info(fmt.Sprintf("wrote the password of %s from %s", c.Username, c.Application))
			return h.ClearFlag(credentials.ChangedFlag(Server))
		})

	// The password-file option changed: move the file.
	r.Handle("follow_option", reactive.When(credentials.AvailableFlag(Server), WrittenFlag),
		func(ctx context.Context, h *reactive.Hook) error {
			option, err := fileOption(ctx, h)
			if err != nil {
				return err
			}
			if last, err := lastOption(h); err != nil || last == option {
				return err
			}
			c, ok, err := credentials.Get(ctx, h, Server)
			if err != nil || !ok {
				return err
			}
			return write(ctx, h, c)
		})

	// The credentials went away: remove the file.
	r.Handle("remove_password", reactive.All(reactive.WhenNot(credentials.AvailableFlag(Server)), reactive.When(WrittenFlag)),
		func(ctx context.Context, h *reactive.Hook) error {
			last, err := lastOption(h)
			if err != nil {
				return err
			}
			if err := remove(resolve(h, last)); err != nil {
				return err
			}
			h.KV().Unset(writtenKey)
			return h.ClearFlag(WrittenFlag)
		})

	r.Handle("ready", reactive.When(WrittenFlag), func(ctx context.Context, h *reactive.Hook) error {
		return h.Tools().StatusSet(ctx, hookenv.Status{State: "active", Message: "ready"})
	})
	r.Handle("waiting", reactive.All(reactive.When(endpoint.JoinedFlag(Server)), reactive.WhenNot(WrittenFlag)),
		func(ctx context.Context, h *reactive.Hook) error {
			return h.Tools().StatusSet(ctx, hookenv.Status{State: "waiting", Message: "waiting for credentials"})
		})
	r.Handle("blocked", reactive.WhenNone(endpoint.JoinedFlag(Server), WrittenFlag),
		func(ctx context.Context, h *reactive.Hook) error {
			return h.Tools().StatusSet(ctx, hookenv.Status{State: "blocked", Message: "needs a credentials relation (juju integrate)"})
		})
}

func main() {
	r := reactive.NewRegistry()
	Register(r)
	reactive.Main(r) // runs the hook named by Juju's environment, or a charms.reactive command
}

// fileOption returns the password-file option, DefaultFile when empty.
func fileOption(ctx context.Context, h *reactive.Hook) (string, error) {
	cfg, err := h.Tools().ConfigGet(ctx)
	if err != nil {
		return "", err
	}
	if p, _ := cfg.String(FileOption); p != "" {
		return p, nil
	}
	return DefaultFile, nil
}

// lastOption returns the option the file was last written for, "" if none.
func lastOption(h *reactive.Hook) (string, error) {
	var last string
	_, err := h.KV().Get(writtenKey, &last)
	return last, err
}

// resolve returns the file an option names: a relative path is relative
// to the charm directory; "" names no file.
func resolve(h *reactive.Hook, option string) string {
	if option == "" || filepath.IsAbs(option) {
		return option
	}
	return filepath.Join(h.CharmDir(), option)
}

// write writes the password to the file the option names, removes the file
// written for an earlier option, and records where it is.
func write(ctx context.Context, h *reactive.Hook, c credentials.Credentials) error {
	option, err := fileOption(ctx, h)
	if err != nil {
		return err
	}
	last, err := lastOption(h)
	if err != nil {
		return err
	}
	path := resolve(h, option)
	if err := writeFileAtomic(path, c.Password); err != nil {
		return err
	}
	if old := resolve(h, last); old != "" && old != path {
		if err := remove(old); err != nil {
			return err
		}
	}
	if err := h.KV().Set(writtenKey, option); err != nil {
		return err
	}
	return h.SetFlag(WrittenFlag)
}

// remove removes path; a missing file is not an error.
func remove(path string) error {
	if path == "" {
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing %s: %w", path, err)
	}
	return nil
}

// writeFileAtomic writes data to path with mode 0600: a temporary file in
// the same directory, synced, closed and renamed over path, so a reader
// sees the old content or the new, never a part.
func writeFileAtomic(path, data string) (err error) {
	fail := func(err error) error { return fmt.Errorf("writing %s: %w", path, err) }
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fail(err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fail(err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return fail(err)
	}
	if _, err := f.WriteString(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fail(err)
	}
	return nil
}
