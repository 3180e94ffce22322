// Package hookpattern expands charms.reactive's hook-name patterns, the one
// implementation shared by the reactive package (OnHook conditions) and
// the charmkit vet analyzer, which must not link the store: a pattern
// holds {role:interface} groups, which expand to the charm's relations of
// that role and interface ("{requires:mysql}-relation-joined"), and {a,b}
// groups, which expand to each alternative ("{install,upgrade-charm}").
package hookpattern

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"sync"
)

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

// ErrTooLarge is returned when patterns expand to more than 10,000 names,
// or do not stop expanding.
var ErrTooLarge = errors.New("hook pattern expands to too many names")

// Relations returns the charm's relation names of a role ("provides",
// "requires" or "peers") and an interface; nil means none.
type Relations func(role, iface string) []string

// Expand returns every hook name the patterns expand to: {role:interface}
// groups first (from relations; nil expands them to nothing), then {a,b}
// groups. The order is not significant.
func Expand(relations Relations, patterns ...string) ([]string, error) {
	vals, err := replace(relGroup(), func(g []string) []string {
		if relations == nil {
			return nil
		}
		return relations(g[0], g[1])
	}, slices.Clone(patterns))
	if err != nil {
		return nil, err
	}
	return replace(altGroup(), func(g []string) []string {
		return strings.Split(g[0], ",")
	}, vals)
}

// NeedsRelations reports whether a pattern holds a {role:interface} group.
func NeedsRelations(patterns ...string) bool {
	for _, p := range patterns {
		if relGroup().MatchString(p) {
			return true
		}
	}
	return false
}

// replace replaces, one occurrence at a time and until none is left, the
// first match of pat in each value by every string sub returns for the
// match's groups (charms.reactive _expand_replacements).
func replace(pat *regexp.Regexp, sub func(groups []string) []string, values []string) ([]string, error) {
	for round := 0; ; round++ {
		if round > maxRounds {
			return nil, ErrTooLarge
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
				return nil, ErrTooLarge
			}
		}
		values = next
		if !found {
			return values, nil
		}
	}
}
