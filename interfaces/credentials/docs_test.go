package credentials_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ensure that the handlers docs/interfaces.md shows are the example charms'
// code, verbatim, and that its directive is this package's.
func TestDocs_Snippets(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/interfaces.md")
	require.NoError(t, err)
	var sources []string
	for _, f := range []string{"../../examples/password-charm/charm/charm.go", "../../examples/password-client/main.go", "requires.go"} {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		sources = append(sources, string(b))
	}
	blocks := regexp.MustCompile("(?s)\n```go\n(.*?)```").FindAllStringSubmatch(string(doc), -1)
	require.Len(t, blocks, 2, "the provider's handler and the client's")
	for _, b := range blocks {
		found := false
		for _, src := range sources {
			found = found || strings.Contains(src, b[1])
		}
		assert.True(t, found, "docs/interfaces.md block not found verbatim:\n%s", b[1])
	}
	assert.Contains(t, string(doc), "//charmkit:flags sets {endpoint}.available {endpoint}.changed\n")
	assert.Contains(t, sources[2], "//charmkit:flags sets {endpoint}.available {endpoint}.changed\n")
}
