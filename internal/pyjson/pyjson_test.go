package pyjson_test

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/charmkit/charmkit/internal/pyjson"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type watch struct {
	Iteration int      `json:"iteration"`
	Changes   []string `json:"changes"`
	Pending   []string `json:"pending"`
}

type tagged struct {
	Z     string `json:"z"`
	Skip  string `json:"-"`
	Empty string `json:"empty,omitempty"`
	A     int
	//lint:ignore U1000 present to show that unexported fields are not encoded
	private int
	inner
}

type inner struct {
	In bool `json:"in"`
}

type textKey struct{ s string }

func (k textKey) MarshalText() ([]byte, error) { return []byte("k:" + k.s), nil }

// Ensure that Marshal writes exactly what Python's json.dumps writes. The
// wanted texts were produced by Python 3.11's json.dumps (and with
// sort_keys=True for the sorted column).
func TestMarshal_PythonOutputs(t *testing.T) {
	tests := []struct {
		name   string
		in     any
		want   string
		sorted string // "" means the same as want
	}{
		{"nil", nil, "null", ""},
		{"true", true, "true", ""},
		{"false", false, "false", ""},
		{"zero", 0, "0", ""},
		{"negative", -7, "-7", ""},
		{"big int", int64(12345678901234567), "12345678901234567", ""},
		{"uint", uint64(math.MaxUint64), "18446744073709551615", ""},
		{"float one", 1.0, "1.0", ""},
		{"negative zero", math.Copysign(0, -1), "-0.0", ""},
		{"tenth", 0.1, "0.1", ""},
		{"1e-05", 1e-05, "1e-05", ""},
		{"0.0001", 0.0001, "0.0001", ""},
		{"1e16", 1e16, "1e+16", ""},
		{"1e15", 1e15, "1000000000000000.0", ""},
		{"1.5e16", 1.5e16, "1.5e+16", ""},
		{"fraction", 123456789.125, "123456789.125", ""},
		{"1e300", 1e300, "1e+300", ""},
		{"denormal", 5e-324, "5e-324", ""},
		{"nan", math.NaN(), "NaN", ""},
		{"inf", math.Inf(1), "Infinity", ""},
		{"-inf", math.Inf(-1), "-Infinity", ""},
		{"2.5e-07", 2.5e-07, "2.5e-07", ""},
		{"hundred", 100.0, "100.0", ""},
		{"float32", float32(0.5), "0.5", ""},
		{"empty string", "", `""`, ""},
		{"plain", "plain", `"plain"`, ""},
		{"quote backslash", "q\"b\\s", `"q\"b\\s"`, ""},
		{"short escapes", "a\nb\tc\rd\be\ff", `"a\nb\tc\rd\be\ff"`, ""},
		{"controls", "\x00\x01\x1f\x7f", `"\u0000\u0001\u001f\u007f"`, ""},
		{"no html escaping", "<&>", `"<&>"`, ""},
		{"latin", "é", `"\u00e9"`, ""},
		{"U+A000", "\ua000", `"\ua000"`, ""},
		{"surrogate pair", "😀", `"\ud83d\ude00"`, ""},
		{"cjk", "日本", `"\u65e5\u672c"`, ""},
		{"empty list", []string{}, "[]", ""},
		{"nil slice", []string(nil), "null", ""},
		{"list", []any{1, "a", nil}, `[1, "a", null]`, ""},
		{"array as list", [2]int{1, 2}, "[1, 2]", ""},
		{"map sorted", map[string]any{"b": 1, "a": []any{true, map[string]any{"z": nil}}},
			`{"a": [true, {"z": null}], "b": 1}`, ""},
		{"int keys numeric order", map[int]string{10: "x", 9: "y"}, `{"9": "y", "10": "x"}`, ""},
		{"text keys", map[textKey]int{{"b"}: 1, {"a"}: 2}, `{"k:a": 2, "k:b": 1}`, ""},
		{"state_watch struct", watch{Changes: []string{}, Pending: []string{}},
			`{"iteration": 0, "changes": [], "pending": []}`,
			`{"changes": [], "iteration": 0, "pending": []}`},
		{"raw keeps order", json.RawMessage(`{"set_flag":["b"],"clear_flag":[]}`),
			`{"set_flag": ["b"], "clear_flag": []}`, `{"clear_flag": [], "set_flag": ["b"]}`},
		{"raw numbers like python", json.RawMessage(`[1, 1.0, 1e5, -0, 2.50]`), "[1, 1.0, 100000.0, 0, 2.5]", ""},
		{"raw duplicate keys", json.RawMessage(`{"a":1,"b":2,"a":3}`), `{"a": 3, "b": 2}`, ""},
		{"raw unicode", json.RawMessage(`"\u00e9\ud83d\ude00"`), `"\u00e9\ud83d\ude00"`, ""},
		{"json number", json.Number("3.0"), "3.0", ""},
		{"struct tags", tagged{Z: "z", Skip: "s", A: 1, inner: inner{In: true}},
			`{"z": "z", "A": 1, "in": true}`, `{"A": 1, "in": true, "z": "z"}`},
		{"pointer", &watch{Iteration: 2}, `{"iteration": 2, "changes": null, "pending": null}`,
			`{"changes": null, "iteration": 2, "pending": null}`},
		{"nil pointer", (*watch)(nil), "null", ""},
		{"bytes as base64", []byte("hi"), `"aGk="`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := pyjson.Marshal(tc.in, false)
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got), "Marshal(%#v, false)", tc.in)
			want := tc.sorted
			if want == "" {
				want = tc.want
			}
			got, err = pyjson.Marshal(tc.in, true)
			require.NoError(t, err)
			assert.Equal(t, want, string(got), "Marshal(%#v, true)", tc.in)
		})
	}
}

// Ensure that values with no JSON form give a clear error, not a panic.
func TestMarshal_Errors(t *testing.T) {
	type cyclic struct{ Next *cyclic }
	c := &cyclic{}
	c.Next = c
	tests := []struct {
		name string
		in   any
		want error
	}{
		{"channel", make(chan int), pyjson.ErrUnsupportedType},
		{"func", func() {}, pyjson.ErrUnsupportedType},
		{"complex", complex(1, 2), pyjson.ErrUnsupportedType},
		{"bool keys", map[bool]int{true: 1}, pyjson.ErrUnsupportedType},
		{"cycle", c, pyjson.ErrTooDeep},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := pyjson.Marshal(tc.in, false)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.want)
		})
	}
	_, err := pyjson.Marshal(json.RawMessage(`{"a":`), false)
	assert.ErrorContains(t, err, "invalid JSON")
}

// Ensure that the output decodes back to the input (round trip) and is
// ASCII only.
func FuzzMarshal_RoundTrip(f *testing.F) {
	f.Add("héllo\n😀<>", 1.5, int64(-3), true)
	f.Add("", 0.0, int64(0), false)
	f.Add("\x00\u2028", 1e-7, int64(math.MaxInt64), true)
	f.Add("\ua000", 1e22, int64(math.MinInt64), false)
	f.Fuzz(func(t *testing.T, s string, fl float64, i int64, b bool) {
		if math.IsNaN(fl) || math.IsInf(fl, 0) {
			return // valid Python JSON, not valid JSON for Go's decoder
		}
		in := map[string]any{s: []any{s, fl, b, nil}, "i": i}
		for _, sortKeys := range []bool{false, true} {
			out, err := pyjson.Marshal(in, sortKeys)
			require.NoError(t, err)
			for _, c := range out {
				require.Less(t, c, byte(0x80), "non-ASCII byte in %q", out)
			}
			var back map[string]any
			dec := json.NewDecoder(bytesReader(out))
			dec.UseNumber()
			require.NoError(t, dec.Decode(&back), "decoding %q", out)
			want := normalise(in)
			got := normaliseDecoded(back)
			if !reflect.DeepEqual(want, got) {
				t.Fatalf("round trip of %#v: got %#v from %s", want, got, out)
			}
		}
	})
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// normalise maps an input value to what a decoder can give back: strings
// with each invalid UTF-8 byte replaced by U+FFFD.
func normalise(v any) any {
	switch v := v.(type) {
	case string:
		return string([]rune(v))
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = normalise(x)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			out[string([]rune(k))] = normalise(x)
		}
		return out
	}
	return v
}

// normaliseDecoded turns json.Numbers into int64 (no fraction or exponent)
// or float64.
func normaliseDecoded(v any) any {
	switch v := v.(type) {
	case json.Number:
		if strings.ContainsAny(string(v), ".eE") {
			f, _ := strconv.ParseFloat(string(v), 64)
			return f
		}
		i, _ := strconv.ParseInt(string(v), 10, 64)
		return i
	case []any:
		for i, x := range v {
			v[i] = normaliseDecoded(x)
		}
	case map[string]any:
		for k, x := range v {
			v[k] = normaliseDecoded(x)
		}
	}
	return v
}
