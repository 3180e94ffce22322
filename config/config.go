package config

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/charmkit/charmkit/internal/callsite"
	"github.com/charmkit/charmkit/internal/pyjson"
	"github.com/charmkit/charmkit/reactive"
)

// LayerName is the name the layer is registered under
// ([reactive.Registry.AddLayer], [reactive.Hook.Layer]).
const LayerName = "config"

// Callback names: the start callback that sets the flags, the exit callback
// that clears them, and the exit callback, added in every hook, that saves
// the previous values.
const (
	StartCallback = "config.init_config_states"
	ClearCallback = "config.clear_config_states"
	SaveCallback  = "config.save"
)

// PersistentFile is the file in the charm directory that keeps the values
// of the last successful hook (charm-helpers' Config.CONFIG_FILE_NAME).
const PersistentFile = ".juju-persistent-config"

// ChangedAnyFlag is set when any option changed.
const ChangedAnyFlag = "config.changed"

// ChangedFlag returns config.changed.<opt>: the option's value differs from
// the one of the last successful hook (every option, in the first one).
func ChangedFlag(opt string) string { return "config.changed." + opt }

// SetFlag returns config.set.<opt>: the option's value is true in Python's
// sense (not null, false, "", 0 or 0.0).
func SetFlag(opt string) string { return "config.set." + opt }

// DefaultFlag returns config.default.<opt>: the option's value equals its
// default in config.yaml with Python's equality (1 == 1.0; an option with no
// value and no default counts as default).
func DefaultFlag(opt string) string { return "config.default." + opt }

// Errors of the layer.
var (
	// ErrNotRegistered: the charm never called [Register].
	ErrNotRegistered = errors.New("config layer not registered: call config.Register(r, nil) before the other layers")
	// ErrNotStarted: the layer's start callback has not run in this hook
	// (a restricted hook, or a start callback that runs before it).
	ErrNotStarted = errors.New("config layer not started in this hook")
)

// Options configures the layer. The zero value (or nil) reads config.yaml
// from the charm directory at the start of every hook.
type Options struct {
	// ConfigYAML is the text of the charm's config.yaml (an embedded copy,
	// say). Nil means reading config.yaml from the charm directory; a charm
	// without one has no options and gets no flags.
	ConfigYAML []byte
}

// Layer is the config layer registered on one [reactive.Registry].
type Layer struct {
	opts    Options
	options []option // from Options.ConfigYAML; nil when read per hook
}

// option is one option of config.yaml with its default.
type option struct {
	name string
	def  any
}

var _ reactive.HookLayer = (*Layer)(nil)

// LayerName implements [reactive.Layer]: "config".
func (l *Layer) LayerName() string { return LayerName }

// LayerFlags implements [reactive.Layer].
func (l *Layer) LayerFlags() []string {
	return []string{ChangedAnyFlag, "config.changed.*", "config.set.*", "config.default.*"}
}

// HookFlags implements [reactive.HookLayer]: config.changed, and
// config.changed.<opt>, config.set.<opt> and config.default.<opt> for each
// option of the config.yaml the layer read in the hook h (none without
// one), so that the registry warns about a watched flag naming another
// option (see the reactive package documentation). Nil before the layer
// has started in h.
func (l *Layer) HookFlags(h *reactive.Hook) []string {
	st := stateOf(h)
	if st == nil {
		return nil
	}
	if len(st.opts) == 0 {
		return []string{}
	}
	out := []string{ChangedAnyFlag}
	for _, flag := range []func(string) string{ChangedFlag, SetFlag, DefaultFlag} {
		for _, o := range st.opts {
			out = append(out, flag(o))
		}
	}
	return out
}

// Register adds the config layer to r ([reactive.Registry.AddLayer]): a
// start callback that sets the flags and an exit callback that clears them
// at the end of every successful hook, so they are never stored. Register
// it first, before every other layer: layer-basic sets these flags before
// anything else starts and clears them after everything else has ended.
// Register panics when another layer is already registered on r, and when
// opts.ConfigYAML is not a valid config.yaml.
func Register(r *reactive.Registry, opts *Options) *Layer {
	l := &Layer{}
	if opts != nil {
		l.opts = *opts
	}
	if l.opts.ConfigYAML != nil {
		var err error
		if l.options, err = parseOptions(l.opts.ConfigYAML); err != nil {
			panic(fmt.Sprintf("config: Register at %s: Options.ConfigYAML: %v", callsite.Charm(0), err))
		}
	}
	if layers := r.Layers(); len(layers) > 0 {
		var names []string
		for _, o := range layers {
			names = append(names, o.LayerName())
		}
		panic(fmt.Sprintf("config: Register at %s: the config layer must be registered first, before the %s layer: its flags are set before any other layer starts, as layer-basic sets them; call config.Register before the other layers' Register functions",
			callsite.Charm(0), strings.Join(names, ", ")))
	}
	r.AddLayer(l)
	r.AtStart(StartCallback, l.start)
	r.AtExit(ClearCallback, l.clear)
	return l
}

// parseOptions returns config.yaml's options, in the file's order, with
// their defaults.
func parseOptions(text []byte) ([]option, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(text, &doc); err != nil {
		return nil, fmt.Errorf("parsing config.yaml: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, errors.New("parsing config.yaml: not a mapping")
	}
	var opts *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "options" {
			opts = root.Content[i+1]
		}
	}
	if opts == nil || opts.Tag == "!!null" {
		return nil, nil
	}
	if opts.Kind != yaml.MappingNode {
		return nil, errors.New("parsing config.yaml: options is not a mapping")
	}
	var out []option
	for i := 0; i+1 < len(opts.Content); i += 2 {
		o := option{name: opts.Content[i].Value}
		body := opts.Content[i+1]
		if body.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(body.Content); j += 2 {
				if body.Content[j].Value != "default" {
					continue
				}
				var v any
				if err := body.Content[j+1].Decode(&v); err != nil {
					return nil, fmt.Errorf("parsing config.yaml: option %q: default: %w", o.name, err)
				}
				o.def = normalize(v)
			}
		}
		out = append(out, o)
	}
	return out, nil
}

// normalize turns YAML integers into int64, as config-get's are.
func normalize(v any) any {
	switch v := v.(type) {
	case int:
		return int64(v)
	case uint64:
		return float64(v)
	case []any:
		for i := range v {
			v[i] = normalize(v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = normalize(v[k])
		}
	}
	return v
}

// stateKey is the reactive.Hook value key of the hook's config.
type stateKey struct{}

// state is charm-helpers' Config for one hook: the current values with the
// previous-only keys merged in, in the order they are saved.
type state struct {
	keys   []string          // current keys sorted, then previous-only keys in file order
	values map[string]any    // decoded
	raw    map[string][]byte // previous-only keys: their JSON text from the file
	prev   map[string]any    // nil when there was no usable previous file
	path   string
	opts   []string // the options of config.yaml, in the file's order
}

func stateOf(h *reactive.Hook) *state {
	if h == nil {
		return nil
	}
	s, _ := h.Value(stateKey{}).(*state)
	return s
}

// start is layer-basic's init_config_states, on charm-helpers' Config.
func (l *Layer) start(ctx context.Context, h *reactive.Hook) error {
	cfg, err := h.Tools().ConfigGet(ctx)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	st := &state{keys: slices.Sorted(maps.Keys(cfg)), values: map[string]any(cfg), raw: map[string][]byte{},
		path: filepath.Join(h.CharmDir(), PersistentFile)}
	if err := st.loadPrevious(h); err != nil {
		return err
	}
	options := l.options
	if l.opts.ConfigYAML == nil {
		text, err := os.ReadFile(filepath.Join(h.CharmDir(), "config.yaml"))
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return fmt.Errorf("config: %w", err)
		default:
			if options, err = parseOptions(text); err != nil {
				return fmt.Errorf("config: %w", err)
			}
		}
	}
	for _, o := range options {
		st.opts = append(st.opts, o.name)
	}
	h.SetValue(stateKey{}, st)
	h.AtExit(SaveCallback, st.save)
	for _, o := range options {
		if st.changed(o.name) {
			if err := h.SetFlag(ChangedAnyFlag); err != nil {
				return err
			}
			if err := h.SetFlag(ChangedFlag(o.name)); err != nil {
				return err
			}
		}
		v := st.values[o.name]
		if err := h.ToggleFlag(SetFlag(o.name), truthy(v)); err != nil {
			return err
		}
		if err := h.ToggleFlag(DefaultFlag(o.name), pyEqual(v, o.def)); err != nil {
			return err
		}
	}
	return nil
}

// loadPrevious reads the previous values and merges the keys that are no
// longer current, as charm-helpers' Config.load_previous. A file that is
// not a JSON object is logged and ignored: every value then counts as
// changed.
func (st *state) loadPrevious(h *reactive.Hook) error {
	data, err := os.ReadFile(st.path)
	if errors.Is(err, fs.ErrNotExist) || err == nil && len(data) == 0 {
		return nil
	}
	if err != nil {
		return fmt.Errorf("config: reading the previous values: %w", err)
	}
	keys, raw, err := parseObject(data)
	if err != nil {
		h.Logger().Error("Found but was unable to parse previous config data, ignoring which will report all values as changed - " + err.Error())
		return nil
	}
	st.prev = map[string]any{}
	for _, k := range keys {
		st.prev[k] = decode(raw[k])
		if _, current := st.values[k]; !current {
			st.keys = append(st.keys, k)
			st.values[k] = st.prev[k]
			st.raw[k] = raw[k]
		}
	}
	return nil
}

// changed is charm-helpers' Config.changed.
func (st *state) changed(key string) bool {
	if st.prev == nil {
		return true
	}
	prev, _ := st.previous(key)
	return !pyEqual(prev, st.values[key])
}

// previous is charm-helpers' Config.previous: nothing from an empty file.
func (st *state) previous(key string) (any, bool) {
	if len(st.prev) == 0 {
		return nil, false
	}
	v, ok := st.prev[key]
	return v, ok
}

// save writes the values as charm-helpers' Config.save does: json.dump of
// the dict, mode 0600.
func (st *state) save(context.Context, *reactive.Hook) error {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range st.keys {
		if i > 0 {
			b.WriteString(", ")
		}
		key, err := pyjson.Marshal(k, false)
		if err != nil {
			return fmt.Errorf("config: saving: %w", err)
		}
		var v any = st.values[k]
		if raw, ok := st.raw[k]; ok {
			v = json.RawMessage(raw)
		}
		val, err := pyjson.Marshal(v, false)
		if err != nil {
			return fmt.Errorf("config: saving %q: %w", k, err)
		}
		b.Write(key)
		b.WriteString(": ")
		b.Write(val)
	}
	b.WriteByte('}')
	f, err := os.OpenFile(st.path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("config: saving: %w", err)
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("config: saving: %w", err)
	}
	if _, err := f.Write(b.Bytes()); err != nil {
		f.Close()
		return fmt.Errorf("config: saving: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("config: saving: %w", err)
	}
	return nil
}

// clear is layer-basic's clear_config_states. charms.reactive has already
// forgotten the triggers when it runs, so clearing these flags fires none.
func (l *Layer) clear(ctx context.Context, h *reactive.Hook) error {
	st := stateOf(h)
	if st == nil {
		return nil
	}
	h.Flags().ClearTriggers()
	if err := h.ClearFlag(ChangedAnyFlag); err != nil {
		return err
	}
	for _, k := range st.keys {
		for _, f := range []string{ChangedFlag(k), SetFlag(k), DefaultFlag(k)} {
			if err := h.ClearFlag(f); err != nil {
				return err
			}
		}
	}
	return nil
}

// Changed reports whether the option's value differs from the last
// successful hook's (always true when there was none): charm-helpers'
// Config.changed. It is false in a hook where the layer did not start.
func Changed(h *reactive.Hook, opt string) bool {
	st := stateOf(h)
	return st != nil && st.changed(opt)
}

// Previous returns the option's value in the last successful hook and
// whether there was one: charm-helpers' Config.previous.
func Previous(h *reactive.Hook, opt string) (any, bool) {
	if st := stateOf(h); st != nil {
		return st.previous(opt)
	}
	return nil, false
}

// Values returns the current values, with the keys that only the previous
// values have (charm-helpers keeps them), or an error saying why there are
// none, naming the charm's line that asked: one wrapping
// [ErrNotRegistered], or [ErrNotStarted] with the reason.
func Values(h *reactive.Hook) (map[string]any, error) {
	if st := stateOf(h); st != nil {
		return maps.Clone(st.values), nil
	}
	if h == nil || h.Layer(LayerName) == nil {
		return nil, fmt.Errorf("config: reading the values (at %s): %w", callsite.Charm(0), ErrNotRegistered)
	}
	why := fmt.Sprintf("%q runs before the layer's start callback %q; register it after config.Register", h.Current(), StartCallback)
	if h.Restricted() {
		why = h.Name() + " is a restricted hook, in which the layer does not run"
	}
	return nil, fmt.Errorf("config: reading the values (at %s): %w: %s", callsite.Charm(0), ErrNotStarted, why)
}

// parseObject parses a JSON object, keeping its keys' order and each
// value's text; a repeated key keeps its first place and its last value.
func parseObject(data []byte) ([]string, map[string][]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil {
		return nil, nil, err
	} else if t != json.Delim('{') {
		return nil, nil, fmt.Errorf("not a JSON object")
	}
	var keys []string
	raw := map[string][]byte{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		k, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		if _, seen := raw[k]; !seen {
			keys = append(keys, k)
		}
		raw[k] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, fmt.Errorf("trailing data after the JSON object")
	}
	return keys, raw, nil
}

// decode decodes a JSON value with integers as int64 and other numbers as
// float64, as config-get's values are.
func decode(raw []byte) any {
	v, err := pyjson.Unmarshal(raw)
	if err != nil {
		return nil
	}
	return v
}

// truthy is Python's bool(v) for JSON values.
func truthy(v any) bool { return pyjson.Truthy(v) }

// number returns v as a number when Python would compare it as one (bools
// are the integers 0 and 1).
func number(v any) (i int64, f float64, isInt, ok bool) {
	switch v := v.(type) {
	case bool:
		if v {
			return 1, 1, true, true
		}
		return 0, 0, true, true
	case int64:
		return v, float64(v), true, true
	case int:
		return int64(v), float64(v), true, true
	case float64:
		return 0, v, false, true
	}
	return 0, 0, false, false
}

// pyEqual is Python's == for JSON values: 1 == 1.0 == True, None == None,
// containers element by element.
func pyEqual(a, b any) bool {
	ai, af, aInt, aNum := number(a)
	bi, bf, bInt, bNum := number(b)
	if aNum || bNum {
		if !aNum || !bNum {
			return false
		}
		if aInt && bInt {
			return ai == bi
		}
		return af == bf
	}
	switch a := a.(type) {
	case nil:
		return b == nil
	case string:
		s, ok := b.(string)
		return ok && a == s
	case []any:
		l, ok := b.([]any)
		if !ok || len(l) != len(a) {
			return false
		}
		for i := range a {
			if !pyEqual(a[i], l[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		m, ok := b.(map[string]any)
		if !ok || len(m) != len(a) {
			return false
		}
		for k, v := range a {
			w, ok := m[k]
			if !ok || !pyEqual(v, w) {
				return false
			}
		}
		return true
	}
	return false
}
