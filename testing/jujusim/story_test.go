package jujusim_test

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/testing/fakejuju"
	"github.com/charmkit/charmkit/testing/jujusim"
)

// storyFlags are the flags the story checks, with "leadership." shortened
// to "L.": the password units' requested flag and leadership, the client
// units' available and changed flags and written file, and both sides'
// endpoint flags but endpoint.<name>.changed*.
func storyFlags(tb testing.TB, u *jujusim.Unit) []string {
	tb.Helper()
	out := []string{}
	for _, f := range lflags(tb, u) {
		switch {
		case strings.HasPrefix(f, "endpoint.") && strings.Contains(f, ".changed"):
			// Set by each unit's join (its addresses); no handler of
			// these charms watches them.
		case f == "L.is_leader", strings.HasPrefix(f, "clients."), strings.HasPrefix(f, "server."),
			strings.HasPrefix(f, "endpoint."), f == "client.password-written":
			out = append(out, f)
		}
	}
	return out
}

// appSets returns the successful relation-set --app calls of the events,
// as "unit keys...".
func appSets(evs []*jujusim.Event) []string {
	var out []string
	for _, ev := range evs {
		for _, c := range ev.CallsTo("relation-set") {
			if c.ExitCode == 0 && slices.Contains(c.Args, "--app") {
				keys := strings.Count(c.Stdin, `":"`)
				out = append(out, ev.Unit+" "+strings.Repeat("k", keys))
			}
		}
	}
	return out
}

// invokedHandlers returns the handlers a hook's log records say ran.
func invokedHandlers(ev *jujusim.Event) []string {
	var out []string
	for _, l := range ev.Logs {
		for _, line := range strings.Split(l.Message, "\n") {
			if _, h, ok := strings.Cut(line, "Invoking reactive handler: "); ok {
				out = append(out, strings.TrimSpace(h))
			}
		}
	}
	return out
}

// clientFile returns a client unit's password file, "-" when absent, and
// checks its mode.
func clientFile(tb testing.TB, u *jujusim.Unit) string {
	tb.Helper()
	b, err := u.ReadFile("server_password")
	if os.IsNotExist(err) {
		return "-"
	}
	require.NoError(tb, err)
	fi, err := os.Stat(filepath.Join(u.CharmDir(), "server_password"))
	require.NoError(tb, err)
	assert.Equal(tb, os.FileMode(0o600), fi.Mode().Perm(), u.Name())
	return string(b)
}

// Ensure the credentials story end to end, on the two compiled example
// charms: three password units and two password-client units; relating
// them gives every client unit the leader's password, through a secret
// granted to the relation whose URI is the one key the leader writes (one
// relation-set --app); a new leader publishes nothing; a rotated password
// reaches every client through a new revision of that secret and
// secret-changed, and the old one is gone; removing a password unit and a
// client unit keeps the others' files; removing the relation removes the
// secret and every file and clears the flags; a rotation then retires the
// password the clients knew. The flags of every unit and all of Juju's
// invariants, secret leaks included (no password in any bag, call, log or
// store), are checked at each step.
func TestStory_Credentials(t *testing.T) {
	t.Parallel()
	pwCharm, pwBin := passwordCharm(t)
	clCharm, clBin := clientCharm(t)
	m := jujusim.Start(t, jujusim.Options{Charm: pwCharm, Dispatch: pwBin, Units: 3})
	client, err := m.AddApplication(jujusim.AppOptions{Charm: clCharm, Dispatch: clBin, Units: 2})
	require.NoError(t, err)
	require.NoError(t, m.Deploy())
	pw := m.Application("password")
	p0, p1, p2 := pw.Unit(0), pw.Unit(1), pw.Unit(2)
	c0, c1 := client.Unit(0), client.Unit(1)

	seen := 0
	step := func(name string) []*jujusim.Event {
		t.Helper()
		require.NoError(t, m.CheckInvariants(), name)
		tl := m.Timeline()
		evs := tl[seen:]
		seen = len(tl)
		return evs
	}
	password := func() string {
		t.Helper()
		_, p := passwordSecret(t, m)
		return p
	}
	flagsOf := func(want map[*jujusim.Unit]string) {
		t.Helper()
		for u, fl := range want {
			assert.Equal(t, sp(fl), storyFlags(t, u), u.Name())
		}
	}

	// 1. Deployed, not related: no file, no interface flag.
	step("deploy")
	for _, c := range client.Units() {
		assert.Equal(t, "-", clientFile(t, c))
		st, err := c.Status()
		require.NoError(t, err)
		assert.Equal(t, "blocked", st.State, c.Name())
	}
	flagsOf(map[*jujusim.Unit]string{p0: "L.is_leader", p1: "", p2: "", c0: "", c1: ""})
	p := password()

	// 2. juju integrate: the leader adds the relation's secret, grants it
	// and publishes its URI once; every client unit reads the secret and
	// writes the password.
	rel, err := m.Relate("password-client", "password")
	require.NoError(t, err)
	require.NoError(t, m.Settle())
	evs := step("integrate")
	assert.Equal(t, []string{"password/0 k"}, appSets(evs), "one write, by the leader, of the secret's URI")
	cs, content := credentialsSecret(t, m, rel)
	assert.Equal(t, map[string]string{"username": "admin", "password": p}, content)
	assert.Equal(t, map[string]fakejuju.SecretGrant{"password-client": {Relation: rel.ID()}}, cs.Grants)
	bag, err := rel.Data("password")
	require.NoError(t, err)
	assert.Equal(t, []string{"secret-user"}, slices.Sorted(maps.Keys(bag)), "no username or password in the bag")
	assert.Regexp(t, `^secret://[0-9a-f-]{36}/`+cs.ID+`$`, bag["secret-user"])
	for _, c := range client.Units() {
		assert.Equal(t, p, clientFile(t, c), c.Name())
		st, err := c.Status()
		require.NoError(t, err)
		assert.Equal(t, "active ready", st.State+" "+st.Message, c.Name())
	}
	joinedPw, joinedCl := "clients.requested endpoint.clients.joined", "client.password-written endpoint.server.joined server.available"
	flagsOf(map[*jujusim.Unit]string{p0: "L.is_leader " + joinedPw, p1: joinedPw, p2: joinedPw, c0: joinedCl, c1: joinedCl})

	// 3. Juju elects password/1: it reads the bag once and writes nothing;
	// the old leader forgets what it published.
	require.NoError(t, m.Elect(p1))
	require.NoError(t, m.Settle())
	evs = step("elect")
	assert.Empty(t, appSets(evs))
	i := slices.IndexFunc(evs, func(ev *jujusim.Event) bool { return ev.Unit == p1.Name() && ev.Hook == "leader-elected" })
	require.GreaterOrEqual(t, i, 0, "password/1 ran leader-elected")
	assert.Contains(t, evs[i].Stdout+strings.Join(invokedHandlers(evs[i]), " "), "share_password")
	assert.Len(t, evs[i].CallsTo("relation-get"), 1, "the new leader reads the bag once")
	flagsOf(map[*jujusim.Unit]string{p0: joinedPw, p1: "L.is_leader " + joinedPw, p2: joinedPw, c0: joinedCl, c1: joinedCl})
	for u, has := range map[*jujusim.Unit]bool{p0: false, p1: true} {
		st, err := u.State()
		require.NoError(t, err)
		assert.Equal(t, has, st["credentials.published.clients"] != "", "%s remembers what it published", u.Name())
	}
	for _, c := range client.Units() {
		assert.Equal(t, p, clientFile(t, c), c.Name())
	}

	// 4. juju run password/leader rotate-password: the new password
	// reaches every client in a new revision of the relation's secret
	// (secret-changed); the bag does not change; the old password is gone
	// everywhere.
	ev, err := p1.RunAction("rotate-password", nil)
	require.NoError(t, err)
	require.Equal(t, 0, ev.ExitCode, ev.Stderr)
	require.False(t, ev.Action.Failed, ev.Action.Message)
	require.NoError(t, m.Settle())
	require.NoError(t, m.KeepSecret(p))
	evs = step("rotate-password")
	p2nd := password()
	require.NotEqual(t, p, p2nd)
	assert.Empty(t, appSets(evs), "the URI in the bag stays")
	s, _ := passwordSecret(t, m)
	assert.Equal(t, []int{2}, storedRevisions(s), "the old revision is removed")
	cs, content = credentialsSecret(t, m, rel)
	assert.Equal(t, p2nd, content["password"])
	assert.Equal(t, []int{2}, storedRevisions(cs), "the relation secret's old revision is removed")
	for _, c := range client.Units() {
		i := slices.IndexFunc(evs, func(ev *jujusim.Event) bool { return ev.Unit == c.Name() && ev.Hook == "secret-changed" })
		require.GreaterOrEqual(t, i, 0, "%s runs secret-changed", c.Name())
		assert.Contains(t, handlersRun(evs[i]), "write_password", c.Name())
		assert.NotContains(t, evs[i].FlagsAfter, "server.changed", "%s used the new password", c.Name())
	}
	requireOnePasswordFile(t, pw, p2nd)
	for _, c := range client.Units() {
		assert.Equal(t, p2nd, clientFile(t, c), c.Name())
	}
	flagsOf(map[*jujusim.Unit]string{p0: joinedPw, p1: "L.is_leader " + joinedPw, p2: joinedPw, c0: joinedCl, c1: joinedCl})

	// 5. juju remove-unit password/0: the clients keep the credentials.
	require.NoError(t, m.RemoveUnit(p0))
	require.NoError(t, m.Settle())
	evs = step("remove password/0")
	assert.Empty(t, appSets(evs))
	for _, c := range client.Units() {
		assert.Equal(t, p2nd, clientFile(t, c), c.Name())
	}
	flagsOf(map[*jujusim.Unit]string{p1: "L.is_leader " + joinedPw, p2: joinedPw, c0: joinedCl, c1: joinedCl})

	// 6. juju remove-unit password-client/1: it removes its file on the
	// way out; the password units still have a client unit.
	require.NoError(t, m.RemoveUnit(c1))
	require.NoError(t, m.Settle())
	evs = step("remove password-client/1")
	assert.Equal(t, "-", clientFile(t, c1), "removed while departing")
	assert.Equal(t, p2nd, clientFile(t, c0))
	var c1Hooks []string
	for _, ev := range evs {
		if ev.Unit == c1.Name() && ev.Kind == jujusim.KindHook {
			c1Hooks = append(c1Hooks, ev.Hook)
		}
	}
	assert.Equal(t, []string{"server-relation-departed", "server-relation-departed", "server-relation-broken", "stop", "remove"}, c1Hooks)
	flagsOf(map[*jujusim.Unit]string{p1: "L.is_leader " + joinedPw, p2: joinedPw, c0: joinedCl})

	// 7. juju remove-relation: the leader removes the relation's secret;
	// every file is removed, every interface flag cleared, and the leader
	// forgets the relation.
	require.NoError(t, m.RemoveRelation(rel))
	require.NoError(t, m.Settle())
	step("remove-relation")
	assert.True(t, rel.Gone())
	assert.False(t, hasCredentialsSecret(t, m, rel), "the relation's secret is removed")
	assert.Equal(t, "-", clientFile(t, c0))
	st, err := c0.Status()
	require.NoError(t, err)
	assert.Equal(t, "blocked", st.State)
	flagsOf(map[*jujusim.Unit]string{p1: "L.is_leader", p2: "", c0: ""})
	state, err := p1.State()
	require.NoError(t, err)
	assert.NotContains(t, state, "credentials.published.clients")
	assert.NotContains(t, state, "reactive.endpoints.departed.clients", "departed units forgotten")
	requireOnePasswordFile(t, pw, p2nd)

	// 8. The client application knew the password: a rotation retires it.
	// Nothing is sent to a relation, and no live password is left
	// anywhere but in the secret: every invariant holds again.
	ev, err = p1.RunAction("rotate-password", nil)
	require.NoError(t, err)
	require.False(t, ev.Action.Failed, ev.Action.Message)
	require.NoError(t, m.Settle())
	require.NoError(t, m.KeepSecret(p2nd))
	evs = step("rotate-password after remove-relation")
	assert.Empty(t, appSets(evs))
	p3rd := password()
	assert.NotEqual(t, p2nd, p3rd)
	s, _ = passwordSecret(t, m)
	assert.Equal(t, []int{3}, storedRevisions(s), "revision 2 is removed, though password/0 read it before it was removed")
	requireOnePasswordFile(t, pw, p3rd)
}

// requireOnePasswordFile checks that every password unit's file holds p.
func requireOnePasswordFile(tb testing.TB, pw *jujusim.Application, p string) {
	tb.Helper()
	for _, u := range pw.Units() {
		assert.Equal(tb, p, readFile(tb, u, "admin_password"), u.Name())
	}
}
