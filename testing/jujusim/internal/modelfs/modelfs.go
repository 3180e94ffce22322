// Package modelfs is the on-disk format of a simulated Juju model shared by
// the jujusim simulator and its fake hook tools: the directory layout, the
// JSON records, flock-based locking and atomic writes.
//
// Layout under the model root:
//
//	model.json                          model name, uuid, Juju version
//	clock.json                          the simulated clock
//	apps/<app>/lock                     flock target for app-scoped state
//	apps/<app>/leader.json              the current leader and its lease
//	apps/<app>/leader-settings.json     {"data":{...},"changes":N}
//	apps/<app>/leases.jsonl             every is-leader True answer
//	units/<app>-<n>/lock                flock target for unit-scoped state
//	units/<app>-<n>/charm/              the unit's charm dir (CHARM_DIR)
//	units/<app>-<n>/tools/              symlinks to the fake tool binary
//	units/<app>-<n>/{config,status,faults,context}.json, calls.jsonl, log.jsonl
//	relations/<id>/meta.json, relations/<id>/<unit-or-app>.json
//	contexts/<ctx-id>/{meta.json,lock,minion,leader-snapshot.json,config-snapshot.json,closed,pending/}
//
// Locks are always taken in the order context, unit, app.
package modelfs

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// SocketName is the file name, inside a unit directory, used as
// JUJU_AGENT_SOCKET_ADDRESS. The fake tools never dial it; they derive the
// unit directory and the model root from it.
const SocketName = "agent.socket"

// Layout names the files of a model rooted at Root.
type Layout struct {
	Root string
}

// UnitDirName turns a unit name ("app/0") into its directory name ("app-0").
func UnitDirName(unit string) string { return strings.ReplaceAll(unit, "/", "-") }

// AppOf returns the application part of a unit name.
func AppOf(unit string) string {
	app, _, _ := strings.Cut(unit, "/")
	return app
}

// ModelFile is model.json.
func (l Layout) ModelFile() string { return filepath.Join(l.Root, "model.json") }

// ClockFile is clock.json.
func (l Layout) ClockFile() string { return filepath.Join(l.Root, "clock.json") }

// AppDir is apps/<app>.
func (l Layout) AppDir(app string) string { return filepath.Join(l.Root, "apps", app) }

// AppLock is apps/<app>/lock.
func (l Layout) AppLock(app string) string { return filepath.Join(l.AppDir(app), "lock") }

// LeaderFile is apps/<app>/leader.json.
func (l Layout) LeaderFile(app string) string { return filepath.Join(l.AppDir(app), "leader.json") }

// SettingsFile is apps/<app>/leader-settings.json.
func (l Layout) SettingsFile(app string) string {
	return filepath.Join(l.AppDir(app), "leader-settings.json")
}

// LeasesFile is apps/<app>/leases.jsonl.
func (l Layout) LeasesFile(app string) string { return filepath.Join(l.AppDir(app), "leases.jsonl") }

// AppStatusFile is apps/<app>/status.json.
func (l Layout) AppStatusFile(app string) string { return filepath.Join(l.AppDir(app), "status.json") }

// UnitDir is units/<app>-<n>.
func (l Layout) UnitDir(unit string) string {
	return filepath.Join(l.Root, "units", UnitDirName(unit))
}

// UnitLock is units/<app>-<n>/lock.
func (l Layout) UnitLock(unit string) string { return filepath.Join(l.UnitDir(unit), "lock") }

// CharmDir is units/<app>-<n>/charm.
func (l Layout) CharmDir(unit string) string { return filepath.Join(l.UnitDir(unit), "charm") }

// ToolsDir is units/<app>-<n>/tools.
func (l Layout) ToolsDir(unit string) string { return filepath.Join(l.UnitDir(unit), "tools") }

// Socket is units/<app>-<n>/agent.socket (never created).
func (l Layout) Socket(unit string) string { return filepath.Join(l.UnitDir(unit), SocketName) }

// UnitFile is a file directly under the unit directory.
func (l Layout) UnitFile(unit, name string) string { return filepath.Join(l.UnitDir(unit), name) }

// RelationDir is relations/<id>.
func (l Layout) RelationDir(id int) string {
	return filepath.Join(l.Root, "relations", fmt.Sprint(id))
}

// RelationBag is relations/<id>/<unit-or-app>.json.
func (l Layout) RelationBag(id int, owner string) string {
	return filepath.Join(l.RelationDir(id), UnitDirName(owner)+".json")
}

// ContextDir is contexts/<id>.
// Unit names inside the id ("app/0-install-…") become "app-0-install-…".
func (l Layout) ContextDir(id string) string {
	return filepath.Join(l.Root, "contexts", UnitDirName(id))
}

// ContextFile is a file under contexts/<id>.
func (l Layout) ContextFile(id, name string) string { return filepath.Join(l.ContextDir(id), name) }

// ModelInfo is model.json.
type ModelInfo struct {
	Name        string `json:"name"`
	UUID        string `json:"uuid"`
	JujuVersion string `json:"juju-version"`
}

// Clock is clock.json: the simulated time in Unix nanoseconds.
type Clock struct {
	Now int64 `json:"now"`
}

// Leader is leader.json. Unit is the unit that holds, or last held,
// leadership; only a Valid record makes it leader (is-leader True). Expires is the
// simulated time (Unix ns) until which the last True is-leader answer
// guarantees leadership.
type Leader struct {
	Unit    string `json:"unit"`
	Epoch   int    `json:"epoch"`
	Valid   bool   `json:"valid"`
	Expires int64  `json:"expires"`
}

// LeaderSettings is leader-settings.json. Changes counts the merges that
// actually changed the bucket.
type LeaderSettings struct {
	Data    map[string]string `json:"data"`
	Changes int               `json:"changes"`
}

// Lease is one line of leases.jsonl: an is-leader True answer.
type Lease struct {
	Unit    string `json:"unit"`
	Context string `json:"context"`
	Time    int64  `json:"time"`
	Epoch   int    `json:"epoch"`
}

// Status is status.json (unit or application).
type Status struct {
	Status  string `json:"status"`
	Message string `json:"message"`
	Time    int64  `json:"time"`
}

// ConfigOption is one option of the charm's config.yaml, with its current value.
type ConfigOption struct {
	Type  string `json:"type"`
	Value any    `json:"value"`
}

// Fault is a tool failure injected for a unit: the tool prints Stderr and
// exits with Code without doing anything else. With Cause set instead, the
// tool fails (exit 1) as Juju's does when the call to the controller fails
// with that cause, e.g. "ERROR leadership status unknown: <cause>".
type Fault struct {
	Code   int    `json:"code"`
	Stderr string `json:"stderr"`
	Cause  string `json:"cause,omitempty"`
}

// LeaseFault is units/<app>-<n>/lease-fault.json: the unit answers True to
// TruesLeft more leadership checks, then loses leadership.
type LeaseFault struct {
	TruesLeft int `json:"trues-left"`
}

// UnitContext is context.json: the unit's live hook context id, empty when
// no hook runs.
type UnitContext struct {
	ID string `json:"id"`
}

// RelationMeta is relations/<id>/meta.json.
type RelationMeta struct {
	ID       int      `json:"id"`
	Endpoint string   `json:"endpoint"`
	App      string   `json:"app"`
	Units    []string `json:"units"`
}

// ContextMeta is contexts/<id>/meta.json.
type ContextMeta struct {
	ID               string `json:"id"`
	Unit             string `json:"unit"`
	App              string `json:"app"`
	Hook             string `json:"hook"`
	RelationID       int    `json:"relation-id"` // -1 outside relation hooks
	RelationEndpoint string `json:"relation-endpoint,omitempty"`
	RemoteUnit       string `json:"remote-unit,omitempty"`
	RemoteApp        string `json:"remote-app,omitempty"`
}

// PendingRelationSet is contexts/<id>/pending/relation-<rid>-<owner>.json,
// the relation-set writes the simulator commits when the hook exits 0.
type PendingRelationSet struct {
	RelationID int               `json:"relation-id"`
	Owner      string            `json:"owner"`
	Settings   map[string]string `json:"settings"`
}

// Call is one line of calls.jsonl: one hook-tool invocation.
type Call struct {
	Context string   `json:"context"`
	Unit    string   `json:"unit"`
	Hook    string   `json:"hook"`
	Tool    string   `json:"tool"`
	Args    []string `json:"args"`
	Stdin   string   `json:"stdin,omitempty"`
	Exit    int      `json:"exit"`
	Stdout  string   `json:"stdout"`
	Stderr  string   `json:"stderr"`
	SimTime int64    `json:"sim-time"`
	Wall    int64    `json:"wall"`
}

// LogRecord is one line of log.jsonl: a juju-log message.
type LogRecord struct {
	Context string `json:"context"`
	Level   string `json:"level"`
	Message string `json:"message"`
	SimTime int64  `json:"sim-time"`
}

// Lock takes a flock on path (created if missing), exclusive or shared, on a
// descriptor opened with O_CLOEXEC. It returns the function that releases it.
func Lock(path string, exclusive bool) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_CLOEXEC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening lock %s: %w", path, err)
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
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// ReadJSON decodes the JSON file at path into v. It reports false, with no
// error, when the file does not exist.
func ReadJSON(path string, v any) (bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("decoding %s: %w", path, err)
	}
	return true, nil
}

// WriteJSON writes v as JSON to path through a temporary file in the same
// directory and a rename, so readers never see a partial file.
func WriteJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	return WriteFileAtomic(path, append(b, '\n'))
}

// WriteFileAtomic writes data to path through a temporary file and a rename.
func WriteFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// AppendJSONL appends v as one JSON line to path. Callers hold the lock that
// guards the file.
func AppendJSONL(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|syscall.O_CLOEXEC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadJSONL decodes every line of the JSON-lines file at path with decode.
// A missing file has no lines.
func ReadJSONL(path string, decode func([]byte) error) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64*1024), 64*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if err := decode(line); err != nil {
			return fmt.Errorf("decoding %s: %w", path, err)
		}
	}
	return sc.Err()
}

// Exists reports whether path exists.
func Exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
