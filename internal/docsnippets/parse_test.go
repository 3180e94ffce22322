package docsnippets

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const src = `package x

// snippet:outer
func f() {
	// snippet:inner
	a := 1
	// end snippet

	_ = a
}
// end snippet

# snippet:yaml
  key: value
# end snippet
`

// Ensure that a region is extracted without marker lines, dedented, and
// that a whole file loses only its markers.
func TestExtract(t *testing.T) {
	tests := []struct {
		name, want, err string
	}{
		{name: "outer", want: "func f() {\n\ta := 1\n\n\t_ = a\n}\n"},
		{name: "inner", want: "a := 1\n"},
		{name: "yaml", want: "key: value\n"},
		{name: "", want: "package x\n\nfunc f() {\n\ta := 1\n\n\t_ = a\n}\n\n  key: value\n"},
		{name: "missing", err: `no snippet "missing"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Extract(src, tc.name)
			if tc.err != "" {
				assert.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	_, err := Extract("// snippet:a\nx\n", "a")
	assert.ErrorContains(t, err, "no \"// end snippet\"")
	_, err = Extract("// snippet:a\n// end snippet\n", "a")
	assert.ErrorContains(t, err, "empty")
}

const md = "# T\n\n<!-- snippet: a/b.go#r -->\n```go\nold\n```\n\n```sh\nls\n```\n\n<!-- graph: ./x/... -->\n```mermaid\ng\n```\n"

// Ensure that blocks are found with their comments, and that Replace
// rewrites their bodies only.
func TestParseReplace(t *testing.T) {
	blocks, fences, err := Parse(md)
	require.NoError(t, err)
	require.Len(t, blocks, 2)
	assert.Equal(t, Block{Line: 3, Kind: "snippet", Source: "a/b.go", Name: "r", Lang: "go", Body: "old\n", start: blocks[0].start, end: blocks[0].end}, blocks[0])
	assert.Equal(t, "a/b.go#r", blocks[0].Ref())
	assert.Equal(t, "graph", blocks[1].Kind)
	assert.Equal(t, "./x/...", blocks[1].Ref())
	assert.Equal(t, []Fence{{Line: 4, Lang: "go", Prev: "<!-- snippet: a/b.go#r -->"}, {Line: 8, Lang: "sh"}, {Line: 13, Lang: "mermaid", Prev: "<!-- graph: ./x/... -->"}}, fences)

	blocks[0].Body = "new\nlines\n"
	assert.Equal(t, "# T\n\n<!-- snippet: a/b.go#r -->\n```go\nnew\nlines\n```\n\n```sh\nls\n```\n\n<!-- graph: ./x/... -->\n```mermaid\ng\n```\n", Replace(md, blocks))

	_, _, err = Parse("<!-- snippet: a.go -->\n\n```go\nx\n```\n")
	assert.ErrorContains(t, err, "line 1: <!-- snippet: a.go --> is not followed by a fenced code block")
	_, _, err = Parse("```go\nx\n")
	assert.ErrorContains(t, err, "not closed")
}
