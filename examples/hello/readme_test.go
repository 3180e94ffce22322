package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ensure that the README's quickstart is this charm: every Go block in the
// README's Quickstart section appears verbatim in one of this directory's
// files, so the code the README shows is the code `make test` builds and runs.
func TestReadmeQuickstart(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	text := string(readme)
	start := strings.Index(text, "\n## Quickstart")
	require.GreaterOrEqual(t, start, 0, "README has a Quickstart section")
	end := strings.Index(text[start+1:], "\n## ")
	require.Greater(t, end, 0)
	section := text[start : start+1+end]

	var sources []string
	for _, f := range []string{"main.go", "hello_test.go", "multi_test.go"} {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		sources = append(sources, string(b))
	}
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(section, -1)
	require.Len(t, blocks, 3, "the quickstart shows the charm, a table test and a multi-unit test")
	for _, b := range blocks {
		found := false
		for _, src := range sources {
			if strings.Contains(src, b[1]) {
				found = true
			}
		}
		assert.True(t, found, "README block not found verbatim in examples/hello:\n%s", b[1])
	}
}
