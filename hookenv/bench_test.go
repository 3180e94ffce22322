package hookenv_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"

	"github.com/charmkit/charmkit/hookenv"
)

func BenchmarkEncodeKeyValues(b *testing.B) {
	settings := map[string]string{}
	for i := range 20 {
		settings[fmt.Sprintf("key-%02d", i)] = fmt.Sprintf("value %d", i)
	}
	for b.Loop() {
		if _, err := hookenv.EncodeKeyValues(settings); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLeaderGetSnapshot measures a leader-settings read served from the
// per-hook snapshot (no process).
func BenchmarkLeaderGetSnapshot(b *testing.B) {
	tools := &hookenv.Tools{Runner: replay([]byte(`{"a":"1","b":"2","c":"3"}` + "\n"))}
	ctx := context.Background()
	if _, err := tools.LeaderGet(ctx); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := tools.LeaderGetKey(ctx, "b"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExecTool measures one real tool process (the test binary standing in
// for is-leader): the cost every hook-tool call adds to a hook.
func BenchmarkExecTool(b *testing.B) {
	f := newFake(b, "tools/is-leader/true.txt")
	r := f.Runner.(hookenv.ExecRunner)
	ctx := context.Background()
	for b.Loop() {
		// Replay call 0 every time: reset the fake's call counter.
		f.reset(b)
		if _, err := r.Run(ctx, "is-leader", []string{"--format=json"}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLogHandlerFormat(b *testing.B) {
	logger := slog.New(hookenv.NewLogHandler(replay(nil), nil))
	for b.Loop() {
		logger.Info("handler ran", "handler", "app.install", "flags", 3)
	}
}
