package jujusim

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/charmkit/charmkit/internal/charmaction"
	"github.com/charmkit/charmkit/testing/fakejuju"
)

// AppOptions describes an application to deploy with
// [Model.AddApplication].
type AppOptions struct {
	// Charm is the charm directory: metadata.yaml, config.yaml,
	// actions.yaml and an executable dispatch (unless Dispatch is set). Every file is copied
	// into each unit's own charm directory. Required.
	Charm string
	// Dispatch, if set, is an executable copied into each unit's charm
	// directory as dispatch (for example a freshly built charm binary).
	Dispatch string
	// Name is the application name; default: the name in metadata.yaml.
	Name string
	// Units is the number of units to add; default 1.
	Units int
}

// Application is one application of a [Model]: its charm, its units and
// their shared state in the fake Juju (leadership, leader settings,
// config, relation endpoints).
type Application struct {
	m        *Model
	index    int
	name     string
	opts     AppOptions
	meta     charmMeta
	actions  *charmaction.Actions
	units    []*Unit
	nextUnit int
	cfgVer   int
	seenLSV  int // watcher events already handed to the units
}

// AddApplication deploys another application in the model, as `juju
// deploy` does: its units are added (none has run a hook yet: see
// [Model.Deploy]) and the first is its leader; its peer relations exist at
// once.
func (m *Model) AddApplication(opts AppOptions) (*Application, error) {
	return m.addApplication(opts, true)
}

// addApplication is AddApplication; the model's first application, made by
// New, is not recorded as an event.
func (m *Model) addApplication(opts AppOptions, record bool) (*Application, error) {
	if opts.Charm == "" {
		return nil, errors.New("jujusim: application: no charm directory")
	}
	if opts.Units == 0 {
		opts.Units = 1
	}
	if opts.Units < 0 {
		return nil, fmt.Errorf("jujusim: application: negative unit count %d", opts.Units)
	}
	if st, err := os.Stat(opts.Charm); err != nil {
		return nil, fmt.Errorf("jujusim: application: charm: %w", err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("jujusim: application: charm %s is not a directory", opts.Charm)
	}
	meta, err := readCharmMeta(opts.Charm)
	if err != nil {
		return nil, err
	}
	config, err := readCharmConfig(opts.Charm)
	if err != nil {
		return nil, err
	}
	actions, err := readCharmActions(opts.Charm)
	if err != nil {
		return nil, err
	}
	if opts.Name == "" {
		opts.Name = meta.Name
	}
	if opts.Name == "" {
		opts.Name = "app"
	}
	if m.Application(opts.Name) != nil {
		return nil, fmt.Errorf("jujusim: application %q already exists", opts.Name)
	}
	if opts.Dispatch == "" {
		if _, err := os.Stat(filepath.Join(opts.Charm, "dispatch")); err != nil {
			if _, herr := os.Stat(filepath.Join(opts.Charm, "hooks")); herr != nil {
				return nil, fmt.Errorf("jujusim: charm %s: no dispatch and no hooks directory", opts.Charm)
			}
		}
	} else if _, err := os.Stat(opts.Dispatch); err != nil {
		return nil, fmt.Errorf("jujusim: application: dispatch: %w", err)
	}
	a := &Application{m: m, index: len(m.apps), name: opts.Name, opts: opts, meta: meta, actions: actions, cfgVer: 1}
	err = m.update(func(fm *fakejuju.Model) error {
		if _, err := fm.AddApp(a.name, meta.endpoints(), config); err != nil {
			return err
		}
		for _, ep := range meta.peerNames() {
			if _, err := fm.AddRelation(-1, fakejuju.RelationEndpoint{App: a.name, Endpoint: ep}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	m.apps = append(m.apps, a)
	if record {
		m.record(&Event{Kind: KindDeploy, Note: a.name})
	}
	for range opts.Units {
		if _, err := a.AddUnit(); err != nil {
			return nil, err
		}
	}
	if len(a.units) > 0 {
		if err := m.update(func(fm *fakejuju.Model) error { _, err := fm.Elect(a.units[0].name); return err }); err != nil {
			return nil, err
		}
		m.record(&Event{Kind: KindElect, Unit: a.units[0].name, Note: "initial leader"})
	}
	return a, nil
}

// Application returns the named application, or nil.
func (m *Model) Application(name string) *Application {
	for _, a := range m.apps {
		if a.name == name {
			return a
		}
	}
	return nil
}

// Applications returns the model's applications, in deployment order.
func (m *Model) Applications() []*Application { return slices.Clone(m.apps) }

// Name returns the application's name.
func (a *Application) Name() string { return a.name }

// Units returns the application's units that are neither removed nor
// killed, in creation order.
func (a *Application) Units() []*Unit {
	var out []*Unit
	for _, u := range a.units {
		if !u.gone {
			out = append(out, u)
		}
	}
	return out
}

// Unit returns unit n of the application (as in "app/n"), or nil.
func (a *Application) Unit(n int) *Unit {
	for _, u := range a.units {
		if u.index == n {
			return u
		}
	}
	return nil
}

// AddUnit adds a unit to the application. It runs no hook: its first hooks
// are queued (see [Unit.Pending]).
func (a *Application) AddUnit() (*Unit, error) {
	m := a.m
	u := &Unit{m: m, app: a, index: a.nextUnit, name: fmt.Sprintf("%s/%d", a.name, a.nextUnit), remoteLSV: 1}
	a.nextUnit++
	for _, d := range []string{u.CharmDir(), u.toolsDir()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("jujusim: adding unit: %w", err)
		}
	}
	if err := copyCharm(a.opts.Charm, u.CharmDir()); err != nil {
		return nil, fmt.Errorf("jujusim: adding unit: copying charm: %w", err)
	}
	if a.opts.Dispatch != "" {
		if err := copyFile(a.opts.Dispatch, filepath.Join(u.CharmDir(), "dispatch"), 0o755); err != nil {
			return nil, fmt.Errorf("jujusim: adding unit: copying dispatch: %w", err)
		}
	}
	for _, t := range ToolNames() {
		if err := u.linkTool(t); err != nil {
			return nil, fmt.Errorf("jujusim: adding unit: %w", err)
		}
	}
	// Addresses: 10.<application>.<unit/256>.<unit%256 + 1>, one network.
	addr := fmt.Sprintf("10.%d.%d.%d", a.index+1, u.index/256, u.index%256+1)
	if err := m.update(func(fm *fakejuju.Model) error { _, err := fm.AddUnit(u.name, addr); return err }); err != nil {
		return nil, fmt.Errorf("jujusim: adding unit: %w", err)
	}
	a.units = append(a.units, u)
	m.record(&Event{Kind: KindAddUnit, Unit: u.name})
	return u, nil
}

// Leader returns the unit that currently leads the application, or nil
// while nobody does (after [Application.Unelect], or after the leader was
// removed).
func (a *Application) Leader() *Unit {
	var leader string
	_ = a.m.view(func(fm *fakejuju.Model) error {
		if fa := fm.Apps[a.name]; fa != nil && fa.LeaderValid {
			leader = fa.Leader
		}
		return nil
	})
	for _, u := range a.units {
		if u.name == leader && !u.gone {
			return u
		}
	}
	return nil
}

// Unelect takes leadership away from the application's leader without
// electing another unit (as when the lease is lost): from now on no unit's
// is-leader answers True until [Model.Elect].
func (a *Application) Unelect() error {
	var old string
	err := a.m.update(func(fm *fakejuju.Model) error {
		if fa := fm.Apps[a.name]; fa.LeaderValid {
			old = fa.Leader
		}
		return fm.Unelect(a.name)
	})
	if err != nil {
		return err
	}
	a.m.record(&Event{Kind: KindElect, Note: "no leader in " + a.name + " (was " + orNobody(old) + ")"})
	return nil
}

// LeaderSettings returns the application's leader settings as Juju holds
// them.
func (a *Application) LeaderSettings() (map[string]string, error) {
	out := map[string]string{}
	err := a.m.view(func(fm *fakejuju.Model) error {
		maps.Copy(out, fm.Apps[a.name].LeaderSettings)
		return nil
	})
	return out, err
}

// Config returns the application's current config values (options without
// a value are left out), as strings.
func (a *Application) Config() map[string]string {
	out := map[string]string{}
	_ = a.m.view(func(fm *fakejuju.Model) error {
		for k, o := range fm.Apps[a.name].Config {
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
func (a *Application) SetConfig(values map[string]string) error {
	keys := slices.Sorted(maps.Keys(values))
	changed := false
	err := a.m.store.Update(func(fm *fakejuju.Model) error {
		cfg := maps.Clone(fm.Apps[a.name].Config)
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
		fm.Apps[a.name].Config = cfg
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
	a.cfgVer++
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+"="+strconv.Quote(values[k]))
	}
	note := strings.Join(parts, " ")
	if len(a.m.apps) > 1 {
		note = a.name + ": " + note
	}
	a.m.record(&Event{Kind: KindConfig, Note: note})
	return nil
}
