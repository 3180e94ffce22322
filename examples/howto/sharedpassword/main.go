// Command sharedpassword is a charm whose leader generates a password once
// and shares it with every unit through the leadership layer, the value
// kept in an application-owned Juju secret; every unit writes it to a file.
package main

import (
	"context"
	"crypto/rand"

	"github.com/charmkit/charmkit/files"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/reactive"
)

// The charm's leader setting, file and flag.
const (
	// PasswordKey is the leader setting holding the shared password.
	PasswordKey = "admin_password"
	// PasswordFile holds the password on every unit.
	PasswordFile = "/etc/howto-shared-password/admin-password"
	// WrittenFlag is set once this unit has written PasswordFile.
	WrittenFlag = "app.password-written"
)

// snippet:register

// Register adds the leadership layer, with opts, and the charm's handlers
// to r.
func Register(r *reactive.Registry, opts *leadership.Options) {
	leadership.Register(r, opts)

	// snippet:handlers

	// Only the leader generates, and only while no password is set: the
	// flag leadership.set.admin_password stays set from then on, on every
	// unit, including a new leader.
	r.Handle("generate_password", reactive.All(
		reactive.When(leadership.IsLeaderFlag),
		reactive.WhenNot(leadership.SetFlag(PasswordKey)),
	), func(ctx context.Context, h *reactive.Hook) error {
		return leadership.Set(ctx, h, map[string]string{PasswordKey: rand.Text()})
	})

	// leadership.changed.admin_password is set on the leader by
	// leadership.Set, in the hook that writes the value, and on every other
	// unit in its first hook that sees the new value.
	r.Handle("write_password", reactive.When(leadership.ChangedFlag(PasswordKey)),
		func(ctx context.Context, h *reactive.Hook) error {
			password, _ := leadership.Get(h, PasswordKey)
			_, err := files.Write(ctx, files.Path(ctx, PasswordFile), []byte(password), files.Options{Mode: 0o600})
			if err != nil {
				return err
			}
			return h.SetFlag(WrittenFlag)
		})
	// end snippet

	r.Handle("ready", reactive.When(WrittenFlag), func(ctx context.Context, h *reactive.Hook) error {
		return h.Tools().StatusSet(ctx, hookenv.Status{State: "active", Message: "ready"})
	})
	r.Handle("waiting", reactive.WhenNot(WrittenFlag), func(ctx context.Context, h *reactive.Hook) error {
		return h.Tools().StatusSet(ctx, hookenv.Status{State: "waiting", Message: "waiting for the leader's password"})
	})
}

// end snippet

// snippet:main
func main() {
	r := reactive.NewRegistry()
	Register(r, &leadership.Options{
		// The value of admin_password lives in an application-owned Juju
		// secret (group "admin"); the leader settings hold only a pointer.
		Secrets: map[string][]string{"admin": {PasswordKey}},
	})
	reactive.Main(r)
}

// end snippet
