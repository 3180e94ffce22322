package flags

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/charmkit/charmkit/internal/pyjson"
)

// Tx is one transaction on a [Store]: in a charm, the whole hook. Reads see
// the transaction's own writes. Nothing is durable until [Tx.Commit]; after
// [Tx.Rollback] (or a crash) the store is exactly as it was before Begin.
//
// A transaction is either owned or managed. [Store.Begin] returns an owned
// one: its caller ends it with Commit or Rollback. The transaction that
// [Store.Update] and [Store.View] hand to their function is managed, as is
// the one a reactive hook hands to its handlers: whoever manages it commits
// or rolls it back, so its Commit and Rollback do nothing and return
// [ErrTxManaged] (bbolt's managed transactions work the same way). Code
// given a transaction can read and write it, never end it.
//
// Once a transaction has ended, every write (Set, SetRaw, Unset,
// UpdateValues) returns [ErrTxDone]; reads still see its last state.
//
// Values are JSON text. [Tx.Set] encodes a Go value the way Python's
// json.dumps does, so that a store written here reads back byte for byte
// like one written by charm-helpers.
//
// A Tx is not safe for concurrent use.
type Tx struct {
	store   *Store
	base    map[string]string  // committed rows, as read by Begin
	changes map[string]*string // pending writes; nil deletes
	done    bool
	managed bool // Commit and Rollback belong to whoever manages the transaction
	clears  int  // calls of Flags.Clear on this transaction (Flags.Clears)
}

// GetRaw returns the JSON text stored under key.
func (tx *Tx) GetRaw(key string) (string, bool) {
	if v, ok := tx.changes[key]; ok {
		if v == nil {
			return "", false
		}
		return *v, true
	}
	v, ok := tx.base[key]
	return v, ok
}

// Has reports whether key is present.
func (tx *Tx) Has(key string) bool {
	_, ok := tx.GetRaw(key)
	return ok
}

// Get decodes the value stored under key into dst. It reports false, and
// leaves dst alone, when the key is absent.
func (tx *Tx) Get(key string, dst any) (bool, error) {
	raw, ok := tx.GetRaw(key)
	if !ok {
		return false, nil
	}
	if err := json.Unmarshal([]byte(raw), dst); err != nil {
		return true, fmt.Errorf("flags: decoding value of %q: %w", key, err)
	}
	return true, nil
}

// Set stores v, encoded as JSON, under key. Like charm-helpers, a value whose
// encoding equals the stored text is not written again.
func (tx *Tx) Set(key string, v any) error {
	text, err := EncodeValue(v)
	if err != nil {
		return fmt.Errorf("flags: encoding value of %q: %w", key, err)
	}
	return tx.SetRaw(key, text)
}

// SetRaw stores the JSON text under key. The text must be valid JSON.
func (tx *Tx) SetRaw(key, text string) error {
	if tx.done {
		return ErrTxDone
	}
	if key == "" {
		return fmt.Errorf("flags: empty key")
	}
	if !json.Valid([]byte(text)) {
		return fmt.Errorf("flags: value of %q is not valid JSON: %.40q", key, text)
	}
	if cur, ok := tx.GetRaw(key); ok && cur == text {
		return nil
	}
	if base, ok := tx.base[key]; ok && base == text {
		delete(tx.changes, key)
		return nil
	}
	tx.changes[key] = &text
	return nil
}

// Unset deletes key. Deleting an absent key is not a change. On a finished
// transaction it returns [ErrTxDone].
func (tx *Tx) Unset(key string) error {
	if tx.done {
		return ErrTxDone
	}
	if _, ok := tx.base[key]; ok {
		tx.changes[key] = nil
	} else {
		delete(tx.changes, key)
	}
	return nil
}

// Keys returns the keys that start with prefix, sorted. The match is an
// exact byte prefix (charm-helpers uses SQL LIKE, which also ignores ASCII
// case and treats '_' and '%' as wildcards; none of the framework's prefixes
// can tell the difference).
func (tx *Tx) Keys(prefix string) []string {
	var keys []string
	for k := range tx.base {
		if strings.HasPrefix(k, prefix) {
			if v, ok := tx.changes[k]; ok && v == nil {
				continue
			}
			keys = append(keys, k)
		}
	}
	for k, v := range tx.changes {
		if v != nil && strings.HasPrefix(k, prefix) {
			if _, ok := tx.base[k]; !ok {
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}

// Range returns the JSON text of every key that starts with prefix, with the
// prefix removed from the keys when strip is true (charm-helpers getrange).
func (tx *Tx) Range(prefix string, strip bool) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	for _, k := range tx.Keys(prefix) {
		v, _ := tx.GetRaw(k)
		if strip {
			out[strings.TrimPrefix(k, prefix)] = json.RawMessage(v)
		} else {
			out[k] = json.RawMessage(v)
		}
	}
	return out
}

// UpdateValues stores every value of m under prefix+key (charm-helpers update).
func (tx *Tx) UpdateValues(m map[string]any, prefix string) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := tx.Set(prefix+k, m[k]); err != nil {
			return err
		}
	}
	return nil
}

// Dirty reports whether the transaction has changes to commit.
func (tx *Tx) Dirty() bool { return len(tx.changes) > 0 }

// Commit makes every change durable at once and ends the transaction. A
// managed transaction refuses with [ErrTxManaged] and stays open; a finished
// one returns [ErrTxDone].
func (tx *Tx) Commit(ctx context.Context) error {
	if tx.managed {
		return ErrTxManaged
	}
	return tx.commit(ctx)
}

func (tx *Tx) commit(ctx context.Context) error {
	if tx.done {
		return ErrTxDone
	}
	tx.done = true
	defer tx.store.mu.Unlock()
	if err := tx.store.b.commit(ctx, tx.changes); err != nil {
		return fmt.Errorf("flags: commit: %w", err)
	}
	return nil
}

// Rollback drops every change and ends the transaction. Rolling back a
// finished transaction returns [ErrTxDone] and does nothing else; a managed
// one refuses with [ErrTxManaged] and stays open.
func (tx *Tx) Rollback() error {
	if tx.managed {
		return ErrTxManaged
	}
	return tx.rollback()
}

func (tx *Tx) rollback() error {
	if tx.done {
		return ErrTxDone
	}
	tx.done = true
	defer tx.store.mu.Unlock()
	return tx.store.b.rollback()
}

// EncodeValue encodes v as JSON text the way Python's json.dumps does with
// its default arguments: ", " and ": " separators, ASCII-only output with
// \uXXXX escapes, Python's float repr, struct fields in order. Go map keys
// are sorted so that the text is deterministic (Python keeps a dict's
// insertion order, which a Go map does not have).
func EncodeValue(v any) (string, error) {
	b, err := pyjson.Marshal(v, false)
	if err != nil {
		return "", err
	}
	return string(b), nil
}
