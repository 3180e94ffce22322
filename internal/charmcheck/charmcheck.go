// Package charmcheck runs the charmvet analyzer on packages named by go
// list patterns, for the vet and graph subcommands of cmd/charmkit.
//
// It loads in two steps to stay fast: first the import graph alone (go
// list), then, from source, only the packages that can matter (the ones
// asked for and every dependency that imports charmkit, where layers and
// flag-name functions live); everything else, the standard library and
// modules such as the SQLite driver, comes from compiled export data. The
// analyzer's facts flow from the dependencies to the packages asked for as
// they would under go vet.
package charmcheck

import (
	"context"
	"fmt"
	"go/token"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/charmkit/charmkit/analysis/charmvet"
)

// Config says what to check.
type Config struct {
	Dir      string   // where to run go list; "" is the current directory
	Env      []string // the go command's environment; nil is the process's
	Patterns []string // go list patterns; none means "."
}

// Diagnostic is one finding, with its position resolved.
type Diagnostic struct {
	Posn     token.Position
	Category string // one of charmvet's Category* constants
	Message  string
}

// Warning reports whether the diagnostic is a warning rather than an error.
func (d Diagnostic) Warning() bool { return strings.HasPrefix(d.Message, charmvet.WarningPrefix) }

// Result is what the analyzer found in the packages asked for.
type Result struct {
	Diagnostics []Diagnostic      // by file, line and column
	Charms      []*charmvet.Charm // one per package asked for, by import path
	Fset        *token.FileSet    // positions in Charms
}

// Run loads the packages and runs the analyzer on them.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	patterns := cfg.Patterns
	if len(patterns) == 0 {
		patterns = []string{"."}
	}
	// Step 1: the import graph.
	graph, err := packages.Load(&packages.Config{
		Context: ctx, Dir: cfg.Dir, Env: cfg.Env,
		Mode: packages.NeedName | packages.NeedImports | packages.NeedDeps,
	}, patterns...)
	if err != nil {
		return nil, err
	}
	if err := loadErrors(graph); err != nil {
		return nil, err
	}
	if len(graph) == 0 {
		return nil, fmt.Errorf("no packages match %s", strings.Join(patterns, " "))
	}
	roots := map[string]bool{}
	for _, p := range graph {
		roots[p.PkgPath] = true
	}
	relevant := map[string]bool{}
	var visit func(p *packages.Package) bool
	visit = func(p *packages.Package) bool {
		if r, ok := relevant[p.PkgPath]; ok {
			return r
		}
		relevant[p.PkgPath] = false // cycles cannot happen; this guards repeats
		r := strings.HasPrefix(p.PkgPath+"/", charmvet.Module+"/")
		for _, imp := range p.Imports {
			if visit(imp) {
				r = true
			}
		}
		relevant[p.PkgPath] = r
		return r
	}
	for _, p := range graph {
		visit(p)
	}
	var load []string
	for path, r := range relevant {
		if r || roots[path] {
			load = append(load, path)
		}
	}
	slices.Sort(load)

	// Step 2: those packages from source, the rest from export data.
	pkgs, err := packages.Load(&packages.Config{
		Context: ctx, Dir: cfg.Dir, Env: cfg.Env,
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles | packages.NeedImports |
			packages.NeedTypes | packages.NeedTypesSizes | packages.NeedSyntax | packages.NeedTypesInfo | packages.NeedModule,
	}, load...)
	if err != nil {
		return nil, err
	}
	if err := loadErrors(pkgs); err != nil {
		return nil, err
	}
	g, err := checker.Analyze([]*analysis.Analyzer{charmvet.Analyzer}, pkgs, nil)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	for _, act := range g.Roots {
		if !roots[act.Package.PkgPath] {
			continue
		}
		if act.Err != nil {
			return nil, fmt.Errorf("%s: %w", act.Package.PkgPath, act.Err)
		}
		res.Fset = act.Package.Fset
		for _, d := range act.Diagnostics {
			res.Diagnostics = append(res.Diagnostics, Diagnostic{Posn: act.Package.Fset.Position(d.Pos), Category: d.Category, Message: d.Message})
		}
		res.Charms = append(res.Charms, act.Result.(*charmvet.Charm))
	}
	slices.SortFunc(res.Diagnostics, func(a, b Diagnostic) int {
		if c := strings.Compare(a.Posn.Filename, b.Posn.Filename); c != 0 {
			return c
		}
		if a.Posn.Line != b.Posn.Line {
			return a.Posn.Line - b.Posn.Line
		}
		if a.Posn.Column != b.Posn.Column {
			return a.Posn.Column - b.Posn.Column
		}
		return strings.Compare(a.Message, b.Message)
	})
	res.Diagnostics = slices.Compact(res.Diagnostics)
	slices.SortFunc(res.Charms, func(a, b *charmvet.Charm) int { return strings.Compare(a.Package, b.Package) })
	return res, nil
}

// loadErrors gathers the errors go list and the type checker reported.
func loadErrors(pkgs []*packages.Package) error {
	var msgs []string
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		for _, e := range p.Errors {
			msgs = append(msgs, e.Error())
		}
	})
	if len(msgs) == 0 {
		return nil
	}
	if len(msgs) > 10 {
		msgs = append(msgs[:10], fmt.Sprintf("and %d more errors", len(msgs)-10))
	}
	return fmt.Errorf("loading packages:\n\t%s", strings.Join(msgs, "\n\t"))
}
