package jujusim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
)

// toolNames lists the hook tools the fake binary implements; each unit's
// tools directory holds a symlink to it under every one of these names.
var toolNames = []string{
	"action-fail", "action-get", "action-log", "action-set",
	"application-version-set", "config-get", "is-leader", "juju-log",
	"leader-get", "leader-set", "relation-get", "relation-ids",
	"relation-list", "relation-set", "status-get", "status-set",
}

// ToolNames returns the names of the fake hook tools, sorted.
func ToolNames() []string {
	out := append([]string(nil), toolNames...)
	sort.Strings(out)
	return out
}

var (
	buildOnce sync.Once
	builtTool string
	buildErr  error
)

// BuildTool builds the fake hook-tool binary once per process (with
// CGO_ENABLED=0) and returns its path. The binary is kept in the system temp
// directory, keyed by a hash of its sources, so later runs reuse it.
// It needs the Go toolchain and this module's sources.
func BuildTool() (string, error) {
	buildOnce.Do(func() { builtTool, buildErr = buildTool() })
	return builtTool, buildErr
}

func buildTool() (string, error) {
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		return "", fmt.Errorf("building fake tools: cannot locate jujusim sources")
	}
	base := filepath.Dir(self)
	src := filepath.Join(base, "internal", "faketool")
	h := sha256.New()
	for _, dir := range []string{src, filepath.Join(base, "internal", "modelfs")} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		sort.Strings(files)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return "", fmt.Errorf("building fake tools: %w", err)
			}
			fmt.Fprintf(h, "%s\x00%d\x00", filepath.Base(f), len(b))
			h.Write(b)
		}
	}
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("jujusim-tool-%d-%s", os.Getuid(), hex.EncodeToString(h.Sum(nil))[:16]))
	out := filepath.Join(dir, "jujusim-tool")
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("building fake tools: %w", err)
	}
	tmp := fmt.Sprintf("%s.%d.tmp", out, os.Getpid())
	cmd := exec.Command("go", "build", "-o", tmp, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building fake tools: %w: %s", err, b)
	}
	if err := os.Rename(tmp, out); err != nil {
		return "", fmt.Errorf("building fake tools: %w", err)
	}
	return out, nil
}
