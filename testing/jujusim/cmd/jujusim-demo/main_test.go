package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/demo.golden")

var (
	passwordRE = regexp.MustCompile(`[A-Za-z0-9_-]{6}…`)
	wallRE     = regexp.MustCompile(`wall time [^\n]+`)
)

// Ensure that the demo builds the real password and password-client
// charms, runs the story to the end with its checks passing, and prints the
// golden timeline (the password and the wall time replaced).
func TestDemo(t *testing.T) {
	var stdout, stderr bytes.Buffer
	examples := filepath.Join("..", "..", "..", "..", "examples")
	code := run([]string{"-charm", filepath.Join(examples, "password-charm"), "-client", filepath.Join(examples, "password-client")}, &stdout, &stderr)
	require.Equal(t, 0, code, "stderr: %s\nstdout: %s", stderr.String(), stdout.String())
	out := stdout.String()
	assert.Contains(t, out, "passwords generated: 1\n")
	assert.Contains(t, out, "credentials published (relation-set --app): 1\n")
	assert.Contains(t, out, "leadership guarantees overlapping: false\n")
	assert.Contains(t, out, "server-relation-departed (password/2)", "relation hooks name their remote unit")
	got := wallRE.ReplaceAllString(passwordRE.ReplaceAllString(out, "PASSWD…"), "wall time X")
	path := filepath.Join("testdata", "demo.golden")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), got, "the demo's timeline changed (go test -update rewrites %s)", path)
}

// Ensure that bad command lines are refused with exit 2.
func TestDemo_Usage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-units", "1"}, "-units must be at least 2"},
		{[]string{"-nope"}, "flag provided but not defined: -nope"},
	}
	for _, tc := range tests {
		var stdout, stderr bytes.Buffer
		assert.Equal(t, 2, run(tc.args, &stdout, &stderr), "%q", tc.args)
		assert.Contains(t, stderr.String(), tc.want, "%q", tc.args)
	}
}

// Ensure that a missing charm directory is a clear error (exit 1).
func TestDemo_NoCharm(t *testing.T) {
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 1, run([]string{"-charm", t.TempDir()}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "jujusim-demo: reading the charm: ")
}
