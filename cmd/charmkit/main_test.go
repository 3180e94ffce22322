package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// update rewrites the golden files: go test ./cmd/charmkit -run Graph -update
var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// charmkitBin is the command, built once by TestMain.
var charmkitBin string

// repoRoot is the root of the charmkit module.
var repoRoot string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "charmkit-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	charmkitBin = filepath.Join(dir, "charmkit")
	build := exec.Command("go", "build", "-o", charmkitBin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building charmkit:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	if repoRoot, err = filepath.Abs("../.."); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what a run of the command left.
type result struct {
	code           int
	stdout, stderr string
}

// charmkit runs the command in dir with args. The go command it runs works
// offline and never changes go.mod.
func charmkit(tb testing.TB, dir string, args ...string) result {
	tb.Helper()
	return runIn(tb, dir, charmkitBin, args...)
}

func runIn(tb testing.TB, dir, bin string, args ...string) result {
	tb.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=readonly")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		require.True(tb, ok, "running %s %q: %v", bin, args, err)
		code = ee.ExitCode()
	}
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// Ensure that help lists every subcommand, that each has a usage, that -h
// works everywhere, and that an unknown subcommand fails with exit 2 and
// the usage.
func TestHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		r := charmkit(t, ".", args...)
		assert.Equal(t, 0, r.code, args)
		for _, c := range []string{"init", "pack", "vet", "graph", "help", "-vettool=$(which charmkit)"} {
			assert.Contains(t, r.stdout, c, args)
		}
	}
	for _, c := range []string{"init", "pack", "vet", "graph"} {
		r := charmkit(t, ".", "help", c)
		assert.Equal(t, 0, r.code, c)
		assert.True(t, strings.HasPrefix(r.stdout, "usage: charmkit "+c), r.stdout)

		r = charmkit(t, ".", c, "-h")
		assert.Equal(t, 0, r.code, c)
		assert.True(t, strings.HasPrefix(r.stderr, "usage: charmkit "+c), r.stderr)

		r = charmkit(t, ".", c, "-no-such-flag")
		assert.Equal(t, 2, r.code, c)
		assert.Contains(t, r.stderr, "flag provided but not defined: -no-such-flag")
	}

	r := charmkit(t, ".", "frobnicate")
	assert.Equal(t, 2, r.code)
	assert.True(t, strings.HasPrefix(r.stderr, "charmkit: unknown command \"frobnicate\"\n\ncharmkit is the tool"), r.stderr)
	assert.Contains(t, r.stderr, "The commands are:")
	assert.Empty(t, r.stdout)

	r = charmkit(t, ".")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "Usage:")

	r = charmkit(t, ".", "help", "frobnicate")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "unknown help topic")
}
