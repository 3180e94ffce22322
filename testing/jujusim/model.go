package jujusim

import (
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/charmkit/charmkit/testing/fakejuju"
)

// Guarantee is how long an is-leader True answer guarantees leadership, as
// in Juju. A new leader is elected only once the previous leader's
// guarantee has run out on the simulated clock.
const Guarantee = fakejuju.Guarantee

const (
	defaultJujuVersion = "3.6.4"
	defaultModelName   = "sim"
	defaultHookTimeout = 2 * time.Minute
	maxSettleHooks     = 1000
)

// defaultStart is the simulated time a model starts at, unless
// [Options.Start] says otherwise.
var defaultStart = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// Options configures a [Model] and its first application. The zero value of
// each field means its default.
type Options struct {
	// Charm is the first application's charm directory: metadata.yaml,
	// config.yaml and an executable dispatch (unless Dispatch is set).
	// Every file is copied into each unit's own charm directory. Required.
	Charm string
	// Dispatch, if set, is an executable copied into each unit's charm
	// directory as dispatch (for example a freshly built charm binary).
	Dispatch string
	// App is the first application's name; default: the name in
	// metadata.yaml.
	App string
	// Units is the number of units New creates; default 1.
	Units int
	// Dir is the model directory; default: a new temporary directory that
	// Close removes.
	Dir string
	// ModelName is JUJU_MODEL_NAME; default "sim".
	ModelName string
	// JujuVersion is JUJU_VERSION; default "3.6.4". From 4.0 the units have
	// no leader-get and leader-set tools, as in Juju 4.
	JujuVersion string
	// ToolPath is a prebuilt fake hook-tool binary; default: built by
	// [BuildTool].
	ToolPath string
	// Start is the simulated time at creation; default 2025-01-01T00:00:00Z.
	Start time.Time
	// HookDuration is how far the simulated clock moves for each hook run;
	// default one second. Use [Model.Advance] for larger steps.
	HookDuration time.Duration
	// HookTimeout bounds a hook's wall-clock run time; default two minutes.
	HookTimeout time.Duration
	// Env holds extra NAME=value variables given to every hook (not part of
	// Juju's environment; for example GOCOVERDIR).
	Env []string
}

// Model is a simulated Juju model: applications with their units, and the
// relations between them. It runs the charm's dispatch for each hook as a
// separate process, with fake hook tools on PATH that share the model's
// state through files. The first application ([Options]) is the one the
// shortcuts [Model.Unit], [Model.Leader], [Model.SetConfig], ... act on;
// [Model.AddApplication] deploys more.
//
// A Model runs one hook at a time, in the order its methods are called
// (except [Model.RunTogether]); it is not safe for concurrent use by
// several goroutines.
type Model struct {
	opts     Options
	store    fakejuju.Dir // the fake Juju's model, shared with the tool processes
	apps     []*Application
	ownDir   bool
	tool     string
	uuid     string
	now      time.Time
	timeline []*Event
	watch    *watcher
	journal  int64 // journal offset already read into events
	actions  int   // actions run so far (their ids)
	juju4    bool
	closed   bool
	closeMu  sync.Mutex

	// secrets are the values the test declared secret (KeepSecret), with
	// the journal length when it did.
	secrets []keptSecret
}

// New creates a model, its first application and opts.Units units (none of
// which has run a hook yet: see [Model.Deploy]), with the first unit as
// leader.
func New(opts Options) (*Model, error) {
	if opts.Charm == "" {
		return nil, errors.New("jujusim: options: no charm directory")
	}
	if opts.Units < 0 {
		return nil, fmt.Errorf("jujusim: options: negative unit count %d", opts.Units)
	}
	if opts.ModelName == "" {
		opts.ModelName = defaultModelName
	}
	if opts.JujuVersion == "" {
		opts.JujuVersion = defaultJujuVersion
	}
	if opts.Start.IsZero() {
		opts.Start = defaultStart
	}
	if opts.HookDuration == 0 {
		opts.HookDuration = time.Second
	}
	if opts.HookTimeout == 0 {
		opts.HookTimeout = defaultHookTimeout
	}
	if st, err := os.Stat(opts.Charm); err != nil {
		return nil, fmt.Errorf("jujusim: options: charm: %w", err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("jujusim: options: charm %s is not a directory", opts.Charm)
	}
	if opts.Dir != "" {
		if entries, err := os.ReadDir(opts.Dir); err == nil && len(entries) > 0 {
			return nil, fmt.Errorf("jujusim: options: model directory %s is not empty", opts.Dir)
		}
	}
	if opts.Dispatch != "" {
		if _, err := os.Stat(opts.Dispatch); err != nil {
			return nil, fmt.Errorf("jujusim: options: dispatch: %w", err)
		}
	}
	major, _, _ := strings.Cut(opts.JujuVersion, ".")
	n, err := strconv.Atoi(major)
	if err != nil || n < 2 {
		return nil, fmt.Errorf("jujusim: options: bad Juju version %q", opts.JujuVersion)
	}
	tool := opts.ToolPath
	if tool == "" {
		if tool, err = BuildTool(); err != nil {
			return nil, err
		}
	}
	m := &Model{opts: opts, tool: tool, now: opts.Start.UTC(), juju4: n >= 4}
	if opts.Dir == "" {
		dir, err := os.MkdirTemp("", "jujusim-")
		if err != nil {
			return nil, fmt.Errorf("jujusim: %w", err)
		}
		m.opts.Dir, m.ownDir = dir, true
	}
	if err := m.init(); err != nil {
		m.Close()
		return nil, err
	}
	if _, err := m.addApplication(AppOptions{Charm: opts.Charm, Dispatch: opts.Dispatch, Name: opts.App, Units: opts.Units}, false); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

func (m *Model) init() error {
	b := make([]byte, 16)
	rand.Read(b)
	m.uuid = fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	if err := os.MkdirAll(filepath.Join(m.opts.Dir, "units"), 0o755); err != nil {
		return fmt.Errorf("jujusim: %w", err)
	}
	store, err := fakejuju.CreateDir(m.opts.Dir, fakejuju.New(m.opts.ModelName, m.uuid, m.opts.JujuVersion, m.now))
	if err != nil {
		return fmt.Errorf("jujusim: %w", err)
	}
	m.store = store
	w, err := newWatcher(store)
	if err != nil {
		return err
	}
	m.watch = w
	return nil
}

// update changes the fake Juju's model under its lock.
func (m *Model) update(fn func(*fakejuju.Model) error) error {
	if err := m.store.Update(fn); err != nil {
		return fmt.Errorf("jujusim: %w", err)
	}
	return nil
}

// view reads the fake Juju's model.
func (m *Model) view(fn func(*fakejuju.Model) error) error {
	if err := m.store.View(fn); err != nil {
		return fmt.Errorf("jujusim: %w", err)
	}
	return nil
}

// Close stops the settings watcher and, if the model made its own
// directory, removes it.
func (m *Model) Close() error {
	m.closeMu.Lock()
	defer m.closeMu.Unlock()
	if m.closed {
		return nil
	}
	m.closed = true
	var err error
	if m.watch != nil {
		err = m.watch.close()
	}
	if m.ownDir {
		err = errors.Join(err, os.RemoveAll(m.opts.Dir))
	}
	return err
}

// Dir returns the model directory.
func (m *Model) Dir() string { return m.opts.Dir }

// first is the model's first application.
func (m *Model) first() *Application { return m.apps[0] }

// App returns the first application's name.
func (m *Model) App() string { return m.first().name }

// Units returns the units of every application that are neither removed
// nor killed, application by application in deployment order, each in
// creation order.
func (m *Model) Units() []*Unit {
	var out []*Unit
	for _, a := range m.apps {
		out = append(out, a.Units()...)
	}
	return out
}

// Unit returns unit n of the first application (as in "app/n"), or nil.
func (m *Model) Unit(n int) *Unit { return m.first().Unit(n) }

// AddUnit adds a unit to the first application; see [Application.AddUnit].
func (m *Model) AddUnit() (*Unit, error) { return m.first().AddUnit() }

// Leader returns the unit that leads the first application, or nil.
func (m *Model) Leader() *Unit { return m.first().Leader() }

// Unelect takes leadership away from the first application's leader; see
// [Application.Unelect].
func (m *Model) Unelect() error { return m.first().Unelect() }

// LeaderSettings returns the first application's leader settings as Juju
// holds them.
func (m *Model) LeaderSettings() (map[string]string, error) { return m.first().LeaderSettings() }

// Config returns the first application's config values; see
// [Application.Config].
func (m *Model) Config() map[string]string { return m.first().Config() }

// SetConfig changes the first application's config; see
// [Application.SetConfig].
func (m *Model) SetConfig(values map[string]string) error { return m.first().SetConfig(values) }

// Timeline returns every event recorded so far, in order.
func (m *Model) Timeline() []*Event { return slices.Clone(m.timeline) }

func (m *Model) record(ev *Event) *Event {
	ev.Seq = len(m.timeline) + 1
	if ev.Time.IsZero() {
		ev.Time = m.now
	}
	m.timeline = append(m.timeline, ev)
	return ev
}

// Now returns the simulated time.
func (m *Model) Now() time.Time { return m.now }

// Advance moves the simulated clock forward by d (negative d is ignored).
func (m *Model) Advance(d time.Duration) error {
	if d <= 0 {
		return nil
	}
	m.now = m.now.Add(d)
	return m.update(func(fm *fakejuju.Model) error {
		fm.Now = m.now
		return nil
	})
}

// Elect moves leadership of u's application to u, as Juju does when the
// leader goes away: the old leader stops being leader at once (its hooks'
// is-leader answer False from now on), the simulated clock moves to the
// end of the last 30-second guarantee given to another unit if that is
// still in the future, and then u becomes leader. u gets leader-elected at
// its next idle point and the old leader resigns (no hook) and later gets
// leader-settings-changed.
func (m *Model) Elect(u *Unit) error {
	if err := m.own(u, "electing"); err != nil {
		return err
	}
	var old string
	var oldValid bool
	var waited time.Duration
	err := m.update(func(fm *fakejuju.Model) error {
		a := fm.Apps[u.app.name]
		old, oldValid = a.Leader, a.LeaderValid
		var err error
		waited, err = fm.Elect(u.name)
		m.now = fm.Now
		return err
	})
	if err != nil {
		return err
	}
	if oldValid && old == u.name {
		return nil
	}
	if waited > 0 {
		m.record(&Event{Kind: KindClock, Note: fmt.Sprintf("waited %s for %s's leadership guarantee to expire", waited, old)})
	}
	was := "was " + orNobody(old)
	if !oldValid && old != "" {
		was = "after " + old
	}
	m.record(&Event{Kind: KindElect, Unit: u.name, Note: was})
	if u.installed && u.failed == nil && !u.dying && !u.leaderLocal {
		// An idle unit accepts leadership at once: leader-elected is queued
		// and will run even if leadership moves again first (then it is
		// skipped when it starts).
		u.leaderLocal, u.electQueued = true, true
	}
	return nil
}

// own checks that u is a live unit of this model.
func (m *Model) own(u *Unit, op string) error {
	switch {
	case u == nil:
		return fmt.Errorf("jujusim: %s: nil unit", op)
	case u.m != m:
		return fmt.Errorf("jujusim: %s %s: unit of another model", op, u.name)
	case u.gone:
		return fmt.Errorf("jujusim: %s %s: %w", op, u.name, ErrUnitGone)
	}
	return nil
}

func orNobody(s string) string {
	if s == "" {
		return "nobody"
	}
	return s
}

// Deploy runs the first hooks of every unit that has not been installed,
// one unit after the other (each until it is idle: install,
// relation-created, leader-elected or leader-settings-changed,
// config-changed, start, ...), and then [Model.Settle]s. It returns a
// *HookError if a hook failed.
func (m *Model) Deploy() error {
	var failed []*Event
	for _, u := range m.Units() {
		if u.installed {
			continue
		}
		evs, err := u.RunQueued()
		if err != nil {
			return err
		}
		failed = append(failed, failures(evs)...)
	}
	err := m.Settle()
	var he *HookError
	if errors.As(err, &he) {
		failed = append(failed, he.Failed...)
	} else if err != nil {
		return err
	}
	if len(failed) > 0 {
		return &HookError{Failed: failed}
	}
	return nil
}

// Settle runs queued hooks until no unit has one left, in rounds: in each
// round every unit, in name order, enters the scope of new relations and
// runs at most one hook. Units in error are left alone. It returns a
// *HookError listing the hooks that failed, or ErrNotSettled after too
// many hooks.
func (m *Model) Settle() error {
	var failed []*Event
	for n := 0; ; {
		ran := false
		units := m.Units()
		slices.SortFunc(units, func(a, b *Unit) int { return strings.Compare(a.name, b.name) })
		for _, u := range units {
			if u.gone {
				continue
			}
			ev, ok, err := u.Next()
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			ran = true
			n++
			if ev.Failed() {
				failed = append(failed, ev)
			}
			if n >= maxSettleHooks {
				return fmt.Errorf("%w after %d hooks", ErrNotSettled, n)
			}
		}
		if !ran {
			break
		}
	}
	if len(failed) > 0 {
		return &HookError{Failed: failed}
	}
	return nil
}

func failures(evs []*Event) []*Event {
	var out []*Event
	for _, e := range evs {
		if e.Failed() {
			out = append(out, e)
		}
	}
	return out
}

// syncSettings waits until the watcher has seen every application's
// current leader-settings version and hands every new watcher event to the
// application's units as a bump of their remote leader-settings version,
// as Juju's settings watcher does.
func (m *Model) syncSettings() error {
	versions := map[string]int{}
	if err := m.view(func(fm *fakejuju.Model) error {
		for name, a := range fm.Apps {
			versions[name] = a.SettingsVersion
		}
		return nil
	}); err != nil {
		return err
	}
	for _, a := range m.apps {
		events, err := m.watch.waitFor(a.name, versions[a.name], 10*time.Second)
		if err != nil {
			return err
		}
		if n := events - a.seenLSV; n > 0 {
			a.seenLSV = events
			for _, u := range a.units {
				u.remoteLSV += n
			}
		}
	}
	return nil
}

// allUnits returns every unit ever added, gone ones included.
func (m *Model) allUnits() []*Unit {
	var out []*Unit
	for _, a := range m.apps {
		out = append(out, a.units...)
	}
	return out
}

// RelationData returns a relation data bag of a unit or an application of a
// relation of the first application, named by that application's endpoint,
// as committed (relation-set writes of successful hooks only).
func (m *Model) RelationData(endpoint, owner string) (map[string]string, error) {
	var id = -1
	_ = m.view(func(fm *fakejuju.Model) error {
		for _, rid := range slices.Sorted(maps.Keys(fm.Relations)) {
			if e, ok := fm.Relations[rid].Local(m.App()); ok && e.Endpoint == endpoint {
				id = rid
				return nil
			}
		}
		return nil
	})
	if id < 0 {
		return nil, fmt.Errorf("jujusim: reading relation data: no relation on endpoint %q", endpoint)
	}
	return (&Relation{m: m, id: id}).Data(owner)
}
