package leadership_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/testing/charmtest"
)

// A charm keeps admin_password in a Juju secret by naming it in
// Options.Secrets; its handlers are those of a charm that keeps it in leader
// settings. The leader settings get a pointer to the secret, the unit's
// store a token, neither the value.
func ExampleOptions_secrets() {
	register := func(r *reactive.Registry) {
		leadership.Register(r, &leadership.Options{
			Secrets: map[string][]string{"admin": {"admin_password"}},
		})
		r.Handle("generate_secret", reactive.All(
			reactive.When(leadership.IsLeaderFlag),
			reactive.WhenNot(leadership.SetFlag("admin_password")),
		), func(ctx context.Context, h *reactive.Hook) error {
			return leadership.Set(ctx, h, map[string]string{"admin_password": "s3cr3t-p4ssw0rd"})
		})
		r.Handle("store_secret", reactive.When(leadership.ChangedFlag("admin_password")),
			func(_ context.Context, h *reactive.Hook) error {
				p, _ := leadership.Get(h, "admin_password")
				fmt.Println("the handler got", p)
				return nil
			})
	}
	dir, err := os.MkdirTemp("", "example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	out, err := charmtest.Unit{Leader: true, Charm: charmtest.NoCharm}.RunDir(context.Background(), dir, register, "install")
	if err != nil || out.Err != nil {
		fmt.Println(err, out.Err)
		return
	}
	id := out.Secrets[0].ID
	hide := func(s string) string { return strings.ReplaceAll(s, id, "secret:<id>") }
	for _, c := range out.Calls {
		if c.Tool != "juju-log" && c.Tool != "leader-set" {
			fmt.Println(c.Tool)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(out.LeaderSettings)) {
		fmt.Println("leader-set", k, hide(out.LeaderSettings[k]))
	}
	fmt.Println("snapshot:", hide(out.Snapshot["admin_password"]))
	fmt.Println("secret", out.Secrets[0].Label, "content keys:", slices.Sorted(maps.Keys(out.Secrets[0].Revisions[0])))
	// Output:
	// the handler got s3cr3t-p4ssw0rd
	// is-leader
	// leader-get
	// secret-info-get
	// secret-add
	// leader-set leadership.secret.admin {"id":"secret:<id>","revision":1,"keys":{"admin_password":1}}
	// snapshot: secret:<id>?revision=1&unconfirmed
	// secret leadership-admin content keys: [admin-password x-leadership]
}
