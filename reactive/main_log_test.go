package reactive_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmkit/charmkit/reactive"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ensure that Main sends its log records to juju-log when the hook ends, one
// process for the run of INFO records, and one process per record when
// CHARMKIT_LOG_IMMEDIATE is set; the text of every record arrives either way.
func TestMain_LogBatching(t *testing.T) {
	for _, tc := range []struct {
		name      string
		immediate bool
		calls     int
	}{
		{name: "batched by default", calls: 1},
		{name: "immediate", immediate: true, calls: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tools := filepath.Join(dir, "tools")
			require.NoError(t, os.Mkdir(tools, 0o755))
			calls := filepath.Join(dir, "calls")
			// A stand-in juju-log: one line per process, NUL for newlines.
			script := "#!/bin/sh\nprintf '%s\\n' \"$*\" | tr '\\n' '\\000' >> " + calls + "\necho >> " + calls + "\n"
			require.NoError(t, os.WriteFile(filepath.Join(tools, "juju-log"), []byte(script), 0o755))
			var extra []string
			if tc.immediate {
				extra = append(extra, reactive.LogImmediateEnv+"=1")
			}
			cmd := installHookCommand(t, "ok", dir, tools, extra...)
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s", out)
			raw, err := os.ReadFile(calls)
			require.NoError(t, err)
			lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
			assert.Len(t, lines, tc.calls, "juju-log processes: %q", lines)
			all := strings.ReplaceAll(string(raw), "\x00", "\n")
			for _, want := range []string{
				"Reactive main running for hook install",
				"Invoking reactive handler: install",
				"Invoking reactive handler: end",
			} {
				assert.Contains(t, all, want)
			}
		})
	}
}
