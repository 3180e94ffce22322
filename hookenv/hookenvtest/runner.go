package hookenvtest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/charmkit/charmkit/hookenv"
)

// TestRunner checks a fake of Juju's hook tools against every golden script.
// For each script, in a subtest named after it, it calls newRunner with the
// subtest and the script's state, then runs the script's calls in order
// through the runner, as hookenv's wrappers do: runner.Run(ctx, tool, args,
// stdin), after writing a call's files into a directory of its own and
// naming it in place of [FilesDir]. It compares each call's stdout, stderr
// and exit code with Juju's: a nil error is exit 0 with empty stderr; a
// *hookenv.ToolError gives its ExitCode and Stderr; any other error fails
// the call.
//
// newRunner builds the fake in the state s describes and returns a runner
// for the context the calls run in. When the fake cannot express a script's
// state, newRunner calls t.Skip with the reason: for example an in-process
// fake cannot show calls made outside any hook ([State.OutsideHook]), and a
// fake skips scripts that run tools it does not serve ([State.Tools]). Skip
// only what the fake cannot express: a script it gets wrong must fail.
// TestRunner logs the skipped scripts at the end.
func TestRunner(t *testing.T, newRunner func(t *testing.T, s State) hookenv.Runner) {
	t.Helper()
	scripts, err := Scripts()
	if err != nil {
		t.Fatal(err)
	}
	var skipped []string
	for _, sc := range scripts {
		t.Run(sc.Name, func(t *testing.T) {
			defer func() {
				if t.Skipped() {
					skipped = append(skipped, sc.Name)
				}
			}()
			r := newRunner(t, sc.State)
			if r == nil {
				t.Fatal("newRunner returned no runner")
			}
			runScript(t, sc, r)
		})
	}
	if len(skipped) > 0 {
		t.Logf("skipped %d of %d scripts: %s", len(skipped), len(scripts), strings.Join(skipped, ", "))
	}
}

// runScript runs a script's calls through r, reporting each mismatch.
func runScript(t testing.TB, sc Script, r hookenv.Runner) {
	t.Helper()
	for i, c := range sc.Calls {
		if c.usesFiles() {
			dir := t.TempDir()
			if err := c.WriteFiles(dir); err != nil {
				t.Fatalf("call %d of %d: writing its files: %v", i+1, len(sc.Calls), err)
			}
			c = c.Expand(dir)
		}
		stdout, err := r.Run(t.Context(), c.Tool(), c.Args[1:], c.Stdin)
		if msg := compareCall(c, stdout, err); msg != "" {
			t.Errorf("call %d of %d: %s\n%s", i+1, len(sc.Calls), c, msg)
		}
	}
}

// compareCall compares what a runner answered to a call with Juju's answer
// and returns "" when they agree, else a got/want report.
func compareCall(c Call, stdout []byte, err error) string {
	var stderr []byte
	code := 0
	if err != nil {
		var te *hookenv.ToolError
		if !errors.As(err, &te) {
			return fmt.Sprintf("runner error (not a *hookenv.ToolError): %v\n want: %s", err, answer(c.Stdout, c.Stderr, c.ExitCode))
		}
		stderr, code = []byte(te.Stderr), te.ExitCode
	}
	if bytes.Equal(stdout, c.Stdout) && bytes.Equal(stderr, c.Stderr) && code == c.ExitCode {
		return ""
	}
	return fmt.Sprintf("  got: %s\n want: %s", answer(stdout, stderr, code), answer(c.Stdout, c.Stderr, c.ExitCode))
}

// answer renders a tool's answer on one line.
func answer(stdout, stderr []byte, code int) string {
	return fmt.Sprintf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
}
