package charmgraph_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/charmkit/charmkit/analysis/charmvet"
	"github.com/charmkit/charmkit/internal/charmgraph"
)

// charms is a small charm in two packages, with every kind of edge, a
// handler name used twice and text that needs escaping.
var charms = []*charmvet.Charm{
	{Package: "a", Handlers: []charmvet.Handler{
		{Name: "h1", Condition: `All(WhenAny("x", "y"), WhenNotAll("z"))`,
			Reads:  []charmvet.Read{{Flag: "x", How: charmvet.WhenAny}, {Flag: "y", How: charmvet.WhenAny}, {Flag: "z", How: charmvet.WhenNotAll}},
			Writes: []charmvet.Write{{Flag: "a<b>#1", Op: charmvet.OpClear}}},
	}, Triggers: []charmvet.Trigger{{WhenNot: "x", ClearFlag: "y"}}},
	{Package: "b", Handlers: []charmvet.Handler{
		{Name: "h1", Condition: "OnlyOnce()", Writes: []charmvet.Write{{Flag: "x", Op: charmvet.OpToggle}}},
	}},
}

// Ensure that the DOT output names every node once, labels and styles the
// edges, numbers a repeated handler name and escapes quotes.
func TestDOT(t *testing.T) {
	want := `digraph charm {
	rankdir=LR;
	node [fontname="sans-serif"];
	edge [fontname="sans-serif", fontsize=10];
	"flag:x" [shape=ellipse, label="x"];
	"flag:y" [shape=ellipse, label="y"];
	"flag:z" [shape=ellipse, label="z"];
	"flag:a<b>#1" [shape=ellipse, label="a<b>#1"];
	"handler:h1" [shape=box, label="h1\nAll(WhenAny(\"x\", \"y\"), WhenNotAll(\"z\"))"];
	"handler:h1#2" [shape=box, label="h1#2\nOnlyOnce()"];
	"flag:x" -> "handler:h1" [label="any"];
	"flag:y" -> "handler:h1" [label="any"];
	"flag:z" -> "handler:h1" [label="not all", style=dashed];
	"handler:h1" -> "flag:a<b>#1" [label="clear", color=red, style=dashed];
	"flag:x" -> "flag:y" [label="trigger on clear: clear", style=dashed];
	"handler:h1#2" -> "flag:x" [label="toggle", color=blue];
}
`
	assert.Equal(t, want, charmgraph.DOT(charms))
}

// Ensure that the Mermaid output uses entity codes for what Mermaid would
// read as markup.
func TestMermaid(t *testing.T) {
	want := `flowchart LR
    f0(["x"])
    f1(["y"])
    f2(["z"])
    f3(["a#lt;b#gt;#35;1"])
    h0["h1<br/>All(WhenAny(#quot;x#quot;, #quot;y#quot;), WhenNotAll(#quot;z#quot;))"]
    h1["h1#35;2<br/>OnlyOnce()"]
    f0 -- any --> h0
    f1 -- any --> h0
    f2 -. not all .-> h0
    h0 -. clear .-> f3
    f0 -. trigger on clear: clear .-> f1
    h1 -- toggle --> f0
`
	assert.Equal(t, want, charmgraph.Mermaid(charms))
	assert.Equal(t, "flowchart LR\n", charmgraph.Mermaid(nil))
}
