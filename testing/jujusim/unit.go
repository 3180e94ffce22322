package jujusim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/charmkit/charmkit/testing/jujusim/internal/modelfs"
)

// Unit is one simulated unit of the application, with its own charm
// directory, .unit-state.db, tools directory and hook queue.
type Unit struct {
	m     *Model
	name  string
	index int

	installed   bool
	started     bool
	leaderLocal bool // the uniter's persisted "I am leader" (leader-elected accepted)
	electQueued bool // leader-elected accepted and queued, not yet run
	dying       bool
	gone        bool
	localLSV    int
	remoteLSV   int
	cfgSeen     int
	inScope     map[int]bool // peer relations entered (relation-created ran)
	queue       []*item
	failed      *item
}

// item is a hook the unit's resolver has decided to run.
type item struct {
	hook       string
	relID      int
	remoteUnit string
	remoteApp  string
	departing  string
	planned    bool   // chosen by the resolver, not a one-off
	take       func() // when the hook is picked (persisted decisions)
	done       func() // when it succeeds
}

func (it *item) same(o *item) bool {
	return it.hook == o.hook && it.relID == o.relID && it.remoteUnit == o.remoteUnit && it.remoteApp == o.remoteApp
}

// Name returns the unit's name, e.g. "app/0".
func (u *Unit) Name() string { return u.name }

// Index returns the unit's number (n in "app/n").
func (u *Unit) Index() int { return u.index }

// CharmDir returns the unit's own charm directory (CHARM_DIR), which holds
// its .unit-state.db and any file the charm writes there.
func (u *Unit) CharmDir() string { return u.m.layout.CharmDir(u.name) }

// IsLeader reports whether the unit currently holds leadership.
func (u *Unit) IsLeader() bool { return u.m.Leader() == u }

// Installed reports whether the unit's install hook has succeeded.
func (u *Unit) Installed() bool { return u.installed }

// Gone reports whether the unit was removed or killed.
func (u *Unit) Gone() bool { return u.gone }

// InError reports whether the unit's last hook failed and is waiting for
// [Unit.Retry] or [Unit.Resolve].
func (u *Unit) InError() bool { return u.failed != nil }

// FailedHook returns the name of the hook in error, or "".
func (u *Unit) FailedHook() string {
	if u.failed == nil {
		return ""
	}
	return u.failed.hook
}

// ReadFile reads a file of the unit's charm directory (name is relative).
func (u *Unit) ReadFile(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join(u.CharmDir(), filepath.FromSlash(name)))
}

// resign applies the resolver's "resign" step: a unit that accepted
// leadership but no longer holds it forgets it, with no hook.
func (u *Unit) resign() {
	if u.leaderLocal && !u.electQueued && u.m.Leader() != u {
		u.leaderLocal = false
	}
}

// plan lists, without changing anything, the hooks the unit would run from
// now on if each succeeded, in Juju's resolver order: install,
// relation-created, leader-elected or leader-settings-changed,
// config-changed, start, then queued hooks.
func (u *Unit) plan() []*item {
	if u.gone || u.failed != nil {
		return nil
	}
	var out []*item
	if !u.installed {
		out = append(out, &item{hook: "install", relID: -1, done: func() { u.installed = true }})
	}
	for _, p := range u.m.peers {
		if !u.inScope[p.id] {
			out = append(out, &item{hook: p.endpoint + "-relation-created", relID: p.id, done: func() { u.enterScope(p) }})
		}
	}
	isLeader := u.m.Leader() == u
	local := u.leaderLocal && isLeader
	switch {
	case u.electQueued:
		// Accepted when the unit was elected; runs (or is skipped, if the
		// unit no longer leads) even if leadership has moved on since.
		out = append(out, &item{hook: "leader-elected", relID: -1, done: func() { u.electQueued = false }})
	case isLeader && !local && !u.dying:
		out = append(out, &item{hook: "leader-elected", relID: -1, take: func() { u.leaderLocal = true }})
	case !local && !u.dying && u.localLSV != u.remoteLSV:
		v := u.remoteLSV
		out = append(out, &item{hook: "leader-settings-changed", relID: -1, done: func() { u.localLSV = v }})
	}
	cfgPending := u.cfgSeen != u.m.cfgVer
	if cfgPending {
		ver := u.m.cfgVer
		out = append(out, &item{hook: "config-changed", relID: -1, done: func() { u.cfgSeen = ver }})
	}
	if !u.started && (cfgPending || u.cfgSeen > 0) {
		out = append(out, &item{hook: "start", relID: -1, done: func() { u.started = true }})
	}
	for _, q := range u.queue {
		q := q
		inner := q.take
		out = append(out, &item{hook: q.hook, relID: q.relID, remoteUnit: q.remoteUnit, remoteApp: q.remoteApp, departing: q.departing, done: q.done,
			take: func() {
				u.queue = slices.DeleteFunc(u.queue, func(x *item) bool { return x == q })
				if inner != nil {
					inner()
				}
			}})
	}
	for _, it := range out {
		it.planned = true
	}
	return out
}

// Pending returns the names of the hooks the unit would run next, in
// order, if each succeeded. A unit in error has none.
func (u *Unit) Pending() []string {
	u.resign()
	var out []string
	for _, it := range u.plan() {
		out = append(out, it.hook)
	}
	return out
}

// Next runs the unit's next hook, if it has one. It reports false when the
// unit is idle, in error or gone.
func (u *Unit) Next() (*Event, bool, error) {
	u.resign()
	p := u.plan()
	if len(p) == 0 {
		return nil, false, nil
	}
	ev, err := u.runItem(p[0], false)
	return ev, true, err
}

// RunQueued runs the unit's hooks until it is idle or a hook fails.
func (u *Unit) RunQueued() ([]*Event, error) {
	var evs []*Event
	for range maxSettleHooks {
		ev, ok, err := u.Next()
		if err != nil || !ok {
			return evs, err
		}
		evs = append(evs, ev)
		if ev.Failed() {
			return evs, nil
		}
	}
	return evs, fmt.Errorf("%w: %s after %d hooks", ErrNotSettled, u.name, maxSettleHooks)
}

// Run runs the named hook now, in an order chosen by the test. If the hook
// is among the unit's pending ones (see [Unit.Pending]) it is taken from
// there, with the same effects as when Juju runs it (for example running
// leader-settings-changed marks the settings as seen); otherwise it runs
// as a one-off. A failed hook puts the unit in error.
func (u *Unit) Run(hook string) (*Event, error) {
	if u.gone {
		return nil, fmt.Errorf("jujusim: running %s on %s: %w", hook, u.name, ErrUnitGone)
	}
	if u.failed != nil {
		return nil, fmt.Errorf("jujusim: running %s on %s (failed hook %s): %w", hook, u.name, u.failed.hook, ErrUnitInError)
	}
	if hook == "" {
		return nil, fmt.Errorf("jujusim: running a hook on %s: empty hook name", u.name)
	}
	u.resign()
	return u.runItem(u.pick(hook), false)
}

// pick returns the pending item for hook, or a one-off item.
func (u *Unit) pick(hook string) *item {
	for _, it := range u.plan() {
		if it.hook == hook {
			return it
		}
	}
	it := &item{hook: hook, relID: -1}
	for _, p := range u.m.peers {
		if strings.HasPrefix(hook, p.endpoint+"-relation-") {
			it.relID = p.id
		}
	}
	return it
}

// Retry re-runs the failed hook with a fresh context, as `juju resolved`
// does (with retry).
func (u *Unit) Retry() (*Event, error) {
	if u.gone {
		return nil, fmt.Errorf("jujusim: retrying on %s: %w", u.name, ErrUnitGone)
	}
	if u.failed == nil {
		return nil, fmt.Errorf("jujusim: retrying on %s: %w", u.name, ErrNotInError)
	}
	return u.runItem(u.failed, true)
}

// Resolve marks the failed hook as resolved without running it again, as
// `juju resolved --no-retry` does: the unit carries on as if it had
// succeeded.
func (u *Unit) Resolve() error {
	if u.failed == nil {
		return fmt.Errorf("jujusim: resolving %s: %w", u.name, ErrNotInError)
	}
	it := u.failed
	u.failed = nil
	if it.done != nil {
		it.done()
	}
	u.m.record(&Event{Kind: KindResolve, Unit: u.name, Note: it.hook + " marked resolved"})
	return nil
}

// Exec runs a shell command in a hook context of the unit, as `juju exec
// --unit` does (for example "leader-set key=" on the leader). A failure is
// reported in the event's Exit and does not put the unit in error.
func (u *Unit) Exec(command string) (*Event, error) {
	if u.gone {
		return nil, fmt.Errorf("jujusim: exec on %s: %w", u.name, ErrUnitGone)
	}
	evs, err := u.m.runBatch([]*request{{u: u, kind: KindExec, it: &item{hook: "run-commands", relID: -1}, command: command}})
	if err != nil {
		return nil, err
	}
	return evs[0], nil
}

func (u *Unit) runItem(it *item, retry bool) (*Event, error) {
	evs, err := u.m.runBatch([]*request{{u: u, kind: KindHook, it: it, retry: retry, stateful: true}})
	if err != nil {
		return nil, err
	}
	return evs[0], nil
}

// enterScope records that the unit entered a peer relation and queues the
// -relation-joined and -changed hooks on both sides.
func (u *Unit) enterScope(p peerRelation) {
	if u.inScope == nil {
		u.inScope = map[int]bool{}
	}
	u.inScope[p.id] = true
	var meta modelfs.RelationMeta
	path := filepath.Join(u.m.layout.RelationDir(p.id), "meta.json")
	if _, err := modelfs.ReadJSON(path, &meta); err != nil {
		return
	}
	for _, other := range meta.Units {
		o := u.m.unitByName(other)
		if o == nil || o.gone {
			continue
		}
		o.enqueue(&item{hook: p.endpoint + "-relation-joined", relID: p.id, remoteUnit: u.name})
		o.enqueue(&item{hook: p.endpoint + "-relation-changed", relID: p.id, remoteUnit: u.name})
		u.enqueue(&item{hook: p.endpoint + "-relation-joined", relID: p.id, remoteUnit: other})
		u.enqueue(&item{hook: p.endpoint + "-relation-changed", relID: p.id, remoteUnit: other})
	}
	if !slices.Contains(meta.Units, u.name) {
		meta.Units = append(meta.Units, u.name)
	}
	_ = modelfs.WriteJSON(path, meta)
}

func (u *Unit) leaveScopes() {
	for _, p := range u.m.peers {
		var meta modelfs.RelationMeta
		path := filepath.Join(u.m.layout.RelationDir(p.id), "meta.json")
		if _, err := modelfs.ReadJSON(path, &meta); err != nil {
			continue
		}
		meta.Units = slices.DeleteFunc(meta.Units, func(s string) bool { return s == u.name })
		_ = modelfs.WriteJSON(path, meta)
		for _, other := range meta.Units {
			if o := u.m.unitByName(other); o != nil && !o.gone {
				o.queue = slices.DeleteFunc(o.queue, func(x *item) bool { return x.remoteUnit == u.name })
				o.enqueue(&item{hook: p.endpoint + "-relation-departed", relID: p.id, remoteUnit: u.name, departing: u.name})
			}
		}
	}
}

// enqueue adds a hook to the queue unless the same one is already waiting
// (Juju coalesces relation events).
func (u *Unit) enqueue(it *item) {
	for _, q := range u.queue {
		if q.same(it) {
			return
		}
	}
	u.queue = append(u.queue, it)
}

func (m *Model) unitByName(name string) *Unit {
	for _, u := range m.units {
		if u.name == name {
			return u
		}
	}
	return nil
}

// RemoveUnit removes u as `juju remove-unit` does: its peer relations are
// departed (the other units get -relation-departed) and broken, then stop
// and remove run on it; then it is gone. A unit in error gets no teardown
// hooks (as with --force). If it was the leader, nobody leads until
// [Model.Elect]; its last guarantee still runs to its end.
func (m *Model) RemoveUnit(u *Unit) error {
	if err := m.own(u, "removing"); err != nil {
		return err
	}
	u.dying = true
	if u.failed == nil {
		u.queue = nil
		var hooks []*item
		for _, p := range m.peers {
			if u.inScope[p.id] {
				hooks = append(hooks, &item{hook: p.endpoint + "-relation-broken", relID: p.id})
			}
		}
		hooks = append(hooks, &item{hook: "stop", relID: -1}, &item{hook: "remove", relID: -1})
		for _, it := range hooks {
			if _, err := m.runBatch([]*request{{u: u, kind: KindHook, it: it}}); err != nil {
				return err
			}
		}
	}
	return m.retire(u, KindRemove)
}

// KillUnit makes u's agent die with no teardown hook, as when its machine
// disappears. If it was the leader, nobody leads until [Model.Elect].
func (m *Model) KillUnit(u *Unit) error {
	if err := m.own(u, "killing"); err != nil {
		return err
	}
	return m.retire(u, KindKill)
}

func (m *Model) retire(u *Unit, kind Kind) error {
	u.gone, u.failed, u.queue = true, nil, nil
	u.leaveScopes()
	note := ""
	if l, err := m.readLeader(); err == nil && l.Valid && l.Unit == u.name {
		if _, err := m.revoke(); err != nil {
			return err
		}
		note = "was leader; nobody leads"
	}
	m.record(&Event{Kind: kind, Unit: u.name, Note: note})
	return nil
}

// request is one hook (or exec command) to run in a fresh context.
type request struct {
	u        *Unit
	kind     Kind
	it       *item
	command  string // KindExec
	retry    bool
	stateful bool // picked by the resolver: apply take, done and the error state

	ev    *Event
	ctxID string
	argv  []string
}

// runBatch runs the requests' processes at the same time (units on
// different machines), each in its own fresh context, all starting at the
// same simulated time, then records them in order. The clock then moves by
// one HookDuration.
func (m *Model) runBatch(reqs []*request) ([]*Event, error) {
	for _, r := range reqs {
		if r.stateful && !r.retry && r.it.take != nil {
			r.it.take()
		}
		if err := r.prepare(); err != nil {
			return nil, err
		}
	}
	errs := make([]error, len(reqs))
	if len(reqs) == 1 {
		errs[0] = reqs[0].execute()
	} else {
		var wg sync.WaitGroup
		for i, r := range reqs {
			wg.Go(func() { errs[i] = r.execute() })
		}
		wg.Wait()
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for _, r := range reqs {
		if err := r.finish(); err != nil {
			return nil, err
		}
	}
	if err := m.Advance(m.opts.HookDuration); err != nil {
		return nil, err
	}
	if err := m.syncSettings(); err != nil {
		return nil, err
	}
	evs := make([]*Event, len(reqs))
	for i, r := range reqs {
		r.ev.FlagsAfter, _ = r.u.Flags()
		m.record(r.ev)
		evs[i] = r.ev
		if !r.stateful {
			continue
		}
		if r.ev.Failed() {
			r.u.failed = r.it
			continue
		}
		r.u.failed = nil
		if r.it.done != nil {
			r.it.done()
		}
	}
	return evs, nil
}

// prepare creates the request's context and decides what to execute.
func (r *request) prepare() error {
	u, m, it := r.u, r.u.m, r.it
	r.ctxID = newContextID(u.name, it.hook)
	r.ev = &Event{Kind: r.kind, Unit: u.name, Hook: it.hook, Retry: r.retry, Queued: it.planned, Leader: m.Leader() == u, Time: m.now}
	if r.kind == KindExec {
		r.ev.Hook = r.command
	}
	r.ev.FlagsBefore, _ = u.Flags()
	if err := os.MkdirAll(m.layout.ContextDir(r.ctxID), 0o755); err != nil {
		return fmt.Errorf("jujusim: creating context: %w", err)
	}
	meta := modelfs.ContextMeta{ID: r.ctxID, Unit: u.name, App: m.app, Hook: it.hook, RelationID: it.relID,
		RemoteUnit: it.remoteUnit, RemoteApp: it.remoteApp}
	if it.relID >= 0 {
		meta.RelationEndpoint = m.peerEndpoint(it.relID)
		if meta.RemoteApp == "" {
			meta.RemoteApp = m.app
		}
	}
	if r.kind == KindExec {
		meta.Hook = ""
	}
	if err := modelfs.WriteJSON(m.layout.ContextFile(r.ctxID, "meta.json"), meta); err != nil {
		return fmt.Errorf("jujusim: creating context: %w", err)
	}
	if err := modelfs.WriteJSON(m.layout.UnitFile(u.name, "context.json"), modelfs.UnitContext{ID: r.ctxID}); err != nil {
		return fmt.Errorf("jujusim: creating context: %w", err)
	}
	switch {
	case r.kind == KindExec:
		r.argv = []string{"/bin/sh", "-c", r.command}
	case it.hook == "leader-elected" && !m.ensureLeader(u, r.ctxID):
		r.ev.Skipped = "unit is no longer the leader"
	default:
		charm := u.CharmDir()
		if isExecutable(filepath.Join(charm, "dispatch")) {
			r.argv = []string{filepath.Join(charm, "dispatch")}
		} else if isExecutable(filepath.Join(charm, "hooks", it.hook)) {
			r.argv = []string{filepath.Join(charm, "hooks", it.hook)}
		} else {
			r.ev.Skipped = "missing"
		}
	}
	return nil
}

// execute runs the request's process, if any. It touches only the
// request's own fields, so requests of different units run in parallel.
func (r *request) execute() error {
	if r.argv == nil {
		return nil
	}
	return r.u.exec(r.ev, r.argv, r.ctxID, r.it, r.kind)
}

// finish closes the context, collects its calls and logs, and commits its
// relation settings if the process succeeded.
func (r *request) finish() error {
	m := r.u.m
	if err := m.closeContext(r.u, r.ctxID); err != nil {
		return err
	}
	if err := r.u.collect(r.ev, r.ctxID); err != nil {
		return err
	}
	if r.argv != nil && r.ev.Exit == 0 {
		return m.commitRelations(r.u, r.ctxID)
	}
	return nil
}

func isExecutable(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

func (m *Model) peerEndpoint(id int) string {
	for _, p := range m.peers {
		if p.id == id {
			return p.endpoint
		}
	}
	return ""
}

func (u *Unit) env(ctxID string, it *item, kind Kind) []string {
	m := u.m
	charm := u.CharmDir()
	env := []string{
		"CHARM_DIR=" + charm,
		"JUJU_CHARM_DIR=" + charm,
		"JUJU_CONTEXT_ID=" + ctxID,
		"JUJU_AGENT_SOCKET_ADDRESS=" + m.layout.Socket(u.name),
		"JUJU_AGENT_SOCKET_NETWORK=unix",
		"JUJU_UNIT_NAME=" + u.name,
		"JUJU_MODEL_NAME=" + m.opts.ModelName,
		"JUJU_MODEL_UUID=" + m.uuid,
		"JUJU_VERSION=" + m.opts.JujuVersion,
		"JUJU_API_ADDRESSES=127.0.0.1:17070",
		fmt.Sprintf("JUJU_MACHINE_ID=%d", u.index),
		"JUJU_PRINCIPAL_UNIT=",
		"JUJU_AVAILABILITY_ZONE=",
		"CLOUD_API_VERSION=",
		"JUJU_CHARM_HTTP_PROXY=",
		"JUJU_CHARM_HTTPS_PROXY=",
		"JUJU_CHARM_FTP_PROXY=",
		"JUJU_CHARM_NO_PROXY=",
		"PATH=" + m.layout.ToolsDir(u.name) + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"APT_LISTCHANGES_FRONTEND=none",
		"DEBIAN_FRONTEND=noninteractive",
		"LANG=C.UTF-8",
		"TERM=tmux-256color",
	}
	if kind == KindHook {
		env = append(env, "JUJU_HOOK_NAME="+it.hook, "JUJU_DISPATCH_PATH=hooks/"+it.hook)
	}
	if it.relID >= 0 {
		ep := m.peerEndpoint(it.relID)
		remoteApp := it.remoteApp
		if remoteApp == "" {
			remoteApp = m.app
		}
		env = append(env,
			"JUJU_RELATION="+ep,
			fmt.Sprintf("JUJU_RELATION_ID=%s:%d", ep, it.relID),
			"JUJU_REMOTE_UNIT="+it.remoteUnit,
			"JUJU_REMOTE_APP="+remoteApp,
		)
		if strings.HasSuffix(it.hook, "-relation-departed") {
			env = append(env, "JUJU_DEPARTING_UNIT="+it.departing)
		}
	}
	return append(env, m.opts.Env...)
}

func (u *Unit) exec(ev *Event, argv []string, ctxID string, it *item, kind Kind) error {
	ctx, cancel := context.WithTimeout(context.Background(), u.m.opts.HookTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	var err error
	// A dispatch just copied into place can be busy for a moment: a process
	// forked elsewhere in this program may still hold the copy's descriptor
	// until it execs (golang.org/issue/22315). Retry briefly.
	for attempt := 0; ; attempt++ {
		cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
		cmd.Dir = u.CharmDir()
		cmd.Env = u.env(ctxID, it, kind)
		stdout.Reset()
		stderr.Reset()
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
		cmd.WaitDelay = time.Second
		err = cmd.Run()
		if !errors.Is(err, syscall.ETXTBSY) || attempt >= 50 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	ev.Stdout, ev.Stderr = stdout.String(), stderr.String()
	var ee *exec.ExitError
	switch {
	case err == nil:
		ev.Exit = 0
	case errors.As(err, &ee):
		ev.Exit = ee.ExitCode()
		if ctx.Err() != nil {
			ev.Stderr += fmt.Sprintf("jujusim: hook killed after %s\n", u.m.opts.HookTimeout)
		}
	default:
		return fmt.Errorf("jujusim: running %s on %s: %w", it.hook, u.name, err)
	}
	return nil
}

// ensureLeader is the check Juju makes on a new context before running
// leader-elected: the same as is-leader's, with the same effects.
func (m *Model) ensureLeader(u *Unit, ctxID string) bool {
	unlock, err := modelfs.Lock(m.layout.AppLock(m.app), true)
	if err != nil {
		return false
	}
	defer unlock()
	var l modelfs.Leader
	if _, err := modelfs.ReadJSON(m.layout.LeaderFile(m.app), &l); err != nil || l.Unit != u.name || !l.Valid {
		_ = os.WriteFile(m.layout.ContextFile(ctxID, "minion"), nil, 0o644)
		return false
	}
	now := m.now.UnixNano()
	if until := now + int64(Guarantee); until > l.Expires {
		l.Expires = until
		if err := modelfs.WriteJSON(m.layout.LeaderFile(m.app), l); err != nil {
			return false
		}
	}
	return modelfs.AppendJSONL(m.layout.LeasesFile(m.app), modelfs.Lease{Unit: u.name, Context: ctxID, Time: now, Epoch: l.Epoch}) == nil
}

// closeContext ends a hook context: later tool calls with its id fail.
func (m *Model) closeContext(u *Unit, ctxID string) error {
	unlock, err := modelfs.Lock(m.layout.ContextFile(ctxID, "lock"), true)
	if err != nil {
		return fmt.Errorf("jujusim: closing context: %w", err)
	}
	defer unlock()
	if err := os.WriteFile(m.layout.ContextFile(ctxID, "closed"), nil, 0o644); err != nil {
		return fmt.Errorf("jujusim: closing context: %w", err)
	}
	if err := modelfs.WriteJSON(m.layout.UnitFile(u.name, "context.json"), modelfs.UnitContext{}); err != nil {
		return fmt.Errorf("jujusim: closing context: %w", err)
	}
	return nil
}

// collect reads the context's tool calls and log records into ev.
func (u *Unit) collect(ev *Event, ctxID string) error {
	calls, err := u.readCalls(ctxID)
	if err != nil {
		return err
	}
	ev.Calls = calls
	logs, err := u.readLogs(ctxID)
	if err != nil {
		return err
	}
	ev.Logs = logs
	return nil
}

// commitRelations applies the context's pending relation-set writes and
// queues -relation-changed on the other units of the relation.
func (m *Model) commitRelations(u *Unit, ctxID string) error {
	files, _ := filepath.Glob(filepath.Join(m.layout.ContextDir(ctxID), "pending", "*.json"))
	sort.Strings(files)
	for _, f := range files {
		var p modelfs.PendingRelationSet
		if _, err := modelfs.ReadJSON(f, &p); err != nil {
			return fmt.Errorf("jujusim: committing relation settings: %w", err)
		}
		changed, err := m.applyBag(p)
		if err != nil {
			return err
		}
		if !changed {
			continue
		}
		var meta modelfs.RelationMeta
		if _, err := modelfs.ReadJSON(filepath.Join(m.layout.RelationDir(p.RelationID), "meta.json"), &meta); err != nil {
			return fmt.Errorf("jujusim: committing relation settings: %w", err)
		}
		for _, other := range meta.Units {
			o := m.unitByName(other)
			if o == nil || o == u || o.gone {
				continue
			}
			it := &item{hook: meta.Endpoint + "-relation-changed", relID: p.RelationID}
			if p.Owner == m.app {
				it.remoteApp = m.app
			} else {
				it.remoteUnit = p.Owner
			}
			o.enqueue(it)
		}
	}
	return nil
}

func (m *Model) applyBag(p modelfs.PendingRelationSet) (bool, error) {
	unlock, err := modelfs.Lock(m.layout.AppLock(m.app), true)
	if err != nil {
		return false, err
	}
	defer unlock()
	path := m.layout.RelationBag(p.RelationID, p.Owner)
	bag := map[string]string{}
	if _, err := modelfs.ReadJSON(path, &bag); err != nil {
		return false, fmt.Errorf("jujusim: committing relation settings: %w", err)
	}
	if bag == nil {
		bag = map[string]string{}
	}
	changed := false
	for k, v := range p.Settings {
		old, had := bag[k]
		switch {
		case v == "" && had:
			delete(bag, k)
			changed = true
		case v != "" && (!had || old != v):
			bag[k] = v
			changed = true
		}
	}
	if !changed {
		return false, nil
	}
	return true, modelfs.WriteJSON(path, bag)
}

// RunTogether runs one hook on each of several units at the same time, as
// units on different machines do: the processes overlap in wall-clock
// time, all start at the same simulated time, and share the model through
// the fake tools' file locks. Each hook is taken as [Unit.Run] takes it.
// The events are returned, and recorded, in the order of units.
func (m *Model) RunTogether(hooks map[*Unit]string) ([]*Event, error) {
	units := make([]*Unit, 0, len(hooks))
	for u := range hooks {
		if err := m.own(u, "running hooks together on"); err != nil {
			return nil, err
		}
		units = append(units, u)
	}
	sort.Slice(units, func(i, j int) bool { return units[i].index < units[j].index })
	var reqs []*request
	for _, u := range units {
		hook := hooks[u]
		if hook == "" {
			return nil, fmt.Errorf("jujusim: running a hook on %s: empty hook name", u.name)
		}
		if u.failed != nil {
			return nil, fmt.Errorf("jujusim: running %s on %s (failed hook %s): %w", hook, u.name, u.failed.hook, ErrUnitInError)
		}
		u.resign()
		reqs = append(reqs, &request{u: u, kind: KindHook, it: u.pick(hook), stateful: true})
	}
	return m.runBatch(reqs)
}
