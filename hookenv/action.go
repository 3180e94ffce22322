package hookenv

import (
	"context"
	"regexp"
	"strings"
)

// actionKeyRE is one segment of an action-set key: lowercase alphanumerics and
// hyphens, beginning and ending with an alphanumeric.
var actionKeyRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$`)

var reservedActionKeys = map[string]bool{"stdout": true, "stdout-encoding": true, "stderr": true, "stderr-encoding": true}

func checkActionKey(tool, key string) error {
	for seg := range strings.SplitSeq(key, ".") {
		if !actionKeyRE.MatchString(seg) {
			return invalidf(tool, "invalid action key %q: each part must be lowercase alphanumerics and hyphens, starting and ending with an alphanumeric", key)
		}
	}
	if reservedActionKeys[key] {
		return invalidf(tool, "cannot set reserved action key %q", key)
	}
	return nil
}

// ActionGet returns the action's parameters (`action-get --format=json`). Numbers
// decode as int64 or float64. Outside an action Juju fails with
// "not running an action".
func (t *Tools) ActionGet(ctx context.Context) (map[string]any, error) {
	var raw map[string]any
	if err := t.runJSON(ctx, "action-get", []string{"--format=json"}, &raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return map[string]any{}, nil
	}
	v, err := typedValue(raw)
	if err != nil {
		return nil, badOutputf("action-get", "%v", err)
	}
	return v.(map[string]any), nil
}

// ActionSet records action results (`action-set k=v ...`, keys sorted). Keys may be
// dotted paths ("a.b"); each part must be lowercase alphanumerics and hyphens, and
// the reserved keys stdout, stderr and their -encoding forms are rejected.
func (t *Tools) ActionSet(ctx context.Context, results map[string]string) error {
	for k := range results {
		if err := checkActionKey("action-set", k); err != nil {
			return err
		}
	}
	args, err := EncodeKeyValues(results)
	if err != nil {
		return invalidWrap("action-set", err)
	}
	if len(args) == 0 {
		return nil
	}
	_, err = t.run(ctx, "action-set", args, nil)
	return err
}

// ActionFail marks the action failed with a message (`action-fail -- <message>`);
// an empty message leaves Juju's default. The process keeps running.
func (t *Tools) ActionFail(ctx context.Context, message string) error {
	if err := checkText("action-fail", "message", message); err != nil {
		return err
	}
	var args []string
	if message != "" {
		args = []string{"--", message}
	}
	_, err := t.run(ctx, "action-fail", args, nil)
	return err
}

// ActionLog sends a progress message for the running action (`action-log -- <message>`).
func (t *Tools) ActionLog(ctx context.Context, message string) error {
	if err := checkText("action-log", "message", message); err != nil {
		return err
	}
	_, err := t.run(ctx, "action-log", []string{"--", message}, nil)
	return err
}
