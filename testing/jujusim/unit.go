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
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/charmkit/charmkit/testing/fakejuju"
)

// Unit is one simulated unit of an application, with its own charm
// directory, .unit-state.db, tools directory and hook queue.
type Unit struct {
	m     *Model
	app   *Application
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
	queue       []*item // one-off hooks queued by the simulator
	failed      *item
	interrupt   *interrupt // for the next process, see InterruptNext
}

// interrupt is a signal for a hook process, sent once it has run a while.
type interrupt struct {
	sig   syscall.Signal
	after time.Duration
}

// InterruptNext makes the next process run for u (a hook, a retry, an
// action or a command) receive sig once it has run for after (wall-clock
// time), as when the unit agent stops (SIGTERM) or the process is killed
// (SIGKILL) in the middle of a hook. Only the dispatch process is
// signalled, not the processes it started. A process that ends before is
// not signalled. The event records the signal it received
// ([Event.Interrupted]); a hook that did not exit 0 failed and puts the
// unit in error, to be retried ([Unit.Retry]) as Juju retries it.
func (u *Unit) InterruptNext(sig syscall.Signal, after time.Duration) {
	u.interrupt = &interrupt{sig: sig, after: after}
}

// item is a hook the unit's resolver has decided to run.
type item struct {
	hook    string
	rel     *fakejuju.RelationHook // the relation and remote side of a relation hook
	secret  *fakejuju.SecretEvent  // the secret of a secret hook
	planned bool                   // chosen by the resolver, not a one-off
	take    func()                 // when the hook is picked (persisted decisions)
	done    func()                 // when it succeeds
}

// Name returns the unit's name, e.g. "app/0".
func (u *Unit) Name() string { return u.name }

// Index returns the unit's number (n in "app/n").
func (u *Unit) Index() int { return u.index }

// Application returns the unit's application.
func (u *Unit) Application() *Application { return u.app }

// CharmDir returns the unit's own charm directory (CHARM_DIR), which holds
// its .unit-state.db and any file the charm writes there.
func (u *Unit) CharmDir() string { return filepath.Join(u.dir(), "charm") }

// dir is the unit's directory under the model: units/<app>-<n>.
func (u *Unit) dir() string {
	return filepath.Join(u.m.opts.Dir, "units", strings.ReplaceAll(u.name, "/", "-"))
}

// toolsDir holds the unit's hook tools, first on its hooks' PATH.
func (u *Unit) toolsDir() string { return filepath.Join(u.dir(), "tools") }

// socket is JUJU_AGENT_SOCKET_ADDRESS: never created; the fake tool finds
// the model directory from it.
func (u *Unit) socket() string { return filepath.Join(u.dir(), "agent.socket") }

// linkTool puts the named tool in the unit's tools directory, unless the
// unit's Juju has no such tool (Juju 4 has no leader-get or leader-set).
func (u *Unit) linkTool(tool string) error {
	if u.m.juju4 && (tool == "leader-get" || tool == "leader-set") {
		return nil
	}
	path := filepath.Join(u.toolsDir(), tool)
	if _, err := os.Lstat(path); err == nil {
		return nil
	}
	return os.Symlink(u.m.tool, path)
}

// IsLeader reports whether the unit currently leads its application.
func (u *Unit) IsLeader() bool { return u.app.Leader() == u }

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
	if u.leaderLocal && !u.electQueued && u.app.Leader() != u {
		u.leaderLocal = false
	}
}

// syncScopes lets an installed, living unit enter the scope of every
// relation of its application it has not entered yet, as its agent does
// before choosing its next hook.
func (u *Unit) syncScopes() error {
	if !u.installed || u.dying || u.gone {
		return nil
	}
	return u.m.update(func(fm *fakejuju.Model) error {
		_, err := fm.SyncScopes(u.name)
		return err
	})
}

// maxPlannedRelationHooks bounds the relation hooks plan lists.
const maxPlannedRelationHooks = 200

// plan lists, without changing anything, the hooks the unit would run from
// now on if each succeeded, in Juju's resolver order: install, the
// -relation-created hooks of the relations whose scope it entered,
// leader-elected or leader-settings-changed, config-changed, start, then
// the secret hooks due (secret-changed, secret-remove), then the relation
// hooks the relation resolver chooses one after the other, then one-off
// hooks.
func (u *Unit) plan() []*item {
	if u.gone || u.failed != nil {
		return nil
	}
	var fm *fakejuju.Model
	if err := u.m.view(func(m *fakejuju.Model) error { fm = m; return nil }); err != nil {
		return nil
	}
	// A relation hook that would succeed moves the unit's view of the
	// relation on; plan follows on its own copy of the model.
	advance := func(h fakejuju.RelationHook) {
		spec := h.Spec(fm, u.name)
		spec.ID = fakejuju.NewContextID(u.name, h.Hook)
		if _, err := fm.Open(spec); err == nil {
			_, _ = fm.Close(spec.ID, true)
		}
	}
	var out []*item
	if !u.installed {
		out = append(out, &item{hook: "install", done: func() { u.installed = true }})
	}
	for _, h := range fm.PendingCreated(u.name) {
		out = append(out, &item{hook: h.Hook, rel: &h})
		advance(h)
	}
	isLeader := fm.Leads(u.name)
	local := u.leaderLocal && isLeader
	switch {
	case u.electQueued:
		// Accepted when the unit was elected; runs (or is skipped, if the
		// unit no longer leads) even if leadership has moved on since.
		out = append(out, &item{hook: "leader-elected", done: func() { u.electQueued = false }})
	case isLeader && !local && !u.dying:
		out = append(out, &item{hook: "leader-elected", take: func() { u.leaderLocal = true }})
	case !local && !u.dying && u.localLSV != u.remoteLSV:
		v := u.remoteLSV
		out = append(out, &item{hook: "leader-settings-changed", done: func() { u.localLSV = v }})
	}
	cfgPending := u.cfgSeen != u.app.cfgVer
	if cfgPending {
		ver := u.app.cfgVer
		out = append(out, &item{hook: "config-changed", done: func() { u.cfgSeen = ver }})
	}
	if !u.started && (cfgPending || u.cfgSeen > 0) {
		out = append(out, &item{hook: "start", done: func() { u.started = true }})
	}
	if u.started || u.dying {
		for _, h := range fm.SecretHooks() {
			if h.Unit != u.name {
				continue
			}
			out = append(out, &item{hook: h.Hook, secret: &h.Secret})
			spec := fakejuju.ContextSpec{ID: fakejuju.NewContextID(u.name, h.Hook), Unit: u.name, Hook: h.Hook, Secret: &h.Secret}
			if _, err := fm.Open(spec); err == nil {
				_, _ = fm.Close(spec.ID, true)
			}
		}
	}
	for range maxPlannedRelationHooks {
		h, ok := fm.NextRelationHook(u.name)
		if !ok {
			break
		}
		out = append(out, &item{hook: h.Hook, rel: &h})
		advance(h)
	}
	for _, q := range u.queue {
		inner := q.take
		out = append(out, &item{hook: q.hook, rel: q.rel, done: q.done,
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
	_ = u.syncScopes()
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
	if err := u.syncScopes(); err != nil {
		return nil, false, err
	}
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
// is among the unit's pending ones (see [Unit.Pending]) the first of that
// name is taken from there, with the same effects as when Juju runs it
// (for example running leader-settings-changed marks the settings as
// seen); otherwise it runs as a one-off. A failed hook puts the unit in
// error.
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
	if err := u.syncScopes(); err != nil {
		return nil, err
	}
	return u.runItem(u.pick(hook), false)
}

// pick returns the pending item for hook, or a one-off item (for a
// relation hook, on the unit's first relation of that endpoint, with no
// remote unit).
func (u *Unit) pick(hook string) *item {
	for _, it := range u.plan() {
		if it.hook == hook {
			return it
		}
	}
	it := &item{hook: hook}
	ep, _, isRel := strings.Cut(hook, "-relation-")
	if !isRel {
		return it
	}
	_ = u.m.view(func(fm *fakejuju.Model) error {
		for _, r := range u.m.Relations() {
			fr := fm.Relations[r.id]
			if e, in := fr.Local(u.app.name); in && e.Endpoint == ep && fm.Units[u.name].Relations[r.id] != nil {
				it.rel = &fakejuju.RelationHook{Relation: r.id, Hook: hook, RemoteApp: fr.Remote(u.app.name)}
				return nil
			}
		}
		return nil
	})
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
// succeeded (a relation hook moves the unit's view of the relation on).
func (u *Unit) Resolve() error {
	if u.failed == nil {
		return fmt.Errorf("jujusim: resolving %s: %w", u.name, ErrNotInError)
	}
	it := u.failed
	u.failed = nil
	if err := u.skip(it); err != nil {
		return err
	}
	u.m.record(&Event{Kind: KindResolve, Unit: u.name, Note: it.hook + " marked resolved"})
	return nil
}

// skip applies what a hook's success commits on Juju's side without running
// it: its done step and, for a relation hook, the move of the unit's view.
func (u *Unit) skip(it *item) error {
	if it.done != nil {
		it.done()
	}
	if it.rel == nil && it.secret == nil {
		return nil
	}
	return u.m.update(func(fm *fakejuju.Model) error {
		spec := fakejuju.ContextSpec{Unit: u.name, Hook: it.hook, Secret: it.secret}
		if it.rel != nil {
			spec = it.rel.Spec(fm, u.name)
		}
		spec.ID = fakejuju.NewContextID(u.name, it.hook)
		if _, err := fm.Open(spec); err != nil {
			return err
		}
		_, err := fm.Close(spec.ID, true)
		return err
	})
}

// Exec runs a shell command in a hook context of the unit, as `juju exec
// --unit` does (for example "leader-set key=" on the leader). A failure is
// reported in the event's ExitCode and does not put the unit in error.
func (u *Unit) Exec(command string) (*Event, error) {
	if u.gone {
		return nil, fmt.Errorf("jujusim: exec on %s: %w", u.name, ErrUnitGone)
	}
	evs, err := u.m.runBatch([]*request{{u: u, kind: KindExec, it: &item{hook: "run-commands"}, command: command}})
	if err != nil {
		return nil, err
	}
	return evs[0], nil
}

// RunAction runs an action on the unit, as `juju run <unit> <name>
// key=value...` does: the charm runs with JUJU_DISPATCH_PATH
// actions/<name>, an empty JUJU_HOOK_NAME, and the action tools serving
// params. The event reports the action's results ([Event.Action]) and its
// exit status; a failed action does not put the unit in error. As Juju
// does, it refuses (with an error matching [ErrBadAction]) an action the
// charm's actions.yaml does not declare, or parameters its schema does
// not allow, and gives parameters not given their defaults. Its queued
// changes (relation data, secrets, ...) are committed only if it
// succeeded, as for a hook.
func (u *Unit) RunAction(name string, params map[string]any) (*Event, error) {
	if u.gone {
		return nil, fmt.Errorf("jujusim: running action %s on %s: %w", name, u.name, ErrUnitGone)
	}
	if name == "" {
		return nil, fmt.Errorf("jujusim: running an action on %s: empty action name", u.name)
	}
	params, err := u.app.actions.Check(name, params)
	if err != nil {
		return nil, fmt.Errorf("jujusim: running an action on %s: %w: %v", u.name, ErrBadAction, err)
	}
	u.m.actions++
	a := &fakejuju.Action{Name: name, ID: strconv.Itoa(u.m.actions), Params: params}
	evs, err := u.m.runBatch([]*request{{u: u, kind: KindAction, it: &item{hook: name}, action: a}})
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

// RemoveUnit removes u as `juju remove-unit` does: the unit is dying at
// once, so the other units of its relations see it departed (they run
// -relation-departed for it); u itself departs every member of each
// relation (JUJU_DEPARTING_UNIT is u), runs -relation-broken for each
// relation but peer relations, then stop and remove; then it is gone. A
// teardown hook that fails is passed over, as with --force. A unit in
// error gets no teardown hooks. If it was the leader, nobody leads until
// [Model.Elect]; its last guarantee still runs to its end. Its secret
// consumer records are deleted, so the revisions it alone tracked become
// obsolete.
func (m *Model) RemoveUnit(u *Unit) error {
	if err := m.own(u, "removing"); err != nil {
		return err
	}
	u.dying = true
	err := m.update(func(fm *fakejuju.Model) error {
		fm.Units[u.name].Dying = true
		fm.Depart(u.name)
		return nil
	})
	if err != nil {
		return err
	}
	if u.failed == nil {
		u.queue = nil
		for range maxPlannedRelationHooks {
			var h fakejuju.RelationHook
			var ok bool
			_ = m.view(func(fm *fakejuju.Model) error { h, ok = fm.NextRelationHook(u.name); return nil })
			if !ok {
				break
			}
			it := &item{hook: h.Hook, rel: &h}
			evs, err := m.runBatch([]*request{{u: u, kind: KindHook, it: it}})
			if err != nil {
				return err
			}
			if evs[0].Failed() {
				if err := u.skip(it); err != nil {
					return err
				}
			}
		}
		for _, hook := range []string{"stop", "remove"} {
			if _, err := m.runBatch([]*request{{u: u, kind: KindHook, it: &item{hook: hook}}}); err != nil {
				return err
			}
		}
	}
	return m.retire(u, KindRemove)
}

// KillUnit makes u's agent die with no teardown hook, as when its machine
// disappears: it leaves every relation's scope at once. If it was the
// leader, nobody leads until [Model.Elect].
func (m *Model) KillUnit(u *Unit) error {
	if err := m.own(u, "killing"); err != nil {
		return err
	}
	return m.retire(u, KindKill)
}

func (m *Model) retire(u *Unit, kind Kind) error {
	u.gone, u.failed, u.queue = true, nil, nil
	note := ""
	err := m.update(func(fm *fakejuju.Model) error {
		for _, r := range fm.Relations {
			if slices.Contains(r.Scope, u.name) {
				fm.LeaveScope(u.name, r)
			}
		}
		if kind == KindRemove {
			// Juju deletes a removed unit's secret consumer records
			// (juju/juju#15217), so a revision only it tracked becomes
			// obsolete: its owner gets secret-remove for it.
			for _, s := range fm.Secrets {
				delete(s.Consumers, u.name)
			}
		}
		if fm.Leads(u.name) {
			note = "was leader; nobody leads"
			return fm.Unelect(u.app.name)
		}
		return nil
	})
	if err != nil {
		return err
	}
	m.record(&Event{Kind: kind, Unit: u.name, Note: note})
	return nil
}

// request is one hook (or exec command) to run in a fresh context.
type request struct {
	u        *Unit
	kind     Kind
	it       *item
	command  string           // KindExec
	action   *fakejuju.Action // KindAction
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
	if err := m.collect(reqs); err != nil {
		return nil, err
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
	r.ev = &Event{Kind: r.kind, Unit: u.name, Hook: it.hook, Retry: r.retry, Queued: it.planned, Leader: u.app.Leader() == u, Time: m.now}
	r.ctxID = fakejuju.NewContextID(u.name, it.hook)
	if r.kind == KindExec {
		r.ev.Hook = r.command
	}
	if r.kind == KindAction {
		r.ev.Hook = r.action.Name
	}
	r.ev.FlagsBefore, _ = u.Flags()
	led := true
	err := m.update(func(fm *fakejuju.Model) error {
		spec := fakejuju.ContextSpec{Unit: u.name, Hook: it.hook}
		if it.rel != nil {
			spec = it.rel.Spec(fm, u.name)
			r.ev.Relation, r.ev.RemoteUnit, r.ev.RemoteApp, r.ev.Departing = spec.Relation, spec.RemoteUnit, spec.RemoteApp, spec.Departing
		}
		if r.kind == KindExec || r.kind == KindAction {
			spec.Hook = ""
		}
		spec.Action = r.action
		spec.Secret = it.secret
		spec.ID = r.ctxID
		c, err := fm.Open(spec)
		if err != nil {
			return err
		}
		if r.kind == KindHook && it.hook == "leader-elected" {
			// Juju asks, as is-leader does, before running leader-elected.
			led = fm.CheckLeader(c)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("jujusim: creating context: %w", err)
	}
	switch {
	case r.kind == KindExec:
		r.argv = []string{"/bin/sh", "-c", r.command}
	case r.kind == KindAction:
		charm := u.CharmDir()
		if isExecutable(filepath.Join(charm, "dispatch")) {
			r.argv = []string{filepath.Join(charm, "dispatch")}
		} else if isExecutable(filepath.Join(charm, "actions", r.action.Name)) {
			r.argv = []string{filepath.Join(charm, "actions", r.action.Name)}
		} else {
			r.ev.Skipped = "missing"
		}
	case !led:
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
	intr := r.u.interrupt
	r.u.interrupt = nil
	return r.u.exec(r.ev, r.argv, r.ctxID, r.it, intr)
}

// finish closes the context, committing its queued changes if the process
// succeeded. The other units' resolvers see the committed relation data
// through the bag versions.
func (r *request) finish() error {
	ok := r.argv != nil && r.ev.ExitCode == 0
	err := r.u.m.update(func(fm *fakejuju.Model) error {
		commit, err := fm.Close(r.ctxID, ok)
		if a := commit.Action; a != nil && r.kind == KindAction {
			out := *a
			out.Params = r.action.Params // as given, not as the fake's JSON copy decoded them
			if r.ev.ExitCode != 0 && !out.Failed {
				// Juju fails an action whose process fails, with its exit status.
				out.Failed, out.Message = true, fmt.Sprintf("exit status %d", r.ev.ExitCode)
			}
			r.ev.Action = &out
		}
		if errors.Is(err, fakejuju.ErrCommitFailed) {
			// The controller refused the hook's changes: the hook fails,
			// with what Juju applied before the refusal kept.
			r.ev.CommitError = err.Error()
			return nil
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("jujusim: closing context: %w", err)
	}
	return nil
}

// collect reads the journal entries the requests' contexts recorded into
// their events: tool calls and juju-log records.
func (m *Model) collect(reqs []*request) error {
	entries, next, err := m.store.JournalSince(m.journal)
	if err != nil {
		return fmt.Errorf("jujusim: %w", err)
	}
	m.journal = next
	byCtx := map[string]*Event{}
	for _, r := range reqs {
		byCtx[r.ctxID] = r.ev
	}
	for _, e := range entries {
		switch {
		case e.Call != nil && byCtx[e.Call.Context] != nil:
			ev := byCtx[e.Call.Context]
			ev.Calls = append(ev.Calls, *e.Call)
		case e.Log != nil && byCtx[e.Log.Context] != nil:
			ev := byCtx[e.Log.Context]
			ev.Logs = append(ev.Logs, e.Log.LogRecord)
		}
	}
	return nil
}

func isExecutable(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// env is the process environment of a hook, built from scratch as Juju's
// unit agent builds it: the fake Juju's JUJU_* variables of the context,
// the charm directory, the agent socket, PATH with the unit's tools first,
// and the system variables.
func (u *Unit) env(ctxID string) []string {
	m := u.m
	charm := u.CharmDir()
	env := []string{"CHARM_DIR=" + charm, "JUJU_CHARM_DIR=" + charm}
	_ = m.view(func(fm *fakejuju.Model) error {
		if c, ok := fm.Context(ctxID); ok {
			env = append(env, fm.HookVars(c)...)
		}
		return nil
	})
	env = append(env,
		"JUJU_AGENT_SOCKET_ADDRESS="+u.socket(),
		"JUJU_AGENT_SOCKET_NETWORK=unix",
		"PATH="+u.toolsDir()+":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"APT_LISTCHANGES_FRONTEND=none",
		"DEBIAN_FRONTEND=noninteractive",
		"LANG=C.UTF-8",
		"TERM=tmux-256color",
	)
	return append(env, m.opts.Env...)
}

func (u *Unit) exec(ev *Event, argv []string, ctxID string, it *item, intr *interrupt) error {
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
		cmd.Env = u.env(ctxID)
		stdout.Reset()
		stderr.Reset()
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
		cmd.WaitDelay = time.Second
		if err = cmd.Start(); err == nil {
			var sent sync.Mutex // held while the signal may be sent
			signalled, exited := false, false
			if intr != nil {
				t := time.AfterFunc(intr.after, func() {
					sent.Lock()
					defer sent.Unlock()
					if !exited && cmd.Process.Signal(intr.sig) == nil {
						signalled = true
					}
				})
				defer t.Stop()
			}
			err = cmd.Wait()
			sent.Lock()
			exited = true
			if signalled {
				ev.Interrupted = signalName(intr.sig)
			}
			sent.Unlock()
		}
		if !errors.Is(err, syscall.ETXTBSY) || attempt >= 50 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	ev.Stdout, ev.Stderr = stdout.String(), stderr.String()
	var ee *exec.ExitError
	switch {
	case err == nil:
		ev.ExitCode = 0
	case errors.As(err, &ee):
		ev.ExitCode = ee.ExitCode()
		if ctx.Err() != nil {
			ev.Stderr += fmt.Sprintf("jujusim: hook killed after %s\n", u.m.opts.HookTimeout)
		}
	default:
		return fmt.Errorf("jujusim: running %s on %s: %w", it.hook, u.name, err)
	}
	return nil
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
	slices.SortFunc(units, func(a, b *Unit) int { return strings.Compare(a.name, b.name) })
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

// signalName returns "SIGKILL", "SIGTERM", ... for the signals tests send.
func signalName(sig syscall.Signal) string {
	switch sig {
	case syscall.SIGKILL:
		return "SIGKILL"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGINT:
		return "SIGINT"
	}
	return "signal " + strconv.Itoa(int(sig))
}
