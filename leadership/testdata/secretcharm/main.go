// Command secretcharm is the leadership layer's test charm for keys kept
// in Juju secrets (leadership.Options.Secrets), run on simulated units by
// the layer's jujusim tests. After the reference charm (docs/design.md, "The
// reference charm"): the leader generates admin_password once, every unit
// writes it to the file admin_password (mode 0600) and sets
// password.stored; the action "rotate", or a change of the option
// "generation" on the leader, sets a new one.
//
// Files in the charm directory change how it runs, so that a test can
// change the charm between hooks:
//
//   - plain-settings: no Options.Secrets (the value in plain leader
//     settings, as an older version of the charm keeps it);
//   - signal-after-publish: once the leadership layer has published its
//     pointers (its exit callback), create the file the content names, and
//     remove this one;
//   - wait-for-file: before the hook starts, wait (up to 30 s) until the
//     file the content names exists, and remove this one. With the two, a
//     test runs a follower's hook between the leader's leader-set and the
//     commit of the leader's hook (jujusim.Model.RunTogether commits both
//     hooks once both processes have exited). The wait uses no hook tool:
//     a hook context keeps the leader settings of its first leader-get.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/reactive"
)

func charmDir() string {
	if d := os.Getenv("JUJU_CHARM_DIR"); d != "" {
		return d
	}
	return os.Getenv("CHARM_DIR")
}

func exists(name string) bool {
	_, err := os.Stat(filepath.Join(charmDir(), name))
	return err == nil
}

func newPassword() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "pw-" + hex.EncodeToString(b[:]), nil
}

// register adds the charm's handlers to r.
func register(r *reactive.Registry) {
	opts := &leadership.Options{Secrets: map[string][]string{"admin": {"admin_password"}}}
	if exists("plain-settings") {
		opts.Secrets = nil
	}
	// Registered before the layer, so it runs after the layer's exit
	// callback (last registered, first run).
	r.AtExit("keeper.signal", func(context.Context, *reactive.Hook) error {
		path := filepath.Join(charmDir(), "signal-after-publish")
		target, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := os.WriteFile(string(bytes.TrimSpace(target)), nil, 0o644); err != nil {
			return err
		}
		return os.Remove(path)
	})
	leadership.Register(r, opts)

	setPassword := func(ctx context.Context, h *reactive.Hook) error {
		p, err := newPassword()
		if err != nil {
			return err
		}
		return leadership.Set(ctx, h, map[string]string{"admin_password": p})
	}
	r.Handle("generate_secret", reactive.All(reactive.When(leadership.IsLeaderFlag), reactive.WhenNot(leadership.SetFlag("admin_password"))), setPassword)
	r.Handle("store_secret", reactive.When(leadership.ChangedFlag("admin_password")),
		func(_ context.Context, h *reactive.Hook) error {
			path := filepath.Join(h.CharmDir(), "admin_password")
			v, ok := leadership.Get(h, "admin_password")
			if !ok {
				if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
					return err
				}
				return h.ClearFlag("password.stored")
			}
			if err := os.WriteFile(path, []byte(v), 0o600); err != nil {
				return err
			}
			return h.SetFlag("password.stored")
		})
	r.Handle("rotate_action", reactive.OnAction("rotate"),
		func(ctx context.Context, h *reactive.Hook) error {
			if !h.IsFlagSet(leadership.IsLeaderFlag) {
				return h.Tools().ActionFail(ctx, "run rotate on the leader")
			}
			if err := setPassword(ctx, h); err != nil {
				return err
			}
			return h.Tools().ActionSet(ctx, map[string]string{"rotated": "yes"})
		})
	r.Handle("rotate_on_config", reactive.OnHook("config-changed"),
		func(ctx context.Context, h *reactive.Hook) error {
			if !h.IsFlagSet(leadership.IsLeaderFlag) {
				return nil
			}
			cfg, err := h.Tools().ConfigGet(ctx)
			if err != nil {
				return err
			}
			gen, _ := cfg["generation"].(string)
			var seen string
			if _, err := h.KV().Get("keeper.generation", &seen); err != nil {
				return err
			}
			if gen == seen {
				return nil
			}
			if err := h.KV().Set("keeper.generation", gen); err != nil {
				return err
			}
			return setPassword(ctx, h)
		})
}

// waitForFile is the wait-for-file switch (see the package doc).
func waitForFile() error {
	path := filepath.Join(charmDir(), "wait-for-file")
	target, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(string(bytes.TrimSpace(target))); err == nil {
			return os.Remove(path)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return errors.New("wait-for-file: no file in 30 s")
}

func main() {
	if err := waitForFile(); err != nil {
		fmt.Fprintln(os.Stderr, "secretcharm:", err)
		os.Exit(1)
	}
	r := reactive.NewRegistry()
	register(r)
	reactive.Main(r)
}
