// Package charm is the mycharm charm: the leader generates a token once
// and shares it with every unit through the leader settings; every unit
// writes the token and the port option to its workload's configuration file
// and says in its status whether it is ready.
package charm

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"text/template"

	"github.com/charmkit/charmkit/files"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/reactive"
)

// The charm's leader setting, config option, file and flag.
const (
	// TokenKey is the leader setting holding the token the leader generates.
	TokenKey = "token"
	// PortOption is the config option (config.yaml) with the workload's port.
	PortOption = "port"
	// ConfigFile is the workload's configuration file. It is a system path:
	// the handlers write it through files.Path, so that tests keep it in a
	// directory of their own.
	ConfigFile = "/etc/mycharm/mycharm.conf"
	// ConfiguredFlag is set once this unit has written ConfigFile.
	ConfiguredFlag = "mycharm.configured"
	// snippet:banner-consts

	// BannerOption is the config option (config.yaml) with the text of
	// BannerFile.
	BannerOption = "banner"
	// BannerFile holds the banner option's text while the option is set.
	BannerFile = "/etc/mycharm/banner.txt"
	// end snippet
)

// confTemplate is ConfigFile's content. missingkey=error makes a missing
// value an error instead of "<no value>" in the file.
var confTemplate = template.Must(template.New("mycharm.conf").Option("missingkey=error").Parse(
	"# Written by the mycharm charm: edits are overwritten.\nport = {{.Port}}\ntoken = {{.Token}}\n"))

// Register registers the leadership layer and the charm's handlers on r.
func Register(r *reactive.Registry) {
	leadership.Register(r, nil) // leadership.* flags; leadership.Set and Get in handlers

	// snippet:generated
	r.Handle("generate_token", reactive.All(
		reactive.When(leadership.IsLeaderFlag),
		reactive.WhenNot(leadership.SetFlag(TokenKey)),
	), func(ctx context.Context, h *reactive.Hook) error {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		return leadership.Set(ctx, h, map[string]string{TokenKey: hex.EncodeToString(b)})
	})

	// configure runs in every hook once the token is known, as every
	// handler whose flags are set does: files.Render writes the file only
	// when its content changed, and says so.
	r.Handle("configure", reactive.When(leadership.SetFlag(TokenKey)), func(ctx context.Context, h *reactive.Hook) error {
		cfg, err := h.Tools().ConfigGet(ctx)
		if err != nil {
			return err
		}
		port, _ := cfg.Int(PortOption)
		token, _ := leadership.Get(h, TokenKey)
		data := struct {
			Port  int64
			Token string
		}{port, token}
		changed, err := files.Render(ctx, files.Path(ctx, ConfigFile), confTemplate, data, files.Options{Mode: 0o600})
		if err != nil {
			return err
		}
		if changed {
			h.Logger().Info("wrote " + ConfigFile) // restart the workload here
		}
		return h.SetFlag(ConfiguredFlag)
	})
	// end snippet

	r.Handle("ready", reactive.When(ConfiguredFlag), func(ctx context.Context, h *reactive.Hook) error {
		return h.Tools().StatusSet(ctx, hookenv.Status{State: "active", Message: "ready"})
	})

	r.Handle("waiting", reactive.WhenNot(leadership.SetFlag(TokenKey)), func(ctx context.Context, h *reactive.Hook) error {
		return h.Tools().StatusSet(ctx, hookenv.Status{State: "waiting", Message: "waiting for the leader's token"})
	})

	// snippet:banner

	// write_banner runs in every hook once the unit is configured: it
	// writes the banner option to BannerFile (files.Write writes only when
	// the content changed, and says so), or removes the file while the
	// option is empty.
	r.Handle("write_banner", reactive.When(ConfiguredFlag), func(ctx context.Context, h *reactive.Hook) error {
		cfg, err := h.Tools().ConfigGet(ctx) // config-get runs once per hook, however many handlers ask
		if err != nil {
			return err
		}
		path := files.Path(ctx, BannerFile) // under the test's root in tests
		banner, _ := cfg.String(BannerOption)
		if banner == "" {
			_, err := files.Remove(ctx, path)
			return err
		}
		changed, err := files.Write(ctx, path, []byte(banner+"\n"), files.Options{Mode: 0o644})
		if changed {
			h.Logger().Info("wrote " + BannerFile)
		}
		return err
	})
	// end snippet
}
