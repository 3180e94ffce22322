package pyjson

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxDepth bounds nesting, so a cyclic value is an error, not a crash.
const maxDepth = 1000

// ErrUnsupportedType is wrapped by the error returned for values that have no
// JSON form (channels, functions, complex numbers, maps with unusable keys).
var ErrUnsupportedType = errors.New("pyjson: unsupported type")

// ErrTooDeep is returned for values nested more than 1000 levels deep, which
// includes cyclic values.
var ErrTooDeep = errors.New("pyjson: value nested too deeply (cycle?)")

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	rawMessageType    = reflect.TypeFor[json.RawMessage]()
	numberType        = reflect.TypeFor[json.Number]()
)

// Marshal returns the JSON text of v as Python's json.dumps(v,
// sort_keys=sortKeys) writes it.
func Marshal(v any, sortKeys bool) ([]byte, error) {
	e := &encoder{sortKeys: sortKeys}
	if err := e.value(reflect.ValueOf(v), 0); err != nil {
		return nil, err
	}
	return e.buf.Bytes(), nil
}

type encoder struct {
	buf      bytes.Buffer
	sortKeys bool
}

type member struct {
	key string
	val reflect.Value
}

func (e *encoder) value(v reflect.Value, depth int) error {
	if depth > maxDepth {
		return ErrTooDeep
	}
	if !v.IsValid() {
		e.buf.WriteString("null")
		return nil
	}
	t := v.Type()
	switch t {
	case rawMessageType:
		return e.raw(v.Bytes())
	case numberType:
		return e.raw([]byte(v.String()))
	}
	if t.Implements(marshalerType) && !(t.Kind() == reflect.Pointer && v.IsNil()) {
		b, err := v.Interface().(json.Marshaler).MarshalJSON()
		if err != nil {
			return fmt.Errorf("pyjson: MarshalJSON of %s: %w", t, err)
		}
		return e.raw(b)
	}
	if t.Implements(textMarshalerType) && !(t.Kind() == reflect.Pointer && v.IsNil()) {
		b, err := v.Interface().(encoding.TextMarshaler).MarshalText()
		if err != nil {
			return fmt.Errorf("pyjson: MarshalText of %s: %w", t, err)
		}
		e.str(string(b))
		return nil
	}
	switch t.Kind() {
	case reflect.Bool:
		if v.Bool() {
			e.buf.WriteString("true")
		} else {
			e.buf.WriteString("false")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.buf.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.buf.WriteString(strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		e.buf.WriteString(FormatFloat(v.Float()))
	case reflect.String:
		e.str(v.String())
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			e.buf.WriteString("null")
			return nil
		}
		return e.value(v.Elem(), depth+1)
	case reflect.Slice:
		if v.IsNil() {
			e.buf.WriteString("null")
			return nil
		}
		if t.Elem().Kind() == reflect.Uint8 && !t.Elem().Implements(marshalerType) && !t.Elem().Implements(textMarshalerType) {
			e.str(base64.StdEncoding.EncodeToString(v.Bytes()))
			return nil
		}
		return e.array(v, depth)
	case reflect.Array:
		return e.array(v, depth)
	case reflect.Map:
		if v.IsNil() {
			e.buf.WriteString("null")
			return nil
		}
		ms, err := mapMembers(v)
		if err != nil {
			return err
		}
		return e.object(ms, depth)
	case reflect.Struct:
		var ms []member
		structMembers(v, &ms, map[string]bool{})
		if e.sortKeys {
			slices.SortStableFunc(ms, func(a, b member) int { return strings.Compare(a.key, b.key) })
		}
		return e.object(ms, depth)
	default:
		return fmt.Errorf("%w: %s", ErrUnsupportedType, t)
	}
	return nil
}

func (e *encoder) array(v reflect.Value, depth int) error {
	e.buf.WriteByte('[')
	for i := range v.Len() {
		if i > 0 {
			e.buf.WriteString(", ")
		}
		if err := e.value(v.Index(i), depth+1); err != nil {
			return err
		}
	}
	e.buf.WriteByte(']')
	return nil
}

func (e *encoder) object(ms []member, depth int) error {
	e.buf.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			e.buf.WriteString(", ")
		}
		e.str(m.key)
		e.buf.WriteString(": ")
		if err := e.value(m.val, depth+1); err != nil {
			return err
		}
	}
	e.buf.WriteByte('}')
	return nil
}

// mapMembers returns the members of a map sorted as Python's sorted() would
// sort its keys: strings by code point, integers numerically.
func mapMembers(v reflect.Value) ([]member, error) {
	kt := v.Type().Key()
	type keyed struct {
		m   member
		i   int64
		u   uint64
		num bool
	}
	var ks []keyed
	iter := v.MapRange()
	for iter.Next() {
		k := iter.Key()
		var kk keyed
		switch {
		case kt.Kind() == reflect.String:
			kk.m.key = k.String()
		case kt.Implements(textMarshalerType):
			b, err := k.Interface().(encoding.TextMarshaler).MarshalText()
			if err != nil {
				return nil, fmt.Errorf("pyjson: MarshalText of map key %s: %w", kt, err)
			}
			kk.m.key = string(b)
		case kt.Kind() >= reflect.Int && kt.Kind() <= reflect.Int64:
			kk.i, kk.num = k.Int(), true
			kk.m.key = strconv.FormatInt(kk.i, 10)
		case kt.Kind() >= reflect.Uint && kt.Kind() <= reflect.Uintptr:
			kk.u, kk.num = k.Uint(), true
			kk.m.key = strconv.FormatUint(kk.u, 10)
		default:
			return nil, fmt.Errorf("%w: map key %s", ErrUnsupportedType, kt)
		}
		kk.m.val = iter.Value()
		ks = append(ks, kk)
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		if a.num {
			if kt.Kind() >= reflect.Uint && kt.Kind() <= reflect.Uintptr {
				return cmpOrdered(a.u, b.u)
			}
			return cmpOrdered(a.i, b.i)
		}
		return strings.Compare(a.m.key, b.m.key)
	})
	ms := make([]member, len(ks))
	for i, k := range ks {
		ms[i] = k.m
	}
	return ms, nil
}

func cmpOrdered[T int64 | uint64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// structMembers appends the JSON members of a struct value in field order,
// flattening embedded structs.
func structMembers(v reflect.Value, ms *[]member, seen map[string]bool) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		fv := v.Field(i)
		if sf.Anonymous && name == "" {
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
				if fv.IsNil() {
					continue
				}
				fv = fv.Elem()
			}
			if ft.Kind() == reflect.Struct {
				structMembers(fv, ms, seen)
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		if slices.Contains(strings.Split(opts, ","), "omitempty") && isEmpty(fv) {
			continue
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		*ms = append(*ms, member{key: name, val: fv})
	}
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// str writes s as a Python ensure_ascii JSON string. Invalid UTF-8 becomes
// U+FFFD, as with encoding/json.
func (e *encoder) str(s string) {
	e.buf.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"':
				e.buf.WriteString(`\"`)
			case c == '\\':
				e.buf.WriteString(`\\`)
			case c == '\n':
				e.buf.WriteString(`\n`)
			case c == '\r':
				e.buf.WriteString(`\r`)
			case c == '\t':
				e.buf.WriteString(`\t`)
			case c == '\b':
				e.buf.WriteString(`\b`)
			case c == '\f':
				e.buf.WriteString(`\f`)
			case c < 0x20 || c == 0x7f:
				e.uescape(rune(c))
			default:
				e.buf.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r > 0xffff {
			r -= 0x10000
			e.uescape(0xd800 | (r>>10)&0x3ff)
			e.uescape(0xdc00 | r&0x3ff)
			continue
		}
		e.uescape(r)
	}
	e.buf.WriteByte('"')
}

func (e *encoder) uescape(r rune) {
	const hex = "0123456789abcdef"
	e.buf.WriteString(`\u`)
	e.buf.WriteByte(hex[r>>12&0xf])
	e.buf.WriteByte(hex[r>>8&0xf])
	e.buf.WriteByte(hex[r>>4&0xf])
	e.buf.WriteByte(hex[r&0xf])
}

// FormatFloat returns Python's repr of f: the shortest digits that read back
// as f, in fixed notation when the decimal exponent is between -4 and 16
// (always with a fractional part, "1.0"), otherwise in scientific notation
// with a signed exponent of at least two digits ("1e-05", "1.5e+16").
// NaN and the infinities are written as json.dumps writes them.
func FormatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // -d.ddde±XX
	sign := ""
	if s[0] == '-' {
		sign, s = "-", s[1:]
	}
	mant, expStr, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(expStr)
	digits := strings.Replace(mant, ".", "", 1)
	decpt := exp + 1 // value = 0.digits × 10^decpt
	if f == 0 {
		decpt = 1
	}
	var b strings.Builder
	b.WriteString(sign)
	if decpt <= -4 || decpt > 16 {
		b.WriteByte(digits[0])
		if len(digits) > 1 {
			b.WriteByte('.')
			b.WriteString(digits[1:])
		}
		b.WriteByte('e')
		if exp < 0 {
			b.WriteByte('-')
			exp = -exp
		} else {
			b.WriteByte('+')
		}
		if exp < 10 {
			b.WriteByte('0')
		}
		b.WriteString(strconv.Itoa(exp))
		return b.String()
	}
	switch {
	case decpt <= 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -decpt))
		b.WriteString(digits)
	case decpt >= len(digits):
		b.WriteString(digits)
		b.WriteString(strings.Repeat("0", decpt-len(digits)))
		b.WriteString(".0")
	default:
		b.WriteString(digits[:decpt])
		b.WriteByte('.')
		b.WriteString(digits[decpt:])
	}
	return b.String()
}

// raw re-formats JSON text the way Python's json.dumps(json.loads(text))
// would: Python separators and escapes, integers kept exactly, other
// numbers through float repr, object order kept (sorted with sortKeys).
func (e *encoder) raw(text []byte) error {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	n, err := parseNode(dec, 0)
	if err != nil {
		return fmt.Errorf("pyjson: invalid JSON %.40q: %w", text, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("pyjson: invalid JSON %.40q: trailing data", text)
	}
	return e.node(n)
}

// node is a parsed JSON value that keeps object member order.
type node struct {
	kind    byte // 'n' null, 'b' bool, 's' string, '#' number, '[' array, '{' object
	b       bool
	s       string
	items   []node
	members []nodeMember
}

type nodeMember struct {
	key string
	val node
}

func parseNode(dec *json.Decoder, depth int) (node, error) {
	if depth > maxDepth {
		return node{}, ErrTooDeep
	}
	tok, err := dec.Token()
	if err != nil {
		return node{}, err
	}
	switch t := tok.(type) {
	case nil:
		return node{kind: 'n'}, nil
	case bool:
		return node{kind: 'b', b: t}, nil
	case string:
		return node{kind: 's', s: t}, nil
	case json.Number:
		return node{kind: '#', s: string(t)}, nil
	case json.Delim:
		switch t {
		case '[':
			n := node{kind: '['}
			for dec.More() {
				item, err := parseNode(dec, depth+1)
				if err != nil {
					return node{}, err
				}
				n.items = append(n.items, item)
			}
			_, err := dec.Token()
			return n, err
		case '{':
			n := node{kind: '{'}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return node{}, err
				}
				k, _ := kt.(string)
				val, err := parseNode(dec, depth+1)
				if err != nil {
					return node{}, err
				}
				n.members = append(n.members, nodeMember{key: k, val: val})
			}
			_, err := dec.Token()
			return n, err
		}
	}
	return node{}, fmt.Errorf("unexpected token %v", tok)
}

func (e *encoder) node(n node) error {
	switch n.kind {
	case 'n':
		e.buf.WriteString("null")
	case 'b':
		if n.b {
			e.buf.WriteString("true")
		} else {
			e.buf.WriteString("false")
		}
	case 's':
		e.str(n.s)
	case '#':
		e.buf.WriteString(pyNumber(n.s))
	case '[':
		e.buf.WriteByte('[')
		for i, it := range n.items {
			if i > 0 {
				e.buf.WriteString(", ")
			}
			_ = e.node(it)
		}
		e.buf.WriteByte(']')
	case '{':
		ms := dedupeLast(n.members)
		if e.sortKeys {
			slices.SortStableFunc(ms, func(a, b nodeMember) int { return strings.Compare(a.key, b.key) })
		}
		e.buf.WriteByte('{')
		for i, m := range ms {
			if i > 0 {
				e.buf.WriteString(", ")
			}
			e.str(m.key)
			e.buf.WriteString(": ")
			_ = e.node(m.val)
		}
		e.buf.WriteByte('}')
	}
	return nil
}

// dedupeLast mirrors a Python dict built from members with repeated keys:
// the first position, the last value.
func dedupeLast(ms []nodeMember) []nodeMember {
	idx := map[string]int{}
	var out []nodeMember
	for _, m := range ms {
		if i, ok := idx[m.key]; ok {
			out[i].val = m.val
			continue
		}
		idx[m.key] = len(out)
		out = append(out, m)
	}
	return out
}

// pyNumber converts a JSON number literal as Python's json.loads followed by
// json.dumps would: integers stay exact, anything with a fraction or an
// exponent becomes a float.
func pyNumber(lit string) string {
	if !strings.ContainsAny(lit, ".eE") {
		if lit == "-0" {
			return "0"
		}
		return lit
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil { // out of range: Python gives inf too
		if errors.Is(err, strconv.ErrRange) {
			return FormatFloat(f)
		}
		return lit
	}
	return FormatFloat(f)
}
