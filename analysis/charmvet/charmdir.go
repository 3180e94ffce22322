package charmvet

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/charmkit/charmkit/internal/hookpattern"
	"github.com/charmkit/charmkit/internal/suggest"
)

// charmInfo is what the analyzer reads from the charm directory found
// above a package: the names its metadata and config declare.
type charmInfo struct {
	dir        string          // the charm directory
	metaFile   string          // metadata.yaml or charmcraft.yaml
	endpoints  map[string]bool // provides, requires and peers, plus juju-info
	relations  map[string]map[string][]string
	storage    map[string]bool
	containers map[string]bool
	options    map[string]bool // config options
	configFile string          // where the options come from ("" when none)
}

// readCharmInfo reads the metadata and config of the charm in dir.
func readCharmInfo(dir string) (*charmInfo, error) {
	ci := &charmInfo{
		dir:        dir,
		endpoints:  map[string]bool{"juju-info": true},
		relations:  map[string]map[string][]string{},
		storage:    map[string]bool{},
		containers: map[string]bool{},
		options:    map[string]bool{},
	}
	var raw map[string]any
	for _, name := range []string{"metadata.yaml", "charmcraft.yaml"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if err := yaml.Unmarshal(b, &raw); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, name), err)
		}
		ci.metaFile = name
		break
	}
	for _, role := range []string{"provides", "requires", "peers"} {
		rels, _ := raw[role].(map[string]any)
		for ep, v := range rels {
			ci.endpoints[ep] = true
			iface := ""
			switch v := v.(type) {
			case string:
				iface = v
			case map[string]any:
				iface, _ = v["interface"].(string)
			}
			if ci.relations[role] == nil {
				ci.relations[role] = map[string][]string{}
			}
			ci.relations[role][iface] = append(ci.relations[role][iface], ep)
		}
	}
	for k := range asMap(raw["storage"]) {
		ci.storage[k] = true
	}
	for k := range asMap(raw["containers"]) {
		ci.containers[k] = true
	}
	// Options: config.yaml, else the config section of charmcraft.yaml.
	var cfg map[string]any
	if b, err := os.ReadFile(filepath.Join(dir, "config.yaml")); err == nil {
		if err := yaml.Unmarshal(b, &cfg); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "config.yaml"), err)
		}
		ci.configFile = "config.yaml"
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	} else if ci.metaFile == "charmcraft.yaml" {
		cfg = asMap(raw["config"])
		ci.configFile = "charmcraft.yaml"
	}
	for k := range asMap(cfg["options"]) {
		ci.options[k] = true
	}
	return ci, nil
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// The hooks Juju runs whatever the charm's metadata says, and the endings
// of the hooks named after something in the metadata: <name><suffix>.
var (
	jujuHooks         = hookpattern.Fixed
	relationSuffixes  = hookpattern.RelationSuffixes
	storageSuffixes   = hookpattern.StorageSuffixes
	containerSuffixes = hookpattern.ContainerSuffixes
)

// checkHook reports why name is not a hook the charm can get, or "" when it
// is. ci may be nil (no metadata found): then any well-formed relation,
// storage or container hook is accepted.
func checkHook(name string, ci *charmInfo) string {
	if slices.Contains(jujuHooks, name) {
		return ""
	}
	for _, kind := range []struct {
		suffixes []string
		known    func(*charmInfo) map[string]bool
		what     string
	}{
		{relationSuffixes, func(c *charmInfo) map[string]bool { return c.endpoints }, "relation endpoint"},
		{storageSuffixes, func(c *charmInfo) map[string]bool { return c.storage }, "storage"},
		{containerSuffixes, func(c *charmInfo) map[string]bool { return c.containers }, "container"},
	} {
		for _, s := range kind.suffixes {
			prefix, ok := strings.CutSuffix(name, s)
			if !ok || !hookpattern.ValidName(prefix) {
				continue
			}
			if ci == nil || kind.known(ci)[prefix] {
				return ""
			}
			return fmt.Sprintf("%q is not a hook of this charm: %s has no %s %q", name, ci.metaFile, kind.what, prefix)
		}
	}
	msg := fmt.Sprintf("%q is not a Juju hook", name)
	if ci != nil {
		msg = fmt.Sprintf("%q is neither a Juju hook nor a hook of the names in %s", name, ci.metaFile)
	}
	if s := suggest.Closest(name, knownHooks(ci)); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg
}

// knownHooks lists the hooks the charm can get (for suggestions).
func knownHooks(ci *charmInfo) []string {
	out := slices.Clone(jujuHooks)
	if ci == nil {
		return out
	}
	for _, kind := range []struct {
		names    map[string]bool
		suffixes []string
	}{{ci.endpoints, relationSuffixes}, {ci.storage, storageSuffixes}, {ci.containers, containerSuffixes}} {
		for n := range kind.names {
			for _, s := range kind.suffixes {
				out = append(out, n+s)
			}
		}
	}
	return sortedUnique(out)
}

// expandHookPattern expands {role:interface} groups (from ci; nil expands
// them to nothing) and then {a,b} groups, with the same code as reactive's
// OnHook. ok is false when the pattern expands to too many names.
func expandHookPattern(ci *charmInfo, pattern string) (names []string, ok bool) {
	var rels hookpattern.Relations
	if ci != nil {
		rels = func(role, iface string) []string { return ci.relations[role][iface] }
	}
	names, err := hookpattern.Expand(rels, pattern)
	return names, err == nil
}
