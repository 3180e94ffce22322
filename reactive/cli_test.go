package reactive_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/reactive"
)

// cliResult is what one RunCLI call produced.
type cliResult struct {
	code           int
	stdout, stderr string
}

// newCLIStore opens an SQLite store in a fresh temporary directory.
func newCLIStore(tb testing.TB) (*flags.Store, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), ".unit-state.db")
	s, err := flags.Open(path, nil)
	require.NoError(tb, err)
	tb.Cleanup(func() { s.Close() })
	return s, path
}

// envMap returns a Getenv reading only env.
func envMap(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

// runCLI runs one command against the store with the given environment.
func runCLI(tb testing.TB, s *flags.Store, env map[string]string, args ...string) cliResult {
	tb.Helper()
	var out, errb bytes.Buffer
	code := reactive.RunCLI(context.Background(), args, reactive.CLIOptions{
		Stdout: &out, Stderr: &errb, Getenv: envMap(env), Store: s,
	})
	return cliResult{code, out.String(), errb.String()}
}

// mustRun runs a setup command and requires it to succeed.
func mustRun(tb testing.TB, s *flags.Store, env map[string]string, args ...string) {
	tb.Helper()
	r := runCLI(tb, s, env, args...)
	require.Equal(tb, 0, r.code, "%v: stderr %q", args, r.stderr)
}

// setKeys writes raw store keys (the dispatcher's phase, watch record...).
func setKeys(tb testing.TB, s *flags.Store, kv map[string]any) {
	tb.Helper()
	require.NoError(tb, s.Update(context.Background(), func(tx *flags.Tx) error {
		for k, v := range kv {
			if err := tx.Set(k, v); err != nil {
				return err
			}
		}
		return nil
	}))
}

// storedFlags returns the committed flags, sorted.
func storedFlags(tb testing.TB, s *flags.Store) []string {
	tb.Helper()
	var l []string
	require.NoError(tb, s.View(context.Background(), func(tx *flags.Tx) error {
		l = flags.New(tx).List()
		return nil
	}))
	return l
}

// storedRaw returns the committed JSON text under key.
func storedRaw(tb testing.TB, s *flags.Store, key string) (string, bool) {
	tb.Helper()
	var v string
	var ok bool
	require.NoError(tb, s.View(context.Background(), func(tx *flags.Tx) error {
		v, ok = tx.GetRaw(key)
		return nil
	}))
	return v, ok
}

func phase(p string) map[string]any { return map[string]any{reactive.PhaseKey: p} }

// Ensure that every subcommand gives charms.reactive's exit code, output
// bytes and resulting flags, against a real SQLite store.
func TestRunCLI_Subcommands(t *testing.T) {
	tests := []struct {
		name      string
		keys      map[string]any // raw store keys before
		setup     [][]string     // commands run before
		env       map[string]string
		args      []string
		code      int
		stdout    string
		flags     []string // the committed flags after; nil means none
		errSubstr string
	}{
		{name: "set_flag", args: []string{"set_flag", "foo"}, flags: []string{"foo"}},
		{name: "set_flag twice", setup: [][]string{{"set_flag", "foo"}}, args: []string{"set_flag", "foo"}, flags: []string{"foo"}},
		{name: "clear_flag", setup: [][]string{{"set_flag", "foo"}, {"set_flag", "bar"}}, args: []string{"clear_flag", "foo"}, flags: []string{"bar"}},
		{name: "clear_flag unset", args: []string{"clear_flag", "foo"}},
		{name: "X18 toggle_flag False sets", args: []string{"toggle_flag", "foo", "False"}, flags: []string{"foo"}},
		{name: "toggle_flag 0 sets", args: []string{"toggle_flag", "foo", "0"}, flags: []string{"foo"}},
		{name: "toggle_flag empty clears", setup: [][]string{{"set_flag", "foo"}}, args: []string{"toggle_flag", "foo", ""}},
		{name: "is_flag_set true", setup: [][]string{{"set_flag", "foo"}}, args: []string{"is_flag_set", "foo"}, flags: []string{"foo"}},
		{name: "is_flag_set false", args: []string{"is_flag_set", "foo"}, code: 1},
		{name: "X19 all_flags_set no names", args: []string{"all_flags_set"}},
		{name: "X19 any_flags_set no names", args: []string{"any_flags_set"}, code: 1},
		{name: "all_flags_set partial", setup: [][]string{{"set_flag", "a"}}, args: []string{"all_flags_set", "a", "b"}, code: 1, flags: []string{"a"}},
		{name: "all_flags_set all", setup: [][]string{{"set_flag", "a"}, {"set_flag", "b"}}, args: []string{"all_flags_set", "a", "b"}, flags: []string{"a", "b"}},
		{name: "any_flags_set one", setup: [][]string{{"set_flag", "a"}}, args: []string{"any_flags_set", "b", "a"}, flags: []string{"a"}},
		{name: "get_flags sorted no trailing newline", setup: [][]string{{"set_flag", "b.x"}, {"set_flag", "a"}, {"set_flag", "B"}},
			args: []string{"get_flags"}, stdout: "B\na\nb.x", flags: []string{"B", "a", "b.x"}},
		{name: "get_flags none", args: []string{"get_flags"}, stdout: ""},
		{name: "get_unset_flags", setup: [][]string{{"set_flag", "a"}}, args: []string{"get_unset_flags", "c", "a", "b", "c"}, stdout: "b\nc", flags: []string{"a"}},
		{name: "get_states raw is str(dict)", setup: [][]string{{"set_flag", "b"}, {"set_flag", "a", "--value", "it's"}},
			args: []string{"get_states"}, stdout: `{'a': "it's", 'b': None}`, flags: []string{"a", "b"}},
		{name: "get_states json", setup: [][]string{{"set_flag", "b"}, {"set_flag", "a", "--value=x"}},
			args: []string{"-j", "get_states"}, stdout: `{"a": "x", "b": null}`, flags: []string{"a", "b"}},
		{name: "get_states empty", args: []string{"get_states"}, stdout: "{}"},
		{name: "set_state alias", args: []string{"set_state", "s"}, flags: []string{"s"}},
		{name: "remove_state alias", setup: [][]string{{"set_state", "s"}}, args: []string{"remove_state", "s"}},
		{name: "is_state alias", setup: [][]string{{"set_state", "s"}}, args: []string{"is_state", "s"}, flags: []string{"s"}},
		{name: "all_states alias", setup: [][]string{{"set_state", "s"}}, args: []string{"all_states", "s", "t"}, code: 1, flags: []string{"s"}},
		{name: "any_states alias", setup: [][]string{{"set_state", "s"}}, args: []string{"any_states", "s", "t"}, flags: []string{"s"}},
		{name: "register_trigger then set", setup: [][]string{{"register_trigger", "--when", "a", "--set_flag", "b"}},
			args: []string{"set_flag", "a"}, flags: []string{"a", "b"}},
		{name: "register_trigger when_not clear", setup: [][]string{{"set_flag", "a"}, {"set_flag", "x"}, {"register_trigger", "--when_not", "a", "--clear_flag", "x"}},
			args: []string{"clear_flag", "a"}},
		{name: "register_trigger abbreviated option", setup: [][]string{{"register_trigger", "--when", "a", "--set", "b"}},
			args: []string{"set_flag", "a"}, flags: []string{"a", "b"}},
		{name: "register_trigger without when", args: []string{"register_trigger", "--set_flag", "b"}, code: 1, errSubstr: "register_trigger"},
		{name: "register_trigger callback", args: []string{"register_trigger", "--when", "a", "--callback", "f"}, code: 1, errSubstr: "callback cannot be given from the shell"},
		{name: "set_flag empty name", args: []string{"set_flag", ""}, code: 1, errSubstr: "invalid flag name"},
		{name: "when in other phase", keys: phase("other"), setup: [][]string{{"set_flag", "foo"}}, args: []string{"when", "foo"}, flags: []string{"foo"}},
		{name: "when in hooks phase", keys: phase("hooks"), setup: [][]string{{"set_flag", "foo"}}, args: []string{"when", "foo"}, code: 1, flags: []string{"foo"}},
		{name: "when without a phase", setup: [][]string{{"set_flag", "foo"}}, args: []string{"when", "foo"}, code: 1, flags: []string{"foo"}},
		{name: "when no flags in other", keys: phase("other"), args: []string{"when"}},
		{name: "when_all missing", keys: phase("other"), setup: [][]string{{"set_flag", "a"}}, args: []string{"when_all", "a", "b"}, code: 1, flags: []string{"a"}},
		{name: "when_any", keys: phase("other"), setup: [][]string{{"set_flag", "a"}}, args: []string{"when_any", "b", "a"}, flags: []string{"a"}},
		{name: "when_any none given", keys: phase("other"), args: []string{"when_any"}, code: 1},
		{name: "when_not", keys: phase("other"), args: []string{"when_not", "zzz"}},
		{name: "when_none set", keys: phase("other"), setup: [][]string{{"set_flag", "a"}}, args: []string{"when_none", "b", "a"}, code: 1, flags: []string{"a"}},
		{name: "when_not_all", keys: phase("other"), setup: [][]string{{"set_flag", "a"}}, args: []string{"when_not_all", "a", "b"}, flags: []string{"a"}},
		{name: "when_not in restricted", keys: phase("restricted"), args: []string{"when_not", "zzz"}, code: 1},
		{name: "hook in hooks phase", keys: phase("hooks"), env: map[string]string{"JUJU_HOOK_NAME": "install"}, args: []string{"hook", "install", "start"}},
		{name: "hook alternatives", keys: phase("hooks"), env: map[string]string{"JUJU_HOOK_NAME": "config-changed"}, args: []string{"hook", "config-{set,changed}"}},
		{name: "hook other hook", keys: phase("hooks"), env: map[string]string{"JUJU_HOOK_NAME": "install"}, args: []string{"hook", "start"}, code: 1},
		{name: "hook in other phase", keys: phase("other"), env: map[string]string{"JUJU_HOOK_NAME": "install"}, args: []string{"hook", "install"}, code: 1},
		{name: "hook from dispatch path", keys: phase("hooks"), env: map[string]string{"JUJU_DISPATCH_PATH": "hooks/upgrade-charm"}, args: []string{"hook", "upgrade-charm"}},
		{name: "any_hook ignores phase", keys: phase("other"), env: map[string]string{"JUJU_HOOK_NAME": "config-changed"}, args: []string{"any_hook", "{config,option}-{changed,set}"}},
		{name: "any_hook no match", env: map[string]string{"JUJU_HOOK_NAME": "install"}, args: []string{"any_hook", "foo", "bar"}, code: 1},
		{name: "only_once never invoked", args: []string{"only_once", "h1"}},
		{name: "only_once after mark_invoked", setup: [][]string{{"mark_invoked", "h0", "h1"}}, args: []string{"only_once", "h1"}, code: 1},
		{name: "X20 test", keys: phase("other"), setup: [][]string{{"set_flag", "foo"}},
			args: []string{"test", "'h1' 'id1' 'when' 'foo' 'when_not' 'zzz'", "'h2' 'id2' 'when' 'nope'"}, stdout: "h1", flags: []string{"foo"}},
		{name: "test several pass", keys: phase("other"), setup: [][]string{{"set_flag", "foo"}},
			args: []string{"test", `'a' 'ia' 'when' '"foo"'`, `'b' 'ib' 'when_not_all' 'foo bar'`}, stdout: "a,b", flags: []string{"foo"}},
		{name: "test none pass", keys: phase("hooks"), setup: [][]string{{"set_flag", "foo"}},
			args: []string{"test", "'h1' 'id1' 'when' 'foo'"}, stdout: "", flags: []string{"foo"}},
		{name: "test only_once uses the id", setup: [][]string{{"mark_invoked", "id1"}},
			args: []string{"test", "'h1' 'id1' 'only_once' ''", "'h2' 'id2' 'only_once' ''"}, stdout: "h2"},
		{name: "test hook", keys: phase("hooks"), env: map[string]string{"JUJU_HOOK_NAME": "install"},
			args: []string{"test", "'h1' 'id1' 'hook' 'install'", "'h2' 'id2' 'hook' 'start'"}, stdout: "h1"},
		{name: "test drops a test without arguments", keys: phase("other"),
			args: []string{"test", "'h1' 'id1' 'when' 'foo' 'when_not'"}, stdout: ""},
		{name: "test watch blocks unchanged flags", keys: map[string]any{reactive.PhaseKey: "other",
			reactive.StateWatchKey: map[string]any{"iteration": 1, "changes": []string{"bar"}, "pending": []string{}}},
			setup: [][]string{{"set_flag", "foo"}, {"set_flag", "bar"}},
			args:  []string{"test", "'h1' 'id1' 'when' 'foo'", "'h2' 'id2' 'when' 'bar'", "'h3' 'id3' 'only_once' 'x'"}, stdout: "h2,h3", flags: []string{"bar", "foo"}},
		{name: "test invalid test", args: []string{"test", "'h1' 'id1' 'whenever' 'foo'"}, code: 1, errSubstr: "invalid test: whenever"},
		{name: "test spec too short", args: []string{"test", "'h1'"}, code: 1, errSubstr: "want at least a name and an id"},
		{name: "test unclosed quote", args: []string{"test", "'h1' 'id1"}, code: 1, errSubstr: "no closing quotation"},
		{name: "relation_call unsupported", args: []string{"relation_call", "conversations"}, code: 1, errSubstr: "not supported by charmkit"},
		{name: "render_template unsupported", args: []string{"render_template", "a.j2", "/tmp/a"}, code: 1, errSubstr: "not supported by charmkit"},
		{name: "charmkit-graph without registry", args: []string{"charmkit-graph"}, code: 1, errSubstr: "no handler registry"},
		// Output formats: a test command still prints '' in that format.
		{name: "json list", setup: [][]string{{"set_flag", "b"}, {"set_flag", "a"}}, args: []string{"-j", "get_flags"}, stdout: `["a", "b"]`, flags: []string{"a", "b"}},
		{name: "json empty list", args: []string{"--format", "json", "get_flags"}, stdout: `[]`},
		{name: "json test command", args: []string{"--json", "is_flag_set", "a"}, code: 1, stdout: `""`},
		{name: "py list", setup: [][]string{{"set_flag", "b"}, {"set_flag", "a"}}, args: []string{"-p", "get_flags"}, stdout: "['a', 'b']\n", flags: []string{"a", "b"}},
		{name: "py dict", setup: [][]string{{"set_flag", "b", "--value", "x"}, {"set_flag", "a"}}, args: []string{"--py", "get_states"}, stdout: "{'a': None, 'b': 'x'}\n", flags: []string{"a", "b"}},
		{name: "py no output", args: []string{"-p", "set_flag", "a"}, stdout: "''\n", flags: []string{"a"}},
		{name: "yaml list", setup: [][]string{{"set_flag", "yes"}, {"set_flag", "foo.bar"}}, args: []string{"-y", "get_flags"}, stdout: "- foo.bar\n- 'yes'\n", flags: []string{"foo.bar", "yes"}},
		{name: "yaml dict", setup: [][]string{{"set_flag", "b", "--value", "x"}, {"set_flag", "a"}}, args: []string{"--format=yaml", "get_states"}, stdout: "a: null\nb: x\n", flags: []string{"a", "b"}},
		{name: "yaml test output", keys: phase("other"), args: []string{"-y", "test", "'h1' 'id1' 'when_not' 'x'"}, stdout: "h1\n...\n"},
		{name: "yaml test command", args: []string{"-y", "is_flag_set", "a"}, code: 1, stdout: "''\n"},
		{name: "csv list rows are characters", setup: [][]string{{"set_flag", "ab"}, {"set_flag", "c,d"}}, args: []string{"-c", "get_flags"}, stdout: "a,b\r\nc,\",\",d\r\n", flags: []string{"ab", "c,d"}},
		{name: "tab string", keys: phase("other"), args: []string{"-t", "test", "'h1' 'i' 'when_not' 'x'", "'h2' 'i' 'when_not' 'x'"}, stdout: "h\r\n1\r\n,\r\nh\r\n2\r\n"},
		{name: "csv test command", args: []string{"-c", "is_flag_set", "a"}, code: 1, stdout: ""},
		// Command lines argparse rejects: exit 2 and the usage on stderr.
		{name: "no subcommand", args: []string{}, code: 2, errSubstr: "usage: charms.reactive"},
		{name: "unknown subcommand", args: []string{"frobnicate"}, code: 2, errSubstr: "invalid choice: 'frobnicate'"},
		{name: "missing argument", args: []string{"set_flag"}, code: 2, errSubstr: "the following arguments are required: flag"},
		{name: "toggle_flag missing should_set", args: []string{"toggle_flag", "foo"}, code: 2, errSubstr: "required: should_set"},
		{name: "extra argument", args: []string{"is_flag_set", "a", "b"}, code: 2, errSubstr: "unrecognized arguments: b"},
		{name: "unknown option", args: []string{"set_flag", "foo", "--bogus", "x"}, code: 2, errSubstr: "unrecognized arguments: --bogus"},
		{name: "option without value", args: []string{"set_flag", "foo", "--value"}, code: 2, errSubstr: "argument --value: expected one argument"},
		{name: "bad format", args: []string{"--format", "xml", "get_flags"}, code: 2, errSubstr: "invalid choice: 'xml'"},
		{name: "two formats", args: []string{"-j", "-r", "get_flags"}, code: 2, errSubstr: "not allowed with argument"},
		{name: "format after subcommand", args: []string{"get_flags", "-j"}, code: 2, errSubstr: "unrecognized arguments: -j"},
		{name: "unknown global option", args: []string{"-x", "get_flags"}, code: 2, errSubstr: "unrecognized arguments: -x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newCLIStore(t)
			if tc.keys != nil {
				setKeys(t, s, tc.keys)
			}
			for _, c := range tc.setup {
				mustRun(t, s, tc.env, c...)
			}
			r := runCLI(t, s, tc.env, tc.args...)
			assert.Equal(t, tc.code, r.code, "%q: stderr %q", tc.args, r.stderr)
			assert.Equal(t, tc.stdout, r.stdout, "%q", tc.args)
			if tc.errSubstr != "" {
				assert.Contains(t, r.stderr, tc.errSubstr)
			} else {
				assert.Empty(t, r.stderr)
			}
			assert.Equal(t, tc.flags, storedFlags(t, s), "%q: flags after", tc.args)
		})
	}
}

// Ensure that set_flag --value stores the value as a JSON string, and that
// clear_flag always records reactive.dispatch.removed_state.
func TestRunCLI_StoredValues(t *testing.T) {
	s, _ := newCLIStore(t)
	mustRun(t, s, nil, "set_flag", "n", "--value", "3")
	v, ok := storedRaw(t, s, flags.FlagPrefix+"n")
	require.True(t, ok)
	assert.Equal(t, `"3"`, v)

	mustRun(t, s, nil, "set_flag", "m")
	v, _ = storedRaw(t, s, flags.FlagPrefix+"m")
	assert.Equal(t, "null", v)

	mustRun(t, s, nil, "clear_flag", "never-set")
	v, ok = storedRaw(t, s, flags.RemovedStateKey)
	require.True(t, ok)
	assert.Equal(t, "true", v)

	mustRun(t, s, nil, "mark_invoked", "a", "b")
	for _, id := range []string{"a", "b"} {
		v, _ = storedRaw(t, s, flags.InvokedPrefix+id)
		assert.Equal(t, "true", v, id)
	}
}

// Ensure that when_file_changed records the digests it saw, so that the
// second call reports no change, and that relative names are keyed as
// given and read from the working directory.
func TestRunCLI_WhenFileChanged(t *testing.T) {
	s, _ := newCLIStore(t)
	dir := t.TempDir()
	abs := filepath.Join(dir, "config.txt")
	require.NoError(t, os.WriteFile(abs, []byte("v1"), 0o600))

	steps := []struct {
		write string // new contents before the step; "" keeps them
		code  int
	}{
		{code: 0}, // new file: changed
		{code: 1}, // same digest
		{write: "v2", code: 0},
		{code: 1},
	}
	for i, st := range steps {
		if st.write != "" {
			require.NoError(t, os.WriteFile(abs, []byte(st.write), 0o600))
		}
		r := runCLI(t, s, nil, "when_file_changed", abs)
		assert.Equal(t, st.code, r.code, "step %d: %s", i, r.stderr)
	}
	v, ok := storedRaw(t, s, flags.FilesChangedPrefix+abs)
	require.True(t, ok)
	assert.Equal(t, `"1b267619c4812cc46ee281747884ca50"`, v) // md5("v2")

	// A file that never existed is not a change, and records null.
	r := runCLI(t, s, nil, "when_file_changed", filepath.Join(dir, "missing"))
	assert.Equal(t, 1, r.code)
	v, ok = storedRaw(t, s, flags.FilesChangedPrefix+filepath.Join(dir, "missing"))
	assert.False(t, ok, "unchanged missing file: nothing recorded, got %s", v)

	// In a test spec every test runs, even after a false one.
	setKeys(t, s, phase("other"))
	require.NoError(t, os.WriteFile(abs, []byte("v3"), 0o600))
	r = runCLI(t, s, nil, "test", "'h' 'id' 'when' 'nope' 'when_file_changed' '"+abs+"'")
	assert.Equal(t, 0, r.code)
	assert.Equal(t, "", r.stdout)
	assert.Equal(t, 1, runCLI(t, s, nil, "when_file_changed", abs).code, "the test recorded the new digest")
}

// Ensure that without a Store the command opens the file named by the
// environment and commits at exit, that a test command commits too, and
// that a failed command commits nothing.
func TestRunCLI_OpensAndCommits(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "state.db")
	f := filepath.Join(dir, "f")
	require.NoError(t, os.WriteFile(f, []byte("x"), 0o600))
	env := map[string]string{"UNIT_STATE_DB": db}
	run := func(args ...string) cliResult {
		t.Helper()
		var out, errb bytes.Buffer
		code := reactive.RunCLI(context.Background(), args, reactive.CLIOptions{Stdout: &out, Stderr: &errb, Getenv: envMap(env)})
		return cliResult{code, out.String(), errb.String()}
	}
	assert.Equal(t, 0, run("set_flag", "a").code)
	assert.Equal(t, 0, run("when_file_changed", f).code)
	// Records the digest of f, then fails on the invalid test: rolled back.
	require.NoError(t, os.WriteFile(f, []byte("y"), 0o600))
	r := run("test", "'h' 'id' 'when_file_changed' '"+f+"' 'bogus' ''")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "invalid test: bogus")

	s, err := flags.Open(db, nil)
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, []string{"a"}, storedFlags(t, s))
	v, ok := storedRaw(t, s, flags.FilesChangedPrefix+f)
	require.True(t, ok, "the test command committed")
	assert.Equal(t, `"9dd4e461268c8034f5c8564e155c67a6"`, v, "md5(x): the failed command left it")

	// JUJU_CHARM_DIR decides the default path.
	charm := t.TempDir()
	env = map[string]string{"JUJU_CHARM_DIR": charm}
	assert.Equal(t, 0, run("set_flag", "b").code)
	s2, err := flags.Open(filepath.Join(charm, ".unit-state.db"), nil)
	require.NoError(t, err)
	defer s2.Close()
	assert.Equal(t, []string{"b"}, storedFlags(t, s2))
}

// Ensure that --help lists every subcommand and exits 0, and that a
// subcommand's -h prints its usage.
func TestRunCLI_Help(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"-j", "--he"}} {
		r := runCLI(t, nil, nil, args...)
		assert.Equal(t, 0, r.code, "%q", args)
		for _, sub := range []string{"set_flag", "clear_flag", "toggle_flag", "register_trigger", "is_flag_set",
			"all_flags_set", "any_flags_set", "get_flags", "get_unset_flags", "get_states", "set_state", "remove_state",
			"is_state", "all_states", "any_states", "relation_call", "any_hook", "hook", "when", "when_all", "when_any",
			"when_not", "when_none", "when_not_all", "when_file_changed", "only_once", "mark_invoked", "test",
			"render_template", "charmkit-graph"} {
			assert.Contains(t, r.stdout, "\n  "+sub+" ", "%q lists %s", args, sub)
		}
	}
	r := runCLI(t, nil, nil, "set_flag", "-h")
	assert.Equal(t, 0, r.code)
	assert.True(t, strings.HasPrefix(r.stdout, "usage: charms.reactive set_flag [-h] [--value VALUE] flag\n"), r.stdout)
}

// Ensure that charmkit-graph draws the registry in DOT, in registration
// order, without touching the store.
func TestRunCLI_Graph(t *testing.T) {
	r := reactive.NewRegistry()
	noop := func(context.Context, *reactive.Hook) error { return nil }
	r.Handle("install", reactive.OnHook("install"), noop)
	r.Handle("configure", reactive.All(reactive.When("app.installed"), reactive.WhenNot("app.configured")), noop)
	r.Handle("say \"hi\"", reactive.WhenAny("app.configured", "app.installed"), noop)

	var out, errb bytes.Buffer
	code := reactive.RunCLI(context.Background(), []string{"charmkit-graph"}, reactive.CLIOptions{
		Stdout: &out, Stderr: &errb, Getenv: envMap(map[string]string{"UNIT_STATE_DB": filepath.Join(t.TempDir(), "never", "db")}), Registry: r,
	})
	require.Equal(t, 0, code, errb.String())
	want := `digraph charm {
	rankdir=LR;
	node [fontname="sans-serif"];
	"flag:app.installed" [shape=ellipse, label="app.installed"];
	"flag:app.configured" [shape=ellipse, label="app.configured"];
	"handler:install" [shape=box, label="install\nOnHook(\"install\")"];
	"handler:configure" [shape=box, label="configure\n` + escapeDOT(r, "configure") + `"];
	"handler:say \"hi\"" [shape=box, label="say \"hi\"\nWhenAny(\"app.configured\", \"app.installed\")"];
	"flag:app.installed" -> "handler:configure";
	"flag:app.configured" -> "handler:configure";
	"flag:app.configured" -> "handler:say \"hi\"";
	"flag:app.installed" -> "handler:say \"hi\"";
}
`
	assert.Equal(t, want, out.String())
	assert.Equal(t, want, reactive.GraphDOT(r))
}

// escapeDOT returns a handler's condition as GraphDOT escapes it.
func escapeDOT(r *reactive.Registry, name string) string {
	c, _ := r.Condition(name)
	return strings.ReplaceAll(c.String(), `"`, `\"`)
}

// Ensure that {role:interface} hook patterns read metadata.yaml from the
// charm directory named by the environment, and that a missing
// metadata.yaml is a clear error.
func TestRunCLI_HookPatternsFromMetadata(t *testing.T) {
	charm := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(charm, "metadata.yaml"), []byte(
		"name: x\nrequires:\n  db1: {interface: mysql}\n  db2: {interface: postgres}\nprovides:\n  db3: {interface: mysql}\n"), 0o600))
	s, _ := newCLIStore(t)
	setKeys(t, s, phase("hooks"))
	tests := []struct {
		charmDir, hook, pattern string
		code                    int
		errSubstr               string
	}{
		{charm, "db1-relation-changed", "{requires:mysql}-relation-changed", 0, ""},
		{charm, "db3-relation-changed", "{requires:mysql}-relation-changed", 1, ""},
		{charm, "db3-relation-changed", "{provides:mysql}-relation-{joined,changed}", 0, ""},
		{charm, "db1-relation-changed", "{requires:http}-relation-changed", 1, ""},
		{t.TempDir(), "db1-relation-changed", "{requires:mysql}-relation-changed", 1, "metadata"},
	}
	for _, tc := range tests {
		env := map[string]string{"JUJU_CHARM_DIR": tc.charmDir, "JUJU_HOOK_NAME": tc.hook}
		r := runCLI(t, s, env, "hook", tc.pattern)
		assert.Equal(t, tc.code, r.code, "%s in %s: %s", tc.pattern, tc.hook, r.stderr)
		if tc.errSubstr != "" {
			assert.Contains(t, r.stderr, tc.errSubstr)
		}
	}
	// CHARM_DIR is the fallback, as charm-helpers' charm_dir().
	r := runCLI(t, s, map[string]string{"CHARM_DIR": charm, "JUJU_HOOK_NAME": "db1-relation-joined"}, "any_hook", "{requires:mysql}-relation-joined")
	assert.Equal(t, 0, r.code, r.stderr)
}

// Ensure that relative file names are read from the caller's working
// directory and keyed as given, also when the command goes through the
// in-hook channel.
func TestRunCLI_RelativeFiles(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "rel.txt"), []byte("x"), 0o600))
	t.Chdir(dir)

	s, _ := newCLIStore(t)
	assert.Equal(t, 0, runCLI(t, s, nil, "when_file_changed", "rel.txt").code)
	v, ok := storedRaw(t, s, flags.FilesChangedPrefix+"rel.txt")
	require.True(t, ok)
	assert.Equal(t, `"9dd4e461268c8034f5c8564e155c67a6"`, v)

	s2, _ := newCLIStore(t)
	hs := startHookServer(t, s2, reactive.ServeOptions{})
	assert.Equal(t, 0, hs.client(t, "when_file_changed", "rel.txt").code)
	assert.Equal(t, 1, hs.client(t, "when_file_changed", "rel.txt").code)
	assert.Equal(t, 1, hs.client(t, "when_file_changed", "missing.txt").code)
	hs.srv.Sync()
	v, ok = hs.tx.GetRaw(flags.FilesChangedPrefix + "rel.txt")
	require.True(t, ok)
	assert.Equal(t, `"9dd4e461268c8034f5c8564e155c67a6"`, v)
}
