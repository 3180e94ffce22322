package jujucmd_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/internal/jujucmd"
)

// TestFormat pins Juju's output formats (docs/design.md, "Output formats"),
// value kind by value kind.
func TestFormat(t *testing.T) {
	settings := map[string]string{"sample": "settings", "key": "value"}
	config := map[string]any{"c": "x", "a": 1, "b": true}
	tests := []struct {
		name              string
		v                 any
		smart, yaml, json string
	}{
		{"nil", nil, "", "", "null\n"},
		{"empty string", "", "", "\"\"\n", "\"\"\n"},
		{"string", "value", "value\n", "value\n", "\"value\"\n"},
		{"string with newline", "a\n", "a\n\n", "|\n  a\n", "\"a\\n\"\n"},
		{"ambiguous string", "12345", "12345\n", "\"12345\"\n", "\"12345\"\n"},
		{"string true", "true", "true\n", "\"true\"\n", "\"true\"\n"},
		{"string with colon", "foo: bar", "foo: bar\n", "'foo: bar'\n", "\"foo: bar\"\n"},
		{"html characters", "<a&b>", "<a&b>\n", "<a&b>\n", "\"\\u003ca\\u0026b\\u003e\"\n"},
		{"true", true, "True\n", "true\n", "true\n"},
		{"false", false, "False\n", "false\n", "false\n"},
		{"list", []string{"db:1", "db:3"}, "db:1\ndb:3\n", "- db:1\n- db:3\n", "[\"db:1\",\"db:3\"]\n"},
		{"empty list", []string{}, "", "[]\n", "[]\n"},
		{"map sorted", settings, "key: value\nsample: settings\n", "key: value\nsample: settings\n", "{\"key\":\"value\",\"sample\":\"settings\"}\n"},
		{"mixed map", config, "a: 1\nb: true\nc: x\n", "a: 1\nb: true\nc: x\n", "{\"a\":1,\"b\":true,\"c\":\"x\"}\n"},
		{"empty map", map[string]string{}, "{}\n", "{}\n", "{}\n"},
		{"nested map", map[string]any{"application-status": map[string]any{"status": "active"}},
			"application-status:\n  status: active\n", "application-status:\n  status: active\n",
			"{\"application-status\":{\"status\":\"active\"}}\n"},
		{"number", 1.5, "1.5\n", "1.5\n", "1.5\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for format, want := range map[string]string{"smart": tc.smart, "yaml": tc.yaml, "json": tc.json} {
				got, err := jujucmd.Format(format, tc.v)
				require.NoError(t, err, "Format(%q, %#v)", format, tc.v)
				assert.Equal(t, want, string(got), "Format(%q, %#v)", format, tc.v)
			}
		})
	}
}

func TestFormatErrors(t *testing.T) {
	tests := []struct {
		name, format string
		v            any
		want         string
	}{
		{"unknown format", "xml", "x", `unknown format "xml"`},
		{"empty format", "", "x", `unknown format ""`},
		{"json of a channel", "json", make(chan int), "encoding json: json: unsupported type: chan int"},
		{"yaml of a func", "yaml", map[string]any{"f": func() {}}, "encoding yaml: "},
		{"smart of a channel", "smart", make(chan int), "encoding yaml: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := jujucmd.Format(tc.format, tc.v)
			require.Error(t, err)
			assert.Nil(t, out)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

func TestCheckFormat(t *testing.T) {
	tests := []struct {
		format  string
		formats []string
		want    string // "" for no error
	}{
		{"smart", nil, ""},
		{"yaml", nil, ""},
		{"json", nil, ""},
		{"bad", nil, `invalid value "bad" for option --format: unknown format "bad"`},
		{"smart", []string{"yaml", "json"}, `invalid value "smart" for option --format: unknown format "smart"`},
		{"json", []string{"yaml", "json"}, ""},
	}
	for _, tc := range tests {
		err := jujucmd.CheckFormat(tc.format, tc.formats...)
		if tc.want == "" {
			assert.NoError(t, err, "CheckFormat(%q, %q)", tc.format, tc.formats)
			continue
		}
		assert.EqualError(t, err, tc.want, "CheckFormat(%q, %q)", tc.format, tc.formats)
		assert.Equal(t, 2, jujucmd.ExitCode(err))
	}
}

// TestFormatOptionsCheckWhileParsing shows the --format check of
// FormatOptions gives the same error as CheckFormat, and honours formats.
func TestFormatOptionsCheckWhileParsing(t *testing.T) {
	_, err := jujucmd.Parse([]string{"--format=bad"}, jujucmd.FormatOptions("smart")...)
	assert.EqualError(t, err, jujucmd.CheckFormat("bad").Error())

	opts := jujucmd.FormatOptions("yaml", "yaml", "json") // secret-get's formats
	p, err := jujucmd.Parse(nil, opts...)
	require.NoError(t, err)
	assert.Equal(t, "yaml", p.Value("format"))
	_, err = jujucmd.Parse([]string{"--format", "smart"}, opts...)
	assert.EqualError(t, err, `invalid value "smart" for option --format: unknown format "smart"`)
}
