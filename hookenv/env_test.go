package hookenv_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/hookenv"
)

// getenv returns a lookup over vars, as os.Getenv would over a hook's environment.
func getenv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// hookVars is the environment of a config-changed hook of app/3.
func hookVars(extra map[string]string) map[string]string {
	vars := map[string]string{
		"JUJU_CONTEXT_ID":    "app/3-config-changed-0123456789abcdef0123456789abcdef",
		"JUJU_UNIT_NAME":     "app/3",
		"JUJU_MODEL_NAME":    "prod",
		"JUJU_MODEL_UUID":    "2b7c7a7e-1111-4222-8333-944445555666",
		"JUJU_CHARM_DIR":     "/var/lib/juju/agents/unit-app-3/charm",
		"CHARM_DIR":          "/var/lib/juju/agents/unit-app-3/charm",
		"JUJU_HOOK_NAME":     "config-changed",
		"JUJU_DISPATCH_PATH": "hooks/config-changed",
		"JUJU_VERSION":       "3.6.4",
	}
	for k, v := range extra {
		if v == "<unset>" {
			delete(vars, k)
		} else {
			vars[k] = v
		}
	}
	return vars
}

func TestLoadEnv(t *testing.T) {
	env, err := hookenv.LoadEnv(getenv(hookVars(nil)), "/var/lib/juju/agents/unit-app-3/charm/dispatch")
	require.NoError(t, err)
	assert.Equal(t, hookenv.Env{
		InHook:       true,
		ContextID:    "app/3-config-changed-0123456789abcdef0123456789abcdef",
		UnitName:     "app/3",
		AppName:      "app",
		UnitNumber:   3,
		ModelName:    "prod",
		ModelUUID:    "2b7c7a7e-1111-4222-8333-944445555666",
		CharmDir:     "/var/lib/juju/agents/unit-app-3/charm",
		HookName:     "config-changed",
		DispatchPath: "hooks/config-changed",
		JujuVersion:  hookenv.Version{Major: 3, Minor: 6, Patch: 4},
	}, env)
	assert.False(t, env.IsAction())
}

func TestLoadEnvContexts(t *testing.T) {
	for _, tc := range []struct {
		name  string
		vars  map[string]string
		argv0 string
		check func(t *testing.T, e hookenv.Env)
	}{
		{name: "relation hook", vars: hookVars(map[string]string{
			"JUJU_HOOK_NAME": "db-relation-changed", "JUJU_DISPATCH_PATH": "hooks/db-relation-changed",
			"JUJU_RELATION": "db", "JUJU_RELATION_ID": "db:7", "JUJU_REMOTE_UNIT": "mysql/0", "JUJU_REMOTE_APP": "mysql",
		}), check: func(t *testing.T, e hookenv.Env) {
			assert.Equal(t, []string{"db-relation-changed", "db", "db:7", "mysql/0", "mysql"},
				[]string{e.HookName, e.RelationName, e.RelationID, e.RemoteUnit, e.RemoteApp})
		}},
		{name: "secret-remove", vars: hookVars(map[string]string{
			"JUJU_HOOK_NAME": "secret-remove", "JUJU_DISPATCH_PATH": "hooks/secret-remove",
			"JUJU_SECRET_ID": "secret:coj8mulh8b41e8nv6p90", "JUJU_SECRET_LABEL": "db-pass", "JUJU_SECRET_REVISION": "3",
		}), check: func(t *testing.T, e hookenv.Env) {
			assert.Equal(t, []any{"secret:coj8mulh8b41e8nv6p90", "db-pass", 3}, []any{e.SecretID, e.SecretLabel, e.SecretRevision})
		}},
		{name: "secret-changed", vars: hookVars(map[string]string{
			"JUJU_HOOK_NAME": "secret-changed", "JUJU_DISPATCH_PATH": "hooks/secret-changed",
			"JUJU_SECRET_ID": "secret:coj8mulh8b41e8nv6p90", "JUJU_SECRET_LABEL": "",
		}), check: func(t *testing.T, e hookenv.Env) {
			assert.Equal(t, []any{"secret:coj8mulh8b41e8nv6p90", "", 0}, []any{e.SecretID, e.SecretLabel, e.SecretRevision})
		}},
		{name: "action", vars: hookVars(map[string]string{
			"JUJU_HOOK_NAME": "", "JUJU_DISPATCH_PATH": "actions/backup", "JUJU_ACTION_NAME": "backup", "JUJU_ACTION_UUID": "2",
		}), check: func(t *testing.T, e hookenv.Env) {
			assert.Equal(t, "", e.HookName, "hook name in an action, as charm-helpers")
			assert.Equal(t, "backup", e.ActionName)
			assert.Equal(t, "2", e.ActionUUID)
			assert.True(t, e.IsAction())
		}},
		{name: "action named only by the dispatch path", vars: hookVars(map[string]string{
			"JUJU_HOOK_NAME": "", "JUJU_DISPATCH_PATH": "actions/backup",
		}), check: func(t *testing.T, e hookenv.Env) { assert.Equal(t, "backup", e.ActionName) }},
		{name: "legacy CHARM_DIR", vars: hookVars(map[string]string{"JUJU_CHARM_DIR": "<unset>", "CHARM_DIR": "/srv/charm"}),
			check: func(t *testing.T, e hookenv.Env) { assert.Equal(t, "/srv/charm", e.CharmDir) }},
		{name: "no JUJU_VERSION (meter-status-changed)", vars: hookVars(map[string]string{"JUJU_VERSION": "<unset>"}),
			check: func(t *testing.T, e hookenv.Env) { assert.Equal(t, hookenv.Version{}, e.JujuVersion) }},
		{name: "classic hooks/<name> stub", vars: hookVars(map[string]string{"JUJU_HOOK_NAME": "<unset>", "JUJU_DISPATCH_PATH": "<unset>"}),
			argv0: "/charm/hooks/install", check: func(t *testing.T, e hookenv.Env) { assert.Equal(t, "install", e.HookName) }},
		{name: "outside a hook", vars: map[string]string{"PATH": "/usr/bin"}, argv0: "/usr/local/bin/mycharm",
			check: func(t *testing.T, e hookenv.Env) {
				assert.False(t, e.InHook)
				assert.Equal(t, "mycharm", e.HookName)
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := hookenv.LoadEnv(getenv(tc.vars), tc.argv0)
			require.NoError(t, err)
			tc.check(t, e)
		})
	}
}

func TestLoadEnvErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		vars    map[string]string
		want    string
		missing bool
	}{
		{name: "no unit", vars: hookVars(map[string]string{"JUJU_UNIT_NAME": "<unset>"}), want: "JUJU_UNIT_NAME not set", missing: true},
		{name: "bad unit", vars: hookVars(map[string]string{"JUJU_UNIT_NAME": "app"}),
			want: `JUJU_UNIT_NAME "app": invalid unit name, want <application>/<number>`},
		{name: "leading zero unit number", vars: hookVars(map[string]string{"JUJU_UNIT_NAME": "app/03"}),
			want: `JUJU_UNIT_NAME "app/03": invalid unit name, want <application>/<number>`},
		{name: "no model", vars: hookVars(map[string]string{"JUJU_MODEL_NAME": "", "JUJU_MODEL_UUID": ""}),
			want: "JUJU_MODEL_NAME not set\nJUJU_MODEL_UUID not set", missing: true},
		{name: "no charm dir", vars: hookVars(map[string]string{"JUJU_CHARM_DIR": "<unset>", "CHARM_DIR": "<unset>"}),
			want: "JUJU_CHARM_DIR not set", missing: true},
		{name: "bad version", vars: hookVars(map[string]string{"JUJU_VERSION": "three"}), want: `JUJU_VERSION "three": invalid Juju version`},
		{name: "bad dispatch path", vars: hookVars(map[string]string{"JUJU_HOOK_NAME": "", "JUJU_DISPATCH_PATH": "bin/thing"}),
			want: `JUJU_DISPATCH_PATH "bin/thing": want hooks/<name> or actions/<name>`},
		{name: "action name mismatch", vars: hookVars(map[string]string{"JUJU_DISPATCH_PATH": "actions/a", "JUJU_ACTION_NAME": "b"}),
			want: `JUJU_DISPATCH_PATH "actions/a": names action "a" but JUJU_ACTION_NAME is "b"`},
		{name: "bad relation id", vars: hookVars(map[string]string{"JUJU_RELATION": "db", "JUJU_RELATION_ID": "7"}),
			want: `JUJU_RELATION_ID "7": invalid relation id, want <endpoint>:<number>`},
		{name: "relation id of another endpoint", vars: hookVars(map[string]string{"JUJU_RELATION": "db", "JUJU_RELATION_ID": "web:7"}),
			want: `JUJU_RELATION_ID "web:7": endpoint does not match JUJU_RELATION "db"`},
		{name: "relation without id", vars: hookVars(map[string]string{"JUJU_RELATION": "db"}),
			want: `JUJU_RELATION_ID "": set together with JUJU_RELATION "db", both or neither`},
		{name: "bad remote unit", vars: hookVars(map[string]string{"JUJU_RELATION": "db", "JUJU_RELATION_ID": "db:1", "JUJU_REMOTE_UNIT": "mysql"}),
			want: `JUJU_REMOTE_UNIT "mysql": invalid unit name`},
		{name: "bad remote app", vars: hookVars(map[string]string{"JUJU_RELATION": "db", "JUJU_RELATION_ID": "db:1", "JUJU_REMOTE_APP": "My_SQL"}),
			want: `JUJU_REMOTE_APP "My_SQL": invalid application name`},
		{name: "bad secret id", vars: hookVars(map[string]string{"JUJU_SECRET_ID": "secret:nope"}),
			want: `JUJU_SECRET_ID "secret:nope": invalid secret ID`},
		{name: "bad secret revision", vars: hookVars(map[string]string{"JUJU_SECRET_ID": "secret:coj8mulh8b41e8nv6p90", "JUJU_SECRET_REVISION": "0"}),
			want: `JUJU_SECRET_REVISION "0": invalid secret revision, want a positive number`},
		{name: "no event name", vars: hookVars(map[string]string{"JUJU_HOOK_NAME": "", "JUJU_DISPATCH_PATH": ""}),
			want: `JUJU_HOOK_NAME "": no hook or action name in JUJU_HOOK_NAME, JUJU_DISPATCH_PATH or argv[0]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := hookenv.LoadEnv(getenv(tc.vars), "")
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
			var ee *hookenv.EnvError
			assert.True(t, errors.As(err, &ee), "errors.As *EnvError")
			assert.Equal(t, tc.missing, errors.Is(err, hookenv.ErrMissingEnv), "errors.Is ErrMissingEnv")
		})
	}
}

func TestHookName(t *testing.T) {
	for _, tc := range []struct {
		vars  map[string]string
		argv0 string
		want  string
	}{
		{map[string]string{"JUJU_HOOK_NAME": "install", "JUJU_DISPATCH_PATH": "hooks/start"}, "/x/dispatch", "install"},
		{map[string]string{"JUJU_DISPATCH_PATH": "hooks/db-relation-joined"}, "/x/dispatch", "db-relation-joined"},
		{map[string]string{"JUJU_HOOK_NAME": "", "JUJU_DISPATCH_PATH": "actions/backup"}, "/x/dispatch", ""},
		{map[string]string{}, "/var/lib/juju/charm/hooks/upgrade-charm", "upgrade-charm"},
		{map[string]string{}, "hooks/stop", "stop"},
		{map[string]string{}, "", ""},
	} {
		assert.Equal(t, tc.want, hookenv.HookName(getenv(tc.vars), tc.argv0), "HookName(%v, %q)", tc.vars, tc.argv0)
	}
}

func TestParseVersion(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want hookenv.Version
		err  bool
	}{
		{in: "3.6.4", want: hookenv.Version{Major: 3, Minor: 6, Patch: 4}},
		{in: "2.9.42.1", want: hookenv.Version{Major: 2, Minor: 9, Patch: 42, Build: 1}},
		{in: "3.6-beta1", want: hookenv.Version{Major: 3, Minor: 6, Tag: "beta", Patch: 1}},
		{in: "4.0.0", want: hookenv.Version{Major: 4}},
		{in: "3.6", err: true},
		{in: "v3.6.4", err: true},
		{in: "3.6.4-ubuntu-amd64", err: true},
		{in: "", err: true},
	} {
		got, err := hookenv.ParseVersion(tc.in)
		if tc.err {
			assert.ErrorIs(t, err, hookenv.ErrInvalidArgument, "ParseVersion(%q)", tc.in)
			continue
		}
		require.NoError(t, err, "ParseVersion(%q)", tc.in)
		assert.Equal(t, tc.want, got, "ParseVersion(%q)", tc.in)
		assert.Equal(t, tc.in, got.String(), "String of ParseVersion(%q)", tc.in)
	}
	v36 := hookenv.Version{Major: 3, Minor: 6, Patch: 4}
	assert.True(t, v36.AtLeast(3, 6))
	assert.True(t, v36.AtLeast(2, 9))
	assert.False(t, v36.AtLeast(3, 7))
	assert.True(t, v36.HasLeaderSettings())
	assert.False(t, hookenv.Version{Major: 4}.HasLeaderSettings())
}

func TestLoadEnvOutsideHookReportsMalformed(t *testing.T) {
	e, err := hookenv.LoadEnv(getenv(map[string]string{"JUJU_VERSION": "x", "JUJU_UNIT_NAME": "app/1"}), "tool")
	require.Error(t, err)
	assert.Equal(t, `JUJU_VERSION "x": invalid Juju version`, err.Error())
	assert.False(t, e.InHook)
	assert.Equal(t, "app", e.AppName, "valid values are kept")
}
