package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mustDecode decodes JSON text into the CLI's Python-like values.
func mustDecode(tb testing.TB, s string) any {
	tb.Helper()
	v, err := decodeOrdered([]byte(s))
	require.NoError(tb, err, s)
	return v
}

// Ensure that pprint output matches Python's pprint.pformat (expected
// strings produced by CPython 3).
func TestPprintValue(t *testing.T) {
	x, y, z := strings.Repeat("x", 30), strings.Repeat("y", 30), strings.Repeat("z", 30)
	k, a, b := strings.Repeat("k", 30), strings.Repeat("a", 30), strings.Repeat("b", 30)
	tests := []struct {
		in   any
		want string
	}{
		{[]string{"a"}, "['a']"},
		{[]string{x, y, z}, "['" + x + "',\n '" + y + "',\n '" + z + "']"},
		{mustDecode(t, `{"b": "x", "a": null}`), "{'a': None, 'b': 'x'}"},
		{mustDecode(t, `{"`+k+`": {"`+a+`": "`+b+`", "c": [1, 2]}, "a": null}`),
			"{'a': None,\n '" + k + "': {'" + a + "': '" + b + "',\n" + strings.Repeat(" ", 36) + "'c': [1, 2]}}"},
		{mustDecode(t, `{"rel": {"relation": "db", "conversations": ["reactive.conversations.db.global", "reactive.conversations.db.global"]}}`),
			"{'rel': {'conversations': ['reactive.conversations.db.global',\n" + strings.Repeat(" ", 27) +
				"'reactive.conversations.db.global'],\n" + strings.Repeat(" ", 9) + "'relation': 'db'}}"},
	}
	for _, tc := range tests {
		var sb strings.Builder
		pprintValue(&sb, tc.in, 0, 0)
		assert.Equal(t, tc.want, sb.String(), "pprint(%v)", tc.in)
	}
}

// Ensure that YAML output matches PyYAML's safe_dump (expected strings
// produced by PyYAML 6).
func TestYAMLDump(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{"", "''\n"},
		{"h1,h2", "h1,h2\n...\n"},
		{[]string{}, "[]\n"},
		{&pyDict{}, "{}\n"},
		{nil, "null\n...\n"},
		{mustDecode(t, `{"a": [{"x": 1, "y": [1, 2]}, [3, 4], []], "b": {}}`), "a:\n- x: 1\n  y:\n  - 1\n  - 2\n- - 3\n  - 4\n- []\nb: {}\n"},
		{mustDecode(t, `{"a b": "c: d", "n": 1.5, "t": true, "u": "\u00fc\n"}`), "a b: 'c: d'\nn: 1.5\nt: true\nu: \"\\xFC\\n\"\n"},
		{[]string{"-x", "- x", "?", ":a", "#c", "a #b", "a#b", "0o17", "017", "1_000", "+.5", "1e5", "1.0e+5", "Null", "x:",
			"2001-12-14t21:59:43.10-05:00", "<<", "it's 'q'"},
			"- -x\n- '- x'\n- '?'\n- :a\n- '#c'\n- 'a #b'\n- a#b\n- 0o17\n- '017'\n- '1_000'\n- +.5\n- 1e5\n- '1.0e+5'\n- 'Null'\n- 'x:'\n- '2001-12-14t21:59:43.10-05:00'\n- '<<'\n- it's 'q'\n"},
		{[]string{"foo.bar", "yes", "a: b", "\u00fc"}, "- foo.bar\n- 'yes'\n- 'a: b'\n- \"\\xFC\"\n"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, yamlDump(tc.in), "yaml(%#v)", tc.in)
	}
}

// Ensure that repr and str follow Python's quoting and escapes.
func TestPyRepr(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{"it's", `"it's"`},
		{`a"b`, `'a"b'`},
		{`both ' and "`, `'both \' and "'`},
		{"tab\there", `'tab\there'`},
		{"bell\x07", `'bell\x07'`},
		{"\u00e9", "'\u00e9'"},
		{"\u200b", `'\u200b'`},
		{"\U0001f600", "'\U0001f600'"},
		{`\`, `'\\'`},
		{mustDecode(t, `{"z": 1, "a": [1.5, "\u00e9", true, null]}`), "{'z': 1, 'a': [1.5, '\u00e9', True, None]}"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, pyRepr(tc.in), "repr(%#v)", tc.in)
	}
	assert.Equal(t, "plain", pyStr("plain"), "str of a str is itself")
	assert.Equal(t, `{"z": 1, "a": [1.5, "\u00e9"]}`, pyJSON(mustDecode(t, `{"z": 1, "a": [1.5, "é"]}`)), "json keeps key order and escapes")
}

// Ensure that shlexSplit splits as Python's shlex.split.
func TestShlexSplit(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  error
	}{
		{in: "a b", want: []string{"a", "b"}},
		{in: "  a\t\nb  ", want: []string{"a", "b"}},
		{in: "'h1' 'id1' 'when' 'foo'", want: []string{"h1", "id1", "when", "foo"}},
		{in: `a "b\"c" d\ e`, want: []string{"a", `b"c`, "d e"}},
		{in: "x ''", want: []string{"x", ""}},
		{in: `"a\nb"`, want: []string{`a\nb`}},
		{in: `a\nb`, want: []string{"anb"}},
		{in: `'"a" "b c" '`, want: []string{`"a" "b c" `}},
		{in: `a'b'"c"`, want: []string{"abc"}},
		{in: "", want: nil},
		{in: "'open", err: errNoClosingQuote},
		{in: `"open`, err: errNoClosingQuote},
		{in: `trailing\`, err: errNoEscapedChar},
	}
	for _, tc := range tests {
		got, err := shlexSplit(tc.in)
		if tc.err != nil {
			assert.ErrorIs(t, err, tc.err, "shlexSplit(%q)", tc.in)
			continue
		}
		require.NoError(t, err, "shlexSplit(%q)", tc.in)
		assert.Equal(t, tc.want, got, "shlexSplit(%q)", tc.in)
	}
}

// Ensure that CSV rows are the characters of each item, with Python's
// minimal quoting.
func TestCSVRows(t *testing.T) {
	assert.Equal(t, "f,o,\",\",o\r\nb,\"\"\"\",r\r\n", csvRows([]string{"fo,o", `b"r`}, ','))
	assert.Equal(t, "h\r\n1\r\n,\r\nh\r\n2\r\n", csvRows("h1,h2", '\t'))
	assert.Equal(t, "a\r\nb\r\n", csvRows(mustDecode(t, `{"a": 1, "b": 2}`), ','))
	assert.Equal(t, "", csvRows("", ','))
}

// Ensure that the parser never panics and either errors or yields a
// command, whatever the arguments.
func FuzzParseCLI(f *testing.F) {
	for _, s := range []string{"set_flag\x00foo", "-j\x00get_flags", "--format=yaml\x00test\x00'a' 'b'", "--\x00when", "set_flag\x00--val=3\x00x", "-h", "register_trigger\x00--when"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		inv, err := parse(args)
		if err != nil {
			assert.ErrorIs(t, err, errUsage)
			return
		}
		if inv.help != "" {
			return
		}
		require.NotNil(t, inv.cmd)
		assert.Len(t, inv.pos, len(inv.cmd.positional))
		if inv.cmd.variadic == "" {
			assert.Empty(t, inv.rest)
		}
	})
}

// Ensure that shlexSplit never panics, and that joining its words back
// with Python-style quoting splits to the same words.
func FuzzShlexSplit(f *testing.F) {
	for _, s := range []string{"'a' 'b c'", `"x\"y"`, `a\ b`, "''", "'unclosed"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words, err := shlexSplit(s)
		if err != nil {
			return
		}
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = "'" + strings.ReplaceAll(w, "'", `'"'"'`) + "'"
		}
		again, err := shlexSplit(strings.Join(quoted, " "))
		require.NoError(t, err)
		if len(words) == 0 {
			assert.Empty(t, again)
			return
		}
		assert.Equal(t, words, again)
	})
}

// Ensure that decodeOrdered keeps object key order and rejects trailing
// data.
func TestDecodeOrdered(t *testing.T) {
	v := mustDecode(t, `{"b": 1, "a": {"d": [], "c": "x"}}`)
	d, ok := v.(*pyDict)
	require.True(t, ok)
	assert.Equal(t, []string{"b", "a"}, d.keys)
	assert.Equal(t, json.Number("1"), d.vals[0])
	_, err := decodeOrdered([]byte(`1 2`))
	assert.Error(t, err)
}
