package hookenv_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/hookenv"
)

func TestRelations(t *testing.T) {
	runToolCases(t, []toolCase{
		{name: "ids sorted as strings", golden: "tools/relation-ids/db.txt",
			do:   func(ctx context.Context, tools *hookenv.Tools) (any, error) { return tools.RelationIDs(ctx, "db") },
			want: []string{"db:1", "db:10", "db:2"}},
		{name: "no ids", golden: "tools/relation-ids/none.txt",
			do:   func(ctx context.Context, tools *hookenv.Tools) (any, error) { return tools.RelationIDs(ctx, "db") },
			want: []string{}},
		{name: "no endpoint outside a relation hook: exit 2", golden: "tools/relation-ids/no-endpoint.txt",
			do:      func(ctx context.Context, tools *hookenv.Tools) (any, error) { return tools.RelationIDs(ctx, "") },
			wantErr: toolErr("relation-ids", 2, "no endpoint name specified")},
		{name: "ids of the wrong type", golden: "faults/relation-ids-garbage.txt",
			do:      func(ctx context.Context, tools *hookenv.Tools) (any, error) { return tools.RelationIDs(ctx, "db") },
			wantErr: is(hookenv.ErrBadOutput, "")},
		{name: "units and app", golden: "tools/relation-list/units.txt",
			do: seq(
				func(ctx context.Context, tools *hookenv.Tools) (any, error) { return tools.RelationList(ctx, "db:1") },
				func(ctx context.Context, tools *hookenv.Tools) (any, error) { return tools.RelationApp(ctx, "db:1") }),
			want: []any{[]string{"mysql/0", "mysql/1"}, "mysql"}},
		{name: "no units in the current relation", golden: "tools/relation-list/empty.txt",
			do:   func(ctx context.Context, tools *hookenv.Tools) (any, error) { return tools.RelationList(ctx, "") },
			want: []string{}},
		{name: "own application bag (peer leadership backend)", golden: "tools/relation-get/app-bag.txt",
			do: func(ctx context.Context, tools *hookenv.Tools) (any, error) {
				return tools.RelationGet(ctx, "peers:0", true, "app")
			},
			want: map[string]string{"password": "s3cret"}},
		{name: "one key, present then missing", golden: "tools/relation-get/unit-key.txt",
			do: seq(
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					v, ok, err := tools.RelationGetKey(ctx, "db:1", false, "host", "mysql/0")
					return []any{v, ok}, err
				},
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					v, ok, err := tools.RelationGetKey(ctx, "db:1", false, "port", "mysql/0")
					return []any{v, ok}, err
				}),
			want: []any{[]any{"10.0.0.5", true}, []any{"", false}}},
		{name: "unknown relation: exit 2", golden: "tools/relation-get/unknown-relation.txt",
			do: func(ctx context.Context, tools *hookenv.Tools) (any, error) {
				return tools.RelationGet(ctx, "db:99", false, "mysql/0")
			},
			wantErr: toolErr("relation-get", 2, `invalid value "db:99" for option -r: relation not found`)},
		{name: "set app bag as JSON on stdin", golden: "tools/relation-set/app.txt",
			do: func(ctx context.Context, tools *hookenv.Tools) (any, error) {
				return nil, tools.RelationSet(ctx, "peers:0", true, map[string]string{"c": "<x>", "b": "", "a": "1"})
			}},
		{name: "set app bag on a follower", golden: "tools/relation-set/app-not-leader.txt",
			do: func(ctx context.Context, tools *hookenv.Tools) (any, error) {
				return nil, tools.RelationSet(ctx, "peers:0", true, map[string]string{"password": "x"})
			},
			wantErr: both(is(hookenv.ErrNotLeader, ""), toolErr("relation-set", 1, "cannot write relation settings"))},
		{name: "set own unit bag", golden: "tools/relation-set/unit.txt",
			do: func(ctx context.Context, tools *hookenv.Tools) (any, error) {
				return nil, tools.RelationSet(ctx, "", false, map[string]string{"host": "10.0.0.1"})
			}},
		{name: "set nothing runs nothing", golden: "faults/none.txt",
			do: func(ctx context.Context, tools *hookenv.Tools) (any, error) {
				return nil, tools.RelationSet(ctx, "db:1", true, nil)
			}},
	})
}

func TestRelationsRejectBeforeCalling(t *testing.T) {
	tools := &hookenv.Tools{Runner: noTools(t)}
	ctx := t.Context()
	for _, tc := range []struct {
		name string
		do   func() error
		want string
	}{
		{"relation id", func() error { _, err := tools.RelationList(ctx, "db:x"); return err },
			`relation-list: invalid argument: invalid relation id "db:x": want <endpoint>:<number>`},
		{"relation id with flag", func() error { _, err := tools.RelationGet(ctx, "-r", false, ""); return err },
			`relation-get: invalid argument: invalid relation id "-r": want <endpoint>:<number>`},
		{"endpoint", func() error { _, err := tools.RelationIDs(ctx, "-db"); return err },
			`relation-ids: invalid argument: invalid endpoint name "-db"`},
		{"unit name", func() error { _, err := tools.RelationGet(ctx, "db:1", false, "mysql"); return err },
			`relation-get: invalid argument: invalid unit name "mysql"`},
		{"app name", func() error { _, err := tools.RelationGet(ctx, "db:1", true, "mysql/0"); return err },
			`relation-get: invalid argument: invalid application name "mysql/0"`},
		{"key with =", func() error { _, _, err := tools.RelationGetKey(ctx, "db:1", false, "a=b", ""); return err },
			`relation-get: invalid argument: key "a=b" contains "="`},
		{"empty key", func() error { return tools.RelationSet(ctx, "db:1", false, map[string]string{"": "x"}) },
			`relation-set: invalid argument: empty key`},
		{"bad UTF-8", func() error { return tools.RelationSet(ctx, "db:1", false, map[string]string{"k": "\xff"}) },
			`relation-set: invalid argument: setting "k" is not valid UTF-8`},
		{"bad relation id on set", func() error { return tools.RelationSet(ctx, "1:2:3", true, map[string]string{"k": "v"}) },
			`relation-set: invalid argument: invalid relation id "1:2:3": want <endpoint>:<number>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			require.ErrorIs(t, err, hookenv.ErrInvalidArgument)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}
