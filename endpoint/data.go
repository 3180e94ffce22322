package endpoint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/internal/pyjson"
)

// Data is a read-only view of one relation data bag (or a combination of
// bags): the raw strings Juju holds, and each value decoded as JSON with the
// raw string as fallback, as charms.reactive's received views decode them.
//
// A Data has no method that changes it, and the maps it returns are copies.
// The zero value is an empty bag.
type Data struct {
	raw map[string]string
}

// NewData returns a view of a copy of raw (for tests of code that takes a
// Data).
func NewData(raw map[string]string) Data { return Data{raw: maps.Clone(raw)} }

// Len returns the number of keys.
func (d Data) Len() int { return len(d.raw) }

// Keys returns the keys, sorted.
func (d Data) Keys() []string { return slices.Sorted(maps.Keys(d.raw)) }

// Has reports whether key is present.
func (d Data) Has(key string) bool {
	_, ok := d.raw[key]
	return ok
}

// Raw returns the raw string stored under key and whether it is present
// (received_raw[key]).
func (d Data) Raw(key string) (string, bool) {
	v, ok := d.raw[key]
	return v, ok
}

// RawMap returns a copy of the raw strings.
func (d Data) RawMap() map[string]string {
	m := maps.Clone(d.raw)
	if m == nil {
		m = map[string]string{}
	}
	return m
}

// Get returns the value under key decoded as JSON, or nil when the key is
// absent (received[key]). A value that is not JSON is returned as its raw
// string; "" stays "". JSON numbers become int64 when they are integers
// that fit, float64 otherwise (as hookenv.Config decodes config-get);
// objects become map[string]any and arrays []any.
func (d Data) Get(key string) any {
	v, _ := d.Lookup(key)
	return v
}

// Lookup is [Data.Get] with a second result reporting whether key is
// present (received.get(key, default) is Lookup with the default applied
// when ok is false).
func (d Data) Lookup(key string) (any, bool) {
	raw, ok := d.raw[key]
	if !ok {
		return nil, false
	}
	return decodeValue(raw), true
}

// String returns the value under key as a string: the decoded string when
// the value is a JSON string, the raw text otherwise ("10.0.0.1" and
// "\"10.0.0.1\"" both give 10.0.0.1, "5432" gives 5432). ok is false when
// the key is absent.
func (d Data) String(key string) (string, bool) {
	raw, ok := d.raw[key]
	if !ok {
		return "", false
	}
	if s, isStr := decodeValue(raw).(string); isStr {
		return s, true
	}
	return raw, true
}

// Decode decodes the value under key into v with encoding/json, treating a
// value that is not JSON as a JSON string holding the raw text (so a raw
// "10.0.0.1" decodes into a string). It reports false, leaving v alone,
// when the key is absent.
func (d Data) Decode(key string, v any) (bool, error) {
	raw, ok := d.raw[key]
	if !ok {
		return false, nil
	}
	return true, decodeInto(key, raw, v)
}

// Map returns every value decoded as [Data.Get] decodes it.
func (d Data) Map() map[string]any {
	m := make(map[string]any, len(d.raw))
	for k, raw := range d.raw {
		m[k] = decodeValue(raw)
	}
	return m
}

// decodeInto decodes raw into v, a non-JSON value as a string.
func decodeInto(key, raw string, v any) error {
	text := []byte(raw)
	if raw == "" || !isJSON(raw) {
		text, _ = json.Marshal(raw)
	}
	if err := json.Unmarshal(text, v); err != nil {
		return fmt.Errorf("endpoint: decoding %q: %w", key, err)
	}
	return nil
}

// pyLiterals are the JSON extensions Python's json.loads accepts on their
// own.
var pyLiterals = map[string]float64{"NaN": math.NaN(), "Infinity": math.Inf(1), "-Infinity": math.Inf(-1)}

func isJSON(raw string) bool {
	_, lit := pyLiterals[strings.TrimSpace(raw)]
	return lit || json.Valid([]byte(raw))
}

// decodeValue decodes a raw relation value as charms.reactive does: "" as
// itself, JSON when it parses, the raw string otherwise.
func decodeValue(raw string) any {
	if raw == "" {
		return ""
	}
	if f, ok := pyLiterals[strings.TrimSpace(raw)]; ok {
		return f
	}
	if !json.Valid([]byte(raw)) {
		return raw
	}
	v, err := pyjson.Unmarshal([]byte(raw))
	if err != nil {
		return raw
	}
	return v
}

// valueDigest returns the digest charms.reactive's data_changed stores for a
// raw relation value: md5 of json.dumps(decoded, sort_keys=True), where
// decoded is the JSON value, or the raw string when it is not JSON.
func valueDigest(raw string) (string, error) {
	var v any = raw
	if raw != "" {
		if f, ok := pyLiterals[strings.TrimSpace(raw)]; ok {
			v = f
		} else if json.Valid([]byte(raw)) {
			v = json.RawMessage(raw)
		}
	}
	return flags.DataDigest(v, "md5")
}

// EncodeValue returns the text [Bag.Set] publishes for v: Python's
// json.dumps(v, sort_keys=True), byte for byte (", " and ": " separators,
// non-ASCII as \uXXXX, Python's float repr).
func EncodeValue(v any) (string, error) {
	b, err := pyjson.Marshal(v, true)
	if err != nil {
		return "", fmt.Errorf("endpoint: encoding value: %w", err)
	}
	return string(b), nil
}

// Bag is the local unit's, or the local application's, data bag on one
// relation, as this hook publishes it (charms.reactive's to_publish and
// to_publish_raw, or to_publish_app and to_publish_app_raw): what Juju held
// when the hook first asked for it, plus this hook's changes. The changes
// are sent to Juju once, when the hook succeeds, in one relation-set for the
// bag; a failed hook publishes nothing.
//
// [Bag.Set] encodes values as JSON with sorted keys; [Bag.SetRaw] stores a
// string as it is. An empty raw value is a deletion, as it is for Juju. A
// deleted key is published as a deletion.
type Bag struct {
	relID   string
	app     bool
	data    map[string]string
	touched map[string]bool // keys set or deleted in this hook
}

func newBag(relID string, app bool, data map[string]string) *Bag {
	if data == nil {
		data = map[string]string{}
	}
	return &Bag{relID: relID, app: app, data: data, touched: map[string]bool{}}
}

// RelationID returns the relation the bag belongs to.
func (b *Bag) RelationID() string { return b.relID }

// App reports whether this is the application's bag.
func (b *Bag) App() bool { return b.app }

// Data returns a read-only snapshot of the bag as it is now.
func (b *Bag) Data() Data { return NewData(b.data) }

// Has reports whether key is present.
func (b *Bag) Has(key string) bool {
	_, ok := b.data[key]
	return ok
}

// Raw returns the raw string under key and whether it is present.
func (b *Bag) Raw(key string) (string, bool) {
	v, ok := b.data[key]
	return v, ok
}

// Get returns the value under key decoded as [Data.Get] does; nil when absent.
func (b *Bag) Get(key string) any { return b.Data().Get(key) }

// Lookup is [Data.Lookup] on the bag.
func (b *Bag) Lookup(key string) (any, bool) { return b.Data().Lookup(key) }

// String is [Data.String] on the bag.
func (b *Bag) String(key string) (string, bool) { return b.Data().String(key) }

// Decode is [Data.Decode] on the bag.
func (b *Bag) Decode(key string, v any) (bool, error) { return b.Data().Decode(key, v) }

// Keys returns the keys present, sorted.
func (b *Bag) Keys() []string { return b.Data().Keys() }

// Set stores v encoded as Python's json.dumps(v, sort_keys=True) encodes it
// ("x" is published as "\"x\"", nil as "null", which is a value, not a
// deletion). The key must be a valid relation key: not empty, valid UTF-8,
// no "=", no surrounding white space.
func (b *Bag) Set(key string, v any) error {
	text, err := EncodeValue(v)
	if err != nil {
		return fmt.Errorf("endpoint: %s: setting %q: %w", b.relID, key, err)
	}
	return b.SetRaw(key, text)
}

// SetRaw stores value as it is. An empty value deletes the key.
func (b *Bag) SetRaw(key, value string) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("endpoint: %s: %w", b.relID, err)
	}
	if !utf8.ValidString(value) {
		return fmt.Errorf("endpoint: %s: value of %q: %w: not valid UTF-8", b.relID, key, hookenv.ErrInvalidArgument)
	}
	if value == "" {
		delete(b.data, key)
	} else {
		b.data[key] = value
	}
	b.touched[key] = true
	return nil
}

// SetDefault stores v under key when the key is absent, and returns the
// decoded value now under key (setdefault).
func (b *Bag) SetDefault(key string, v any) (any, error) {
	if _, ok := b.data[key]; !ok {
		if err := b.Set(key, v); err != nil {
			return nil, err
		}
	}
	return b.Get(key), nil
}

// Update sets every key of values with [Bag.Set], in sorted key order.
func (b *Bag) Update(values map[string]any) error {
	for _, k := range slices.Sorted(maps.Keys(values)) {
		if err := b.Set(k, values[k]); err != nil {
			return err
		}
	}
	return nil
}

// Delete deletes key and reports whether it was present. Deleting an absent
// key changes nothing.
func (b *Bag) Delete(key string) bool {
	if _, ok := b.data[key]; !ok {
		return false
	}
	delete(b.data, key)
	b.touched[key] = true
	return true
}

// Modified reports whether the hook changed the bag (set or deleted a key,
// even to the value it had): a modified bag is published when the hook
// succeeds.
func (b *Bag) Modified() bool { return len(b.touched) > 0 }

// changes returns what relation-set must send: every key set or deleted in
// this hook, deletions as "".
func (b *Bag) changes() map[string]string {
	out := make(map[string]string, len(b.touched))
	for k := range b.touched {
		out[k] = b.data[k] // "" when deleted
	}
	return out
}

// checkKey accepts what relation-set stores under the same key.
func checkKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("%w: empty key", hookenv.ErrInvalidArgument)
	case !utf8.ValidString(key):
		return fmt.Errorf("%w: key %q is not valid UTF-8", hookenv.ErrInvalidArgument, key)
	case strings.Contains(key, "="):
		return fmt.Errorf("%w: key %q contains \"=\"", hookenv.ErrInvalidArgument, key)
	case strings.TrimSpace(key) != key:
		return fmt.Errorf("%w: key %q has surrounding white space", hookenv.ErrInvalidArgument, key)
	case bytes.IndexByte([]byte(key), 0) >= 0:
		return fmt.Errorf("%w: key %q contains a NUL byte", hookenv.ErrInvalidArgument, key)
	}
	return nil
}
