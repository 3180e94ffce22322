package charmtest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/charmkit/charmkit/internal/charmaction"
	"github.com/charmkit/charmkit/internal/charmdir"
	"github.com/charmkit/charmkit/internal/hookpattern"
	"github.com/charmkit/charmkit/internal/suggest"
	"github.com/charmkit/charmkit/reactive"
)

// NoCharm, as [Unit.Charm], runs the unit without looking for the charm's
// metadata.yaml and config.yaml: nothing is checked against them, and
// config options get no defaults (but those of Files["config.yaml"]).
const NoCharm = "-"

// ErrBadConfig is matched, together with [ErrInvalidUnit], by the error
// for a [Unit.Config] that Juju would refuse: an option config.yaml does
// not declare, or a value of the wrong type. testing/jujusim's
// Model.SetConfig returns its own ErrBadConfig for the same mistakes.
var ErrBadConfig = errors.New("charmtest: bad config")

// ErrBadAction is matched, together with [ErrInvalidUnit], by the error
// for an action, or action parameters, that the charm's actions.yaml does
// not allow ([Unit.RunAction]); jujusim's Unit.RunAction returns its own
// ErrBadAction for the same mistakes.
var ErrBadAction = errors.New("charmtest: bad action")

// invalidError is one problem with a unit: it matches ErrInvalidUnit, and
// also kind when not nil.
type invalidError struct {
	msg  string
	kind error
}

func (e *invalidError) Error() string { return ErrInvalidUnit.Error() + ": " + e.msg }

func (e *invalidError) Is(target error) bool {
	return target == ErrInvalidUnit || (e.kind != nil && target == e.kind)
}

// charmSpec is what the run knows of the charm's metadata and config:
// from the charm directory found (or named by Unit.Charm), with the
// metadata.yaml, charmcraft.yaml and config.yaml of Unit.Files in place of
// the directory's.
type charmSpec struct {
	dir string // the charm directory read, "" when none

	hasMeta    bool
	metaFile   string             // where the metadata came from, for messages
	metadata   *reactive.Metadata // the metadata, as the charm's hooks read it
	name       string
	endpoints  map[string]endpointSpec
	storage    map[string]bool
	containers map[string]bool

	hasConfig  bool
	configFile string // where the options came from, for messages
	options    map[string]optionSpec

	actions *charmaction.Actions // nil when unknown: any action goes

	// copied are the charm's files read from dir (not given in
	// Unit.Files), by name: a run puts them in the simulated charm
	// directory, as Juju does, and leaves them out of the result unless
	// the charm changed them.
	copied      map[string][]byte
	copiedModes map[string]fs.FileMode
}

// endpointSpec is one relation endpoint of the metadata.
type endpointSpec struct {
	Role      string // "provides", "requires" or "peers"
	Interface string
	Scope     string // "global" or "container"
}

// optionSpec is one option of config.yaml.
type optionSpec struct {
	Type    string // "string", "int", "float", "boolean" or "secret"
	Default any    // as YAML decoded it
}

// charmFiles are the names of Unit.Files that describe the charm.
var charmFiles = []string{"metadata.yaml", "charmcraft.yaml", "config.yaml", "actions.yaml"}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// charmDirOf returns the charm directory the unit's run reads: Unit.Charm,
// or the one found from the working directory; "" for none.
func (u Unit) charmDirOf() (string, error) {
	switch u.Charm {
	case NoCharm:
		return "", nil
	case "":
		wd, err := os.Getwd()
		if err != nil {
			return "", nil
		}
		return charmdir.Find(wd), nil
	}
	dir, err := filepath.Abs(u.Charm)
	if err != nil {
		return "", &invalidError{msg: fmt.Sprintf("Charm %q: %v", u.Charm, err)}
	}
	if !isFile(filepath.Join(dir, "metadata.yaml")) && !isFile(filepath.Join(dir, "charmcraft.yaml")) {
		return "", &invalidError{msg: fmt.Sprintf("Charm %q: no metadata.yaml or charmcraft.yaml there: name the charm's directory, or leave Charm empty to find it from the working directory (NoCharm for none)", u.Charm)}
	}
	return dir, nil
}

// loadCharm reads the charm's metadata and config for u. Files given in
// u.Files stand in for the charm directory's.
func (u Unit) loadCharm() (*charmSpec, error) {
	dir, err := u.charmDirOf()
	if err != nil {
		return nil, err
	}
	spec := &charmSpec{dir: dir, copied: map[string][]byte{}}
	src := map[string][]byte{}   // the charm's files, by name
	where := map[string]string{} // where each came from, for messages
	for _, name := range charmFiles {
		if text, ok := u.Files[name]; ok {
			src[name], where[name] = []byte(text), fmt.Sprintf("Files[%q]", name)
			continue
		}
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, name)
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("charmtest: reading the charm's %s: %w", name, err)
		}
		src[name], where[name] = b, displayPath(p)
		spec.copied[name] = b
	}

	var meta map[string]any
	switch {
	case src["metadata.yaml"] != nil:
		spec.metaFile = where["metadata.yaml"]
		if err := yaml.Unmarshal(src["metadata.yaml"], &meta); err != nil {
			return nil, &invalidError{msg: fmt.Sprintf("%s: %v", spec.metaFile, err)}
		}
		spec.hasMeta = true
		// The hook reads the metadata itself when it does not parse here.
		spec.metadata, _ = reactive.ParseMetadata(src["metadata.yaml"])
	case src["charmcraft.yaml"] != nil && charmdir.CharmcraftHasName(src["charmcraft.yaml"]):
		spec.metaFile = where["charmcraft.yaml"]
		if err := yaml.Unmarshal(src["charmcraft.yaml"], &meta); err != nil {
			return nil, &invalidError{msg: fmt.Sprintf("%s: %v", spec.metaFile, err)}
		}
		spec.hasMeta = true
		spec.metadata, _ = reactive.ParseMetadata(src["charmcraft.yaml"])
	}
	if spec.hasMeta {
		spec.name, _ = meta["name"].(string)
		spec.endpoints = map[string]endpointSpec{"juju-info": {Role: "provides", Interface: "juju-info", Scope: "global"}}
		for _, role := range []string{"provides", "requires", "peers"} {
			eps, _ := meta[role].(map[string]any)
			for name, v := range eps {
				e := endpointSpec{Role: role, Scope: "global"}
				switch v := v.(type) {
				case string:
					e.Interface = v
				case map[string]any:
					e.Interface, _ = v["interface"].(string)
					if s, _ := v["scope"].(string); s != "" {
						e.Scope = s
					}
				}
				spec.endpoints[name] = e
			}
		}
		spec.storage = keysOf(meta["storage"])
		spec.containers = keysOf(meta["containers"])
	}

	var cfgText []byte
	switch {
	case src["config.yaml"] != nil:
		cfgText, spec.configFile = src["config.yaml"], where["config.yaml"]
	case src["charmcraft.yaml"] != nil:
		var cc struct {
			Config yaml.Node `yaml:"config"`
		}
		if err := yaml.Unmarshal(src["charmcraft.yaml"], &cc); err != nil {
			return nil, &invalidError{msg: fmt.Sprintf("%s: %v", where["charmcraft.yaml"], err)}
		}
		if !cc.Config.IsZero() {
			b, err := yaml.Marshal(&cc.Config)
			if err != nil {
				return nil, err
			}
			cfgText, spec.configFile = b, where["charmcraft.yaml"]+" (config)"
		}
	}
	switch {
	case cfgText != nil:
		var doc struct {
			Options map[string]struct {
				Type    string `yaml:"type"`
				Default any    `yaml:"default"`
			} `yaml:"options"`
		}
		if err := yaml.Unmarshal(cfgText, &doc); err != nil {
			return nil, &invalidError{msg: fmt.Sprintf("%s: %v", spec.configFile, err)}
		}
		spec.hasConfig = true
		spec.options = map[string]optionSpec{}
		for name, o := range doc.Options {
			typ := o.Type
			if typ == "" {
				typ = "string"
			}
			if !slices.Contains(optionTypes, typ) {
				return nil, &invalidError{msg: fmt.Sprintf("%s: option %q: unknown type %q (want one of %s)", spec.configFile, name, o.Type, strings.Join(optionTypes, ", "))}
			}
			if _, err := configDefault(typ, o.Default); err != nil {
				return nil, &invalidError{msg: fmt.Sprintf("%s: option %q: %v", spec.configFile, name, err)}
			}
			spec.options[name] = optionSpec{Type: typ, Default: o.Default}
		}
	case spec.hasMeta:
		// A charm without config.yaml has no options at all.
		spec.hasConfig = true
		spec.configFile = "config.yaml (the charm has none)"
		spec.options = map[string]optionSpec{}
	}
	if err := spec.loadActions(src, where); err != nil {
		return nil, err
	}
	return spec, nil
}

// copyFiles writes the charm's files read from its directory into the
// simulated charm directory, where a deployed charm finds them
// (config.Register and endpoint.Register read them there).
func (s *charmSpec) copyFiles(charmDir string) error {
	if s == nil {
		return nil
	}
	s.copiedModes = map[string]fs.FileMode{}
	for name, b := range s.copied {
		p := filepath.Join(charmDir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return fmt.Errorf("charmtest: copying the charm's %s: %w", name, err)
		}
		st, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("charmtest: copying the charm's %s: %w", name, err)
		}
		s.copiedModes[name] = st.Mode() & fileModeBits
	}
	return nil
}

// dropCopies removes from a result's files the charm files copyFiles
// wrote, unless the hook changed them.
func (s *charmSpec) dropCopies(files map[string]string, modes map[string]fs.FileMode) {
	if s == nil {
		return
	}
	for name, b := range s.copied {
		if got, ok := files[name]; ok && got == string(b) && modes[name] == s.copiedModes[name] {
			delete(files, name)
			delete(modes, name)
		}
	}
}

// loadActions reads the actions from actions.yaml, or from the actions
// section of charmcraft.yaml. A charm with metadata but neither has no
// actions at all.
func (s *charmSpec) loadActions(src map[string][]byte, where map[string]string) error {
	text, file := src["actions.yaml"], where["actions.yaml"]
	if text == nil && src["charmcraft.yaml"] != nil {
		b, err := charmaction.FromCharmcraft(src["charmcraft.yaml"])
		if err != nil {
			return &invalidError{msg: fmt.Sprintf("%s: %v", where["charmcraft.yaml"], err)}
		}
		text, file = b, where["charmcraft.yaml"]+" (actions)"
	}
	switch {
	case text != nil:
		a, err := charmaction.Parse(text, file)
		if err != nil {
			return &invalidError{msg: err.Error()}
		}
		s.actions = a
	case s.hasMeta:
		s.actions = &charmaction.Actions{File: "actions.yaml (the charm has none)"}
	}
	return nil
}

// actionParams checks an action and its parameters as Juju does before it
// runs the action, and returns the parameters with the defaults of the
// ones not given. With no actions known, the parameters are used as given.
func (s *charmSpec) actionParams(name string, params map[string]any) (map[string]any, error) {
	var a *charmaction.Actions
	if s != nil {
		a = s.actions
	}
	out, err := a.Check(name, params)
	if err != nil {
		return nil, &invalidError{msg: err.Error(), kind: ErrBadAction}
	}
	return out, nil
}

// optionTypes are the option types config.yaml may declare.
var optionTypes = []string{"string", "int", "float", "boolean", "secret"}

func keysOf(v any) map[string]bool {
	m, _ := v.(map[string]any)
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// displayPath returns p relative to the working directory when that is
// shorter, for messages.
func displayPath(p string) string {
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, p); err == nil && len(rel) < len(p) {
			return rel
		}
	}
	return p
}

// secretURIRE matches a secret reference as a secret option holds it.
var secretURIRE = regexp.MustCompile(`^secret:(//[0-9a-f-]+/)?[0-9a-v]{20}$`)

// checkConfig reports every option of u.Config that the charm's config.yaml
// does not declare or whose value has the wrong type for it.
func (s *charmSpec) checkConfig(u Unit) []error {
	if s == nil || !s.hasConfig {
		return nil
	}
	var errs []error
	declared := sortedKeys(s.options)
	for _, k := range sortedKeys(u.Config) {
		field := fmt.Sprintf("Config[%q]", k)
		o, ok := s.options[k]
		if !ok {
			msg := fmt.Sprintf("%s: the charm has no option %q%s: Juju refuses options that %s does not declare; fix the key, or declare the option", field, k, suggest.DidYouMean(k, declared), s.configFile)
			if len(declared) > 0 {
				msg += fmt.Sprintf(" (options: %s)", strings.Join(declared, ", "))
			}
			errs = append(errs, &invalidError{msg: msg, kind: ErrBadConfig})
			continue
		}
		v, err := configValue(u.Config[k])
		if err != nil {
			continue // reported by Validate's type check
		}
		if msg := checkOptionValue(o.Type, v); msg != "" {
			errs = append(errs, &invalidError{msg: fmt.Sprintf("%s: %s, but option %q is of type %s in %s: %s", field, describe(v), k, o.Type, s.configFile, msg), kind: ErrBadConfig})
		}
	}
	return errs
}

// checkOptionValue returns what to do when v cannot be a value of an
// option of type typ, or "" when it can.
func checkOptionValue(typ string, v any) string {
	if v == nil {
		return "" // an option without a value
	}
	switch typ {
	case "string":
		if _, ok := v.(string); !ok {
			return fmt.Sprintf("give a string, e.g. %q", fmt.Sprint(v))
		}
	case "int":
		switch v := v.(type) {
		case int64:
		case float64:
			return fmt.Sprintf("give an integer, e.g. %d", int64(v))
		case string:
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				return fmt.Sprintf("give an integer, e.g. %d", n)
			}
			return "give an integer"
		default:
			return "give an integer"
		}
	case "float":
		switch v.(type) {
		case float64, int64:
		default:
			return "give a float64 (or an integer)"
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return "give true or false"
		}
	case "secret":
		if s, ok := v.(string); !ok || !secretURIRE.MatchString(s) {
			return `give a secret URI, "secret:" and the secret's 20-character id`
		}
	}
	return ""
}

// describe renders a config value and its Go type for a message.
func describe(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%q is a string", v)
	case bool:
		return fmt.Sprintf("%v is a bool", v)
	case int64:
		return fmt.Sprintf("%d is an integer", v)
	case float64:
		return fmt.Sprintf("%v is a float", v)
	}
	return fmt.Sprintf("%v (%T)", v, v)
}

// checkRelations reports relations the charm's metadata cannot have: an
// endpoint it does not declare, a peer endpoint whose remote application
// is another one, a non-peer endpoint related to the unit's own
// application, more than one remote unit on a container-scoped endpoint.
func (s *charmSpec) checkRelations(u Unit) []error {
	if s == nil || !s.hasMeta {
		return nil
	}
	var errs []error
	app := u.app()
	for i, r := range u.Relations {
		field := fmt.Sprintf("Relations[%d] (%q)", i, r.ID)
		ep := r.Endpoint()
		e, ok := s.endpoints[ep]
		if !ok {
			errs = append(errs, &invalidError{msg: fmt.Sprintf("%s: %s declares no endpoint %q%s: use one of its endpoints in the ID (%s), or declare the endpoint under provides, requires or peers",
				field, s.metaFile, ep, suggest.DidYouMean(ep, sortedKeys(s.endpoints)), s.endpointList())})
			continue
		}
		switch {
		case e.Role == "peers" && r.RemoteApp != app:
			errs = append(errs, &invalidError{msg: fmt.Sprintf("%s: %q is a peer endpoint, so its remote application is the unit's own: set RemoteApp to %q, not %q",
				field, ep, app, r.RemoteApp)})
		case e.Role != "peers" && r.RemoteApp == app:
			errs = append(errs, &invalidError{msg: fmt.Sprintf("%s: %q is a %s endpoint, so the relation is with another application: set RemoteApp to it (the unit's own application %q relates to itself only over a peer endpoint)",
				field, ep, e.Role, app)})
		case e.Scope == "container" && len(r.Units) > 1:
			errs = append(errs, &invalidError{msg: fmt.Sprintf("%s: %q is container-scoped, so the unit sees only the one unit on its machine: keep one unit in Units (it has %d)",
				field, ep, len(r.Units))})
		}
	}
	return errs
}

// endpointList renders the metadata's endpoints with their roles.
func (s *charmSpec) endpointList() string {
	var parts []string
	for _, name := range sortedKeys(s.endpoints) {
		parts = append(parts, name+" ("+s.endpoints[name].Role+")")
	}
	return strings.Join(parts, ", ")
}

// The hooks Juju runs whatever the charm's metadata says, and the endings
// of the hooks named after something of the metadata: <name><suffix>.
var (
	jujuHooks         = hookpattern.Fixed
	relationSuffixes  = hookpattern.RelationSuffixes
	storageSuffixes   = hookpattern.StorageSuffixes
	containerSuffixes = hookpattern.ContainerSuffixes
)

// checkHook reports a hook Juju would never run for this charm.
func (s *charmSpec) checkHook(hook string) error {
	if s == nil || !s.hasMeta || slices.Contains(jujuHooks, hook) {
		return nil
	}
	for _, kind := range []struct {
		suffixes []string
		known    []string
		what     string
	}{
		{relationSuffixes, sortedKeys(s.endpoints), "relation endpoint"},
		{storageSuffixes, sortedKeys(s.storage), "storage"},
		{containerSuffixes, sortedKeys(s.containers), "container"},
	} {
		for _, suf := range kind.suffixes {
			if name, ok := strings.CutSuffix(hook, suf); ok {
				if slices.Contains(kind.known, name) {
					return nil
				}
				return &invalidError{msg: fmt.Sprintf("hook %q: %s declares no %s %q%s", hook, s.metaFile, kind.what, name, suggest.DidYouMean(name, kind.known))}
			}
		}
	}
	var all []string
	all = append(all, jujuHooks...)
	for _, ep := range sortedKeys(s.endpoints) {
		for _, suf := range relationSuffixes {
			all = append(all, ep+suf)
		}
	}
	return &invalidError{msg: fmt.Sprintf("hook %q: Juju runs no such hook for this charm%s", hook, suggest.DidYouMean(hook, all))}
}
