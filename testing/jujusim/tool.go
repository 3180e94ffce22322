package jujusim

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/charmkit/charmkit/testing/fakejuju"
)

// ToolNames returns the names of the fake hook tools, sorted: every tool
// the fake Juju serves. Each unit's tools directory holds a link to the
// tool binary under each name.
func ToolNames() []string { return fakejuju.ToolNames() }

var (
	buildOnce sync.Once
	builtTool string
	buildErr  error
)

// BuildTool builds the fake hook-tool binary once per process (with
// CGO_ENABLED=0) into a temporary directory and returns its path. The Go
// build cache decides what to recompile, so the binary always matches the
// sources of every package it is built from. It needs the Go toolchain and
// this module's sources.
func BuildTool() (string, error) {
	buildOnce.Do(func() {
		_, self, _, ok := runtime.Caller(0)
		if !ok {
			buildErr = fmt.Errorf("jujusim: building fake tools: cannot locate jujusim sources")
			return
		}
		dir, err := os.MkdirTemp("", "jujusim-tool-")
		if err != nil {
			buildErr = fmt.Errorf("jujusim: building fake tools: %w", err)
			return
		}
		builtTool = filepath.Join(dir, "jujusim-tool")
		buildErr = buildBinary(filepath.Join(filepath.Dir(self), "internal", "faketool"), builtTool)
	})
	return builtTool, buildErr
}

// buildBinary builds the main package in dir into out with `go build`, so
// that the build cache, not a hash of some of the sources, decides whether
// anything changed.
func buildBinary(dir, out string) error {
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("jujusim: building %s: %w: %s", dir, err, b)
	}
	return nil
}
