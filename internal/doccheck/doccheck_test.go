package doccheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// pendingRewrite lists directories the repository check skips while they are
// rewritten; it is empty, and should stay so.
var pendingRewrite []string

// Ensure that no tracked file of this repository cites a document or section
// that the repository does not have.
func TestRepository(t *testing.T) {
	root, err := ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	problems, err := Check(root, pendingRewrite)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		var b strings.Builder
		for _, p := range problems {
			b.WriteString("\n\t" + p.String())
		}
		t.Errorf("%d references point at documents or sections that are not in the repository "+
			"(explain the point in place, or link to a heading of docs/design.md):%s", len(problems), b.String())
	}
}

// The outside references, assembled so that this file does not cite them.
var (
	sharedDir  = "../" + "shared/spec"
	specFile   = "spec/" + "reactive.md"
	section    = "\u00a7" + "3.2"
	designNum  = "DESIGN" + " 2"
	decisionDn = "decision" + " D7"
)

// Ensure the checker reports what points nowhere and nothing else, on small
// fixture trees.
func TestCheck(t *testing.T) {
	heading := "# Design\n\n## Decision 2: a hook is a transaction\n\n## Upstream test catalogue → Go tests\n\n### Tracing\n\n### Tracing\n"
	tests := []struct {
		name  string
		files map[string]string
		skip  []string
		want  []string // one substring per expected problem, in order
	}{
		{name: "shared directory cited", files: map[string]string{"README.md": "See " + sharedDir + ".\n"},
			want: []string{"README.md:1: cites \"../" + "shared\""}},
		{name: "spec file cited in a Go comment", files: map[string]string{"a.go": "package a\n\n// x follows " + specFile + ".\nvar x int\n"},
			want: []string{"a.go:3: cites \"" + specFile + "\""}},
		{name: "section sign", files: map[string]string{"docs/a.md": "# A\n\nAs in " + section + ".\n"},
			want: []string{"docs/a.md:3: cites"}},
		{name: "numbered design decision", files: map[string]string{"a.go": "package a // " + designNum + "\n"},
			want: []string{"a.go:1: cites \"" + designNum + "\""}},
		{name: "decision Dn", files: map[string]string{"README.md": "x\n\ny (" + decisionDn + ")\n"},
			want: []string{"README.md:3: cites \"" + decisionDn + "\""}},
		{name: "good links pass", files: map[string]string{
			"README.md":      "[d](docs/design.md#decision-2-a-hook-is-a-transaction), [c](docs/design.md#upstream-test-catalogue--go-tests), [t](docs/design.md#tracing-1), [dir](docs/), [top](#top)\n\n# Top\n",
			"docs/design.md": heading,
			"docs/other.md":  "[back](../README.md#top) [d](design.md#design) ![img](design.md)\n",
		}},
		{name: "bad anchor", files: map[string]string{"README.md": "[d](docs/design.md#decision-2)\n", "docs/design.md": heading},
			want: []string{"README.md:1: link \"docs/design.md#decision-2\": no heading of docs/design.md has the anchor #decision-2"}},
		{name: "bad anchor in the same file", files: map[string]string{"README.md": "# Title\n\n[t](#titel)\n"},
			want: []string{"README.md:3: link \"#titel\""}},
		{name: "missing file", files: map[string]string{"docs/a.md": "[x](b.md) and [y](../c/d.go)\n"},
			want: []string{"docs/a.md:1: link \"b.md\": docs/b.md is not in the repository", "docs/a.md:1: link \"../c/d.go\": c/d.go is not"}},
		{name: "link outside the repository", files: map[string]string{"docs/a.md": "[x](../../x.md)\n"},
			want: []string{"points outside the repository"}},
		{name: "code and URLs are not links", files: map[string]string{"README.md": "```\n[x](nope.md)\n```\n`[y](nope.md)` [z](https://example.com/nope.md) [m](mailto:a@b.c)\n"}},
		{name: "Go comment: good references", files: map[string]string{"docs/design.md": heading, "a.go": "package a\n\n// See docs/design.md, \"Decision 2\", docs/design.md#tracing and\n// docs/design.md,\n// \"Upstream test catalogue → Go tests\", (docs/design.md, \"Decision\n// 2: a hook is a transaction\").\nvar x = \"docs/nope.md\"\n"}},
		{name: "Go comment: a heading name is the whole text or the part before a colon", files: map[string]string{"docs/design.md": heading, "a.go": "package a\n\n// docs/design.md, \"Decision\"\n// docs/design.md, \"a hook is a transaction\"\n"},
			want: []string{"a.go:3: comment cites docs/design.md, \"Decision\"", "a.go:4: comment cites docs/design.md, \"a hook is a transaction\""}},
		{name: "Go comment: missing file, anchor and heading", files: map[string]string{"docs/design.md": heading, "a.go": "package a\n\n/* docs/nope.md */\n// docs/design.md#nope.\n// (docs/design.md,\n// \"Decision 3\")\nvar x int\n"},
			want: []string{"a.go:3: comment cites docs/nope.md", "a.go:4: comment cites docs/design.md#nope:", "a.go:5: comment cites docs/design.md, \"Decision 3\""}},
		{name: "skipped directories are not checked but are link targets", skip: []string{"pending/"}, files: map[string]string{
			"pending/x.go":   "package x // " + specFile + "\n",
			"pending/doc.md": "# Pending\n[x](nope.md)\n",
			"README.md":      "[p](pending/doc.md#pending)\n",
		}},
		{name: "binary files are not read", files: map[string]string{"a.db": "\x00" + section + sharedDir}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, tc.files)
			got, err := Check(dir, tc.skip)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("Check: got %d problems %q, want %d %q", len(got), got, len(tc.want), tc.want)
			}
			for i, p := range got {
				if !strings.Contains(p.String(), tc.want[i]) {
					t.Errorf("problem %d: got %q, want it to contain %q", i, p.String(), tc.want[i])
				}
			}
		})
	}
}

// Ensure that in a git work tree only tracked files are checked and count
// as link targets.
func TestCheck_GitTrackedOnly(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"README.md":         "[t](docs/tracked.md) [u](docs/untracked.md)\n",
		"docs/tracked.md":   "# Tracked\n",
		"docs/untracked.md": "# Untracked\n\nSee " + sharedDir + ".\n",
	})
	for _, args := range [][]string{{"init", "-q"}, {"add", "README.md", "docs/tracked.md"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", args, err, out)
		}
	}
	got, err := Check(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !strings.Contains(got[0].String(), "README.md:1: link \"docs/untracked.md\": docs/untracked.md is not in the repository") {
		t.Errorf("Check: got %q, want one problem for the link to the untracked file", got)
	}
}

// Ensure GitHub's anchor rule.
func TestAnchor(t *testing.T) {
	for _, tc := range []struct{ heading, want string }{
		{"Decision 2: a hook is a transaction", "decision-2-a-hook-is-a-transaction"},
		{"Upstream test catalogue → Go tests", "upstream-test-catalogue--go-tests"},
		{"Inside a hook: the channel to the hook's transaction", "inside-a-hook-the-channel-to-the-hooks-transaction"},
		{"External (bash) handlers", "external-bash-handlers"},
		{"flags: persistent_flags and unit state", "flags-persistent_flags-and-unit-state"},
		{"Ünïcode Straße 2.0", "ünïcode-straße-20"},
	} {
		if got := Anchor(tc.heading); got != tc.want {
			t.Errorf("Anchor(%q) = %q, want %q", tc.heading, got, tc.want)
		}
	}
}

// Ensure headings are read as GitHub renders them: markup removed, code
// blocks ignored, repeated anchors numbered.
func TestParseHeadings(t *testing.T) {
	got := parseHeadings("# `flags`: the *store*\n```\n# not a heading\n```\n## [Link](x.md) text ##\n#NoSpace\n## A\n## A\n")
	want := []heading{
		{"flags: the store", "flags-the-store"},
		{"Link text", "link-text"},
		{"A", "a"},
		{"A", "a-1"},
	}
	if len(got) != len(want) {
		t.Fatalf("parseHeadings: got %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("heading %d: got %q, want %q", i, got[i], want[i])
		}
	}
}

// Ensure the module root is found from a subdirectory.
func TestModuleRoot(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"go.mod": "module x\n", "a/b/c.go": "package b\n"})
	got, err := ModuleRoot(filepath.Join(dir, "a", "b"))
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := filepath.EvalSymlinks(dir); got != dir && got != want {
		t.Errorf("ModuleRoot = %q, want %q", got, dir)
	}
}

func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
