// The Go blocks of docs/files.md's recipe are this file's code, verbatim:
// TestDocs_Recipe keeps them in sync.

package files_test

import (
	"context"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"
	"text/template"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/files"
	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/testing/charmtest"
)

// confTemplate is the workload's configuration file. missingkey=error
// makes a missing value an error instead of "<no value>" in the file.
var confTemplate = template.Must(template.New("app.conf").Option("missingkey=error").Parse(
	"# Written by the app charm: edits are overwritten.\nport = {{.Port}}\n"))

// Register renders /etc/app/app.conf from the charm's config, and restarts
// the workload only when the file changed.
func Register(r *reactive.Registry, restart func(context.Context) error) {
	r.Handle("configure", reactive.OnHook("install", "config-changed", "upgrade-charm"), func(ctx context.Context, h *reactive.Hook) error {
		cfg, err := h.Tools().ConfigGet(ctx)
		if err != nil {
			return err
		}
		port, _ := cfg.Int("port")
		changed, err := files.Render(ctx, files.Path(ctx, "/etc/app/app.conf"), confTemplate,
			struct{ Port int64 }{port}, files.Options{Mode: 0o640})
		if err != nil || !changed {
			return err
		}
		return restart(ctx)
	})
}

func TestConfigure(t *testing.T) {
	restarts := 0
	register := func(r *reactive.Registry) {
		Register(r, func(context.Context) error { restarts++; return nil })
	}
	u := charmtest.Unit{Charm: "testdata/app"} // config.yaml: port, an int, default 8080
	out := u.Run(t, register, "install")
	require.NoError(t, out.Err)
	assert.Equal(t, "# Written by the app charm: edits are overwritten.\nport = 8080\n", out.Files["/etc/app/app.conf"])
	mode, _ := out.FileMode("/etc/app/app.conf")
	assert.Equal(t, fs.FileMode(0o640), mode)
	assert.Equal(t, 1, restarts)

	out = out.Run(t, register, "config-changed") // same config: no write, no restart
	require.NoError(t, out.Err)
	assert.Equal(t, 1, restarts)

	next := out.Unit
	next.Config = map[string]any{"port": 9090}
	out = next.Run(t, register, "config-changed")
	require.NoError(t, out.Err)
	assert.Contains(t, out.Files["/etc/app/app.conf"], "port = 9090\n")
	assert.Equal(t, 2, restarts)
}

// Ensure that every Go block of docs/files.md's recipe appears verbatim in
// this file.
func TestDocs_Recipe(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../docs/files.md")
	require.NoError(t, err)
	src, err := os.ReadFile("recipe_test.go")
	require.NoError(t, err)
	text := string(doc)
	start := strings.Index(text, "\n### Recipe")
	require.GreaterOrEqual(t, start, 0, "docs/files.md has a Recipe section")
	end := strings.Index(text[start+1:], "\n### ")
	if end < 0 {
		end = len(text) - start - 1
	}
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(text[start:start+1+end], -1)
	require.NotEmpty(t, blocks)
	for _, b := range blocks {
		assert.Contains(t, string(src), b[1], "docs/files.md recipe block not found verbatim in files/recipe_test.go")
	}
}
