package reactive_test

import (
	"context"
	"os"
	"strings"

	"github.com/charmkit/charmkit/reactive"
)

// Environment of the test charm's waiting modes.
const (
	// fifoEnv names the FIFO the "block" mode opens for reading.
	fifoEnv = "REACTIVE_TEST_FIFO"
	// markEnv names the file a waiting mode creates once it is about to
	// wait, after its flag change and its log record.
	markEnv = "REACTIVE_TEST_MARK"
)

// endModes are ways for the test charm's "end" handler to end the hook
// (see testCharm), each keyed by its mode.
var endModes = map[string]func(context.Context, *reactive.Hook) error{
	// block sets app.blocked, logs, and then ignores its context: it waits
	// in open(2) of a FIFO that nobody opens for writing.
	"block": func(_ context.Context, h *reactive.Hook) error {
		if err := h.SetFlag("app.blocked"); err != nil {
			return err
		}
		h.Logger().Info("blocking on the FIFO")
		if err := os.WriteFile(os.Getenv(markEnv), nil, 0o644); err != nil {
			return err
		}
		f, err := os.Open(os.Getenv(fifoEnv))
		if err != nil {
			return err
		}
		return f.Close()
	},
	// grow sets app.grown and stores 256 KiB of data: the commit makes the
	// store's file grow.
	"grow": func(_ context.Context, h *reactive.Hook) error {
		if err := h.SetFlag("app.grown"); err != nil {
			return err
		}
		return h.KV().Set("app.ballast", strings.Repeat("x", 256<<10))
	},
	// wait sets app.waited, logs, and waits for its context to end.
	"wait": func(ctx context.Context, h *reactive.Hook) error {
		if err := h.SetFlag("app.waited"); err != nil {
			return err
		}
		h.Logger().Info("waiting for the hook's context to end")
		if err := os.WriteFile(os.Getenv(markEnv), nil, 0o644); err != nil {
			return err
		}
		<-ctx.Done()
		return ctx.Err()
	},
}
