package pyjson

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ensure that JSON decodes into the values Python's json.loads gives, and
// that truthiness is Python's.
func TestUnmarshalAndTruthy(t *testing.T) {
	tests := []struct {
		in     string
		want   any
		truthy bool
	}{
		{`1`, int64(1), true},
		{`0`, int64(0), false},
		{`1.0`, 1.0, true},
		{`0.0`, 0.0, false},
		{`1e3`, 1000.0, true},
		{`99999999999999999999`, 1e20, true},
		{`"x"`, "x", true},
		{`""`, "", false},
		{`null`, nil, false},
		{`false`, false, false},
		{`[]`, []any{}, false},
		{`{}`, map[string]any{}, false},
		{`{"a": [1, 2.5, null]}`, map[string]any{"a": []any{int64(1), 2.5, nil}}, true},
	}
	for _, tc := range tests {
		got, err := Unmarshal([]byte(tc.in))
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
		assert.Equal(t, tc.truthy, Truthy(got), tc.in)
	}
	inf, err := Unmarshal([]byte(`1e400`))
	require.NoError(t, err)
	assert.True(t, math.IsInf(inf.(float64), 1))
	_, err = Unmarshal([]byte(`{`))
	assert.Error(t, err)
}
