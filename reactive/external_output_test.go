package reactive_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/reactive"
)

// lateOutputScript answers --test through a process it leaves behind, which
// writes after the handler has exited, and --invoke on stdout and stderr the
// same way; it is invoked once.
const lateOutputScript = shebang + `case "$1" in
--test)
	[ -e "$EXT_LOG.invoked" ] && exit 1
	printf 'early '
	(sleep 0.2; printf 'late') &
	exit 0 ;;
--invoke)
	touch "$EXT_LOG.invoked"
	(sleep 0.2; echo "late out"; echo "late err" >&2) &
	exit 0 ;;
esac
`

// Ensure that the output of an external handler is read to its end, as
// charms.reactive reads it, also when a process the handler started writes
// it after the handler has exited: --invoke receives the whole answer of
// --test, and RunOptions.Stdout and Stderr the whole output of --invoke.
func TestExternalOutputReadToTheEnd(t *testing.T) {
	dir := writeCharm(t, charmFile{path: "reactive/late.sh", body: lateOutputScript})
	exe := testBinaryAsCLI(t, "")
	t.Setenv("EXT_LOG", filepath.Join(t.TempDir(), "log"))
	r := runExternal(t, reactive.NewRegistry(), newStore(t), exe, dir, "install", nil)
	require.NoError(t, r.err)
	assert.Equal(t, []string{`reactive/late.sh "early late"`}, r.res.Invoked)
	assert.Equal(t, "late out\n", r.stdout)
	assert.Equal(t, "late err\n", r.stderr)
}
