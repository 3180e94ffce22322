package config_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/charmkit/charmkit/config"
	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/testing/charmtest"
)

// A handler restarts the service when the port changed, and another warns
// while the password still has its default (empty) value.
func Example() {
	register := func(r *reactive.Registry) {
		config.Register(r, nil) // first: before every other layer
		r.Handle("restart", reactive.When(config.ChangedFlag("port")),
			func(ctx context.Context, h *reactive.Hook) error {
				prev, _ := config.Previous(h, "port")
				fmt.Println("  port changed from", prev)
				return nil
			})
		r.Handle("no-password", reactive.When(config.DefaultFlag("password")),
			func(ctx context.Context, h *reactive.Hook) error {
				fmt.Println("  password not set")
				return nil
			})
	}
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	u := charmtest.Unit{Files: map[string]string{"config.yaml": `options:
  port: {type: int, default: 8080}
  password: {type: string}
`}}
	for i, c := range []map[string]any{{"port": 8080}, {"port": 8080}, {"port": 9090, "password": "s3cret"}} {
		u.Config = c
		fmt.Println("hook", i+1)
		out, err := u.RunDir(context.Background(), filepath.Join(dir, fmt.Sprint(i)), register, "config-changed")
		if err != nil || out.Err != nil {
			panic(fmt.Sprint(err, out.Err))
		}
		u = out.Unit
	}
	fmt.Println(u.Flags, u.Files[config.PersistentFile])
	// Output:
	// hook 1
	//   port changed from <nil>
	//   password not set
	// hook 2
	//   password not set
	// hook 3
	//   port changed from 8080
	// [] {"password": "s3cret", "port": 9090}
}
