package hookenv_test

// The test binary stands in for Juju's hook tools, as the os/exec tests' helper
// process does: newFake makes a directory of symlinks named after the tools that
// point at this binary, and TestMain, finding itself started under a tool's name with
// HOOKENV_FAKE_SCRIPT set, replays the next call of a golden script (package
// hookenvtest) or of a fault script (testdata/faults): it checks the arguments, the
// files they name (hookenvtest.FilesDir) and stdin, writes the recorded stdout and
// stderr, and exits with the recorded code. It logs every call it receives (see
// fake.Log).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/hookenv/hookenvtest"
)

// Exit codes of the fake when the wrapper under test did not call what the script
// expected; never used by Juju.
const (
	exitWrongFiles = 96
	exitWrongCall  = 97
	exitWrongStdin = 98
	exitNoScript   = 99
)

// toolNames are the tools newFake links; all the wrappers call.
var toolNames = []string{
	"action-fail", "action-get", "action-log", "action-set", "application-version-set",
	"close-port", "config-get", "goal-state", "is-leader", "juju-log", "leader-get",
	"leader-set", "network-get", "open-port", "opened-ports", "relation-get",
	"relation-ids", "relation-list", "relation-set", "secret-add", "secret-get",
	"secret-grant", "secret-ids", "secret-info-get", "secret-remove", "secret-revoke", "secret-set", "state-delete",
	"state-get", "state-set", "status-get", "status-set", "unit-get",
}

func TestMain(m *testing.M) {
	if mode := os.Getenv("HOOKENV_FAKE_MODE"); mode != "" {
		os.Exit(misbehave(mode))
	}
	if script := os.Getenv("HOOKENV_FAKE_SCRIPT"); script != "" {
		os.Exit(fakeTool(filepath.Base(os.Args[0]), os.Args[1:], script, os.Getenv("HOOKENV_FAKE_STATE")))
	}
	os.Exit(m.Run())
}

// loadScript returns a script by its name under testdata/ as the tests give it:
// "tools/<tool>/<case>.txt" is a golden script of hookenvtest, anything else a
// file under testdata/ (the faults). An absolute path is read as it is.
func loadScript(name string) (hookenvtest.Script, error) {
	if golden, ok := strings.CutPrefix(name, "tools/"); ok {
		golden = strings.TrimSuffix(golden, ".txt")
		scripts, err := hookenvtest.Scripts()
		if err != nil {
			return hookenvtest.Script{}, err
		}
		for _, s := range scripts {
			if s.Name == golden {
				return s, nil
			}
		}
		return hookenvtest.Script{}, fmt.Errorf("no golden script %q", golden)
	}
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join("testdata", name)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return hookenvtest.Script{}, err
	}
	return hookenvtest.ParseScript(name, data)
}

// fakeTool plays the next call of the script and returns the exit code.
func fakeTool(tool string, args []string, scriptName, statePath string) int {
	s, err := loadScript(scriptName)
	if err != nil {
		fmt.Fprintf(os.Stderr, "fake: %v\n", err)
		return exitNoScript
	}
	n := 0
	if b, err := os.ReadFile(statePath); err == nil {
		n, _ = strconv.Atoi(string(b))
	}
	if err := os.WriteFile(statePath, []byte(strconv.Itoa(n+1)), 0o600); err != nil {
		fmt.Fprintf(os.Stderr, "fake: %v\n", err)
		return exitNoScript
	}
	got := append([]string{tool}, args...)
	if n >= len(s.Calls) {
		fmt.Fprintf(os.Stderr, "fake: unexpected call %d %q: the script has %d calls\n", n, got, len(s.Calls))
		return exitWrongCall
	}
	c := s.Calls[n]
	dir, ok := c.MatchArgs(got)
	logCall(statePath, loggedCall{Args: got, Dir: dir})
	if !ok {
		gotJSON, _ := json.Marshal(got)
		wantJSON, _ := json.Marshal(c.Args)
		fmt.Fprintf(os.Stderr, "fake: call %d: got %s, want %s\n", n, gotJSON, wantJSON)
		return exitWrongCall
	}
	if err := checkFiles(c, dir); err != nil {
		fmt.Fprintf(os.Stderr, "fake: call %d: %v\n", n, err)
		return exitWrongFiles
	}
	c = c.Expand(dir)
	if c.Stdin != nil {
		in, _ := io.ReadAll(os.Stdin)
		if !bytes.Equal(in, c.Stdin) {
			fmt.Fprintf(os.Stderr, "fake: call %d: stdin %q, want %q\n", n, in, c.Stdin)
			return exitWrongStdin
		}
	}
	os.Stdout.Write(c.Stdout)
	os.Stderr.Write(c.Stderr)
	return c.ExitCode
}

// loggedCall is one call the fake received: its arguments and the directory
// of its files, if any.
type loggedCall struct {
	Args []string `json:"args"`
	Dir  string   `json:"dir,omitempty"`
}

// logCall appends a call to the fake's log, statePath + ".log".
func logCall(statePath string, c loggedCall) {
	f, err := os.OpenFile(statePath+".log", os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return
	}
	defer f.Close()
	_ = json.NewEncoder(f).Encode(c)
}

// checkFiles checks the files a call reads: exactly the script's files, with
// their exact content, readable by their owner only (0600) in a directory
// only its owner may enter (0700).
func checkFiles(c hookenvtest.Call, dir string) error {
	if dir == "" {
		return nil
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		return fmt.Errorf("directory %s has mode %v, want 0700", dir, perm)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := slices.Sorted(maps.Keys(c.Files))
	if !slices.Equal(names, want) {
		return fmt.Errorf("files %q, want %q", names, want)
	}
	for _, name := range names {
		path := filepath.Join(dir, name)
		fi, err := os.Stat(path)
		if err != nil {
			return err
		}
		if perm := fi.Mode().Perm(); perm != 0o600 {
			return fmt.Errorf("file %s has mode %v, want 0600", name, perm)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if string(b) != c.Files[name] {
			return fmt.Errorf("file %s does not hold the script's content", name)
		}
	}
	return nil
}

// fake is a directory of fake tools replaying one golden script.
type fake struct {
	Dir    string         // the tools directory
	Runner hookenv.Runner // an ExecRunner over Dir
	state  string
	script hookenvtest.Script
}

// newFake links every tool except those in without to this test binary and
// returns a fake replaying testdata/<golden>. At cleanup it checks that every call
// of the script was made.
func newFake(tb testing.TB, golden string, without ...string) *fake {
	tb.Helper()
	exe, err := os.Executable()
	require.NoError(tb, err)
	dir := tb.TempDir()
	tools := filepath.Join(dir, "tools")
	require.NoError(tb, os.Mkdir(tools, 0o755))
	for _, name := range toolNames {
		if !slices.Contains(without, name) {
			require.NoError(tb, os.Symlink(exe, filepath.Join(tools, name)))
		}
	}
	ref := golden // the child finds a golden script by name, a fault file by its path
	if !strings.HasPrefix(golden, "tools/") {
		ref, err = filepath.Abs(filepath.Join("testdata", golden))
		require.NoError(tb, err)
	}
	script, err := loadScript(ref)
	require.NoError(tb, err)
	f := &fake{Dir: tools, state: filepath.Join(dir, "calls"), script: script}
	env := append(os.Environ(), "HOOKENV_FAKE_SCRIPT="+ref, "HOOKENV_FAKE_STATE="+f.state)
	f.Runner = hookenv.ExecRunner{Dir: tools, Env: env}
	tb.Cleanup(func() {
		require.Equal(tb, len(f.script.Calls), f.Calls(), "calls made of the %d in %s", len(f.script.Calls), golden)
	})
	return f
}

// Calls returns how many tool processes have run so far.
func (f *fake) Calls() int {
	b, err := os.ReadFile(f.state)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(string(b))
	return n
}

// Log returns the calls the fake received so far, in order.
func (f *fake) Log(tb testing.TB) []loggedCall {
	tb.Helper()
	b, err := os.ReadFile(f.state + ".log")
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	require.NoError(tb, err)
	var out []loggedCall
	dec := json.NewDecoder(bytes.NewReader(b))
	for dec.More() {
		var c loggedCall
		require.NoError(tb, dec.Decode(&c))
		out = append(out, c)
	}
	return out
}

// reset makes the next call replay the script's first call again.
func (f *fake) reset(tb testing.TB) {
	tb.Helper()
	require.NoError(tb, os.WriteFile(f.state, []byte("0"), 0o600))
}

// Tools returns a fresh Tools over the fake.
func (f *fake) Tools() *hookenv.Tools { return &hookenv.Tools{Runner: f.Runner} }

// noTools is a runner for calls that must be rejected before any tool runs.
func noTools(tb testing.TB) hookenv.Runner {
	return hookenv.RunnerFunc(func(_ context.Context, tool string, args []string, _ []byte) ([]byte, error) {
		tb.Errorf("unexpected tool call %s %q", tool, args)
		return nil, fmt.Errorf("unexpected call")
	})
}
