package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/charmkit/charmkit/flags"
)

// The CLI's results are Python values, so that each output format prints
// them as charm-helpers' OutputFormatter does: string, []string, nil,
// bool, json.Number, []any and *pyDict (a dict that keeps its key order).

// pyDict is a Python dict with its keys in order.
type pyDict struct {
	keys []string
	vals []any
}

// statesOutput is get_states: every set flag with its decoded value, in
// flag-name order.
func statesOutput(fl *flags.Flags) *pyDict {
	vals := fl.Values()
	d := &pyDict{}
	for _, k := range sortedKeys(vals) {
		v, err := decodeOrdered(vals[k])
		if err != nil {
			v = string(vals[k]) // not JSON: show the text
		}
		d.keys = append(d.keys, k)
		d.vals = append(d.vals, v)
	}
	return d
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// decodeOrdered decodes JSON text into Python-like values, keeping the
// order of object keys.
func decodeOrdered(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data after JSON value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '[':
			l := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				l = append(l, v)
			}
			_, err := dec.Token()
			return l, err
		case '{':
			d := &pyDict{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				d.keys = append(d.keys, kt.(string))
				d.vals = append(d.vals, v)
			}
			_, err := dec.Token()
			return d, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	default:
		return t, nil // nil, bool, json.Number, string
	}
}

// writeFormatted prints v in the named format, as charm-helpers'
// OutputFormatter.format_output does.
func writeFormatted(w io.Writer, format string, v any) error {
	var s string
	switch format {
	case "raw":
		if l, ok := v.([]string); ok {
			s = strings.Join(l, "\n")
		} else {
			s = pyStr(v)
		}
	case "json":
		s = pyJSON(v)
	case "py":
		var b strings.Builder
		pprintValue(&b, v, 0, 0)
		s = b.String() + "\n"
	case "yaml":
		s = yamlDump(v)
	case "csv":
		s = csvRows(v, ',')
	case "tab":
		s = csvRows(v, '\t')
	default:
		return fmt.Errorf("unknown output format %q", format)
	}
	_, err := io.WriteString(w, s)
	return err
}

// pyStr is Python's str(v).
func pyStr(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return pyRepr(v)
}

// pyRepr is Python's repr(v).
func pyRepr(v any) string {
	switch t := v.(type) {
	case nil:
		return "None"
	case bool:
		if t {
			return "True"
		}
		return "False"
	case json.Number:
		return t.String()
	case string:
		return pyQuote(t)
	case []string:
		q := make([]string, len(t))
		for i, s := range t {
			q[i] = pyQuote(s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	case []any:
		q := make([]string, len(t))
		for i, s := range t {
			q[i] = pyRepr(s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	case *pyDict:
		q := make([]string, len(t.keys))
		for i, k := range t.keys {
			q[i] = pyQuote(k) + ": " + pyRepr(t.vals[i])
		}
		return "{" + strings.Join(q, ", ") + "}"
	}
	return fmt.Sprint(v)
}

// pyQuote is Python's repr of a str.
func pyQuote(s string) string {
	quote := '\''
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	var b strings.Builder
	b.WriteRune(quote)
	for _, r := range s {
		switch {
		case r == quote || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`)
		case unicode.IsPrint(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x10000:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteRune(quote)
	return b.String()
}

// pyJSON is Python's json.dumps(v) with default arguments.
func pyJSON(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case bool:
		if t {
			return "true"
		}
		return "false"
	case json.Number:
		return t.String()
	case string:
		s, _ := flags.EncodeValue(t)
		return s
	case []string:
		q := make([]string, len(t))
		for i, e := range t {
			q[i] = pyJSON(e)
		}
		return "[" + strings.Join(q, ", ") + "]"
	case []any:
		q := make([]string, len(t))
		for i, e := range t {
			q[i] = pyJSON(e)
		}
		return "[" + strings.Join(q, ", ") + "]"
	case *pyDict:
		q := make([]string, len(t.keys))
		for i, k := range t.keys {
			q[i] = pyJSON(k) + ": " + pyJSON(t.vals[i])
		}
		return "{" + strings.Join(q, ", ") + "}"
	}
	s, _ := flags.EncodeValue(v)
	return s
}

// pprintWidth is pprint's default line width.
const pprintWidth = 80

// pprintValue writes v as pprint.pprint does (width 80, indent 1, dicts
// sorted by key): the repr when it fits, else one item per line.
func pprintValue(b *strings.Builder, v any, indent, allowance int) {
	if l, ok := v.([]string); ok {
		items := make([]any, len(l))
		for i, s := range l {
			items[i] = s
		}
		v = items
	}
	if d, ok := v.(*pyDict); ok {
		v = sortedDict(d)
	}
	rep := pyRepr(v)
	if utf8.RuneCountInString(rep) <= pprintWidth-indent-allowance {
		b.WriteString(rep)
		return
	}
	switch t := v.(type) {
	case []any:
		b.WriteByte('[')
		indent++
		for i, e := range t {
			if i > 0 {
				b.WriteString(",\n" + strings.Repeat(" ", indent))
			}
			a := 1
			if i == len(t)-1 {
				a = allowance + 1
			}
			pprintValue(b, e, indent, a)
		}
		b.WriteByte(']')
	case *pyDict:
		b.WriteByte('{')
		indent++
		for i, k := range t.keys {
			if i > 0 {
				b.WriteString(",\n" + strings.Repeat(" ", indent))
			}
			kr := pyQuote(k)
			b.WriteString(kr + ": ")
			a := 1
			if i == len(t.keys)-1 {
				a = allowance + 1
			}
			pprintValue(b, t.vals[i], indent+utf8.RuneCountInString(kr)+2, a)
		}
		b.WriteByte('}')
	default:
		b.WriteString(rep)
	}
}

func sortedDict(d *pyDict) *pyDict {
	idx := make([]int, len(d.keys))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return d.keys[idx[a]] < d.keys[idx[b]] })
	out := &pyDict{}
	for _, i := range idx {
		out.keys = append(out.keys, d.keys[i])
		out.vals = append(out.vals, d.vals[i])
	}
	return out
}

// csvRows is csv.writer(...).writerows(v): every element of v is a row,
// and a row is iterated for its fields, so a string row gives one field
// per character (charm-helpers does exactly this).
func csvRows(v any, delim rune) string {
	var rows []string
	switch t := v.(type) {
	case string:
		for _, r := range t {
			rows = append(rows, string(r))
		}
	case []string:
		rows = t
	case *pyDict:
		rows = t.keys
	}
	var b strings.Builder
	for _, row := range rows {
		first := true
		for _, r := range row {
			if !first {
				b.WriteRune(delim)
			}
			first = false
			switch r {
			case '"':
				b.WriteString(`""""`)
			case delim, '\r', '\n':
				b.WriteString(`"` + string(r) + `"`)
			default:
				b.WriteRune(r)
			}
		}
		b.WriteString("\r\n")
	}
	return b.String()
}

// yamlDump is PyYAML's safe_dump(v) with its defaults (block style, keys
// sorted, ASCII only).
func yamlDump(v any) string {
	var b strings.Builder
	switch t := v.(type) {
	case []string, []any, *pyDict:
		if yamlEmpty(t) {
			b.WriteString(yamlFlowEmpty(t) + "\n")
		} else {
			yamlBlock(&b, t, 0)
		}
		return b.String()
	}
	s, plain := yamlScalar(v)
	if plain {
		return s + "\n...\n"
	}
	return s + "\n"
}

func yamlEmpty(v any) bool {
	switch t := v.(type) {
	case []string:
		return len(t) == 0
	case []any:
		return len(t) == 0
	case *pyDict:
		return len(t.keys) == 0
	}
	return false
}

func yamlFlowEmpty(v any) string {
	if _, ok := v.(*pyDict); ok {
		return "{}"
	}
	return "[]"
}

// yamlBlock writes a non-empty collection in block style at the indent.
func yamlBlock(b *strings.Builder, v any, indent int) {
	pad := strings.Repeat(" ", indent)
	var items []any
	switch t := v.(type) {
	case []string:
		for _, s := range t {
			items = append(items, s)
		}
	case []any:
		items = t
	case *pyDict:
		d := sortedDict(t)
		for i, k := range d.keys {
			ks, _ := yamlScalar(k)
			b.WriteString(pad + ks + ":")
			yamlChild(b, d.vals[i], indent, true)
		}
		return
	}
	for _, e := range items {
		b.WriteString(pad + "-")
		yamlChild(b, e, indent, false)
	}
}

// yamlChild writes the value after "key:" or "-". PyYAML does not indent a
// sequence inside a mapping, and puts the first entry of a collection
// inside a sequence on the dash's line.
func yamlChild(b *strings.Builder, v any, indent int, inMap bool) {
	switch v.(type) {
	case []string, []any, *pyDict:
		if yamlEmpty(v) {
			b.WriteString(" " + yamlFlowEmpty(v) + "\n")
			return
		}
		_, isMap := v.(*pyDict)
		if inMap {
			b.WriteString("\n")
			if isMap {
				yamlBlock(b, v, indent+2)
			} else {
				yamlBlock(b, v, indent)
			}
			return
		}
		var sub strings.Builder
		yamlBlock(&sub, v, indent+2)
		b.WriteString(" " + strings.TrimPrefix(sub.String(), strings.Repeat(" ", indent+2)))
		return
	}
	s, _ := yamlScalar(v)
	b.WriteString(" " + s + "\n")
}

// yamlResolvers are PyYAML's implicit resolvers (bool, null, int, float,
// timestamp): a plain scalar matching one must be quoted. They are compiled
// on first use, not when every hook process starts.
var yamlResolvers = sync.OnceValue(func() []*regexp.Regexp {
	return []*regexp.Regexp{
		regexp.MustCompile(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`),
		regexp.MustCompile(`^(?:~|null|Null|NULL)$`),
		regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`),
		regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`),
		regexp.MustCompile(`^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$`),
	}
})

// yamlScalar renders a scalar and reports whether it is plain (PyYAML ends
// a document holding only a plain scalar with "...").
func yamlScalar(v any) (string, bool) {
	switch t := v.(type) {
	case nil:
		return "null", true
	case bool:
		if t {
			return "true", true
		}
		return "false", true
	case json.Number:
		if _, err := strconv.ParseInt(t.String(), 10, 64); err == nil {
			return t.String(), true
		}
		f, err := t.Float64()
		if err != nil {
			return t.String(), true
		}
		// PyYAML writes repr(float), with a dot, and .inf/.nan.
		s := strconv.FormatFloat(f, 'g', -1, 64)
		if !strings.ContainsAny(s, ".e") {
			s += ".0"
		}
		return s, true
	case string:
		return yamlString(t)
	}
	return yamlString(fmt.Sprint(v))
}

func yamlString(s string) (string, bool) {
	for _, r := range s {
		if r > 0x7e || (r < 0x20) {
			return yamlDoubleQuoted(s), false
		}
	}
	if yamlNeedsQuotes(s) {
		return "'" + strings.ReplaceAll(s, "'", "''") + "'", false
	}
	return s, true
}

// yamlNeedsQuotes reports whether PyYAML cannot write s as a plain scalar
// in block context (a simplification of its analyze_scalar, plus the
// implicit resolvers that would read it back as another type).
func yamlNeedsQuotes(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' {
		return true
	}
	if strings.ContainsRune("#,[]{}&*!|>'\"%@`", rune(s[0])) {
		return true
	}
	if strings.ContainsRune("-?:", rune(s[0])) && (len(s) == 1 || s[1] == ' ') {
		return true
	}
	if strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.HasSuffix(s, ":") {
		return true
	}
	if s == "<<" || s == "=" {
		return true
	}
	for _, re := range yamlResolvers() {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

func yamlDoubleQuoted(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case 0:
			b.WriteString(`\0`)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\v':
			b.WriteString(`\v`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		case 0x1b:
			b.WriteString(`\e`)
		case 0x85:
			b.WriteString(`\N`)
		case 0xa0:
			b.WriteString(`\_`)
		case 0x2028:
			b.WriteString(`\L`)
		case 0x2029:
			b.WriteString(`\P`)
		default:
			switch {
			case r >= 0x20 && r <= 0x7e:
				b.WriteRune(r)
			case r < 0x100:
				fmt.Fprintf(&b, `\x%02X`, r)
			case r < 0x10000:
				fmt.Fprintf(&b, `\u%04X`, r)
			default:
				fmt.Fprintf(&b, `\U%08X`, r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
