package hookenv

import (
	"context"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// RelationIDs returns the ids ("db:1", ...) of the relations on an endpoint
// (`relation-ids --format=json <endpoint>`), sorted as strings by Juju. An empty
// endpoint means the current relation's.
func (t *Tools) RelationIDs(ctx context.Context, endpoint string) ([]string, error) {
	args := []string{"--format=json"}
	if endpoint != "" {
		if err := checkEndpoint("relation-ids", endpoint); err != nil {
			return nil, err
		}
		args = append(args, endpoint)
	}
	out, err := t.run(ctx, "relation-ids", args, nil)
	if err != nil {
		return nil, err
	}
	return decodeStrings("relation-ids", out)
}

// RelationList returns the remote units of a relation
// (`relation-list --format=json [-r id]`). An empty relID means the current relation.
func (t *Tools) RelationList(ctx context.Context, relID string) ([]string, error) {
	r, err := relArgs("relation-list", relID)
	if err != nil {
		return nil, err
	}
	out, err := t.run(ctx, "relation-list", append([]string{"--format=json"}, r...), nil)
	if err != nil {
		return nil, err
	}
	return decodeStrings("relation-list", out)
}

// RelationApp returns the remote application of a relation
// (`relation-list --format=json --app [-r id]`).
func (t *Tools) RelationApp(ctx context.Context, relID string) (string, error) {
	r, err := relArgs("relation-list", relID)
	if err != nil {
		return "", err
	}
	out, err := t.run(ctx, "relation-list", append([]string{"--format=json", "--app"}, r...), nil)
	if err != nil {
		return "", err
	}
	s, ok, err := decodeOptionalString("relation-list", out)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", badOutputf("relation-list", "null application name")
	}
	return s, nil
}

// relationGetArgs builds `relation-get --format=json [--app] [-r id] <key> [member]`.
func relationGetArgs(relID string, app bool, key, member string) ([]string, error) {
	args := []string{"--format=json"}
	if app {
		args = append(args, "--app")
	}
	r, err := relArgs("relation-get", relID)
	if err != nil {
		return nil, err
	}
	args = append(args, r...)
	args = append(args, key)
	if member != "" {
		re := unitNameRE
		what := "unit"
		if app {
			re, what = appNameRE, "application"
		}
		if !re.MatchString(member) {
			return nil, invalidf("relation-get", "invalid %s name %q", what, member)
		}
		args = append(args, member)
	}
	return args, nil
}

// RelationGet returns a relation data bag
// (`relation-get --format=json [--app] [-r id] - [member]`): with app false the bag
// of unit member, with app true the bag of application member. An empty relID means
// the current relation; an empty member means Juju's default (JUJU_REMOTE_UNIT, or
// JUJU_REMOTE_APP). The peer-relation leadership backend reads its own
// application's bag with RelationGet(ctx, id, true, ownApp).
func (t *Tools) RelationGet(ctx context.Context, relID string, app bool, member string) (map[string]string, error) {
	args, err := relationGetArgs(relID, app, "-", member)
	if err != nil {
		return nil, err
	}
	out, err := t.run(ctx, "relation-get", args, nil)
	if err != nil {
		return nil, err
	}
	return decodeStringMap("relation-get", out)
}

// RelationGetKey returns one value of a relation data bag and whether it is set
// (`relation-get --format=json [--app] [-r id] <key> [member]`).
func (t *Tools) RelationGetKey(ctx context.Context, relID string, app bool, key, member string) (string, bool, error) {
	if err := checkFreeKey("relation-get", key); err != nil {
		return "", false, err
	}
	args, err := relationGetArgs(relID, app, key, member)
	if err != nil {
		return "", false, err
	}
	out, err := t.run(ctx, "relation-get", args, nil)
	if err != nil {
		return "", false, err
	}
	return decodeOptionalString("relation-get", out)
}

// RelationSet writes this unit's bag, or with app true its application's bag (leader
// only), with `relation-set [--app] [-r id] --file -` and the settings as JSON on
// stdin, so values have no argument-size limit. An empty value deletes the key; an
// empty map runs nothing. Juju applies the change only if the hook succeeds. A
// non-leader's app write fails with a [*ToolError] matching [ErrNotLeader].
func (t *Tools) RelationSet(ctx context.Context, relID string, app bool, settings map[string]string) error {
	if len(settings) == 0 {
		return nil
	}
	for k, v := range settings {
		if k == "" {
			return invalidf("relation-set", "empty key")
		}
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return invalidf("relation-set", "setting %q is not valid UTF-8", k)
		}
	}
	var args []string
	if app {
		args = append(args, "--app")
	}
	r, err := relArgs("relation-set", relID)
	if err != nil {
		return err
	}
	args = append(args, r...)
	args = append(args, "--file", "-")
	stdin, err := json.Marshal(settings)
	if err != nil {
		return fmt.Errorf("relation-set: encoding settings: %w", err)
	}
	if app {
		if err := t.requireLeader(ctx, "relation-set"); err != nil {
			return err
		}
	}
	_, err = t.run(ctx, "relation-set", args, append(stdin, '\n'))
	return err
}
