package jujusim

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

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

// Options configures a [Model]. The zero value of each field means its
// default.
type Options struct {
	// Charm is the charm directory: metadata.yaml, config.yaml and an
	// executable dispatch (unless Dispatch is set). Every file is copied
	// into each unit's own charm directory. Required.
	Charm string
	// Dispatch, if set, is an executable copied into each unit's charm
	// directory as dispatch (for example a freshly built charm binary).
	Dispatch string
	// App is the application name; default: the name in metadata.yaml.
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

// Model is a simulated Juju model holding one application with N units. It
// runs the charm's dispatch for each hook as a separate process, with fake
// hook tools on PATH that share the model's state through files.
//
// A Model runs one hook at a time, in the order its methods are called; it
// is not safe for concurrent use by several goroutines.
type Model struct {
	opts     Options
	store    fakejuju.Dir // the fake Juju's model, shared with the tool processes
	app      string
	ownDir   bool
	tool     string
	uuid     string
	now      time.Time
	units    []*Unit
	nextUnit int
	cfgVer   int
	peers    []peerRelation
	timeline []*Event
	watch    *watcher
	seenLSV  int   // watcher events already handed to the units
	journal  int64 // journal offset already read into events
	juju4    bool
	closed   bool
	closeMu  sync.Mutex
}

type peerRelation struct {
	id       int
	endpoint string
}

// New creates a model, its application and opts.Units units (none of which
// has run a hook yet: see [Model.Deploy]), with the first unit as leader.
func New(opts Options) (*Model, error) {
	if opts.Charm == "" {
		return nil, errors.New("jujusim: options: no charm directory")
	}
	if opts.Units == 0 {
		opts.Units = 1
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
	meta, err := readCharmMeta(opts.Charm)
	if err != nil {
		return nil, err
	}
	config, err := readCharmConfig(opts.Charm)
	if err != nil {
		return nil, err
	}
	if opts.App == "" {
		opts.App = meta.Name
	}
	if opts.App == "" {
		opts.App = "app"
	}
	if opts.Dispatch == "" {
		if _, err := os.Stat(filepath.Join(opts.Charm, "dispatch")); err != nil {
			if _, herr := os.Stat(filepath.Join(opts.Charm, "hooks")); herr != nil {
				return nil, fmt.Errorf("jujusim: charm %s: no dispatch and no hooks directory", opts.Charm)
			}
		}
	} else if _, err := os.Stat(opts.Dispatch); err != nil {
		return nil, fmt.Errorf("jujusim: options: dispatch: %w", err)
	}
	tool := opts.ToolPath
	if tool == "" {
		if tool, err = BuildTool(); err != nil {
			return nil, err
		}
	}
	m := &Model{opts: opts, app: opts.App, tool: tool, now: opts.Start.UTC(), cfgVer: 1}
	major, _, _ := strings.Cut(opts.JujuVersion, ".")
	n, err := strconv.Atoi(major)
	if err != nil || n < 2 {
		return nil, fmt.Errorf("jujusim: options: bad Juju version %q", opts.JujuVersion)
	}
	m.juju4 = n >= 4
	if opts.Dir == "" {
		dir, err := os.MkdirTemp("", "jujusim-")
		if err != nil {
			return nil, fmt.Errorf("jujusim: %w", err)
		}
		opts.Dir, m.ownDir = dir, true
		m.opts.Dir = dir
	}
	if err := m.init(meta, config); err != nil {
		m.Close()
		return nil, err
	}
	for range opts.Units {
		if _, err := m.AddUnit(); err != nil {
			m.Close()
			return nil, err
		}
	}
	if len(m.units) > 0 {
		if err := m.update(func(fm *fakejuju.Model) error { _, err := fm.Elect(m.units[0].name); return err }); err != nil {
			m.Close()
			return nil, err
		}
		m.record(&Event{Kind: KindElect, Unit: m.units[0].name, Note: "initial leader"})
	}
	return m, nil
}

func (m *Model) init(meta charmMeta, config map[string]fakejuju.ConfigOption) error {
	b := make([]byte, 16)
	rand.Read(b)
	m.uuid = fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	if err := os.MkdirAll(filepath.Join(m.opts.Dir, "units"), 0o755); err != nil {
		return fmt.Errorf("jujusim: %w", err)
	}
	fm := fakejuju.New(m.opts.ModelName, m.uuid, m.opts.JujuVersion, m.now)
	endpoints := map[string]fakejuju.Endpoint{}
	for _, ep := range meta.peerNames() {
		endpoints[ep] = fakejuju.Endpoint{Role: "peers", Interface: meta.Peers[ep].Interface}
	}
	if _, err := fm.AddApp(m.app, endpoints, config); err != nil {
		return fmt.Errorf("jujusim: %w", err)
	}
	for i, ep := range meta.peerNames() {
		if _, err := fm.AddRelation(i, fakejuju.RelationEndpoint{App: m.app, Endpoint: ep}); err != nil {
			return fmt.Errorf("jujusim: %w", err)
		}
		m.peers = append(m.peers, peerRelation{id: i, endpoint: ep})
	}
	store, err := fakejuju.CreateDir(m.opts.Dir, fm)
	if err != nil {
		return fmt.Errorf("jujusim: %w", err)
	}
	m.store = store
	w, err := newWatcher(store, m.app)
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

// App returns the application name.
func (m *Model) App() string { return m.app }

// Units returns the units that are neither removed nor killed, in creation
// order.
func (m *Model) Units() []*Unit {
	var out []*Unit
	for _, u := range m.units {
		if !u.gone {
			out = append(out, u)
		}
	}
	return out
}

// Unit returns unit n of the application (as in "app/n"), or nil.
func (m *Model) Unit(n int) *Unit {
	for _, u := range m.units {
		if u.index == n {
			return u
		}
	}
	return nil
}

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

// AddUnit adds a unit to the application. It runs no hook: its first hooks
// are queued (see [Unit.Pending]).
func (m *Model) AddUnit() (*Unit, error) {
	u := &Unit{m: m, index: m.nextUnit, name: fmt.Sprintf("%s/%d", m.app, m.nextUnit), remoteLSV: 1}
	m.nextUnit++
	for _, d := range []string{u.CharmDir(), u.toolsDir()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("jujusim: adding unit: %w", err)
		}
	}
	if err := copyCharm(m.opts.Charm, u.CharmDir()); err != nil {
		return nil, fmt.Errorf("jujusim: adding unit: copying charm: %w", err)
	}
	if m.opts.Dispatch != "" {
		if err := copyFile(m.opts.Dispatch, filepath.Join(u.CharmDir(), "dispatch"), 0o755); err != nil {
			return nil, fmt.Errorf("jujusim: adding unit: copying dispatch: %w", err)
		}
	}
	for _, t := range ToolNames() {
		if err := u.linkTool(t); err != nil {
			return nil, fmt.Errorf("jujusim: adding unit: %w", err)
		}
	}
	if err := m.update(func(fm *fakejuju.Model) error { _, err := fm.AddUnit(u.name, ""); return err }); err != nil {
		return nil, fmt.Errorf("jujusim: adding unit: %w", err)
	}
	m.units = append(m.units, u)
	m.record(&Event{Kind: KindAddUnit, Unit: u.name})
	return u, nil
}

// Leader returns the unit that currently holds leadership, or nil while
// nobody does (after [Model.Unelect], or after the leader was removed).
func (m *Model) Leader() *Unit {
	var leader string
	_ = m.view(func(fm *fakejuju.Model) error {
		if a := fm.Apps[m.app]; a != nil && a.LeaderValid {
			leader = a.Leader
		}
		return nil
	})
	for _, u := range m.units {
		if u.name == leader && !u.gone {
			return u
		}
	}
	return nil
}

// Elect moves leadership to u, as Juju does when the leader goes away: the
// old leader stops being leader at once (its hooks' is-leader answer
// False from now on), the simulated clock moves to the end of the last
// 30-second guarantee given to another unit if that is still in the future,
// and then u becomes leader. u gets leader-elected at its next idle point
// and the old leader resigns (no hook) and later gets
// leader-settings-changed.
func (m *Model) Elect(u *Unit) error {
	if err := m.own(u, "electing"); err != nil {
		return err
	}
	var old string
	var oldValid bool
	var waited time.Duration
	err := m.update(func(fm *fakejuju.Model) error {
		a := fm.Apps[m.app]
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

// Unelect takes leadership away from the current leader without electing
// another unit (as when the lease is lost): from now on no unit's is-leader
// answers True until [Model.Elect].
func (m *Model) Unelect() error {
	var old string
	err := m.update(func(fm *fakejuju.Model) error {
		if a := fm.Apps[m.app]; a.LeaderValid {
			old = a.Leader
		}
		return fm.Unelect(m.app)
	})
	if err != nil {
		return err
	}
	m.record(&Event{Kind: KindElect, Note: "no leader (was " + orNobody(old) + ")"})
	return nil
}

func orNobody(s string) string {
	if s == "" {
		return "nobody"
	}
	return s
}

// LeaderSettings returns the application's leader settings as Juju holds
// them.
func (m *Model) LeaderSettings() (map[string]string, error) {
	out := map[string]string{}
	err := m.view(func(fm *fakejuju.Model) error {
		maps.Copy(out, fm.Apps[m.app].LeaderSettings)
		return nil
	})
	return out, err
}

// Config returns the application's current config values (options without
// a value are left out), as strings.
func (m *Model) Config() map[string]string {
	out := map[string]string{}
	_ = m.view(func(fm *fakejuju.Model) error {
		for k, o := range fm.Apps[m.app].Config {
			if o.Value != nil {
				out[k] = fmt.Sprint(o.Value)
			}
		}
		return nil
	})
	return out
}

// SetConfig changes config options, as `juju config app k=v` does: each
// value is parsed as its option's type, and config-changed is queued on
// every unit, unless no value actually changed. An unknown option or a bad
// value changes nothing and returns an error matching [ErrBadConfig].
func (m *Model) SetConfig(values map[string]string) error {
	keys := slices.Sorted(maps.Keys(values))
	changed := false
	err := m.store.Update(func(fm *fakejuju.Model) error {
		cfg := maps.Clone(fm.Apps[m.app].Config)
		for _, k := range keys {
			o, ok := cfg[k]
			if !ok {
				return fmt.Errorf("%w: unknown option %q", ErrBadConfig, k)
			}
			v, err := parseConfigValue(o.Type, values[k])
			if err != nil {
				return fmt.Errorf("%w: option %q: %v", ErrBadConfig, k, err)
			}
			if fmt.Sprint(o.Value) != fmt.Sprint(v) || (o.Value == nil) != (v == nil) {
				changed = true
			}
			o.Value = v
			cfg[k] = o
		}
		fm.Apps[m.app].Config = cfg
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrBadConfig) {
			return err
		}
		return fmt.Errorf("jujusim: %w", err)
	}
	if !changed {
		return nil // Juju fires config-changed only when a value changes
	}
	m.cfgVer++
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+"="+strconv.Quote(values[k]))
	}
	m.record(&Event{Kind: KindConfig, Note: strings.Join(parts, " ")})
	return nil
}

func parseConfigValue(typ, s string) (any, error) {
	switch typ {
	case "int":
		return strconv.ParseInt(s, 10, 64)
	case "float":
		return strconv.ParseFloat(s, 64)
	case "boolean":
		return strconv.ParseBool(s)
	default:
		return s, nil
	}
}

// Deploy runs the first hooks of every unit that has not been installed,
// one unit after the other (each until it is idle: install, leader-elected
// or leader-settings-changed, config-changed, start, ...), and then
// [Model.Settle]s. It returns a *HookError if a hook failed.
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

// Settle runs queued hooks until no unit has one left: in rounds, one hook
// per unit per round, in unit order. Units in error are left alone. It
// returns a *HookError listing the hooks that failed, or ErrNotSettled
// after too many hooks.
func (m *Model) Settle() error {
	var failed []*Event
	for n := 0; ; {
		ran := false
		for _, u := range m.Units() {
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

// syncSettings waits until the watcher has seen the current leader-settings
// version and hands every new watcher event to the units as a bump of their
// remote leader-settings version, as Juju's settings watcher does.
func (m *Model) syncSettings() error {
	var version int
	if err := m.view(func(fm *fakejuju.Model) error {
		version = fm.Apps[m.app].SettingsVersion
		return nil
	}); err != nil {
		return err
	}
	events, err := m.watch.waitFor(version, 10*time.Second)
	if err != nil {
		return err
	}
	if n := events - m.seenLSV; n > 0 {
		m.seenLSV = events
		for _, u := range m.units {
			u.remoteLSV += n
		}
	}
	return nil
}

// charmMeta is the part of metadata.yaml the simulator uses.
type charmMeta struct {
	Name  string                  `yaml:"name"`
	Peers map[string]endpointMeta `yaml:"peers"`
}

// endpointMeta is one relation endpoint of metadata.yaml.
type endpointMeta struct {
	Interface string `yaml:"interface"`
}

func (c charmMeta) peerNames() []string {
	names := slices.Collect(maps.Keys(c.Peers))
	sort.Strings(names)
	return names
}

func readCharmMeta(dir string) (charmMeta, error) {
	var meta charmMeta
	for _, name := range []string{"metadata.yaml", "charmcraft.yaml"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return meta, fmt.Errorf("jujusim: reading %s: %w", name, err)
		}
		if err := yaml.Unmarshal(b, &meta); err != nil {
			return meta, fmt.Errorf("jujusim: parsing %s: %w", name, err)
		}
		return meta, nil
	}
	return meta, nil
}

func readCharmConfig(dir string) (map[string]fakejuju.ConfigOption, error) {
	out := map[string]fakejuju.ConfigOption{}
	b, err := os.ReadFile(filepath.Join(dir, "config.yaml"))
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("jujusim: reading config.yaml: %w", err)
	}
	var cfg struct {
		Options map[string]struct {
			Type    string `yaml:"type"`
			Default any    `yaml:"default"`
		} `yaml:"options"`
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		return nil, fmt.Errorf("jujusim: parsing config.yaml: %w", err)
	}
	for k, o := range cfg.Options {
		switch o.Type {
		case "", "string", "int", "float", "boolean", "secret":
		default:
			return nil, fmt.Errorf("jujusim: config.yaml: option %q: unknown type %q", k, o.Type)
		}
		if o.Type == "" {
			o.Type = "string"
		}
		v := o.Default
		if v != nil {
			pv, err := parseConfigValue(o.Type, fmt.Sprint(v))
			if err != nil {
				return nil, fmt.Errorf("jujusim: config.yaml: option %q: bad default: %v", k, err)
			}
			v = pv
		}
		out[k] = fakejuju.ConfigOption{Type: o.Type, Value: v}
	}
	return out, nil
}

func copyCharm(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if rel == ".unit-state.db" || strings.HasPrefix(rel, ".unit-state.db-") {
			return nil
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return copyFile(path, target, info.Mode().Perm())
	})
}

func copyFile(src, dst string, mode fs.FileMode) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, mode)
}
