package hookenv_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ensure the golden scripts under testdata/tools follow Juju's output rules
// (docs/design.md, "Exit codes and errors" and "Output formats"), so that a fake
// checked against them is checked against Juju: exit 0 with empty stderr, or
// exit 1/2 with one "ERROR ..." line and nothing on stdout; --format=json output
// is one compact JSON value and a newline.
func TestGoldenScriptsFollowJujuRules(t *testing.T) {
	var files []string
	require.NoError(t, filepath.WalkDir(filepath.Join("testdata", "tools"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return err
	}))
	require.NotEmpty(t, files)
	for _, path := range files {
		rel, _ := filepath.Rel("testdata", path)
		t.Run(rel, func(t *testing.T) {
			s := loadScript(t, rel)
			assert.NotEmpty(t, strings.TrimSpace(s.Comment), "a comment says what the script shows")
			require.NotEmpty(t, s.Calls)
			tool := filepath.Base(filepath.Dir(path))
			assert.Contains(t, toolNames, tool, "directory names a tool")
			for i, c := range s.Calls {
				switch c.ExitCode {
				case 0:
					assert.Empty(t, c.Stderr, "call %d: exit 0 writes no stderr", i)
				case 1, 2:
					assert.Empty(t, c.Stdout, "call %d: failed call prints nothing", i)
					line := string(c.Stderr)
					assert.True(t, strings.HasPrefix(line, "ERROR ") && strings.Count(line, "\n") == 1 && strings.HasSuffix(line, "\n"),
						"call %d: stderr %q is not one ERROR line", i, line)
				default:
					t.Errorf("call %d: exit code %d: Juju exits 0, 1 or 2", i, c.ExitCode)
				}
				if c.ExitCode == 0 && slices.Contains(c.Args, "--format=json") {
					out := c.Stdout
					require.True(t, bytes.HasSuffix(out, []byte("\n")) && bytes.Count(out, []byte("\n")) == 1,
						"call %d: JSON output %q is one line", i, out)
					require.True(t, json.Valid(out), "call %d: %q is JSON", i, out)
					var compact bytes.Buffer
					require.NoError(t, json.Compact(&compact, out))
					assert.Equal(t, string(bytes.TrimSuffix(out, []byte("\n"))), compact.String(), "call %d: compact as Go's encoding/json", i)
					var m map[string]json.RawMessage
					if json.Unmarshal(out, &m) == nil && m != nil && tool != "goal-state" && tool != "network-get" {
						// Maps are printed with sorted keys; goal-state and network-get marshal structs.
						re, err := json.Marshal(m)
						require.NoError(t, err)
						assert.Equal(t, compact.String(), string(re), "call %d: keys sorted", i)
					}
				}
			}
		})
	}
}
