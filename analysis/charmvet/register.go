package charmvet

import (
	"go/ast"
	"go/types"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/go/types/typeutil"
)

// register records a handler registration for the result: its name, its
// condition and what its function writes.
func (p *pass) register(call *ast.CallExpr) {
	if len(call.Args) != 3 || call.Ellipsis.IsValid() {
		return
	}
	h := Handler{Pos: call.Pos(), Name: "?"}
	if n := p.eval(call.Args[0]); n.exact {
		h.Name = n.s
	}
	atoms, reads := p.condition(call.Args[1], 0)
	h.Condition = atoms[0]
	if len(atoms) > 1 {
		h.Condition = "All(" + strings.Join(atoms, ", ") + ")"
	}
	h.Reads = reads
	h.Writes = p.writesOf(call.Args[2])
	p.charm.Handlers = append(p.charm.Handlers, h)
}

// atomNames are the names reactive prints conditions with.
var atomNames = map[string]string{
	"reactive.When":            "WhenAll",
	"reactive.WhenAll":         "WhenAll",
	"reactive.WhenNot":         "WhenNone",
	"reactive.WhenNone":        "WhenNone",
	"reactive.WhenAny":         "WhenAny",
	"reactive.WhenNotAll":      "WhenNotAll",
	"reactive.OnHook":          "OnHook",
	"reactive.OnAction":        "OnAction",
	"reactive.WhenFileChanged": "WhenFileChanged",
}

// condition returns a condition's atoms as reactive prints them, and the
// flags they watch. What cannot be followed statically prints as "?".
func (p *pass) condition(e ast.Expr, depth int) (atoms []string, reads []Read) {
	unknownCond := []string{"?"}
	e = ast.Unparen(e)
	if depth > 20 {
		return unknownCond, nil
	}
	if id, ok := e.(*ast.Ident); ok {
		if x, ok := p.assigned[p.TypesInfo.Uses[id]]; ok {
			return p.condition(x, depth+1)
		}
		return unknownCond, nil
	}
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return unknownCond, nil
	}
	key := funcKey(typeutil.StaticCallee(p.TypesInfo, call))
	quoted := func(from int) string {
		var q []string
		for _, n := range p.args(call, from) {
			if n.exact {
				q = append(q, strconv.Quote(n.s))
			} else {
				q = append(q, "?")
			}
		}
		return strings.Join(q, ", ")
	}
	switch key {
	case "reactive.All":
		if call.Ellipsis.IsValid() {
			return unknownCond, nil
		}
		for _, a := range call.Args {
			at, rd := p.condition(a, depth+1)
			atoms = append(atoms, at...)
			reads = append(reads, rd...)
		}
		if len(atoms) == 0 {
			return unknownCond, nil
		}
		return atoms, reads
	case "reactive.OnlyOnce", "reactive.CollectMetrics", "reactive.MeterStatusChanged":
		return []string{strings.TrimPrefix(key, "reactive.") + "()"}, nil
	case "reactive.WhenFileChangedHash":
		return []string{"WhenFileChangedHash(" + quoted(0) + ")"}, nil
	}
	an, ok := atomNames[key]
	if !ok {
		return unknownCond, nil
	}
	if how, ok := condKinds[key]; ok {
		for _, n := range p.args(call, 0) {
			r := Read{Flag: n.s, How: how}
			if !slices.Contains(reads, r) {
				reads = append(reads, r)
			}
		}
	}
	return []string{an + "(" + quoted(0) + ")"}, reads
}

// leadershipWrites are the calls after which the leadership layer changes
// the unit's flags in the same hook.
var leadershipWrites = map[string]bool{
	"leadership.Set": true, "leadership.Delete": true,
}

// writesOf returns the flags changed by a handler function: a function
// literal, a function or method of the package, or an expression holding
// them (reactive.NotUnless(fn, ...)), following calls to the package's own
// functions and methods.
func (p *pass) writesOf(e ast.Expr) []Write {
	var out []Write
	add := func(w Write) {
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	seen := map[types.Object]bool{}
	var walk func(n ast.Node)
	walk = func(n ast.Node) {
		ast.Inspect(n, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Ident:
				obj := p.TypesInfo.Uses[n]
				if obj == nil || seen[obj] {
					return true
				}
				if fn, ok := obj.(*types.Func); ok {
					if fd := p.funcs[fn.Origin()]; fd != nil {
						seen[obj] = true
						walk(fd.Body)
					}
				} else if x, ok := p.assigned[obj]; ok {
					if _, isFunc := obj.Type().Underlying().(*types.Signature); isFunc {
						seen[obj] = true
						walk(x)
					}
				}
			case *ast.CallExpr:
				key := funcKey(typeutil.StaticCallee(p.TypesInfo, n))
				if w, ok := flagWrites[key]; ok && w.arg < len(n.Args) {
					add(Write{Flag: p.eval(n.Args[w.arg]).s, Op: w.op})
				}
				if leadershipWrites[key] {
					keys, del := p.leaderKeys(n, key)
					for i, k := range keys {
						add(Write{Flag: "leadership.changed." + k.n.s, Op: OpSet})
						add(Write{Flag: "leadership.changed", Op: OpSet})
						op := OpSet
						if del[i] {
							op = OpClear
						}
						add(Write{Flag: "leadership.set." + k.n.s, Op: op})
					}
				}
			}
			return true
		})
	}
	walk(e)
	return out
}
