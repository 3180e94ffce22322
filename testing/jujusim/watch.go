package jujusim

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/charmkit/charmkit/testing/fakejuju"
)

// watcher follows the fake Juju's model file with fsnotify, as a Juju agent
// watches the controller's leader settings: every event that shows a
// higher settings version of the application counts once (several writes
// may coalesce into one).
type watcher struct {
	w     *fsnotify.Watcher
	store fakejuju.Dir
	mu    sync.Mutex
	seen  map[string]int // by application: highest settings version read after an event
	evs   map[string]int // by application: events that showed a new version
	err   error
	done  chan struct{}
}

func newWatcher(store fakejuju.Dir) (*watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("jujusim: watching leader settings: %w", err)
	}
	// Watch the directory: writes replace the file by rename.
	if err := fw.Add(store.Path); err != nil {
		fw.Close()
		return nil, fmt.Errorf("jujusim: watching leader settings: %w", err)
	}
	w := &watcher{w: fw, store: store, seen: map[string]int{}, evs: map[string]int{}, done: make(chan struct{})}
	go w.loop()
	return w, nil
}

func (w *watcher) loop() {
	defer close(w.done)
	model := filepath.Join(w.store.Path, fakejuju.ModelFile)
	for {
		select {
		case ev, ok := <-w.w.Events:
			if !ok {
				return
			}
			if filepath.Clean(ev.Name) != model || !ev.Has(fsnotify.Create) && !ev.Has(fsnotify.Write) {
				continue
			}
			m, err := w.store.ReadModel()
			if err != nil {
				continue // a later event will show the complete file
			}
			w.mu.Lock()
			for name, a := range m.Apps {
				if v := a.SettingsVersion; v > w.seen[name] {
					w.seen[name] = v
					w.evs[name]++
				}
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

// waitFor blocks until the watcher has seen settings version n of app, and
// returns how many events carried a new version of app's settings so far.
func (w *watcher) waitFor(app string, n int, timeout time.Duration) (int, error) {
	deadline := time.Now().Add(timeout)
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.seen[app] < n && w.err == nil {
		if time.Now().After(deadline) {
			return w.evs[app], fmt.Errorf("jujusim: settings watcher saw version %d of %d of %s after %s", w.seen[app], n, app, timeout)
		}
		w.mu.Unlock()
		time.Sleep(time.Millisecond)
		w.mu.Lock()
	}
	if w.err != nil {
		return w.evs[app], fmt.Errorf("jujusim: settings watcher: %w", w.err)
	}
	return w.evs[app], nil
}

func (w *watcher) close() error {
	err := w.w.Close()
	<-w.done
	if errors.Is(err, fsnotify.ErrClosed) {
		return nil
	}
	return err
}
