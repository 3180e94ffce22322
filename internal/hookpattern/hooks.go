package hookpattern

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/charmkit/charmkit/internal/suggest"
)

// Fixed lists, sorted, the hooks Juju may run for any charm, whatever its
// metadata declares. (collect-metrics, meter-status-changed and the two
// series-upgrade hooks are gone in Juju 4, and Juju never runs
// leader-deposed, but a charm may still name them.)
var Fixed = []string{
	"collect-metrics", "config-changed", "install", "leader-deposed", "leader-elected",
	"leader-settings-changed", "meter-status-changed", "post-series-upgrade",
	"pre-series-upgrade", "remove", "secret-changed", "secret-expired",
	"secret-remove", "secret-rotate", "start", "stop", "update-status", "upgrade-charm",
}

// The endings of the hooks named after something the metadata declares:
// <endpoint><RelationSuffix>, <storage><StorageSuffix> and
// <container><ContainerSuffix>.
var (
	RelationSuffixes  = []string{"-relation-created", "-relation-joined", "-relation-changed", "-relation-departed", "-relation-broken"}
	StorageSuffixes   = []string{"-storage-attached", "-storage-detaching"}
	ContainerSuffixes = []string{"-pebble-ready", "-pebble-custom-notice", "-pebble-check-failed", "-pebble-check-recovered"}
)

// Kind is what a hook name is named after.
type Kind int

// The kinds of hook names.
const (
	NotAHook      Kind = iota // no hook Juju runs has this name
	FixedHook                 // one of Fixed
	RelationHook              // <endpoint>-relation-<event>
	StorageHook               // <storage>-storage-<event>
	ContainerHook             // <container>-pebble-<event>
)

// What names the thing a kind of hook is named after, for messages:
// "relation", "storage" or "container"; "" for the others.
func (k Kind) What() string {
	switch k {
	case RelationHook:
		return "relation"
	case StorageHook:
		return "storage"
	case ContainerHook:
		return "container"
	}
	return ""
}

// Placeholder stands, in the names [Shapes] returns, for the relation names
// a {role:interface} group would expand to. ValidName takes it for a
// letter; [Display] renders it as "<relation>".
const Placeholder = "\x00"

// Display renders a name [Shapes] returned for a message.
func Display(name string) string { return strings.ReplaceAll(name, Placeholder, "<relation>") }

// ValidName reports whether s is a valid relation, storage or container
// name: a lowercase letter, then lowercase letters and digits in groups
// separated by single hyphens or underscores. Placeholder counts as a
// letter.
func ValidName(s string) bool {
	if s == "" {
		return false
	}
	sep := true // at the start, or after a separator: a letter or digit must follow
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c == Placeholder[0]:
			sep = false
		case c >= '0' && c <= '9':
			if i == 0 {
				return false
			}
			sep = false
		case c == '-' || c == '_':
			if sep {
				return false
			}
			sep = true
		default:
			return false
		}
	}
	return !sep
}

// Classify reports what kind of hook name is, and for relation, storage and
// container hooks the name of what it is named after (a valid name, see
// ValidName). It does not know which names a charm declares.
func Classify(name string) (Kind, string) {
	if slices.Contains(Fixed, name) {
		return FixedHook, ""
	}
	for _, kind := range []struct {
		kind     Kind
		suffixes []string
	}{{RelationHook, RelationSuffixes}, {StorageHook, StorageSuffixes}, {ContainerHook, ContainerSuffixes}} {
		for _, s := range kind.suffixes {
			if prefix, ok := strings.CutSuffix(name, s); ok && ValidName(prefix) {
				return kind.kind, prefix
			}
		}
	}
	return NotAHook, ""
}

// Shapes expands a pattern as Expand does when it cannot know the charm's
// relations: every {role:interface} group whose role is provides, requires
// or peers becomes Placeholder; one with another role expands to nothing,
// and badRole names the first such group. err is ErrTooLarge when the
// pattern expands to too many names.
func Shapes(pattern string) (names []string, badRole string, err error) {
	if !strings.Contains(pattern, "{") {
		return []string{pattern}, "", nil
	}
	names, err = Expand(func(role, iface string) []string {
		switch role {
		case "provides", "requires", "peers":
			return []string{Placeholder}
		}
		if badRole == "" {
			badRole = "{" + role + ":" + iface + "}"
		}
		return nil
	}, pattern)
	return names, badRole, err
}

// Impossible returns why the pattern can match no hook Juju runs, whatever
// the charm's metadata declares, or "" when it may match one. A pattern
// matches when one of the names it expands to is a hook, so
// "config-{set,changed}" may. A pattern that expands to too many names is
// not judged here: expanding it fails when a hook tests it.
func Impossible(pattern string) string {
	names, badRole, err := Shapes(pattern)
	if err != nil {
		return ""
	}
	if len(names) == 0 {
		return fmt.Sprintf("its group %s matches no relation: the role must be provides, requires or peers", badRole)
	}
	for _, n := range names {
		if k, _ := Classify(n); k != NotAHook {
			return ""
		}
	}
	return noHookMessage(names)
}

// noHookMessage says that none of names is a hook Juju runs, suggesting
// the closest hook name, or what hook names are.
func noHookMessage(names []string) string {
	var b strings.Builder
	if len(names) == 1 {
		fmt.Fprintf(&b, "%s is not the name of a hook Juju runs", strconv.Quote(Display(names[0])))
	} else {
		shown := names[:min(len(names), 4)]
		q := make([]string, len(shown))
		for i, n := range shown {
			q[i] = strconv.Quote(Display(n))
		}
		more := ""
		if len(names) > len(shown) {
			more = fmt.Sprintf(" and %d more", len(names)-len(shown))
		}
		fmt.Fprintf(&b, "it expands to %s%s, none of which is a hook Juju runs", strings.Join(q, ", "), more)
	}
	hint := ""
	for _, n := range names {
		if s := Suggest(n, nil); s != "" {
			hint = s
			break
		}
	}
	switch {
	case hint != "":
		fmt.Fprintf(&b, " (did you mean %q?)", Display(hint))
	case len(names) == 1 && ValidName(names[0]) && !strings.Contains(names[0], Placeholder):
		fmt.Fprintf(&b, "; for an action, use reactive.OnAction(%q); hooks are ", names[0])
		b.WriteString(kinds)
	default:
		b.WriteString("; hooks are " + kinds)
	}
	return b.String()
}

// kinds says what the hook names are.
var kinds = "Juju's own (" + strings.Join(Fixed, ", ") + ") and those named after the charm's metadata: " +
	"<relation>-relation-{created,joined,changed,departed,broken}, <storage>-storage-{attached,detaching}, " +
	"<container>-pebble-{ready,custom-notice,check-failed,check-recovered}"

// Suggest returns the hook name closest to name ([suggest.Closest]) among
// Fixed, extra, and name with its ending after a hyphen replaced by one of
// the relation, storage and container hook endings; "" when none is close.
func Suggest(name string, extra []string) string {
	cands := slices.Concat(Fixed, extra)
	for i := 1; i < len(name); i++ {
		if name[i] != '-' || !ValidName(name[:i]) {
			continue
		}
		for _, s := range slices.Concat(RelationSuffixes, StorageSuffixes, ContainerSuffixes) {
			cands = append(cands, name[:i]+s)
		}
	}
	return suggest.Closest(name, cands)
}
