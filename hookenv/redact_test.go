package hookenv_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/hookenv"
)

// Values a charm hands to the tools, or that the tools print, and that must never
// show in an error's text: the hook logs its error at ERROR, which reaches the
// controller's debug-log.
const (
	secret    = "Zq8vX2x05Kp7wR"
	numSecret = "98765432198765"
)

// assertNoSecret fails when text holds any 6-byte window of a secret, so a value
// quoted in part (a truncated output) is caught too.
func assertNoSecret(t *testing.T, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		for i := 0; i+6 <= len(s); i++ {
			if w := s[i : i+6]; strings.Contains(text, w) {
				t.Errorf("the error shows %q of the value %q: %s", w, s, text)
				return
			}
		}
	}
}

// errorTexts returns every rendering of err a log line could use.
func errorTexts(err error) string {
	return err.Error() + "\n" + fmt.Sprintf("%v|%+v|%s", err, err, err)
}

// TestErrorsNeverShowValues runs failing calls of every wrapper that carries or
// reads data, through a fake runner, and greps each error for the values.
func TestErrorsNeverShowValues(t *testing.T) {
	// fails is a runner whose tool exits 1 with stderr; prints one whose tool
	// exits 0 with stdout.
	fails := func(stderr string) hookenv.Runner {
		return hookenv.RunnerFunc(func(_ context.Context, tool string, args []string, _ []byte) ([]byte, error) {
			if stderr == "" { // Juju quoting the arguments back, as cmd.CheckEmpty does
				return nil, hookenv.NewToolError(tool, args, 2, fmt.Sprintf("ERROR unrecognized args: %q\n", args))
			}
			return nil, hookenv.NewToolError(tool, args, 1, stderr)
		})
	}
	prints := func(stdout string) hookenv.Runner {
		return hookenv.RunnerFunc(func(context.Context, string, []string, []byte) ([]byte, error) {
			return []byte(stdout), nil
		})
	}
	ctx := t.Context()
	S, N := secret, numSecret
	writes := map[string]func(*hookenv.Tools) error{
		"leader-set": func(tl *hookenv.Tools) error {
			return tl.LeaderSet(ctx, map[string]string{"admin_password": S, "motd": "hi"})
		},
		"secret-add": func(tl *hookenv.Tools) error {
			_, err := tl.SecretAdd(ctx, map[string]string{"password": S}, hookenv.SecretOptions{Description: S, Label: S})
			return err
		},
		"secret-set": func(tl *hookenv.Tools) error {
			return tl.SecretSet(ctx, "secret:coj8mulh8b41e8nv6p90", map[string]string{"password": S}, hookenv.SecretOptions{Description: S})
		},
		"secret-get by label": func(tl *hookenv.Tools) error {
			_, err := tl.SecretGet(ctx, "", hookenv.SecretGetOptions{Label: S})
			return err
		},
		"action-set":  func(tl *hookenv.Tools) error { return tl.ActionSet(ctx, map[string]string{"token": S}) },
		"action-fail": func(tl *hookenv.Tools) error { return tl.ActionFail(ctx, S) },
		"action-log":  func(tl *hookenv.Tools) error { return tl.ActionLog(ctx, S) },
		"relation-set": func(tl *hookenv.Tools) error {
			return tl.RelationSet(ctx, "db:1", true, map[string]string{"password": S})
		},
		"state-set": func(tl *hookenv.Tools) error { return tl.StateSet(ctx, map[string]string{"token": S}) },
		"juju-log":  func(tl *hookenv.Tools) error { return tl.Log(ctx, slog.LevelError, "password is "+S) },
		"status-set": func(tl *hookenv.Tools) error {
			return tl.StatusSet(ctx, hookenv.Status{State: "active", Message: "pw " + S})
		},
		"application-version-set": func(tl *hookenv.Tools) error { return tl.ApplicationVersionSet(ctx, S) },
	}
	for name, do := range writes {
		for _, stderr := range []string{
			"ERROR cannot write: connection is shut down\n",
			"", // a message that quotes the arguments: the hidden values are taken out of it too
		} {
			t.Run(name+"/"+stderr, func(t *testing.T) {
				err := do(&hookenv.Tools{Runner: fails(stderr)})
				var te *hookenv.ToolError
				require.ErrorAs(t, err, &te)
				assertNoSecret(t, errorTexts(err), S)
				if name != "relation-set" && name != "state-set" { // these send the data on stdin
					assert.Contains(t, strings.Join(te.Args, " "), S, "Args keeps the data for programmatic use")
				}
			})
		}
	}

	reads := map[string]func(*hookenv.Tools) error{
		"leader-get":     func(tl *hookenv.Tools) error { _, err := tl.LeaderGet(ctx); return err },
		"leader-get key": func(tl *hookenv.Tools) error { _, _, err := tl.LeaderGetKey(ctx, "k"); return err },
		"secret-get": func(tl *hookenv.Tools) error {
			_, err := tl.SecretGet(ctx, "secret:coj8mulh8b41e8nv6p90", hookenv.SecretGetOptions{})
			return err
		},
		"relation-get": func(tl *hookenv.Tools) error { _, err := tl.RelationGet(ctx, "db:1", true, "mysql"); return err },
		"relation-get key": func(tl *hookenv.Tools) error {
			_, _, err := tl.RelationGetKey(ctx, "db:1", false, "pw", "mysql/0")
			return err
		},
		"config-get":        func(tl *hookenv.Tools) error { _, err := tl.ConfigGet(ctx); return err },
		"state-get":         func(tl *hookenv.Tools) error { _, err := tl.StateGet(ctx); return err },
		"state-get key":     func(tl *hookenv.Tools) error { _, _, err := tl.StateGetKey(ctx, "k"); return err },
		"action-get":        func(tl *hookenv.Tools) error { _, err := tl.ActionGet(ctx); return err },
		"status-get":        func(tl *hookenv.Tools) error { _, err := tl.StatusGet(ctx); return err },
		"status-get app":    func(tl *hookenv.Tools) error { _, err := tl.ApplicationStatusGet(ctx); return err },
		"is-leader":         func(tl *hookenv.Tools) error { _, err := tl.IsLeader(ctx); return err },
		"unit-get":          func(tl *hookenv.Tools) error { _, err := tl.UnitGet(ctx, "private-address"); return err },
		"relation-ids":      func(tl *hookenv.Tools) error { _, err := tl.RelationIDs(ctx, "db"); return err },
		"relation-list app": func(tl *hookenv.Tools) error { _, err := tl.RelationApp(ctx, "db:1"); return err },
		"goal-state":        func(tl *hookenv.Tools) error { _, err := tl.GoalState(ctx); return err },
		"network-get":       func(tl *hookenv.Tools) error { _, err := tl.NetworkGet(ctx, "db", ""); return err },
		"opened-ports":      func(tl *hookenv.Tools) error { _, err := tl.OpenedPorts(ctx); return err },
	}
	outputs := []string{
		`{"password":"` + S,                      // truncated inside the value
		`{"password":"` + S + `"`,                // truncated after it
		`"` + S,                                  // a truncated string
		`{"password":"` + S + `"} trailing ` + S, // trailing data
		`{"password":` + S + `}`,                 // a syntax error at the value
		S + "\n",                                 // smart output
		`{"password":` + N + `}`,                 // a number where a string belongs
		`{"n":` + N + `e999}`,                    // a number out of range
		`{"status":"active","status-data":{"n":` + N + `e999}}`,
		`{"application-status":{"status":"x","status-data":{"n":` + N + `e999}}}`,
		`["` + S + `"]`, // a list where something else belongs
		`"` + S + `"`,   // a string where something else belongs
		strings.Repeat(" ", 300) + `{"x":"` + S + `"`, // far into the output
	}
	for name, do := range reads {
		for i, out := range outputs {
			t.Run(fmt.Sprintf("%s/output %d", name, i), func(t *testing.T) {
				err := do(&hookenv.Tools{Runner: prints(out)})
				if err == nil {
					return // this output happens to decode for this tool
				}
				require.ErrorIs(t, err, hookenv.ErrBadOutput, "%s: %v", name, err)
				assertNoSecret(t, errorTexts(err), S, N)
			})
		}
	}
}

// TestToolErrorRedaction pins the rendering rule of ToolError.Error.
func TestToolErrorRedaction(t *testing.T) {
	for _, tc := range []struct {
		tool string
		args []string
		want string
	}{
		{"leader-set", []string{"admin_password=" + secret, "motd="}, `leader-set admin_password=… motd=…: exit status 1: boom`},
		{"leader-get", []string{"--format=json", "password"}, `leader-get --format=json password: exit status 1: boom`},
		{"relation-get", []string{"--format=json", "--app", "-r", "db:1", "-", "mysql"}, `relation-get --format=json --app -r db:1 - mysql: exit status 1: boom`},
		{"relation-set", []string{"--app", "-r", "peers:0", "--file", "-"}, `relation-set --app -r peers:0 --file -: exit status 1: boom`},
		{"juju-log", []string{"-l", "ERROR", "--", secret}, `juju-log -l ERROR -- …: exit status 1: boom`},
		{"status-set", []string{"--application", "--", "active", secret}, `status-set --application -- … …: exit status 1: boom`},
		{"secret-add", []string{"--owner=unit", "--label=" + secret, "--description", secret, "password=" + secret}, `secret-add --owner=unit --label=… --description … password=…: exit status 1: boom`},
		{"secret-set", []string{"secret:coj8mulh8b41e8nv6p90", "--rotate=daily", "--expire=24h", "password=" + secret}, `secret-set secret:coj8mulh8b41e8nv6p90 --rotate=daily --expire=24h password=…: exit status 1: boom`},
		{"open-port", []string{"8080/tcp", "--endpoints", "db,web"}, `open-port 8080/tcp --endpoints db,web: exit status 1: boom`},
		{"x", []string{"two words", "a\nb", strings.Repeat("k", 300)}, `x … … …: exit status 1: boom`},
		{"x", []string{"we\tird=" + secret}, `x "we\tird=…": exit status 1: boom`},
	} {
		err := hookenv.NewToolError(tc.tool, tc.args, 1, "ERROR boom\n")
		assert.Equal(t, tc.want, err.Error())
		assert.Equal(t, tc.args, err.Args, "Args keeps the arguments")
	}
	err := hookenv.NewToolError("leader-set", []string{"admin_password=" + secret, "k=abc"}, 2,
		`ERROR expected "key=value", got "admin_password=`+secret+`" (abc)`+"\n")
	assert.Equal(t, `leader-set admin_password=… k=…: exit status 2: expected "key=value", got "admin_password=…" (abc)`, err.Error(),
		"values of 4 bytes or more are taken out of Juju's message")
	assert.Contains(t, err.Message, secret, "Message keeps Juju's text")
}

// TestGoldenErrorsNeverShowValues replays recorded failures (golden scripts of
// Juju's tools, and faults Juju never prints) through real processes and greps
// the errors for the values the calls carried or the tools printed.
func TestGoldenErrorsNeverShowValues(t *testing.T) {
	for _, tc := range []struct {
		name, golden string
		do           func(ctx context.Context, tl *hookenv.Tools) error
		values       []string
	}{
		{"leader-set on a follower", "tools/leader-set/not-leader.txt",
			func(ctx context.Context, tl *hookenv.Tools) error {
				return tl.LeaderSet(ctx, map[string]string{"password": "s3cret"})
			}, []string{"s3cret"}},
		{"truncated leader-get", "faults/leader-get-truncated-secret.txt",
			func(ctx context.Context, tl *hookenv.Tools) error { _, err := tl.LeaderGet(ctx); return err },
			[]string{"2x05QzV8kP"}},
		{"truncated secret-get", "faults/secret-get-truncated.txt",
			func(ctx context.Context, tl *hookenv.Tools) error {
				_, err := tl.SecretGet(ctx, "secret:coj8mulh8b41e8nv6p90", hookenv.SecretGetOptions{})
				return err
			}, []string{"hunter2hunter2"}},
		{"truncated relation-get", "faults/relation-get-truncated.txt",
			func(ctx context.Context, tl *hookenv.Tools) error {
				_, err := tl.RelationGet(ctx, "db:1", false, "mysql/0")
				return err
			}, []string{"dbpw-7Hq2mZ"}},
		{"truncated config-get", "faults/config-get-truncated.txt",
			func(ctx context.Context, tl *hookenv.Tools) error { _, err := tl.ConfigGet(ctx); return err },
			[]string{"cfgpw-9fLk2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, tc.golden)
			err := tc.do(t.Context(), f.Tools())
			require.Error(t, err)
			var te *hookenv.ToolError
			if !errors.As(err, &te) {
				require.ErrorIs(t, err, hookenv.ErrBadOutput)
			}
			assertNoSecret(t, errorTexts(err), tc.values...)
		})
	}
}
