package leadership_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/testing/charmtest"
)

// The tests of keys kept in Juju secrets (Options.Secrets;
// docs/leadership.md, "Shared values in Juju secrets") run a small charm
// after the reference charm (docs/design.md, "The reference charm"): the
// leader generates admin_password once, every unit writes it to a file.

const (
	pw1 = "generated-password-0001"
	pw2 = "rotated-password-0002"
	pw3 = "rotated-password-0003"
	tk1 = "api-token-value-0001"
)

// secretCharm is the test charm: its layer options, the password the
// leader generates, and extra handlers by hook name.
type secretCharm struct {
	opts     leadership.Options
	password string
	extra    map[string]reactive.HandlerFunc
}

func (c secretCharm) register(r *reactive.Registry) {
	leadership.Register(r, &c.opts)
	password := c.password
	if password == "" {
		password = pw1
	}
	r.Handle("generate_secret", reactive.All(reactive.When(leadership.IsLeaderFlag), reactive.WhenNot(leadership.SetFlag("admin_password"))),
		func(ctx context.Context, h *reactive.Hook) error {
			return leadership.Set(ctx, h, map[string]string{"admin_password": password})
		})
	r.Handle("store_secret", reactive.When(leadership.ChangedFlag("admin_password")),
		func(_ context.Context, h *reactive.Hook) error {
			path := filepath.Join(h.CharmDir(), "admin_password")
			v, ok := leadership.Get(h, "admin_password")
			if !ok {
				if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
					return err
				}
				return h.ClearFlag("password.stored")
			}
			if err := os.WriteFile(path, []byte(v), 0o600); err != nil {
				return err
			}
			return h.SetFlag("password.stored")
		})
	for _, hook := range slices.Sorted(func(yield func(string) bool) {
		for k := range c.extra {
			if !yield(k) {
				return
			}
		}
	}) {
		r.Handle("test."+hook, reactive.OnHook(hook), c.extra[hook])
	}
}

// with returns a copy of c with an extra handler.
func (c secretCharm) with(hook string, fn reactive.HandlerFunc) secretCharm {
	extra := map[string]reactive.HandlerFunc{}
	for k, v := range c.extra {
		extra[k] = v
	}
	extra[hook] = fn
	c.extra = extra
	return c
}

// setting is a handler that writes settings.
func setting(settings map[string]string) reactive.HandlerFunc {
	return func(ctx context.Context, h *reactive.Hook) error { return leadership.Set(ctx, h, settings) }
}

// secretBackend is one place the settings (and so the pointers) live.
type secretBackend struct {
	name string
	opts leadership.Options
}

var secretBackends = []secretBackend{
	{"leader-settings", leadership.Options{Secrets: map[string][]string{"admin": {"admin_password", "api_token"}}}},
	{"peer-relation", leadership.Options{Secrets: map[string][]string{"admin": {"admin_password", "api_token"}}, PeerRelation: "peers"}},
}

// unit returns a unit of app with the backend's settings: leader settings,
// or the peer relation's application bag.
func (b secretBackend) unit(name string, leader bool, settings map[string]string) charmtest.Unit {
	u := charmtest.Unit{Name: name, Leader: leader}
	if b.opts.PeerRelation == "" {
		u.LeaderSettings = settings
		return u
	}
	other := "app/1"
	if name == other {
		other = "app/0"
	}
	u.Relations = []charmtest.Relation{{ID: "peers:1", RemoteApp: "app", Units: map[string]map[string]string{other: {}}, AppData: settings}}
	return u
}

// settings returns the backend's settings after a hook.
func (b secretBackend) settings(out charmtest.Result) map[string]string {
	if b.opts.PeerRelation == "" {
		return out.LeaderSettings
	}
	return out.Relations[0].AppData
}

// readTool and writeTool are the backend's tools.
func (b secretBackend) readTools() []string {
	if b.opts.PeerRelation == "" {
		return []string{"leader-get"}
	}
	return []string{"relation-ids", "relation-get"}
}

func (b secretBackend) writeTool() string {
	if b.opts.PeerRelation == "" {
		return "leader-set"
	}
	return "relation-set"
}

// tools returns the tools the hook ran, in order.
func tools(out charmtest.Result) []string {
	var t []string
	for _, c := range out.Calls {
		if c.Tool != "juju-log" {
			t = append(t, c.Tool)
		}
	}
	return t
}

// seq joins tool lists.
func seq(parts ...any) []string {
	var out []string
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			out = append(out, p)
		case []string:
			out = append(out, p...)
		}
	}
	return out
}

// decodePointer decodes the pointer of group admin in settings.
func decodePointer(t *testing.T, settings map[string]string) (id string, revision int, keys map[string]int) {
	t.Helper()
	raw, ok := settings[leadership.SecretPointerKey("admin")]
	require.True(t, ok, "no pointer in %v", settings)
	var p struct {
		ID       string         `json:"id"`
		Revision int            `json:"revision"`
		Keys     map[string]int `json:"keys"`
	}
	require.NoError(t, json.Unmarshal([]byte(raw), &p))
	return p.ID, p.Revision, p.Keys
}

// noValue asserts that none of values (nor its JSON-escaped form) appears
// anywhere a hook leaves data but the secrets and the charm's own files:
// the settings and every relation bag, the unit's store (snapshot and
// other keys), the logs, the tool calls (arguments, stdin, output; the
// output of the tools named in plainReads is skipped, for a hook that read
// a value still in plain settings), the status and the hook's error.
func noValue(t *testing.T, out charmtest.Result, plainReads []string, values ...string) {
	t.Helper()
	var places []string
	add := func(where, text string) { places = append(places, where+"\x00"+text) }
	for k, v := range out.LeaderSettings {
		add("leader settings "+k, k+"="+v)
	}
	for _, r := range out.Relations {
		for _, bag := range []map[string]string{r.LocalData, r.AppData, r.RemoteAppData} {
			for k, v := range bag {
				add("relation "+r.ID, k+"="+v)
			}
		}
	}
	for k, v := range out.Snapshot {
		add("snapshot "+k, v)
	}
	for k, v := range out.KV {
		add("store "+k, k+"="+v)
	}
	for _, l := range out.Logs {
		add("log", l.Message)
	}
	for _, c := range out.Calls {
		add("call "+c.Tool, strings.Join(c.Args, " ")+"\n"+c.Stdin+"\n"+c.Stderr)
		if !slices.Contains(plainReads, c.Tool) {
			add("output of "+c.Tool, c.Stdout)
		}
	}
	for _, s := range out.StatusHistory {
		add("status", s.Message)
	}
	if out.Err != nil {
		add("error", out.Err.Error())
	}
	for _, v := range values {
		esc, _ := json.Marshal(v)
		for _, p := range places {
			where, text, _ := strings.Cut(p, "\x00")
			assert.NotContains(t, text, v, "the value leaked into the %s", where)
			assert.NotContains(t, text, string(esc[1:len(esc)-1]), "the value leaked (JSON-escaped) into the %s", where)
		}
	}
}

// Ensure that on the leader a key of Options.Secrets is kept in an
// application-owned secret labelled after its group, that the settings get
// only a pointer (the secret's ID and revisions), published by one write at
// the end of the hook, that the leader's flags change at once as with plain
// settings, that the same content makes no new revision and no write, that
// several writes in a hook make one revision, and that no value reaches the
// settings, the store, the logs or a command line. Both backends.
func TestSecrets_Leader(t *testing.T) {
	t.Parallel()
	for _, b := range secretBackends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := secretCharm{opts: b.opts}
			// The first hook: the secret is added, the pointer published last.
			out := b.unit("app/0", true, nil).Run(t, c.register, "install")
			require.NoError(t, out.Err)
			assert.Equal(t, []string{"+leadership.is_leader", "+leadership.changed.admin_password", "+leadership.changed",
				"+leadership.set.admin_password", "+password.stored"}, out.Events, "the events of leadership.Set")
			assert.Equal(t, seq("is-leader", b.readTools(), "secret-info-get", "secret-add", b.writeTool()), tools(out))
			require.Len(t, out.Secrets, 1)
			sec := out.Secrets[0]
			assert.Equal(t, "leadership-admin", sec.Label)
			assert.Empty(t, sec.Owner, "owned by the application")
			require.Len(t, sec.Revisions, 1)
			assert.Equal(t, pw1, sec.Revisions[0]["admin-password"])
			assert.Len(t, sec.Revisions[0], 2, "the value and the layer's record")
			settings := b.settings(out)
			assert.Len(t, settings, 1, "the pointer only")
			id, rev, keys := decodePointer(t, settings)
			assert.Equal(t, sec.ID, id)
			assert.Equal(t, 1, rev)
			assert.Equal(t, map[string]int{"admin_password": 1}, keys)
			assert.Equal(t, id+"?revision=1&unconfirmed", out.Snapshot["admin_password"], "the leader's own write, not yet seen committed")
			f, _ := out.File("admin_password")
			assert.Equal(t, pw1, f)
			noValue(t, out, nil, pw1)

			// The next hook sees the revision committed: one look-up, one
			// read, nothing written, no flag raised.
			out = out.Unit.Run(t, c.register, "update-status")
			require.NoError(t, out.Err)
			assert.Equal(t, []string{"-leadership.changed.admin_password", "-leadership.changed"}, out.Events)
			assert.Equal(t, seq("is-leader", b.readTools(), "secret-info-get", "secret-get"), tools(out))
			assert.Equal(t, []string{"--format=json", id, "--refresh"}, out.CallsTo("secret-get")[0].Args)
			assert.Equal(t, id+"?revision=1", out.Snapshot["admin_password"])

			// A hook after that reads nothing.
			out = out.Unit.Run(t, c.register, "update-status")
			require.NoError(t, out.Err)
			assert.Empty(t, out.Events)
			assert.Equal(t, seq("is-leader", b.readTools()), tools(out))

			// The same value again: no secret-set (Juju before 3.6 would
			// make a revision), no write, no flag.
			out = out.Unit.Run(t, c.with("config-changed", setting(map[string]string{"admin_password": pw1})).register, "config-changed")
			require.NoError(t, out.Err)
			assert.Empty(t, out.Events)
			assert.Equal(t, seq("is-leader", b.readTools(), "secret-info-get", "secret-get"), tools(out))
			assert.Len(t, out.Secrets[0].Revisions, 1)

			// A new value: a new revision, the leader's flags at once.
			out = out.Unit.Run(t, c.with("config-changed", setting(map[string]string{"admin_password": pw2})).register, "config-changed")
			require.NoError(t, out.Err)
			assert.Equal(t, []string{"+leadership.changed.admin_password", "+leadership.changed"}, out.Events)
			assert.Equal(t, seq("is-leader", b.readTools(), "secret-info-get", "secret-get", "secret-set", b.writeTool()), tools(out))
			require.Len(t, out.Secrets[0].Revisions, 2)
			assert.Equal(t, pw2, out.Secrets[0].Revisions[1]["admin-password"])
			_, rev, keys = decodePointer(t, b.settings(out))
			assert.Equal(t, 2, rev)
			assert.Equal(t, map[string]int{"admin_password": 2}, keys)
			f, _ = out.File("admin_password")
			assert.Equal(t, pw2, f)

			// Two writes in one hook, to two keys of the group: one revision.
			out = out.Unit.Run(t, c.with("config-changed", func(ctx context.Context, h *reactive.Hook) error {
				if err := leadership.Set(ctx, h, map[string]string{"api_token": tk1}); err != nil {
					return err
				}
				return leadership.Set(ctx, h, map[string]string{"admin_password": pw3})
			}).register, "config-changed")
			require.NoError(t, out.Err)
			assert.Equal(t, seq("is-leader", b.readTools(), "secret-info-get", "secret-get", "secret-set", "secret-set", b.writeTool()), tools(out))
			assert.Len(t, out.Secrets[0].Revisions, 3)
			_, rev, keys = decodePointer(t, b.settings(out))
			assert.Equal(t, 3, rev)
			assert.Equal(t, map[string]int{"admin_password": 3, "api_token": 3}, keys)
			assert.Equal(t, []string{"-leadership.changed.admin_password", "-leadership.changed",
				"+leadership.changed.api_token", "+leadership.changed", "+leadership.set.api_token", "+leadership.changed.admin_password"}, out.Events)

			// A deletion: a revision without the key, the flag cleared.
			out = out.Unit.Run(t, c.with("config-changed", func(ctx context.Context, h *reactive.Hook) error {
				assert.Equal(t, map[string]string{"admin_password": pw3, "api_token": tk1}, leadership.GetAll(h))
				return leadership.Delete(ctx, h, "api_token")
			}).register, "config-changed")
			require.NoError(t, out.Err)
			assert.Equal(t, []string{"-leadership.changed.admin_password", "-leadership.changed.api_token", "-leadership.changed",
				"+leadership.changed.api_token", "+leadership.changed", "-leadership.set.api_token"}, out.Events)
			require.Len(t, out.Secrets[0].Revisions, 4)
			assert.NotContains(t, out.Secrets[0].Revisions[3], "api-token")
			_, rev, keys = decodePointer(t, b.settings(out))
			assert.Equal(t, 4, rev)
			assert.Equal(t, map[string]int{"admin_password": 3}, keys)
			assert.Contains(t, out.Tombstones, "api_token")
			noValue(t, out, nil, pw1, pw2, pw3, tk1)
		})
	}
}

// Ensure that a follower reads the secret once, with --refresh, in the hook
// where the pointer changed (a first hook, a new revision), raising the
// same flags as for a plain setting, and that in a hook where the pointer
// did not change it reads nothing unless a handler asks, then once
// whatever the number of Get calls. Both backends.
func TestSecrets_Follower(t *testing.T) {
	t.Parallel()
	for _, b := range secretBackends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			c := secretCharm{opts: b.opts}
			lead := b.unit("app/0", true, nil).Run(t, c.register, "install")
			require.NoError(t, lead.Err)
			id, _, _ := decodePointer(t, b.settings(lead))

			f := b.unit("app/1", false, b.settings(lead))
			f.Secrets = lead.Secrets
			f.Secrets[0].Tracked = 0
			out := f.Run(t, c.register, "install")
			require.NoError(t, out.Err)
			assert.Equal(t, []string{"+leadership.changed.admin_password", "+leadership.set.admin_password", "+leadership.changed", "+password.stored"}, out.Events,
				"the start-of-hook order, as for a plain setting")
			assert.Equal(t, seq("is-leader", b.readTools(), "secret-get"), tools(out), "one read, by ID")
			assert.Equal(t, []string{"--format=json", id, "--refresh"}, out.CallsTo("secret-get")[0].Args)
			assert.Equal(t, 1, out.Secrets[0].Tracked)
			assert.Equal(t, id+"?revision=1", out.Snapshot["admin_password"])
			file, _ := out.File("admin_password")
			assert.Equal(t, pw1, file)
			noValue(t, out, nil, pw1)

			// Nothing new: no read.
			out = out.Unit.Run(t, c.register, "update-status")
			require.NoError(t, out.Err)
			assert.Equal(t, seq("is-leader", b.readTools()), tools(out))
			assert.Equal(t, []string{"-leadership.changed.admin_password", "-leadership.changed"}, out.Events)

			// Handlers asking three times: one read.
			out = out.Unit.Run(t, c.with("update-status", func(_ context.Context, h *reactive.Hook) error {
				for range 2 {
					v, ok := leadership.Get(h, "admin_password")
					assert.True(t, ok)
					assert.Equal(t, pw1, v)
				}
				assert.Equal(t, map[string]string{"admin_password": pw1}, leadership.GetAll(h))
				_, ok := leadership.Get(h, "api_token")
				assert.False(t, ok, "a key of the group that is not set")
				return nil
			}).register, "update-status")
			require.NoError(t, out.Err)
			assert.Equal(t, seq("is-leader", b.readTools(), "secret-get"), tools(out))

			// The leader rotates: the follower's next hook reads the new
			// revision with --refresh and sees the change.
			lead = lead.Unit.Run(t, c.with("config-changed", setting(map[string]string{"admin_password": pw2})).register, "config-changed")
			require.NoError(t, lead.Err)
			next := out.Unit
			if b.opts.PeerRelation == "" {
				next.LeaderSettings = lead.LeaderSettings
			} else {
				next.Relations[0].AppData = b.settings(lead)
			}
			next.Secrets = lead.Secrets
			next.Secrets[0].Tracked = 1
			out = next.Run(t, c.register, "leader-settings-changed")
			require.NoError(t, out.Err)
			assert.Equal(t, []string{"+leadership.changed.admin_password", "+leadership.changed"}, out.Events)
			assert.Equal(t, seq("is-leader", b.readTools(), "secret-get"), tools(out))
			assert.Equal(t, 2, out.Secrets[0].Tracked, "the follower tracks the latest revision")
			file, _ = out.File("admin_password")
			assert.Equal(t, pw2, file)
			noValue(t, out, nil, pw1, pw2)
		})
	}
}

// Ensure that a follower whose settings point to a secret, or a revision of
// it, that Juju has not committed yet (leader-set takes effect at once, the
// leader's secret-add or secret-set only when its hook ends) fails its hook
// with an error matching ErrSecretNotReady that names the keys, the secret
// and the revisions, and changes nothing; the retry, once the secret is
// there, sees the change. And that the leader publishes the pointer only as
// the last tool of a successful hook: a handler that fails after
// leadership.Set leaves Juju with neither the pointer nor the secret.
func TestSecrets_Race(t *testing.T) {
	t.Parallel()
	c := secretCharm{opts: secretBackends[0].opts}
	lead := charmtest.Unit{Leader: true}.Run(t, c.register, "install")
	require.NoError(t, lead.Err)
	id, _, _ := decodePointer(t, lead.LeaderSettings)
	assert.Equal(t, "leader-set", lead.Calls[len(lead.Calls)-1].Tool, "the pointer is published last")

	// The pointer is there, the secret is not.
	f := charmtest.Unit{Name: "app/1", LeaderSettings: lead.LeaderSettings}
	out := f.Run(t, c.register, "leader-settings-changed")
	require.ErrorIs(t, out.Err, leadership.ErrSecretNotReady)
	assert.Contains(t, out.Err.Error(), `key group "admin" (secret "leadership-admin": admin_password, api_token): the settings point to revision 1 of secret `+id+", but Juju has no secret "+id+" yet")
	assert.Empty(t, out.Flags, "nothing changed")
	assert.Empty(t, out.Snapshot)
	f.Secrets = lead.Secrets
	out = f.Run(t, c.register, "leader-settings-changed")
	require.NoError(t, out.Err, "the retry")
	assert.True(t, out.HasFlag("password.stored"))

	// The pointer names revision 2, Juju has revision 1 only.
	rot := lead.Unit.Run(t, c.with("config-changed", setting(map[string]string{"admin_password": pw2})).register, "config-changed")
	require.NoError(t, rot.Err)
	behind := out.Unit
	behind.LeaderSettings = rot.LeaderSettings
	out2 := behind.Run(t, c.register, "leader-settings-changed")
	require.ErrorIs(t, out2.Err, leadership.ErrSecretNotReady)
	assert.Contains(t, out2.Err.Error(), "the settings point to revision 2 of secret "+id+", but Juju has only revision 1 of it")
	assert.Equal(t, out.Unit.Flags, out2.Flags)
	assert.Equal(t, out.Unit.Snapshot, out2.Snapshot)
	noValue(t, out2, nil, pw1, pw2)
	behind.Secrets = rot.Secrets
	out2 = behind.Run(t, c.register, "leader-settings-changed")
	require.NoError(t, out2.Err, "the retry")
	file, _ := out2.File("admin_password")
	assert.Equal(t, pw2, file)

	// A leader hook that fails after leadership.Set publishes nothing, and
	// Juju drops its secret-add.
	fail := func(r *reactive.Registry) {
		c.register(r)
		r.Handle("fail", reactive.When("password.stored"), func(context.Context, *reactive.Hook) error { return fmt.Errorf("injected failure") })
	}
	out = charmtest.Unit{Leader: true}.Run(t, fail, "install")
	require.Error(t, out.Err)
	assert.Empty(t, out.CallsTo("leader-set"))
	assert.NotEmpty(t, out.CallsTo("secret-add"))
	assert.Empty(t, out.Secrets)
	assert.Empty(t, out.LeaderSettings)
}

// Ensure that the layer handles secret-changed for a group's secret with
// no code in the charm: it reads with --refresh; a revision newer than the
// pointer (the secret committed before the pointer, as with a peer
// relation, whose data Juju writes after secrets) is taken at once, and the
// pointer that follows raises nothing more. A secret-changed with nothing
// new reads and raises nothing.
func TestSecrets_SecretChanged(t *testing.T) {
	t.Parallel()
	c := secretCharm{opts: secretBackends[0].opts}
	lead := charmtest.Unit{Leader: true}.Run(t, c.register, "install")
	require.NoError(t, lead.Err)
	f := charmtest.Unit{Name: "app/1", LeaderSettings: lead.LeaderSettings, Secrets: lead.Secrets}
	f.Secrets[0].Tracked = 0
	out := f.Run(t, c.register, "leader-settings-changed")
	require.NoError(t, out.Err)
	rot := lead.Unit.Run(t, c.with("config-changed", setting(map[string]string{"admin_password": pw2})).register, "config-changed")
	require.NoError(t, rot.Err)

	// secret-changed with nothing new.
	same := out.Unit
	same.Env.SecretID = same.Secrets[0].ID
	same.Env.SecretLabel = "leadership-admin"
	out1 := same.Run(t, c.register, "secret-changed")
	require.NoError(t, out1.Err)
	assert.Equal(t, seq("is-leader", "leader-get", "secret-get"), tools(out1))
	assert.Equal(t, []string{"-leadership.changed.admin_password", "-leadership.changed"}, out1.Events)

	// secret-changed for revision 2 before the pointer moved.
	early := out1.Unit
	early.Secrets = rot.Secrets
	early.Secrets[0].Tracked = 1
	out2 := early.Run(t, c.register, "secret-changed")
	require.NoError(t, out2.Err)
	assert.Equal(t, []string{"+leadership.changed.admin_password", "+leadership.changed"}, out2.Events)
	assert.Equal(t, 2, out2.Secrets[0].Tracked)
	file, _ := out2.File("admin_password")
	assert.Equal(t, pw2, file)

	// The pointer arrives: nothing more.
	late := out2.Unit
	late.Env = charmtest.HookEnv{}
	late.LeaderSettings = rot.LeaderSettings
	out3 := late.Run(t, c.register, "leader-settings-changed")
	require.NoError(t, out3.Err)
	assert.Equal(t, []string{"-leadership.changed.admin_password", "-leadership.changed"}, out3.Events)
	assert.Equal(t, seq("is-leader", "leader-get"), tools(out3))
	noValue(t, out3, nil, pw1, pw2)
}

// Ensure that after a change of leadership the new leader adopts the
// secret: leader-elected raises only leadership.is_leader and reads
// nothing; its first write finds the secret by label and sets a new
// revision of it (no second secret). A leader that finds a secret with the
// group's label but no pointer (an earlier leader's pointer was never
// published) adopts it too.
func TestSecrets_LeadershipChange(t *testing.T) {
	t.Parallel()
	c := secretCharm{opts: secretBackends[0].opts}
	lead := charmtest.Unit{Leader: true}.Run(t, c.register, "install")
	require.NoError(t, lead.Err)
	f := charmtest.Unit{Name: "app/1", LeaderSettings: lead.LeaderSettings, Secrets: lead.Secrets}
	f.Secrets[0].Tracked = 0
	out := f.Run(t, c.register, "leader-settings-changed")
	require.NoError(t, out.Err)

	elected := out.Unit
	elected.Leader = true
	out = elected.Run(t, c.register, "leader-elected")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"+leadership.is_leader", "-leadership.changed.admin_password", "-leadership.changed"}, out.Events)
	assert.Equal(t, seq("is-leader", "leader-get"), tools(out))

	out = out.Unit.Run(t, c.with("config-changed", setting(map[string]string{"admin_password": pw2})).register, "config-changed")
	require.NoError(t, out.Err)
	assert.Equal(t, seq("is-leader", "leader-get", "secret-info-get", "secret-get", "secret-set", "leader-set"), tools(out))
	require.Len(t, out.Secrets, 1, "one secret")
	assert.Len(t, out.Secrets[0].Revisions, 2)
	_, rev, _ := decodePointer(t, out.LeaderSettings)
	assert.Equal(t, 2, rev)

	// No pointer, but a secret with the label.
	orphan := charmtest.Unit{Leader: true, Secrets: lead.Secrets}
	out = orphan.Run(t, c.register, "install")
	require.NoError(t, out.Err)
	assert.Equal(t, seq("is-leader", "leader-get", "secret-info-get", "secret-get", "leader-set"), tools(out),
		"the same value: no new revision, the pointer published")
	require.Len(t, out.Secrets, 1)
	assert.Len(t, out.Secrets[0].Revisions, 1)
	id, rev, _ := decodePointer(t, out.LeaderSettings)
	assert.Equal(t, lead.Secrets[0].ID, id)
	assert.Equal(t, 1, rev)
}

// Ensure that a leader whose own write Juju never committed (its hook ran
// to the end, published the pointer, and Juju then refused the hook's
// changes) repairs the pointer in its next hook, which reads the secret
// because the snapshot marks the write unconfirmed: the pointer follows
// the secret back to its revision, or is deleted when there is no secret,
// and the flags follow; the generating handler then runs again.
func TestSecrets_LostWrite(t *testing.T) {
	t.Parallel()
	c := secretCharm{opts: secretBackends[0].opts}
	lead := charmtest.Unit{Leader: true}.Run(t, c.register, "install")
	require.NoError(t, lead.Err)
	rot := lead.Unit.Run(t, c.with("config-changed", setting(map[string]string{"admin_password": pw2})).register, "config-changed")
	require.NoError(t, rot.Err)

	// The store and the settings of the rotation, the secret without it.
	lost := rot.Unit
	lost.Secrets = lead.Secrets
	out := lost.Run(t, c.register, "update-status")
	require.NoError(t, out.Err)
	assert.True(t, out.HasFlag(leadership.ChangedFlag("admin_password")), "changed again (it stayed set from the lost write's hook)")
	assert.Contains(t, out.Invoked, "store_secret")
	assert.Equal(t, seq("is-leader", "leader-get", "secret-info-get", "secret-get", "leader-set"), tools(out))
	_, rev, _ := decodePointer(t, out.LeaderSettings)
	assert.Equal(t, 1, rev)
	file, _ := out.File("admin_password")
	assert.Equal(t, pw1, file)

	// The settings and store of the first hook, no secret at all.
	gone := lead.Unit
	gone.Secrets = nil
	out = gone.Run(t, secretCharm{opts: c.opts, password: pw3}.register, "update-status")
	require.NoError(t, out.Err)
	assert.Equal(t, seq("is-leader", "leader-get", "secret-info-get", "secret-add", "leader-set"), tools(out))
	assert.Contains(t, out.Invoked, "generate_secret")
	require.Len(t, out.Secrets, 1)
	assert.NotEqual(t, lead.Secrets[0].ID, out.Secrets[0].ID)
	file, _ = out.File("admin_password")
	assert.Equal(t, pw3, file)
	noValue(t, out, nil, pw1, pw3)
}

// Ensure that the leader handles secret-remove for a group's secret: it
// removes the obsolete revision Juju names, and never the revision the
// settings point to.
func TestSecrets_SecretRemove(t *testing.T) {
	t.Parallel()
	c := secretCharm{opts: secretBackends[0].opts}
	lead := charmtest.Unit{Leader: true}.Run(t, c.register, "install")
	require.NoError(t, lead.Err)
	rot := lead.Unit.Run(t, c.with("config-changed", setting(map[string]string{"admin_password": pw2})).register, "config-changed")
	require.NoError(t, rot.Err)
	u := rot.Unit
	u.Env = charmtest.HookEnv{SecretID: u.Secrets[0].ID, SecretLabel: "leadership-admin", SecretRevision: 1}
	out := u.Run(t, c.register, "secret-remove")
	require.NoError(t, out.Err)
	require.Len(t, out.CallsTo("secret-remove"), 1)
	assert.Equal(t, []string{u.Secrets[0].ID, "--revision=1"}, out.CallsTo("secret-remove")[0].Args)
	assert.Empty(t, out.Secrets[0].Revisions[0], "revision 1 is gone")
	assert.Equal(t, pw2, out.Secrets[0].Revisions[1]["admin-password"])

	u = rot.Unit // charmtest takes no secret with a removed revision as input
	u.Env = charmtest.HookEnv{SecretID: u.Secrets[0].ID, SecretLabel: "leadership-admin", SecretRevision: 2}
	out = u.Run(t, c.register, "secret-remove")
	require.NoError(t, out.Err)
	assert.Empty(t, out.CallsTo("secret-remove"))
	assert.True(t, slices.ContainsFunc(out.Logs, func(l charmtest.LogRecord) bool {
		return l.Level == "WARNING" && strings.Contains(l.Message, "not removing revision 2")
	}), "%v", out.Logs)
}

// Ensure that on a Juju without secrets (before 3.0.2) the layer fails
// every hook with ErrNoJujuSecrets naming the option that keeps the keys
// plain, and that with Options.PlainFallback it keeps them in plain leader
// settings with a WARNING.
func TestSecrets_OldJuju(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"2.9.42", "3.0.1"} {
		c := secretCharm{opts: secretBackends[0].opts}
		u := charmtest.Unit{Leader: true, Env: charmtest.HookEnv{JujuVersion: v}}
		out := u.Run(t, c.register, "install")
		require.ErrorIs(t, out.Err, leadership.ErrNoJujuSecrets, v)
		assert.Contains(t, out.Err.Error(), "keys admin_password, api_token: Juju "+v+": this Juju has no secrets")
		assert.Contains(t, out.Err.Error(), "set Options.PlainFallback")
		assert.Equal(t, seq("is-leader", "leader-get"), tools(out))

		c.opts.PlainFallback = true
		out = u.Run(t, c.register, "install")
		require.NoError(t, out.Err, v)
		assert.Equal(t, map[string]string{"admin_password": pw1}, out.LeaderSettings)
		assert.Equal(t, seq("is-leader", "leader-get", "leader-set"), tools(out))
		assert.True(t, slices.ContainsFunc(out.Logs, func(l charmtest.LogRecord) bool {
			return l.Level == "WARNING" && l.Message == "leadership: Juju "+v+" has no secrets (they need 3.0.2 or later): keeping keys admin_password, api_token in plain settings (Options.PlainFallback)"
		}), "%v", out.Logs)
	}
	out := charmtest.Unit{Leader: true, Env: charmtest.HookEnv{JujuVersion: "3.0.2"}}.Run(t, secretCharm{opts: secretBackends[0].opts}.register, "install")
	require.NoError(t, out.Err)
	assert.Len(t, out.Secrets, 1)
}

// Ensure that units written by the Python stack (the fixtures of
// testdata/python-unit-state), whose password is in plain leader settings,
// move to a secret without a second password and without any flag event:
// the leader moves the value into the secret and deletes it from the
// settings in its next hook; a follower before that keeps it as it is;
// after it, the follower reads the secret once, raises nothing, and its
// snapshot keeps the pointer instead of the value. A plain key outside the
// groups (motd) stays plain, with the Python stack's own events.
func TestSecrets_MigrationFromPython(t *testing.T) {
	t.Parallel()
	opts := leadership.Options{Secrets: map[string][]string{"admin": {"admin_password"}}}
	load := func(t *testing.T, fixture string) (charmtest.Unit, pythonNext) {
		t.Helper()
		u, err := charmtest.LoadState(t.Context(), filepath.Join("testdata", "python-unit-state", fixture, "unit-state.db"))
		require.NoError(t, err)
		raw, err := os.ReadFile(filepath.Join("testdata", "python-unit-state", fixture, "expected.json"))
		require.NoError(t, err)
		var fx struct {
			Unit string     `json:"unit"`
			Next pythonNext `json:"next"`
		}
		require.NoError(t, json.Unmarshal(raw, &fx))
		u.Name = fx.Unit
		u.Leader = fx.Next.ModelLeader == fx.Unit
		u.LeaderSettings = fx.Next.Settings
		u.Files = map[string]string{"admin_password": u.Snapshot["admin_password"]}
		return u, fx.Next
	}
	c := secretCharm{opts: opts, password: "a-second-password-never-made"}
	for _, fixture := range []string{"leader-after-deploy", "leader-wrote-motd"} {
		t.Run(fixture, func(t *testing.T) {
			t.Parallel()
			lead, next := load(t, fixture)
			p := lead.Snapshot["admin_password"]
			lf, _ := load(t, "follower-after-deploy")
			lf.Leader = false // its recorded next hook makes it leader; here it stays a follower

			// A follower before the leader moves the value: as before.
			out := lf.Run(t, c.register, "leader-settings-changed")
			require.NoError(t, out.Err)
			assert.NotContains(t, strings.Join(out.Events, " "), "admin_password")
			assert.Equal(t, seq("is-leader", "leader-get"), tools(out))
			assert.Equal(t, p, out.Snapshot["admin_password"])

			// The leader moves it.
			out = lead.Run(t, c.register, next.Hook)
			require.NoError(t, out.Err)
			assert.Equal(t, next.FlagEvents, nilIfEmpty(out.Events), "the Python stack's own events, nothing for the move")
			assert.Equal(t, next.FlagsAfter, out.Flags)
			assert.NotContains(t, out.Invoked, "generate_secret", "no second password")
			assert.NotContains(t, out.Invoked, "store_secret")
			assert.Equal(t, seq("is-leader", "leader-get", "secret-info-get", "secret-add", "leader-set"), tools(out))
			set := out.CallsTo("leader-set")[0].Args
			assert.Equal(t, "admin_password=", set[0], "the plain value deleted")
			assert.True(t, strings.HasPrefix(set[1], "leadership.secret.admin="), set[1])
			_, hasPlain := out.LeaderSettings["admin_password"]
			assert.False(t, hasPlain)
			require.Len(t, out.Secrets, 1)
			assert.Equal(t, p, out.Secrets[0].Revisions[0]["admin-password"], "the same password, in the secret")
			id, _, _ := decodePointer(t, out.LeaderSettings)
			assert.Equal(t, id+"?revision=1&unconfirmed", out.Snapshot["admin_password"])
			if m, ok := next.Settings["motd"]; ok {
				assert.Equal(t, m, out.LeaderSettings["motd"], "motd stays plain")
				assert.Equal(t, m, out.Snapshot["motd"])
			}
			noValue(t, out, []string{"leader-get"}, p)
			file, _ := out.File("admin_password")
			assert.Equal(t, p, file)

			// The leader's next hook: nothing raised.
			out2 := out.Unit.Run(t, c.register, "update-status")
			require.NoError(t, out2.Err)
			assert.NotContains(t, strings.Join(out2.Events, " "), "admin_password")
			assert.Equal(t, id+"?revision=1", out2.Snapshot["admin_password"])

			// The follower after the move: one read, nothing raised, the
			// value gone from its store.
			lf.LeaderSettings = out.LeaderSettings
			lf.Secrets = out.Secrets
			fo := lf.Run(t, c.register, "leader-settings-changed")
			require.NoError(t, fo.Err)
			assert.NotContains(t, strings.Join(fo.Events, " "), "admin_password")
			assert.Equal(t, seq("is-leader", "leader-get", "secret-get"), tools(fo))
			assert.NotContains(t, fo.Invoked, "store_secret")
			assert.Equal(t, id+"?revision=1", fo.Snapshot["admin_password"])
			noValue(t, fo, nil, p)
			file, _ = fo.File("admin_password")
			assert.Equal(t, p, file)
		})
	}
}

// pythonNext is the next-hook part of a python-unit-state fixture.
type pythonNext struct {
	Hook        string            `json:"hook"`
	ModelLeader string            `json:"model_leader"`
	Settings    map[string]string `json:"model_leader_settings"`
	FlagEvents  []string          `json:"flag_events"`
	FlagsAfter  []string          `json:"flags_after"`
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return []string{}
	}
	return s
}

// Ensure that Set refuses the keys where the layer keeps its pointers, and
// that Register refuses bad groups.
func TestSecrets_Misuse(t *testing.T) {
	t.Parallel()
	c := secretCharm{opts: secretBackends[0].opts}.with("config-changed", setting(map[string]string{"leadership.secret.admin": "x"}))
	out := charmtest.Unit{Leader: true}.Run(t, c.register, "config-changed")
	require.Error(t, out.Err)
	assert.Contains(t, out.Err.Error(), `key "leadership.secret.admin": keys starting with "leadership.secret." are the layer's pointers to secrets`)

	for _, tc := range []struct {
		secrets map[string][]string
		msg     string
	}{
		{map[string][]string{"Admin": {"a"}}, `secret group name "Admin"`},
		{map[string][]string{"admin": nil}, `secret group "admin" has no key`},
		{map[string][]string{"a": {"k"}, "b": {"k"}}, `key "k" is in two secret groups, "a" and "b"`},
		{map[string][]string{"admin": {"bad=key"}}, `secret group "admin": `},
	} {
		assert.Contains(t, panicMsg(tc.secrets), tc.msg)
	}
}

// panicMsg returns the message Register panics with for secrets, after
// its prefix, which names the charm's line; "no panic" when it does not.
func panicMsg(secrets map[string][]string) (msg string) {
	defer func() {
		v := recover()
		if v == nil {
			msg = "no panic"
			return
		}
		prefix := regexp.MustCompile(`^leadership: Register at leadership/secret_test.go:\d+: Options.Secrets: `)
		msg = fmt.Sprint(v)
		if loc := prefix.FindStringIndex(msg); loc != nil {
			msg = msg[loc[1]:]
		} else {
			msg = "unexpected prefix: " + msg
		}
	}()
	leadership.Register(reactive.NewRegistry(), &leadership.Options{Secrets: secrets})
	return ""
}

// Ensure that a pointer the layer cannot use (of a group the options do not
// name, in a charm without Options.Secrets, or one that does not decode) is
// no setting: no flag, no Get, one WARNING naming the settings key, and the
// hook goes on.
func TestSecrets_UnusablePointer(t *testing.T) {
	t.Parallel()
	good := `{"id":"secret:cqd6krnmp25c77b4kq70","revision":1,"keys":{"admin_password":1}}`
	for _, tc := range []struct {
		name     string
		opts     leadership.Options
		settings map[string]string
		warning  string
	}{
		{"unknown group", secretBackends[0].opts, map[string]string{"leadership.secret.other": good},
			`leadership: ignoring settings key "leadership.secret.other": no key group "other" in Options.Secrets`},
		{"no Options.Secrets", leadership.Options{}, map[string]string{"leadership.secret.admin": good},
			`leadership: ignoring settings key "leadership.secret.admin": no key group "admin" in Options.Secrets`},
		{"malformed", secretBackends[0].opts, map[string]string{"leadership.secret.admin": `{"id":"nope"}`},
			`leadership: ignoring settings key "leadership.secret.admin": not a pointer to a secret: `},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := secretCharm{opts: tc.opts}.with("update-status", func(_ context.Context, h *reactive.Hook) error {
				assert.Empty(t, leadership.GetAll(h))
				return nil
			})
			out := charmtest.Unit{Name: "app/1", LeaderSettings: tc.settings}.Run(t, c.register, "update-status")
			require.NoError(t, out.Err)
			assert.Empty(t, out.Flags)
			assert.Equal(t, seq("is-leader", "leader-get"), tools(out))
			var warnings []string
			for _, l := range out.Logs {
				if l.Level == "WARNING" {
					warnings = append(warnings, l.Message)
				}
			}
			require.Len(t, warnings, 1)
			assert.True(t, strings.HasPrefix(warnings[0], tc.warning), warnings[0])
		})
	}
}

// Ensure that a plain value written again to the settings for a key kept in
// a secret (an operator's juju exec -- leader-set) is seen as the newest
// write: a follower that runs a hook before the leader moves it takes it,
// raising changed only when it differs from the secret's (it reads the
// secret to tell); the leader moves it into a new revision; and the
// follower's hook after the move raises nothing more.
func TestSecrets_PlainValueAgain(t *testing.T) {
	t.Parallel()
	const operator = "set-by-the-operator-01"
	c := secretCharm{opts: secretBackends[0].opts}
	lead := charmtest.Unit{Leader: true}.Run(t, c.register, "install")
	require.NoError(t, lead.Err)
	lead = lead.Unit.Run(t, c.register, "update-status")
	require.NoError(t, lead.Err)
	f := charmtest.Unit{Name: "app/1", LeaderSettings: lead.LeaderSettings, Secrets: lead.Secrets}
	f.Secrets[0].Tracked = 0
	fo := f.Run(t, c.register, "install")
	require.NoError(t, fo.Err)
	token := fo.Snapshot["admin_password"]

	withPlain := func(u charmtest.Unit, v string) charmtest.Unit {
		u.LeaderSettings = map[string]string{"admin_password": v}
		for k, val := range lead.LeaderSettings {
			u.LeaderSettings[k] = val
		}
		return u
	}
	// The same value as the secret's: nothing changed.
	same := fo.Unit.Run(t, c.register, "leader-settings-changed")
	require.NoError(t, same.Err)
	same = withPlain(same.Unit, pw1).Run(t, c.register, "leader-settings-changed")
	require.NoError(t, same.Err)
	assert.Empty(t, same.Events)
	assert.Equal(t, seq("is-leader", "leader-get", "secret-get"), tools(same))
	assert.Equal(t, token, same.Snapshot["admin_password"])

	// Another value: a change, before the leader moves it...
	other := withPlain(same.Unit, operator).Run(t, c.register, "leader-settings-changed")
	require.NoError(t, other.Err)
	assert.Equal(t, []string{"+leadership.changed.admin_password", "+leadership.changed"}, other.Events)
	file, _ := other.File("admin_password")
	assert.Equal(t, operator, file)

	// ...which the leader moves into a new revision...
	moved := withPlain(lead.Unit, operator).Run(t, c.register, "leader-settings-changed")
	require.NoError(t, moved.Err)
	assert.Equal(t, []string{"+leadership.changed.admin_password", "+leadership.changed"}, moved.Events)
	assert.Equal(t, seq("is-leader", "leader-get", "secret-info-get", "secret-get", "secret-set", "leader-set"), tools(moved))
	assert.Len(t, moved.Secrets[0].Revisions, 2)
	assert.Equal(t, []string{"admin_password=", "leadership.secret.admin=" + moved.LeaderSettings["leadership.secret.admin"]},
		moved.CallsTo("leader-set")[0].Args)

	// ...and the follower, after the move, raises nothing more.
	after := other.Unit
	after.LeaderSettings = moved.LeaderSettings
	after.Secrets = moved.Secrets
	after.Secrets[0].Tracked = 1
	out := after.Run(t, c.register, "leader-settings-changed")
	require.NoError(t, out.Err)
	assert.Equal(t, []string{"-leadership.changed.admin_password", "-leadership.changed"}, out.Events)
	assert.True(t, strings.HasSuffix(out.Snapshot["admin_password"], "?revision=2"), out.Snapshot["admin_password"])
	noValue(t, out, nil, operator)
}
