package jujusim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// Start is [New] for tests: the model lives in tb.TempDir() unless
// opts.Dir is set, it is closed when the test ends, and an error fails the
// test at once.
func Start(tb testing.TB, opts Options) *Model {
	tb.Helper()
	if opts.Dir == "" {
		opts.Dir = tb.TempDir()
	}
	m, err := New(opts)
	if err != nil {
		tb.Fatalf("starting the model: %v", err)
	}
	tb.Cleanup(func() {
		if err := m.Close(); err != nil {
			tb.Errorf("closing the model: %v", err)
		}
	})
	return m
}

var charmBuilds sync.Map // package path -> *charmBuild

type charmBuild struct {
	once sync.Once
	path string
	err  error
}

// BuildCharm compiles the Go charm package pkg (an import path, or a
// directory such as "./cmd/mycharm", resolved from the test's working
// directory) as Juju will run it, a static binary built with
// CGO_ENABLED=0, and returns the binary's path for [Options.Dispatch]. It
// builds once per test process and package; the binary is kept in the
// system temp directory, overwritten by the next build of the same package.
func BuildCharm(tb testing.TB, pkg string) string {
	tb.Helper()
	v, _ := charmBuilds.LoadOrStore(pkg, &charmBuild{})
	b := v.(*charmBuild)
	b.once.Do(func() { b.path, b.err = buildCharm(pkg) })
	if b.err != nil {
		tb.Fatalf("%v", b.err)
	}
	return b.path
}

func buildCharm(pkg string) (string, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("building charm %s: %w", pkg, err)
	}
	sum := sha256.Sum256([]byte(cwd + "\x00" + pkg))
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("jujusim-charm-%d-%s", os.Getuid(), hex.EncodeToString(sum[:8])))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("building charm %s: %w", pkg, err)
	}
	out := filepath.Join(dir, "dispatch")
	tmp := fmt.Sprintf("%s.%d.tmp", out, os.Getpid())
	cmd := exec.Command("go", "build", "-o", tmp, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("building charm %s: %w: %s", pkg, err, b)
	}
	if err := os.Rename(tmp, out); err != nil {
		return "", fmt.Errorf("building charm %s: %w", pkg, err)
	}
	return out, nil
}
