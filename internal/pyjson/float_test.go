package pyjson_test

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/charmkit/charmkit/internal/pyjson"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ensure that FormatFloat matches Python's float repr on random bit
// patterns and on every decimal magnitude (testdata written by Python).
func TestFormatFloat_PythonRepr(t *testing.T) {
	f, err := os.Open("testdata/python-floats.txt")
	require.NoError(t, err)
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		hex, want, ok := strings.Cut(line, " ")
		require.True(t, ok, "bad line %q", line)
		bits, err := strconv.ParseUint(hex, 16, 64)
		require.NoError(t, err)
		v := math.Float64frombits(bits)
		assert.Equal(t, want, pyjson.FormatFloat(v), "FormatFloat(%v) bits %s", v, hex)
		n++
	}
	require.NoError(t, sc.Err())
	assert.Greater(t, n, 200)
}
