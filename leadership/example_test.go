package leadership_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/reactive"
)

// fakeJuju answers the leadership tools for one leader unit from a map.
func fakeJuju(settings map[string]string) hookenv.Runner {
	return hookenv.RunnerFunc(func(_ context.Context, tool string, args []string, _ []byte) ([]byte, error) {
		switch tool {
		case "is-leader":
			return []byte("true\n"), nil
		case "leader-get":
			return json.Marshal(settings)
		case "leader-set":
			for _, a := range args {
				k, v, _ := strings.Cut(a, "=")
				if v == "" {
					delete(settings, k)
				} else {
					settings[k] = v
				}
			}
			return nil, nil
		}
		return nil, fmt.Errorf("%w: %s", hookenv.ErrToolNotFound, tool)
	})
}

// The leader publishes a setting once; its own handler watching the
// changed flag runs in the same hook.
func Example() {
	r := reactive.NewRegistry()
	leadership.Register(r, nil)
	r.Handle("publish", reactive.All(
		reactive.When(leadership.IsLeaderFlag),
		reactive.WhenNot(leadership.SetFlag("token")),
	), func(ctx context.Context, h *reactive.Hook) error {
		return leadership.Set(ctx, h, map[string]string{"token": "abc"})
	})
	r.Handle("use", reactive.When(leadership.ChangedFlag("token")), func(_ context.Context, h *reactive.Hook) error {
		v, _ := leadership.Get(h, "token")
		fmt.Println("token is", v)
		return nil
	})

	settings := map[string]string{}
	store := flags.OpenMemory()
	for _, hook := range []string{"install", "config-changed"} {
		res, err := r.Run(context.Background(), reactive.RunOptions{
			Store:  store,
			Env:    hookenv.Env{InHook: true, HookName: hook, UnitName: "app/0", AppName: "app"},
			Runner: fakeJuju(settings),
		})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(hook, res.Invoked)
	}
	_ = store.View(context.Background(), func(tx *flags.Tx) error {
		fmt.Println(flags.New(tx).List())
		return nil
	})
	fmt.Println(settings)
	// Output:
	// token is abc
	// install [publish use]
	// config-changed []
	// [leadership.is_leader leadership.set.token]
	// map[token:abc]
}

// On a follower, Set returns ErrNotLeader before any tool runs; a handler
// that can do without the write checks for it and carries on.
func ExampleSet_follower() {
	r := reactive.NewRegistry()
	leadership.Register(r, nil)
	r.Handle("try-write", reactive.OnHook("config-changed"), func(ctx context.Context, h *reactive.Hook) error {
		err := leadership.Set(ctx, h, map[string]string{"k": "v"})
		fmt.Println("not leader:", errors.Is(err, leadership.ErrNotLeader))
		return nil
	})
	var tools []string
	runner := hookenv.RunnerFunc(func(_ context.Context, tool string, _ []string, _ []byte) ([]byte, error) {
		tools = append(tools, tool)
		switch tool {
		case "is-leader":
			return []byte("false\n"), nil
		case "leader-get":
			return []byte(`{"k":"old"}` + "\n"), nil
		}
		return nil, fmt.Errorf("unexpected tool %s", tool)
	})
	_, err := r.Run(context.Background(), reactive.RunOptions{
		Store:  flags.OpenMemory(),
		Env:    hookenv.Env{InHook: true, HookName: "config-changed", UnitName: "app/1", AppName: "app"},
		Runner: runner,
	})
	fmt.Println(err, tools)
	// Output:
	// not leader: true
	// <nil> [is-leader leader-get]
}

// A charm that calls Set without registering the layer gets an error that
// names its line and says what to do; Get and GetAll panic with the same
// error.
func ExampleSet_notRegistered() {
	r := reactive.NewRegistry()
	// Missing: leadership.Register(r, nil)
	r.Handle("write", reactive.OnHook("install"), func(ctx context.Context, h *reactive.Hook) error {
		err := leadership.Set(ctx, h, map[string]string{"k": "v"})
		fmt.Println(errors.Is(err, leadership.ErrNotRegistered))
		fmt.Println(err)
		return nil
	})
	_, err := r.Run(context.Background(), reactive.RunOptions{
		Store:  flags.OpenMemory(),
		Env:    hookenv.Env{InHook: true, HookName: "install", UnitName: "app/0", AppName: "app"},
		Runner: fakeJuju(map[string]string{}),
	})
	fmt.Println(err)
	// Output:
	// true
	// leadership: writing leader settings k (at leadership/example_test.go:122): the leadership layer is not registered on this charm's registry: call leadership.Register(r, nil) where the charm registers its handlers
	// <nil>
}
