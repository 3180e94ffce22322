package hookenv_test

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/hookenv"
)

// toolCase runs one wrapper call sequence against a golden script.
type toolCase struct {
	name    string
	golden  string   // under testdata/
	without []string // tools missing from the fake's directory
	do      func(ctx context.Context, tools *hookenv.Tools) (any, error)
	want    any               // the result when err is nil
	wantErr func(error) error // nil: no error expected; else returns nil when err is as expected
}

func runToolCases(t *testing.T, cases []toolCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, tc.golden, tc.without...)
			got, err := tc.do(t.Context(), f.Tools())
			if tc.wantErr == nil {
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
				return
			}
			require.Error(t, err)
			assert.NoError(t, tc.wantErr(err), "error: %v", err)
		})
	}
}

// toolErr expects a *ToolError with the given tool, exit code and message.
func toolErr(tool string, code int, msg string) func(error) error {
	return func(err error) error {
		var te *hookenv.ToolError
		if !errors.As(err, &te) {
			return errors.New("not a *ToolError")
		}
		if te.Tool != tool || te.ExitCode != code || te.Message != msg {
			return errors.New("got " + te.Tool + " " + te.Error() + ", want " + tool + " " + msg)
		}
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return errors.New("does not unwrap to *exec.ExitError")
		}
		if errors.Is(err, hookenv.ErrToolNotFound) {
			return errors.New("a tool that ran must not be ErrToolNotFound")
		}
		return nil
	}
}

// both requires two checks.
func both(a, b func(error) error) func(error) error {
	return func(err error) error { return errors.Join(a(err), b(err)) }
}

// is expects errors.Is(err, target) and, when want is non-empty, the exact message.
func is(target error, want string) func(error) error {
	return func(err error) error {
		if !errors.Is(err, target) {
			return errors.New("not " + target.Error())
		}
		if want != "" && err.Error() != want {
			return errors.New("message " + err.Error() + ", want " + want)
		}
		return nil
	}
}

func isNot(target error) func(error) error {
	return func(err error) error {
		if errors.Is(err, target) {
			return errors.New("unexpectedly " + target.Error())
		}
		return nil
	}
}

func TestIsLeader(t *testing.T) {
	isLeader := func(ctx context.Context, tools *hookenv.Tools) (any, error) { return tools.IsLeader(ctx) }
	runToolCases(t, []toolCase{
		{name: "true", golden: "tools/is-leader/true.txt", do: isLeader, want: true},
		{name: "false", golden: "tools/is-leader/false.txt", do: isLeader, want: false},
		{name: "unknown is an error, not false", golden: "tools/is-leader/unknown.txt", do: isLeader,
			wantErr: toolErr("is-leader", 1, "leadership status unknown: connection is shut down")},
		{name: "outside a hook", golden: "tools/is-leader/no-context.txt", do: isLeader,
			wantErr: toolErr("is-leader", 1, "JUJU_CONTEXT_ID not set")},
		{name: "smart output", golden: "faults/is-leader-garbage.txt", do: isLeader, wantErr: is(hookenv.ErrBadOutput, "")},
		{name: "null output", golden: "faults/is-leader-null.txt", do: isLeader, wantErr: is(hookenv.ErrBadOutput, "")},
		{name: "missing tool", golden: "faults/none.txt", without: []string{"is-leader"}, do: isLeader,
			wantErr: is(hookenv.ErrToolNotFound, "")},
	})
}

func TestLeaderGet(t *testing.T) {
	getAll := func(ctx context.Context, tools *hookenv.Tools) (any, error) { return tools.LeaderGet(ctx) }
	runToolCases(t, []toolCase{
		{name: "all", golden: "tools/leader-get/all.txt", do: getAll,
			want: map[string]string{"key": "value", "sample": "settings"}},
		{name: "empty bucket", golden: "tools/leader-get/empty.txt", do: getAll, want: map[string]string{}},
		{name: "read failure", golden: "tools/leader-get/read-failure.txt", do: getAll,
			wantErr: toolErr("leader-get", 1, "cannot read leadership settings: connection is shut down")},
		{name: "juju 4 has no leader-get", golden: "faults/none.txt", without: []string{"leader-get", "leader-set"}, do: getAll,
			wantErr: both(is(hookenv.ErrToolNotFound, ""), func(err error) error {
				var te *hookenv.ToolError
				if errors.As(err, &te) {
					return errors.New("a missing tool is not a *ToolError")
				}
				if !strings.Contains(err.Error(), `leader-get`) {
					return errors.New("error does not name the tool")
				}
				return nil
			})},
		{name: "a list", golden: "faults/leader-get-garbage.txt", do: getAll, wantErr: is(hookenv.ErrBadOutput, "")},
		{name: "two values", golden: "faults/leader-get-trailing.txt", do: getAll, wantErr: is(hookenv.ErrBadOutput, "")},
		{name: "one key from the snapshot", golden: "tools/leader-get/all.txt",
			do: func(ctx context.Context, tools *hookenv.Tools) (any, error) {
				v, ok, err := tools.LeaderGetKey(ctx, "sample")
				if err != nil {
					return nil, err
				}
				_, okMissing, err := tools.LeaderGetKey(ctx, "nope")
				return []any{v, ok, okMissing}, err
			},
			want: []any{"settings", true, false}},
		{name: "snapshot dropped after own leader-set", golden: "tools/leader-get/snapshot.txt",
			do: func(ctx context.Context, tools *hookenv.Tools) (any, error) {
				var seen []map[string]string
				for range 2 {
					m, err := tools.LeaderGet(ctx)
					if err != nil {
						return nil, err
					}
					seen = append(seen, m)
				}
				seen[0]["mutated"] = "by caller" // the snapshot is not shared with callers
				if err := tools.LeaderSet(ctx, map[string]string{"key": "", "new": "1"}); err != nil {
					return nil, err
				}
				m, err := tools.LeaderGet(ctx)
				return append(seen, m), err
			},
			want: []map[string]string{
				{"key": "value", "sample": "settings", "mutated": "by caller"},
				{"key": "value", "sample": "settings"},
				{"new": "1", "sample": "settings"},
			}},
		{name: "snapshot kept after a refused leader-set", golden: "tools/leader-get/snapshot-failed-set.txt",
			do: func(ctx context.Context, tools *hookenv.Tools) (any, error) {
				if _, err := tools.LeaderGet(ctx); err != nil {
					return nil, err
				}
				err := tools.LeaderSet(ctx, map[string]string{"key": "other"})
				if !errors.Is(err, hookenv.ErrNotLeader) {
					return nil, errors.New("leader-set: want ErrNotLeader")
				}
				return tools.LeaderGet(ctx)
			},
			want: map[string]string{"key": "value", "sample": "settings"}},
	})
}

func TestLeaderSet(t *testing.T) {
	set := func(m map[string]string) func(context.Context, *hookenv.Tools) (any, error) {
		return func(ctx context.Context, tools *hookenv.Tools) (any, error) { return nil, tools.LeaderSet(ctx, m) }
	}
	runToolCases(t, []toolCase{
		{name: "sorted, empty deletes", golden: "tools/leader-set/ok.txt",
			do: set(map[string]string{"d": "k=v", "c": "x y", "b": "", "a": "1"})},
		{name: "not leader", golden: "tools/leader-set/not-leader.txt", do: set(map[string]string{"password": "s3cret"}),
			wantErr: both(is(hookenv.ErrNotLeader, ""), toolErr("leader-set", 1, "cannot write leadership settings: cannot write settings: not the leader"))},
		{name: "lost race is not ErrNotLeader", golden: "tools/leader-set/merge-failed.txt", do: set(map[string]string{"password": "s3cret"}),
			wantErr: both(isNot(hookenv.ErrNotLeader), toolErr("leader-set", 1,
				"cannot write leadership settings: cannot write settings: failed to merge leadership settings: lease operation timed out"))},
		{name: "nothing to set runs nothing", golden: "faults/none.txt", do: set(map[string]string{})},
		{name: "missing tool", golden: "faults/none.txt", without: []string{"leader-set"}, do: set(map[string]string{"a": "1"}),
			wantErr: is(hookenv.ErrToolNotFound, "")},
	})
}

func TestLeaderSetRejectsBeforeCalling(t *testing.T) {
	for _, tc := range []struct {
		settings map[string]string
		want     string
	}{
		{map[string]string{"a=b": "1"}, `leader-set: invalid argument: key "a=b" contains "="`},
		{map[string]string{"": "1"}, `leader-set: invalid argument: empty key`},
		{map[string]string{"-k": "1"}, `leader-set: invalid argument: key "-k" starts with "-"`},
		{map[string]string{" k": "1"}, `leader-set: invalid argument: key " k" has surrounding white space, which Juju trims`},
		{map[string]string{"k": "v\n"}, `leader-set: invalid argument: value of "k" has surrounding white space, which Juju trims`},
		{map[string]string{"k": "a\x00b"}, `leader-set: invalid argument: value of "k" contains a NUL byte`},
		{map[string]string{"k": "\xff"}, `leader-set: invalid argument: value of "k" is not valid UTF-8`},
		{map[string]string{"k": strings.Repeat("x", 200000)}, `leader-set: invalid argument: setting "k" is 200002 bytes, over the 131071-byte argument limit`},
	} {
		t.Run(tc.want, func(t *testing.T) {
			tools := &hookenv.Tools{Runner: noTools(t)}
			err := tools.LeaderSet(t.Context(), tc.settings)
			require.ErrorIs(t, err, hookenv.ErrInvalidArgument)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

func TestLeaderGetKeyRejectsBadKey(t *testing.T) {
	tools := &hookenv.Tools{Runner: noTools(t)}
	_, _, err := tools.LeaderGetKey(t.Context(), "x=x")
	require.ErrorIs(t, err, hookenv.ErrInvalidArgument)
	assert.Equal(t, `leader-get: invalid argument: key "x=x" contains "="`, err.Error())
}
