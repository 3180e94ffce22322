package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/demo.golden")

var (
	fingerprintRE = regexp.MustCompile(`sha256:[0-9a-f]{8}`)
	secretIDRE    = regexp.MustCompile(`secret:[0-9a-v]{20}`)
	secretURIRE   = regexp.MustCompile(`secret://[0-9a-f-]{36}/[0-9a-v]{20}`)
	wallRE        = regexp.MustCompile(`wall time [^\n]+`)
	// A password of the charm: 32 random bytes, base64url (43 characters).
	clearPasswordRE = regexp.MustCompile(`[A-Za-z0-9_-]{43}`)
)

// normalize makes the demo's output the same every run: each password
// fingerprint becomes sha256:#1, #2, ... in order of first appearance (so
// the golden file still shows which files hold the same password), the
// secret's ID secret:ID (a URI with the model's UUID secret://UUID/ID),
// and the wall time X.
func normalize(out string) string {
	seen := map[string]string{}
	out = fingerprintRE.ReplaceAllStringFunc(out, func(fp string) string {
		if _, ok := seen[fp]; !ok {
			seen[fp] = fmt.Sprintf("sha256:#%d", len(seen)+1)
		}
		return seen[fp]
	})
	out = secretURIRE.ReplaceAllString(out, "secret://UUID/ID")
	return wallRE.ReplaceAllString(secretIDRE.ReplaceAllString(out, "secret:ID"), "wall time X")
}

// Ensure that the demo builds the real password and password-client
// charms, runs the story to the end with its checks passing (the last step
// rotates the password: every unit's file changes to the same new value,
// the old revision of the secret is removed), shows no password in clear,
// and prints the golden timeline (fingerprints, the secret's ID and the
// wall time normalized).
func TestDemo(t *testing.T) {
	var stdout, stderr bytes.Buffer
	examples := filepath.Join("..", "..", "..", "..", "examples")
	code := run([]string{"-charm", filepath.Join(examples, "password-charm"), "-client", filepath.Join(examples, "password-client")}, &stdout, &stderr)
	require.Equal(t, 0, code, "stderr: %s\nstdout: %s", stderr.String(), stdout.String())
	out := stdout.String()
	assert.Contains(t, out, "passwords generated: 1, rotated: 1 (revisions of the secret: 2)\n")
	assert.Contains(t, out, "credentials published (relation-set --app): 1\n")
	assert.Contains(t, out, "leadership guarantees overlapping: false\n")
	assert.Contains(t, out, "server-relation-departed (password/2)", "relation hooks name their remote unit")
	assert.Contains(t, out, "action rotate-password")
	assert.Contains(t, out, "action:   result=rotated\n")
	assert.Contains(t, out, "every unit's file changed to the same new value, the secret's latest (revision 2): true\n")
	assert.Contains(t, out, "old revision 1 removed (secret-remove by the leader): true\n")
	assert.NotRegexp(t, clearPasswordRE, out, "a password in clear")
	got := normalize(out)
	assert.Regexp(t, `password/1: +admin_password sha256:#1 -> sha256:#2\n +password/2: +admin_password sha256:#1 -> sha256:#2\n`, got,
		"both units' files go from the deploy's password to the rotated one")
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
