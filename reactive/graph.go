package reactive

import (
	"fmt"
	"strings"
)

// GraphDOT returns the registry's handler/flag graph in Graphviz DOT: one
// box per handler (labelled with its name and condition), one ellipse per
// flag its When* conditions watch, and an edge from each watched flag to
// the handler. Handlers and flags appear in registration order, so the
// output is deterministic. The charmkit-graph subcommand prints it.
func GraphDOT(r *Registry) string {
	var b strings.Builder
	b.WriteString("digraph charm {\n")
	b.WriteString("\trankdir=LR;\n")
	b.WriteString("\tnode [fontname=\"sans-serif\"];\n")
	seen := map[string]bool{}
	hs := r.Handlers()
	for _, h := range hs {
		for _, f := range h.Watched {
			if !seen[f] {
				seen[f] = true
				fmt.Fprintf(&b, "\t%s [shape=ellipse, label=%s];\n", dotID("flag:"+f), dotID(f))
			}
		}
	}
	for _, h := range hs {
		fmt.Fprintf(&b, "\t%s [shape=box, label=%s];\n", dotID("handler:"+h.Name), dotID(h.Name+"\n"+h.Condition))
	}
	for _, h := range hs {
		for _, f := range h.Watched {
			fmt.Fprintf(&b, "\t%s -> %s;\n", dotID("flag:"+f), dotID("handler:"+h.Name))
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// dotID quotes s as a DOT string ID.
func dotID(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`)
	return `"` + r.Replace(s) + `"`
}
