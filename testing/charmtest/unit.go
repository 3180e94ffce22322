package charmtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/internal/charmaction"
)

// DefaultUnitName is the name of a [Unit] whose Name is empty.
const DefaultUnitName = "app/0"

// defaultNow is the time the simulated clock reads when Unit.Now is zero.
var defaultNow = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// ErrInvalidUnit is matched by every error [Unit.Validate] returns, and so
// by [Unit.RunDir] (and the test failure of [Unit.Run]) for a unit that
// cannot be simulated or that Juju would never show a charm. Each problem
// names the field and says what to change; docs/charmtest.md lists them.
var ErrInvalidUnit = errors.New("charmtest: invalid unit")

// Store key prefixes the harness splits the store into.
const (
	snapshotPrefix = "leadership.settings."
	stateDBName    = ".unit-state.db"
)

// Unit is one unit's state as plain data: what Juju knows about it (leadership,
// leader settings, config, status, relations) and what the unit keeps itself
// (flags, the leadership snapshot, other store keys, the files of its charm
// directory and of its machine).
//
// The zero value is a fresh, non-leader unit "app/0" before its first hook: no
// flags, no settings, no config but config.yaml's defaults, no files. Build one
// with a composite literal and call [Unit.Run]; feed [Result.Unit] to the next
// Run to chain hooks.
//
// A run checks the unit as Juju would see it (see [Unit.Validate]): config
// against the charm's config.yaml, relations against its metadata.yaml, state
// only a leader can see only on a leader.
//
// Maps and slices in a Unit are never modified by the harness.
type Unit struct {
	// Name is the unit name, "<application>/<number>"; empty means "app/0".
	Name string

	// Charm is the directory of the charm's source, holding its metadata.yaml
	// (or a charmcraft.yaml with the metadata) and config.yaml, which a run
	// reads to check the unit and to give Config its defaults, and puts in
	// the simulated charm directory, as on a unit ([Result.Files] leaves
	// them out unless the hook changed them); the hook also gets the
	// metadata as reactive.RunOptions.Metadata. Empty means: the first directory with
	// a metadata.yaml (or such a charmcraft.yaml) from the working directory
	// (a test's package directory) upwards, up to the module root (the
	// directory with go.mod), as charmkit vet looks; none found means no
	// metadata checks. [NoCharm] turns the lookup off. A metadata.yaml,
	// charmcraft.yaml or config.yaml in Files stands in for the directory's.
	Charm string

	// Leader reports whether the unit holds the application's leadership lease:
	// is-leader answers true and leader-set is allowed.
	Leader bool

	// LoseLeadershipAfter, when positive, makes the unit lose its lease after
	// that many leadership checks answered true (is-leader calls, and the
	// checks of leader-set and other leader-only tools): from then on is-leader
	// answers false and leader-set fails with Juju's "not the leader" error,
	// as when the lease lapses mid-hook. 1 means right after the hook-start
	// is-leader. Only a leader can lose its lease: it needs Leader.
	LoseLeadershipAfter int

	// LeaderSettings is the application's leader-settings bucket in Juju
	// (leader-get / leader-set). Empty values are not allowed: Juju never stores one.
	LeaderSettings map[string]string

	// Snapshot is the unit's leadership snapshot in its store: the leader
	// settings it saw at the end of its last successful hook
	// (store keys leadership.settings.<key>).
	Snapshot map[string]string

	// Tombstones lists snapshot keys the unit has seen deleted: they are stored
	// as JSON null under leadership.settings.<key>. A key may not be both in
	// Snapshot and in Tombstones.
	Tombstones []string

	// Flags lists the set flags (store keys reactive.states.<flag>, value null).
	Flags []string

	// KV holds every other key of the unit's store, as JSON text
	// (e.g. `"hello"`, `8080`, `{"a":1}`), including the framework's own
	// bookkeeping (reactive.dispatch.phase, ...). A flag set with a value
	// appears here under its full key, reactive.states.<flag>, and overrides
	// the null value Flags would give it; so does a snapshot entry that is
	// neither a string nor null (possible in a store written by Python).
	KV map[string]string

	// Config is the charm's configuration as config-get reports it. Values must
	// be string, bool, an integer type, float64, or nil (option without a
	// value). With the charm's config.yaml (see Charm), every key must be an
	// option it declares and every value of the option's type (an error
	// matching [ErrBadConfig] otherwise), and options Config does not mention
	// take their default from it. Without one, an option gets the type of its
	// value.
	Config map[string]any

	// Relations are the relations the unit takes part in, for relation-ids,
	// relation-list, relation-get and relation-set.
	Relations []Relation

	// Files are the unit's files before the hook, by slash-separated path. A
	// relative path ("admin_password", "templates/app.tmpl") is in the charm
	// directory. An absolute path ("/etc/app/app.conf") is on the unit's
	// machine: the run keeps it under a root directory of its own, and a
	// charm reaches it through files.Path (package files), which maps system
	// paths there for the run. A metadata.yaml, charmcraft.yaml or
	// config.yaml here stands in for the charm directory's (see Charm).
	Files map[string]string

	// Modes are the permission bits of Files, by the same paths (fs.ModePerm,
	// and fs.ModeSetuid, fs.ModeSetgid, fs.ModeSticky); a file not listed has
	// mode 0644. A result lists the mode of every file.
	Modes map[string]fs.FileMode

	// Status is the unit's workload status as status-get reports it. The
	// zero value reads as "unknown".
	Status Status
	// AppStatus is the application's status (status-get --application).
	// Only the leader can read it, so it needs Leader.
	AppStatus Status

	// Faults make hook tools fail, by tool name ("is-leader", "leader-set", ...).
	Faults map[string]Fault

	// Secrets are the Juju secrets the unit can see: its application's,
	// its own, and others' granted to its application.
	Secrets []Secret

	// Now is what the simulated clock reads at the start of the hook; zero
	// means 2026-01-01T00:00:00Z. ClockStep is added after every reading, so a
	// hook can see time pass (the 30-second leadership guarantee) without waiting.
	Now       time.Time
	ClockStep time.Duration

	// Env holds hook-context details that are not part of the unit's state.
	Env HookEnv
}

// HookEnv holds the hook-context details that are not part of a unit's state:
// which relation a relation hook is about, and model details.
type HookEnv struct {
	// RelationID is the relation of a relation hook ("peers:1"). Empty means:
	// for a hook named "<endpoint>-relation-<event>", the first relation on that
	// endpoint in [Unit.Relations].
	RelationID string
	// RemoteUnit is JUJU_REMOTE_UNIT of a relation hook. Empty means the first
	// remote unit of the relation, except in -relation-created and
	// -relation-broken where Juju leaves it empty.
	RemoteUnit string
	// ModelName is JUJU_MODEL_NAME; empty means "test-model".
	ModelName string
	// JujuVersion is JUJU_VERSION; empty means "3.6.4".
	JujuVersion string
	// SecretID, SecretLabel and SecretRevision are JUJU_SECRET_ID,
	// JUJU_SECRET_LABEL and JUJU_SECRET_REVISION of a secret hook
	// (secret-changed, secret-remove, ...). An empty SecretID means the
	// unit's only secret, with its label and, for secret-changed,
	// secret-expired and secret-remove, its latest revision.
	SecretID       string
	SecretLabel    string
	SecretRevision int
}

// Relation is one relation of the unit, with its data bags.
type Relation struct {
	// ID is the relation id as Juju prints it, "<endpoint>:<number>".
	ID string
	// RemoteApp is the application at the other end. For a peer relation it is
	// the unit's own application.
	RemoteApp string
	// Units maps each remote unit to its data bag. For a peer relation these are
	// the other units of the application.
	Units map[string]map[string]string
	// LocalData is this unit's own data bag.
	LocalData map[string]string
	// AppData is this unit's application's data bag. In a peer relation every
	// unit of the application reads it and only the leader writes it; in
	// another relation only the leader can read it, so it needs Leader.
	AppData map[string]string
	// RemoteAppData is the remote application's bag. A peer relation has
	// none: its application bag is AppData.
	RemoteAppData map[string]string
}

// Endpoint returns the endpoint part of the relation id ("peers" for "peers:1").
func (r Relation) Endpoint() string {
	ep, _, _ := strings.Cut(r.ID, ":")
	return ep
}

var (
	unitNameRE = regexp.MustCompile(`^([a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*)/(0|[1-9][0-9]*)$`)
	appNameRE  = regexp.MustCompile(`^[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*$`)
	relIDRE    = regexp.MustCompile(`^([a-z][a-z0-9_-]*):(0|[1-9][0-9]*)$`)
	hookNameRE = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)
	// actionNameRE is Juju's rule for action names.
	actionNameRE = regexp.MustCompile(`^[a-z](?:[a-z0-9-]*[a-z0-9])?$`)
)

// name returns the unit name with the default applied.
func (u Unit) name() string {
	if u.Name == "" {
		return DefaultUnitName
	}
	return u.Name
}

// app returns the application part of the unit name.
func (u Unit) app() string {
	a, _, _ := strings.Cut(u.name(), "/")
	return a
}

// Validate reports every problem that keeps u from being simulated, or that
// Juju would never show a charm, joined into one error matching
// [ErrInvalidUnit]. Besides the shape of each field (names, JSON, paths), it
// checks the unit against the charm's metadata.yaml and config.yaml (see
// [Unit.Charm]):
//
//   - every Config key is an option of config.yaml, with a value of its
//     type ([ErrBadConfig] too);
//   - every relation is on an endpoint the metadata declares; a peer
//     endpoint's RemoteApp is the unit's own application and another
//     endpoint's is not; a container-scoped endpoint has one remote unit;
//
// and, with or without the charm's files, that state only a leader can see
// is given only with Leader: AppStatus, the AppData of a relation with
// another application, and LoseLeadershipAfter. A peer relation has no
// RemoteAppData.
func (u Unit) Validate() error {
	_, err := u.validate()
	return err
}

// validate is Validate, returning the charm's metadata and config too.
func (u Unit) validate() (*charmSpec, error) {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, &invalidError{msg: fmt.Sprintf(format, args...)})
	}
	if !unitNameRE.MatchString(u.name()) {
		bad("unit name %q: want <application>/<number>", u.Name)
	}
	u.checkSecrets(bad)
	for _, k := range sortedKeys(u.LeaderSettings) {
		if err := checkSettingsKey(k); err != nil {
			bad("leader setting %q: %v", k, err)
		}
		if u.LeaderSettings[k] == "" {
			bad("leader setting %q: empty value (Juju deletes a key set to \"\")", k)
		}
	}
	for _, k := range sortedKeys(u.Snapshot) {
		if k == "" {
			bad("snapshot: empty key")
		}
		if slices.Contains(u.Tombstones, k) {
			bad("snapshot key %q is also a tombstone", k)
		}
	}
	for _, k := range u.Tombstones {
		if k == "" {
			bad("tombstones: empty key")
		}
	}
	for _, f := range u.Flags {
		if err := flags.ValidateName(f); err != nil {
			bad("flag: %v", err)
		}
	}
	for _, k := range sortedKeys(u.KV) {
		switch {
		case k == "":
			bad("kv: empty key")
		case strings.HasPrefix(k, snapshotPrefix) && u.inSnapshot(k[len(snapshotPrefix):]):
			bad("kv key %q: also given in Snapshot or Tombstones", k)
		case !json.Valid([]byte(u.KV[k])):
			bad("kv key %q: value is not valid JSON: %.40q", k, u.KV[k])
		}
	}
	for _, k := range sortedKeys(u.Config) {
		if _, err := configValue(u.Config[k]); err != nil {
			bad("config option %q: %v", k, err)
		}
	}
	seen := map[string]bool{}
	for i, r := range u.Relations {
		if !relIDRE.MatchString(r.ID) {
			bad("relation id %q: want <endpoint>:<number>", r.ID)
		}
		_, num, _ := strings.Cut(r.ID, ":")
		if seen[num] {
			bad("relation id %q: number %s used twice", r.ID, num)
		}
		seen[num] = true
		if !appNameRE.MatchString(r.RemoteApp) {
			bad("relation %q: remote application %q is not a valid application name", r.ID, r.RemoteApp)
		}
		for _, m := range sortedKeys(r.Units) {
			if !unitNameRE.MatchString(m) {
				bad("relation %q: remote unit %q is not a valid unit name", r.ID, m)
			} else if a, _, _ := strings.Cut(m, "/"); a != r.RemoteApp {
				bad("relation %q: remote unit %q is not a unit of %q", r.ID, m, r.RemoteApp)
			}
			if m == u.name() {
				bad("relation %q: the unit itself is listed as a remote unit: put its own bag in LocalData", r.ID)
			}
		}
		peer := r.RemoteApp == u.app()
		if peer && len(r.RemoteAppData) > 0 {
			bad("Relations[%d] (%q).RemoteAppData: a peer relation (RemoteApp is the unit's own application) has no remote application bag: put the application's data in AppData", i, r.ID)
		}
		if !peer && len(r.AppData) > 0 && !u.Leader {
			bad("Relations[%d] (%q).AppData: only the leader can read its own application's bag in a relation with another application (relation-get --app): set Leader: true, or leave AppData empty on a follower", i, r.ID)
		}
	}
	for _, p := range sortedKeys(u.Files) {
		if err := checkFilePath(p); err != nil {
			bad("file %q: %v", p, err)
		}
	}
	for _, p := range sortedKeys(u.Modes) {
		if _, ok := u.Files[p]; !ok {
			bad("Modes[%q]: no such file in Files: give its content in Files too", p)
		}
		if m := u.Modes[p]; m&^fileModeBits != 0 || m == 0 {
			bad("Modes[%q]: mode %v: want permission bits (and fs.ModeSetuid, fs.ModeSetgid, fs.ModeSticky)", p, m)
		}
	}
	for _, s := range []Status{u.Status, u.AppStatus} {
		if s.State != "" && !slices.Contains(statusStates, s.State) && s.State != "unknown" {
			bad("status %q: want one of %v or unknown", s.State, statusStates)
		}
	}
	if u.AppStatus != (Status{}) && !u.Leader {
		bad("AppStatus: only the leader can read the application's status (status-get --application): set Leader: true, or leave AppStatus empty on a follower")
	}
	for _, t := range sortedKeys(u.Faults) {
		f := u.Faults[t]
		if f.ExitCode < 0 || f.ExitCode > 255 {
			bad("fault on %q: exit code %d out of range", t, f.ExitCode)
		}
		if strings.ContainsAny(f.Message+f.Cause, "\n") {
			bad("fault on %q: message spans lines", t)
		}
		if f.Message != "" && f.Cause != "" {
			bad("fault on %q: both Message and Cause given", t)
		}
	}
	if u.LoseLeadershipAfter < 0 {
		bad("lose leadership after %d checks: negative", u.LoseLeadershipAfter)
	}
	if u.LoseLeadershipAfter > 0 && !u.Leader {
		bad("LoseLeadershipAfter: %d, but only a leader can lose its lease: set Leader: true", u.LoseLeadershipAfter)
	}
	if u.ClockStep < 0 {
		bad("clock step %v is negative", u.ClockStep)
	}
	if u.Env.RemoteUnit != "" && !unitNameRE.MatchString(u.Env.RemoteUnit) {
		bad("env remote unit %q is not a valid unit name", u.Env.RemoteUnit)
	}
	if u.Env.RelationID != "" && !slices.ContainsFunc(u.Relations, func(r Relation) bool { return r.ID == u.Env.RelationID }) {
		bad("env relation %q is not in Relations", u.Env.RelationID)
	}
	spec, err := u.loadCharm()
	if err != nil {
		errs = append(errs, err)
	} else {
		errs = append(errs, spec.checkConfig(u)...)
		errs = append(errs, spec.checkRelations(u)...)
	}
	return spec, errors.Join(errs...)
}

// inSnapshot reports whether key is in Snapshot or Tombstones.
func (u Unit) inSnapshot(key string) bool {
	_, in := u.Snapshot[key]
	return in || slices.Contains(u.Tombstones, key)
}

// fileModeBits are the mode bits a file of Files may have.
const fileModeBits = fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky

// checkFilePath accepts a path of Files: a clean absolute slash-separated
// path on the machine, or a charm-directory path ([checkCharmPath]).
func checkFilePath(p string) error {
	if !path.IsAbs(p) {
		return checkCharmPath(p)
	}
	switch {
	case p == "/":
		return errors.New("the root directory is not a file")
	case path.Clean(p) != p || strings.ContainsRune(p, '\x00'):
		return errors.New("not a clean absolute path")
	}
	return nil
}

// checkCharmPath accepts a clean, relative, slash-separated path that stays
// in the charm directory and is not the store.
func checkCharmPath(p string) error {
	switch {
	case p == "":
		return errors.New("empty path")
	case path.IsAbs(p) || filepath.IsAbs(p):
		return errors.New("absolute path")
	case path.Clean(p) != p || strings.HasPrefix(p, "../") || p == "..":
		return errors.New("not a clean path inside the charm directory")
	case isStoreFile(p):
		return errors.New("the unit state database is built from Flags, Snapshot and KV")
	}
	return nil
}

// isStoreFile reports whether a charm-dir path is the SQLite store or one of
// its side files.
func isStoreFile(p string) bool {
	return p == stateDBName || strings.HasPrefix(p, stateDBName+"-")
}

func checkSettingsKey(k string) error {
	switch {
	case k == "":
		return errors.New("empty key")
	case strings.Contains(k, "="):
		return errors.New("key contains \"=\"")
	case strings.TrimSpace(k) != k:
		return errors.New("key has surrounding white space")
	}
	return nil
}

// configValue normalises a config value to the types config-get reports:
// string, bool, int64, float64 or nil.
func configValue(v any) (any, error) {
	if s, ok := charmaction.Scalar(v); ok {
		return s, nil
	}
	return nil, fmt.Errorf("unsupported type %T (want string, bool, integer, float64 or nil)", v)
}

// clone returns a deep copy of u.
func (u Unit) clone() Unit {
	c := u
	c.LeaderSettings = maps.Clone(u.LeaderSettings)
	c.Snapshot = maps.Clone(u.Snapshot)
	c.Tombstones = slices.Clone(u.Tombstones)
	c.Flags = slices.Clone(u.Flags)
	c.KV = maps.Clone(u.KV)
	c.Config = maps.Clone(u.Config)
	c.Files = maps.Clone(u.Files)
	c.Modes = maps.Clone(u.Modes)
	c.Faults = maps.Clone(u.Faults)
	if u.Secrets != nil {
		c.Secrets = make([]Secret, len(u.Secrets))
		for i, s := range u.Secrets {
			c.Secrets[i] = s
			c.Secrets[i].Revisions = make([]map[string]string, len(s.Revisions))
			for r, content := range s.Revisions {
				c.Secrets[i].Revisions[r] = maps.Clone(content)
			}
		}
	}
	if u.Relations != nil {
		c.Relations = make([]Relation, len(u.Relations))
		for i, r := range u.Relations {
			c.Relations[i] = r.clone()
		}
	}
	return c
}

func (r Relation) clone() Relation {
	c := r
	c.LocalData = maps.Clone(r.LocalData)
	c.AppData = maps.Clone(r.AppData)
	c.RemoteAppData = maps.Clone(r.RemoteAppData)
	if r.Units != nil {
		c.Units = make(map[string]map[string]string, len(r.Units))
		for k, v := range r.Units {
			c.Units[k] = maps.Clone(v)
		}
	}
	return c
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
