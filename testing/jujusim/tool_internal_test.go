package jujusim

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ensure that the tool binary is rebuilt when any package it is built from
// changes, not only its own: a change to a dependency shows in the next
// build.
func TestBuildBinary_FollowsDependencies(t *testing.T) {
	mod := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		p := filepath.Join(mod, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	}
	write("go.mod", "module example.com/tool\n\ngo 1.26\n")
	write("dep/dep.go", "package dep\n\nconst Version = \"one\"\n")
	write("cmd/tool/main.go", "package main\n\nimport \"example.com/tool/dep\"\n\nfunc main() { println(dep.Version) }\n")
	out := filepath.Join(t.TempDir(), "tool")
	runTool := func() string {
		t.Helper()
		b, err := exec.Command(out).CombinedOutput()
		require.NoError(t, err)
		return string(b)
	}
	require.NoError(t, buildBinary(filepath.Join(mod, "cmd", "tool"), out))
	assert.Equal(t, "one\n", runTool())
	write("dep/dep.go", "package dep\n\nconst Version = \"two\"\n")
	require.NoError(t, buildBinary(filepath.Join(mod, "cmd", "tool"), out))
	assert.Equal(t, "two\n", runTool(), "a changed dependency is built in")
}
