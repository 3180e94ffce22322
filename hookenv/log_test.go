package hookenv_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/slogtest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/hookenv"
)

// logCalls records juju-log invocations.
type logCalls struct {
	mu    sync.Mutex
	calls [][]string
	err   error // returned by every call when set
}

func (l *logCalls) Run(_ context.Context, tool string, args []string, _ []byte) ([]byte, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, append([]string{tool}, args...))
	return nil, l.err
}

// parseLogfmt splits "msg k=v g.k2=\"v 2\"" the way the handler builds it: the
// message is everything before the first key=value token. Groups become nested maps.
func parseLogfmt(tb testing.TB, line string) map[string]any {
	tb.Helper()
	m := map[string]any{}
	var msg []string
	inAttrs := false
	for len(line) > 0 {
		line = strings.TrimLeft(line, " ")
		tok, rest := nextToken(line)
		line = rest
		k, v, ok := strings.Cut(tok, "=")
		if !ok || strings.ContainsAny(k, "\" ") {
			require.False(tb, inAttrs, "message text after attributes in %q", tok)
			msg = append(msg, tok)
			continue
		}
		inAttrs = true
		if strings.HasPrefix(v, `"`) {
			v = strings.Trim(v, `"`)
		}
		parts := strings.Split(k, ".")
		cur := m
		for _, p := range parts[:len(parts)-1] {
			sub, ok := cur[p].(map[string]any)
			if !ok {
				sub = map[string]any{}
				cur[p] = sub
			}
			cur = sub
		}
		cur[parts[len(parts)-1]] = v
	}
	m[slog.MessageKey] = strings.Join(msg, " ")
	return m
}

// nextToken returns the next space-separated token, keeping quoted values whole.
func nextToken(s string) (string, string) {
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && inQuote:
			i++
		case s[i] == '"':
			inQuote = !inQuote
		case s[i] == ' ' && !inQuote:
			return s[:i], s[i:]
		}
	}
	return s, ""
}

// Ensure the handler meets slog's handler contract, except that it leaves the time
// to Juju, which stamps every juju-log line itself.
func TestLogHandlerSlogtest(t *testing.T) {
	rec := &logCalls{}
	h := hookenv.NewLogHandler(rec, &slog.HandlerOptions{Level: hookenv.LevelTrace})
	results := func() []map[string]any {
		var out []map[string]any
		for _, c := range rec.calls {
			require.Equal(t, []string{"juju-log", "-l"}, c[:2])
			require.Equal(t, "--", c[3])
			m := parseLogfmt(t, c[4])
			m[slog.LevelKey] = c[2]
			out = append(out, m)
		}
		return out
	}
	err := slogtest.TestHandler(h, results)
	require.Error(t, err, "the handler omits the time, so slogtest must report it")
	for _, line := range strings.Split(err.Error(), "\n") {
		assert.Contains(t, line, `missing key "time"`, "the only failures must be the omitted time")
	}
}

func TestLogHandler(t *testing.T) {
	f := newFake(t, "tools/juju-log/handler.txt")
	var stderr bytes.Buffer
	logger := slog.New(hookenv.NewLogHandlerWithFallback(f.Runner, nil, &stderr))
	logger.Debug("not enabled at the default level")
	logger.Info("started", "port", 8080)
	logger.With(slog.Group("db", "host", "10.0.0.1 (primary)")).Error("db down", "err", errors.New("timeout"))
	assert.Empty(t, stderr.String())
}

func TestLogHandlerFallback(t *testing.T) {
	for _, tc := range []struct {
		name    string
		golden  string
		without []string
		wantErr func(error) error
	}{
		{name: "no juju-log on PATH", golden: "faults/none.txt", without: []string{"juju-log"}},
		{name: "outside a hook", golden: "tools/juju-log/no-context.txt",
			wantErr: toolErr("juju-log", 1, "JUJU_CONTEXT_ID not set")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, tc.golden, tc.without...)
			var stderr bytes.Buffer
			h := hookenv.NewLogHandlerWithFallback(f.Runner, nil, &stderr)
			r := slog.NewRecord(time.Time{}, slog.LevelInfo, "hello", 0)
			err := h.Handle(t.Context(), r)
			if tc.wantErr == nil {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				assert.NoError(t, tc.wantErr(err))
			}
			assert.Equal(t, "juju-log: INFO: hello\n", stderr.String())
		})
	}
}

func TestLogHandlerOptions(t *testing.T) {
	rec := &logCalls{}
	h := hookenv.NewLogHandler(rec, &slog.HandlerOptions{
		Level: slog.LevelWarn,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == "password" {
				return slog.String("password", "REDACTED")
			}
			return a
		},
	})
	logger := slog.New(h)
	logger.Info("dropped")
	logger.Warn("login", "user", "admin", "password", "s3cret")
	logger.WithGroup("g").Error("nested", "password", "x")
	assert.Equal(t, [][]string{
		{"juju-log", "-l", "WARNING", "--", "login user=admin password=REDACTED"},
		{"juju-log", "-l", "ERROR", "--", "nested g.password=REDACTED"},
	}, rec.calls)
}

func TestLogMessageLimits(t *testing.T) {
	rec := &logCalls{}
	tools := &hookenv.Tools{Runner: rec}
	long := strings.Repeat("é", 70000) // 140000 bytes
	require.NoError(t, tools.Log(t.Context(), slog.LevelInfo, long))
	require.NoError(t, tools.Log(t.Context(), slog.LevelInfo, "a\x00b"))
	got := rec.calls[0][4]
	assert.LessOrEqual(t, len(got), 128*1024-1)
	assert.True(t, strings.HasPrefix(long, got), "cut at a character boundary")
	assert.Equal(t, `a\x00b`, rec.calls[1][4])
}

func TestBatchLogHandler(t *testing.T) {
	f := newFake(t, "tools/juju-log/batch.txt")
	h := hookenv.NewBatchLogHandler(f.Runner, nil)
	logger := slog.New(h)
	logger.Info("reactive: invoking handler a")
	logger.With("step", 2).Info("reactive: invoking handler b")
	logger.Warn("slow handler")
	logger.Info("done")
	logger.Debug("below the level")
	assert.Equal(t, 0, f.Calls(), "nothing runs before Flush")
	require.NoError(t, h.Flush(t.Context()))
	assert.Equal(t, 3, f.Calls())
	require.NoError(t, h.Flush(t.Context()), "an empty queue runs nothing")
}

func TestBatchLogHandlerSplitsAtArgLimit(t *testing.T) {
	rec := &logCalls{}
	h := hookenv.NewBatchLogHandler(rec, nil)
	logger := slog.New(h)
	line := strings.Repeat("x", 50000)
	for range 5 {
		logger.Info(line)
	}
	require.NoError(t, h.Flush(t.Context()))
	require.Len(t, rec.calls, 3, "5 lines of 50000 bytes in arguments of at most 131071")
	assert.Equal(t, line+"\n"+line, rec.calls[0][4])
	assert.Equal(t, line, rec.calls[2][4])
}

// Ensure that a batch that cannot reach juju-log falls back to one stderr
// line per record, as charm-helpers prints them, not one joined message.
func TestBatchLogHandlerFallbackPerRecord(t *testing.T) {
	f := newFake(t, "faults/none.txt", "juju-log")
	var stderr bytes.Buffer
	h := hookenv.NewBatchLogHandlerWithFallback(f.Runner, nil, &stderr)
	logger := slog.New(h)
	logger.Info("first")
	logger.Info("second")
	logger.Warn("third")
	require.NoError(t, h.Flush(t.Context()))
	assert.Equal(t, "juju-log: INFO: first\njuju-log: INFO: second\njuju-log: WARNING: third\n", stderr.String())
}
