package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/hookenv/hookenvtest"
	"github.com/charmkit/charmkit/testing/fakejuju"
	"github.com/charmkit/charmkit/testing/fakejuju/fakejujutest"
)

var (
	toolOnce sync.Once
	toolPath string
	toolErr  error
)

// buildTool builds this command once for the tests.
func buildTool(t *testing.T) string {
	t.Helper()
	toolOnce.Do(func() {
		dir, err := os.MkdirTemp("", "faketool-test-")
		if err != nil {
			toolErr = err
			return
		}
		toolPath = filepath.Join(dir, "faketool")
		out, err := exec.Command("go", "build", "-o", toolPath, ".").CombinedOutput()
		if err != nil {
			toolErr = &exec.Error{Name: "go build", Err: err}
			t.Logf("%s", out)
		}
	})
	require.NoError(t, toolErr)
	return toolPath
}

// Ensure the tool binary, run as a process in a model laid out as jujusim
// lays it out, answers every recorded Juju script exactly as Juju does,
// including calls made outside any hook. Only tools the fake does not serve
// are skipped.
func TestConformance(t *testing.T) {
	tool := buildTool(t)
	hookenvtest.TestRunner(t, func(t *testing.T, s hookenvtest.State) hookenv.Runner {
		for _, name := range s.Tools() {
			if !fakejuju.Serves(name) {
				t.Skipf("the fake does not serve %s", name)
			}
		}
		m, id, err := fakejujutest.FromState(s, time.Unix(0, 1000))
		require.NoError(t, err)
		root := t.TempDir()
		_, err = fakejuju.CreateDir(root, m)
		require.NoError(t, err)
		unitDir := filepath.Join(root, "units", strings.ReplaceAll(s.UnitName(), "/", "-"))
		tools := filepath.Join(unitDir, "tools")
		require.NoError(t, os.MkdirAll(tools, 0o755))
		for _, name := range fakejuju.ToolNames() {
			require.NoError(t, os.Symlink(tool, filepath.Join(tools, name)))
		}
		env := map[string]string{
			"JUJU_CONTEXT_ID":           id,
			"JUJU_AGENT_SOCKET_ADDRESS": filepath.Join(unitDir, "agent.socket"),
			"JUJU_AGENT_SOCKET_NETWORK": "unix",
		}
		for k, v := range s.Env {
			env[k] = v
		}
		var vars []string
		for k, v := range env {
			if v != "" {
				vars = append(vars, k+"="+v)
			}
		}
		return hookenv.ExecRunner{Dir: tools, Env: vars}
	})
}
