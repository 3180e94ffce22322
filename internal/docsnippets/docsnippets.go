// Package docsnippets keeps the code that the documentation shows identical
// to code that compiles and whose tests pass.
//
// In a Markdown file, a comment on the line just before a fenced block names
// where the block comes from:
//
//	<!-- snippet: examples/howto/render/main.go#configure -->
//	```go
//	...
//	```
//
// The path is relative to the module root. With #name, the block is the
// region of that file between a line "// snippet:name" (or "# snippet:name"
// in YAML) and the matching "// end snippet" (or "# end snippet"), with the
// marker lines of regions nested in it left out, blank lines at either end
// dropped and the indentation the region's lines share removed. Without
// #name, the block is the whole file, marker lines left out.
//
//	<!-- graph: ./examples/password-charm/... -->
//	```mermaid
//	...
//	```
//
// names the packages whose handler/flag graph (charmkit graph -format
// mermaid) the block holds.
//
// The tests of this package check every such block of the repository's
// documents against its source, and that every Go block of the how-tos, the
// tutorial and the porting guide has a snippet comment; with -update they
// rewrite the blocks instead:
//
//	go test ./internal/docsnippets -update
package docsnippets

import (
	"fmt"
	"regexp"
	"strings"
)

// Block is a fenced code block of a Markdown file that a snippet or graph
// comment names the source of.
type Block struct {
	Line   int    // 1-based line of the comment
	Kind   string // "snippet" or "graph"
	Source string // the snippet's path or the graph's package patterns
	Name   string // the snippet's region; "" for a whole file
	Lang   string // the fence's info string: go, yaml, mermaid, ...
	Body   string // the block's content, each line ending in "\n"

	start, end int // byte offsets of Body in the Markdown text
}

// Ref returns the block's source as its comment writes it.
func (b Block) Ref() string {
	if b.Name == "" {
		return b.Source
	}
	return b.Source + "#" + b.Name
}

var (
	commentRE = regexp.MustCompile(`^<!-- (snippet|graph): *(.+?) *-->$`)
	fenceRE   = regexp.MustCompile("^(```+|~~~+)(.*)$")
)

// Fence is one fenced code block of a Markdown file.
type Fence struct {
	Line int    // 1-based line of the opening fence
	Lang string // its info string
	Prev string // the line before the opening fence, "" for none
}

// Parse returns the fenced blocks of a Markdown text that carry a snippet
// or graph comment, and every fenced block, with or without one. A comment
// not followed by a fence is an error.
func Parse(md string) (blocks []Block, fences []Fence, err error) {
	lines := strings.SplitAfter(md, "\n")
	offset := 0
	var open *Fence
	var openBlock *Block
	prev := ""
	for i, line := range lines {
		text := strings.TrimRight(line, "\n")
		lineStart := offset
		offset += len(line)
		if open != nil {
			if m := fenceRE.FindStringSubmatch(strings.TrimSpace(text)); m != nil && strings.TrimSpace(m[2]) == "" {
				if openBlock != nil {
					openBlock.end = lineStart
					openBlock.Body = md[openBlock.start:openBlock.end]
					blocks = append(blocks, *openBlock)
				}
				fences = append(fences, *open)
				open, openBlock = nil, nil
			}
			prev = text
			continue
		}
		if m := fenceRE.FindStringSubmatch(strings.TrimLeft(text, " ")); m != nil {
			open = &Fence{Line: i + 1, Lang: strings.TrimSpace(m[2]), Prev: prev}
			if c := commentRE.FindStringSubmatch(strings.TrimSpace(prev)); c != nil {
				b := Block{Line: i, Kind: c[1], Lang: open.Lang, start: offset}
				b.Source, b.Name, _ = strings.Cut(c[2], "#")
				if b.Kind == "graph" {
					b.Source, b.Name = c[2], ""
				}
				openBlock = &b
			}
			prev = text
			continue
		}
		if commentRE.MatchString(strings.TrimSpace(prev)) && i > 0 {
			return nil, nil, fmt.Errorf("line %d: %s is not followed by a fenced code block", i, strings.TrimSpace(prev))
		}
		prev = text
	}
	if open != nil {
		return nil, nil, fmt.Errorf("line %d: the fenced code block is not closed", open.Line)
	}
	if commentRE.MatchString(strings.TrimSpace(prev)) {
		return nil, nil, fmt.Errorf("line %d: %s is not followed by a fenced code block", len(lines), strings.TrimSpace(prev))
	}
	return blocks, fences, nil
}

// Replace returns the Markdown text with the bodies of the blocks (as Parse
// returned them from md) replaced by the bodies in the blocks given.
func Replace(md string, blocks []Block) string {
	var b strings.Builder
	last := 0
	for _, blk := range blocks {
		b.WriteString(md[last:blk.start])
		b.WriteString(blk.Body)
		last = blk.end
	}
	b.WriteString(md[last:])
	return b.String()
}

var (
	startRE = regexp.MustCompile(`^\s*(?://|#) snippet:([A-Za-z0-9_.-]+)\s*$`)
	endRE   = regexp.MustCompile(`^\s*(?://|#) end snippet\s*$`)
)

// Extract returns the region name of a source file, or the whole file for
// name "", as a block shows it: marker lines left out, blank lines at
// either end dropped, the indentation its lines share removed, each line
// ending in "\n".
func Extract(src, name string) (string, error) {
	lines := strings.Split(strings.TrimRight(src, "\n"), "\n")
	var out []string
	depth := 0 // open regions inside the one extracted
	in := name == ""
	found := name == ""
	for i, line := range lines {
		start, end := startRE.FindStringSubmatch(line), endRE.MatchString(line)
		switch {
		case start != nil && !in && start[1] == name:
			if found {
				return "", fmt.Errorf("snippet %q starts twice (line %d)", name, i+1)
			}
			in, found = true, true
		case start != nil:
			if in {
				depth++
			}
		case end && in && name != "" && depth == 0:
			in = false
		case end:
			if in {
				depth--
			}
		case in:
			out = append(out, line)
		}
	}
	if !found {
		return "", fmt.Errorf("no snippet %q (a line \"// snippet:%s\")", name, name)
	}
	if in && name != "" {
		return "", fmt.Errorf("snippet %q has no \"// end snippet\"", name)
	}
	for len(out) > 0 && strings.TrimSpace(out[0]) == "" {
		out = out[1:]
	}
	for len(out) > 0 && strings.TrimSpace(out[len(out)-1]) == "" {
		out = out[:len(out)-1]
	}
	if len(out) == 0 {
		return "", fmt.Errorf("snippet %q is empty", name)
	}
	indent := ""
	first := true
	for _, l := range out {
		if strings.TrimSpace(l) == "" {
			continue
		}
		lead := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if first {
			indent, first = lead, false
			continue
		}
		for !strings.HasPrefix(lead, indent) {
			indent = indent[:len(indent)-1]
		}
	}
	var b strings.Builder
	for _, l := range out {
		b.WriteString(strings.TrimRight(strings.TrimPrefix(l, indent), " \t"))
		b.WriteByte('\n')
	}
	return b.String(), nil
}
