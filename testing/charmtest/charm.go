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

	"github.com/charmkit/charmkit/internal/hookpattern"
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

	hasActions  bool
	actionsFile string // where the actions came from, for messages
	actions     map[string]actionSpec
}

// actionSpec is one action of actions.yaml: the JSON schema of its
// parameters, of which the harness checks the top level (types, required
// parameters, additionalProperties) and applies the defaults, as Juju does
// before it runs the action.
type actionSpec struct {
	Params               map[string]paramSpec `yaml:"params"`
	Required             []string             `yaml:"required"`
	AdditionalProperties *bool                `yaml:"additionalProperties"`
}

// paramSpec is one parameter of an action.
type paramSpec struct {
	Type    any `yaml:"type"` // a JSON schema type or a list of them
	Default any `yaml:"default"`
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

// findCharmDir returns the first directory, from dir upwards, that holds
// metadata.yaml or a charmcraft.yaml with the metadata inline (a name),
// stopping at the directory holding go.mod (the module root, included),
// as charmkit vet does. It returns "" when there is none.
func findCharmDir(dir string) string {
	for {
		if isFile(filepath.Join(dir, "metadata.yaml")) {
			return dir
		}
		if p := filepath.Join(dir, "charmcraft.yaml"); isFile(p) {
			if b, err := os.ReadFile(p); err == nil && charmcraftHasName(b) {
				return dir
			}
		}
		if isFile(filepath.Join(dir, "go.mod")) {
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// charmcraftHasName reports whether a charmcraft.yaml holds the metadata
// inline (it has a name), rather than build instructions only.
func charmcraftHasName(b []byte) bool {
	var v struct {
		Name string `yaml:"name"`
	}
	return yaml.Unmarshal(b, &v) == nil && v.Name != ""
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
		return findCharmDir(wd), nil
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
	spec := &charmSpec{dir: dir}
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
	case src["charmcraft.yaml"] != nil && charmcraftHasName(src["charmcraft.yaml"]):
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

// loadActions reads the actions from actions.yaml, or from the actions
// section of charmcraft.yaml. A charm with metadata but neither has no
// actions at all.
func (s *charmSpec) loadActions(src map[string][]byte, where map[string]string) error {
	var text []byte
	switch {
	case src["actions.yaml"] != nil:
		text, s.actionsFile = src["actions.yaml"], where["actions.yaml"]
	case src["charmcraft.yaml"] != nil:
		var cc struct {
			Actions yaml.Node `yaml:"actions"`
		}
		if err := yaml.Unmarshal(src["charmcraft.yaml"], &cc); err != nil {
			return &invalidError{msg: fmt.Sprintf("%s: %v", where["charmcraft.yaml"], err)}
		}
		if !cc.Actions.IsZero() {
			b, err := yaml.Marshal(&cc.Actions)
			if err != nil {
				return err
			}
			text, s.actionsFile = b, where["charmcraft.yaml"]+" (actions)"
		}
	}
	switch {
	case text != nil:
		if err := yaml.Unmarshal(text, &s.actions); err != nil {
			return &invalidError{msg: fmt.Sprintf("%s: %v", s.actionsFile, err)}
		}
		s.hasActions = true
	case s.hasMeta:
		s.hasActions = true
		s.actionsFile = "actions.yaml (the charm has none)"
	}
	if s.actions == nil {
		s.actions = map[string]actionSpec{}
	}
	return nil
}

// actionParams checks an action and its parameters as Juju does before it
// runs the action, and returns the parameters with the defaults of the
// ones not given. With no actions known, the parameters are used as given.
func (s *charmSpec) actionParams(name string, params map[string]any) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range params {
		cv, err := paramValue(v)
		if err != nil {
			return nil, &invalidError{msg: fmt.Sprintf("action %q: parameter %q: %v", name, k, err)}
		}
		out[k] = cv
	}
	if s == nil || !s.hasActions {
		return out, nil
	}
	a, ok := s.actions[name]
	if !ok {
		names := sortedKeys(s.actions)
		msg := fmt.Sprintf("action %q: %s declares no such action%s", name, s.actionsFile, didYouMean(name, names))
		if len(names) > 0 {
			msg += fmt.Sprintf(" (actions: %s)", strings.Join(names, ", "))
		}
		return nil, &invalidError{msg: msg}
	}
	for _, k := range sortedKeys(out) {
		p, ok := a.Params[k]
		if !ok {
			if a.AdditionalProperties != nil && !*a.AdditionalProperties {
				return nil, &invalidError{msg: fmt.Sprintf("action %q: parameter %q: %s declares no such parameter%s, and Juju refuses others (additionalProperties: false)",
					name, k, s.actionsFile, didYouMean(k, sortedKeys(a.Params)))}
			}
			continue
		}
		if want := p.types(); len(want) > 0 && !slices.Contains(want, jsonType(out[k])) {
			return nil, &invalidError{msg: fmt.Sprintf("action %q: parameter %q: %s, but %s declares it of type %s", name, k, describe(out[k]), s.actionsFile, strings.Join(want, " or "))}
		}
	}
	for _, k := range sortedKeys(a.Params) {
		if _, given := out[k]; !given && a.Params[k].Default != nil {
			v, err := paramValue(a.Params[k].Default)
			if err != nil {
				return nil, &invalidError{msg: fmt.Sprintf("%s: action %q: default of %q: %v", s.actionsFile, name, k, err)}
			}
			out[k] = v
		}
	}
	for _, k := range a.Required {
		if _, ok := out[k]; !ok {
			return nil, &invalidError{msg: fmt.Sprintf("action %q: parameter %q is required by %s", name, k, s.actionsFile)}
		}
	}
	return out, nil
}

// paramValue normalises an action parameter: a config value (see
// configValue), or a list or map of them.
func paramValue(v any) (any, error) {
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			c, err := paramValue(e)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case []string:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = e
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			c, err := paramValue(e)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	}
	v, err := configValue(v)
	if err != nil {
		return nil, errors.New("unsupported type (want string, bool, integer, float64, nil, or a []any or map[string]any of them)")
	}
	return v, nil
}

// types returns the JSON schema types a parameter may have, none when any.
func (p paramSpec) types() []string {
	var out []string
	switch t := p.Type.(type) {
	case string:
		out = []string{t}
	case []any:
		for _, v := range t {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
	}
	if slices.Contains(out, "number") {
		out = append(out, "integer") // every integer is a number
	}
	return out
}

// jsonType is the JSON schema type of a parameter value.
func jsonType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case int64:
		return "integer"
	case float64:
		if v == float64(int64(v)) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	default:
		return "object"
	}
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
			msg := fmt.Sprintf("%s: the charm has no option %q%s: Juju refuses options that %s does not declare; fix the key, or declare the option", field, k, didYouMean(k, declared), s.configFile)
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
				field, s.metaFile, ep, didYouMean(ep, sortedKeys(s.endpoints)), s.endpointList())})
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
				return &invalidError{msg: fmt.Sprintf("hook %q: %s declares no %s %q%s", hook, s.metaFile, kind.what, name, didYouMean(name, kind.known))}
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
	return &invalidError{msg: fmt.Sprintf("hook %q: Juju runs no such hook for this charm%s", hook, didYouMean(hook, all))}
}

// didYouMean returns ` (did you mean "x"?)` for the closest of candidates
// to s, or "" when none is close.
func didYouMean(s string, candidates []string) string {
	best, bestD := "", 3 // at most two edits away
	for _, c := range candidates {
		if d := distance(s, c); d < bestD && d < len(s) {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
