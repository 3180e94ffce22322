package reactive_test

import (
	"context"
	"io"
	"testing"

	"github.com/charmkit/charmkit/reactive"
)

// BenchmarkRunCLI_GetFlags measures one get_flags command on an SQLite
// store with 50 flags (one transaction, committed).
func BenchmarkRunCLI_GetFlags(b *testing.B) {
	s, _ := newCLIStore(b)
	for i := range 50 {
		mustRun(b, s, nil, "set_flag", "flag."+string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	opts := reactive.CLIOptions{Stdout: io.Discard, Stderr: io.Discard, Store: s}
	ctx := context.Background()
	for b.Loop() {
		if code := reactive.RunCLI(ctx, []string{"get_flags"}, opts); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}

// BenchmarkServeCLI_RoundTrip measures one command through the in-hook
// channel (connect, request, apply, reply) on an open transaction.
func BenchmarkServeCLI_RoundTrip(b *testing.B) {
	s, _ := newCLIStore(b)
	hs := startHookServer(b, s, reactive.ServeOptions{})
	opts := reactive.CLIOptions{Stdout: io.Discard, Stderr: io.Discard,
		Getenv: envMap(map[string]string{reactive.CLISocketEnv: hs.sock})}
	ctx := context.Background()
	for b.Loop() {
		if code := reactive.RunCLI(ctx, []string{"toggle_flag", "x", "yes"}, opts); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}
