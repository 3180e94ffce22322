package config

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Python's == and bool() on the values config-get and the previous file
// hold.
func TestPythonEqualityAndTruth(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		a, b any
		eq   bool
	}{
		{int64(1), 1.0, true}, {true, int64(1), true}, {false, 0.0, true}, {nil, nil, true},
		{"1", int64(1), false}, {nil, int64(0), false}, {nil, "", false}, {nil, false, false},
		{math.NaN(), math.NaN(), false}, {"a", "a", true}, {"a", "b", false},
		{[]any{int64(1), "x"}, []any{1.0, "x"}, true}, {[]any{int64(1)}, []any{int64(1), int64(2)}, false},
		{map[string]any{"a": true}, map[string]any{"a": int64(1)}, true}, {map[string]any{"a": nil}, map[string]any{"b": nil}, false},
	} {
		assert.Equal(t, c.eq, pyEqual(c.a, c.b), "%#v == %#v", c.a, c.b)
		assert.Equal(t, c.eq, pyEqual(c.b, c.a), "%#v == %#v", c.b, c.a)
	}
	for v, want := range map[any]bool{nil: false, false: false, true: true, int64(0): false, int64(-1): true, 0.0: false,
		math.Copysign(0, -1): false, 0.1: true, "": false, "0": true} {
		assert.Equal(t, want, truthy(v), "%#v", v)
	}
	assert.False(t, truthy([]any{}))
	assert.True(t, truthy(map[string]any{"a": nil}))
}

func TestParseOptions(t *testing.T) {
	t.Parallel()
	opts, err := parseOptions([]byte("options:\n  b:\n    default: 1\n  a:\n  c:\n    default: [1, x]\n"))
	assert.NoError(t, err)
	assert.Equal(t, []option{{"b", int64(1)}, {"a", nil}, {"c", []any{int64(1), "x"}}}, opts, "the file's order; no body is no default")
	// YAML 1.2: yes is a string (PyYAML reads True).
	opts, err = parseOptions([]byte("options:\n  a:\n    default: yes\n"))
	assert.NoError(t, err)
	assert.Equal(t, []option{{"a", "yes"}}, opts)
	opts, err = parseOptions([]byte("options:\n"))
	assert.NoError(t, err)
	assert.Empty(t, opts)
	_, err = parseOptions([]byte("- a\n"))
	assert.Error(t, err)
	_, err = parseOptions([]byte("options: [a]\n"))
	assert.Error(t, err)
}
