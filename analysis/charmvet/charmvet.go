package charmvet

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"

	"github.com/charmkit/charmkit/internal/charmdir"
	"github.com/charmkit/charmkit/internal/hookpattern"
	"github.com/charmkit/charmkit/internal/suggest"
)

// Analyzer checks a charm's package; see the package documentation.
var Analyzer = &analysis.Analyzer{
	Name:       "charmvet",
	Doc:        "check a charmkit charm's flags, hook names, config options and leader settings\n\nReports flags watched but never set (and, as warnings, set but never watched), OnHook names that are not hooks of the charm, config options missing from config.yaml, and leader settings read but never written.",
	URL:        "https://pkg.go.dev/github.com/charmkit/charmkit/analysis/charmvet",
	Run:        run,
	FactTypes:  []analysis.Fact{new(pkgFlags), new(flagFunc)},
	ResultType: reflect.TypeFor[*Charm](),
}

// reportUnwatched is the analyzer's -unwatched flag.
var reportUnwatched = true

func init() {
	Analyzer.Flags.BoolVar(&reportUnwatched, "unwatched", true, "report flags that are set but never watched (warnings)")
}

// Categories of the diagnostics, one per check.
const (
	CategoryUnsetFlag     = "unset-flag"     // a flag watched or read but never set
	CategoryUnwatchedFlag = "unwatched-flag" // a flag set but never watched (a warning)
	CategoryHook          = "hook"           // an OnHook name that is not a hook of the charm
	CategoryConfig        = "config"         // a config option missing from config.yaml
	CategoryLeaderKey     = "leader-key"     // a leader setting read but never written
	CategoryDirective     = "directive"      // a malformed //charmkit: directive
)

// WarningPrefix starts the message of the diagnostics that are warnings
// (flags set but never watched).
const WarningPrefix = "warning: "

// name is a string the code computes: a constant, or a pattern where "*"
// stands for what is only known at run time.
type name struct {
	s     string
	exact bool
}

var unknown = name{s: "*"}

type flagUse struct {
	pos  token.Pos
	n    name
	op   string // for writes: OpSet, OpClear, OpToggle; for reads: WhenAll... or "read"
	cond bool   // a read by a When* condition
}

type keyUse struct {
	pos token.Pos
	n   name
}

type pass struct {
	*analysis.Pass
	files     []*ast.File
	funcs     map[*types.Func]*ast.FuncDecl
	flagFuncs map[*types.Func]*flagFunc
	assigned  map[types.Object]ast.Expr // variables assigned once, for conditions kept in variables
	ci        *charmInfo
	ciErr     error

	reads, writes []flagUse
	declSets      []string
	declReads     []string
	leaderWrites  []keyUse
	leaderReads   []keyUse
	configReads   []keyUse
	hooks         []keyUse
	charm         *Charm
}

func run(ap *analysis.Pass) (any, error) {
	p := &pass{
		Pass:      ap,
		funcs:     map[*types.Func]*ast.FuncDecl{},
		flagFuncs: map[*types.Func]*flagFunc{},
		assigned:  map[types.Object]ast.Expr{},
		charm:     &Charm{Package: ap.Pkg.Path()},
	}
	for _, f := range ap.Files {
		if !strings.HasSuffix(ap.Fset.File(f.Pos()).Name(), "_test.go") {
			p.files = append(p.files, f)
		}
	}
	if !p.relevant() {
		return p.charm, nil
	}
	p.findFuncs()
	if isFramework(ap.Pkg.Path()) {
		if fams, ok := KnownLayers[ap.Pkg.Path()]; ok {
			ap.ExportPackageFact(&pkgFlags{Sets: sortedUnique(fams)})
		}
		return p.charm, nil
	}
	p.directives()
	if dir := p.pkgDir(); dir != "" {
		if cd := charmdir.Find(dir); cd != "" {
			p.ci, p.ciErr = readCharmInfo(cd)
		}
	}
	p.scan()
	p.exportFacts()
	p.check()
	return p.charm, nil
}

// relevant reports whether the package can matter: it is charmkit's, it
// imports charmkit, or it holds a //charmkit: directive.
func (p *pass) relevant() bool {
	if strings.HasPrefix(p.Pkg.Path()+"/", Module+"/") {
		return true
	}
	for _, f := range p.files {
		for _, im := range f.Imports {
			if path, _ := strconv.Unquote(im.Path.Value); strings.HasPrefix(path, Module+"/") {
				return true
			}
		}
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				if strings.HasPrefix(c.Text, "//charmkit:") {
					return true
				}
			}
		}
	}
	return false
}

func (p *pass) pkgDir() string {
	for _, f := range p.files {
		return filepath.Dir(p.Fset.File(f.Pos()).Name())
	}
	return ""
}

// findFuncs indexes the package's function declarations and exports a
// flagFunc fact for each function that builds a flag name from its one
// string argument.
func (p *pass) findFuncs() {
	for _, f := range p.files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			fn, ok := p.TypesInfo.Defs[fd.Name].(*types.Func)
			if !ok {
				continue
			}
			p.funcs[fn] = fd
			if ff := asFlagFunc(p.TypesInfo, fd, fn); ff != nil {
				p.flagFuncs[fn] = ff
				p.ExportObjectFact(fn, ff)
			}
		}
	}
}

// asFlagFunc recognizes func(k string) string { return "a" + k + "b" }.
func asFlagFunc(info *types.Info, fd *ast.FuncDecl, fn *types.Func) *flagFunc {
	sig := fn.Signature()
	if sig.Recv() != nil || sig.Params().Len() != 1 || sig.Results().Len() != 1 ||
		!isString(sig.Params().At(0).Type()) || !isString(sig.Results().At(0).Type()) ||
		len(fd.Body.List) != 1 {
		return nil
	}
	ret, ok := fd.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		return nil
	}
	param := sig.Params().At(0)
	var terms []ast.Expr
	var flatten func(e ast.Expr)
	flatten = func(e ast.Expr) {
		if b, ok := ast.Unparen(e).(*ast.BinaryExpr); ok && b.Op == token.ADD && info.Types[b].Value == nil {
			flatten(b.X)
			flatten(b.Y)
			return
		}
		terms = append(terms, ast.Unparen(e))
	}
	flatten(ret.Results[0])
	ff := &flagFunc{}
	seen := false
	for _, t := range terms {
		if tv := info.Types[t]; tv.Value != nil && tv.Value.Kind() == constant.String {
			if seen {
				ff.Suffix += constant.StringVal(tv.Value)
			} else {
				ff.Prefix += constant.StringVal(tv.Value)
			}
			continue
		}
		if id, ok := t.(*ast.Ident); ok && info.Uses[id] == param && !seen {
			seen = true
			continue
		}
		return nil
	}
	if !seen {
		return nil
	}
	return ff
}

func isString(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Kind() == types.String
}

// directives reads //charmkit:flags lines.
func (p *pass) directives() {
	for _, f := range p.files {
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				rest, ok := strings.CutPrefix(c.Text, "//charmkit:")
				if !ok {
					continue
				}
				fields := strings.Fields(rest)
				if len(fields) == 0 || fields[0] != "flags" {
					p.Report(analysis.Diagnostic{Pos: c.Pos(), Category: CategoryDirective,
						Message: fmt.Sprintf("unknown directive //charmkit:%s (want //charmkit:flags sets|reads FLAG...)", rest)})
					continue
				}
				if len(fields) < 3 || (fields[1] != "sets" && fields[1] != "reads") {
					p.Report(analysis.Diagnostic{Pos: c.Pos(), Category: CategoryDirective,
						Message: "malformed directive: want //charmkit:flags sets|reads FLAG..."})
					continue
				}
				for _, fam := range fields[2:] {
					if err := validFamily(fam); err != nil {
						p.Report(analysis.Diagnostic{Pos: c.Pos(), Category: CategoryDirective, Message: "//charmkit:flags: " + err.Error()})
						continue
					}
					if fields[1] == "sets" {
						p.declSets = append(p.declSets, fam)
					} else {
						p.declReads = append(p.declReads, fam)
					}
				}
			}
		}
	}
}

// funcKey names a charmkit function or method without the module path:
// "reactive.When", "reactive.Hook.SetFlag". It is "" for anything else.
func funcKey(fn *types.Func) string {
	if fn == nil || fn.Pkg() == nil {
		return ""
	}
	short, ok := strings.CutPrefix(fn.Pkg().Path(), Module+"/")
	if !ok {
		return ""
	}
	if recv := fn.Signature().Recv(); recv != nil {
		t := recv.Type()
		if ptr, ok := t.(*types.Pointer); ok {
			t = ptr.Elem()
		}
		if n, ok := t.(*types.Named); ok {
			return short + "." + n.Obj().Name() + "." + fn.Name()
		}
		return ""
	}
	return short + "." + fn.Name()
}

// isNamed reports whether t is the named type pkg.name (or a pointer to it).
func isNamed(t types.Type, pkg, name string) bool {
	if ptr, ok := t.(*types.Pointer); ok {
		t = ptr.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pkg && n.Obj().Name() == name
}

// eval computes the string an expression evaluates to, as far as it is
// known statically.
func (p *pass) eval(e ast.Expr) name {
	e = ast.Unparen(e)
	if tv, ok := p.TypesInfo.Types[e]; ok && tv.Value != nil && tv.Value.Kind() == constant.String {
		return name{s: constant.StringVal(tv.Value), exact: true}
	}
	switch e := e.(type) {
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			return concat(p.eval(e.X), p.eval(e.Y))
		}
	case *ast.CallExpr:
		if fn := typeutil.StaticCallee(p.TypesInfo, e); fn != nil && len(e.Args) == 1 && e.Ellipsis == token.NoPos {
			ff := p.flagFuncs[fn]
			if ff == nil {
				ff = new(flagFunc)
				if !p.ImportObjectFact(fn, ff) {
					ff = nil
				}
			}
			if ff != nil {
				return concat(concat(name{s: ff.Prefix, exact: true}, p.eval(e.Args[0])), name{s: ff.Suffix, exact: true})
			}
		}
	}
	return unknown
}

func concat(a, b name) name {
	s := a.s + b.s
	if !a.exact || !b.exact {
		for strings.Contains(s, "**") {
			s = strings.ReplaceAll(s, "**", "*")
		}
	}
	return name{s: s, exact: a.exact && b.exact}
}

// args evaluates the arguments from index i on; a spread (f(xs...)) gives
// one unknown name.
func (p *pass) args(call *ast.CallExpr, i int) []name {
	if call.Ellipsis != token.NoPos {
		return []name{unknown}
	}
	var out []name
	for _, a := range call.Args[min(i, len(call.Args)):] {
		out = append(out, p.eval(a))
	}
	return out
}

func (p *pass) argPos(call *ast.CallExpr, i int) token.Pos {
	if i < len(call.Args) {
		return call.Args[i].Pos()
	}
	return call.Pos()
}

// condKinds maps the condition constructors to how they watch flags.
var condKinds = map[string]string{
	"reactive.When":       WhenAll,
	"reactive.WhenAll":    WhenAll,
	"reactive.WhenNot":    WhenNone,
	"reactive.WhenNone":   WhenNone,
	"reactive.WhenAny":    WhenAny,
	"reactive.WhenNotAll": WhenNotAll,
}

// flagWrites maps the flag-changing calls to the operation and the index of
// the flag argument.
var flagWrites = map[string]struct {
	op  string
	arg int
}{
	"reactive.Hook.SetFlag":      {OpSet, 0},
	"reactive.Hook.SetFlagValue": {OpSet, 0},
	"reactive.Hook.ToggleFlag":   {OpToggle, 0},
	"reactive.Hook.ClearFlag":    {OpClear, 0},
	"flags.Flags.Set":            {OpSet, 0},
	"flags.Flags.SetValue":       {OpSet, 0},
	"flags.Flags.Toggle":         {OpToggle, 0},
	"flags.Flags.Clear":          {OpClear, 0},
}

// flagReads maps the calls that read flags to the index of their first flag
// argument (the rest being flags too for the variadic ones).
var flagReads = map[string]struct {
	arg      int
	variadic bool
}{
	"reactive.Hook.IsFlagSet": {0, false},
	"reactive.NotUnless":      {1, true},
	"flags.Flags.IsSet":       {0, false},
	"flags.Flags.Value":       {0, false},
	"flags.Flags.AllSet":      {0, true},
	"flags.Flags.AnySet":      {0, true},
}

// Leader-settings calls: the index of the map (writes), of the first key
// (deletes, variadic) or of the key (reads).
var (
	leaderSets = map[string]int{
		"leadership.Set":          2,
		"hookenv.Tools.LeaderSet": 1,
	}
	leaderDeletes = map[string]int{
		"leadership.Delete": 2,
	}
	leaderGets = map[string]int{
		"leadership.Get":             1,
		"hookenv.Tools.LeaderGetKey": 1,
	}
	configGets = map[string]int{
		"hookenv.Tools.ConfigGetKey": 1,
		"hookenv.Config.String":      0,
		"hookenv.Config.Bool":        0,
		"hookenv.Config.Int":         0,
		"hookenv.Config.Float":       0,
	}
)

// leaderKeys returns the keys a leader-settings write names: those of a
// map literal, or one unknown name. del is true for a deletion, and for
// each map entry whose value is the constant "".
func (p *pass) leaderKeys(call *ast.CallExpr, key string) (keys []keyUse, del []bool) {
	if i, ok := leaderDeletes[key]; ok {
		for j, n := range p.args(call, i) {
			keys = append(keys, keyUse{pos: p.argPos(call, i+j), n: n})
			del = append(del, true)
		}
		return keys, del
	}
	i := leaderSets[key]
	if i >= len(call.Args) {
		return nil, nil
	}
	lit, ok := ast.Unparen(call.Args[i]).(*ast.CompositeLit)
	if !ok {
		return []keyUse{{pos: call.Args[i].Pos(), n: unknown}}, []bool{false}
	}
	for _, el := range lit.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		v := p.eval(kv.Value)
		keys = append(keys, keyUse{pos: kv.Key.Pos(), n: p.eval(kv.Key)})
		del = append(del, v.exact && v.s == "")
	}
	return keys, del
}

// scan walks the package's code and records every use of flags, hooks,
// config options and leader settings, and the handler registrations.
func (p *pass) scan() {
	// Variables assigned exactly once, so that a condition kept in a
	// variable can be followed.
	count := map[types.Object]int{}
	for _, f := range p.files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				for i, lhs := range n.Lhs {
					id, ok := lhs.(*ast.Ident)
					if !ok {
						continue
					}
					obj := p.TypesInfo.ObjectOf(id)
					if obj == nil {
						continue
					}
					count[obj]++
					if len(n.Lhs) == len(n.Rhs) {
						p.assigned[obj] = n.Rhs[i]
					}
				}
			case *ast.ValueSpec:
				for i, id := range n.Names {
					obj := p.TypesInfo.ObjectOf(id)
					count[obj]++
					if len(n.Names) == len(n.Values) {
						p.assigned[obj] = n.Values[i]
					}
				}
			}
			return true
		})
	}
	for obj, c := range count {
		if c != 1 {
			delete(p.assigned, obj)
		}
	}

	for _, f := range p.files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				p.scanCall(n)
			case *ast.CompositeLit:
				if tv, ok := p.TypesInfo.Types[n]; ok && isNamed(tv.Type, pathFlags, "Trigger") {
					p.scanTrigger(n)
				}
			case *ast.IndexExpr:
				if tv, ok := p.TypesInfo.Types[n.X]; ok && isNamed(tv.Type, pathHookenv, "Config") {
					p.configReads = append(p.configReads, keyUse{pos: n.Index.Pos(), n: p.eval(n.Index)})
				}
			}
			return true
		})
	}
}

func (p *pass) scanCall(call *ast.CallExpr) {
	fn := typeutil.StaticCallee(p.TypesInfo, call)
	key := funcKey(fn)
	if key == "" {
		return
	}
	if how, ok := condKinds[key]; ok {
		for i, n := range p.args(call, 0) {
			p.reads = append(p.reads, flagUse{pos: p.argPos(call, i), n: n, op: how, cond: true})
		}
		return
	}
	if w, ok := flagWrites[key]; ok {
		if w.arg < len(call.Args) {
			p.writes = append(p.writes, flagUse{pos: call.Args[w.arg].Pos(), n: p.eval(call.Args[w.arg]), op: w.op})
		}
		return
	}
	if r, ok := flagReads[key]; ok {
		args := p.args(call, r.arg)
		if !r.variadic && len(args) > 1 {
			args = args[:1]
		}
		for i, n := range args {
			p.reads = append(p.reads, flagUse{pos: p.argPos(call, r.arg+i), n: n, op: "read"})
		}
		return
	}
	if _, ok := leaderSets[key]; ok {
		keys, _ := p.leaderKeys(call, key)
		p.leaderWrites = append(p.leaderWrites, keys...)
		return
	}
	if _, ok := leaderDeletes[key]; ok {
		keys, _ := p.leaderKeys(call, key)
		p.leaderWrites = append(p.leaderWrites, keys...)
		return
	}
	if i, ok := leaderGets[key]; ok && i < len(call.Args) {
		p.leaderReads = append(p.leaderReads, keyUse{pos: call.Args[i].Pos(), n: p.eval(call.Args[i])})
		return
	}
	if i, ok := configGets[key]; ok && i < len(call.Args) {
		p.configReads = append(p.configReads, keyUse{pos: call.Args[i].Pos(), n: p.eval(call.Args[i])})
		return
	}
	switch key {
	case "reactive.OnHook":
		for i, n := range p.args(call, 0) {
			p.hooks = append(p.hooks, keyUse{pos: p.argPos(call, i), n: n})
		}
	case "reactive.Handle", "reactive.Registry.Handle":
		p.register(call)
	}
}

func (p *pass) scanTrigger(lit *ast.CompositeLit) {
	t := Trigger{Pos: lit.Pos()}
	for _, el := range lit.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		id, ok := kv.Key.(*ast.Ident)
		if !ok {
			continue
		}
		n := p.eval(kv.Value)
		switch id.Name {
		case "When":
			t.When = n.s
			p.reads = append(p.reads, flagUse{pos: kv.Value.Pos(), n: n, op: "read"})
		case "WhenNot":
			t.WhenNot = n.s
			p.reads = append(p.reads, flagUse{pos: kv.Value.Pos(), n: n, op: "read"})
		case "SetFlag":
			t.SetFlag = n.s
			p.writes = append(p.writes, flagUse{pos: kv.Value.Pos(), n: n, op: OpSet})
		case "ClearFlag":
			t.ClearFlag = n.s
			p.writes = append(p.writes, flagUse{pos: kv.Value.Pos(), n: n, op: OpClear})
		}
	}
	p.charm.Triggers = append(p.charm.Triggers, t)
}

// exportFacts publishes what the package does with flags and leader
// settings, for the packages that import it.
func (p *pass) exportFacts() {
	f := &pkgFlags{}
	for _, w := range p.writes {
		if w.op != OpClear {
			f.Sets = append(f.Sets, w.n.s)
		}
	}
	f.Sets = sortedUnique(append(f.Sets, p.declSets...))
	for _, r := range p.reads {
		f.Reads = append(f.Reads, r.n.s)
	}
	f.Reads = sortedUnique(append(f.Reads, p.declReads...))
	for _, k := range p.leaderWrites {
		if k.n.exact {
			f.LeaderKeys = append(f.LeaderKeys, k.n.s)
		} else {
			f.AnyLeaderKey = true
		}
	}
	f.LeaderKeys = sortedUnique(f.LeaderKeys)
	if !f.empty() {
		p.ExportPackageFact(f)
	}
}

// deps returns the facts of every package this one depends on.
func (p *pass) deps() []*pkgFlags {
	var out []*pkgFlags
	for _, pf := range p.AllPackageFacts() {
		if f, ok := pf.Fact.(*pkgFlags); ok && pf.Package != p.Pkg {
			out = append(out, f)
		}
	}
	return out
}

// check reports the mistakes.
func (p *pass) check() {
	deps := p.deps()

	// What each placeholder stands for.
	b := bindings{values: map[string][]string{}, any: map[string]bool{}}
	for _, k := range p.leaderWrites {
		if k.n.exact {
			b.values[PlaceholderLeaderKey] = append(b.values[PlaceholderLeaderKey], k.n.s)
		} else {
			b.any[PlaceholderLeaderKey] = true
		}
	}
	for _, d := range deps {
		b.values[PlaceholderLeaderKey] = append(b.values[PlaceholderLeaderKey], d.LeaderKeys...)
		b.any[PlaceholderLeaderKey] = b.any[PlaceholderLeaderKey] || d.AnyLeaderKey
	}
	b.values[PlaceholderLeaderKey] = sortedUnique(b.values[PlaceholderLeaderKey])
	if p.ci == nil {
		b.any[PlaceholderConfig] = true
		b.any[PlaceholderEndpoint] = true
	} else {
		b.values[PlaceholderConfig] = slices.Sorted(maps.Keys(p.ci.options))
		b.values[PlaceholderEndpoint] = slices.Sorted(maps.Keys(p.ci.endpoints))
	}

	// Every flag set (patterns) and every flag read, here and in the
	// dependencies.
	var sets, readsAll []string
	for _, w := range p.writes {
		if w.op != OpClear {
			sets = append(sets, w.n.s)
		}
	}
	sets = append(sets, p.declSets...)
	for _, r := range p.reads {
		readsAll = append(readsAll, r.n.s)
	}
	readsAll = append(readsAll, p.declReads...)
	for _, d := range deps {
		sets = append(sets, d.Sets...)
		readsAll = append(readsAll, d.Reads...)
	}
	sets, readsAll = sortedUnique(sets), sortedUnique(readsAll)
	matches := func(families []string, flag string) bool {
		for _, fam := range families {
			for _, g := range b.globs(fam) {
				if globMatch(g, flag) {
					return true
				}
			}
		}
		return false
	}

	// Flags watched or read but never set.
	var known []string // concrete flag names that are set, for suggestions
	for _, fam := range sets {
		for _, g := range b.globs(fam) {
			if !strings.Contains(g, "*") {
				known = append(known, g)
			}
		}
	}
	for _, r := range p.reads {
		if !r.n.exact || matches(sets, r.n.s) {
			continue
		}
		verb := "read"
		if r.cond {
			verb = "watched"
		}
		p.Report(analysis.Diagnostic{Pos: r.pos, Category: CategoryUnsetFlag,
			Message: fmt.Sprintf("flag %q is %s but never set%s", r.n.s, verb, p.whyUnset(r.n.s, sets, b, known))})
	}

	// Flags set but never watched (warnings).
	if reportUnwatched {
		reported := map[string]bool{}
		for _, w := range p.writes {
			if w.op == OpClear || !w.n.exact || reported[w.n.s] || matches(readsAll, w.n.s) || matches(p.declSets, w.n.s) {
				continue
			}
			reported[w.n.s] = true
			p.Report(analysis.Diagnostic{Pos: w.pos, Category: CategoryUnwatchedFlag,
				Message: fmt.Sprintf("%sflag %q is set but never watched by any handler, trigger or imported layer (declare readers the analysis cannot see with //charmkit:flags reads)", WarningPrefix, w.n.s)})
		}
	}

	// Hook names.
	for _, h := range p.hooks {
		if !h.n.exact {
			continue
		}
		if hookpattern.NeedsRelations(h.n.s) && p.ci == nil {
			continue // no metadata to expand {role:interface} with
		}
		names, ok := expandHookPattern(p.ci, h.n.s)
		if !ok {
			p.Report(analysis.Diagnostic{Pos: h.pos, Category: CategoryHook,
				Message: fmt.Sprintf("OnHook pattern %q expands to too many names", h.n.s)})
			continue
		}
		if len(names) == 0 {
			p.Report(analysis.Diagnostic{Pos: h.pos, Category: CategoryHook,
				Message: fmt.Sprintf("OnHook pattern %q matches no hook: %s has no endpoint for its {role:interface} group", h.n.s, p.ci.metaFile)})
			continue
		}
		for _, n := range names {
			if why := checkHook(n, p.ci); why != "" {
				p.Report(analysis.Diagnostic{Pos: h.pos, Category: CategoryHook, Message: "OnHook: " + why})
				break
			}
		}
	}

	// Config options.
	if p.ci != nil {
		opts := slices.Sorted(maps.Keys(p.ci.options))
		for _, c := range p.configReads {
			if !c.n.exact || p.ci.options[c.n.s] {
				continue
			}
			where := "the charm has no config.yaml"
			if p.ci.configFile != "" {
				where = "it is not in " + p.ci.configFile
			}
			msg := fmt.Sprintf("config option %q is read but %s", c.n.s, where)
			if s := suggest.Closest(c.n.s, opts); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			p.Report(analysis.Diagnostic{Pos: c.pos, Category: CategoryConfig, Message: msg})
		}
	}

	// Leader settings.
	if !b.any[PlaceholderLeaderKey] {
		written := b.values[PlaceholderLeaderKey]
		for _, r := range p.leaderReads {
			if !r.n.exact || slices.Contains(written, r.n.s) {
				continue
			}
			msg := fmt.Sprintf("leader setting %q is read but never written (leadership.Set or leadership.Delete)", r.n.s)
			if s := suggest.Closest(r.n.s, written); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			p.Report(analysis.Diagnostic{Pos: r.pos, Category: CategoryLeaderKey, Message: msg})
		}
	}
}

// whyUnset explains why a flag is never set, when there is more to say.
func (p *pass) whyUnset(flag string, sets []string, b bindings, known []string) string {
	for _, fam := range sets {
		ph, value, ok := capture(fam, flag)
		if !ok {
			continue
		}
		switch ph {
		case PlaceholderLeaderKey:
			msg := fmt.Sprintf(": it is set while leader setting %q has a value, and no code writes that key", value)
			if s := suggest.Closest(value, b.values[ph]); s != "" {
				msg += fmt.Sprintf(" (the key written is %q)", s)
			}
			return msg
		case PlaceholderConfig:
			return fmt.Sprintf(": %q is not an option in %s", value, p.ci.configFile)
		case PlaceholderEndpoint:
			return fmt.Sprintf(": %q is not an endpoint in %s", value, p.ci.metaFile)
		}
	}
	for _, r := range ReservedFamilies {
		if strings.HasPrefix(flag, r.Prefix) {
			return ": " + r.Reason
		}
	}
	if s := suggest.Closest(flag, sortedUnique(known)); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return " by any handler, trigger or imported layer"
}
