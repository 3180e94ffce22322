package fakejuju

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// Store keeps a [Model] and its journal. The fake's semantics are written
// once, over this interface; only the storage differs between the in-process
// fake ([Memory]) and the out-of-process one, whose tool binary and simulator
// share a model directory ([Dir]).
type Store interface {
	// Update calls fn with the model, holding the store's lock. When fn
	// returns nil, the model as fn left it is kept, with the journal
	// entries fn recorded; otherwise nothing changes.
	Update(fn func(*Model) error) error
	// View calls fn with a copy of the model, holding the store's lock
	// shared. Changes fn makes are dropped.
	View(fn func(*Model) error) error
	// Journal returns every journal entry recorded so far, in order.
	Journal() ([]Entry, error)
}

// Memory is a [Store] in memory, for the in-process fake. It is safe for
// concurrent use.
type Memory struct {
	mu      sync.Mutex
	model   *Model
	journal []Entry
}

var _ Store = (*Memory)(nil)

// NewMemory returns a store holding a copy of m.
func NewMemory(m *Model) *Memory { return &Memory{model: m.Clone()} }

// Update implements [Store]: fn works on a copy that replaces the model
// when fn returns nil.
func (s *Memory) Update(fn func(*Model) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.model.Clone()
	if err := fn(m); err != nil {
		return err
	}
	s.journal = append(s.journal, m.takeJournal()...)
	s.model = m
	return nil
}

// View implements [Store].
func (s *Memory) View(fn func(*Model) error) error {
	s.mu.Lock()
	m := s.model.Clone()
	s.mu.Unlock()
	return fn(m)
}

// Journal implements [Store].
func (s *Memory) Journal() ([]Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Entry(nil), s.journal...), nil
}

// Dir is a [Store] in a directory shared by processes: the model is
// model.json, the journal journal.jsonl, both guarded by a flock on lock.
// model.json is replaced atomically (a temporary file and a rename), so a
// file watcher sees whole models only; it is rewritten only when the model
// changed.
type Dir struct {
	// Path is the directory.
	Path string
}

var _ Store = Dir{}

// Files of a [Dir] store.
const (
	ModelFile   = "model.json"
	JournalFile = "journal.jsonl"
	lockFile    = "lock"
)

// CreateDir makes a [Dir] store in dir (created if needed; it must not hold
// a model yet) holding m.
func CreateDir(dir string, m *Model) (Dir, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Dir{}, fmt.Errorf("fakejuju: %w", err)
	}
	s := Dir{Path: dir}
	unlock, err := s.lock(true)
	if err != nil {
		return Dir{}, err
	}
	defer unlock()
	if _, err := os.Lstat(s.file(ModelFile)); err == nil {
		return Dir{}, fmt.Errorf("fakejuju: %s already holds a model", dir)
	}
	if err := s.saveIfChanged(nil, m); err != nil {
		return Dir{}, err
	}
	return s, nil
}

func (s Dir) file(name string) string { return filepath.Join(s.Path, name) }

// Update implements [Store].
func (s Dir) Update(fn func(*Model) error) error {
	unlock, err := s.lock(true)
	if err != nil {
		return err
	}
	defer unlock()
	raw, m, err := s.load()
	if err != nil {
		return err
	}
	if err := fn(m); err != nil {
		return err
	}
	return s.saveIfChanged(raw, m)
}

// View implements [Store].
func (s Dir) View(fn func(*Model) error) error {
	unlock, err := s.lock(false)
	if err != nil {
		return err
	}
	_, m, err := s.load()
	unlock()
	if err != nil {
		return err
	}
	return fn(m)
}

// Journal implements [Store].
func (s Dir) Journal() ([]Entry, error) {
	out, _, err := s.JournalSince(0)
	return out, err
}

// JournalSince returns the journal entries recorded after byte offset from
// of journal.jsonl, and the offset to pass next time, so that a reader that
// follows the journal reads each entry once.
func (s Dir) JournalSince(from int64) ([]Entry, int64, error) {
	unlock, err := s.lock(false)
	if err != nil {
		return nil, from, err
	}
	defer unlock()
	f, err := os.Open(s.file(JournalFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, from, nil
	}
	if err != nil {
		return nil, from, fmt.Errorf("fakejuju: reading journal: %w", err)
	}
	defer f.Close()
	if _, err := f.Seek(from, io.SeekStart); err != nil {
		return nil, from, fmt.Errorf("fakejuju: reading journal: %w", err)
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, from, fmt.Errorf("fakejuju: reading journal: %w", err)
	}
	var out []Entry
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64*1024), 64*1024*1024)
	for sc.Scan() {
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, from, fmt.Errorf("fakejuju: reading journal: %w", err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, from, fmt.Errorf("fakejuju: reading journal: %w", err)
	}
	return out, from + int64(len(b)), nil
}

// ReadModel decodes model.json without taking the lock: model.json is
// always replaced whole, so a reader sees one complete model (for file
// watchers).
func (s Dir) ReadModel() (*Model, error) {
	b, err := os.ReadFile(s.file(ModelFile))
	if err != nil {
		return nil, fmt.Errorf("fakejuju: reading model: %w", err)
	}
	m, err := decodeModel(b)
	if err != nil {
		return nil, fmt.Errorf("fakejuju: decoding %s: %w", s.file(ModelFile), err)
	}
	return m, nil
}

func (s Dir) load() ([]byte, *Model, error) {
	b, err := os.ReadFile(s.file(ModelFile))
	if err != nil {
		return nil, nil, fmt.Errorf("fakejuju: reading model: %w", err)
	}
	m, err := decodeModel(b)
	if err != nil {
		return nil, nil, fmt.Errorf("fakejuju: decoding %s: %w", s.file(ModelFile), err)
	}
	return b, m, nil
}

func (s Dir) saveIfChanged(old []byte, m *Model) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("fakejuju: encoding model: %w", err)
	}
	b = append(b, '\n')
	if bytes.Equal(b, old) {
		b = nil
	}
	return s.write(b, m.takeJournal())
}

// write replaces model.json with b (when not nil), then appends the journal
// entries. In that order a process killed between the two (a hook tool
// killed with its hook) leaves a change without its record, as Juju's agent
// keeps what a killed tool asked of it, and never a record without its
// change: an is-leader answer journaled while the lease it extended was
// lost would let the next election start inside its guarantee.
func (s Dir) write(b []byte, journal []Entry) error {
	if b != nil {
		if err := WriteFileAtomic(s.file(ModelFile), b, 0o644); err != nil {
			return fmt.Errorf("fakejuju: writing model: %w", err)
		}
	}
	if afterModelWrite != nil {
		afterModelWrite()
	}
	if len(journal) == 0 {
		return nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, e := range journal {
		if err := enc.Encode(e); err != nil {
			return fmt.Errorf("fakejuju: encoding journal: %w", err)
		}
	}
	f, err := os.OpenFile(s.file(JournalFile), os.O_WRONLY|os.O_APPEND|os.O_CREATE|syscall.O_CLOEXEC, 0o644)
	if err != nil {
		return fmt.Errorf("fakejuju: writing journal: %w", err)
	}
	_, werr := f.Write(buf.Bytes())
	if err := errors.Join(werr, f.Close()); err != nil {
		return fmt.Errorf("fakejuju: writing journal: %w", err)
	}
	return nil
}

// afterModelWrite, when set by a test, runs between the two writes of
// [Dir.write].
var afterModelWrite func()

// lock takes the store's flock, exclusive or shared, on a descriptor opened
// with O_CLOEXEC so that no child inherits it, and returns its release.
func (s Dir) lock(exclusive bool) (func(), error) {
	f, err := os.OpenFile(s.file(lockFile), os.O_RDWR|os.O_CREATE|syscall.O_CLOEXEC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("fakejuju: opening lock: %w", err)
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err = syscall.Flock(int(f.Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("fakejuju: locking %s: %w", s.file(lockFile), err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// WriteFileAtomic writes data to path through a temporary file in the same
// directory and a rename, so readers never see a partial file.
func WriteFileAtomic(path string, data []byte, perm fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	if err := errors.Join(werr, tmp.Chmod(perm), tmp.Close()); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
