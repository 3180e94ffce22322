package hookenv_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/hookenv"
)

func TestPorts(t *testing.T) {
	runToolCases(t, []toolCase{
		{name: "open and close", golden: "tools/open-port/ok.txt",
			do: seq(
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return nil, tools.OpenPort(ctx, hookenv.Port{Protocol: "tcp", From: 8080, To: 8080})
				},
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return nil, tools.ClosePort(ctx, hookenv.Port{Protocol: "udp", From: 8000, To: 8100}, "web", "api")
				},
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return nil, tools.OpenPort(ctx, hookenv.Port{Protocol: "icmp"})
				}),
			want: []any{nil, nil, nil}},
		{name: "opened", golden: "tools/opened-ports/list.txt",
			do:   func(ctx context.Context, tools *hookenv.Tools) (any, error) { return tools.OpenedPorts(ctx) },
			want: []hookenv.Port{{Protocol: "tcp", From: 80, To: 80}, {Protocol: "udp", From: 8000, To: 8100}, {Protocol: "icmp"}}},
		{name: "opened garbage", golden: "faults/opened-ports-garbage.txt",
			do:      func(ctx context.Context, tools *hookenv.Tools) (any, error) { return tools.OpenedPorts(ctx) },
			wantErr: is(hookenv.ErrBadOutput, "")},
	})
}

func TestParsePort(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want hookenv.Port
		err  string
	}{
		{in: "80", want: hookenv.Port{Protocol: "tcp", From: 80, To: 80}},
		{in: "80/TCP", want: hookenv.Port{Protocol: "tcp", From: 80, To: 80}},
		{in: "53/udp", want: hookenv.Port{Protocol: "udp", From: 53, To: 53}},
		{in: "1-65535/udp", want: hookenv.Port{Protocol: "udp", From: 1, To: 65535}},
		{in: "icmp", want: hookenv.Port{Protocol: "icmp"}},
		{in: "ICMP", want: hookenv.Port{Protocol: "icmp"}},
		{in: "0/tcp", err: `port "0/tcp": invalid argument: port 0-0 out of range 1-65535`},
		{in: "65536", err: `port "65536": invalid argument: port 65536-65536 out of range 1-65535`},
		{in: "90-80", err: `port "90-80": invalid argument: port range 90-80 is reversed`},
		{in: "80/sctp", err: `port "80/sctp": invalid argument: invalid protocol "sctp", expected tcp, udp or icmp`},
		{in: "80/icmp", err: `port "80/icmp": invalid argument: icmp takes no port number`},
		{in: "-80", err: `invalid argument: invalid port "-80"`},
		{in: "80-", err: `invalid argument: invalid port "80-"`},
		{in: "+80", err: `invalid argument: invalid port "+80"`},
		{in: "", err: `invalid argument: invalid port ""`},
		{in: "http", err: `invalid argument: invalid port "http"`},
	} {
		got, err := hookenv.ParsePort(tc.in)
		if tc.err != "" {
			require.ErrorIs(t, err, hookenv.ErrInvalidArgument, "ParsePort(%q)", tc.in)
			assert.Equal(t, tc.err, err.Error(), "ParsePort(%q)", tc.in)
			continue
		}
		require.NoError(t, err, "ParsePort(%q)", tc.in)
		assert.Equal(t, tc.want, got, "ParsePort(%q)", tc.in)
		back, err := hookenv.ParsePort(got.String())
		require.NoError(t, err)
		assert.Equal(t, got, back, "round trip of %q via %q", tc.in, got.String())
	}
}

func TestOpenPortRejectsBeforeCalling(t *testing.T) {
	tools := &hookenv.Tools{Runner: noTools(t)}
	err := tools.OpenPort(t.Context(), hookenv.Port{Protocol: "tcp", From: 0, To: 0})
	require.ErrorIs(t, err, hookenv.ErrInvalidArgument)
	assert.Equal(t, "open-port: invalid argument: port 0-0 out of range 1-65535", err.Error())
	err = tools.ClosePort(t.Context(), hookenv.Port{Protocol: "tcp", From: 80, To: 80}, "web,api")
	require.ErrorIs(t, err, hookenv.ErrInvalidArgument)
	assert.Equal(t, `close-port: invalid argument: invalid endpoint name "web,api"`, err.Error())
}

func TestActions(t *testing.T) {
	runToolCases(t, []toolCase{
		{name: "params typed", golden: "tools/action-get/params.txt",
			do:   func(ctx context.Context, tools *hookenv.Tools) (any, error) { return tools.ActionGet(ctx) },
			want: map[string]any{"count": int64(3), "mode": "fast", "nested": map[string]any{"ratio": 0.5}}},
		{name: "not in an action", golden: "tools/action-get/not-action.txt",
			do:      func(ctx context.Context, tools *hookenv.Tools) (any, error) { return tools.ActionGet(ctx) },
			wantErr: toolErr("action-get", 1, "not running an action")},
		{name: "set, log, fail", golden: "tools/action-set/ok.txt",
			do: seq(
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return nil, tools.ActionSet(ctx, map[string]string{"result": "done", "out.size": "10"})
				},
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return nil, tools.ActionLog(ctx, "step 1")
				},
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return nil, tools.ActionFail(ctx, "-boom")
				},
				func(ctx context.Context, tools *hookenv.Tools) (any, error) { return nil, tools.ActionFail(ctx, "") }),
			want: []any{nil, nil, nil, nil}},
	})
}

func TestActionSetRejectsBeforeCalling(t *testing.T) {
	tools := &hookenv.Tools{Runner: noTools(t)}
	for _, tc := range []struct {
		key, want string
	}{
		{"stdout", `action-set: invalid argument: cannot set reserved action key "stdout"`},
		{"stderr-encoding", `action-set: invalid argument: cannot set reserved action key "stderr-encoding"`},
		{"Result", `action-set: invalid argument: invalid action key "Result": each part must be lowercase alphanumerics and hyphens, starting and ending with an alphanumeric`},
		{"a..b", `action-set: invalid argument: invalid action key "a..b": each part must be lowercase alphanumerics and hyphens, starting and ending with an alphanumeric`},
		{"a-", `action-set: invalid argument: invalid action key "a-": each part must be lowercase alphanumerics and hyphens, starting and ending with an alphanumeric`},
		{"a=b", `action-set: invalid argument: invalid action key "a=b": each part must be lowercase alphanumerics and hyphens, starting and ending with an alphanumeric`},
	} {
		err := tools.ActionSet(t.Context(), map[string]string{tc.key: "v"})
		require.ErrorIs(t, err, hookenv.ErrInvalidArgument, tc.key)
		assert.Equal(t, tc.want, err.Error())
	}
}

func TestUnitNetworkGoalState(t *testing.T) {
	runToolCases(t, []toolCase{
		{name: "unit-get", golden: "tools/unit-get/private-address.txt",
			do: func(ctx context.Context, tools *hookenv.Tools) (any, error) {
				return tools.UnitGet(ctx, "private-address")
			},
			want: "10.0.0.1"},
		{name: "network-get", golden: "tools/network-get/db.txt",
			do: func(ctx context.Context, tools *hookenv.Tools) (any, error) {
				return tools.NetworkGet(ctx, "db", "db:1")
			},
			want: hookenv.NetworkInfo{
				BindAddresses: []hookenv.BindAddress{{MACAddress: "00:16:3e:00:00:01", InterfaceName: "eth0",
					Addresses: []hookenv.Address{{Value: "10.0.0.1", CIDR: "10.0.0.0/24"}}}},
				EgressSubnets:    []string{"10.0.0.1/32"},
				IngressAddresses: []string{"10.0.0.1"},
			}},
		{name: "goal-state", golden: "tools/goal-state/ok.txt",
			do: func(ctx context.Context, tools *hookenv.Tools) (any, error) { return tools.GoalState(ctx) },
			want: hookenv.GoalState{
				Units: map[string]hookenv.GoalStatus{
					"app/0": {Status: "active", Since: "2024-01-02 03:04:05Z"},
					"app/1": {Status: "waiting", Since: "2024-01-02 03:04:06Z"},
				},
				Relations: map[string]map[string]hookenv.GoalStatus{"db": {
					"mysql":   {Status: "joined", Since: "2024-01-02 03:05:00Z"},
					"mysql/0": {Status: "active", Since: "2024-01-02 03:05:01Z"},
				}},
			}},
		{name: "state get", golden: "tools/state-get/ok.txt",
			do: seq(
				func(ctx context.Context, tools *hookenv.Tools) (any, error) { return tools.StateGet(ctx) },
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					v, ok, err := tools.StateGetKey(ctx, "k")
					return []any{v, ok}, err
				},
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					v, ok, err := tools.StateGetKey(ctx, "gone")
					return []any{v, ok}, err
				}),
			want: []any{map[string]string{"k": "v", "empty": ""}, []any{"v", true}, []any{"", false}}},
		{name: "state set and delete", golden: "tools/state-set/ok.txt",
			do: seq(
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return nil, tools.StateSet(ctx, map[string]string{"b": " padded ", "a": ""})
				},
				func(ctx context.Context, tools *hookenv.Tools) (any, error) { return nil, tools.StateDelete(ctx, "k") }),
			want: []any{nil, nil}},
	})
}

func TestUnitStateRejectsBeforeCalling(t *testing.T) {
	tools := &hookenv.Tools{Runner: noTools(t)}
	ctx := t.Context()
	long := make([]byte, 64*1024+1)
	for i := range long {
		long[i] = 'x'
	}
	for _, tc := range []struct {
		name string
		do   func() error
		want string
	}{
		{"unit-get setting", func() error { _, err := tools.UnitGet(ctx, "address"); return err },
			`unit-get: invalid argument: unknown setting "address", expected private-address or public-address`},
		{"network-get binding", func() error { _, err := tools.NetworkGet(ctx, "--all", ""); return err },
			`network-get: invalid argument: invalid endpoint name "--all"`},
		{"state key", func() error { return tools.StateSet(ctx, map[string]string{"a=b": "1"}) },
			`state-set: invalid argument: key "a=b" contains "="`},
		{"state value size", func() error { return tools.StateSet(ctx, map[string]string{"k": string(long)}) },
			`state-set: invalid argument: value of "k" is 65537 bytes, over Juju's 65536-byte limit`},
		{"state delete key", func() error { return tools.StateDelete(ctx, "-k") },
			`state-delete: invalid argument: key "-k" starts with "-"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			require.ErrorIs(t, err, hookenv.ErrInvalidArgument)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}
