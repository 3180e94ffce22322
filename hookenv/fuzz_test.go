package hookenv_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/hookenv"
)

// FuzzKeyValues checks that what EncodeKeyValues accepts, Juju's parser
// (DecodeKeyValues) reads back unchanged, and that DecodeKeyValues never panics.
func FuzzKeyValues(f *testing.F) {
	for _, s := range [][2]string{
		{"a", "1"}, {"password", ""}, {"k", "x=y"}, {"k", "a b"}, {"k", " v"}, {"k=", "v"},
		{"-k", "v"}, {"", "v"}, {"k", "é\x00"}, {"k", "\xff"}, {"k\t", "v"}, {"k", "v\u00a0"},
	} {
		f.Add(s[0], s[1], "other", "value")
	}
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		in := map[string]string{k1: v1, k2: v2}
		args, err := hookenv.EncodeKeyValues(in)
		if err != nil {
			require.ErrorIs(t, err, hookenv.ErrInvalidArgument)
		} else {
			require.Len(t, args, len(in))
			for _, a := range args {
				require.False(t, strings.HasPrefix(a, "-"), "argument %q looks like a flag", a)
			}
			back, err := hookenv.DecodeKeyValues(args)
			require.NoError(t, err, "Juju would reject %q", args)
			require.Equal(t, in, back, "Juju would read %q differently", args)
		}
		// The parser itself: no panic, and every decoded pair is trimmed.
		got, err := hookenv.DecodeKeyValues([]string{k1 + "=" + v1, k2, v2})
		if err == nil {
			for k, v := range got {
				assert.Equal(t, strings.TrimSpace(k), k)
				assert.Equal(t, strings.TrimSpace(v), v)
				assert.NotEmpty(t, k)
			}
		}
	})
}

// replay is a runner returning the same stdout to every call.
func replay(out []byte) hookenv.Runner {
	return hookenv.RunnerFunc(func(context.Context, string, []string, []byte) ([]byte, error) { return out, nil })
}

// FuzzDecoders feeds arbitrary tool output to the JSON-decoding wrappers: none may
// panic, every failure must wrap ErrBadOutput, and successes must be consistent
// with the input.
func FuzzDecoders(f *testing.F) {
	for _, s := range []string{
		"true\n", "false\n", "True\n", "null\n", "{}\n", `{"a":"b"}` + "\n", `{"a":1}`, "[]\n",
		`["db:1","db:2"]`, `"mysql"`, `{"a":1,"b":true,"c":"x","d":null,"e":0.5}`, `{"a":1e400}`,
		`{"a":9223372036854775808}`, `["80/tcp","icmp","1-2/udp"]`, `{} {}`, "\xff", "",
		`{"status":"active","message":"m","status-data":{"n":1}}`,
		`{"units":{"a/0":{"status":"active","since":"x"}},"relations":{}}`,
		`{"application-status":{"status":"active","units":{"a/0":{"status":"x"}}}}`,
		"secret://6f6c6467-6e65-4a75-8a75-000000000000/coj8mulh8b41e8nv6p90\n", "secret:nope\n",
		`{"coj8mulh8b41e8nv6p90":{"revision":2,"label":"l","owner":"application","expiry":"2026-01-01T00:00:00Z"}}`,
		`{"a":{},"b":{}}`, `["coj8mulh8b41e8nv6p90"]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, out []byte) {
		tools := &hookenv.Tools{Runner: replay(out)}
		ctx := t.Context()
		check := func(what string, err error) {
			if err != nil && !errors.Is(err, hookenv.ErrBadOutput) {
				t.Fatalf("%s(%q): error %v does not wrap ErrBadOutput", what, out, err)
			}
		}
		b, err := tools.IsLeader(ctx)
		check("IsLeader", err)
		if err == nil {
			want := "false"
			if b {
				want = "true"
			}
			require.Equal(t, want, string(bytes.TrimSpace(out)))
		}
		_, err = tools.LeaderGet(ctx)
		check("LeaderGet", err)
		_, err = tools.ConfigGet(ctx)
		check("ConfigGet", err)
		_, err = tools.RelationIDs(ctx, "db")
		check("RelationIDs", err)
		_, err = tools.RelationApp(ctx, "db:1")
		check("RelationApp", err)
		_, _, err = tools.RelationGetKey(ctx, "db:1", false, "k", "")
		check("RelationGetKey", err)
		ports, err := tools.OpenedPorts(ctx)
		check("OpenedPorts", err)
		for _, p := range ports {
			require.NoError(t, p.Validate())
		}
		_, err = tools.StatusGet(ctx)
		check("StatusGet", err)
		_, err = tools.ApplicationStatusGet(ctx)
		check("ApplicationStatusGet", err)
		_, err = tools.ActionGet(ctx)
		check("ActionGet", err)
		_, err = tools.GoalState(ctx)
		check("GoalState", err)
		_, err = tools.NetworkGet(ctx, "db", "")
		check("NetworkGet", err)
		_, err = tools.UnitGet(ctx, "public-address")
		check("UnitGet", err)
		_, err = tools.SecretAdd(ctx, map[string]string{"password": "x"}, hookenv.SecretOptions{})
		check("SecretAdd", err)
		_, err = tools.SecretGet(ctx, "secret:coj8mulh8b41e8nv6p90", hookenv.SecretGetOptions{})
		check("SecretGet", err)
		_, err = tools.SecretInfoGet(ctx, "", "db-pass")
		check("SecretInfoGet", err)
		_, err = tools.SecretIDs(ctx)
		check("SecretIDs", err)
	})
}

// FuzzParseSecretID checks that a parsed secret ID survives a round trip
// through its String form, and that a refusal wraps ErrInvalidArgument.
func FuzzParseSecretID(f *testing.F) {
	for _, s := range []string{"coj8mulh8b41e8nv6p90", "secret:coj8mulh8b41e8nv6p90", "secret://6f6c6467-6e65-4a75-8a75-000000000000/coj8mulh8b41e8nv6p90",
		"secret:6f6c6467-6e65-4a75-8a75-000000000000/coj8mulh8b41e8nv6p90", "secret:nope", "secret://x/coj8mulh8b41e8nv6p90", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := hookenv.ParseSecretID(s)
		if err != nil {
			require.ErrorIs(t, err, hookenv.ErrInvalidArgument)
			return
		}
		back, err := hookenv.ParseSecretID(id.String())
		require.NoError(t, err)
		require.Equal(t, id, back)
		require.Len(t, id.ID, 20)
	})
}

// FuzzParsePort checks that a parsed port is valid and survives a round trip
// through its String form.
func FuzzParsePort(f *testing.F) {
	for _, s := range []string{"80", "80/TCP", "1-65535/udp", "icmp", "0", "65536", "9-8", "+1", "80/icmp", "01/tcp"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := hookenv.ParsePort(s)
		if err != nil {
			require.ErrorIs(t, err, hookenv.ErrInvalidArgument)
			return
		}
		require.NoError(t, p.Validate())
		back, err := hookenv.ParsePort(p.String())
		require.NoError(t, err)
		require.Equal(t, p, back)
	})
}
