package jujusim

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/charmkit/charmkit/testing/jujusim/internal/modelfs"
)

// watcher follows an application's leader-settings.json with fsnotify, as a
// Juju agent watches the controller's settings: every event that shows a
// higher change counter counts once (several writes may coalesce into one).
type watcher struct {
	w    *fsnotify.Watcher
	path string
	mu   sync.Mutex
	seen int // highest change counter read after an event
	evs  int // events that showed a new counter
	err  error
	done chan struct{}
}

func newWatcher(dir, path string) (*watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("jujusim: watching leader settings: %w", err)
	}
	// Watch the directory: writes replace the file by rename.
	if err := fw.Add(dir); err != nil {
		fw.Close()
		return nil, fmt.Errorf("jujusim: watching leader settings: %w", err)
	}
	w := &watcher{w: fw, path: path, done: make(chan struct{})}
	go w.loop()
	return w, nil
}

func (w *watcher) loop() {
	defer close(w.done)
	for {
		select {
		case ev, ok := <-w.w.Events:
			if !ok {
				return
			}
			if filepath.Clean(ev.Name) != filepath.Clean(w.path) || !ev.Has(fsnotify.Create) && !ev.Has(fsnotify.Write) {
				continue
			}
			var s modelfs.LeaderSettings
			if _, err := modelfs.ReadJSON(w.path, &s); err != nil {
				continue // a later event will show the complete file
			}
			w.mu.Lock()
			if s.Changes > w.seen {
				w.seen = s.Changes
				w.evs++
			}
			w.mu.Unlock()
		case err, ok := <-w.w.Errors:
			if !ok {
				return
			}
			w.mu.Lock()
			w.err = err
			w.mu.Unlock()
		}
	}
}

// waitFor blocks until the watcher has seen change counter n, and returns
// how many events carried a new counter so far.
func (w *watcher) waitFor(n int, timeout time.Duration) (int, error) {
	deadline := time.Now().Add(timeout)
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.seen < n && w.err == nil {
		if time.Now().After(deadline) {
			return w.evs, fmt.Errorf("jujusim: settings watcher saw change %d of %d after %s", w.seen, n, timeout)
		}
		w.mu.Unlock()
		time.Sleep(time.Millisecond)
		w.mu.Lock()
	}
	if w.err != nil {
		return w.evs, fmt.Errorf("jujusim: settings watcher: %w", w.err)
	}
	return w.evs, nil
}

func (w *watcher) close() error {
	err := w.w.Close()
	<-w.done
	if errors.Is(err, fsnotify.ErrClosed) {
		return nil
	}
	return err
}
