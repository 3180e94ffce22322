package reactive_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// charmBinaryEnv makes the re-executed test binary run reactive.Main (see
// TestMain in main_test.go).
const charmBinaryEnv = "REACTIVE_TEST_CHARM_MODE"

// Ensure that the charm binary, run by reactive.Main with arguments or under the
// name charms.reactive, is the charms.reactive command: the dispatch binary
// answers get_flags (docs/design.md, "Decision 8"), commits at exit, and draws
// its own registry.
func TestMain_CLI(t *testing.T) {
	exe, err := os.Executable()
	require.NoError(t, err)
	dir := t.TempDir()
	link := filepath.Join(dir, "bin", "charms.reactive")
	require.NoError(t, os.MkdirAll(filepath.Dir(link), 0o755))
	require.NoError(t, os.Symlink(exe, link))
	db := filepath.Join(dir, "state.db")

	run := func(bin string, env []string, args ...string) cliResult {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = append([]string{charmBinaryEnv + "=ok", "PATH=/usr/bin:/bin", "UNIT_STATE_DB=" + db}, env...)
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		return cliResult{exitCode(t, cmd.Run()), out.String(), errb.String()}
	}
	inHook := []string{"JUJU_CONTEXT_ID=app-0-run-1", "JUJU_UNIT_NAME=app/0"}
	steps := []struct {
		bin    string
		env    []string
		args   []string
		code   int
		stdout string
		prefix string // when set, stdout must start with it instead
		stderr string
	}{
		{bin: exe, args: []string{"set_flag", "b"}},
		{bin: exe, args: []string{"set_flag", "a", "--value", "v"}},
		{bin: exe, args: []string{"get_flags"}, stdout: "a\nb"},
		{bin: exe, env: inHook, args: []string{"-j", "get_states"}, stdout: `{"a": "v", "b": null}`},
		{bin: link, env: inHook, args: []string{"is_flag_set", "a"}},
		{bin: link, args: []string{"any_flags_set"}, code: 1},
		{bin: link, env: inHook, code: 2, stderr: "usage: charms.reactive"},
		{bin: exe, args: []string{"bogus"}, code: 2, stderr: "invalid choice: 'bogus'"},
		{bin: exe, args: []string{"charmkit-graph"}, prefix: "digraph charm {\n", stdout: `"handler:install"`},
	}
	for _, st := range steps {
		r := run(st.bin, st.env, st.args...)
		assert.Equal(t, st.code, r.code, "%s %q: stderr %q", filepath.Base(st.bin), st.args, r.stderr)
		if st.prefix != "" {
			assert.True(t, strings.HasPrefix(r.stdout, st.prefix), "%q: %q", st.args, r.stdout)
			assert.Contains(t, r.stdout, st.stdout)
		} else {
			assert.Equal(t, st.stdout, r.stdout, "%s %q", filepath.Base(st.bin), st.args)
		}
		assert.Contains(t, r.stderr, st.stderr)
	}
}
