package clean // want package:"flags\\(sets clean.external clean.from-bash clean.installed clean.peer.\\* clean.ready clean.started clean.triggered; reads clean.external clean.from-bash clean.installed clean.peer.cluster clean.ready clean.started clean.triggered leadership.changed.motd leadership.is_leader leadership.set.token; writes leader keys motd old token\\)"

// Test data: clean is a charm that uses every form the analyzer follows and
// has nothing to report.

import (
	"context"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/reactive"
)

// A flag set by a bash handler under reactive/, and one read by operators:
//
//charmkit:flags sets clean.from-bash
//charmkit:flags reads clean.external
const (
	installed = "clean.installed"
	ready     = "clean.ready"
)

var started = reactive.When("clean.started")

// Register adds the charm's handlers to r.
func Register(r *reactive.Registry) {
	leadership.Register(r, nil)
	r.RegisterTrigger(flags.Trigger{When: installed, SetFlag: "clean.triggered"})

	r.Handle("install", reactive.WhenNot(installed), install)
	r.Handle("start", reactive.All(reactive.When(installed, "clean.triggered"), reactive.WhenNot("clean.from-bash")),
		reactive.NotUnless(func(ctx context.Context, h *reactive.Hook) error {
			return h.Flags().Set("clean.started")
		}, ready))
	r.Handle("leader", reactive.All(started, reactive.When(leadership.IsLeaderFlag), reactive.WhenNot(leadership.SetFlag("token"))),
		func(ctx context.Context, h *reactive.Hook) error {
			if err := leadership.Set(ctx, h, map[string]string{"token": "t"}); err != nil {
				return err
			}
			return leadership.Set(ctx, h, map[string]string{"motd": "hi"})
		})
	r.Handle("motd", reactive.When(leadership.ChangedFlag("motd")), func(ctx context.Context, h *reactive.Hook) error {
		if _, ok := leadership.Get(h, "token"); !ok || h.IsFlagSet(ready) {
			return h.SetFlag("clean.external")
		}
		cfg, err := h.Tools().ConfigGet(ctx)
		if err != nil {
			return err
		}
		if p, _ := cfg.Int("port"); p == 0 {
			return nil
		}
		_ = cfg["motd"]
		return leadership.Delete(ctx, h, "old")
	})
	r.Handle("dynamic", reactive.OnHook("{peers:cluster}-relation-{joined,changed}", "update-status"), func(ctx context.Context, h *reactive.Hook) error {
		return h.SetFlag("clean.peer." + h.Env().RelationName)
	})
	r.Handle("peer", reactive.When("clean.peer.cluster"), func(ctx context.Context, h *reactive.Hook) error { return nil })
}

func install(ctx context.Context, h *reactive.Hook) error {
	if err := markReady(h); err != nil {
		return err
	}
	return h.SetFlag(installed)
}

func markReady(h *reactive.Hook) error { return h.ToggleFlag(ready, true) }
