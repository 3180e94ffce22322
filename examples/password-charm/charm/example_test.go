package charm_test

import (
	"context"
	"fmt"
	"os"

	"github.com/charmkit/charmkit/examples/password-charm/charm"
	"github.com/charmkit/charmkit/testing/charmtest"
)

// The leader's first hook generates the password, publishes it and writes
// it to the password file. charmtest runs the hook against fake hook tools;
// NewPassword is injected so that the secret is fixed.
func Example() {
	dir, err := os.MkdirTemp("", "password-charm")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	c := &charm.Charm{NewPassword: func() (string, error) { return "not-random", nil }}
	u := charmtest.Unit{
		Name:   "password/0",
		Leader: true,
		Config: map[string]any{"password-file": "admin_password", "motd": "", "fail-on-unit": ""},
	}
	out, err := u.RunDir(context.Background(), dir, c.Register, "install")
	if err != nil {
		fmt.Println(err)
		return
	}
	if out.Err != nil {
		fmt.Println("hook failed:", out.Err)
		return
	}
	for _, call := range out.Calls {
		if call.Tool == "leader-set" || call.Tool == "status-set" {
			fmt.Println(call)
		}
	}
	fmt.Println(out.Invoked)
	fmt.Println(out.Flags)
	pw, _ := out.File("admin_password")
	fmt.Println(pw)
	// Output:
	// leader-set admin_password=not-random
	// status-set -- waiting "waiting for admin_password"
	// status-set -- active "ready (leader)"
	// [generate_secret sync_motd waiting store_secret maybe_fail ready]
	// [leadership.changed leadership.changed.admin_password leadership.is_leader leadership.set.admin_password password.stored]
	// not-random
}
