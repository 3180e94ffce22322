// Package doccheck finds references in the repository that point nowhere, so
// that the project keeps explaining itself in its own documents:
//
//   - mentions of design material that lives outside the repository (the
//     developers' shared directory, its spec files, numbered decisions of its
//     design file, "decision D<n>" citations, and section signs);
//   - relative Markdown links, in *.md files, whose file does not exist or
//     whose #anchor matches no heading of the target;
//   - docs/<file>.md references in Go comments whose file does not exist, or
//     whose #anchor or quoted heading name (docs/design.md, "Dispatch")
//     matches no heading.
//
// Anchors follow GitHub's rule ([Anchor]). A quoted heading name matches a
// heading with exactly that text, or one that starts with it followed by a
// colon, so "Decision 2" names "Decision 2: a hook is a transaction".
//
// The check runs as a test of this package (doccheck_test.go), and so as
// part of make test.
package doccheck

import (
	"bytes"
	"fmt"
	"go/scanner"
	"go/token"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Problem is one reference that points nowhere.
type Problem struct {
	File string // slash-separated, relative to the root
	Line int    // 1-based
	Msg  string
}

// String returns "file:line: message".
func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg) }

// ModuleRoot returns the nearest directory at or above dir that holds a
// go.mod file.
func ModuleRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("doccheck: no go.mod at or above %s", dir)
		}
		dir = parent
	}
}

// Check checks every file under root: the files git tracks when root is in a
// git work tree and git is installed, otherwise every file (skipping .git
// directories). Files under the skip prefixes (slash-separated directories
// relative to root) are not checked, but they still exist as link targets.
// Problems are sorted by file and line.
func Check(root string, skip []string) ([]Problem, error) {
	files, err := listFiles(root)
	if err != nil {
		return nil, err
	}
	c := &checker{root: root, files: map[string]bool{}, dirs: map[string]bool{}, headings: map[string][]heading{}}
	for _, f := range files {
		c.files[f] = true
		for d := path.Dir(f); d != "."; d = path.Dir(d) {
			c.dirs[d] = true
		}
	}
	for _, f := range files {
		if skipped(f, skip) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f)))
		if err != nil {
			return nil, err
		}
		if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
			continue // binary: databases, images
		}
		c.checkText(f, string(data))
		switch {
		case strings.HasSuffix(f, ".md"):
			c.checkMarkdown(f, string(data))
		case strings.HasSuffix(f, ".go"):
			c.checkGoComments(f, data)
		}
	}
	slices.SortFunc(c.problems, func(a, b Problem) int {
		if a.File != b.File {
			return strings.Compare(a.File, b.File)
		}
		return a.Line - b.Line
	})
	return c.problems, nil
}

func skipped(f string, skip []string) bool {
	for _, s := range skip {
		if strings.HasPrefix(f, strings.TrimSuffix(s, "/")+"/") {
			return true
		}
	}
	return false
}

// listFiles returns the slash-separated paths, relative to root, of the
// regular files to check.
func listFiles(root string) ([]string, error) {
	if out, err := exec.Command("git", "-C", root, "rev-parse", "--is-inside-work-tree").Output(); err == nil && strings.TrimSpace(string(out)) == "true" {
		out, err := exec.Command("git", "-C", root, "ls-files", "-z").Output()
		if err != nil {
			return nil, fmt.Errorf("doccheck: git ls-files: %w", err)
		}
		var files []string
		for _, f := range strings.Split(string(out), "\x00") {
			if f == "" {
				continue
			}
			// A file deleted but not yet committed is not there to check.
			if fi, err := os.Lstat(filepath.Join(root, filepath.FromSlash(f))); err == nil && fi.Mode().IsRegular() {
				files = append(files, f)
			}
		}
		return files, nil
	}
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	return files, err
}

type heading struct {
	text   string // the heading's text, inline markup removed
	anchor string
}

type checker struct {
	root     string
	files    map[string]bool
	dirs     map[string]bool
	headings map[string][]heading // by Markdown file, read on first use
	problems []Problem
}

func (c *checker) report(file string, line int, format string, args ...any) {
	c.problems = append(c.problems, Problem{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// outside lists references to documents that only the developers have. The
// patterns are written so that this file does not match them itself.
var outside = []struct {
	re   *regexp.Regexp
	what string
}{
	{regexp.MustCompile(`\.\./shared\b`), "the developers' shared directory"},
	{regexp.MustCompile(`\bspec/[A-Za-z0-9_-]+\.md\b`), "a spec file"},
	{regexp.MustCompile(`\bDESIGN(?:\.md\b| +[0-9]+)`), "the developers' design file"},
	{regexp.MustCompile(`(?i:\bdecision) +D[0-9]+\b`), "a decision of the developers' spec"},
	{regexp.MustCompile("\u00a7+ ?[0-9.]*"), "a numbered section of an outside document"},
}

// checkText reports, line by line, mentions of documents outside the
// repository.
func (c *checker) checkText(file, text string) {
	for i, line := range strings.Split(text, "\n") {
		for _, o := range outside {
			for _, m := range o.re.FindAllString(line, -1) {
				c.report(file, i+1, "cites %q (%s), which is not in the repository", strings.TrimRight(m, ". "), o.what)
			}
		}
	}
}

var (
	fenceRE  = regexp.MustCompile("^ {0,3}(```|~~~)")
	codeRE   = regexp.MustCompile("`+[^`]*`+")
	linkRE   = regexp.MustCompile(`!?\[[^\]]*\]\(\s*([^()\s]+)(?:\s+"[^"]*")?\s*\)`)
	schemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)
	atxRE    = regexp.MustCompile(`^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$`)
)

// checkMarkdown checks the relative links of a Markdown file, outside code
// blocks and code spans.
func (c *checker) checkMarkdown(file, text string) {
	inFence := false
	for i, line := range strings.Split(text, "\n") {
		if fenceRE.MatchString(line) {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		line = codeRE.ReplaceAllStringFunc(line, func(s string) string { return strings.Repeat(" ", len(s)) })
		for _, m := range linkRE.FindAllStringSubmatch(line, -1) {
			c.checkLink(file, i+1, m[1])
		}
	}
}

// checkLink checks one link target of a Markdown file.
func (c *checker) checkLink(file string, line int, target string) {
	if schemeRE.MatchString(target) || strings.HasPrefix(target, "//") {
		return // a URL
	}
	p, anchor, _ := strings.Cut(target, "#")
	if u, err := url.PathUnescape(p); err == nil {
		p = u
	}
	resolved := file
	if p != "" {
		if strings.HasPrefix(p, "/") {
			resolved = path.Clean(strings.TrimPrefix(p, "/"))
		} else {
			resolved = path.Join(path.Dir(file), p)
		}
		if resolved == ".." || strings.HasPrefix(resolved, "../") {
			c.report(file, line, "link %q points outside the repository", target)
			return
		}
		if !c.files[resolved] && !c.dirs[resolved] && resolved != "." {
			c.report(file, line, "link %q: %s is not in the repository", target, resolved)
			return
		}
	}
	if anchor != "" && strings.HasSuffix(resolved, ".md") && c.files[resolved] {
		if !c.hasAnchor(resolved, anchor) {
			c.report(file, line, "link %q: no heading of %s has the anchor #%s", target, resolved, anchor)
		}
	}
}

var (
	docRefRE  = regexp.MustCompile(`\bdocs/([A-Za-z0-9_.-]+\.md)(#[^\s"'(),;:]+)?(?:,\s*"([^"]{1,200})")?`)
	trailDots = regexp.MustCompile(`\.+$`)
)

// checkGoComments checks the docs/<file>.md references in a Go file's
// comments. Consecutive comment lines are read as one text, so a reference
// and its quoted heading name may be split across lines.
func (c *checker) checkGoComments(file string, src []byte) {
	var text strings.Builder
	var lines []int // lines[k] is the source line of text line k
	fset := token.NewFileSet()
	tf := fset.AddFile(file, -1, len(src))
	var s scanner.Scanner
	s.Init(tf, src, func(token.Position, string) {}, scanner.ScanComments)
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		if tok != token.COMMENT {
			continue
		}
		first := fset.Position(pos).Line
		body := strings.TrimPrefix(lit, "//")
		if strings.HasPrefix(lit, "/*") {
			body = strings.TrimSuffix(strings.TrimPrefix(lit, "/*"), "*/")
		}
		for k, l := range strings.Split(body, "\n") {
			text.WriteString(l)
			text.WriteByte('\n')
			lines = append(lines, first+k)
		}
	}
	t := text.String()
	for _, m := range docRefRE.FindAllStringSubmatchIndex(t, -1) {
		line := lines[strings.Count(t[:m[0]], "\n")]
		doc := "docs/" + t[m[2]:m[3]]
		if !c.files[doc] {
			c.report(file, line, "comment cites %s, which is not in the repository", doc)
			continue
		}
		if m[4] >= 0 {
			anchor := trailDots.ReplaceAllString(t[m[4]+1:m[5]], "")
			if !c.hasAnchor(doc, anchor) {
				c.report(file, line, "comment cites %s#%s: no heading has that anchor", doc, anchor)
			}
		}
		if m[6] >= 0 {
			name := strings.Join(strings.Fields(t[m[6]:m[7]]), " ")
			if !c.hasHeading(doc, name) {
				c.report(file, line, "comment cites %s, %q: no heading has that name (or starts with it and a colon)", doc, name)
			}
		}
	}
}

// hasAnchor reports whether a heading of the Markdown file has the anchor.
func (c *checker) hasAnchor(file, anchor string) bool {
	if u, err := url.PathUnescape(anchor); err == nil {
		anchor = u
	}
	anchor = strings.ToLower(anchor)
	for _, h := range c.headingsOf(file) {
		if h.anchor == anchor {
			return true
		}
	}
	return false
}

// hasHeading reports whether a heading of the Markdown file is named name,
// or starts with name followed by a colon.
func (c *checker) hasHeading(file, name string) bool {
	for _, h := range c.headingsOf(file) {
		if h.text == name || strings.HasPrefix(h.text, name+":") {
			return true
		}
	}
	return false
}

func (c *checker) headingsOf(file string) []heading {
	if hs, ok := c.headings[file]; ok {
		return hs
	}
	data, err := os.ReadFile(filepath.Join(c.root, filepath.FromSlash(file)))
	if err != nil {
		c.headings[file] = nil
		return nil
	}
	hs := parseHeadings(string(data))
	c.headings[file] = hs
	return hs
}

var (
	inlineLinkRE = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	markupRE     = regexp.MustCompile("[`*]")
)

// parseHeadings returns the ATX headings (# to ######) of a Markdown text, outside
// fenced code blocks, with their GitHub anchors; a repeated anchor gets -1,
// -2, … as on GitHub.
func parseHeadings(text string) []heading {
	var out []heading
	seen := map[string]int{}
	inFence := false
	for _, line := range strings.Split(text, "\n") {
		if fenceRE.MatchString(line) {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		m := atxRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		plain := inlineLinkRE.ReplaceAllString(m[2], "$1")
		plain = strings.TrimSpace(markupRE.ReplaceAllString(plain, ""))
		a := Anchor(plain)
		if n := seen[a]; n > 0 {
			seen[a] = n + 1
			a = fmt.Sprintf("%s-%d", a, n)
		} else {
			seen[a] = 1
		}
		out = append(out, heading{text: plain, anchor: a})
	}
	return out
}

// Anchor returns GitHub's anchor for a heading's text: lower case, each space
// replaced by "-", and every character other than letters, marks, digits,
// connector punctuation ("_") and "-" dropped.
func Anchor(text string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(text)) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-', unicode.IsLetter(r), unicode.IsMark(r), unicode.IsNumber(r), unicode.Is(unicode.Pc, r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
