package hookenv_test

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/hookenv"
)

// gatedLog is a juju-log runner that records each call's message and, while
// gate is not nil, blocks each call until gate is closed or the call's
// context ends.
type gatedLog struct {
	mu      sync.Mutex
	msgs    []string
	gate    chan struct{}
	started chan string // receives each call's message as it starts, if not nil
}

func (g *gatedLog) Run(ctx context.Context, _ string, args []string, _ []byte) ([]byte, error) {
	msg := args[len(args)-1]
	g.mu.Lock()
	gate, started := g.gate, g.started
	g.mu.Unlock()
	if started != nil {
		started <- msg
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	g.mu.Lock()
	g.msgs = append(g.msgs, msg)
	g.mu.Unlock()
	return nil, nil
}

func (g *gatedLog) sent() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.msgs...)
}

// eventually polls cond every 5 ms for up to 15 s (a generous bound for
// what takes milliseconds).
func eventually(cond func() bool) bool {
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// Ensure that with AutoFlush queued records are sent in the background once
// they have waited the interval, together, without a Flush (records queued
// before AutoFlush wait from then on); and that after stop nothing is sent
// until Flush.
func TestBatchLogHandlerAutoFlush(t *testing.T) {
	g := &gatedLog{}
	h := hookenv.NewBatchLogHandler(g, nil)
	logger := slog.New(h)
	logger.Info("first")
	logger.Info("second")
	stop := h.AutoFlush(t.Context(), 20*time.Millisecond) // the queue waits from now
	require.True(t, eventually(func() bool { return len(g.sent()) == 1 }), "sent: %q", g.sent())
	assert.Equal(t, []string{"first\nsecond"}, g.sent(), "one call for the records queued together")

	logger.Warn("third")
	require.True(t, eventually(func() bool { return len(g.sent()) == 2 }), "sent: %q", g.sent())
	assert.Equal(t, "third", g.sent()[1])

	stop()
	logger.Info("after stop")
	time.Sleep(100 * time.Millisecond) // five intervals: no timer is armed any more
	assert.Len(t, g.sent(), 2, "nothing is sent in the background after stop")
	require.NoError(t, h.Flush(t.Context()))
	assert.Equal(t, []string{"first\nsecond", "third", "after stop"}, g.sent())
}

// Ensure that a Flush waits for a background send in progress, so records
// reach juju-log in the order they were logged.
func TestBatchLogHandlerFlushKeepsOrder(t *testing.T) {
	g := &gatedLog{gate: make(chan struct{}), started: make(chan string, 10)}
	h := hookenv.NewBatchLogHandler(g, nil)
	stop := h.AutoFlush(t.Context(), time.Millisecond)
	defer stop()
	logger := slog.New(h)
	logger.Info("older")
	require.Equal(t, "older", <-g.started, "the background send started")
	logger.Warn("newer")
	done := make(chan error, 1)
	go func() { done <- h.Flush(context.Background()) }()
	close(g.gate)
	require.NoError(t, <-done)
	stop()
	assert.Equal(t, []string{"older", "newer"}, g.sent())
}

// Ensure that a Flush whose context ends while a background send holds the
// queue writes the queued records to stderr at once and reports the
// context's error, and that cancelling the background context then ends
// the background send (its records go to stderr too).
func TestBatchLogHandlerFlushDeadline(t *testing.T) {
	g := &gatedLog{gate: make(chan struct{}), started: make(chan string, 10)}
	var stderr lockedBuffer
	h := hookenv.NewBatchLogHandlerWithFallback(g, nil, &stderr)
	bg, cancelBg := context.WithCancel(context.Background())
	stop := h.AutoFlush(bg, time.Millisecond)
	logger := slog.New(h)
	logger.Info("in the background send")
	<-g.started
	logger.Error("queued")

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := h.Flush(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 10*time.Second)
	assert.Equal(t, "juju-log: ERROR: queued\n", stderr.String())

	cancelBg()
	stop()
	assert.Equal(t, "juju-log: ERROR: queued\njuju-log: INFO: in the background send\n", stderr.String())
	assert.Empty(t, g.sent())
}

// lockedBuffer is a bytes.Buffer safe for concurrent writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
