// Package pyjson encodes Go values as JSON text byte-identical to Python's
// json.dumps with its default arguments (optionally sort_keys=True).
//
// The differences from encoding/json that matter:
//
//   - separators are ", " between items and ": " after keys;
//   - output is ASCII only: every character outside ' '..'~' is written as a
//     lower-case \uXXXX escape, with surrogate pairs above U+FFFF, and the
//     short escapes \" \\ \n \r \t \b \f;
//   - '<', '>' and '&' are not escaped;
//   - floats use Python's repr (1.0, 1e-05, 1e+16, NaN, Infinity);
//   - object members keep their order (struct field order, the order of a
//     json.RawMessage object), except Go maps, whose keys are always sorted
//     so the output is deterministic; with sortKeys every object is sorted.
//
// Structs follow encoding/json's field rules for exported fields, json tag
// names, "-", omitempty and embedded structs (without encoding/json's
// conflict resolution between equally named promoted fields: the first one
// wins). Types implementing json.Marshaler (with a value receiver) are
// encoded through their JSON, re-formatted; encoding.TextMarshaler values
// are strings.
package pyjson
