package mistakes // want package:"flags\\(sets mistakes.installed orphan; reads config.changed.port leadership.is-leader leadership.set.api-token mistakes.installed; writes leader keys api_token\\)"

// Test data: mistakes is a charm with each mistake charmkit vet reports.

import (
	"context"

	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/reactive"
)

// Register adds the charm's handlers to r.
func Register(r *reactive.Registry) {
	leadership.Register(r, nil)

	r.Handle("install", reactive.WhenNot("mistakes.installed"), func(ctx context.Context, h *reactive.Hook) error {
		return h.SetFlag("mistakes.installed")
	})

	// 1. Watched but never set: the layer's flag is leadership.is_leader.
	r.Handle("publish", reactive.When("leadership.is-leader"), // want `flag "leadership.is-leader" is watched but never set \(did you mean "leadership.is_leader"\?\)`
		func(ctx context.Context, h *reactive.Hook) error {
			return leadership.Set(ctx, h, map[string]string{"api_token": "s3cret"})
		})

	// 1b. The key written is api_token, so leadership.set.api-token is never set.
	r.Handle("use_token", reactive.When("leadership.set.api-token"), // want `flag "leadership.set.api-token" is watched but never set: it is set while leader setting "api-token" has a value, and no code writes that key \(the key written is "api_token"\)`
		func(ctx context.Context, h *reactive.Hook) error {
			// 5. A leader setting read but never written.
			tok, _ := leadership.Get(h, "api-token") // want `leader setting "api-token" is read but never written \(leadership.Set or leadership.Delete\) \(did you mean "api_token"\?\)`
			_ = tok
			return nil
		})

	// 1c. No config layer is registered.
	r.Handle("reconfigure", reactive.When("config.changed.port"), // want `flag "config.changed.port" is watched but never set: config.\* flags are set by the config layer, and this charm does not import it`
		func(ctx context.Context, h *reactive.Hook) error {
			// 4. A config option that config.yaml does not define.
			cfg, err := h.Tools().ConfigGet(ctx)
			if err != nil {
				return err
			}
			_ = cfg["prot"] // want `config option "prot" is read but it is not in config.yaml \(did you mean "port"\?\)`
			_, _, err = h.Tools().ConfigGetKey(ctx, "port")
			return err
		})

	// 3. Not a hook.
	r.Handle("on_config", reactive.OnHook("config-chagned"), // want `OnHook: "config-chagned" is neither a Juju hook nor a hook of the names in metadata.yaml \(did you mean "config-changed"\?\)`
		func(ctx context.Context, h *reactive.Hook) error {
			// 2. Set but never watched.
			return h.SetFlag("orphan") // want `warning: flag "orphan" is set but never watched by any handler, trigger or imported layer`
		})

	// Hooks of the metadata's names are fine; an unknown endpoint is not.
	r.Handle("relations", reactive.OnHook("db-relation-joined", "{requires:mysql}-relation-{changed,departed}", "data-storage-attached", "web-pebble-ready", "juju-info-relation-joined"),
		func(ctx context.Context, h *reactive.Hook) error { return nil })
	r.Handle("cache", reactive.OnHook("cache-relation-joined"), // want `OnHook: "cache-relation-joined" is not a hook of this charm: metadata.yaml has no relation endpoint "cache"`
		func(ctx context.Context, h *reactive.Hook) error { return nil })
	r.Handle("website", reactive.OnHook("{provides:http}-relation-joined"), // want `OnHook pattern "{provides:http}-relation-joined" matches no hook: metadata.yaml has no endpoint for its {role:interface} group`
		func(ctx context.Context, h *reactive.Hook) error { return nil })
}
