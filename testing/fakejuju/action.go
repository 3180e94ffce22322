package fakejuju

import (
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/charmkit/charmkit/internal/jujucmd"
)

func init() {
	serve(map[string]toolFunc{
		"action-get":  actionGet,
		"action-set":  actionSet,
		"action-fail": actionFail,
		"action-log":  actionLog,
	})
}

// errNotInAction is what every action tool answers outside an action. Juju
// checks the command line first (exit 2) and reaches this only when the
// tool touches the action (exit 1).
var errNotInAction = errors.New("not running an action")

// DefaultActionFailMessage is the message action-fail sets when given none.
const DefaultActionFailMessage = "action failed without reason given, check action for errors"

// actionKeyRE is one segment of an action-set key: lowercase alphanumerics
// and hyphens, beginning and ending with an alphanumeric.
var actionKeyRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$`)

// reservedActionKeys are the result keys Juju keeps for the action's own
// output; action-set refuses them as any segment of a key.
var reservedActionKeys = []string{"stdout", "stdout-encoding", "stderr", "stderr-encoding"}

// action returns the running action, or errNotInAction.
func (t *invocation) action() (*Action, error) {
	if t.c.Action == nil {
		return nil, errNotInAction
	}
	return t.c.Action, nil
}

func actionGet(t *invocation) error {
	p, err := t.parse("[options] [<key>[.<key>...]]", jujucmd.FormatOptions("smart")...)
	if p == nil {
		return err
	}
	if len(p.Positional) > 1 {
		return jujucmd.Unrecognized(p.Positional[1:])
	}
	a, err := t.action()
	if err != nil {
		return err
	}
	if len(p.Positional) == 0 {
		if a.Params == nil {
			return t.emit(p, map[string]any{}) // no parameters print {}, not nothing
		}
		return t.emit(p, a.Params)
	}
	return t.emit(p, lookupPath(a.Params, strings.Split(p.Positional[0], ".")))
}

// lookupPath follows a dotted key path into nested maps; a missing key, or
// a path through something that is not a map, gives nil.
func lookupPath(m map[string]any, path []string) any {
	var v any = m
	for _, k := range path {
		next, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		if v, ok = next[k]; !ok {
			return nil
		}
	}
	return v
}

func actionSet(t *invocation) error {
	p, err := t.parse("<key>=<value> [<key>=<value> ...]") // no options
	if p == nil {
		return err
	}
	type pair struct {
		path  []string
		value string
	}
	var pairs []pair
	for _, arg := range p.Positional {
		k, v, ok := strings.Cut(arg, "=")
		if !ok {
			return jujucmd.Usagef("argument %q must be of the form key...=value", arg)
		}
		path := strings.Split(k, ".")
		for _, seg := range path {
			if !actionKeyRE.MatchString(seg) {
				return jujucmd.Usagef("key %q must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric and hyphens", seg)
			}
			if slices.Contains(reservedActionKeys, seg) {
				return jujucmd.Usagef("cannot set reserved action key %q", seg)
			}
		}
		pairs = append(pairs, pair{path, v})
	}
	if len(pairs) == 0 {
		return nil // Juju touches no action: exit 0 even in a hook
	}
	a, err := t.action()
	if err != nil {
		return err
	}
	if a.Results == nil {
		a.Results = map[string]any{}
	}
	for _, pr := range pairs {
		setPath(a.Results, pr.path, pr.value)
	}
	return nil
}

// setPath sets value at a dotted key path, making the maps on the way; a
// value in the way that is not a map is replaced by one, and a later write
// to the same path overwrites an earlier one.
func setPath(m map[string]any, path []string, value string) {
	for _, k := range path[:len(path)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[path[len(path)-1]] = value
}

func actionFail(t *invocation) error {
	p, err := t.parse(`["<failure message>"]`)
	if p == nil {
		return err
	}
	msg := DefaultActionFailMessage
	if len(p.Positional) > 0 {
		msg = p.Positional[0]
	}
	if len(p.Positional) > 1 {
		return jujucmd.Unrecognized(p.Positional[1:])
	}
	a, err := t.action()
	if err != nil {
		return err
	}
	// The action is marked failed; the script keeps running and its exit
	// status is its own.
	a.Failed, a.Message = true, msg
	return nil
}

func actionLog(t *invocation) error {
	p, err := t.parse("<message>")
	if p == nil {
		return err
	}
	if len(p.Positional) == 0 {
		return jujucmd.Usagef("no message specified")
	}
	a, err := t.action()
	if err != nil {
		return err
	}
	// Sent at once in Juju: kept whatever the action's outcome.
	a.Logs = append(a.Logs, strings.Join(p.Positional, " "))
	return nil
}
