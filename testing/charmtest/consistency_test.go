package charmtest_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/config"
	"github.com/charmkit/charmkit/files"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/testing/charmtest"
)

// demoCharm is the directory of the consistency tests' charm: endpoints
// website (provides), db (requires), logging (requires, container scope),
// cluster (peers), storage data, and options port (int, 8080), name
// (string, "demo"), ratio (float, 0.5), debug (boolean, false) and creds
// (secret, no default).
const demoCharm = "testdata/charm"

// nothing is a charm without handlers.
func nothing(*reactive.Registry) {}

// Ensure that a unit Juju could never show the charm is refused before the
// hook runs, with an error that names the field and says what to do.
func TestValidate_AgainstTheCharm(t *testing.T) {
	t.Parallel()
	peer := func(units ...string) charmtest.Relation {
		r := charmtest.Relation{ID: "cluster:1", RemoteApp: "app", Units: map[string]map[string]string{}}
		for _, u := range units {
			r.Units[u] = nil
		}
		return r
	}
	db := charmtest.Relation{ID: "db:2", RemoteApp: "pg", Units: map[string]map[string]string{"pg/0": {"host": "h"}}}
	tests := []struct {
		name      string
		unit      charmtest.Unit
		hook      string
		want      string
		badConfig bool
	}{
		{name: "unknown option", unit: charmtest.Unit{Config: map[string]any{"prot": 9}},
			want: `Config["prot"]: the charm has no option "prot" (did you mean "port"?): Juju refuses options that testdata/charm/config.yaml does not declare; fix the key, or declare the option (options: creds, debug, name, port, ratio)`, badConfig: true},
		{name: "string for an int", unit: charmtest.Unit{Config: map[string]any{"port": "9"}},
			want: `Config["port"]: "9" is a string, but option "port" is of type int in testdata/charm/config.yaml: give an integer, e.g. 9`, badConfig: true},
		{name: "float for an int", unit: charmtest.Unit{Config: map[string]any{"port": 9.0}},
			want: `Config["port"]: 9 is a float, but option "port" is of type int in testdata/charm/config.yaml: give an integer, e.g. 9`, badConfig: true},
		{name: "int for a string", unit: charmtest.Unit{Config: map[string]any{"name": 1}},
			want: `Config["name"]: 1 is an integer, but option "name" is of type string in testdata/charm/config.yaml: give a string, e.g. "1"`, badConfig: true},
		{name: "string for a boolean", unit: charmtest.Unit{Config: map[string]any{"debug": "true"}},
			want: `Config["debug"]: "true" is a string, but option "debug" is of type boolean in testdata/charm/config.yaml: give true or false`, badConfig: true},
		{name: "bool for a float", unit: charmtest.Unit{Config: map[string]any{"ratio": true}},
			want: `Config["ratio"]: true is a bool, but option "ratio" is of type float in testdata/charm/config.yaml: give a float64 (or an integer)`, badConfig: true},
		{name: "plain text for a secret", unit: charmtest.Unit{Config: map[string]any{"creds": "hunter2"}},
			want: `Config["creds"]: "hunter2" is a string, but option "creds" is of type secret in testdata/charm/config.yaml: give a secret URI, "secret:" and the secret's 20-character id`, badConfig: true},
		{name: "Files config.yaml stands in for the charm's", unit: charmtest.Unit{Config: map[string]any{"port": 1},
			Files: map[string]string{"config.yaml": "options:\n  other: {type: string}\n"}},
			want: `Config["port"]: the charm has no option "port": Juju refuses options that Files["config.yaml"] does not declare`, badConfig: true},
		{name: "undeclared endpoint", unit: charmtest.Unit{Relations: []charmtest.Relation{{ID: "dbs:1", RemoteApp: "pg"}}},
			want: `Relations[0] ("dbs:1"): testdata/charm/metadata.yaml declares no endpoint "dbs" (did you mean "db"?): use one of its endpoints in the ID (cluster (peers), db (requires), juju-info (provides), logging (requires), website (provides)), or declare the endpoint under provides, requires or peers`},
		{name: "peer with another application", unit: charmtest.Unit{Relations: []charmtest.Relation{{ID: "cluster:1", RemoteApp: "other"}}},
			want: `Relations[0] ("cluster:1"): "cluster" is a peer endpoint, so its remote application is the unit's own: set RemoteApp to "app", not "other"`},
		{name: "requires with the own application", unit: charmtest.Unit{Relations: []charmtest.Relation{{ID: "db:1", RemoteApp: "app"}}},
			want: `Relations[0] ("db:1"): "db" is a requires endpoint, so the relation is with another application`},
		{name: "container scope with two units", unit: charmtest.Unit{Relations: []charmtest.Relation{{ID: "logging:1", RemoteApp: "fwd",
			Units: map[string]map[string]string{"fwd/0": nil, "fwd/1": nil}}}},
			want: `Relations[0] ("logging:1"): "logging" is container-scoped, so the unit sees only the one unit on its machine: keep one unit in Units (it has 2)`},
		{name: "follower with the application status", unit: charmtest.Unit{AppStatus: charmtest.Status{State: "active"}},
			want: `AppStatus: only the leader can read the application's status (status-get --application): set Leader: true, or leave AppStatus empty on a follower`},
		{name: "follower with its application's bag", unit: charmtest.Unit{Relations: []charmtest.Relation{{ID: "db:2", RemoteApp: "pg", AppData: map[string]string{"k": "v"}}}},
			want: `Relations[0] ("db:2").AppData: only the leader can read its own application's bag in a relation with another application (relation-get --app): set Leader: true, or leave AppData empty on a follower`},
		{name: "follower losing a lease", unit: charmtest.Unit{LoseLeadershipAfter: 2},
			want: `LoseLeadershipAfter: 2, but only a leader can lose its lease: set Leader: true`},
		{name: "peer with a remote application bag", unit: charmtest.Unit{Leader: true, Relations: []charmtest.Relation{{ID: "cluster:1", RemoteApp: "app", RemoteAppData: map[string]string{"k": "v"}}}},
			want: `Relations[0] ("cluster:1").RemoteAppData: a peer relation (RemoteApp is the unit's own application) has no remote application bag: put the application's data in AppData`},
		{name: "unknown hook", unit: charmtest.Unit{}, hook: "instal",
			want: `hook "instal": Juju runs no such hook for this charm (did you mean "install"?)`},
		{name: "relation hook of no endpoint", unit: charmtest.Unit{}, hook: "dbs-relation-changed",
			want: `hook "dbs-relation-changed": testdata/charm/metadata.yaml declares no relation endpoint "dbs" (did you mean "db"?)`},
		{name: "storage hook of no storage", unit: charmtest.Unit{}, hook: "cache-storage-attached",
			want: `hook "cache-storage-attached": testdata/charm/metadata.yaml declares no storage "cache"`},
		{name: "joined without a remote unit", unit: charmtest.Unit{Relations: []charmtest.Relation{peer()}}, hook: "cluster-relation-joined",
			want: `hook cluster-relation-joined: Relations[0] ("cluster:1") has no remote unit, and Juju runs -relation-joined for one: add the unit to its Units`},
		{name: "remote unit not in the relation", unit: charmtest.Unit{Relations: []charmtest.Relation{peer("app/1"), db}, Env: charmtest.HookEnv{RemoteUnit: "app/1"}}, hook: "db-relation-changed",
			want: `Env.RemoteUnit "app/1": not a unit of Relations[1] ("db:2"): add it to its Units`},
		{name: "mode without a file", unit: charmtest.Unit{Modes: map[string]fs.FileMode{"/etc/x": 0o600}},
			want: `Modes["/etc/x"]: no such file in Files: give its content in Files too`},
		{name: "mode with a type bit", unit: charmtest.Unit{Files: map[string]string{"x": ""}, Modes: map[string]fs.FileMode{"x": fs.ModeDir | 0o755}},
			want: `Modes["x"]: mode drwxr-xr-x: want permission bits`},
		{name: "unclean system path", unit: charmtest.Unit{Files: map[string]string{"/etc/../x": ""}},
			want: `file "/etc/../x": not a clean absolute path`},
		{name: "no charm there", unit: charmtest.Unit{Charm: "testdata"},
			want: `Charm "testdata": no metadata.yaml or charmcraft.yaml there: name the charm's directory, or leave Charm empty to find it from the working directory (NoCharm for none)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u := tc.unit
			if u.Charm == "" {
				u.Charm = demoCharm
			}
			hook := tc.hook
			if hook == "" {
				hook = "install"
			}
			_, err := u.RunDir(t.Context(), t.TempDir(), nothing, hook)
			require.Error(t, err)
			assert.ErrorIs(t, err, charmtest.ErrInvalidUnit)
			assert.Equal(t, tc.badConfig, errors.Is(err, charmtest.ErrBadConfig), "matches ErrBadConfig: %v", err)
			assert.Contains(t, err.Error(), "charmtest: invalid unit: "+tc.want)
			if tc.hook == "" {
				assert.ErrorIs(t, u.Validate(), charmtest.ErrInvalidUnit, "Validate reports it too")
			}
		})
	}
}

// Ensure that units Juju can show pass the checks.
func TestValidate_Consistent(t *testing.T) {
	t.Parallel()
	pg := map[string]map[string]string{"pg/0": {"host": "h"}}
	tests := []struct {
		name string
		unit charmtest.Unit
		hook string
	}{
		{"every option with its type", charmtest.Unit{Config: map[string]any{"port": 9, "name": "x", "ratio": 1.5, "debug": true, "creds": "secret:cq1aqdm2ed0s8kaeu7pg"}}, "config-changed"},
		{"an integer for a float, and options without a value", charmtest.Unit{Config: map[string]any{"ratio": 2, "name": nil}}, "config-changed"},
		{"a leader sees the application's status and bags", charmtest.Unit{Leader: true, AppStatus: charmtest.Status{State: "active"},
			Relations: []charmtest.Relation{{ID: "db:2", RemoteApp: "pg", Units: pg, AppData: map[string]string{"k": "v"}}}}, "db-relation-changed"},
		{"a follower sees the peer application bag", charmtest.Unit{Name: "app/1",
			Relations: []charmtest.Relation{{ID: "cluster:1", RemoteApp: "app", Units: map[string]map[string]string{"app/0": nil}, AppData: map[string]string{"k": "v"}}}}, "cluster-relation-joined"},
		{"a change of the remote application's bag has no remote unit", charmtest.Unit{Relations: []charmtest.Relation{{ID: "website:3", RemoteApp: "proxy", RemoteAppData: map[string]string{"k": "v"}}}}, "website-relation-changed"},
		{"the implicit juju-info endpoint", charmtest.Unit{Relations: []charmtest.Relation{{ID: "juju-info:4", RemoteApp: "mon", Units: map[string]map[string]string{"mon/0": nil}}}}, "juju-info-relation-joined"},
		{"a storage hook", charmtest.Unit{}, "data-storage-attached"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u := tc.unit
			u.Charm = demoCharm
			require.NoError(t, u.Validate())
			out := u.Run(t, nothing, tc.hook)
			require.NoError(t, out.Err)
		})
	}
}

// configReader is a charm that keeps what config-get reported.
func configReader(got *hookenv.Config) func(*reactive.Registry) {
	return func(r *reactive.Registry) {
		r.Handle("read", reactive.OnHook("config-changed"), func(ctx context.Context, h *reactive.Hook) error {
			var err error
			*got, err = h.Tools().ConfigGet(ctx)
			return err
		})
	}
}

// Ensure that the charm's config.yaml gives the defaults without ReadFiles,
// and that an integer given for a float option reads back as a float.
func TestRun_CharmConfigDefaults(t *testing.T) {
	t.Parallel()
	var got hookenv.Config
	u := charmtest.Unit{Charm: demoCharm, Config: map[string]any{"port": 9000, "ratio": 2}}
	out := u.Run(t, configReader(&got), "config-changed")
	require.NoError(t, out.Err)
	assert.Equal(t, hookenv.Config{"port": int64(9000), "name": "demo", "ratio": int64(2), "debug": false, "creds": nil}, got,
		"Juju prints a whole float as 2, which reads back as an integer")
	assert.Empty(t, out.Files, "the charm's files are read, not copied")
}

// Ensure that the charm is found from the working directory upwards, up to
// the module root, and that NoCharm turns the lookup off.
func TestRun_FindsTheCharm(t *testing.T) {
	// Not parallel: it changes the working directory.
	root := t.TempDir()
	write := func(p, text string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, p), []byte(text), 0o644))
	}
	write("metadata.yaml", "name: outside\n") // above the module: never found
	write("config.yaml", "options:\n  outside: {type: string}\n")
	write("mod/go.mod", "module example.com/mod\n")
	write("mod/charm/metadata.yaml", "name: inside\n")
	write("mod/charm/config.yaml", "options:\n  port: {type: int, default: 1}\n")
	write("mod/charm/pkg/handlers/x.go", "package handlers\n")
	write("mod/other/x.go", "package other\n")
	write("mod/craft/charmcraft.yaml", "name: craft\nconfig:\n  options:\n    level: {type: string, default: info}\n")
	write("mod/build-only/charmcraft.yaml", "type: charm\n")

	var got hookenv.Config
	run := func(dir string, u charmtest.Unit) error {
		t.Chdir(filepath.Join(root, dir))
		got = nil
		out, err := u.RunDir(t.Context(), t.TempDir(), configReader(&got), "config-changed")
		if err == nil {
			require.NoError(t, out.Err)
		}
		return err
	}
	require.NoError(t, run("mod/charm/pkg/handlers", charmtest.Unit{}))
	assert.Equal(t, hookenv.Config{"port": int64(1)}, got, "found two levels up")
	assert.ErrorIs(t, run("mod/charm/pkg/handlers", charmtest.Unit{Config: map[string]any{"prot": 2}}), charmtest.ErrBadConfig)

	require.NoError(t, run("mod/other", charmtest.Unit{Config: map[string]any{"outside": 1}}), "the search stops at go.mod")
	assert.Equal(t, hookenv.Config{"outside": int64(1)}, got, "no charm: an option has the type of its value")

	require.NoError(t, run("mod/craft", charmtest.Unit{}))
	assert.Equal(t, hookenv.Config{"level": "info"}, got, "charmcraft.yaml with the metadata and config inline")
	require.NoError(t, run("mod/build-only", charmtest.Unit{Config: map[string]any{"x": true}}), "a build-only charmcraft.yaml is not a charm")

	require.NoError(t, run("mod/charm", charmtest.Unit{Charm: charmtest.NoCharm, Config: map[string]any{"prot": 2}}))
	assert.Equal(t, hookenv.Config{"prot": int64(2)}, got, "NoCharm: nothing checked, no defaults")
	require.NoError(t, run("mod/other", charmtest.Unit{Charm: "../charm"}))
	assert.Equal(t, hookenv.Config{"port": int64(1)}, got, "a relative Charm is relative to the working directory")
}

// fileWriter writes a system file through files.Path and a file of the
// charm directory, and removes /etc/app/old.conf.
func fileWriter(r *reactive.Registry) {
	r.Handle("write", reactive.OnHook("config-changed"), func(ctx context.Context, h *reactive.Hook) error {
		if _, err := files.Write(ctx, files.Path(ctx, "/etc/app/app.conf"), []byte("port = 80\n"), files.Options{Mode: 0o640}); err != nil {
			return err
		}
		if _, err := files.Write(ctx, filepath.Join(h.CharmDir(), "state", "token"), []byte("t0k"), files.Options{Mode: 0o600}); err != nil {
			return err
		}
		_, err := files.Remove(ctx, files.Path(ctx, "/etc/app/old.conf"))
		return err
	})
}

// Ensure that the files a hook writes anywhere on the unit (charm directory
// and system paths) come back in the result with their modes, and go into
// the next hook.
func TestRun_FilesAndModes(t *testing.T) {
	t.Parallel()
	u := charmtest.Unit{
		Files: map[string]string{"/etc/app/old.conf": "old", "/var/lib/app/data": "d", "templates/x": "tmpl"},
		Modes: map[string]fs.FileMode{"/var/lib/app/data": 0o600},
	}
	out := u.Run(t, fileWriter, "config-changed")
	require.NoError(t, out.Err)
	assert.Equal(t, map[string]string{
		"/etc/app/app.conf": "port = 80\n",
		"/var/lib/app/data": "d",
		"state/token":       "t0k",
		"templates/x":       "tmpl",
	}, out.Files)
	assert.Equal(t, map[string]fs.FileMode{
		"/etc/app/app.conf": 0o640,
		"/var/lib/app/data": 0o600,
		"state/token":       0o600,
		"templates/x":       0o644,
	}, out.Modes)
	m, ok := out.FileMode("/etc/app/app.conf")
	assert.True(t, ok)
	assert.Equal(t, fs.FileMode(0o640), m)
	_, ok = out.FileMode("/etc/app/old.conf")
	assert.False(t, ok, "removed")
	content, ok := out.File("/etc/app/app.conf")
	assert.True(t, ok)
	assert.Equal(t, "port = 80\n", content)

	next := out.Run(t, fileWriter, "config-changed")
	require.NoError(t, next.Err)
	assert.Equal(t, out.Files, next.Files)
	assert.Equal(t, out.Modes, next.Modes)

	dir := t.TempDir()
	_, err := charmtest.Unit{}.RunDir(t.Context(), dir, fileWriter, "config-changed")
	require.NoError(t, err)
	assert.FileExists(t, filepath.Join(dir, "root", "etc", "app", "app.conf"), "RunDir's root is dir/root")
}

// Ensure that a leader whose lease ran out during the hook comes back
// without what only a leader sees, so the result runs again as it is.
func TestRun_LeaderOnlyStateAfterLosingTheLease(t *testing.T) {
	t.Parallel()
	charm := func(r *reactive.Registry) { leadership.Register(r, nil) }
	u := charmtest.Unit{Charm: demoCharm, Leader: true, LoseLeadershipAfter: 1,
		AppStatus: charmtest.Status{State: "active", Message: "all good"},
		Relations: []charmtest.Relation{
			{ID: "db:2", RemoteApp: "pg", AppData: map[string]string{"want": "rw"}},
			{ID: "cluster:1", RemoteApp: "app", AppData: map[string]string{"shared": "s"}},
		}}
	out := u.Run(t, charm, "update-status")
	require.NoError(t, out.Err)
	assert.False(t, out.Leader)
	assert.Zero(t, out.AppStatus)
	assert.Nil(t, out.Relations[0].AppData, "a follower cannot read its application's bag of db")
	assert.Equal(t, map[string]string{"shared": "s"}, out.Relations[1].AppData, "every unit reads the peer application bag")
	next := out.Run(t, charm, "update-status")
	require.NoError(t, next.Err)
}

// Ensure that the charm's files found in its directory are in the
// simulated charm directory, as on a deployed unit, so that layers reading
// them there work under test (config.Register(r, nil) reads config.yaml
// from the charm directory), and that they stay out of Result.Files unless
// the hook changed them.
func TestRun_CharmFilesInCharmDir(t *testing.T) {
	var seen []string
	register := func(r *reactive.Registry) {
		config.Register(r, nil)
		r.Handle("port", reactive.When("config.set.port"), func(ctx context.Context, h *reactive.Hook) error {
			b, err := os.ReadFile(filepath.Join(h.CharmDir(), "metadata.yaml"))
			if err != nil {
				return err
			}
			seen = append(seen, string(b))
			return nil
		})
		r.Handle("edit", reactive.OnHook("upgrade-charm"), func(ctx context.Context, h *reactive.Hook) error {
			return os.WriteFile(filepath.Join(h.CharmDir(), "config.yaml"), []byte("options: {}\n"), 0o644)
		})
	}
	u := charmtest.Unit{Charm: demoCharm, Config: map[string]any{"port": 9000}}
	out := u.Run(t, register, "config-changed")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"port"}, out.Invoked[len(out.Invoked)-1:], "config.set.port is set: config.yaml was found")
	require.Len(t, seen, 1)
	meta, err := os.ReadFile(filepath.Join(demoCharm, "metadata.yaml"))
	require.NoError(t, err)
	assert.Equal(t, string(meta), seen[0])
	assert.NotContains(t, out.Files, "config.yaml")
	assert.NotContains(t, out.Files, "metadata.yaml")

	out = u.Run(t, register, "upgrade-charm")
	require.NoError(t, out.Err)
	assert.Equal(t, "options: {}\n", out.Files["config.yaml"], "a charm file the hook changed is reported")
	assert.NotContains(t, out.Files, "metadata.yaml")
}
