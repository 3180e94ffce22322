package charm_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/charmkit/charmkit/examples/password-charm/charm"
	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/reactive"
)

// The leader's first hook generates the password, publishes it and writes
// it to the password file.
func Example() {
	dir, _ := os.MkdirTemp("", "password-charm")
	defer os.RemoveAll(dir)

	r := reactive.NewRegistry()
	c := &charm.Charm{NewPassword: func() (string, error) { return "not-random", nil }}
	c.Register(r)

	runner := hookenv.RunnerFunc(func(_ context.Context, tool string, args []string, _ []byte) ([]byte, error) {
		switch tool {
		case "is-leader":
			return []byte("true\n"), nil
		case "leader-get":
			return []byte("{}\n"), nil
		case "config-get":
			return []byte(`{"password-file":"admin_password","motd":"","fail-on-unit":""}` + "\n"), nil
		case "leader-set", "status-set":
			fmt.Println(tool, args)
			return nil, nil
		}
		return nil, fmt.Errorf("unexpected tool %s", tool)
	})
	res, err := r.Run(context.Background(), reactive.RunOptions{
		Store:  flags.OpenMemory(),
		Env:    hookenv.Env{InHook: true, HookName: "install", UnitName: "password/0", AppName: "password", CharmDir: dir},
		Runner: runner,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := os.ReadFile(filepath.Join(dir, "admin_password"))
	fmt.Println(res.Invoked)
	fmt.Println(string(b))
	// Output:
	// leader-set [admin_password=not-random]
	// status-set [-- waiting waiting for admin_password]
	// status-set [-- active ready (leader)]
	// [generate_secret sync_motd waiting store_secret maybe_fail ready]
	// not-random
}
