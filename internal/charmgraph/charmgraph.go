// Package charmgraph draws the handler/flag graph that the charmvet
// analyzer finds in a charm's code, as Graphviz DOT or Mermaid, for
// `charmkit graph`.
//
// The graph has a node per handler and per flag, an edge from each flag a
// handler's condition watches to the handler, and an edge from the handler
// to each flag its function (or a function of the same package that it
// calls) sets or clears; triggers are edges between flags. Nodes and edges
// come in source order, so the same code always gives the same text.
package charmgraph

import (
	"fmt"
	"strings"

	"github.com/charmkit/charmkit/analysis/charmvet"
)

// graph is the charms' handlers, flags and edges, numbered in order.
type graph struct {
	flags    []string
	flagID   map[string]int
	handlers []node
	edges    []edge
}

type node struct {
	name, label string
}

// ref is a node: a flag or a handler, by index.
type ref struct {
	handler bool
	i       int
}

type edge struct {
	from, to ref
	kind     string // a charmvet When*/Op* constant, or a trigger's kind
}

func build(charms []*charmvet.Charm) *graph {
	g := &graph{flagID: map[string]int{}}
	flag := func(f string) ref {
		id, ok := g.flagID[f]
		if !ok {
			id = len(g.flags)
			g.flagID[f] = id
			g.flags = append(g.flags, f)
		}
		return ref{i: id}
	}
	names := map[string]int{}
	for _, c := range charms {
		for _, h := range c.Handlers {
			name := h.Name
			if names[h.Name]++; names[h.Name] > 1 {
				name = fmt.Sprintf("%s#%d", h.Name, names[h.Name])
			}
			hid := ref{handler: true, i: len(g.handlers)}
			g.handlers = append(g.handlers, node{name: name, label: name + "\n" + h.Condition})
			for _, r := range h.Reads {
				g.edges = append(g.edges, edge{from: flag(r.Flag), to: hid, kind: r.How})
			}
			for _, w := range h.Writes {
				g.edges = append(g.edges, edge{from: hid, to: flag(w.Flag), kind: w.Op})
			}
		}
		for _, t := range c.Triggers {
			from, kind := t.When, "trigger"
			if from == "" {
				from, kind = t.WhenNot, "trigger-not"
			}
			if t.SetFlag != "" {
				g.edges = append(g.edges, edge{from: flag(from), to: flag(t.SetFlag), kind: kind + "-set"})
			}
			if t.ClearFlag != "" {
				g.edges = append(g.edges, edge{from: flag(from), to: flag(t.ClearFlag), kind: kind + "-clear"})
			}
		}
	}
	return g
}

// edgeLabels are the words on the edges.
var edgeLabels = map[string]string{
	charmvet.WhenAll:    "",
	charmvet.WhenNone:   "not",
	charmvet.WhenAny:    "any",
	charmvet.WhenNotAll: "not all",
	charmvet.OpSet:      "set",
	charmvet.OpClear:    "clear",
	charmvet.OpToggle:   "toggle",
	"trigger-set":       "trigger: set",
	"trigger-clear":     "trigger: clear",
	"trigger-not-set":   "trigger on clear: set",
	"trigger-not-clear": "trigger on clear: clear",
}

// dashed reports the edges drawn dashed: negations and clears.
func dashed(kind string) bool {
	switch kind {
	case charmvet.WhenNone, charmvet.WhenNotAll, charmvet.OpClear:
		return true
	}
	return strings.HasPrefix(kind, "trigger")
}

var dotColors = map[string]string{
	charmvet.OpSet:    "darkgreen",
	charmvet.OpClear:  "red",
	charmvet.OpToggle: "blue",
}

// DOT returns the graph in Graphviz DOT: flags are ellipses, handlers boxes
// labelled with their name and condition.
func DOT(charms []*charmvet.Charm) string {
	g := build(charms)
	id := func(r ref) string {
		if r.handler {
			return dotQuote("handler:" + g.handlers[r.i].name)
		}
		return dotQuote("flag:" + g.flags[r.i])
	}
	var b strings.Builder
	b.WriteString("digraph charm {\n\trankdir=LR;\n\tnode [fontname=\"sans-serif\"];\n\tedge [fontname=\"sans-serif\", fontsize=10];\n")
	for _, f := range g.flags {
		fmt.Fprintf(&b, "\t%s [shape=ellipse, label=%s];\n", dotQuote("flag:"+f), dotQuote(f))
	}
	for _, h := range g.handlers {
		fmt.Fprintf(&b, "\t%s [shape=box, label=%s];\n", dotQuote("handler:"+h.name), dotQuote(h.label))
	}
	for _, e := range g.edges {
		var attrs []string
		if l := edgeLabels[e.kind]; l != "" {
			attrs = append(attrs, "label="+dotQuote(l))
		}
		if c := dotColors[e.kind]; c != "" {
			attrs = append(attrs, "color="+c)
		}
		if dashed(e.kind) {
			attrs = append(attrs, "style=dashed")
		}
		a := ""
		if len(attrs) > 0 {
			a = " [" + strings.Join(attrs, ", ") + "]"
		}
		fmt.Fprintf(&b, "\t%s -> %s%s;\n", id(e.from), id(e.to), a)
	}
	b.WriteString("}\n")
	return b.String()
}

// dotQuote quotes s as a DOT string.
func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`)
	return `"` + r.Replace(s) + `"`
}

// Mermaid returns the graph as a Mermaid flowchart: flags are stadiums,
// handlers rectangles labelled with their name and condition; dotted
// edges are negations, clears and triggers.
func Mermaid(charms []*charmvet.Charm) string {
	g := build(charms)
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	for i, f := range g.flags {
		fmt.Fprintf(&b, "    f%d([\"%s\"])\n", i, mermaidText(f))
	}
	for i, h := range g.handlers {
		fmt.Fprintf(&b, "    h%d[\"%s\"]\n", i, mermaidText(h.label))
	}
	id := func(r ref) string {
		if r.handler {
			return fmt.Sprintf("h%d", r.i)
		}
		return fmt.Sprintf("f%d", r.i)
	}
	for _, e := range g.edges {
		from, to := id(e.from), id(e.to)
		l := edgeLabels[e.kind]
		switch {
		case dashed(e.kind) && l != "":
			fmt.Fprintf(&b, "    %s -. %s .-> %s\n", from, mermaidText(l), to)
		case dashed(e.kind):
			fmt.Fprintf(&b, "    %s -.-> %s\n", from, to)
		case l != "":
			fmt.Fprintf(&b, "    %s -- %s --> %s\n", from, mermaidText(l), to)
		default:
			fmt.Fprintf(&b, "    %s --> %s\n", from, to)
		}
	}
	return b.String()
}

// mermaidText escapes text for a quoted Mermaid label.
func mermaidText(s string) string {
	r := strings.NewReplacer("#", "#35;", `"`, "#quot;", "<", "#lt;", ">", "#gt;", "\n", "<br/>")
	return r.Replace(s)
}
