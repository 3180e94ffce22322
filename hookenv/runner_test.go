package hookenv_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/hookenv"
)

func TestExecRunnerPATH(t *testing.T) {
	f := newFake(t, "tools/is-leader/true.txt")
	// Without Dir the tool is found on PATH.
	r := f.Runner.(hookenv.ExecRunner)
	r.Dir = ""
	t.Setenv("PATH", f.Dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	r.Env = append(r.Env, "PATH="+os.Getenv("PATH"))
	out, err := r.Run(t.Context(), "is-leader", []string{"--format=json"}, nil)
	require.NoError(t, err)
	assert.Equal(t, "true\n", string(out))
}

func TestExecRunnerNotFound(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	for _, r := range []hookenv.ExecRunner{{}, {Dir: t.TempDir()}} {
		_, err := r.Run(t.Context(), "leader-get", []string{"--format=json", "-"}, nil)
		require.ErrorIs(t, err, hookenv.ErrToolNotFound, "Dir %q", r.Dir)
		assert.True(t, strings.HasPrefix(err.Error(), "hook tool not found: leader-get: "), err.Error())
		var te *hookenv.ToolError
		assert.False(t, errors.As(err, &te))
	}
}

func TestExecRunnerBadInput(t *testing.T) {
	for _, tc := range []struct {
		tool string
		args []string
		want string
	}{
		{"", nil, `invalid argument: bad hook tool name ""`},
		{"../is-leader", nil, `invalid argument: bad hook tool name "../is-leader"`},
		{"juju-log", []string{"-l", "a\x00b"}, `juju-log: invalid argument: argument 2 contains a NUL byte`}, // never the argument: a value
	} {
		_, err := hookenv.ExecRunner{Dir: t.TempDir()}.Run(t.Context(), tc.tool, tc.args, nil)
		require.ErrorIs(t, err, hookenv.ErrInvalidArgument)
		assert.Equal(t, tc.want, err.Error())
	}
}

func TestExecRunnerCanceled(t *testing.T) {
	dir := t.TempDir()
	script := "#!/bin/sh\nexec sleep 10\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "is-leader"), []byte(script), 0o755))
	if _, err := exec.LookPath("sleep"); err != nil {
		t.Fatalf("the test needs sleep: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := hookenv.ExecRunner{Dir: dir}.Run(ctx, "is-leader", nil, nil)
	require.ErrorIs(t, err, context.Canceled, "canceled before the start")

	ctx, cancel = context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err = hookenv.ExecRunner{Dir: dir}.Run(ctx, "is-leader", nil, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded, "killed while running")
	var te *hookenv.ToolError
	assert.False(t, errors.As(err, &te), "a killed tool did not answer: not a *ToolError")
}

func TestToolError(t *testing.T) {
	for _, tc := range []struct {
		tool, stderr string
		code         int
		msg, str     string
		notLeader    bool
	}{
		{"leader-set", "ERROR cannot write leadership settings: cannot write settings: not the leader\n", 1,
			"cannot write leadership settings: cannot write settings: not the leader",
			`leader-set k=…: exit status 1: cannot write leadership settings: cannot write settings: not the leader`, true},
		{"status-set", "ERROR this unit is not the leader\n", 1, "this unit is not the leader",
			`status-set k=…: exit status 1: this unit is not the leader`, true},
		{"relation-set", "ERROR cannot write relation settings\n", 1, "cannot write relation settings",
			`relation-set k=…: exit status 1: cannot write relation settings`, true},
		{"status-set", "ERROR cannot write relation settings\n", 1, "cannot write relation settings",
			`status-set k=…: exit status 1: cannot write relation settings`, false},
		{"leader-set", "ERROR cannot write leadership settings: cannot write settings: not the leader\n", 2,
			"cannot write leadership settings: cannot write settings: not the leader",
			`leader-set k=…: exit status 2: cannot write leadership settings: cannot write settings: not the leader`, false},
		{"x", "notice\nERROR first\r\nERROR last\r\n", 1, "last", `x k=…: exit status 1: last`, false},
		{"x", "  no error line \n", 1, "no error line", `x k=…: exit status 1: no error line`, false},
		{"x", "", 3, "", `x k=…: exit status 3`, false},
	} {
		err := hookenv.NewToolError(tc.tool, []string{"k=v"}, tc.code, tc.stderr)
		assert.Equal(t, tc.msg, err.Message, "stderr %q", tc.stderr)
		assert.Equal(t, tc.str, err.Error())
		assert.Equal(t, tc.notLeader, errors.Is(err, hookenv.ErrNotLeader), "%s %q is ErrNotLeader", tc.tool, tc.stderr)
		assert.Nil(t, err.Unwrap())
	}
}
