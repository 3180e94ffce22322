package hookenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Levels of Juju's logger that slog has no name for.
const (
	LevelTrace    = slog.Level(-8)
	LevelCritical = slog.Level(12)
)

// JujuLevel returns the juju-log level name for a slog level: below Debug is TRACE,
// then DEBUG, INFO, WARNING, ERROR, and from LevelCritical up CRITICAL. Levels
// between two names take the lower one.
func JujuLevel(l slog.Level) string {
	switch {
	case l < slog.LevelDebug:
		return "TRACE"
	case l < slog.LevelInfo:
		return "DEBUG"
	case l < slog.LevelWarn:
		return "INFO"
	case l < slog.LevelError:
		return "WARNING"
	case l < LevelCritical:
		return "ERROR"
	}
	return "CRITICAL"
}

// logMessage makes msg fit one argument: NUL bytes become "\x00" text and the
// message is cut to the argument limit at a character boundary.
func logMessage(msg string) string {
	if strings.IndexByte(msg, 0) >= 0 {
		msg = strings.ReplaceAll(msg, "\x00", `\x00`)
	}
	if len(msg) > maxArgLen {
		cut := maxArgLen
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut]
	}
	return msg
}

// Log writes msg to the Juju log at level (`juju-log -l LEVEL -- msg`). The `--`
// lets a message start with "-". Over-long messages are cut to the argument limit.
func (t *Tools) Log(ctx context.Context, level slog.Level, msg string) error {
	_, err := t.run(ctx, "juju-log", []string{"-l", JujuLevel(level), "--", logMessage(msg)}, nil)
	return err
}

// logHandler is the slog.Handler returned by NewLogHandler.
type logHandler struct {
	tools    *Tools
	level    slog.Leveler
	fallback io.Writer // where records go when juju-log cannot be run

	mu    *sync.Mutex   // guards buf and the inner handler's writes
	buf   *bytes.Buffer // receives the inner handler's attribute text
	inner slog.Handler  // a TextHandler printing attributes only
	batch *batch        // non-nil for a BatchLogHandler: records queue here
}

// NewLogHandler returns a slog.Handler that writes each record to juju-log at the
// matching level ([JujuLevel]). The message is the record's message followed by its
// attributes in slog's text format ("started port=8080 app.mode=ha"); Juju adds the
// time, so the handler leaves it out. When juju-log cannot be run (outside a hook, or
// missing from PATH) the record is written to stderr as "juju-log: LEVEL: message",
// as charm-helpers does. opts nil means slog's defaults (level INFO); ReplaceAttr,
// if set, is applied to attributes other than time, level and message.
//
// Every record is one juju-log process: keep framework chatter at a level the
// handler does not enable, or send it to a plain stderr handler.
func NewLogHandler(r Runner, opts *slog.HandlerOptions) slog.Handler {
	return newLogHandler(r, opts, os.Stderr)
}

func newLogHandler(r Runner, opts *slog.HandlerOptions, fallback io.Writer) *logHandler {
	var o slog.HandlerOptions
	if opts != nil {
		o = *opts
	}
	h := &logHandler{
		tools:    &Tools{Runner: r},
		level:    o.Level,
		fallback: fallback,
		mu:       new(sync.Mutex),
		buf:      new(bytes.Buffer),
	}
	if h.level == nil {
		h.level = slog.LevelInfo
	}
	user := o.ReplaceAttr
	h.inner = slog.NewTextHandler(h.buf, &slog.HandlerOptions{
		AddSource: o.AddSource,
		Level:     slog.Level(-1 << 20), // filtering is done by Enabled
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && (a.Key == slog.TimeKey || a.Key == slog.LevelKey || a.Key == slog.MessageKey) {
				return slog.Attr{}
			}
			if user != nil {
				return user(groups, a)
			}
			return a
		},
	})
	return h
}

// Enabled reports whether the level is at or above the handler's minimum.
func (h *logHandler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= h.level.Level()
}

// format renders a record as the juju-log message: the message, then the
// attributes in slog's text format.
func (h *logHandler) format(ctx context.Context, r slog.Record) (string, error) {
	h.mu.Lock()
	h.buf.Reset()
	err := h.inner.Handle(ctx, r)
	attrs := strings.TrimSuffix(h.buf.String(), "\n")
	h.mu.Unlock()
	if err != nil {
		return "", err
	}
	msg := r.Message
	if attrs != "" {
		if msg != "" {
			msg += " "
		}
		msg += attrs
	}
	return msg, nil
}

// Handle formats the record and runs juju-log, falling back to stderr; a batching
// handler queues the record instead.
func (h *logHandler) Handle(ctx context.Context, r slog.Record) error {
	msg, err := h.format(ctx, r)
	if err != nil {
		return err
	}
	if h.batch != nil {
		h.batch.add(r.Level, msg)
		return nil
	}
	return h.send(ctx, r.Level, msg)
}

// send runs juju-log once, writing the fallback line when that fails.
func (h *logHandler) send(ctx context.Context, level slog.Level, msgs ...string) error {
	err := h.tools.Log(ctx, level, strings.Join(msgs, "\n"))
	if err == nil {
		return nil
	}
	// The fallback keeps one line per record, as charm-helpers prints them,
	// even when a batch joined several records into one juju-log message.
	h.mu.Lock()
	var werr error
	for _, msg := range msgs {
		if _, e := fmt.Fprintf(h.fallback, "juju-log: %s: %s\n", JujuLevel(level), msg); e != nil && werr == nil {
			werr = e
		}
	}
	h.mu.Unlock()
	if errors.Is(err, ErrToolNotFound) {
		return werr
	}
	return err
}

// WithAttrs returns a handler whose records carry attrs.
func (h *logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	c := *h
	c.inner = h.inner.WithAttrs(attrs)
	return &c
}

// WithGroup returns a handler that qualifies later attributes with name.
func (h *logHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.inner = h.inner.WithGroup(name)
	return &c
}

// batch is the queue of a BatchLogHandler, shared by its derived handlers.
type batch struct {
	mu      sync.Mutex
	records []batchRecord
	// sending holds one token while records are being sent, so that two
	// flushes (the background one and the last) send in queue order.
	sending chan struct{}

	// Background sending (AutoFlush); guarded by mu.
	every   time.Duration   // 0: off
	ctx     context.Context // the background sends' context
	timer   *time.Timer     // armed while a record waits for a background send
	pending sync.WaitGroup  // armed timers and background sends in progress
	flush   func(context.Context) error
}

type batchRecord struct {
	level slog.Level
	msg   string
}

func (b *batch) add(l slog.Level, msg string) {
	b.mu.Lock()
	b.records = append(b.records, batchRecord{l, msg})
	if b.every > 0 && b.timer == nil {
		b.pending.Add(1)
		b.timer = time.AfterFunc(b.every, b.background)
	}
	b.mu.Unlock()
}

// background is a timer's send: every record queued by then.
func (b *batch) background() {
	defer b.pending.Done()
	b.mu.Lock()
	b.timer = nil
	ctx := b.ctx
	b.mu.Unlock()
	_ = b.flush(ctx)
}

// take empties the queue and returns what it held.
func (b *batch) take() []batchRecord {
	b.mu.Lock()
	defer b.mu.Unlock()
	records := b.records
	b.records = nil
	return records
}

// BatchLogHandler is a slog.Handler that queues records and sends them to
// juju-log only when Flush is called (or, with [BatchLogHandler.AutoFlush],
// once a record has waited long enough), joining consecutive records of the
// same Juju level into one multi-line message. A hook that logs a hundred
// framework lines then costs a handful of juju-log processes instead of a
// hundred.
type BatchLogHandler struct {
	logHandler
}

// NewBatchLogHandler returns a [BatchLogHandler] over r, formatting records as
// [NewLogHandler] does. Call Flush before the hook ends (records still queued when
// the process exits are lost).
func NewBatchLogHandler(r Runner, opts *slog.HandlerOptions) *BatchLogHandler {
	return newBatchLogHandler(r, opts, os.Stderr)
}

func newBatchLogHandler(r Runner, opts *slog.HandlerOptions, fallback io.Writer) *BatchLogHandler {
	h := newLogHandler(r, opts, fallback)
	h.batch = &batch{sending: make(chan struct{}, 1)}
	b := &BatchLogHandler{logHandler: *h}
	h.batch.flush = b.Flush
	return b
}

// AutoFlush makes the handler send queued records in the background, so
// that a hook that hangs, or is killed, has sent what it logged up to a
// moment before: once a record has waited interval in the queue, it is sent
// with every record queued after it, with ctx (records a send could not
// deliver go to stderr, as Flush's do). A hook shorter than interval still
// sends everything in one Flush at its end.
//
// The returned stop function switches the background sending off and waits
// for a send in progress to end (cancel ctx first to cut it short); records
// still queued wait for Flush. A non-positive interval does nothing.
func (b *BatchLogHandler) AutoFlush(ctx context.Context, interval time.Duration) (stop func()) {
	q := b.batch
	if interval <= 0 {
		return func() {}
	}
	q.mu.Lock()
	q.every, q.ctx = interval, ctx
	if len(q.records) > 0 && q.timer == nil {
		q.pending.Add(1)
		q.timer = time.AfterFunc(interval, q.background)
	}
	q.mu.Unlock()
	return func() {
		q.mu.Lock()
		q.every = 0
		if q.timer != nil && q.timer.Stop() {
			q.timer = nil
			q.pending.Done()
		}
		q.mu.Unlock()
		q.pending.Wait()
	}
}

// Flush sends the queued records, one juju-log call per run of records with the
// same Juju level (split further to stay within the argument limit), and empties
// the queue. It returns the first error; records that could not be sent are
// written to stderr as NewLogHandler's fallback does.
//
// Records are sent in the order they were logged: a Flush waits for a
// background send in progress ([BatchLogHandler.AutoFlush]) to end. If ctx
// ends first, the queued records are written to stderr at once and the
// error wraps ctx's.
func (b *BatchLogHandler) Flush(ctx context.Context) error {
	q := b.batch
	select {
	case q.sending <- struct{}{}:
	default:
		select {
		case q.sending <- struct{}{}:
		case <-ctx.Done():
			b.fallbackAll(q.take())
			return fmt.Errorf("hookenv: sending the log: %w", ctx.Err())
		}
	}
	defer func() { <-q.sending }()
	records := q.take()
	var first error
	for i := 0; i < len(records); {
		level := JujuLevel(records[i].level)
		msgs := []string{records[i].msg}
		size := len(records[i].msg)
		j := i + 1
		for ; j < len(records) && JujuLevel(records[j].level) == level && size+1+len(records[j].msg) <= maxArgLen; j++ {
			msgs = append(msgs, records[j].msg)
			size += 1 + len(records[j].msg)
		}
		if err := b.send(ctx, records[i].level, msgs...); err != nil && first == nil {
			first = err
		}
		i = j
	}
	return first
}

// fallbackAll writes records to the fallback, one line each.
func (b *BatchLogHandler) fallbackAll(records []batchRecord) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range records {
		fmt.Fprintf(b.fallback, "juju-log: %s: %s\n", JujuLevel(r.level), r.msg)
	}
}
