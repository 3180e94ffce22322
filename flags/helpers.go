package flags

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/charmkit/charmkit/internal/pyjson"
)

// Store key prefixes of the helpers, the same as charms.reactive's.
const (
	DataChangedPrefix  = "reactive.data_changed."
	FilesChangedPrefix = "reactive.files_changed."
	InvokedPrefix      = "reactive.invoked."
)

// ErrUnknownHash is wrapped by the error returned for a hash name the
// helpers do not know.
var ErrUnknownHash = errors.New("unknown hash type")

// newHash returns the hash Python's hashlib.new(name) would use, for the
// names the standard library covers. The empty name means md5.
func newHash(name string) (hash.Hash, error) {
	switch strings.ToLower(strings.ReplaceAll(name, "-", "_")) {
	case "", "md5":
		return md5.New(), nil
	case "sha1":
		return sha1.New(), nil
	case "sha224":
		return sha256.New224(), nil
	case "sha256":
		return sha256.New(), nil
	case "sha384":
		return sha512.New384(), nil
	case "sha512":
		return sha512.New(), nil
	case "sha512_224":
		return sha512.New512_224(), nil
	case "sha512_256":
		return sha512.New512_256(), nil
	case "sha3_224":
		return sha3.New224(), nil
	case "sha3_256":
		return sha3.New256(), nil
	case "sha3_384":
		return sha3.New384(), nil
	case "sha3_512":
		return sha3.New512(), nil
	}
	return nil, fmt.Errorf("flags: %w %q", ErrUnknownHash, name)
}

// DataDigest returns the hex digest data_changed stores for data: the named
// hash (md5 when empty) of the UTF-8 bytes of Python's
// json.dumps(data, sort_keys=True).
func DataDigest(data any, hashType string) (string, error) {
	h, err := newHash(hashType)
	if err != nil {
		return "", err
	}
	text, err := pyjson.Marshal(data, true)
	if err != nil {
		return "", fmt.Errorf("flags: encoding data for its digest: %w", err)
	}
	h.Write(text)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// DataChanged reports whether data differs from what was last recorded
// under id (true the first time), and records its digest under
// reactive.data_changed.<id> (charms.reactive data_changed). The digest is
// byte-compatible with one written by Python.
func DataChanged(tx *Tx, id string, data any, hashType string) (bool, error) {
	digest, changed, err := dataChanged(tx, id, data, hashType)
	if err != nil || !changed {
		return changed, err
	}
	if err := tx.Set(DataChangedPrefix+id, digest); err != nil {
		return false, err
	}
	return true, nil
}

// IsDataChanged reports what [DataChanged] would, without recording
// anything.
func IsDataChanged(tx *Tx, id string, data any, hashType string) (bool, error) {
	_, changed, err := dataChanged(tx, id, data, hashType)
	return changed, err
}

func dataChanged(tx *Tx, id string, data any, hashType string) (string, bool, error) {
	digest, err := DataDigest(data, hashType)
	if err != nil {
		return "", false, fmt.Errorf("%w (data id %q)", err, id)
	}
	var old *string
	if _, err := tx.Get(DataChangedPrefix+id, &old); err != nil {
		return "", false, err
	}
	return digest, old == nil || *old != digest, nil
}

// FileDigest returns the hex digest of the file's contents with the named
// hash (md5 when empty), or nil when the file does not exist (charm-helpers
// file_hash).
func FileDigest(path, hashType string) (*string, error) {
	h, err := newHash(hashType)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("flags: hashing file: %w", err)
	}
	defer f.Close()
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("flags: hashing file: %w", err)
	}
	d := hex.EncodeToString(h.Sum(nil))
	return &d, nil
}

// AnyFileChanged reports whether any of the files changed since the last
// call that looked at it, comparing digests stored under
// reactive.files_changed.<path> (null for a missing file). It looks at
// every file and records every new digest, even after finding a change.
// A file that never existed is not a change; one that appears, changes or
// disappears is.
func AnyFileChanged(tx *Tx, paths []string, hashType string) (bool, error) {
	return anyFileChanged(tx, paths, hashType, FileDigest)
}

func anyFileChanged(tx *Tx, paths []string, hashType string, digest func(path, hashType string) (*string, error)) (bool, error) {
	if hashType == "" {
		hashType = "md5"
	}
	if _, err := newHash(hashType); err != nil {
		return false, err
	}
	changed := false
	for _, p := range paths {
		key := FilesChangedPrefix + p
		var old *string
		if _, err := tx.Get(key, &old); err != nil {
			return false, err
		}
		cur, err := digest(p, hashType)
		if err != nil {
			return false, err
		}
		if (old == nil) != (cur == nil) || (old != nil && *old != *cur) {
			if err := tx.Set(key, cur); err != nil {
				return false, err
			}
			changed = true
		}
	}
	return changed, nil
}

// WasInvoked reports whether [MarkInvoked] recorded id (charms.reactive
// was_invoked: the stored value, read as Python truthiness; false when
// absent).
func WasInvoked(tx *Tx, id string) bool {
	var v any
	ok, err := tx.Get(InvokedPrefix+id, &v)
	if !ok || err != nil {
		return false
	}
	return pyjson.Truthy(v)
}

// MarkInvoked records id under reactive.invoked.<id> as true.
func MarkInvoked(tx *Tx, id string) error {
	return tx.Set(InvokedPrefix+id, true)
}
