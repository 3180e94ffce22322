package fakejuju_test

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/testing/fakejuju"
)

const (
	sid       = "coj8mulh8b41e8nv6p90"
	sid2      = "coj8mulh8b41e8nv6pa0"
	modelUUID = "6f6c6467-6e65-4a75-8a75-000000000000"
)

// writeFile writes a file in a test's directory and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// withSecret gives the model a committed application-owned secret sid with
// the given revisions (plain values) and returns c0 (app/0, the leader).
func withSecret(revisions ...map[string]string) func(t *testing.T, m *fakejuju.Model) string {
	return func(t *testing.T, m *fakejuju.Model) string {
		_, err := m.AddSecret(sid, "app", revisions...)
		require.NoError(t, err)
		return "c0"
	}
}

// Ensure the secret tools check their command lines as Juju does, with its
// messages and exit codes.
func TestSecretToolUsage(t *testing.T) {
	empty := writeFile(t, "empty.yaml", "")
	runToolCases(t, []toolCase{
		{name: "secret-add", calls: []toolCall{
			fails(2, "missing secret value or filename", "secret-add", "--label=x"),
			fails(2, `key "pw" not valid`, "secret-add", "pw=x"),
			fails(2, `key "Password" not valid`, "secret-add", "Password=x"),
			fails(2, `key value "password=" not valid`, "secret-add", "password="),
			fails(2, `key value "password===" not valid`, "secret-add", "password==="),
			fails(2, `key value "=x" not valid`, "secret-add", "=x"),
			fails(2, `key value "password" not valid`, "secret-add", "password"),
			fails(2, `secret owner "model" not valid`, "secret-add", "--owner=model", "password=x"),
			fails(2, `rotate policy "fortnightly" not valid`, "secret-add", "--rotate=fortnightly", "password=x"),
			fails(2, `expire time or duration "soon" not valid`, "secret-add", "--expire=soon", "password=x"),
			fails(2, `negative expire duration "-1h" not valid`, "secret-add", "--expire=-1h", "password=x"),
			fails(2, `reading content for secret key "password": open /nonexistent/x: no such file or directory`, "secret-add", "password#file=/nonexistent/x"),
			fails(2, `base64 encoded secret content for key "blob" too large: 12000 bytes`, "secret-add", "blob="+strings.Repeat("x", 9000)),
			fails(1, "empty secret value not valid", "secret-add", "--file", empty),
		}},
		{name: "secret-set", setup: withSecret(map[string]string{"password": "x"}), calls: []toolCall{
			fails(2, "missing secret URI", "secret-set"),
			fails(2, `secret URI scheme "http" not valid`, "secret-set", "http://x"),
			fails(2, `host controller UUID "x" not valid`, "secret-set", "secret://x/"+sid),
			fails(2, `secret URI "secret:nope" not valid`, "secret-set", "secret:nope"),
			fails(2, `secret owner "x" not valid`, "secret-set", sid, "--owner=x"),
			ok("", "secret-set", sid), // nothing to change: a no-op
			ok("", "secret-set", sid, "--owner=unit", "--label=l"),
		}},
		{name: "secret-get", calls: []toolCall{
			fails(2, "require either a secret URI or label", "secret-get"),
			fails(2, `secret URI "nope" not valid`, "secret-get", "nope"),
			fails(2, "specify one of --peek or --refresh but not both", "secret-get", sid, "--peek", "--refresh"),
			fails(2, `unrecognized args: ["b"]`, "secret-get", sid, "a", "b"),
			fails(2, `invalid value "smart" for option --format: unknown format "smart"`, "secret-get", sid, "--format=smart"),
		}},
		{name: "secret-remove", calls: []toolCall{
			fails(2, "missing secret URI", "secret-remove"),
			fails(2, `invalid value "x" for option --revision: strconv.ParseInt: parsing "x": invalid syntax`, "secret-remove", sid, "--revision=x"),
			fails(2, `unrecognized args: ["x"]`, "secret-remove", sid, "x"),
		}},
		{name: "secret-info-get and secret-ids", calls: []toolCall{
			fails(2, "require either a secret URI or label", "secret-info-get"),
			fails(2, "specify either a secret URI or label but not both", "secret-info-get", sid, "--label=l"),
			fails(2, `unrecognized args: ["x"]`, "secret-info-get", sid, "x"),
			fails(2, `unrecognized args: ["x"]`, "secret-ids", "x"),
			ok("", "secret-ids"),
			ok("[]\n", "secret-ids", "--format=yaml"),
		}},
		{name: "secret-grant and secret-revoke", calls: []toolCall{
			fails(2, "missing secret URI", "secret-grant", "-r", "0"),
			fails(2, "no relation id specified", "secret-grant", sid),
			fails(2, `invalid value "9" for option -r: relation not found`, "secret-grant", "nope", "-r", "9"),
			fails(2, `unit "x" not valid`, "secret-grant", sid, "-r", "0", "--unit=x"),
			fails(2, `cannot specify unit "other/0" in relation to application "app"`, "secret-grant", sid, "-r", "0", "--unit=other/0"),
			fails(2, "missing relation or application or unit", "secret-revoke", sid),
			fails(2, "specify only one of application or unit", "secret-revoke", sid, "--app=a", "--unit=a/0"),
			fails(2, `application "A" not valid`, "secret-revoke", sid, "--application=A"),
			fails(2, "do not specify both relation and app", "secret-revoke", sid, "-r", "0", "--app=a"),
			fails(1, `secret "`+sid+`" not found`, "secret-grant", sid, "-r", "0"),
			ok("", "secret-revoke", sid, "--app=mysql"), // not the unit's: checked at commit
		}},
	})
}

// Ensure content is stored as Juju stores it: values base64-encoded, a
// #base64 value as given, a #file value with its exact bytes, --file's
// entries (any scalar, as text) over the arguments.
func TestSecretContent(t *testing.T) {
	file := writeFile(t, "v", "  line\n")
	yamlFile := writeFile(t, "s.yaml", "count: 42\nnothing: null\nkey#base64: AA==\n")
	runToolCases(t, []toolCase{
		{name: "add and read back", calls: []toolCall{
			ok("secret://uuid/"+sid+"\n", "secret-add", "plain=a b", "raw#base64=aGk=", "padded=abc==", "spaced#file="+file, "count=1", "--file", yamlFile),
			ok(`{"count":"42","key":"\u0000","nothing":"","padded":"abc==","plain":"a b","raw":"hi","spaced":"  line\n"}`+"\n", "secret-get", sid, "--format=json"),
			ok(`"aGk="`+"\n", "secret-get", sid, "raw#base64", "--format=json"),
			ok("a b\n", "secret-get", sid, "plain"),
			fails(1, `secret key value "nope" not found`, "secret-get", sid, "nope"),
		}, setup: func(t *testing.T, m *fakejuju.Model) string {
			m.NextSecretID = sid
			return "c0"
		}, check: func(t *testing.T, s fakejuju.Store) {
			closeContext(t, s, "c0", true)
			sec := model(t, s).Secrets[sid]
			require.NotNil(t, sec)
			assert.Equal(t, "aGk=", sec.Revisions[0].Content["raw"])
			assert.Equal(t, base64.StdEncoding.EncodeToString([]byte("  line\n")), sec.Revisions[0].Content["spaced"])
			v, err := sec.Revisions[0].Values()
			require.NoError(t, err)
			assert.Equal(t, "hi", v["raw"])
		}},
		{name: "a value that is not base64 fails when read, naming no value", calls: []toolCall{
			ok("secret://uuid/"+sid+"\n", "secret-add", "bad#base64=not-base64-s3cret"),
			fails(1, "illegal base64 data at input byte 3", "secret-get", sid),
		}, setup: func(t *testing.T, m *fakejuju.Model) string {
			m.NextSecretID = sid
			return "c0"
		}},
	})
}

// store returns a memory store of twoUnits with an application-owned secret
// sid (revision 1 {"password": "one"}).
func secretStore(t *testing.T, jujuVersion string) fakejuju.Store {
	t.Helper()
	m := twoUnits(t)
	m.UUID, m.JujuVersion = modelUUID, jujuVersion
	_, err := m.AddSecret(sid, "app", map[string]string{"password": "one"})
	require.NoError(t, err)
	return fakejuju.NewMemory(m)
}

// call runs a tool in a context of the store and returns the reply.
func call(t *testing.T, s fakejuju.Store, ctx string, args ...string) fakejuju.Reply {
	t.Helper()
	r, err := fakejuju.Run(s, fakejuju.Call{Context: ctx, Tool: args[0], Args: args[1:]})
	require.NoError(t, err)
	return r
}

// must runs a tool that must succeed and returns its stdout.
func must(t *testing.T, s fakejuju.Store, ctx string, args ...string) string {
	t.Helper()
	r := call(t, s, ctx, args...)
	require.Zero(t, r.ExitCode, "%q: %s", args, r.Stderr)
	return string(r.Stdout)
}

// finish closes a context as a simulator does: a commit error keeps the
// model (and is returned).
func finish(t *testing.T, s fakejuju.Store, ctx string, ok bool) (fakejuju.Commit, error) {
	t.Helper()
	var c fakejuju.Commit
	var commitErr error
	require.NoError(t, s.Update(func(m *fakejuju.Model) error {
		var err error
		c, err = m.Close(ctx, ok)
		if errors.Is(err, fakejuju.ErrCommitFailed) {
			commitErr = err
			return nil
		}
		return err
	}))
	return c, commitErr
}

// openCtx opens a context in the store.
func openCtx(t *testing.T, s fakejuju.Store, spec fakejuju.ContextSpec) string {
	t.Helper()
	var id string
	require.NoError(t, s.Update(func(m *fakejuju.Model) error {
		c, err := m.Open(spec)
		if err == nil {
			id = c.ID
		}
		return err
	}))
	return id
}

// Ensure the life of a secret across hooks: creation at commit, tracked
// revisions per unit, a new revision at the leader's commit, secret-changed
// for the units that read the secret, obsolete revisions and secret-remove
// for the leader, as docs/juju-secrets.md describes them.
func TestSecretLifecycle(t *testing.T) {
	s := secretStore(t, "3.6.4")
	secret := func() *fakejuju.Secret { return model(t, s).Secrets[sid] }
	pw := writeFile(t, "pw", "two")

	// app/1 reads revision 1: its first read pins it. Reading notifies
	// nobody.
	assert.Equal(t, `{"password":"one"}`+"\n", must(t, s, "c1", "secret-get", sid, "--format=json"))
	assert.Equal(t, &fakejuju.SecretConsumer{Current: 1, Latest: 1, Announced: 1}, secret().Consumers["app/1"])
	_, err := finish(t, s, "c1", true)
	require.NoError(t, err)

	// The leader sets new content: revision 2 at commit, not before.
	must(t, s, "c0", "secret-set", sid, "password#file="+pw)
	assert.Equal(t, 1, secret().LatestRevision)
	c, err := finish(t, s, "c0", true)
	require.NoError(t, err)
	assert.Equal(t, []string{sid}, c.Secrets)
	assert.Equal(t, 2, secret().LatestRevision)
	changed := fakejuju.SecretHook{Unit: "app/1", Hook: "secret-changed", Secret: fakejuju.SecretEvent{ID: "secret:" + sid, Revision: 2}}
	assert.Equal(t, []fakejuju.SecretHook{changed}, c.SecretHooks, "the reader is told; the leader never read it")
	assert.Equal(t, []fakejuju.SecretHook{changed}, model(t, s).SecretHooks())

	// app/1 runs secret-changed: plain secret-get still gives revision 1,
	// --refresh moves it to 2; revision 1 is then obsolete and the leader
	// is to run secret-remove for it.
	ev := changed.Secret
	hc := openCtx(t, s, fakejuju.ContextSpec{Unit: "app/1", Hook: "secret-changed", Secret: &ev})
	var vars []string
	require.NoError(t, s.View(func(m *fakejuju.Model) error {
		vars = m.HookVars(m.Contexts[hc])
		return nil
	}))
	assert.Contains(t, vars, "JUJU_SECRET_ID=secret:"+sid)
	assert.Contains(t, vars, "JUJU_SECRET_LABEL=")
	for _, v := range vars {
		assert.False(t, strings.HasPrefix(v, "JUJU_SECRET_REVISION="), "secret-changed exports no revision")
	}
	assert.Equal(t, `{"password":"one"}`+"\n", must(t, s, hc, "secret-get", sid, "--format=json"))
	assert.Equal(t, `{"password":"two"}`+"\n", must(t, s, hc, "secret-get", sid, "--format=json", "--refresh"))
	c, err = finish(t, s, hc, true)
	require.NoError(t, err)
	remove := fakejuju.SecretHook{Unit: "app/0", Hook: "secret-remove", Secret: fakejuju.SecretEvent{ID: "secret:" + sid, Revision: 1}}
	assert.Equal(t, []fakejuju.SecretHook{remove}, c.SecretHooks)
	assert.Equal(t, []fakejuju.SecretHook{remove}, model(t, s).SecretHooks(), "secret-changed ran")
	assert.Equal(t, "secret-remove", c.SecretHooks[0].Hook, "due since the --refresh, still due")

	// The leader handles secret-remove by removing the revision.
	ev = remove.Secret
	rc := openCtx(t, s, fakejuju.ContextSpec{Unit: "app/0", Hook: "secret-remove", Secret: &ev})
	require.NoError(t, s.View(func(m *fakejuju.Model) error {
		vars = m.HookVars(m.Contexts[rc])
		return nil
	}))
	assert.Contains(t, vars, "JUJU_SECRET_REVISION=1")
	must(t, s, rc, "secret-remove", sid, "--revision", "1")
	c, err = finish(t, s, rc, true)
	require.NoError(t, err)
	assert.Len(t, secret().Revisions, 1)
	assert.Empty(t, c.SecretHooks)

	// A third revision: app/1 is told; the leader, who never read the
	// secret, is not. Once the leader reads it, its record counts too.
	l := openCtx(t, s, fakejuju.ContextSpec{Unit: "app/0", Hook: "update-status"})
	must(t, s, l, "secret-get", sid)
	must(t, s, l, "secret-set", sid, "password=three")
	c, err = finish(t, s, l, true)
	require.NoError(t, err)
	assert.Equal(t, []string{"app/0", "app/1"}, hookUnits(c.SecretHooks, "secret-changed"), "the leader read revision 2, then set 3")
}

func hookUnits(hooks []fakejuju.SecretHook, hook string) []string {
	var out []string
	for _, h := range hooks {
		if h.Hook == hook {
			out = append(out, h.Unit)
		}
	}
	return out
}

// Ensure what the controller refuses at commit fails the hook: the rest of
// the hook's changes are not applied, earlier secret steps are.
func TestSecretCommitFailures(t *testing.T) {
	t.Run("non-leader set", func(t *testing.T) {
		s := secretStore(t, "3.6.4")
		must(t, s, "c1", "secret-set", sid, "password=mine")
		must(t, s, "c1", "relation-set", "-r", "0", "k=v")
		_, err := finish(t, s, "c1", true)
		var ce *fakejuju.CommitError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, `updating secrets: "app/1" is not leader of "app"`, ce.Error())
		m := model(t, s)
		assert.Nil(t, m.Relations[0].Bag("app/1"), "no relation data after a failed secret step")
		assert.Equal(t, 1, m.Secrets[sid].LatestRevision)
		assert.Empty(t, m.Contexts["c1"], "the context is closed")
	})
	t.Run("label in use", func(t *testing.T) {
		s := secretStore(t, "3.6.4")
		must(t, s, "c0", "secret-set", sid, "--label=db-pass")
		_, err := finish(t, s, "c0", true)
		require.NoError(t, err)
		c := openCtx(t, s, fakejuju.ContextSpec{Unit: "app/1", Hook: "update-status"})
		must(t, s, c, "secret-add", "--owner=unit", "--label=db-pass", "token=t")
		must(t, s, c, "secret-add", "--owner=unit", "--label=other", "token=t")
		fails := call(t, s, c, "secret-add", "--owner=unit", "--label=other", "token=u")
		assert.Equal(t, "ERROR secret with label \"other\" already exists\n", string(fails.Stderr), "two in one hook")
		_, err = finish(t, s, c, true)
		assert.EqualError(t, err, `creating secrets: secret with label "db-pass" already exists`)
		var owned []string
		for _, sec := range model(t, s).Secrets {
			if sec.Owner == "app/1" {
				owned = append(owned, sec.Label)
			}
		}
		assert.Equal(t, []string{"other"}, owned, "the step's other creation is applied")
	})
	t.Run("unknown secret", func(t *testing.T) {
		s := secretStore(t, "3.6.4")
		must(t, s, "c0", "secret-remove", sid2) // tolerated
		must(t, s, "c0", "secret-set", sid2, "password=x")
		_, err := finish(t, s, "c0", true)
		assert.EqualError(t, err, `updating secrets: secret "secret:`+sid2+`" not found`)
	})
	t.Run("leadership lost before the commit", func(t *testing.T) {
		s := secretStore(t, "3.6.4")
		must(t, s, "c0", "secret-add", "token=t")
		require.NoError(t, s.Update(func(m *fakejuju.Model) error { return m.Unelect("app") }))
		_, err := finish(t, s, "c0", true)
		assert.EqualError(t, err, `creating secrets: "app/0" is not leader of "app"`)
	})
	t.Run("a failed hook commits nothing", func(t *testing.T) {
		s := secretStore(t, "3.6.4")
		out := must(t, s, "c0", "secret-add", "token=t")
		must(t, s, "c0", "secret-set", sid, "password=x")
		c, err := finish(t, s, "c0", false)
		require.NoError(t, err)
		assert.Empty(t, c.Secrets)
		m := model(t, s)
		assert.Len(t, m.Secrets, 1, "the reserved ID %s is dropped", out)
		assert.Equal(t, 1, m.Secrets[sid].LatestRevision)
	})
}

// Ensure reads follow the access rules: the owning application's units by
// ID or owner label, other applications with a grant, consumer labels.
func TestSecretAccess(t *testing.T) {
	m := twoUnits(t)
	related(t, m)
	_, err := m.AddSecret(sid, "app", map[string]string{"password": "one"})
	require.NoError(t, err)
	_, err = m.AddSecret(sid2, "app/0", map[string]string{"token": "t"})
	require.NoError(t, err)
	m.Secrets[sid].Label = "db-pass"
	mc := open(t, m, fakejuju.ContextSpec{ID: "m0", Unit: "mysql/0", Hook: "update-status"})
	s := fakejuju.NewMemory(m)

	assert.Equal(t, `{"password":"one"}`+"\n", must(t, s, "c1", "secret-get", "--label=db-pass", "--format=json"), "a peer by owner label")
	assert.Equal(t, "ERROR permission denied\n", string(call(t, s, "c1", "secret-get", sid2).Stderr), "another unit's secret")
	assert.Equal(t, "ERROR permission denied\n", string(call(t, s, mc, "secret-get", sid).Stderr), "no grant")
	assert.Equal(t, "ERROR consumer label \"db-pass\" not found\n", string(call(t, s, mc, "secret-get", "--label=db-pass").Stderr))

	must(t, s, "c0", "secret-grant", sid, "-r", "db:1")
	assert.Equal(t, "ERROR permission denied\n", string(call(t, s, mc, "secret-get", sid).Stderr), "granted at commit")
	_, err = finish(t, s, "c0", true)
	require.NoError(t, err)
	assert.Equal(t, map[string]fakejuju.SecretGrant{"mysql": {Relation: 1}}, model(t, s).Secrets[sid].Grants)

	// A consumer label is saved at once and serves from then on.
	assert.Equal(t, "one\n", must(t, s, mc, "secret-get", sid, "--label=app-pass", "password"))
	assert.Equal(t, "app-pass", model(t, s).Secrets[sid].Consumers["mysql/0"].Label)
	assert.Equal(t, `{"password":"one"}`+"\n", must(t, s, mc, "secret-get", "--label=app-pass", "--format=json"))
	_, err = finish(t, s, mc, true)
	require.NoError(t, err)

	// Revoked: no more reads.
	c := openCtx(t, s, fakejuju.ContextSpec{Unit: "app/0", Hook: "update-status"})
	must(t, s, c, "secret-revoke", sid, "--app=mysql")
	_, err = finish(t, s, c, true)
	require.NoError(t, err)
	mc = openCtx(t, s, fakejuju.ContextSpec{Unit: "mysql/0", Hook: "update-status"})
	assert.Equal(t, "ERROR permission denied\n", string(call(t, s, mc, "secret-get", sid).Stderr))
}

// Ensure a grant made in a relation ends with the relation, as Juju's
// controller removes the permissions scoped to a relation it removes: the
// remote application's units may no longer read the secret, while a grant
// made in another relation, and the consumer records, stay.
func TestSecretGrantEndsWithRelation(t *testing.T) {
	m := twoUnits(t)
	related(t, m)
	_, err := m.AddSecret(sid, "app", map[string]string{"password": "one"})
	require.NoError(t, err)
	_, err = m.AddSecret(sid2, "app", map[string]string{"token": "two"})
	require.NoError(t, err)
	s := fakejuju.NewMemory(m)
	must(t, s, "c0", "secret-grant", sid, "-r", "db:1")
	_, err = finish(t, s, "c0", true)
	require.NoError(t, err)
	grant := func(rel int) {
		t.Helper()
		require.NoError(t, s.Update(func(m *fakejuju.Model) error {
			m.Secrets[sid2].Grants = map[string]fakejuju.SecretGrant{"mysql": {Relation: rel}}
			return nil
		}))
	}
	grant(7) // another relation's grant

	mc := openCtx(t, s, fakejuju.ContextSpec{Unit: "mysql/0", Hook: "update-status"})
	assert.Equal(t, "one\n", must(t, s, mc, "secret-get", sid, "password"), "granted")
	_, err = finish(t, s, mc, true)
	require.NoError(t, err)

	// juju remove-relation: app/0 is in scope, so the relation lives
	// until it leaves.
	require.NoError(t, s.Update(func(m *fakejuju.Model) error { return m.RemoveRelation(1) }))
	assert.Equal(t, map[string]fakejuju.SecretGrant{"mysql": {Relation: 1}}, model(t, s).Secrets[sid].Grants, "the relation is dying, not gone")
	require.NoError(t, s.Update(func(m *fakejuju.Model) error {
		m.LeaveScope("app/0", m.Relations[1])
		return nil
	}))
	require.Nil(t, model(t, s).Relations[1], "gone")
	assert.Empty(t, model(t, s).Secrets[sid].Grants)
	assert.Equal(t, map[string]fakejuju.SecretGrant{"mysql": {Relation: 7}}, model(t, s).Secrets[sid2].Grants, "another relation's grant stays")
	assert.Contains(t, model(t, s).Secrets[sid].Consumers, "mysql/0", "the consumer record stays")
	mc = openCtx(t, s, fakejuju.ContextSpec{Unit: "mysql/0", Hook: "update-status"})
	assert.Equal(t, "ERROR permission denied\n", string(call(t, s, mc, "secret-get", sid, "--refresh").Stderr))

	// A relation no unit is in scope of is gone at once, and its grants
	// with it.
	grant(2)
	require.NoError(t, s.Update(func(m *fakejuju.Model) error {
		r, err := m.AddRelation(2, fakejuju.RelationEndpoint{App: "app", Endpoint: "db"}, fakejuju.RelationEndpoint{App: "mysql", Endpoint: "server"})
		if err != nil {
			return err
		}
		return m.RemoveRelation(r.ID)
	}))
	assert.Empty(t, model(t, s).Secrets[sid2].Grants)
}

// Ensure labels given with an ID: the manager's changes the owner label at
// once, a peer's is ignored (3.6), stored as a consumer label (3.5.0) or
// refused (3.3.0).
func TestSecretGetLabel(t *testing.T) {
	s := secretStore(t, "3.6.4")
	must(t, s, "c0", "secret-get", sid, "--label=db-pass")
	assert.Equal(t, "db-pass", model(t, s).Secrets[sid].Label, "changed before the hook ends")
	must(t, s, "c1", "secret-get", sid, "--label=mine")
	sec := model(t, s).Secrets[sid]
	assert.Equal(t, "db-pass", sec.Label)
	assert.Empty(t, sec.Consumers["app/1"].Label)

	s = secretStore(t, "3.5.0")
	must(t, s, "c1", "secret-get", sid, "--label=mine")
	assert.Equal(t, "mine", model(t, s).Secrets[sid].Consumers["app/1"].Label)

	s = secretStore(t, "3.3.0")
	r := call(t, s, "c1", "secret-get", sid, "--label=mine")
	assert.Equal(t, "ERROR \"app/1\" is not leader of \"app\"\n", string(r.Stderr))

	// A label in use by a unit of the application.
	s = secretStore(t, "3.6.4")
	require.NoError(t, s.Update(func(m *fakejuju.Model) error {
		_, err := m.AddSecret(sid2, "app/1", map[string]string{"token": "t"})
		m.Secrets[sid2].Label = "taken"
		return err
	}))
	r = call(t, s, "c0", "secret-get", sid, "--label=taken")
	assert.Equal(t, "ERROR secret label \"taken\" for a unit of application \"app\" already exists\n", string(r.Stderr))
}

// Ensure the behaviour that changed between Juju releases follows the
// model's JujuVersion.
func TestSecretVersions(t *testing.T) {
	t.Run("secret-add's URI", func(t *testing.T) {
		withUUID := "secret://" + modelUUID + "/" + sid2 + "\n"
		for version, want := range map[string]string{"3.1.2": "secret:" + sid2 + "\n", "3.1.3": withUUID,
			"3.0.4": "secret:" + sid2 + "\n", "3.2.0": withUUID, "4.0.1": withUUID} {
			s := secretStore(t, version)
			require.NoError(t, s.Update(func(m *fakejuju.Model) error { m.NextSecretID = sid2; return nil }))
			assert.Equal(t, want, must(t, s, "c0", "secret-add", "token=t"), version)
		}
	})
	t.Run("unchanged content", func(t *testing.T) {
		for version, want := range map[string]int{"3.5.4": 2, "3.6.0": 1} {
			s := secretStore(t, version)
			must(t, s, "c0", "secret-set", sid, "password=one")
			_, err := finish(t, s, "c0", true)
			require.NoError(t, err)
			assert.Equal(t, want, model(t, s).Secrets[sid].LatestRevision, version)
		}
	})
	t.Run("owners tracking", func(t *testing.T) {
		for version, want := range map[string]string{"3.3.0": "two", "3.2.5": "two", "3.1.6": "two", "3.1.7": "one", "3.3.1": "one", "3.4.0": "one"} {
			s := secretStore(t, version)
			must(t, s, "c1", "secret-get", sid)
			require.NoError(t, s.Update(func(m *fakejuju.Model) error {
				sec := m.Secrets[sid]
				sec.Revisions = append(sec.Revisions, fakejuju.SecretRevision{Revision: 2, Content: fakejuju.EncodeSecretContent(map[string]string{"password": "two"})})
				sec.LatestRevision = 2
				return nil
			}))
			assert.Equal(t, want+"\n", must(t, s, "c1", "secret-get", sid, "password"), version)
		}
	})
	t.Run("size limits", func(t *testing.T) {
		for version, limit := range map[string]int{"3.3.1": 5 * 1024, "3.3.2": 8 * 1024, "3.6.8": 8 * 1024, "3.6.9": 1000 * 1000} {
			s := secretStore(t, version)
			n := limit / 4 * 3 // exactly the limit once encoded
			must(t, s, "c0", "secret-add", "blob="+strings.Repeat("x", n))
			r := call(t, s, "c0", "secret-add", "blob="+strings.Repeat("x", n+1))
			assert.Equal(t, 2, r.ExitCode, version)
			assert.Contains(t, string(r.Stderr), `base64 encoded secret content for key "blob" too large`, version)
		}
	})
	t.Run("secret-changed rule", func(t *testing.T) {
		for version, want := range map[string][]string{"3.6.4": {"app/1"}, "4.0.1": nil} {
			s := secretStore(t, version)
			must(t, s, "c1", "secret-get", sid)
			must(t, s, "c0", "secret-set", sid, "password=two")
			_, err := finish(t, s, "c0", true)
			require.NoError(t, err)
			c := openCtx(t, s, fakejuju.ContextSpec{Unit: "app/1", Hook: "update-status"})
			must(t, s, c, "secret-get", sid, "--refresh")
			_, err = finish(t, s, c, true)
			require.NoError(t, err)
			assert.Equal(t, want, hookUnits(model(t, s).SecretHooks(), "secret-changed"),
				"%s: a unit that already refreshed is told under Juju 3's rule only", version)
		}
	})
}

// Ensure SkipManagerChanged keeps secret-changed from the leader.
func TestSecretRules(t *testing.T) {
	for _, skip := range []bool{false, true} {
		s := secretStore(t, "3.6.4")
		require.NoError(t, s.Update(func(m *fakejuju.Model) error { m.SecretRules.SkipManagerChanged = skip; return nil }))
		must(t, s, "c1", "secret-get", sid)
		must(t, s, "c0", "secret-get", sid)
		must(t, s, "c0", "secret-set", sid, "password=two")
		c, err := finish(t, s, "c0", true)
		require.NoError(t, err)
		want := []string{"app/0", "app/1"}
		if skip {
			want = []string{"app/1"}
		}
		assert.Equal(t, want, hookUnits(c.SecretHooks, "secret-changed"), "skip %v", skip)
	}
}

// Ensure same-hook reads: a secret added in the hook is read from the
// pending creation; after secret-set, plain secret-get gives the tracked
// revision, --peek the pending content, and --refresh tracks the new
// revision once committed.
func TestSecretPendingReads(t *testing.T) {
	s := secretStore(t, "3.6.4")
	must(t, s, "c0", "secret-get", sid) // the leader tracks revision 1
	id := strings.TrimSpace(must(t, s, "c0", "secret-add", "--label=new", "token=t"))
	assert.Equal(t, "t\n", must(t, s, "c0", "secret-get", id, "token"))
	assert.Equal(t, `{"token":"t"}`+"\n", must(t, s, "c0", "secret-get", "--label=new", "--format=json"))
	must(t, s, "c0", "secret-set", sid, "password=two")
	assert.Equal(t, "one\n", must(t, s, "c0", "secret-get", sid, "password"))
	assert.Equal(t, "two\n", must(t, s, "c0", "secret-get", sid, "password", "--peek"))
	assert.Equal(t, "two\n", must(t, s, "c0", "secret-get", sid, "password", "--refresh"))
	assert.Equal(t, 1, model(t, s).Secrets[sid].Consumers["app/0"].Current, "tracked at commit")
	_, err := finish(t, s, "c0", true)
	require.NoError(t, err)
	assert.Equal(t, 2, model(t, s).Secrets[sid].Consumers["app/0"].Current)
}

// Ensure a Fault makes a secret tool fail like any other.
func TestSecretFault(t *testing.T) {
	s := secretStore(t, "3.6.4")
	require.NoError(t, s.Update(func(m *fakejuju.Model) error {
		m.Units["app/1"].Faults = map[string]fakejuju.Fault{"secret-get": {Cause: "backend unavailable"}}
		return nil
	}))
	r := call(t, s, "c1", "secret-get", sid)
	assert.Equal(t, 1, r.ExitCode)
	assert.Equal(t, "ERROR backend unavailable\n", string(r.Stderr))
}

// Ensure the journal never holds secret content, while the caller gets the
// tool's whole answer.
func TestSecretJournalRedacted(t *testing.T) {
	s := secretStore(t, "3.6.4")
	require.NoError(t, s.Update(func(m *fakejuju.Model) error { m.NextSecretID = sid2; return nil }))
	must(t, s, "c0", "secret-add", "--label=l", "password=s3cret", "raw#base64=czNjcmV0")
	assert.Equal(t, "s3cret\n", must(t, s, "c0", "secret-get", sid2, "password"))
	must(t, s, "c0", "secret-set", sid, "password=s3cret")
	r := call(t, s, "c0", "secret-add", "=s3cret")
	assert.Equal(t, "ERROR key value \"=s3cret\" not valid\n", string(r.Stderr), "Juju's message")
	j, err := s.Journal()
	require.NoError(t, err)
	var calls []string
	for _, e := range j {
		if e.Call != nil {
			calls = append(calls, e.Call.String()+" -> "+e.Call.Stdout+e.Call.Stderr)
		}
	}
	assert.Equal(t, []string{
		"secret-add --label=l password=<redacted> raw#base64=<redacted> -> secret://" + modelUUID + "/" + sid2 + "\n",
		"secret-get " + sid2 + " password -> <redacted>",
		"secret-set " + sid + " password=<redacted> -> ",
		"secret-add =<redacted> (exit 2) -> ERROR key value <redacted> not valid\n",
	}, calls)
}
