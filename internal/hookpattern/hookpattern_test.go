package hookpattern_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/internal/hookpattern"
)

// Ensure brace groups expand one occurrence at a time into every
// combination (catalogue row H5).
func TestExpand_Alternatives(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want []string
	}{
		{[]string{"A"}, []string{"A"}},
		{[]string{"{A}"}, []string{"A"}},
		{[]string{"{A,B}"}, []string{"A", "B"}},
		{[]string{"{A,B}", "{C,D}"}, []string{"A", "B", "C", "D"}},
		{[]string{"{A,B}{C,D}"}, []string{"AC", "BC", "AD", "BD"}},
		{[]string{"{A,B}{A,B}"}, []string{"AA", "BA", "AB", "BB"}},
	} {
		got, err := hookpattern.Expand(nil, tc.in...)
		require.NoError(t, err)
		assert.ElementsMatch(t, tc.want, got, "expand(%q)", tc.in)
	}
}

// Ensure {role:interface} groups expand to the charm's relations, before
// the alternatives, and to nothing without relations; and that a pattern
// that keeps expanding is refused.
func TestExpand_Relations(t *testing.T) {
	rels := func(role, iface string) []string {
		if role == "requires" && iface == "mysql" {
			return []string{"db", "db2"}
		}
		return nil
	}
	got, err := hookpattern.Expand(rels, "{requires:mysql}-relation-{joined,changed}", "{provides:http}-x")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"db-relation-joined", "db-relation-changed", "db2-relation-joined", "db2-relation-changed"}, got)
	got, err = hookpattern.Expand(nil, "{requires:mysql}-relation-joined")
	require.NoError(t, err)
	assert.Empty(t, got)
	assert.True(t, hookpattern.NeedsRelations("x", "{peers:c}-relation-joined"))
	assert.False(t, hookpattern.NeedsRelations("{a,b}"))

	loop := func(role, iface string) []string { return []string{"{" + role + ":" + iface + "}"} }
	_, err = hookpattern.Expand(loop, "{peers:c}")
	assert.ErrorIs(t, err, hookpattern.ErrTooLarge)
}
