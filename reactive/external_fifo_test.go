//go:build unix

package reactive_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/reactive"
)

// Ensure that discovery skips an executable FIFO under a handler root
// without opening it for reading (which would wait for a writer forever),
// and still finds the regular handler next to it; a symbolic link to a FIFO
// is skipped too.
func TestDiscoverExternal_SkipsFIFO(t *testing.T) {
	dir := writeCharm(t, charmFile{path: "reactive/real.sh", body: shebang})
	mkfifo(t, filepath.Join(dir, "reactive", "fifo"))
	mkfifo(t, filepath.Join(dir, "hooks", "reactive", "pipe.sh"))
	require.NoError(t, os.Symlink(filepath.Join(dir, "reactive", "fifo"), filepath.Join(dir, "reactive", "link-to-fifo")))

	type result struct {
		hs  []reactive.ExternalHandler
		err error
	}
	done := make(chan result, 1)
	go func() {
		hs, err := reactive.DiscoverExternal(dir)
		done <- result{hs, err}
	}()
	select {
	case r := <-done:
		require.NoError(t, r.err)
		var names []string
		for _, h := range r.hs {
			names = append(names, h.Name)
		}
		assert.Equal(t, []string{"reactive/real.sh"}, names)
	case <-time.After(15 * time.Second):
		t.Fatal("discovery blocked on a FIFO for 15 s")
	}
}

// Ensure that the charm binary runs a hook to its end when a handler root
// holds an executable FIFO: the FIFO is no handler, the hook commits.
func TestMain_FIFOInHandlerRoot(t *testing.T) {
	dir := writeCharm(t, charmFile{path: "reactive/ext.sh", body: mainExtScript})
	mkfifo(t, filepath.Join(dir, "reactive", "fifo"))
	cmd := installHookCommand(t, "ok", dir, filepath.Join(dir, "no-tools"))
	out, code, ended := runBounded(t, cmd, 15*time.Second)
	require.True(t, ended, "the hook did not end within 15 s: %s", out)
	require.Equal(t, 0, code, out)
	assert.Equal(t, []string{"app.installed", "bash.ran"}, storeFlags(t, dir))
}
