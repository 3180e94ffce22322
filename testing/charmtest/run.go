package charmtest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/reactive"
)

// Result is what one hook did: the unit's next state, embedded (so out.Flags,
// out.LeaderSettings, out.Files, ... read it and out.Run runs the next hook),
// plus what happened during the hook.
type Result struct {
	// Unit is the unit's state after the hook. After a failed hook its store
	// (Flags, Snapshot, Tombstones, KV) is exactly as before the hook, while
	// Juju's side keeps what the tools did at once: leader-set writes, status.
	// Relation writes (relation-set) are applied only after a successful hook.
	// A unit whose lease ran out during the hook (LoseLeadershipAfter) is no
	// longer Leader; Faults, Config, Now and Env are carried over unchanged.
	Unit

	// Hook is the hook that ran.
	Hook string
	// Err is why the hook failed (the process would exit non-zero); nil on success.
	Err error
	// ExitCode is the exit status the charm process would have: 0, 1 on error,
	// n for reactive.Abort(n).
	ExitCode int
	// Invoked lists the handlers that ran, in order.
	Invoked []string
	// Events lists the flag transitions of the hook in order, "+flag" for a
	// set and "-flag" for a clear, as the reactive tracer reports them. In a
	// failed hook they are what happened before the store was rolled back.
	// Restricted hooks (collect-metrics) run without the tracer: no events.
	Events []string
	// Calls lists every hook-tool call, failed ones included.
	Calls []ToolCall
	// StatusHistory lists every successful status-set call, in order.
	StatusHistory []StatusChange
	// Logs holds juju-log calls and the framework's log records (without the
	// tracer's lines, which are in Events), in order.
	Logs []LogRecord
	// Version is the last application-version-set value; empty if none.
	Version string
}

// HasFlag reports whether the flag is set after the hook.
func (r Result) HasFlag(name string) bool { return slices.Contains(r.Flags, name) }

// Setting returns a leader setting after the hook and whether it is set.
func (r Result) Setting(key string) (string, bool) {
	v, ok := r.LeaderSettings[key]
	return v, ok
}

// File returns the content of a file of the charm directory after the hook
// and whether it exists.
func (r Result) File(name string) (string, bool) {
	v, ok := r.Files[name]
	return v, ok
}

// CallsTo returns the calls made to one tool, in order.
func (r Result) CallsTo(tool string) []ToolCall {
	var out []ToolCall
	for _, c := range r.Calls {
		if c.Tool == tool {
			out = append(out, c)
		}
	}
	return out
}

// Run runs one hook of the unit in process, against a fresh registry built by
// register, with fake hook tools and a real SQLite store in a temporary
// directory, and returns the new state. It never modifies u. A problem with
// the harness or with u itself (see [Unit.Validate]) fails the test at once;
// a failing hook does not: see [Result.Err].
//
// Runs share nothing, so tests may call t.Parallel. A cleanup registered on t
// reopens the store after the test and checks that it holds exactly what the
// result reports.
func (u Unit) Run(t testing.TB, register func(*reactive.Registry), hook string) Result {
	t.Helper()
	dir := t.TempDir()
	out, err := u.RunDir(t.Context(), dir, register, hook)
	if err != nil {
		t.Fatalf("charmtest: %s on %s: %v", hook, u.name(), err)
	}
	want := out.Unit.clone() // the test may change out; the check must not see it
	t.Cleanup(func() {
		if err := checkStore(context.Background(), dir, want); err != nil {
			t.Errorf("charmtest: store invariant after %s on %s: %v", hook, u.name(), err)
		}
	})
	return out
}

// RunDir is [Unit.Run] without a testing.TB: it simulates the hook in dir,
// which must be empty or missing (the charm directory is dir/charm), and
// returns an error only for a problem with the harness or with u. Examples and
// non-test tools use it.
func (u Unit) RunDir(ctx context.Context, dir string, register func(*reactive.Registry), hook string) (Result, error) {
	if register == nil {
		return Result{}, fmt.Errorf("%w: nil register function", ErrInvalidUnit)
	}
	if !hookNameRE.MatchString(hook) {
		return Result{}, fmt.Errorf("%w: hook name %q", ErrInvalidUnit, hook)
	}
	if err := u.Validate(); err != nil {
		return Result{}, err
	}
	in := u.clone()
	charmDir := filepath.Join(dir, "charm")
	if entries, err := os.ReadDir(charmDir); err == nil && len(entries) > 0 {
		return Result{}, fmt.Errorf("charmtest: charm directory %s is not empty: give each run its own directory", charmDir)
	}
	if err := writeFiles(charmDir, in.Files); err != nil {
		return Result{}, err
	}
	j, err := newJuju(in, hook)
	if err != nil {
		return Result{}, err
	}
	env, err := j.env(charmDir)
	if err != nil {
		return Result{}, err
	}
	store, err := openStore(ctx, filepath.Join(charmDir, stateDBName), in)
	if err != nil {
		return Result{}, err
	}
	defer store.Close()

	reg := reactive.NewRegistry()
	if err := safeRegister(register, reg); err != nil {
		return Result{}, err
	}
	lh := &logHandler{j: j}
	res, _ := reg.Run(ctx, reactive.RunOptions{
		Store:  store,
		Env:    env,
		Runner: j.runner(charmDir),
		Logger: slog.New(lh),
		Trace:  true,
		Clock:  newClock(in.Now, in.ClockStep),
	})
	if ctx.Err() != nil {
		return Result{}, fmt.Errorf("charmtest: hook %s: %w", hook, ctx.Err())
	}

	next := in.clone()
	version, err := j.finish(&next, res.Err == nil)
	if err != nil {
		return Result{}, err
	}
	st, err := readStore(ctx, store)
	if err != nil {
		return Result{}, err
	}
	next.Flags, next.Snapshot, next.Tombstones, next.KV = st.Flags, st.Snapshot, st.Tombstones, st.KV
	if next.Files, err = readFiles(charmDir); err != nil {
		return Result{}, err
	}
	calls, logs, statuses, err := j.records()
	if err != nil {
		return Result{}, err
	}
	out := Result{
		Unit:          next,
		Hook:          hook,
		Err:           res.Err,
		ExitCode:      res.ExitCode,
		Invoked:       res.Invoked,
		Events:        lh.events(),
		Calls:         calls,
		StatusHistory: statuses,
		Logs:          logs,
		Version:       version,
	}
	if !reflect.DeepEqual(u, in) {
		return out, errors.New("charmtest: internal error: the input unit was modified")
	}
	return out, nil
}

// safeRegister calls register, turning a panic (a registration mistake in the
// charm's code) into an error.
func safeRegister(register func(*reactive.Registry), r *reactive.Registry) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("charmtest: registering the charm's handlers panicked: %v", v)
		}
	}()
	register(r)
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// newClock returns a clock reading start (or the default time) and moving by
// step after every reading.
func newClock(start time.Time, step time.Duration) func() time.Time {
	if start.IsZero() {
		start = defaultNow
	}
	var mu sync.Mutex
	now := start
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t := now
		now = now.Add(step)
		return t
	}
}

// writeFiles creates the charm directory with the given files.
func writeFiles(charmDir string, files map[string]string) error {
	if err := os.MkdirAll(charmDir, 0o755); err != nil {
		return fmt.Errorf("charmtest: creating the charm directory: %w", err)
	}
	for _, name := range sortedKeys(files) {
		p := filepath.Join(charmDir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("charmtest: writing file %q: %w", name, err)
		}
		if err := os.WriteFile(p, []byte(files[name]), 0o644); err != nil {
			return fmt.Errorf("charmtest: writing file %q: %w", name, err)
		}
	}
	return nil
}

// readFiles returns every regular file under charmDir except the store.
func readFiles(charmDir string) (map[string]string, error) {
	var files map[string]string
	err := filepath.WalkDir(charmDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(charmDir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if isStoreFile(rel) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if files == nil {
			files = map[string]string{}
		}
		files[rel] = string(b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("charmtest: reading the charm directory: %w", err)
	}
	return files, nil
}

// checkStore reopens the store a Run left in dir and checks that it holds
// exactly the state the result reports (bbolt's after-test consistency check).
func checkStore(ctx context.Context, dir string, want Unit) error {
	store, err := openStore(ctx, filepath.Join(dir, "charm", stateDBName), Unit{})
	if err != nil {
		return err
	}
	defer store.Close()
	got, err := readStore(ctx, store)
	if err != nil {
		return err
	}
	wantSt := storeState{Flags: want.Flags, Snapshot: want.Snapshot, Tombstones: want.Tombstones, KV: want.KV}
	if !reflect.DeepEqual(got, wantSt) {
		return fmt.Errorf("store holds %+v, the result reports %+v", got, wantSt)
	}
	return nil
}

// logHandler records the framework's slog records on the model, in order
// with juju-log calls, and turns tracer lines into flag events.
type logHandler struct {
	j     *juju
	attrs []slog.Attr
	mu    sync.Mutex
	evs   []string
}

func (h *logHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *logHandler) Handle(_ context.Context, r slog.Record) error {
	if strings.HasPrefix(r.Message, "tracer:") || strings.HasPrefix(r.Message, "tracer>") {
		h.trace(r.Message)
		return nil
	}
	var b strings.Builder
	b.WriteString(r.Message)
	add := func(a slog.Attr) bool {
		if !a.Equal(slog.Attr{}) {
			fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		}
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	h.j.log(hookenv.JujuLevel(r.Level), b.String())
	return nil
}

// trace extracts "set flag X" / "cleared flag X" lines from a tracer record.
// The record that starts dispatch lists the flags already set with the same
// words; it holds no transition.
func (h *logHandler) trace(text string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if strings.Contains(text, "tracer: starting handler dispatch") {
		return
	}
	for _, line := range strings.Split(text, "\n") {
		msg, ok := strings.CutPrefix(line, "tracer: ")
		if !ok {
			continue
		}
		if f, ok := strings.CutPrefix(msg, "set flag "); ok {
			h.evs = append(h.evs, "+"+f)
		} else if f, ok := strings.CutPrefix(msg, "cleared flag "); ok {
			h.evs = append(h.evs, "-"+f)
		}
	}
}

func (h *logHandler) events() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.evs)
}

func (h *logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &logHandler{j: h.j, attrs: append(slices.Clone(h.attrs), as...)}
}

func (h *logHandler) WithGroup(string) slog.Handler { return h }
