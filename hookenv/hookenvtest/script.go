package hookenvtest

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// scriptFS holds the golden scripts: testdata/tools/<tool>/<case>.txt.
//
//go:embed testdata/tools
var scriptFS embed.FS

// Script is one golden script: the exact calls a hookenv wrapper makes in one
// hook context and what Juju answers to each, in the state the script
// describes.
type Script struct {
	// Name is "<tool>/<case>", e.g. "leader-get/snapshot".
	Name string
	// Comment says what the script shows: the text before the first section.
	Comment string
	// State is the model the outputs follow from.
	State State
	// Calls are the tool calls, run in order in one hook context.
	Calls []Call
}

// Call is one tool call of a script and Juju's exact answer.
type Call struct {
	// Args are the tool's name, then its arguments.
	Args []string
	// Stdin is what the call reads on stdin; nil when it reads none.
	Stdin []byte
	// Stdout and Stderr are the exact bytes the tool prints.
	Stdout, Stderr []byte
	// ExitCode is the tool's exit status.
	ExitCode int
	// Files are the files the call reads, by name, with their exact
	// content (e.g. for secret-add password#file=$FILES/password); nil
	// when it reads none. The call's arguments and outputs name their
	// directory [FilesDir].
	Files map[string]string
}

// FilesDir stands for the directory holding a call's files in its
// arguments and outputs: a runner of the script writes the files into a
// directory of its own and puts its path there ([Call.Expand]); a fake
// tool finds the caller's directory with [Call.MatchArgs].
const FilesDir = "$FILES"

// usesFiles reports whether the call has files or names their directory.
func (c Call) usesFiles() bool {
	return c.Files != nil || slices.ContainsFunc(c.Args, func(a string) bool { return strings.Contains(a, FilesDir) })
}

// Expand returns the call with FilesDir replaced by dir in its arguments,
// stdout and stderr.
func (c Call) Expand(dir string) Call {
	out := c
	out.Args = make([]string, len(c.Args))
	for i, a := range c.Args {
		out.Args[i] = strings.ReplaceAll(a, FilesDir, dir)
	}
	out.Stdout = bytes.ReplaceAll(c.Stdout, []byte(FilesDir), []byte(dir))
	out.Stderr = bytes.ReplaceAll(c.Stderr, []byte(FilesDir), []byte(dir))
	return out
}

// WriteFiles writes the call's files into dir, readable by their owner
// only.
func (c Call) WriteFiles(dir string) error {
	for name, content := range c.Files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// MatchArgs reports whether args (the tool's name, then its arguments) are
// the call's, FilesDir standing for one same non-empty directory, and
// returns that directory ("" when the call names none).
func (c Call) MatchArgs(args []string) (dir string, ok bool) {
	if len(args) != len(c.Args) {
		return "", false
	}
	for i, want := range c.Args {
		pre, post, has := strings.Cut(want, FilesDir)
		got := args[i]
		if !has {
			if got != want {
				return "", false
			}
			continue
		}
		if len(got) <= len(pre)+len(post) || !strings.HasPrefix(got, pre) || !strings.HasSuffix(got, post) {
			return "", false
		}
		d := got[len(pre) : len(got)-len(post)]
		if dir != "" && d != dir {
			return "", false
		}
		dir = d
	}
	return dir, true
}

// Tool returns the name of the tool the call runs.
func (c Call) Tool() string { return c.Args[0] }

// String renders the call as a command line: the tool and its arguments,
// each argument quoted as Go quotes strings.
func (c Call) String() string {
	var b strings.Builder
	b.WriteString(c.Args[0])
	for _, a := range c.Args[1:] {
		b.WriteByte(' ')
		b.WriteString(strconv.Quote(a))
	}
	return b.String()
}

// Scripts returns every golden script, sorted by name. Each has at least one
// call, and its state decodes into [State] with no unknown key.
func Scripts() ([]Script, error) {
	var out []Script
	err := fs.WalkDir(scriptFS, "testdata/tools", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".txt" {
			return err
		}
		data, err := scriptFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimSuffix(strings.TrimPrefix(p, "testdata/tools/"), ".txt")
		s, err := ParseScript(name, data)
		if err != nil {
			return err
		}
		if len(s.Calls) == 0 {
			return fmt.Errorf("hookenvtest: %s: no calls", name)
		}
		out = append(out, s)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Script) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// ParseScript parses a script in the golden format (see the package
// documentation) and names it name. Its state is decoded strictly: an
// unknown key or an inconsistent value is an error.
func ParseScript(name string, data []byte) (Script, error) {
	s := Script{Name: name}
	fail := func(format string, args ...any) (Script, error) {
		return Script{}, fmt.Errorf("hookenvtest: %s: %s", name, fmt.Sprintf(format, args...))
	}
	var cur *Call
	section, seen := "comment", map[string]bool{}
	var body []byte
	flush := func() error {
		switch section {
		case "comment":
			s.Comment = string(body)
		case "state":
			st, err := decodeState(body)
			if err != nil {
				return fmt.Errorf("state: %w", err)
			}
			s.State = st
		case "call":
			if err := json.Unmarshal(body, &cur.Args); err != nil || len(cur.Args) == 0 || cur.Args[0] == "" {
				return fmt.Errorf("call %d: want a JSON list [tool, args...], got %q", len(s.Calls)-1, body)
			}
		case "stdin":
			cur.Stdin = append([]byte{}, body...) // not nil: the call reads stdin
		case "stdout":
			cur.Stdout = append([]byte(nil), body...)
		case "stderr":
			cur.Stderr = append([]byte(nil), body...)
		case "files":
			cur.Files = map[string]string{}
			if err := json.Unmarshal(body, &cur.Files); err != nil {
				return fmt.Errorf("call %d: files: want a JSON object of file name to content: %v", len(s.Calls)-1, err)
			}
			for name := range cur.Files {
				if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
					return fmt.Errorf("call %d: files: %q is not a file name", len(s.Calls)-1, name)
				}
			}
		case "exit":
			n, err := strconv.Atoi(strings.TrimSpace(string(body)))
			if err != nil {
				return fmt.Errorf("call %d: bad exit code %q", len(s.Calls)-1, body)
			}
			cur.ExitCode = n
		}
		return nil
	}
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		text := strings.TrimSuffix(string(line), "\n")
		marker, isMarker := strings.CutPrefix(text, "-- ")
		if isMarker {
			marker, isMarker = strings.CutSuffix(marker, " --")
		}
		if !isMarker {
			body = append(body, line...)
			continue
		}
		if err := flush(); err != nil {
			return fail("%v", err)
		}
		section, body = marker, nil
		switch section {
		case "state":
			if cur != nil || seen["state"] {
				return fail("one state section, before the first call")
			}
			seen["state"] = true
		case "call":
			s.Calls = append(s.Calls, Call{})
			cur = &s.Calls[len(s.Calls)-1]
			seen = map[string]bool{"state": true}
		case "stdin", "files", "stdout", "stderr", "exit":
			if cur == nil {
				return fail("section %q before the first call", section)
			}
			if seen[section] {
				return fail("call %d: two %q sections", len(s.Calls)-1, section)
			}
			seen[section] = true
		default:
			return fail("unknown section %q", section)
		}
	}
	if err := flush(); err != nil {
		return fail("%v", err)
	}
	tools := map[string]bool{}
	for _, c := range s.Calls {
		tools[c.Tool()] = true
	}
	s.State.tools = slices.Sorted(maps.Keys(tools))
	return s, nil
}
