package reactive

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// Metadata is the part of a charm's metadata.yaml (or charmcraft.yaml) that
// hook patterns need: its relations by role.
type Metadata struct {
	Provides map[string]Relation `yaml:"provides"`
	Requires map[string]Relation `yaml:"requires"`
	Peers    map[string]Relation `yaml:"peers"`
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

// The two group patterns, compiled on first use: {role:interface} and
// {a,b,...}.
var (
	relGroup = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{([^:}]+):([^}]+)\}`) })
	altGroup = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{((?:[^:,}]+,?)+)\}`) })
)

// maxExpansions bounds the number of names a set of patterns may expand to.
const maxExpansions = 10000

// maxRounds bounds the replacement rounds (a relation name holding a brace
// group could otherwise expand forever).
const maxRounds = 1000

// ErrPatternTooLarge is returned when hook patterns expand to more than
// 10,000 names, or do not stop expanding.
var ErrPatternTooLarge = errors.New("hook pattern expands to too many names")

// expandReplacements replaces, one occurrence at a time and until none is
// left, the first match of pat in each value by every string sub returns for
// the match's groups (charms.reactive _expand_replacements).
func expandReplacements(pat *regexp.Regexp, sub func(groups []string) []string, values []string) ([]string, error) {
	for round := 0; ; round++ {
		if round > maxRounds {
			return nil, ErrPatternTooLarge
		}
		found := false
		var next []string
		for _, v := range values {
			m := pat.FindStringSubmatchIndex(v)
			if m == nil {
				next = append(next, v)
				continue
			}
			found = true
			groups := make([]string, 0, len(m)/2-1)
			for i := 2; i < len(m); i += 2 {
				groups = append(groups, v[m[i]:m[i+1]])
			}
			whole := v[m[0]:m[1]]
			for _, r := range sub(groups) {
				next = append(next, strings.Replace(v, whole, r, 1))
			}
			if len(next) > maxExpansions {
				return nil, ErrPatternTooLarge
			}
		}
		values = next
		if !found {
			return values, nil
		}
	}
}

// expandHookPatterns returns every hook name the patterns expand to:
// {role:interface} groups first (from md; nil metadata expands them to
// nothing), then {a,b} groups. The order is not significant.
func expandHookPatterns(md *Metadata, patterns ...string) ([]string, error) {
	vals, err := expandReplacements(relGroup(), func(g []string) []string {
		return md.RelationsFor(g[0], g[1])
	}, slices.Clone(patterns))
	if err != nil {
		return nil, err
	}
	return expandReplacements(altGroup(), func(g []string) []string {
		return strings.Split(g[0], ",")
	}, vals)
}

// needsMetadata reports whether a pattern holds a {role:interface} group.
func needsMetadata(patterns []string) bool {
	for _, p := range patterns {
		if relGroup().MatchString(p) {
			return true
		}
	}
	return false
}

// anyHook reports whether hook is one of the names the patterns expand to
// (charms.reactive any_hook; no phase check).
func anyHook(hook string, md *Metadata, patterns ...string) (bool, error) {
	names, err := expandHookPatterns(md, patterns...)
	if err != nil {
		return false, err
	}
	return slices.Contains(names, hook), nil
}
