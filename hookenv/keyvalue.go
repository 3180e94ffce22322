package hookenv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Argument size limits of Linux execve: one argument (or environment string) may
// be at most MAX_ARG_STRLEN (32 pages) including its NUL, and the strings of argv
// and envp with their pointers share the budget [execArgLimit] returns (2 MiB with
// the usual 8 MiB stack limit).
const (
	maxArgLen = 128*1024 - 1
	// ptrSize is what each argument or environment string costs in execve's
	// budget beside its bytes and NUL: its pointer.
	ptrSize = 8
	// keyValueReserve is the part of the budget EncodeKeyValues leaves for the
	// rest of the command line: the tool's path (copied twice, as the file name
	// and argv[0]), the tool's own options, and the NULL pointers.
	keyValueReserve = 16 * 1024
)

// execSize returns what strs cost in execve's budget: each string, its NUL and
// its pointer.
func execSize(strs []string) int {
	n := 0
	for _, s := range strs {
		n += len(s) + 1 + ptrSize
	}
	return n
}

// keyValueBudget returns how many bytes of execve's budget key=value arguments may
// take, beside the environment the tool inherits from this process, and that
// environment's size.
func keyValueBudget() (budget, envSize int) {
	envSize = execSize(os.Environ())
	return execArgLimit() - envSize - keyValueReserve, envSize
}

// EncodeKeyValues encodes settings as the sorted key=value arguments that
// leader-set and action-set take (Juju's keyvalues.Parse rules; docs/design.md,
// "key=value arguments"). An empty value encodes as "key=", which leader-set
// treats as a deletion.
//
// It rejects, before any tool runs, what Juju would reject or silently change: an
// empty key, a key containing "=" or starting with "-", a key or value with
// surrounding white space (Juju trims it), a NUL byte, invalid UTF-8, and arguments
// beyond the operating system's limits: one argument over 128 KiB - 1 bytes
// (MAX_ARG_STRLEN), or arguments that do not fit in what execve's budget
// ([execArgLimit], 2 MiB with an 8 MiB stack limit) leaves beside this process's
// environment, which the tool inherits, and 16 KiB for the rest of the command
// line; that error names the keys, largest first. Errors wrap
// [ErrInvalidArgument] and never show a value.
func EncodeKeyValues(settings map[string]string) ([]string, error) {
	keys := make([]string, 0, len(settings))
	for k := range settings {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	args := make([]string, 0, len(keys))
	for _, k := range keys {
		if err := checkSettingKey(k); err != nil {
			return nil, err
		}
		v := settings[k]
		if err := checkSettingValue(k, v); err != nil {
			return nil, err
		}
		arg := k + "=" + v
		if len(arg) > maxArgLen {
			return nil, fmt.Errorf("%w: setting %q is %d bytes, over the %d-byte argument limit", ErrInvalidArgument, k, len(arg), maxArgLen)
		}
		args = append(args, arg)
	}
	if total := execSize(args); total > 64*1024 { // small writes always fit: skip reading the environment
		if budget, envSize := keyValueBudget(); total > budget {
			return nil, fmt.Errorf("%w: settings of %d bytes do not fit in the %d bytes execve leaves for them beside the %d-byte environment (largest: %s)",
				ErrInvalidArgument, total, max(budget, 0), envSize, largestKeys(keys, settings, 5))
		}
	}
	return args, nil
}

// largestKeys names up to n keys, largest setting first (ties in key order), and
// how many more there are: `"a", "b" and 3 more`.
func largestKeys(keys []string, settings map[string]string, n int) string {
	bySize := slices.Clone(keys)
	slices.SortStableFunc(bySize, func(a, b string) int { return len(b) + len(settings[b]) - len(a) - len(settings[a]) })
	var b strings.Builder
	for i, k := range bySize[:min(n, len(bySize))] {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", k)
	}
	if more := len(bySize) - n; more > 0 {
		fmt.Fprintf(&b, " and %d more", more)
	}
	return b.String()
}

// DecodeKeyValues parses key=value arguments exactly as Juju's keyvalues.Parse does
// with empty values allowed: empty arguments are skipped, each argument is split at
// its first "=", key and value are trimmed of surrounding white space, and a missing
// "=", an empty key or a repeated key is an error with Juju's message. It is the
// inverse of [EncodeKeyValues] and what a fake leader-set uses.
func DecodeKeyValues(args []string) (map[string]string, error) {
	out := make(map[string]string, len(args))
	for _, arg := range args {
		if arg == "" {
			continue
		}
		k, v, ok := strings.Cut(arg, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" {
			return nil, fmt.Errorf("expected \"key=value\", got %q", arg)
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("key %q specified more than once", k)
		}
		out[k] = v
	}
	return out, nil
}

// ValidateSettingKey reports why [EncodeKeyValues] would refuse key: empty,
// containing "=" or a NUL byte, starting with "-", surrounding white space (which
// Juju trims) or invalid UTF-8. The error wraps [ErrInvalidArgument] and names the
// key. Readers of settings written by others (the leadership layer) use it to
// hold what they read to the rule of what they write.
func ValidateSettingKey(key string) error { return checkSettingKey(key) }

func checkSettingKey(k string) error {
	switch {
	case k == "":
		return fmt.Errorf("%w: empty key", ErrInvalidArgument)
	case strings.Contains(k, "="):
		return fmt.Errorf("%w: key %q contains \"=\"", ErrInvalidArgument, k)
	case strings.HasPrefix(k, "-"):
		return fmt.Errorf("%w: key %q starts with \"-\"", ErrInvalidArgument, k)
	case !utf8.ValidString(k):
		return fmt.Errorf("%w: key %q is not valid UTF-8", ErrInvalidArgument, k)
	case strings.IndexByte(k, 0) >= 0:
		return fmt.Errorf("%w: key %q contains a NUL byte", ErrInvalidArgument, k)
	case strings.TrimFunc(k, unicode.IsSpace) != k:
		return fmt.Errorf("%w: key %q has surrounding white space, which Juju trims", ErrInvalidArgument, k)
	}
	return nil
}

func checkSettingValue(k, v string) error {
	switch {
	case !utf8.ValidString(v):
		return fmt.Errorf("%w: value of %q is not valid UTF-8", ErrInvalidArgument, k)
	case strings.IndexByte(v, 0) >= 0:
		return fmt.Errorf("%w: value of %q contains a NUL byte", ErrInvalidArgument, k)
	case strings.TrimFunc(v, unicode.IsSpace) != v:
		return fmt.Errorf("%w: value of %q has surrounding white space, which Juju trims", ErrInvalidArgument, k)
	}
	return nil
}

// decodeJSON decodes a tool's --format=json stdout into v. Exactly one JSON value
// (followed by white space) must be present. An error says what is wrong and
// where, never what the output holds: the output may be a secret (leader-get,
// secret-get, relation-get, config-get), cut short or not.
func decodeJSON(tool string, out []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w: %s", tool, ErrBadOutput, describeDecodeError(err, len(out)))
	}
	if rest := out[dec.InputOffset():]; len(bytes.TrimSpace(rest)) != 0 {
		at := dec.InputOffset() + int64(len(rest)-len(bytes.TrimLeft(rest, " \t\r\n")))
		return fmt.Errorf("%s: %w: %d bytes: trailing data after the JSON value at byte %d", tool, ErrBadOutput, len(out), at)
	}
	return nil
}

// describeDecodeError explains a JSON decoding error of n bytes of output
// without quoting any of them: the kind of error and its byte offset, and for a
// type mismatch the JSON kind found, the Go type expected and the path of object
// keys leading to it (keys are names, not values).
func describeDecodeError(err error, n int) string {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case n == 0 || errors.Is(err, io.EOF):
		return fmt.Sprintf("%d bytes: no JSON value", n)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Sprintf("%d bytes: JSON cut short", n)
	case errors.As(err, &syn):
		return fmt.Sprintf("%d bytes: invalid JSON at byte %d", n, syn.Offset)
	case errors.As(err, &typ):
		kind, _, _ := strings.Cut(typ.Value, " ") // "number 12" names the number
		where := ""
		if typ.Field != "" {
			where = fmt.Sprintf(" in %q", typ.Field)
		}
		return fmt.Sprintf("%d bytes: JSON %s%s at byte %d where %s is expected", n, kind, where, typ.Offset, typ.Type)
	}
	return fmt.Sprintf("%d bytes: invalid JSON (%T)", n, err)
}

// decodeStringMap decodes the --format=json output of leader-get -, relation-get -
// and state-get -: a JSON object of strings. "null" gives an empty map.
func decodeStringMap(tool string, out []byte) (map[string]string, error) {
	var m map[string]string
	if err := decodeJSON(tool, out, &m); err != nil {
		return nil, err
	}
	if m == nil {
		m = map[string]string{}
	}
	return m, nil
}

// decodeOptionalString decodes the --format=json output for one key: a JSON string,
// or null for a missing key (ok false).
func decodeOptionalString(tool string, out []byte) (value string, ok bool, err error) {
	var s *string
	if err := decodeJSON(tool, out, &s); err != nil {
		return "", false, err
	}
	if s == nil {
		return "", false, nil
	}
	return *s, true, nil
}

// decodeStrings decodes a JSON list of strings (relation-ids, relation-list,
// opened-ports); null gives an empty list.
func decodeStrings(tool string, out []byte) ([]string, error) {
	var l []string
	if err := decodeJSON(tool, out, &l); err != nil {
		return nil, err
	}
	if l == nil {
		l = []string{}
	}
	return l, nil
}

// decodeBool decodes is-leader's JSON answer, true or false; anything else is an error.
func decodeBool(tool string, out []byte) (bool, error) {
	var b *bool
	if err := decodeJSON(tool, out, &b); err != nil {
		return false, err
	}
	if b == nil {
		return false, fmt.Errorf("%s: %w: null, want true or false", tool, ErrBadOutput)
	}
	return *b, nil
}
