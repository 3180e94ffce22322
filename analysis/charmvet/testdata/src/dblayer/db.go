package dblayer // want package:"flags\\(sets db.\\*.ready db.ready db.{endpoint}.joined; reads app.configured\\)"

// Test data: dblayer is a third-party layer: it declares the flags it
// manages, and sets one per endpoint through a flag-name function.

import (
	"context"

	"github.com/charmkit/charmkit/reactive"
)

//charmkit:flags sets db.ready db.{endpoint}.joined
//charmkit:flags reads app.configured

// ReadyFlag is the flag set once the endpoint's database is ready.
func ReadyFlag(endpoint string) string { // want ReadyFlag:`flagFunc\("db." \+ key \+ ".ready"\)`
	return "db." + endpoint + ".ready"
}

// Register adds the layer's handlers.
func Register(r *reactive.Registry) {
	r.Handle("dblayer.connect", reactive.OnHook("{requires:mysql}-relation-changed"), func(ctx context.Context, h *reactive.Hook) error {
		return h.SetFlag(ReadyFlag(h.Env().RelationName))
	})
}
