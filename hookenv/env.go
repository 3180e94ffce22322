package hookenv

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Env is the hook context the unit agent passes in the environment
// (docs/design.md, "The hook environment").
type Env struct {
	InHook        bool    // JUJU_CONTEXT_ID is set: we run inside a hook or action
	ContextID     string  // JUJU_CONTEXT_ID
	UnitName      string  // JUJU_UNIT_NAME, "app/0"
	AppName       string  // the application part of UnitName
	UnitNumber    int     // the number part of UnitName
	ModelName     string  // JUJU_MODEL_NAME
	ModelUUID     string  // JUJU_MODEL_UUID
	CharmDir      string  // JUJU_CHARM_DIR, else CHARM_DIR
	HookName      string  // the event, resolved by [HookName]; "" in an action
	DispatchPath  string  // JUJU_DISPATCH_PATH, "hooks/<hook>" or "actions/<action>"
	RelationName  string  // JUJU_RELATION, the endpoint in relation hooks
	RelationID    string  // JUJU_RELATION_ID, "<endpoint>:<id>"
	RemoteUnit    string  // JUJU_REMOTE_UNIT; empty in -relation-created and -broken
	RemoteApp     string  // JUJU_REMOTE_APP
	DepartingUnit string  // JUJU_DEPARTING_UNIT in -relation-departed
	ActionName    string  // JUJU_ACTION_NAME, or the name in JUJU_DISPATCH_PATH
	ActionUUID    string  // JUJU_ACTION_UUID
	JujuVersion   Version // JUJU_VERSION; zero when unset (meter-status-changed)
	// The secret a secret hook (secret-changed, -rotate, -expired, -remove)
	// is about: JUJU_SECRET_ID (in secret-changed "secret:<id>"; compare IDs
	// with ParseSecretID), JUJU_SECRET_LABEL (possibly empty) and
	// JUJU_SECRET_REVISION (secret-remove and secret-expired only; 0 when
	// unset).
	SecretID       string
	SecretLabel    string
	SecretRevision int
}

// IsAction reports whether the context runs an action rather than a hook.
func (e Env) IsAction() bool { return e.ActionName != "" }

// EnvError reports one missing or malformed environment variable. It matches
// [ErrMissingEnv] (errors.Is) when the variable is unset or empty.
type EnvError struct {
	Var    string // the variable, e.g. "JUJU_UNIT_NAME"
	Value  string // its value ("" when missing)
	Reason string // what is wrong, e.g. `invalid unit name`
}

// ErrMissingEnv is matched by an [*EnvError] for a variable that a hook context
// always sets but that is unset or empty.
var ErrMissingEnv = errors.New("environment variable not set")

// Error returns e.g. `JUJU_UNIT_NAME not set` or `JUJU_VERSION "x": invalid version`.
func (e *EnvError) Error() string {
	if e.Value == "" && e.Reason == "" {
		return e.Var + " not set"
	}
	return fmt.Sprintf("%s %q: %s", e.Var, e.Value, e.Reason)
}

// Is matches ErrMissingEnv for a missing variable.
func (e *EnvError) Is(target error) bool {
	return target == ErrMissingEnv && e.Value == "" && e.Reason == ""
}

// LoadEnv reads the hook context through getenv (os.Getenv in a charm) and argv0
// (os.Args[0]). Outside a hook (JUJU_CONTEXT_ID unset) it returns an Env with InHook
// false, the hook name from [HookName] and whatever else is set; nothing is
// required, but a value that is set and malformed is still an error. In a hook,
// every missing or malformed value is reported: the error joins one [*EnvError] per
// problem, and the returned Env holds the values that were valid.
func LoadEnv(getenv func(string) string, argv0 string) (Env, error) {
	e := Env{
		ContextID:     getenv("JUJU_CONTEXT_ID"),
		UnitName:      getenv("JUJU_UNIT_NAME"),
		ModelName:     getenv("JUJU_MODEL_NAME"),
		ModelUUID:     getenv("JUJU_MODEL_UUID"),
		CharmDir:      getenv("JUJU_CHARM_DIR"),
		DispatchPath:  getenv("JUJU_DISPATCH_PATH"),
		RelationName:  getenv("JUJU_RELATION"),
		RelationID:    getenv("JUJU_RELATION_ID"),
		RemoteUnit:    getenv("JUJU_REMOTE_UNIT"),
		RemoteApp:     getenv("JUJU_REMOTE_APP"),
		DepartingUnit: getenv("JUJU_DEPARTING_UNIT"),
		ActionName:    getenv("JUJU_ACTION_NAME"),
		ActionUUID:    getenv("JUJU_ACTION_UUID"),
		HookName:      HookName(getenv, argv0),
		SecretID:      getenv("JUJU_SECRET_ID"),
		SecretLabel:   getenv("JUJU_SECRET_LABEL"),
	}
	e.InHook = e.ContextID != ""
	if e.CharmDir == "" {
		e.CharmDir = getenv("CHARM_DIR")
	}
	var errs []error
	bad := func(name, value, reason string) {
		errs = append(errs, &EnvError{Var: name, Value: value, Reason: reason})
	}
	missing := func(name string) { errs = append(errs, &EnvError{Var: name}) }

	if e.UnitName != "" {
		if m := unitNameRE.FindStringSubmatch(e.UnitName); m != nil {
			e.AppName = m[1]
			n, err := strconv.Atoi(m[2])
			if err != nil {
				bad("JUJU_UNIT_NAME", e.UnitName, "unit number out of range")
			}
			e.UnitNumber = n
		} else {
			bad("JUJU_UNIT_NAME", e.UnitName, "invalid unit name, want <application>/<number>")
			e.UnitName = ""
		}
	}
	if v := getenv("JUJU_VERSION"); v != "" {
		ver, err := ParseVersion(v)
		if err != nil {
			bad("JUJU_VERSION", v, "invalid Juju version")
		}
		e.JujuVersion = ver
	}
	if p := e.DispatchPath; p != "" {
		kind, name, ok := strings.Cut(p, "/")
		switch {
		case !ok || name == "" || strings.Contains(name, "/") || (kind != "hooks" && kind != "actions"):
			bad("JUJU_DISPATCH_PATH", p, "want hooks/<name> or actions/<name>")
		case kind == "actions" && e.ActionName == "":
			e.ActionName = name
		case kind == "actions" && e.ActionName != name:
			bad("JUJU_DISPATCH_PATH", p, fmt.Sprintf("names action %q but JUJU_ACTION_NAME is %q", name, e.ActionName))
		}
	}
	if id := e.RelationID; id != "" {
		m := relIDRE.FindStringSubmatch(id)
		switch {
		case m == nil || m[1] == "":
			bad("JUJU_RELATION_ID", id, "invalid relation id, want <endpoint>:<number>")
		case e.RelationName != "" && m[1] != e.RelationName:
			bad("JUJU_RELATION_ID", id, fmt.Sprintf("endpoint does not match JUJU_RELATION %q", e.RelationName))
		}
	}
	for _, u := range []struct{ name, val string }{{"JUJU_REMOTE_UNIT", e.RemoteUnit}, {"JUJU_DEPARTING_UNIT", e.DepartingUnit}} {
		if u.val != "" && !unitNameRE.MatchString(u.val) {
			bad(u.name, u.val, "invalid unit name")
		}
	}
	if e.RemoteApp != "" && !appNameRE.MatchString(e.RemoteApp) {
		bad("JUJU_REMOTE_APP", e.RemoteApp, "invalid application name")
	}
	if id := e.SecretID; id != "" {
		if _, err := ParseSecretID(id); err != nil {
			bad("JUJU_SECRET_ID", id, "invalid secret ID")
		}
	}
	if r := getenv("JUJU_SECRET_REVISION"); r != "" {
		n, err := strconv.Atoi(r)
		if err != nil || n <= 0 || strconv.Itoa(n) != r {
			bad("JUJU_SECRET_REVISION", r, "invalid secret revision, want a positive number")
		} else {
			e.SecretRevision = n
		}
	}
	if !e.InHook {
		return e, errors.Join(errs...)
	}
	if e.UnitName == "" && getenv("JUJU_UNIT_NAME") == "" {
		missing("JUJU_UNIT_NAME")
	}
	if e.ModelName == "" {
		missing("JUJU_MODEL_NAME")
	}
	if e.ModelUUID == "" {
		missing("JUJU_MODEL_UUID")
	}
	if e.CharmDir == "" {
		missing("JUJU_CHARM_DIR")
	}
	if e.HookName == "" && e.ActionName == "" {
		bad("JUJU_HOOK_NAME", "", "no hook or action name in JUJU_HOOK_NAME, JUJU_DISPATCH_PATH or argv[0]")
	}
	if (e.RelationName == "") != (e.RelationID == "") {
		bad("JUJU_RELATION_ID", e.RelationID, fmt.Sprintf("set together with JUJU_RELATION %q, both or neither", e.RelationName))
	}
	return e, errors.Join(errs...)
}

// HookName resolves the event name (docs/design.md, "Decision 17"):
// JUJU_HOOK_NAME if non-empty, else the name in JUJU_DISPATCH_PATH (hooks/<name>
// or actions/<name>), else basename(argv0). In an action it returns "" (Juju
// sets JUJU_HOOK_NAME empty and JUJU_DISPATCH_PATH to actions/<name>), as
// charm-helpers' hook_name() does.
func HookName(getenv func(string) string, argv0 string) string {
	if h := getenv("JUJU_HOOK_NAME"); h != "" {
		return h
	}
	if p := getenv("JUJU_DISPATCH_PATH"); p != "" {
		if name, ok := strings.CutPrefix(p, "hooks/"); ok {
			return name
		}
		if strings.HasPrefix(p, "actions/") {
			return ""
		}
		return filepath.Base(p)
	}
	if argv0 == "" {
		return ""
	}
	return filepath.Base(argv0)
}

// Version is a Juju agent version such as 3.6.4, 2.9.42.1 or 3.6-beta1.
type Version struct {
	Major, Minor int
	Tag          string // "beta" in 3.6-beta1; empty for a release
	Patch        int
	Build        int
}

var versionRE = regexp.MustCompile(`^(\d{1,9})\.(\d{1,9})(?:\.|-([a-z]+))(\d{1,9})(?:\.(\d{1,9}))?$`)

// ParseVersion parses a Juju version number as JUJU_VERSION carries it.
func ParseVersion(s string) (Version, error) {
	m := versionRE.FindStringSubmatch(s)
	if m == nil {
		return Version{}, fmt.Errorf("%w: invalid Juju version %q", ErrInvalidArgument, s)
	}
	atoi := func(s string) int {
		if s == "" {
			return 0
		}
		n, _ := strconv.Atoi(s) // at most 9 digits: always fits
		return n
	}
	return Version{Major: atoi(m[1]), Minor: atoi(m[2]), Tag: m[3], Patch: atoi(m[4]), Build: atoi(m[5])}, nil
}

// String formats v as Juju does.
func (v Version) String() string {
	s := fmt.Sprintf("%d.%d", v.Major, v.Minor)
	if v.Tag != "" {
		s += fmt.Sprintf("-%s%d", v.Tag, v.Patch)
	} else {
		s += fmt.Sprintf(".%d", v.Patch)
	}
	if v.Build > 0 {
		s += fmt.Sprintf(".%d", v.Build)
	}
	return s
}

// AtLeast reports whether v is major.minor or later (pre-releases included).
func (v Version) AtLeast(major, minor int) bool {
	return v.Major > major || (v.Major == major && v.Minor >= minor)
}

// HasLeaderSettings reports whether the agent still has leader-get and leader-set,
// which Juju 4.0 removed. The zero Version (unknown) answers true.
func (v Version) HasLeaderSettings() bool { return v.Major < 4 }
