package hookenv

import (
	"io"
	"log/slog"
)

// NewLogHandlerWithFallback is NewLogHandler with the fallback writer (os.Stderr)
// replaced, for tests.
func NewLogHandlerWithFallback(r Runner, opts *slog.HandlerOptions, w io.Writer) slog.Handler {
	return newLogHandler(r, opts, w)
}

// NewBatchLogHandlerWithFallback is NewBatchLogHandler with the fallback
// writer replaced, for tests.
func NewBatchLogHandlerWithFallback(r Runner, opts *slog.HandlerOptions, w io.Writer) *BatchLogHandler {
	return newBatchLogHandler(r, opts, w)
}

// ExecArgLimit is the bytes execve takes for the strings of argv and envp with
// their pointers, on this machine.
var ExecArgLimit = execArgLimit
