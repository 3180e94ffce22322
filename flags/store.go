package flags

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
)

// ErrClosed is returned by [Store.Begin] after [Store.Close].
var ErrClosed = errors.New("flags: store is closed")

// ErrTxDone is returned by the writes, Commit and Rollback of a [Tx] that
// has been committed or rolled back.
var ErrTxDone = errors.New("flags: transaction already committed or rolled back")

// ErrTxManaged is returned by Commit and Rollback of a managed [Tx]: one
// handed out by [Store.Update], [Store.View] or a reactive hook, which end
// it themselves. The transaction stays open and unchanged.
var ErrTxManaged = errors.New("flags: managed transaction: only its manager commits or rolls it back")

// backend is the durable part of a store: the SQLite file or a map in memory.
//
// begin takes the store's write lock (waiting for another writer up to a
// bound), reads every row of the kv table and returns it. commit writes the
// changes (a nil value deletes the key) in one transaction and releases the
// lock; rollback releases the lock and writes nothing.
type backend interface {
	begin(ctx context.Context) (map[string]string, error)
	commit(ctx context.Context, changes map[string]*string) error
	rollback() error
	close() error
}

// Store is a unit's persistent key/value state: flags, the leadership
// snapshot and any charm data, kept as JSON text under string keys in the
// layout of charm-helpers' unitdata (table kv(key, data)).
//
// All reads and writes go through a [Tx]. A Store allows one transaction at
// a time: within a process Begin waits for the current transaction to end,
// and across processes the SQLite store waits (up to its lock timeout) for
// the other writer.
type Store struct {
	b    backend
	mu   sync.Mutex // held from Begin until Commit or Rollback
	cmu  sync.Mutex // guards closed
	open bool
}

// OpenMemory returns an empty store held in memory. Committed data lives as
// long as the Store value; it is meant for unit tests.
func OpenMemory() *Store {
	return &Store{b: &memBackend{data: map[string]string{}}, open: true}
}

// Begin starts a transaction. Only one transaction runs at a time: Begin
// blocks until the previous one ends, or until ctx is done.
func (s *Store) Begin(ctx context.Context) (*Tx, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	s.cmu.Lock()
	open := s.open
	s.cmu.Unlock()
	if !open {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	data, err := s.b.begin(ctx)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	return &Tx{store: s, base: data, changes: map[string]*string{}}, nil
}

func (s *Store) lock(ctx context.Context) error {
	if s.mu.TryLock() {
		return nil
	}
	done := make(chan struct{})
	go func() {
		s.mu.Lock()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		go func() { <-done; s.mu.Unlock() }()
		return fmt.Errorf("flags: waiting for the store: %w", ctx.Err())
	}
}

// Update runs fn in a managed transaction (its Commit and Rollback return
// [ErrTxManaged]). The transaction commits when fn returns nil and rolls
// back when fn returns an error or panics (the panic is then re-raised).
func (s *Store) Update(ctx context.Context, fn func(*Tx) error) (err error) {
	tx, err := s.Begin(ctx)
	if err != nil {
		return err
	}
	tx.managed = true
	defer func() {
		if r := recover(); r != nil {
			_ = tx.rollback()
			panic(r)
		}
	}()
	if err := fn(tx); err != nil {
		_ = tx.rollback()
		return err
	}
	return tx.commit(ctx)
}

// View runs fn in a managed transaction that is always rolled back.
func (s *Store) View(ctx context.Context, fn func(*Tx) error) error {
	tx, err := s.Begin(ctx)
	if err != nil {
		return err
	}
	tx.managed = true
	defer tx.rollback()
	return fn(tx)
}

// Close releases the store. A transaction still open is rolled back by its
// owner; Close waits for it to end.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cmu.Lock()
	defer s.cmu.Unlock()
	if !s.open {
		return nil
	}
	s.open = false
	return s.b.close()
}

// memBackend keeps committed data in a map.
type memBackend struct {
	data map[string]string
}

func (m *memBackend) begin(context.Context) (map[string]string, error) {
	return maps.Clone(m.data), nil
}

func (m *memBackend) commit(_ context.Context, changes map[string]*string) error {
	for k, v := range changes {
		if v == nil {
			delete(m.data, k)
		} else {
			m.data[k] = *v
		}
	}
	return nil
}

func (m *memBackend) rollback() error { return nil }
func (m *memBackend) close() error    { return nil }
