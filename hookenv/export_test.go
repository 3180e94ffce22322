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
