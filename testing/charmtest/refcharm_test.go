package charmtest_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/reactive"
)

// refConfig is the reference charm's config.yaml (docs/design.md, "The
// reference charm").
const refConfig = `options:
  motd:
    type: string
    default: ""
    description: message of the day, published by the leader
  fail-on-unit:
    type: string
    default: ""
    description: space-separated unit names whose hooks fail (failure injection)
`

// refFiles is the reference charm's directory content.
var refFiles = map[string]string{"config.yaml": refConfig}

// errInjected is the error maybe_fail returns.
var errInjected = errors.New("injected failure")

// registerRef registers the reference charm (docs/design.md, "The reference
// charm"): the
// password charm plus a second key the leader can delete (motd) and failure
// injection (fail-on-unit). Files go to the charm directory.
func registerRef(r *reactive.Registry) {
	leadership.Register(r, nil)
	r.Handle("generate_secret",
		reactive.All(reactive.When(leadership.IsLeaderFlag), reactive.WhenNot(leadership.SetFlag("admin_password"))),
		func(ctx context.Context, h *reactive.Hook) error {
			b := make([]byte, 16)
			if _, err := rand.Read(b); err != nil {
				return err
			}
			return leadership.Set(ctx, h, map[string]string{"admin_password": hex.EncodeToString(b)})
		})
	r.Handle("store_secret", reactive.When(leadership.ChangedFlag("admin_password")),
		func(ctx context.Context, h *reactive.Hook) error {
			v, ok := leadership.Get(h, "admin_password")
			if err := syncFile(h, "admin_password", v, ok); err != nil {
				return err
			}
			return h.ToggleFlag("password.stored", ok)
		})
	r.Handle("sync_motd", reactive.When(leadership.IsLeaderFlag),
		func(ctx context.Context, h *reactive.Hook) error {
			cfg, err := h.Tools().ConfigGet(ctx)
			if err != nil {
				return err
			}
			want, _ := cfg.String("motd")
			if cur, _ := leadership.Get(h, "motd"); cur != want {
				return leadership.Set(ctx, h, map[string]string{"motd": want})
			}
			return nil
		})
	r.Handle("store_motd", reactive.When(leadership.ChangedFlag("motd")),
		func(ctx context.Context, h *reactive.Hook) error {
			v, ok := leadership.Get(h, "motd")
			return syncFile(h, "motd", v, ok)
		})
	r.Handle("maybe_fail", reactive.When(leadership.SetFlag("admin_password")),
		func(ctx context.Context, h *reactive.Hook) error {
			cfg, err := h.Tools().ConfigGet(ctx)
			if err != nil {
				return err
			}
			units, _ := cfg.String("fail-on-unit")
			if !slices.Contains(strings.Fields(units), h.Env().UnitName) {
				return nil
			}
			if err := h.SetFlag("password.crash-attempted"); err != nil {
				return err
			}
			if h.IsFlagSet(leadership.IsLeaderFlag) {
				if err := leadership.Set(ctx, h, map[string]string{"crash_marker": h.Name()}); err != nil {
					return err
				}
			}
			if err := h.Tools().StatusSet(ctx, hookenv.Status{State: "maintenance", Message: "about to fail (injected)"}); err != nil {
				return err
			}
			return errInjected
		})
	r.Handle("ready", reactive.When("password.stored"),
		func(ctx context.Context, h *reactive.Hook) error {
			msg := "ready (follower)"
			if h.IsFlagSet(leadership.IsLeaderFlag) {
				msg = "ready (leader)"
			}
			return h.Tools().StatusSet(ctx, hookenv.Status{State: "active", Message: msg})
		})
	r.Handle("waiting", reactive.WhenNot("password.stored"),
		func(ctx context.Context, h *reactive.Hook) error {
			return h.Tools().StatusSet(ctx, hookenv.Status{State: "waiting", Message: "waiting for admin_password"})
		})
}

// syncFile writes value to the named file of the charm directory, or removes
// the file when the value is absent.
func syncFile(h *reactive.Hook, name, value string, present bool) error {
	p := filepath.Join(h.CharmDir(), name)
	if !present {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	return os.WriteFile(p, []byte(value), 0o600)
}
