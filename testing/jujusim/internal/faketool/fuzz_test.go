package main

import (
	"strings"
	"testing"
)

// FuzzTools runs every tool with arbitrary arguments: it must never panic,
// must exit 0, 1 or 2, and must print one "ERROR ..." line when it fails.
func FuzzTools(f *testing.F) {
	for _, seed := range []string{
		"is-leader --format=json", "leader-get -", "leader-set a=1 b=", "config-get --all k",
		"status-set active msg extra", "juju-log -l -- x", "relation-get -r 1:2 - app/0",
		"relation-set --file - k=v", "leader-get --format", "status-get --application",
	} {
		f.Add(seed)
	}
	m := newFakeModel(f, setup{leader: "app/0", settings: map[string]string{"a": "1"}})
	env := m.open(f, "app/0", "fuzz")
	names := toolNames()
	cwd := f.TempDir()
	f.Fuzz(func(t *testing.T, line string) {
		fields := strings.Split(line, " ")
		for _, a := range fields {
			if strings.HasPrefix(a, "-o") || strings.HasPrefix(a, "--output") {
				return // -o writes files anywhere; TestTools_OutputFileAndFault covers it
			}
		}
		tool := fields[0]
		found := false
		for _, n := range names {
			found = found || n == tool
		}
		if !found {
			tool = names[len(line)%len(names)]
		}
		r := call(t, env, cwd, tool, fields[1:]...)
		switch r.code {
		case 0:
		case 1, 2:
			if !strings.HasPrefix(r.stderr, "ERROR ") || !strings.HasSuffix(r.stderr, "\n") {
				t.Fatalf("%s %q: exit %d with stderr %q", tool, fields[1:], r.code, r.stderr)
			}
		default:
			t.Fatalf("%s %q: exit %d", tool, fields[1:], r.code)
		}
	})
}
