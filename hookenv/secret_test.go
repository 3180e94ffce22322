package hookenv_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/hookenv"
)

const (
	secretID  = "secret:coj8mulh8b41e8nv6p90"
	secretURI = "secret://6f6c6467-6e65-4a75-8a75-000000000000/coj8mulh8b41e8nv6p90"
)

// errs runs steps in order, all of them, and collects each one's result, or
// its error when it failed.
func errs(steps ...func(context.Context, *hookenv.Tools) (any, error)) func(context.Context, *hookenv.Tools) (any, error) {
	return func(ctx context.Context, tools *hookenv.Tools) (any, error) {
		var out []any
		for _, s := range steps {
			v, err := s(ctx, tools)
			if err != nil {
				v = err
			}
			out = append(out, v)
		}
		return out, nil
	}
}

// notFound reports whether a step's result is a *ToolError matching
// ErrSecretNotFound, with the message.
func notFound(v any) (bool, string) {
	err, ok := v.(error)
	var te *hookenv.ToolError
	if !ok || !errors.As(err, &te) {
		return false, ""
	}
	return errors.Is(err, hookenv.ErrSecretNotFound), te.Message
}

func TestSecrets(t *testing.T) {
	info := hookenv.SecretInfo{ID: "coj8mulh8b41e8nv6p90", Revision: 1, Label: "db-pass", Owner: "application",
		Description: "database password", Rotation: "never"}
	renamed := info
	renamed.Label = "db-password"
	infoRev2 := info
	infoRev2.Revision = 2
	runToolCases(t, []toolCase{
		{name: "add, set and read in one hook", golden: "tools/secret-add/ok.txt",
			do: seq(
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return tools.SecretAdd(ctx, map[string]string{"username": "admin", "password": "s3cret"},
						hookenv.SecretOptions{Owner: "unit", Label: "db-pass"})
				},
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return nil, tools.SecretSet(ctx, secretURI, map[string]string{"password": " n3w\n"}, hookenv.SecretOptions{Description: "rotated"})
				},
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return tools.SecretGet(ctx, secretURI, hookenv.SecretGetOptions{})
				}),
			want: []any{secretURI, nil, map[string]string{"password": " n3w\n"}}},
		{name: "add before Juju 3.1.3", golden: "tools/secret-add/old-uri.txt",
			do: func(ctx context.Context, tools *hookenv.Tools) (any, error) {
				return tools.SecretAdd(ctx, map[string]string{"password": "s3cret"}, hookenv.SecretOptions{})
			},
			want: secretID},
		{name: "add on a non-leader", golden: "tools/secret-add/not-leader.txt",
			do: func(ctx context.Context, tools *hookenv.Tools) (any, error) {
				return tools.SecretAdd(ctx, map[string]string{"password": "s3cret"}, hookenv.SecretOptions{Label: "db-pass"})
			},
			wantErr: both(toolErr("secret-add", 1, "this unit is not the leader"), is(hookenv.ErrNotLeader, ""))},
		{name: "add prints no URI", golden: "faults/secret-add-garbage.txt",
			do: func(ctx context.Context, tools *hookenv.Tools) (any, error) {
				return tools.SecretAdd(ctx, map[string]string{"password": "s3cret"}, hookenv.SecretOptions{})
			},
			wantErr: is(hookenv.ErrBadOutput, `secret-add: cannot decode tool output: 5 bytes that are not a secret URI`)},
		{name: "get by id and by label", golden: "tools/secret-get/ok.txt",
			do: seq(
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return tools.SecretGet(ctx, secretID, hookenv.SecretGetOptions{Refresh: true})
				},
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return tools.SecretGet(ctx, "", hookenv.SecretGetOptions{Label: "db-pass", Peek: true})
				}),
			want: []any{map[string]string{"password": "s3cret"}, map[string]string{"password": "n3w"}}},
		{name: "get what is not there", golden: "tools/secret-get/not-found.txt",
			do: func(ctx context.Context, tools *hookenv.Tools) (any, error) {
				_, err1 := tools.SecretGet(ctx, secretID, hookenv.SecretGetOptions{})
				_, err2 := tools.SecretGet(ctx, "", hookenv.SecretGetOptions{Label: "nope"})
				var out []any
				for _, err := range []error{err1, err2} {
					ok, msg := notFound(err)
					out = append(out, ok, msg)
				}
				return out, nil
			},
			want: []any{true, `secret "secret:coj8mulh8b41e8nv6p90" not found`, true, `consumer label "nope" not found`}},
		{name: "tracked, peeked and refreshed revisions", golden: "tools/secret-get/tracking.txt",
			do: seq(
				getSecret(secretID, hookenv.SecretGetOptions{}),
				getSecret(secretID, hookenv.SecretGetOptions{Peek: true}),
				getSecret(secretID, hookenv.SecretGetOptions{}),
				getSecret(secretID, hookenv.SecretGetOptions{Refresh: true}),
				getSecret("", hookenv.SecretGetOptions{Label: "db-pass"}),
				getSecret("secret:coj8mulh8b41e8nv6pa0", hookenv.SecretGetOptions{}),
			),
			want: []any{
				map[string]string{"password": "old"}, map[string]string{"password": "new"}, map[string]string{"password": "old"},
				map[string]string{"password": "new"}, map[string]string{"password": "new"}, map[string]string{"token": "t2"},
			}},
		{name: "set content, then metadata only", golden: "tools/secret-set/new-revision.txt",
			do: seq(
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return nil, tools.SecretSet(ctx, secretID, map[string]string{"password": "n3w"}, hookenv.SecretOptions{})
				},
				getSecret(secretID, hookenv.SecretGetOptions{}),
				getSecret(secretID, hookenv.SecretGetOptions{Peek: true}),
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return tools.SecretInfoGet(ctx, secretID, "")
				},
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return nil, tools.SecretSet(ctx, secretID, nil, hookenv.SecretOptions{Label: "db-password"})
				},
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return tools.SecretInfoGet(ctx, "", "db-password")
				}),
			want: []any{nil, map[string]string{"password": "s3cret"}, map[string]string{"password": "n3w"}, info, nil, renamed}},
		{name: "set and remove on a non-leader pass until the commit", golden: "tools/secret-set/not-leader.txt",
			do: seq(
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return nil, tools.SecretSet(ctx, secretID, map[string]string{"password": "n3w"}, hookenv.SecretOptions{})
				},
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return nil, tools.SecretRemove(ctx, secretID, 0)
				}),
			want: []any{nil, nil}},
		{name: "ids", golden: "tools/secret-ids/ok.txt",
			do: seq(
				func(ctx context.Context, tools *hookenv.Tools) (any, error) { return tools.SecretIDs(ctx) },
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return tools.SecretAdd(ctx, map[string]string{"password": "n3w"}, hookenv.SecretOptions{})
				},
				func(ctx context.Context, tools *hookenv.Tools) (any, error) { return tools.SecretIDs(ctx) }),
			want: []any{
				[]string{"coj8mulh8b41e8nv6p90", "coj8mulh8b41e8nv6pa0"},
				"secret://6f6c6467-6e65-4a75-8a75-000000000000/coj8mulh8b41e8nv6pc0",
				[]string{"coj8mulh8b41e8nv6p90", "coj8mulh8b41e8nv6pa0", "coj8mulh8b41e8nv6pc0"},
			}},
		{name: "no ids", golden: "tools/secret-ids/not-leader.txt",
			do:   func(ctx context.Context, tools *hookenv.Tools) (any, error) { return tools.SecretIDs(ctx) },
			want: []string{}},
		{name: "info by id and label", golden: "tools/secret-info-get/ok.txt",
			do: errs(
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return tools.SecretInfoGet(ctx, secretID, "")
				},
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return tools.SecretInfoGet(ctx, "", "db-pass")
				},
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					_, err := tools.SecretInfoGet(ctx, "", "nope")
					ok, msg := notFound(err)
					return []any{ok, msg}, nil
				}),
			want: []any{infoRev2, infoRev2, []any{true, `secret "nope" not found`}}},
		{name: "info on a non-leader", golden: "tools/secret-info-get/not-leader.txt",
			do: func(ctx context.Context, tools *hookenv.Tools) (any, error) {
				return tools.SecretInfoGet(ctx, secretID, "")
			},
			wantErr: both(toolErr("secret-info-get", 1, `secret "coj8mulh8b41e8nv6p90" not found`), is(hookenv.ErrSecretNotFound, ""))},
		{name: "grant to a relation", golden: "tools/secret-grant/ok.txt",
			do: seq(
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return nil, tools.SecretGrant(ctx, secretID, "db:1", "")
				},
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					info, err := tools.SecretInfoGet(ctx, secretID, "")
					return info.Access, err
				}),
			want: []any{nil, []hookenv.SecretAccess{{Target: "application-mysql", Scope: "relation-app.db#mysql.db", Role: "view"}}}},
		{name: "revoke by application, relation and unit", golden: "tools/secret-revoke/ok.txt",
			do: seq(
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return nil, tools.SecretRevoke(ctx, secretID, hookenv.SecretRevokeOptions{App: "mysql"})
				},
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return nil, tools.SecretGrant(ctx, secretID, "db:1", "")
				},
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return nil, tools.SecretRevoke(ctx, secretID, hookenv.SecretRevokeOptions{RelationID: "db:1"})
				},
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					info, err := tools.SecretInfoGet(ctx, secretID, "")
					return info.Access, err
				},
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return nil, tools.SecretGrant(ctx, secretID, "db:1", "mysql/0")
				},
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return nil, tools.SecretRevoke(ctx, secretID, hookenv.SecretRevokeOptions{Unit: "mysql/0"})
				}),
			want: []any{nil, nil, nil, []hookenv.SecretAccess(nil), nil, nil}},
		{name: "remove a revision, then the secret", golden: "tools/secret-remove/ok.txt",
			do: seq(
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return nil, tools.SecretRemove(ctx, secretID, 1)
				},
				func(ctx context.Context, tools *hookenv.Tools) (any, error) {
					return nil, tools.SecretRemove(ctx, secretID, 0)
				},
				func(ctx context.Context, tools *hookenv.Tools) (any, error) { return tools.SecretIDs(ctx) }),
			want: []any{nil, nil, []string{}}},
	})
}

func getSecret(id string, opts hookenv.SecretGetOptions) func(context.Context, *hookenv.Tools) (any, error) {
	return func(ctx context.Context, tools *hookenv.Tools) (any, error) { return tools.SecretGet(ctx, id, opts) }
}

// Ensure secret content never appears on a tool's command line: each value
// goes in a file of a private directory (0700, files 0600; the fake checks
// modes and contents), and the directory is gone when the wrapper returns,
// whether the tool succeeded or failed.
func TestSecretContentNeverOnCommandLine(t *testing.T) {
	values := []string{"admin", "s3cret", " n3w\n"}
	for _, tc := range []struct {
		golden string
		do     func(ctx context.Context, tools *hookenv.Tools) error
	}{
		{"tools/secret-add/ok.txt", func(ctx context.Context, tools *hookenv.Tools) error {
			_, err := tools.SecretAdd(ctx, map[string]string{"username": "admin", "password": "s3cret"}, hookenv.SecretOptions{Owner: "unit", Label: "db-pass"})
			if err != nil {
				return err
			}
			if err := tools.SecretSet(ctx, secretURI, map[string]string{"password": " n3w\n"}, hookenv.SecretOptions{Description: "rotated"}); err != nil {
				return err
			}
			_, err = tools.SecretGet(ctx, secretURI, hookenv.SecretGetOptions{})
			return err
		}},
		{"tools/secret-add/not-leader.txt", func(ctx context.Context, tools *hookenv.Tools) error {
			_, err := tools.SecretAdd(ctx, map[string]string{"password": "s3cret"}, hookenv.SecretOptions{Label: "db-pass"})
			if err == nil {
				return errors.New("secret-add succeeded on a non-leader")
			}
			return nil
		}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			f := newFake(t, tc.golden)
			require.NoError(t, tc.do(t.Context(), f.Tools()))
			log := f.Log(t)
			require.NotEmpty(t, log)
			dirs := 0
			for _, c := range log {
				for _, a := range c.Args {
					for _, v := range values {
						assert.NotContains(t, a, v, "a secret value in the arguments of %q", c.Args)
					}
				}
				if c.Dir == "" {
					continue
				}
				dirs++
				_, err := os.Stat(c.Dir)
				assert.ErrorIs(t, err, fs.ErrNotExist, "%s is left behind", c.Dir)
			}
			assert.NotZero(t, dirs, "content went through files")
		})
	}
}

// Ensure the files are removed too when the tool cannot run.
func TestSecretFilesRemovedWhenTheToolIsMissing(t *testing.T) {
	var dir string
	tools := &hookenv.Tools{Runner: hookenv.RunnerFunc(func(_ context.Context, tool string, args []string, _ []byte) ([]byte, error) {
		for _, a := range args {
			if _, path, ok := strings.Cut(a, "#file="); ok {
				b, err := os.ReadFile(path)
				require.NoError(t, err)
				assert.Equal(t, "", string(b), "an empty value is an empty file")
				dir = path[:strings.LastIndex(path, "/")]
			}
		}
		return nil, hookenv.ErrToolNotFound
	})}
	err := tools.SecretSet(t.Context(), secretID, map[string]string{"token": ""}, hookenv.SecretOptions{})
	require.ErrorIs(t, err, hookenv.ErrToolNotFound)
	require.NotEmpty(t, dir)
	_, err = os.Stat(dir)
	assert.ErrorIs(t, err, fs.ErrNotExist)
}

func TestSecretsRejectBeforeCalling(t *testing.T) {
	tools := &hookenv.Tools{Runner: noTools(t)}
	ctx := t.Context()
	content := map[string]string{"password": "x"}
	for _, tc := range []struct {
		name string
		do   func() error
		want string
	}{
		{"short key", func() error {
			_, err := tools.SecretAdd(ctx, map[string]string{"pw": "x"}, hookenv.SecretOptions{})
			return err
		}, `secret-add: invalid argument: invalid secret key "pw": want at least 3 lowercase letters, digits or single hyphens, starting with a letter`},
		{"no content", func() error { _, err := tools.SecretAdd(ctx, nil, hookenv.SecretOptions{}); return err },
			`secret-add: invalid argument: no secret content`},
		{"owner", func() error {
			_, err := tools.SecretAdd(ctx, content, hookenv.SecretOptions{Owner: "model"})
			return err
		}, `secret-add: invalid argument: invalid owner "model", expected application or unit`},
		{"owner on set", func() error {
			return tools.SecretSet(ctx, secretID, content, hookenv.SecretOptions{Owner: "unit"})
		}, `secret-set: invalid argument: owner can only be given to secret-add`},
		{"rotate", func() error {
			_, err := tools.SecretAdd(ctx, content, hookenv.SecretOptions{Rotate: "fortnightly"})
			return err
		}, `secret-add: invalid argument: invalid rotate policy "fortnightly", expected one of never, hourly, daily, weekly, monthly, quarterly, yearly`},
		{"expire", func() error {
			_, err := tools.SecretAdd(ctx, content, hookenv.SecretOptions{Expire: "-1h"})
			return err
		}, `secret-add: invalid argument: invalid expiry "-1h": want a positive duration, an RFC 3339 time or YYYY-MM-DDTHH:MM:SS`},
		{"value not UTF-8, named by its key only", func() error {
			_, err := tools.SecretAdd(ctx, map[string]string{"password": "s3cret\xff"}, hookenv.SecretOptions{})
			return err
		}, `secret-add: invalid argument: value of "password" is not valid UTF-8`},
		{"value too large", func() error {
			return tools.SecretSet(ctx, secretID, map[string]string{"blob": strings.Repeat("x", 750001)}, hookenv.SecretOptions{})
		}, `secret-set: invalid argument: value of "blob" is 1000004 bytes base64-encoded, over Juju's 1000000-byte limit`},
		{"content too large", func() error {
			big := strings.Repeat("x", 450000)
			return tools.SecretSet(ctx, secretID, map[string]string{"aaa": big, "bbb": big}, hookenv.SecretOptions{})
		}, `secret-set: invalid argument: secret content is 1200000 bytes base64-encoded, over Juju's 1000000-byte limit`},
		{"set nothing", func() error { return tools.SecretSet(ctx, secretID, nil, hookenv.SecretOptions{}) },
			`secret-set: invalid argument: nothing to set: no content and no option`},
		{"id", func() error { _, err := tools.SecretGet(ctx, "-x", hookenv.SecretGetOptions{}); return err },
			`secret-get: invalid argument: invalid secret ID "-x": want <id>, secret:<id>, secret:<model-uuid>/<id> or secret://<model-uuid>/<id>, the id 20 characters of 0-9a-v ending in 0 or g`},
		{"id on set", func() error { return tools.SecretSet(ctx, "secret:nope", content, hookenv.SecretOptions{}) },
			`secret-set: invalid argument: invalid secret ID "secret:nope": want <id>, secret:<id>, secret:<model-uuid>/<id> or secret://<model-uuid>/<id>, the id 20 characters of 0-9a-v ending in 0 or g`},
		{"neither id nor label", func() error { _, err := tools.SecretGet(ctx, "", hookenv.SecretGetOptions{}); return err },
			`secret-get: invalid argument: need a secret ID or a label`},
		{"id and label", func() error {
			_, err := tools.SecretGet(ctx, secretID, hookenv.SecretGetOptions{Label: "db-pass"})
			return err
		}, `secret-get: invalid argument: give a secret ID or a label, not both`},
		{"peek and refresh", func() error {
			_, err := tools.SecretGet(ctx, secretID, hookenv.SecretGetOptions{Peek: true, Refresh: true})
			return err
		}, `secret-get: invalid argument: peek and refresh cannot be used together`},
		{"info by id and label", func() error { _, err := tools.SecretInfoGet(ctx, secretID, "db-pass"); return err },
			`secret-info-get: invalid argument: give a secret ID or a label, not both`},
		{"info by nothing", func() error { _, err := tools.SecretInfoGet(ctx, "", ""); return err },
			`secret-info-get: invalid argument: need a secret ID or a label`},
		{"info bad id", func() error { _, err := tools.SecretInfoGet(ctx, "nope", ""); return err },
			`secret-info-get: invalid argument: invalid secret ID "nope": want <id>, secret:<id>, secret:<model-uuid>/<id> or secret://<model-uuid>/<id>, the id 20 characters of 0-9a-v ending in 0 or g`},
		{"remove a negative revision", func() error { return tools.SecretRemove(ctx, secretID, -1) },
			`secret-remove: invalid argument: invalid revision -1`},
		{"grant a bad id", func() error { return tools.SecretGrant(ctx, "nope", "db:1", "") },
			`secret-grant: invalid argument: invalid secret ID "nope": want <id>, secret:<id>, secret:<model-uuid>/<id> or secret://<model-uuid>/<id>, the id 20 characters of 0-9a-v ending in 0 or g`},
		{"grant on a bad relation", func() error { return tools.SecretGrant(ctx, secretID, "db", "") },
			`secret-grant: invalid argument: invalid relation id "db": want <endpoint>:<number>`},
		{"grant to a bad unit", func() error { return tools.SecretGrant(ctx, secretID, "db:1", "mysql") },
			`secret-grant: invalid argument: invalid unit name "mysql"`},
		{"revoke from an application and a unit", func() error {
			return tools.SecretRevoke(ctx, secretID, hookenv.SecretRevokeOptions{App: "mysql", Unit: "mysql/0"})
		}, `secret-revoke: invalid argument: give an application or a unit, not both`},
		{"revoke from a relation and an application", func() error {
			return tools.SecretRevoke(ctx, secretID, hookenv.SecretRevokeOptions{RelationID: "db:1", App: "mysql"})
		}, `secret-revoke: invalid argument: give a relation or an application, not both`},
		{"revoke from a bad application", func() error {
			return tools.SecretRevoke(ctx, secretID, hookenv.SecretRevokeOptions{App: "My-SQL"})
		}, `secret-revoke: invalid argument: invalid application name "My-SQL"`},
		{"revoke from a bad unit", func() error {
			return tools.SecretRevoke(ctx, secretID, hookenv.SecretRevokeOptions{Unit: "mysql/x"})
		}, `secret-revoke: invalid argument: invalid unit name "mysql/x"`},
		{"revoke on a bad relation", func() error {
			return tools.SecretRevoke(ctx, secretID, hookenv.SecretRevokeOptions{RelationID: "db:x"})
		}, `secret-revoke: invalid argument: invalid relation id "db:x": want <endpoint>:<number>`},
		{"revoke a bad id", func() error { return tools.SecretRevoke(ctx, "secret:x", hookenv.SecretRevokeOptions{}) },
			`secret-revoke: invalid argument: invalid secret ID "secret:x": want <id>, secret:<id>, secret:<model-uuid>/<id> or secret://<model-uuid>/<id>, the id 20 characters of 0-9a-v ending in 0 or g`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			require.ErrorIs(t, err, hookenv.ErrInvalidArgument)
			assert.Equal(t, tc.want, err.Error())
			assert.NotContains(t, err.Error(), "s3cret")
		})
	}
}

// Ensure weekly rotation, every expiry form Juju accepts and a value Juju's
// key=value syntax could not carry (empty, surrounding white space, only
// "=") reach the tool.
func TestSecretsAcceptWhatJujuAccepts(t *testing.T) {
	var got []string
	var contents []string
	tools := &hookenv.Tools{Runner: hookenv.RunnerFunc(func(_ context.Context, tool string, args []string, _ []byte) ([]byte, error) {
		got = args
		contents = nil
		for _, a := range args {
			if _, path, ok := strings.Cut(a, "#file="); ok {
				b, err := os.ReadFile(path)
				require.NoError(t, err)
				contents = append(contents, string(b))
			}
		}
		return []byte(secretURI + "\n"), nil
	})}
	for _, expire := range []string{"24h", "2026-01-02T03:04:05Z", "2026-01-02T03:04:05"} {
		id, err := tools.SecretAdd(t.Context(), map[string]string{"aaa": "", "bbb": "  x \n", "ccc": "==="},
			hookenv.SecretOptions{Rotate: "weekly", Expire: expire, Description: "-d"})
		require.NoError(t, err)
		assert.Equal(t, secretURI, id)
		assert.Equal(t, []string{"--description=-d", "--expire=" + expire, "--rotate=weekly"}, got[:3])
		assert.Equal(t, []string{"", "  x \n", "==="}, contents)
	}
}

func TestParseSecretID(t *testing.T) {
	const uuid = "6f6c6467-6e65-4a75-8a75-000000000000"
	for in, want := range map[string]hookenv.SecretID{
		"coj8mulh8b41e8nv6p90":                       {ID: "coj8mulh8b41e8nv6p90"},
		"secret:coj8mulh8b41e8nv6p9g":                {ID: "coj8mulh8b41e8nv6p9g"},
		"secret:" + uuid + "/coj8mulh8b41e8nv6p90":   {ModelUUID: uuid, ID: "coj8mulh8b41e8nv6p90"},
		"secret://" + uuid + "/coj8mulh8b41e8nv6p90": {ModelUUID: uuid, ID: "coj8mulh8b41e8nv6p90"},
		uuid + "/coj8mulh8b41e8nv6p90":               {ModelUUID: uuid, ID: "coj8mulh8b41e8nv6p90"},
	} {
		got, err := hookenv.ParseSecretID(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	assert.Equal(t, "secret:coj8mulh8b41e8nv6p90", hookenv.SecretID{ID: "coj8mulh8b41e8nv6p90"}.String())
	assert.Equal(t, "secret://"+uuid+"/coj8mulh8b41e8nv6p90", hookenv.SecretID{ModelUUID: uuid, ID: "coj8mulh8b41e8nv6p90"}.String())
	for _, bad := range []string{
		"", "nope", "secret:nope", "secret:", "coj8mulh8b41e8nv6p91", "coj8mulh8b41e8nv6pw0", "coj8mulh8b41e8nv6p9",
		"COJ8MULH8B41E8NV6P90", "secret://coj8mulh8b41e8nv6p90", "secret://x/coj8mulh8b41e8nv6p90",
		"secret:" + uuid + "/", "secret://" + uuid + "/coj8mulh8b41e8nv6p90/x", "other:coj8mulh8b41e8nv6p90", " secret:coj8mulh8b41e8nv6p90",
	} {
		_, err := hookenv.ParseSecretID(bad)
		assert.ErrorIs(t, err, hookenv.ErrInvalidArgument, "%q", bad)
	}
}

// Ensure a secret tool's "not found" answers match ErrSecretNotFound and
// nothing else does.
func TestErrSecretNotFound(t *testing.T) {
	for _, tc := range []struct {
		tool string
		code int
		msg  string
		want bool
	}{
		{"secret-get", 1, `secret "secret:coj8mulh8b41e8nv6p90" not found`, true},
		{"secret-info-get", 1, `secret "db-pass" not found`, true},
		{"secret-get", 1, `consumer label "x" not found`, true},
		{"secret-get", 1, "permission denied", false},
		{"secret-get", 2, `secret URI "x" not found`, false},
		{"relation-get", 1, `settings not found`, false},
	} {
		err := hookenv.NewToolError(tc.tool, nil, tc.code, "ERROR "+tc.msg+"\n")
		assert.Equal(t, tc.want, errors.Is(err, hookenv.ErrSecretNotFound), "%s %s", tc.tool, tc.msg)
		assert.False(t, errors.Is(err, hookenv.ErrNotLeader))
	}
}

// Ensure the cut-off of docs/juju-secrets.md, "1. Which Juju has secrets":
// 3.0.2 and later; an unknown version counts as having them.
func TestVersion_HasSecrets(t *testing.T) {
	for v, want := range map[string]bool{
		"2.9.42": false, "3.0.0": false, "3.0.1": false, "3.0-beta2": false, "2.9.42.1": false,
		"3.0.2": true, "3.0.3": true, "3.1-beta1": true, "3.1.0": true, "3.6.4": true, "4.0.1": true,
	} {
		ver, err := hookenv.ParseVersion(v)
		require.NoError(t, err)
		assert.Equal(t, want, ver.HasSecrets(), v)
	}
	assert.True(t, hookenv.Version{}.HasSecrets())
	assert.Equal(t, "3.0.2", hookenv.MinSecretsVersion)
}
