package reactive_test

import (
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmkit/charmkit/flags"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mainExtScript is queued once the Go handlers installed the app and sets a
// flag of its own, through the charms.reactive that Main puts on its PATH.
const mainExtScript = shebang + `case "$1" in
--test) charms.reactive when app.installed && charms.reactive when_not bash.ran ;;
--invoke) charms.reactive set_flag bash.ran --value "$JUJU_HOOK_NAME" ;;
esac
`

// Ensure that the charm binary run by reactive.Main discovers an external
// handler in its charm directory, gives it the charm binary as
// charms.reactive on its PATH (the PATH given to the hook has none), and
// commits the flag the handler set with the hook; and that
// REACTIVE_LOG_OPTS=register logs the registrations at DEBUG.
func TestMain_ExternalHandler(t *testing.T) {
	dir := writeCharm(t, charmFile{path: "reactive/ext.sh", body: mainExtScript})
	cmd := installHookCommand(t, "ok", dir, filepath.Join(dir, "no-tools"), "REACTIVE_LOG_OPTS=trace,register")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		t.Fatalf("exit %d: %s", ee.ExitCode(), stderr.String())
	}
	require.NoError(t, err)
	for _, want := range []string{
		"juju-log: DEBUG: Registering reactive handler for install\n",
		"juju-log: DEBUG: Registering external reactive handler for reactive/ext.sh\n",
		"juju-log: INFO: Invoking reactive handler: reactive/ext.sh \"\"\n",
	} {
		assert.Contains(t, stderr.String(), want)
	}
	s, err := flags.Open(filepath.Join(dir, ".unit-state.db"), nil)
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, []string{"app.installed", "bash.ran"}, flagList(t, s))
	assert.Equal(t, `"install"`, dump(t, s)["reactive.states.bash.ran"], "the handler saw JUJU_HOOK_NAME")
}
