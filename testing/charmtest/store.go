package charmtest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/charmkit/charmkit/flags"
)

// openStore opens (creating) the SQLite store at path and writes u's flags,
// snapshot and other keys into it, committed, as a previous hook would have.
func openStore(ctx context.Context, path string, u Unit) (*flags.Store, error) {
	store, err := flags.Open(path, nil)
	if err != nil {
		return nil, fmt.Errorf("charmtest: opening the unit store: %w", err)
	}
	err = store.Update(ctx, func(tx *flags.Tx) error {
		for _, f := range u.Flags {
			if err := tx.SetRaw(flags.FlagPrefix+f, "null"); err != nil {
				return err
			}
		}
		for _, k := range sortedKeys(u.Snapshot) {
			if err := tx.Set(snapshotPrefix+k, u.Snapshot[k]); err != nil {
				return err
			}
		}
		for _, k := range u.Tombstones {
			if err := tx.SetRaw(snapshotPrefix+k, "null"); err != nil {
				return err
			}
		}
		for _, k := range sortedKeys(u.KV) {
			if err := tx.SetRaw(k, u.KV[k]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		_ = store.Close()
		return nil, fmt.Errorf("charmtest: writing the unit's state into its store: %w", err)
	}
	return store, nil
}

// storeState is a unit's store split into the fields of [Unit].
type storeState struct {
	Flags      []string
	Snapshot   map[string]string
	Tombstones []string
	KV         map[string]string
}

// readStore reads the committed content of store back into the fields of [Unit].
func readStore(ctx context.Context, store *flags.Store) (storeState, error) {
	var st storeState
	err := store.View(ctx, func(tx *flags.Tx) error {
		for _, k := range tx.Keys("") {
			raw, _ := tx.GetRaw(k)
			switch {
			case strings.HasPrefix(k, flags.FlagPrefix):
				st.Flags = append(st.Flags, k[len(flags.FlagPrefix):])
				if raw != "null" {
					st.addKV(k, raw)
				}
			case strings.HasPrefix(k, snapshotPrefix):
				key := k[len(snapshotPrefix):]
				var v *string
				if err := json.Unmarshal([]byte(raw), &v); err != nil {
					st.addKV(k, raw) // not a string or null: kept verbatim
					continue
				}
				if v == nil {
					st.Tombstones = append(st.Tombstones, key)
				} else {
					if st.Snapshot == nil {
						st.Snapshot = map[string]string{}
					}
					st.Snapshot[key] = *v
				}
			default:
				st.addKV(k, raw)
			}
		}
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("charmtest: reading the unit store: %w", err)
	}
	slices.Sort(st.Flags)
	slices.Sort(st.Tombstones)
	return st, nil
}

func (st *storeState) addKV(k, raw string) {
	if st.KV == nil {
		st.KV = map[string]string{}
	}
	st.KV[k] = raw
}

// LoadState reads an existing unit store, such as a .unit-state.db written
// by the Python reactive stack or by a charm built with this framework, into
// the store fields of a Unit (Flags, Snapshot, Tombstones, KV); set the
// other fields (Name, Leader, LeaderSettings, ...) before running a hook.
// The file is copied first and never modified.
func LoadState(ctx context.Context, path string) (Unit, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Unit{}, fmt.Errorf("charmtest: loading unit state: %w", err)
	}
	dir, err := os.MkdirTemp("", "charmtest-state-")
	if err != nil {
		return Unit{}, fmt.Errorf("charmtest: loading unit state: %w", err)
	}
	defer os.RemoveAll(dir)
	cp := filepath.Join(dir, stateDBName)
	if err := os.WriteFile(cp, data, 0o600); err != nil {
		return Unit{}, fmt.Errorf("charmtest: loading unit state: %w", err)
	}
	store, err := flags.Open(cp, nil)
	if err != nil {
		return Unit{}, fmt.Errorf("charmtest: loading unit state from %s: %w", path, err)
	}
	defer store.Close()
	st, err := readStore(ctx, store)
	if err != nil {
		return Unit{}, fmt.Errorf("charmtest: loading unit state from %s: %w", path, err)
	}
	return Unit{Flags: st.Flags, Snapshot: st.Snapshot, Tombstones: st.Tombstones, KV: st.KV}, nil
}

// ReadFiles reads the named files of dir (slash-separated paths relative to
// it) for [Unit.Files], e.g. templates the charm reads from its charm
// directory. (A run finds the charm's metadata.yaml and config.yaml by
// itself: see [Unit.Charm].) With no names it reads every regular file
// under dir except a unit store.
func ReadFiles(dir string, names ...string) (map[string]string, error) {
	if len(names) == 0 {
		return readFiles(dir)
	}
	files := make(map[string]string, len(names))
	for _, n := range names {
		if err := checkCharmPath(n); err != nil {
			return nil, fmt.Errorf("charmtest: reading %q: %w", n, err)
		}
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(n)))
		if err != nil {
			return nil, fmt.Errorf("charmtest: reading charm file: %w", err)
		}
		files[n] = string(b)
	}
	return files, nil
}
