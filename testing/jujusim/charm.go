package jujusim

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/charmkit/charmkit/internal/charmaction"
	"github.com/charmkit/charmkit/testing/fakejuju"
)

// charmMeta is the part of metadata.yaml (or charmcraft.yaml) the simulator
// uses.
type charmMeta struct {
	Name     string                  `yaml:"name"`
	Provides map[string]endpointMeta `yaml:"provides"`
	Requires map[string]endpointMeta `yaml:"requires"`
	Peers    map[string]endpointMeta `yaml:"peers"`
}

// endpointMeta is one relation endpoint of metadata.yaml.
type endpointMeta struct {
	Interface string `yaml:"interface"`
}

// endpoints returns every relation endpoint of the charm, by name.
func (c charmMeta) endpoints() map[string]fakejuju.Endpoint {
	out := map[string]fakejuju.Endpoint{}
	for role, eps := range map[string]map[string]endpointMeta{"provides": c.Provides, "requires": c.Requires, "peers": c.Peers} {
		for name, e := range eps {
			out[name] = fakejuju.Endpoint{Role: role, Interface: e.Interface}
		}
	}
	return out
}

func (c charmMeta) peerNames() []string { return slices.Sorted(maps.Keys(c.Peers)) }

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

// readCharmActions reads the charm's actions from actions.yaml, or from
// the actions of charmcraft.yaml; a charm with neither has none.
func readCharmActions(dir string) (*charmaction.Actions, error) {
	file := "actions.yaml"
	b, err := os.ReadFile(filepath.Join(dir, file))
	if errors.Is(err, fs.ErrNotExist) {
		file = "charmcraft.yaml (actions)"
		if cc, cerr := os.ReadFile(filepath.Join(dir, "charmcraft.yaml")); cerr == nil {
			b, err = charmaction.FromCharmcraft(cc)
		} else if errors.Is(cerr, fs.ErrNotExist) {
			b, err = nil, nil
		} else {
			err = cerr
		}
	}
	if err != nil {
		return nil, fmt.Errorf("jujusim: reading the charm's actions: %w", err)
	}
	if b == nil {
		return &charmaction.Actions{File: "actions.yaml (the charm has none)"}, nil
	}
	a, err := charmaction.Parse(b, file)
	if err != nil {
		return nil, fmt.Errorf("jujusim: %w", err)
	}
	return a, nil
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
