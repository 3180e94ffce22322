package charmtest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmkit/charmkit/files"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/testing/fakejuju"
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
	// longer Leader, and so no longer sees AppStatus nor the AppData of its
	// relations with other applications: they are left empty, so that the
	// result runs again as it is. Files and Modes hold every file of the
	// charm directory and of the unit's root (absolute paths) after the hook,
	// failed or not. Charm, Faults, Config, Now and Env are carried over
	// unchanged.
	Unit

	// Hook is the hook that ran; empty for an action.
	Hook string
	// Action is the action that ran ([Unit.RunAction]) with its results,
	// failure and log messages; nil for a hook. An action whose process
	// failed (Err) is failed, with the message "exit status <n>" unless
	// the charm called action-fail.
	Action *Action
	// Err is why the hook failed (the process would exit non-zero), or
	// Juju's refusal of the changes of a hook that succeeded (an error
	// matching fakejuju.ErrCommitFailed: a follower's write to an
	// application-owned secret, a secret label in use); nil on success.
	// After a refusal the charm's own store holds what the hook committed,
	// as on a real unit, and Juju's side what it applied before refusing.
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

// File returns the content of a file after the hook and whether it exists:
// name is relative to the charm directory ("admin_password") or an
// absolute path on the unit's machine ("/etc/app/app.conf", written through
// files.Path).
func (r Result) File(name string) (string, bool) {
	v, ok := r.Files[name]
	return v, ok
}

// FileMode returns the permission bits of a file after the hook (as
// [Result.File] names it) and whether it exists.
func (r Result) FileMode(name string) (fs.FileMode, bool) {
	if _, ok := r.Files[name]; !ok {
		return 0, false
	}
	return r.Modes[name], true
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
// which must be empty or missing (the charm directory is dir/charm, the
// unit's root for system paths dir/root), and returns an error only for a
// problem with the harness or with u. Examples and non-test tools use it.
func (u Unit) RunDir(ctx context.Context, dir string, register func(*reactive.Registry), hook string) (Result, error) {
	if register == nil {
		return Result{}, fmt.Errorf("%w: nil register function", ErrInvalidUnit)
	}
	if !hookNameRE.MatchString(hook) {
		return Result{}, fmt.Errorf("%w: hook name %q", ErrInvalidUnit, hook)
	}
	charm, err := u.validate()
	if err != nil {
		return Result{}, err
	}
	if err := charm.checkHook(hook); err != nil {
		return Result{}, err
	}
	return u.run(ctx, dir, register, charm, hook, nil)
}

// RunAction runs the action name on the unit, as `juju run <unit> <name>
// key=value...` does, and returns the new state like [Unit.Run]; the
// action's results, failure and log messages are in [Result.Action].
// The charm runs with an empty hook name (a reactive.OnAction handler
// holds), and the action tools serve params. As Juju does before it runs
// an action, the harness checks it against the charm's actions.yaml (or
// the actions of charmcraft.yaml): an action it does not declare, a
// parameter of the wrong type, a missing required one, or one it does not
// declare under additionalProperties: false fails the test; parameters
// not given take their defaults. Parameter values are strings, bools,
// integers, floats, nil, or []any and map[string]any of them.
func (u Unit) RunAction(t testing.TB, register func(*reactive.Registry), name string, params map[string]any) Result {
	t.Helper()
	dir := t.TempDir()
	out, err := u.RunActionDir(t.Context(), dir, register, name, params)
	if err != nil {
		t.Fatalf("charmtest: action %s on %s: %v", name, u.name(), err)
	}
	want := out.Unit.clone()
	t.Cleanup(func() {
		if err := checkStore(context.Background(), dir, want); err != nil {
			t.Errorf("charmtest: store invariant after action %s on %s: %v", name, u.name(), err)
		}
	})
	return out
}

// RunActionDir is [Unit.RunAction] without a testing.TB, as [Unit.RunDir]
// is for [Unit.Run].
func (u Unit) RunActionDir(ctx context.Context, dir string, register func(*reactive.Registry), name string, params map[string]any) (Result, error) {
	if register == nil {
		return Result{}, fmt.Errorf("%w: nil register function", ErrInvalidUnit)
	}
	if !actionNameRE.MatchString(name) {
		return Result{}, fmt.Errorf("%w: action name %q: want lowercase letters, digits and hyphens, starting with a letter", ErrInvalidUnit, name)
	}
	charm, err := u.validate()
	if err != nil {
		return Result{}, err
	}
	p, err := charm.actionParams(name, params)
	if err != nil {
		return Result{}, err
	}
	return u.run(ctx, dir, register, charm, "", &Action{Name: name, ID: "1", Params: p})
}

// run runs a hook, or the action when action is not nil.
func (u Unit) run(ctx context.Context, dir string, register func(*reactive.Registry), charm *charmSpec, hook string, action *Action) (Result, error) {
	what := "hook " + hook
	if action != nil {
		what = "action " + action.Name
	}
	in := u.clone()
	charmDir, rootDir := filepath.Join(dir, "charm"), filepath.Join(dir, "root")
	for _, d := range []string{charmDir, rootDir} {
		if entries, err := os.ReadDir(d); err == nil && len(entries) > 0 {
			return Result{}, fmt.Errorf("charmtest: directory %s is not empty: give each run its own directory", d)
		}
	}
	if err := writeFiles(charmDir, rootDir, in.Files, in.Modes); err != nil {
		return Result{}, err
	}
	if err := charm.copyFiles(charmDir); err != nil {
		return Result{}, err
	}
	j, err := newJuju(in, charm, hook, action)
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
	res, _ := reg.Run(files.WithRoot(ctx, rootDir), reactive.RunOptions{
		Store:    store,
		Env:      env,
		Runner:   j.runner(charmDir),
		Logger:   slog.New(lh),
		Trace:    true,
		Clock:    newClock(in.Now, in.ClockStep),
		Metadata: charm.metadata,
	})
	if ctx.Err() != nil {
		return Result{}, fmt.Errorf("charmtest: %s: %w", what, ctx.Err())
	}

	next := in.clone()
	hookErr := res.Err
	version, done, err := j.finish(&next, res.Err == nil)
	if errors.Is(err, fakejuju.ErrCommitFailed) {
		hookErr = err // the process succeeded; Juju refused its changes
	} else if err != nil {
		return Result{}, err
	}
	st, err := readStore(ctx, store)
	if err != nil {
		return Result{}, err
	}
	next.Flags, next.Snapshot, next.Tombstones, next.KV = st.Flags, st.Snapshot, st.Tombstones, st.KV
	if next.Files, next.Modes, err = readUnitFiles(charmDir, rootDir); err != nil {
		return Result{}, err
	}
	charm.dropCopies(next.Files, next.Modes)
	calls, logs, statuses, err := j.records()
	if err != nil {
		return Result{}, err
	}
	out := Result{
		Unit:          next,
		Hook:          hook,
		Err:           hookErr,
		ExitCode:      res.ExitCode,
		Invoked:       res.Invoked,
		Events:        lh.events(),
		Calls:         calls,
		StatusHistory: statuses,
		Logs:          logs,
		Version:       version,
	}
	if done != nil {
		a := *done
		a.Params = action.Params // as given, not as the fake's JSON copy decoded them
		if res.ExitCode != 0 && !a.Failed {
			// Juju fails an action whose process fails, with its exit status.
			a.Failed, a.Message = true, fmt.Sprintf("exit status %d", res.ExitCode)
		}
		out.Action = &a
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

// writeFiles creates the charm directory and the unit's root with the
// given files (relative paths in the charm directory, absolute ones under
// the root) and modes (default 0644, exact: the umask does not apply).
func writeFiles(charmDir, rootDir string, files map[string]string, modes map[string]fs.FileMode) error {
	for _, d := range []string{charmDir, rootDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("charmtest: creating %s: %w", d, err)
		}
	}
	for _, name := range sortedKeys(files) {
		p := hostPath(charmDir, rootDir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("charmtest: writing file %q: %w", name, err)
		}
		mode := modes[name]
		if mode == 0 {
			mode = 0o644
		}
		if err := os.WriteFile(p, []byte(files[name]), 0o600); err != nil {
			return fmt.Errorf("charmtest: writing file %q: %w", name, err)
		}
		if err := os.Chmod(p, mode); err != nil {
			return fmt.Errorf("charmtest: writing file %q: %w", name, err)
		}
	}
	return nil
}

// hostPath returns where a path of Unit.Files is during the run.
func hostPath(charmDir, rootDir, name string) string {
	if path.IsAbs(name) {
		return filepath.Join(rootDir, filepath.FromSlash(name))
	}
	return filepath.Join(charmDir, filepath.FromSlash(name))
}

// readUnitFiles returns every regular file of the charm directory (but the
// store), by relative path, and of the unit's root, by absolute path, with
// their modes.
func readUnitFiles(charmDir, rootDir string) (map[string]string, map[string]fs.FileMode, error) {
	files, modes, err := walkFiles(charmDir, "")
	if err != nil {
		return nil, nil, err
	}
	rfiles, rmodes, err := walkFiles(rootDir, "/")
	if err != nil {
		return nil, nil, err
	}
	if len(rfiles) > 0 && files == nil {
		files, modes = map[string]string{}, map[string]fs.FileMode{}
	}
	maps.Copy(files, rfiles)
	maps.Copy(modes, rmodes)
	return files, modes, nil
}

// readFiles returns every regular file under charmDir except the store.
func readFiles(charmDir string) (map[string]string, error) {
	files, _, err := walkFiles(charmDir, "")
	return files, err
}

// walkFiles returns every regular file under dir but a store, by
// slash-separated path relative to dir after prefix, with its mode bits.
// A missing dir has no files.
func walkFiles(dir, prefix string) (map[string]string, map[string]fs.FileMode, error) {
	var files map[string]string
	var modes map[string]fs.FileMode
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipDir
			}
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if prefix == "" && isStoreFile(rel) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if files == nil {
			files, modes = map[string]string{}, map[string]fs.FileMode{}
		}
		files[prefix+rel] = string(b)
		modes[prefix+rel] = info.Mode() & fileModeBits
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("charmtest: reading the unit's files: %w", err)
	}
	return files, modes, nil
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
