package reactive_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/reactive"
)

// hookServer is a ServeCLI server on a hook's open transaction.
type hookServer struct {
	sock    string
	tx      *flags.Tx
	fl      *flags.Flags
	srv     *reactive.CLIServer
	changes []string // OnChange notifications, as "+flag" / "-flag"
	stop    func()   // stops the server and waits for it
}

// startHookServer begins a transaction on s, as a hook does, and serves
// the CLI channel on a unix socket in a temporary directory.
func startHookServer(tb testing.TB, s *flags.Store, opts reactive.ServeOptions) *hookServer {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	tx, err := s.Begin(ctx)
	require.NoError(tb, err)
	hs := &hookServer{tx: tx, fl: flags.New(tx)}
	hs.fl.OnChange = func(f string, set bool) {
		if set {
			hs.changes = append(hs.changes, "+"+f)
		} else {
			hs.changes = append(hs.changes, "-"+f)
		}
	}
	dir, err := os.MkdirTemp("", "cli") // short: unix socket paths are limited
	require.NoError(tb, err)
	tb.Cleanup(func() { os.RemoveAll(dir) })
	hs.sock = filepath.Join(dir, "s")
	l, err := net.Listen("unix", hs.sock)
	require.NoError(tb, err)
	done := make(chan error, 1)
	hs.srv = reactive.NewCLIServer(hs.fl, opts)
	go func() { done <- hs.srv.Serve(ctx, l) }()
	stopped := false
	hs.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			require.NoError(tb, err)
		case <-time.After(10 * time.Second):
			tb.Fatal("ServeCLI did not return after its context was cancelled")
		}
	}
	tb.Cleanup(func() {
		hs.stop()
		tx.Rollback()
	})
	return hs
}

// client runs RunCLI as a child of the hook would: no store, the socket in
// the environment.
func (hs *hookServer) client(tb testing.TB, args ...string) cliResult {
	tb.Helper()
	var out, errb bytes.Buffer
	hs.srv.Sync()
	defer hs.srv.Sync()
	code := reactive.RunCLI(context.Background(), args, reactive.CLIOptions{
		Stdout: &out, Stderr: &errb,
		Getenv: envMap(map[string]string{reactive.CLISocketEnv: hs.sock}),
	})
	return cliResult{code, out.String(), errb.String()}
}

// Ensure that, inside a hook, commands reach the hook's open transaction
// through the socket: the child sees uncommitted state, its changes go
// through the hook's flag set (watch and triggers) and are rolled back
// with the hook.
func TestServeCLI_InProcess(t *testing.T) {
	s, _ := newCLIStore(t)
	mustRun(t, s, nil, "set_flag", "committed")
	hs := startHookServer(t, s, reactive.ServeOptions{Hook: "install"})

	// State the hook made and did not commit.
	require.NoError(t, hs.tx.Set(reactive.PhaseKey, "hooks"))
	require.NoError(t, hs.fl.Set("uncommitted"))
	require.NoError(t, hs.fl.RegisterTrigger(flags.Trigger{When: "db.ready", SetFlag: "app.configured"}))
	hs.changes = nil

	steps := []struct {
		args   []string
		code   int
		stdout string
	}{
		{args: []string{"get_flags"}, stdout: "committed\nuncommitted"},
		{args: []string{"set_flag", "db.ready"}},
		{args: []string{"-j", "get_flags"}, stdout: `["app.configured", "committed", "db.ready", "uncommitted"]`},
		{args: []string{"hook", "install"}},
		{args: []string{"hook", "start"}, code: 1},
		{args: []string{"when", "db.ready"}, code: 1}, // hooks phase
		{args: []string{"toggle_flag", "committed", ""}},
		{args: []string{"is_flag_set", "committed"}, code: 1},
		{args: []string{"frobnicate"}, code: 2},
		{args: []string{"test", "'h' 'id' 'hook' 'install'"}, stdout: "h"},
	}
	for _, st := range steps {
		r := hs.client(t, st.args...)
		assert.Equal(t, st.code, r.code, "%q: stderr %q", st.args, r.stderr)
		assert.Equal(t, st.stdout, r.stdout, "%q", st.args)
	}
	assert.Equal(t, []string{"+db.ready", "+app.configured", "-committed"}, hs.changes, "changes went through the hook's flag set")
	assert.Equal(t, []string{"app.configured", "db.ready", "uncommitted"}, hs.fl.List())

	r := hs.client(t, "frobnicate")
	assert.Contains(t, r.stderr, "invalid choice: 'frobnicate'")

	// The hook fails: nothing the child did persists.
	hs.stop()
	require.NoError(t, hs.tx.Rollback())
	assert.Equal(t, []string{"committed"}, storedFlags(t, s))
}

// Ensure that the changes a child made are committed with the hook.
func TestServeCLI_CommitWithHook(t *testing.T) {
	s, _ := newCLIStore(t)
	hs := startHookServer(t, s, reactive.ServeOptions{})
	r := hs.client(t, "set_flag", "from.bash", "--value", "v")
	require.Equal(t, 0, r.code, r.stderr)
	hs.stop()
	require.NoError(t, hs.tx.Commit(context.Background()))
	v, ok := storedRaw(t, s, flags.FlagPrefix+"from.bash")
	require.True(t, ok)
	assert.Equal(t, `"v"`, v)
}

// Ensure that a client with no server behind the socket fails clearly.
func TestRunCLI_NoServer(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "nobody")
	var out, errb bytes.Buffer
	code := reactive.RunCLI(context.Background(), []string{"get_flags"}, reactive.CLIOptions{
		Stdout: &out, Stderr: &errb, Getenv: envMap(map[string]string{reactive.CLISocketEnv: sock}),
	})
	assert.Equal(t, 1, code)
	assert.Contains(t, errb.String(), "cannot reach the hook process at CHARMKIT_CLI_SOCKET=")
	assert.Empty(t, out.String())
	// Usage errors are found without the server.
	errb.Reset()
	code = reactive.RunCLI(context.Background(), []string{"nope"}, reactive.CLIOptions{
		Stdout: &out, Stderr: &errb, Getenv: envMap(map[string]string{reactive.CLISocketEnv: sock}),
	})
	assert.Equal(t, 2, code)
	assert.Contains(t, errb.String(), "usage: charms.reactive")
}

// Ensure that the server answers several requests on one connection,
// rejects a malformed line without applying anything, and applies
// concurrent clients one at a time.
func TestServeCLI_Wire(t *testing.T) {
	s, _ := newCLIStore(t)
	hs := startHookServer(t, s, reactive.ServeOptions{})
	c, err := net.Dial("unix", hs.sock)
	require.NoError(t, err)
	defer c.Close()
	dec := json.NewDecoder(c)
	type reply struct {
		Stdout, Stderr []byte
		Code           int
	}
	send := func(line string) reply {
		t.Helper()
		_, err := c.Write([]byte(line + "\n"))
		require.NoError(t, err)
		var r reply
		require.NoError(t, dec.Decode(&r))
		return r
	}
	r := send(`{"args": ["set_flag", "a"], "cwd": "/"}`)
	assert.Equal(t, 0, r.Code)
	r = send(`{"args": ["get_flags"]}`)
	assert.Equal(t, "a", string(r.Stdout))
	r = send(`not json`)
	assert.Equal(t, 1, r.Code)
	assert.Contains(t, string(r.Stderr), "bad request")
	r = send(`{"args": []}`)
	assert.Equal(t, 2, r.Code)

	// Concurrent clients: every set lands, none is lost.
	const n = 8
	errs := make(chan cliResult, n)
	for i := range n {
		go func() { errs <- hs.client(t, "set_flag", "f"+string(rune('0'+i))) }()
	}
	for range n {
		r := <-errs
		assert.Equal(t, 0, r.code, r.stderr)
	}
	hs.srv.Sync()
	assert.Len(t, hs.fl.List(), n+1)
}

// Ensure that ServeCLI returns when its listener is closed, and rejects a
// nil flag set.
func TestServeCLI_Stops(t *testing.T) {
	l, err := net.Listen("unix", filepath.Join(shortTempDir(t), "s"))
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		done <- reactive.ServeCLI(context.Background(), l, flags.New(mustBegin(t)), reactive.ServeOptions{})
	}()
	require.NoError(t, l.Close())
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("ServeCLI did not return after its listener was closed")
	}
	assert.Error(t, reactive.ServeCLI(context.Background(), l, nil, reactive.ServeOptions{}))
}

func mustBegin(tb testing.TB) *flags.Tx {
	tb.Helper()
	tx, err := flags.OpenMemory().Begin(context.Background())
	require.NoError(tb, err)
	tb.Cleanup(func() { tx.Rollback() })
	return tx
}

func shortTempDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.MkdirTemp("", "cli")
	require.NoError(tb, err)
	tb.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// helperEnv marks the test binary re-executed as a charms.reactive child.
const helperEnv = "CHARMKIT_CLI_TEST_CHILD_ARGS"

// TestCLIChildProcess is not a test: it is the body of the child process
// that TestServeCLI_ChildProcess starts (the os/exec helper-process
// pattern). Run normally, it returns at once.
func TestCLIChildProcess(t *testing.T) {
	raw := os.Getenv(helperEnv)
	if raw == "" {
		return
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		os.Stderr.WriteString(err.Error())
		os.Exit(99)
	}
	os.Exit(reactive.RunCLI(context.Background(), args, reactive.CLIOptions{}))
}

// Ensure that a real child process (the test binary re-executed as the
// charms.reactive command) reaches the hook's transaction while the hook
// holds the SQLite write lock, with its exit code and output.
func TestServeCLI_ChildProcess(t *testing.T) {
	s, dbPath := newCLIStore(t)
	hs := startHookServer(t, s, reactive.ServeOptions{Hook: "config-changed"})
	require.NoError(t, hs.tx.Set(reactive.PhaseKey, "other"))
	require.NoError(t, hs.fl.Set("app.installed"))

	child := func(args ...string) cliResult {
		t.Helper()
		raw, err := json.Marshal(args)
		require.NoError(t, err)
		cmd := exec.Command(os.Args[0], "-test.run=^TestCLIChildProcess$")
		cmd.Env = append(os.Environ(),
			helperEnv+"="+string(raw),
			reactive.CLISocketEnv+"="+hs.sock,
			"UNIT_STATE_DB="+dbPath, // must not be opened: the hook holds its lock
		)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		return cliResult{exitCode(t, hs.srv.Run(cmd)), out.String(), errb.String()}
	}
	steps := []struct {
		args   []string
		code   int
		stdout string
	}{
		{args: []string{"when", "app.installed"}},
		{args: []string{"when_not", "app.installed"}, code: 1},
		{args: []string{"set_flag", "app.configured"}},
		{args: []string{"-y", "get_flags"}, stdout: "- app.configured\n- app.installed\n"},
		{args: []string{"test", "'cfg' 'x.sh:3:cfg' 'when' 'app.configured'"}, stdout: "cfg"},
		{args: []string{"set_flag"}, code: 2},
	}
	for _, st := range steps {
		r := child(st.args...)
		assert.Equal(t, st.code, r.code, "%q: stderr %q", st.args, r.stderr)
		assert.Equal(t, st.stdout, strings.TrimSuffix(r.stdout, "PASS\n"), "%q", st.args)
	}
	assert.True(t, hs.fl.IsSet("app.configured"), "the child's set is in the hook's transaction")
	hs.stop()
	require.NoError(t, hs.tx.Commit(context.Background()))
	assert.Equal(t, []string{"app.configured", "app.installed"}, storedFlags(t, s))
}

// Ensure that StartCLIServer serves a fresh socket until Close, which
// removes it, and that a closed server turns clients away.
func TestStartCLIServer(t *testing.T) {
	tx := mustBegin(t)
	fl := flags.New(tx)
	srv, err := reactive.StartCLIServer(context.Background(), fl, reactive.ServeOptions{})
	require.NoError(t, err)
	sock := srv.Path()
	require.NotEmpty(t, sock)
	run := func(args ...string) int {
		srv.Sync()
		defer srv.Sync()
		var out, errb bytes.Buffer
		return reactive.RunCLI(context.Background(), args, reactive.CLIOptions{
			Stdout: &out, Stderr: &errb, Getenv: envMap(map[string]string{reactive.CLISocketEnv: sock}),
		})
	}
	assert.Equal(t, 0, run("set_flag", "x"))
	assert.Equal(t, 0, run("is_flag_set", "x"))
	require.NoError(t, srv.Close())
	assert.True(t, fl.IsSet("x"))
	_, err = os.Stat(sock)
	assert.True(t, os.IsNotExist(err), "socket removed: %v", err)
	assert.Equal(t, 1, run("is_flag_set", "x"), "no server any more")
	assert.NoError(t, srv.Close(), "a second Close")

	_, err = reactive.StartCLIServer(context.Background(), nil, reactive.ServeOptions{})
	assert.Error(t, err)
	assert.Error(t, reactive.NewCLIServer(fl, reactive.ServeOptions{}).Close(), "not started")
}
