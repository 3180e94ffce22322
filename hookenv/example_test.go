package hookenv_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/charmkit/charmkit/hookenv"
)

// fakeJuju stands in for the unit agent in the examples: it answers a few tools
// the way Juju does and prints every call.
func fakeJuju(leader bool) hookenv.Runner {
	return hookenv.RunnerFunc(func(_ context.Context, tool string, args []string, stdin []byte) ([]byte, error) {
		fmt.Printf("$ %s %s\n", tool, strings.Join(args, " "))
		switch tool {
		case "is-leader":
			return fmt.Appendf(nil, "%t\n", leader), nil
		case "config-get":
			return []byte(`{"port":8080,"site":"example.com"}` + "\n"), nil
		case "leader-set":
			if !leader {
				return nil, hookenv.NewToolError(tool, args, 1,
					"ERROR cannot write leadership settings: cannot write settings: not the leader\n")
			}
		}
		return nil, nil
	})
}

func ExampleTools() {
	ctx := context.Background()
	tools := &hookenv.Tools{Runner: fakeJuju(true)}

	cfg, _ := tools.ConfigGet(ctx)
	port, _ := cfg.Int("port")
	cfg, _ = tools.ConfigGet(ctx) // served from the hook's snapshot: no process
	site, _ := cfg.String("site")
	fmt.Println("serving", site, "on", port)

	_ = tools.StatusSet(ctx, hookenv.Status{State: "active", Message: "ready"})
	err := tools.LeaderSet(ctx, map[string]string{"password": "s3cret", "old": ""})
	fmt.Println("leader-set error:", err)
	// Output:
	// $ config-get --all --format=json
	// serving example.com on 8080
	// $ status-set -- active ready
	// $ leader-set old= password=s3cret
	// leader-set error: <nil>
}

func ExampleTools_LeaderSet_notLeader() {
	tools := &hookenv.Tools{Runner: fakeJuju(false)}
	err := tools.LeaderSet(context.Background(), map[string]string{"password": "s3cret"})
	var te *hookenv.ToolError
	fmt.Println(errors.Is(err, hookenv.ErrNotLeader), errors.As(err, &te) && te.ExitCode == 1)
	fmt.Println(err)
	// Output:
	// $ leader-set password=s3cret
	// true true
	// leader-set password=…: exit status 1: cannot write leadership settings: cannot write settings: not the leader
}

func ExampleLeaderTracker() {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tools := &hookenv.Tools{Runner: fakeJuju(true)}
	lease := &hookenv.LeaderTracker{Tools: tools, Clock: func() time.Time { return now }}

	leader, _ := lease.IsLeader(ctx) // hook start
	fmt.Println("leader:", leader, "guaranteed:", lease.Guaranteed())
	fmt.Println("write allowed:", lease.RequireLeader(ctx)) // within 30 s: no process

	now = now.Add(hookenv.LeadershipGuarantee) // the guarantee lapsed
	fmt.Println("guaranteed:", lease.Guaranteed())
	fmt.Println("write allowed:", lease.RequireLeader(ctx)) // asks again
	// Output:
	// $ is-leader --format=json
	// leader: true guaranteed: true
	// write allowed: <nil>
	// guaranteed: false
	// $ is-leader --format=json
	// write allowed: <nil>
}

func ExampleNewLogHandler() {
	logger := slog.New(hookenv.NewLogHandler(fakeJuju(true), nil))
	logger.Info("installed", "version", "1.2.3")
	logger.Debug("not sent: below the default level")
	logger.Warn("-x looks like a flag, but follows --")
	// Output:
	// $ juju-log -l INFO -- installed version=1.2.3
	// $ juju-log -l WARNING -- -x looks like a flag, but follows --
}

func ExampleHookName() {
	env := map[string]string{"JUJU_DISPATCH_PATH": "hooks/db-relation-changed"}
	fmt.Println(hookenv.HookName(func(k string) string { return env[k] }, "/charm/dispatch"))
	fmt.Println(hookenv.HookName(func(string) string { return "" }, "/charm/hooks/install"))
	// Output:
	// db-relation-changed
	// install
}

func ExampleLoadEnv() {
	env := map[string]string{
		"JUJU_CONTEXT_ID":    "app/0-install-0123",
		"JUJU_UNIT_NAME":     "app/0",
		"JUJU_MODEL_NAME":    "dev",
		"JUJU_MODEL_UUID":    "6d3c2a3e-0000-4000-8000-000000000000",
		"JUJU_CHARM_DIR":     "/var/lib/juju/agents/unit-app-0/charm",
		"JUJU_HOOK_NAME":     "install",
		"JUJU_DISPATCH_PATH": "hooks/install",
		"JUJU_VERSION":       "3.6.4",
	}
	e, err := hookenv.LoadEnv(func(k string) string { return env[k] }, "dispatch")
	fmt.Println(e.AppName, e.UnitNumber, e.HookName, e.JujuVersion, e.JujuVersion.HasLeaderSettings(), err)

	delete(env, "JUJU_MODEL_UUID")
	_, err = hookenv.LoadEnv(func(k string) string { return env[k] }, "dispatch")
	fmt.Println(err, errors.Is(err, hookenv.ErrMissingEnv))
	// Output:
	// app 0 install 3.6.4 true <nil>
	// JUJU_MODEL_UUID not set true
}
