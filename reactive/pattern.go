package reactive

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/charmkit/charmkit/internal/hookpattern"
)

// Metadata is the part of a charm's metadata.yaml (or charmcraft.yaml) that
// hook patterns need: its relations by role, and the names of its storage
// and containers, after which Juju names hooks too.
type Metadata struct {
	Provides map[string]Relation `yaml:"provides"`
	Requires map[string]Relation `yaml:"requires"`
	Peers    map[string]Relation `yaml:"peers"`
	// Storage and Containers are the storage and the workload containers
	// the metadata declares, by name; their definitions are kept as
	// decoded but not interpreted.
	Storage    map[string]any `yaml:"storage"`
	Containers map[string]any `yaml:"containers"`
}

// Relation is one relation (endpoint) declared in the metadata.
type Relation struct {
	Interface string `yaml:"interface"`
}

// ParseMetadata decodes metadata.yaml or charmcraft.yaml text.
func ParseMetadata(data []byte) (*Metadata, error) {
	var md Metadata
	if err := yaml.Unmarshal(data, &md); err != nil {
		return nil, fmt.Errorf("parsing charm metadata: %w", err)
	}
	return &md, nil
}

// ReadMetadata reads metadata.yaml from the charm directory, or
// charmcraft.yaml when there is no metadata.yaml.
func ReadMetadata(charmDir string) (*Metadata, error) {
	var firstErr error
	for _, name := range []string{"metadata.yaml", "charmcraft.yaml"} {
		p := filepath.Join(charmDir, name)
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading charm metadata: %w", err)
		}
		md, err := ParseMetadata(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		return md, nil
	}
	return nil, fmt.Errorf("reading charm metadata: no metadata.yaml or charmcraft.yaml in %q: %w", charmDir, firstErr)
}

// RelationsFor returns, sorted, the relation names that the metadata lists
// under role ("provides", "requires" or "peers") with the interface. Any
// other role gives none.
func (m *Metadata) RelationsFor(role, iface string) []string {
	if m == nil {
		return nil
	}
	var rels map[string]Relation
	switch role {
	case "provides":
		rels = m.Provides
	case "requires":
		rels = m.Requires
	case "peers":
		rels = m.Peers
	}
	var out []string
	for name, r := range rels {
		if r.Interface == iface {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// declares reports whether the metadata declares what a hook of that kind
// is named after: a relation (juju-info, which every charm provides,
// included), a storage or a container.
func (m *Metadata) declares(kind hookpattern.Kind, name string) bool {
	switch kind {
	case hookpattern.FixedHook:
		return true
	case hookpattern.RelationHook:
		_, p := m.Provides[name]
		_, r := m.Requires[name]
		_, q := m.Peers[name]
		return p || r || q || name == "juju-info"
	case hookpattern.StorageHook:
		_, ok := m.Storage[name]
		return ok
	case hookpattern.ContainerHook:
		_, ok := m.Containers[name]
		return ok
	}
	return false
}

// declared lists, sorted, the names the metadata declares for a kind of
// hook (for suggestions).
func (m *Metadata) declared(kind hookpattern.Kind) []string {
	var out []string
	switch kind {
	case hookpattern.RelationHook:
		out = append(out, "juju-info")
		for _, rels := range []map[string]Relation{m.Provides, m.Requires, m.Peers} {
			out = append(out, slices.Collect(maps.Keys(rels))...)
		}
	case hookpattern.StorageHook:
		out = slices.Collect(maps.Keys(m.Storage))
	case hookpattern.ContainerHook:
		out = slices.Collect(maps.Keys(m.Containers))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ErrPatternTooLarge is returned when hook patterns expand to more than
// 10,000 names, or do not stop expanding.
var ErrPatternTooLarge = hookpattern.ErrTooLarge

// expandHookPatterns returns every hook name the patterns expand to:
// {role:interface} groups first (from md; nil metadata expands them to
// nothing), then {a,b} groups. The order is not significant.
func expandHookPatterns(md *Metadata, patterns ...string) ([]string, error) {
	return hookpattern.Expand(md.RelationsFor, patterns...)
}

// needsMetadata reports whether a pattern holds a {role:interface} group.
func needsMetadata(patterns []string) bool { return hookpattern.NeedsRelations(patterns...) }

// anyHook reports whether hook is one of the names the patterns expand to
// (charms.reactive any_hook; no phase check).
func anyHook(hook string, md *Metadata, patterns ...string) (bool, error) {
	names, err := expandHookPatterns(md, patterns...)
	if err != nil {
		return false, err
	}
	return slices.Contains(names, hook), nil
}
