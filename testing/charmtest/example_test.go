package charmtest_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/testing/charmtest"
)

// greeter is a tiny charm: the leader publishes a greeting from config, and
// every unit reports it in its status.
func greeter(r *reactive.Registry) {
	leadership.Register(r, nil)
	r.Handle("publish", reactive.When(leadership.IsLeaderFlag), func(ctx context.Context, h *reactive.Hook) error {
		cfg, err := h.Tools().ConfigGet(ctx)
		if err != nil {
			return err
		}
		greeting, _ := cfg.String("greeting")
		return leadership.Set(ctx, h, map[string]string{"greeting": greeting})
	})
	r.Handle("report", reactive.When(leadership.SetFlag("greeting")), func(ctx context.Context, h *reactive.Hook) error {
		g, _ := leadership.Get(h, "greeting")
		return h.Tools().StatusSet(ctx, hookenv.Status{State: "active", Message: g})
	})
}

// Run a hook on a leader, then feed the leader settings it wrote to a
// follower's leader-settings-changed.
func ExampleUnit_RunDir() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "charmtest-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	leader := charmtest.Unit{Name: "greeter/0", Leader: true, Config: map[string]any{"greeting": "hello"}}
	out, err := leader.RunDir(ctx, dir+"/0", greeter, "config-changed")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("leader invoked:", out.Invoked)
	fmt.Println("leader calls:", out.CallsTo("leader-set")[0])
	fmt.Println("leader flags:", out.Flags)

	follower := charmtest.Unit{Name: "greeter/1", LeaderSettings: out.LeaderSettings}
	fout, err := follower.RunDir(ctx, dir+"/1", greeter, "leader-settings-changed")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("follower events:", fout.Events)
	fmt.Println("follower status:", fout.Status)
	// Output:
	// leader invoked: [publish report]
	// leader calls: leader-set greeting=hello
	// leader flags: [leadership.changed leadership.changed.greeting leadership.is_leader leadership.set.greeting]
	// follower events: [+leadership.changed.greeting +leadership.set.greeting +leadership.changed]
	// follower status: {active hello}
}

// A tool made to fail at the start of a hook fails the hook before any
// handler runs, with the hookenv tool error, and the store stays as it was.
func ExampleFault() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "charmtest-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	u := charmtest.Unit{
		Flags:  []string{"app.installed"},
		Faults: map[string]charmtest.Fault{"is-leader": {Cause: "connection refused"}},
	}
	out, err := u.RunDir(ctx, dir, greeter, "update-status")
	if err != nil {
		fmt.Println(err)
		return
	}
	var te *hookenv.ToolError
	if errors.As(out.Err, &te) {
		fmt.Printf("tool error: %s exit %d: %s\n", te.Tool, te.ExitCode, te.Message)
	}
	fmt.Println("exit code:", out.ExitCode)
	fmt.Println("handlers run:", len(out.Invoked))
	fmt.Println("flags:", out.Flags)
	// Output:
	// tool error: is-leader exit 1: leadership status unknown: connection refused
	// exit code: 1
	// handlers run: 0
	// flags: [app.installed]
}

// A unit Juju could never show the charm is refused before the hook runs,
// with an error naming the field and what to do. Here config.yaml is given
// in Files; a charm's own tests find it from their working directory.
func ExampleUnit_Validate() {
	u := charmtest.Unit{
		Files:  map[string]string{"config.yaml": "options:\n  port: {type: int, default: 8080}\n"},
		Config: map[string]any{"prot": 9},
	}
	err := u.Validate()
	fmt.Println(errors.Is(err, charmtest.ErrInvalidUnit), errors.Is(err, charmtest.ErrBadConfig))
	fmt.Println(err)

	u.Config = map[string]any{"port": "9"}
	fmt.Println(u.Validate())
	// Output:
	// true true
	// charmtest: invalid unit: Config["prot"]: the charm has no option "prot" (did you mean "port"?): Juju refuses options that Files["config.yaml"] does not declare; fix the key, or declare the option (options: port)
	// charmtest: invalid unit: Config["port"]: "9" is a string, but option "port" is of type int in Files["config.yaml"]: give an integer, e.g. 9
}
