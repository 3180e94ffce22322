// Package charminit creates a new charm module, for `charmkit init`: a
// small working charm (a leader-generated token through the leadership
// layer, a configuration file rendered with package files, a config
// option), its metadata.yaml, config.yaml and charmcraft.yaml, a
// table-driven charmtest test, a jujusim test of the compiled charm on
// three units, a Makefile and a go.mod. The module builds and passes its
// own tests as soon as its dependencies are there: at once with
// Options.Replace (a charmkit checkout, whose go.sum is copied), or after
// `go get github.com/charmkit/charmkit@latest` and `go mod tidy`.
//
// The package is internal: the command is the supported interface.
package charminit

import (
	"bufio"
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"text/template"
)

// ModulePath is charmkit's module path.
const ModulePath = "github.com/charmkit/charmkit"

// replacedVersion is the version a module replaced by a directory is
// required at; any version would do.
const replacedVersion = "v0.0.0-00010101000000-000000000000"

//go:embed skel
var skel embed.FS

// Options says what to create.
type Options struct {
	// Dir is the directory of the new module; it must not exist or be
	// empty.
	Dir string
	// Module is the module path; empty means Dir's base name.
	Module string
	// Name is the charm's name (metadata.yaml); empty means Dir's base
	// name, in lower case with "_", "." and spaces made "-".
	Name string
	// Replace, when set, is a charmkit checkout the module uses instead of
	// a published version: go.mod gets `replace github.com/charmkit/charmkit
	// => Replace` (made absolute) and charmkit's requirements, and go.sum
	// is charmkit's, so the module builds offline at once.
	Replace string
	// Version, when Replace is empty, is the charmkit version go.mod
	// requires (e.g. the version of the running charmkit); empty means
	// none: `go get github.com/charmkit/charmkit@latest` adds it.
	Version string
}

// Result is what Init created.
type Result struct {
	Dir    string   // the module's directory
	Module string   // its module path
	Name   string   // the charm's name
	Files  []string // the files written, slash-separated, relative to Dir, in order
}

// ErrUsage is matched by errors about the options themselves (a name or
// module path that cannot be used), as opposed to failures to write.
var ErrUsage = errors.New("charminit: bad option")

var (
	charmNameRE  = regexp.MustCompile(`^[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*$`)
	modulePathRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._~/-]*$`)
)

// DefaultName returns the charm name Init derives from a directory: its
// base name in lower case, with "_", "." and spaces made "-".
func DefaultName(dir string) string {
	base := filepath.Base(filepath.Clean(dir))
	return strings.Map(func(r rune) rune {
		switch r {
		case '_', '.', ' ':
			return '-'
		}
		return r
	}, strings.ToLower(base))
}

// Init creates the charm module o describes.
func Init(o Options) (Result, error) {
	if o.Dir == "" {
		return Result{}, fmt.Errorf("%w: no directory", ErrUsage)
	}
	res := Result{Dir: o.Dir, Module: o.Module, Name: o.Name}
	if res.Name == "" {
		res.Name = DefaultName(o.Dir)
		if !charmNameRE.MatchString(res.Name) {
			return Result{}, fmt.Errorf("%w: %q (from the directory's name) is not a valid charm name: pass -name with lower-case letters, digits and hyphens, starting with a letter", ErrUsage, res.Name)
		}
	} else if !charmNameRE.MatchString(res.Name) {
		return Result{}, fmt.Errorf("%w: %q is not a valid charm name: use lower-case letters, digits and hyphens, starting with a letter", ErrUsage, res.Name)
	}
	if res.Module == "" {
		res.Module = filepath.Base(filepath.Clean(o.Dir))
	}
	if !modulePathRE.MatchString(res.Module) || strings.Contains(res.Module, "//") || strings.HasSuffix(res.Module, "/") ||
		path.Clean(res.Module) != res.Module || strings.Contains(res.Module, "..") {
		return Result{}, fmt.Errorf("%w: %q is not a valid module path: pass -module (e.g. example.com/%s)", ErrUsage, res.Module, res.Name)
	}
	if entries, err := os.ReadDir(o.Dir); err == nil && len(entries) > 0 {
		return Result{}, fmt.Errorf("%s is not empty: init creates a new module; name a new directory", o.Dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Result{}, err
	}

	gomod, gosum, err := goModule(o, res.Module)
	if err != nil {
		return Result{}, err
	}
	data := struct{ Name, Module string }{res.Name, res.Module}
	out := map[string][]byte{"go.mod": gomod}
	if gosum != nil {
		out["go.sum"] = gosum
	}
	err = fs.WalkDir(skel, "skel", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		text, err := skel.ReadFile(p)
		if err != nil {
			return err
		}
		t, err := template.New(p).Delims("[[", "]]").Option("missingkey=error").Parse(string(text))
		if err != nil {
			return err
		}
		var b bytes.Buffer
		if err := t.Execute(&b, data); err != nil {
			return err
		}
		name := strings.TrimSuffix(strings.TrimPrefix(p, "skel/"), ".tmpl")
		if name == "gitignore" {
			name = ".gitignore"
		}
		out[name] = b.Bytes()
		return nil
	})
	if err != nil {
		return Result{}, fmt.Errorf("charminit: internal error: %w", err)
	}
	for _, name := range order(out) {
		p := filepath.Join(o.Dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return Result{}, err
		}
		if err := os.WriteFile(p, out[name], 0o644); err != nil {
			return Result{}, err
		}
		res.Files = append(res.Files, name)
	}
	return res, nil
}

// order returns the file names with go.mod and go.sum first, then the
// others sorted.
func order(files map[string][]byte) []string {
	var names []string
	for n := range files {
		if n != "go.mod" && n != "go.sum" {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	head := []string{"go.mod"}
	if _, ok := files["go.sum"]; ok {
		head = append(head, "go.sum")
	}
	return append(head, names...)
}

// goModule returns the new module's go.mod and go.sum (nil when none).
func goModule(o Options, module string) (gomod, gosum []byte, err error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "module %s\n\n", module)
	if o.Replace == "" {
		fmt.Fprintf(&b, "go %s\n", goVersion())
		if o.Version != "" {
			fmt.Fprintf(&b, "\nrequire %s %s\n", ModulePath, o.Version)
		}
		fmt.Fprintf(&b, "\ntool %s/cmd/charmkit\n", ModulePath)
		return b.Bytes(), nil, nil
	}
	root, err := filepath.Abs(o.Replace)
	if err != nil {
		return nil, nil, err
	}
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: -replace %s: %v", ErrUsage, o.Replace, err)
	}
	goLine, requires, modPath := parseGoMod(mod)
	if modPath != ModulePath {
		return nil, nil, fmt.Errorf("%w: -replace %s: its go.mod is module %q, not %s", ErrUsage, o.Replace, modPath, ModulePath)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: -replace %s: %v", ErrUsage, o.Replace, err)
	}
	if goLine == "" {
		goLine = goVersion()
	}
	fmt.Fprintf(&b, "go %s\n\n", goLine)
	fmt.Fprintf(&b, "require %s %s\n\n", ModulePath, replacedVersion)
	// charmkit's own requirements, so that every package the charm builds
	// (and the charmkit tool) is provided without a network lookup.
	b.WriteString("require (\n")
	for _, r := range requires {
		fmt.Fprintf(&b, "\t%s\n", r)
	}
	b.WriteString(")\n\n")
	fmt.Fprintf(&b, "replace %s => %s\n\n", ModulePath, root)
	fmt.Fprintf(&b, "tool %s/cmd/charmkit\n", ModulePath)
	return b.Bytes(), sum, nil
}

// parseGoMod returns the go directive, the requirements (each "path
// version", with a "// indirect" comment when it has one) and the module
// path of a go.mod file. It reads the subset of the syntax go.mod files
// written by the go command use.
func parseGoMod(b []byte) (goLine string, requires []string, module string) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	inRequire := false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case inRequire && line == ")":
			inRequire = false
		case inRequire && line != "" && !strings.HasPrefix(line, "//"):
			requires = append(requires, line)
		case line == "require (":
			inRequire = true
		case strings.HasPrefix(line, "require "):
			requires = append(requires, strings.TrimSpace(strings.TrimPrefix(line, "require ")))
		case strings.HasPrefix(line, "go "):
			goLine = strings.TrimSpace(strings.TrimPrefix(line, "go "))
		case strings.HasPrefix(line, "module "):
			module = strings.Trim(strings.TrimSpace(strings.TrimPrefix(line, "module ")), `"`)
		}
	}
	return goLine, requires, module
}

// goVersion returns the go directive for a new module: the version of the
// Go release this program was built with.
func goVersion() string {
	v := strings.TrimPrefix(runtime.Version(), "go")
	if regexp.MustCompile(`^1\.[0-9]+(\.[0-9]+)?$`).MatchString(v) {
		return v
	}
	return "1.26"
}
