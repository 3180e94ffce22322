package charmvet

import (
	"fmt"
	"slices"
	"strings"
)

// Module is the import path of the charmkit module.
const Module = "github.com/charmkit/charmkit"

const (
	pathReactive   = Module + "/reactive"
	pathFlags      = Module + "/flags"
	pathHookenv    = Module + "/hookenv"
	pathLeadership = Module + "/leadership"
	pathEndpoint   = Module + "/endpoint"
	pathConfig     = Module + "/config"
)

// Placeholders that a declared flag family may hold. Each stands for the
// names the analyzer finds for the charm being checked; where it cannot know
// them (leader settings written with keys that are not constants, a package
// with no metadata.yaml above it) the placeholder matches any name.
const (
	// PlaceholderLeaderKey is a leader-setting key that the charm writes
	// (leadership.Set with a map literal, leadership.Delete).
	PlaceholderLeaderKey = "{leader-key}"
	// PlaceholderConfig is an option of the charm's config.yaml.
	PlaceholderConfig = "{config}"
	// PlaceholderEndpoint is a relation endpoint of the charm's metadata
	// (provides, requires, peers).
	PlaceholderEndpoint = "{endpoint}"
)

var placeholders = []string{PlaceholderLeaderKey, PlaceholderConfig, PlaceholderEndpoint}

// KnownLayers lists, by import path, the flag families that charmkit's own
// packages manage. A charm that imports one of these packages (directly or
// through another package) may watch these flags without setting them.
//
// A family is a flag name that may hold "*" (any text) and the
// placeholders {leader-key}, {config} and {endpoint}. Third-party layers
// declare theirs with a //charmkit:flags directive instead (see the
// package documentation).
var KnownLayers = map[string][]string{
	// The leadership layer: set at the start of every hook and by its Set.
	pathLeadership: {
		"leadership.is_leader",
		"leadership.set." + PlaceholderLeaderKey,
		"leadership.changed." + PlaceholderLeaderKey,
		"leadership.changed",
	},
	// The endpoint layer: set at the start of every hook, for every
	// relation endpoint of the metadata.
	pathEndpoint: {
		"endpoint." + PlaceholderEndpoint + ".joined",
		"endpoint." + PlaceholderEndpoint + ".changed",
		"endpoint." + PlaceholderEndpoint + ".changed.*",
		"endpoint." + PlaceholderEndpoint + ".departed",
	},
	// layer-basic's config flags: set at the start of every hook, for
	// every option of config.yaml.
	pathConfig: {
		"config.changed",
		"config.changed." + PlaceholderConfig,
		"config.set." + PlaceholderConfig,
		"config.default." + PlaceholderConfig,
	},
	// The framework sets this one in pre-series-upgrade hooks.
	pathReactive: {"upgrade.series.in-progress"},
}

// ReservedFamilies are flag prefixes that belong to charmkit's layers. A
// watched flag under one of them that no imported layer declares is
// reported with the reason given here.
var ReservedFamilies = []struct{ Prefix, Reason string }{
	{"config.", "config.* flags are set by the config layer, and this charm does not import it (config.Register)"},
	{"endpoint.", "endpoint.<name>.* flags are set by the endpoint layer, and this charm does not import it (endpoint.Register)"},
}

// isFramework reports whether path is one of charmkit's own packages that
// charms import (as opposed to the examples, which are charms, and the
// interface packages under interfaces/, which are analyzed as any
// third-party layer is and declare their flags with directives). The
// analyzer reports nothing in them; they export only [KnownLayers] facts and
// flag-name functions.
func isFramework(path string) bool {
	rest, ok := strings.CutPrefix(path, Module+"/")
	if !ok {
		return path == Module
	}
	if strings.HasPrefix(rest, "examples/") || strings.HasPrefix(rest, "interfaces/") {
		return false
	}
	return true
}

// bindings holds the names each placeholder stands for; a nil slice with
// any[p] true means "any name".
type bindings struct {
	values map[string][]string
	any    map[string]bool
}

// globs expands a family pattern into plain globs ("*" only).
func (b bindings) globs(pattern string) []string {
	out := []string{pattern}
	for _, p := range placeholders {
		var next []string
		for _, g := range out {
			if !strings.Contains(g, p) {
				next = append(next, g)
				continue
			}
			if b.any[p] {
				next = append(next, strings.ReplaceAll(g, p, "*"))
				continue
			}
			for _, v := range b.values[p] {
				next = append(next, strings.ReplaceAll(g, p, v))
			}
		}
		out = next
	}
	return out
}

// looseGlob replaces every placeholder by "*".
func looseGlob(pattern string) string {
	for _, p := range placeholders {
		pattern = strings.ReplaceAll(pattern, p, "*")
	}
	return pattern
}

// capture returns the placeholder of a family holding exactly one, and the
// part of flag it stands for; ok is false when the family holds no or
// several placeholders, or does not match flag loosely.
func capture(family, flag string) (placeholder, value string, ok bool) {
	found := ""
	for _, p := range placeholders {
		if n := strings.Count(family, p); n > 1 || (n == 1 && found != "") {
			return "", "", false
		} else if n == 1 {
			found = p
		}
	}
	if found == "" {
		return "", "", false
	}
	prefix, suffix, _ := strings.Cut(family, found)
	if strings.Contains(prefix+suffix, "*") || len(flag) <= len(prefix)+len(suffix) ||
		!strings.HasPrefix(flag, prefix) || !strings.HasSuffix(flag, suffix) {
		return "", "", false
	}
	return found, flag[len(prefix) : len(flag)-len(suffix)], true
}

// globMatch reports whether name matches pattern, where "*" in pattern
// stands for any text, possibly empty; every other character stands for
// itself.
func globMatch(pattern, name string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == name
	}
	if !strings.HasPrefix(name, parts[0]) {
		return false
	}
	name = name[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(name, p)
		if i < 0 {
			return false
		}
		name = name[i+len(p):]
	}
	return len(name) >= len(last) && strings.HasSuffix(name, last)
}

// validFamily reports what is wrong with a declared family, if anything.
func validFamily(f string) error {
	if f == "" {
		return fmt.Errorf("empty flag family")
	}
	rest := f
	for _, p := range placeholders {
		rest = strings.ReplaceAll(rest, p, "")
	}
	if i := strings.IndexAny(rest, "{} \t"); i >= 0 {
		return fmt.Errorf("flag family %q: unexpected %q (placeholders are %s)", f, rest[i:i+1], strings.Join(placeholders, ", "))
	}
	return nil
}

// sortedUnique returns the sorted distinct strings of s.
func sortedUnique(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}
