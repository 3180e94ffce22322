package reactive

import (
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"github.com/charmkit/charmkit/internal/hookpattern"
	"github.com/charmkit/charmkit/internal/suggest"
)

// checkStart logs, once the start callbacks have run, one WARNING for
// each mistake in the registrations that the hook's start can see (see the
// package documentation, "Mistakes caught at registration and at start"):
// a watched flag of a layer's family that the layer never sets, and an
// OnHook pattern that can match no hook of the charm's metadata, when the
// metadata is at hand. Nothing is logged twice in one hook.
func (ru *run) checkStart() {
	seen := map[string]bool{}
	warn := func(msg string) {
		if !seen[msg] {
			seen[msg] = true
			logAt(ru.logger, slog.LevelWarn, msg)
		}
	}
	ru.checkLayerFlags(warn)
	ru.checkHookPatterns(warn)
}

// checkLayerFlags compares the flags the handlers watch with the flags of
// the registered layers.
func (ru *run) checkLayerFlags(warn func(string)) {
	if len(ru.snap.layers) == 0 {
		return
	}
	lists := map[string][]string{} // the layers' flags in this hook, by layer name
	for _, hh := range ru.snap.handlers {
		g, ok := hh.(*goHandler)
		if !ok {
			continue
		}
		for _, f := range g.watched {
			for _, e := range ru.snap.layers {
				name := e.layer.LayerName()
				if !strings.HasPrefix(f, name+".") {
					continue
				}
				list, ok := lists[name]
				if !ok {
					if hl, isHook := e.layer.(HookLayer); isHook {
						list = hl.HookFlags(ru.hook)
					}
					if list == nil {
						list = e.layer.LayerFlags()
					}
					lists[name] = list
				}
				if matchLayerFlags(f, list) {
					continue
				}
				msg := fmt.Sprintf("handler %q (registered at %s) watches flag %q, which the %s layer never sets in this hook",
					g.name, g.site, f, name)
				if len(list) == 0 {
					msg += ": it sets no flag in this hook"
				} else {
					if s := suggest.Closest(f, layerFlagCandidates(f, list)); s != "" {
						msg += fmt.Sprintf(" (did you mean %q?)", s)
					}
					msg += "; its flags are " + listFlags(list)
				}
				warn(msg + "; fix the name (the layer's flag-name functions build it), or watch a flag the charm sets")
			}
		}
	}
}

// matchLayerFlags reports whether f is one of the flags of list: an exact
// name, or a name under a family "prefix.*".
func matchLayerFlags(f string, list []string) bool {
	for _, p := range list {
		if prefix, ok := strings.CutSuffix(p, "*"); ok {
			if len(f) > len(prefix) && strings.HasPrefix(f, prefix) {
				return true
			}
		} else if p == f {
			return true
		}
	}
	return false
}

// layerFlagCandidates returns the names f may have been meant to be: the
// exact flags of list, and for each family "a.b.*" the name a.b.<what
// follows the same number of dot-separated parts in f>.
func layerFlagCandidates(f string, list []string) []string {
	parts := strings.Split(f, ".")
	var out []string
	for _, p := range list {
		prefix, ok := strings.CutSuffix(p, "*")
		if !ok {
			out = append(out, p)
			continue
		}
		if n := strings.Count(prefix, "."); n < len(parts) {
			out = append(out, prefix+strings.Join(parts[n:], "."))
		}
	}
	return out
}

// listFlags renders a layer's flags for a message, at most twelve of them.
func listFlags(list []string) string {
	shown := list[:min(len(list), 12)]
	s := strings.Join(shown, ", ")
	if len(list) > len(shown) {
		s += fmt.Sprintf(" and %d more", len(list)-len(shown))
	}
	return s
}

// checkHookPatterns compares the OnHook patterns with the charm's metadata,
// when it is at hand: given in RunOptions, already read by a layer, or
// needed by a {role:interface} pattern (which the hooks phase would read
// anyway). A metadata that cannot be read is not checked against: the
// hooks phase reports the error where it did.
func (ru *run) checkHookPatterns(warn func(string)) {
	md := ru.md
	if !ru.mdLoaded {
		needs := false
		for _, hh := range ru.snap.handlers {
			if g, ok := hh.(*goHandler); ok {
				for _, a := range g.cond {
					needs = needs || a.kind == kHook && needsMetadata(a.args)
				}
			}
		}
		if !needs {
			return
		}
		var err error
		if md, err = ru.loadMetadata(); err != nil {
			return
		}
	}
	if md == nil {
		return
	}
	for _, hh := range ru.snap.handlers {
		g, ok := hh.(*goHandler)
		if !ok {
			continue
		}
		for _, a := range g.cond {
			if a.kind != kHook {
				continue
			}
			for _, p := range a.args {
				if why := md.unmatched(p); why != "" {
					warn(fmt.Sprintf("handler %q (registered at %s): OnHook(%q) can never hold for this charm: %s", g.name, g.site, p, why))
				}
			}
		}
	}
}

// unmatched returns why the pattern can match no hook of a charm with this
// metadata, or "" when it may match one (or expands to too many names, an
// error the hooks phase reports).
func (m *Metadata) unmatched(pattern string) string {
	var empty []string // the {role:interface} groups that match no relation
	names, err := hookpattern.Expand(func(role, iface string) []string {
		rels := m.RelationsFor(role, iface)
		if len(rels) == 0 {
			empty = append(empty, "{"+role+":"+iface+"}")
		}
		return rels
	}, pattern)
	if err != nil {
		return ""
	}
	if len(names) == 0 {
		return fmt.Sprintf("the metadata declares no relation for its group %s: fix the role (provides, requires or peers) or the interface, or declare the relation", strings.Join(slices.Compact(empty), ", "))
	}
	var first string // the first name that is a hook of some charm
	for _, n := range names {
		k, prefix := hookpattern.Classify(n)
		if m.declares(k, prefix) {
			return ""
		}
		if k != hookpattern.NotAHook && first == "" {
			first = n
		}
	}
	if first == "" {
		// Refused at registration; reached only through a relation name
		// that makes a hook name invalid.
		return "none of " + strconv.Quote(names[0]) + " and the other names it expands to is a hook Juju runs"
	}
	k, prefix := hookpattern.Classify(first)
	msg := fmt.Sprintf("hook %q is named after %s %q, which the metadata does not declare", first, k.What(), prefix)
	if s := suggest.Closest(prefix, m.declared(k)); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", strings.Replace(first, prefix, s, 1))
	}
	return msg + fmt.Sprintf("; name a %s of the metadata, or declare %q there", k.What(), prefix)
}
