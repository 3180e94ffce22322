package reactive

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/flags"
)

// Ensure pyExt is Python's os.path.splitext(name)[1] on a base name.
func TestPyExt(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"handler.sh", ".sh"},
		{"handler", ""},
		{".hidden", ""},
		{"..sh", ""},
		{".hidden.sh", ".sh"},
		{"x.tar.sh", ".sh"},
		{"README.md", ".md"},
		{"mod.pyc", ".pyc"},
		{"trailing.", "."},
		{"", ""},
	} {
		assert.Equal(t, tc.want, pyExt(tc.in), "pyExt(%q)", tc.in)
	}
}

// Ensure REACTIVE_LOG_OPTS is read as charms.reactive reads it: a
// comma-separated list in which "register" must appear exactly.
func TestLogOptsRegister(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"", false},
		{"register", true},
		{"trace,register", true},
		{"register,", true},
		{" register", false},
		{"registered", false},
		{"REGISTER", false},
	} {
		got := logOptsRegister(func(k string) string {
			if k == LogOptsEnv {
				return tc.in
			}
			return ""
		})
		assert.Equal(t, tc.want, got, "REACTIVE_LOG_OPTS=%q", tc.in)
	}
}

// Ensure prependPath puts the directory first on the child's PATH (the last
// PATH entry, which os/exec keeps), or makes it the PATH when there is none.
func TestPrependPath(t *testing.T) {
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{[]string{"A=1"}, "PATH=/d"},
		{[]string{"PATH=/usr/bin:/bin"}, "PATH=/d:/usr/bin:/bin"},
		{[]string{"PATH=/old", "PATH=/new"}, "PATH=/d:/new"},
		{[]string{"PATH="}, "PATH=/d"},
	} {
		got := prependPath(tc.env, "/d")
		assert.Equal(t, tc.want, got[len(got)-1], "%q", tc.env)
	}
}

// Ensure that Main hands a command line to the charms.reactive command,
// with its environment: set_flag commits to the store UNIT_STATE_DB names.
func TestRunMain_CommandLine(t *testing.T) {
	db := filepath.Join(t.TempDir(), "state.db")
	getenv := func(k string) string {
		if k == "UNIT_STATE_DB" {
			return db
		}
		return ""
	}
	var stderr bytes.Buffer
	code := runMain(context.Background(), NewRegistry(), []string{"dispatch", "set_flag", "from.main"}, getenv, func(string, string) error { return nil }, &stderr)
	require.Equal(t, 0, code, stderr.String())
	s, err := flags.Open(db, nil)
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.View(context.Background(), func(tx *flags.Tx) error {
		assert.True(t, flags.New(tx).IsSet("from.main"))
		return nil
	}))
}
