package fakejuju_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/testing/fakejuju"
)

// toolCall is one tool call of a toolCase and the exact answer expected.
type toolCall struct {
	args   []string // the tool's name, then its arguments
	stdin  string
	stdout string
	stderr string
	exit   int
}

// toolCase runs calls, in order, in one context of a model and then checks
// the model.
type toolCase struct {
	name string
	// setup changes the model twoUnits returns and returns the context the
	// calls run in; nil runs them in c0 (app/0's install, app/0 leading).
	setup func(t *testing.T, m *fakejuju.Model) string
	calls []toolCall
	// check, if not nil, inspects the store after the calls.
	check func(t *testing.T, s fakejuju.Store)
}

// runToolCases runs every case against a memory and a directory store.
func runToolCases(t *testing.T, cases []toolCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := twoUnits(t)
			ctx := "c0"
			if tc.setup != nil {
				ctx = tc.setup(t, m)
			}
			for name, s := range stores(t, m) {
				t.Run(name, func(t *testing.T) {
					for i, c := range tc.calls {
						reply, err := fakejuju.Run(s, fakejuju.Call{Context: ctx, Tool: c.args[0], Args: c.args[1:], Stdin: strings.NewReader(c.stdin)})
						require.NoError(t, err, "call %d %q", i, c.args)
						assert.Equal(t, c.stdout, string(reply.Stdout), "call %d %q: stdout", i, c.args)
						assert.Equal(t, c.stderr, string(reply.Stderr), "call %d %q: stderr", i, c.args)
						assert.Equal(t, c.exit, reply.ExitCode, "call %d %q: exit code", i, c.args)
					}
					if tc.check != nil {
						tc.check(t, s)
					}
				})
			}
		})
	}
}

// ok is a call that succeeds printing stdout.
func ok(stdout string, args ...string) toolCall { return toolCall{args: args, stdout: stdout} }

// fails is a call that fails with "ERROR msg" and the exit code.
func fails(exit int, msg string, args ...string) toolCall {
	return toolCall{args: args, stderr: "ERROR " + msg + "\n", exit: exit}
}

// withStdin returns c reading stdin.
func withStdin(c toolCall, stdin string) toolCall {
	c.stdin = stdin
	return c
}

// model returns a copy of the store's model.
func model(t *testing.T, s fakejuju.Store) *fakejuju.Model {
	t.Helper()
	var out *fakejuju.Model
	require.NoError(t, s.View(func(m *fakejuju.Model) error { out = m; return nil }))
	return out
}

// closeContext closes a context of the store's model, committing when ok.
func closeContext(t *testing.T, s fakejuju.Store, id string, ok bool) {
	t.Helper()
	require.NoError(t, s.Update(func(m *fakejuju.Model) error {
		_, err := m.Close(id, ok)
		return err
	}))
}

// open opens a context on the model and returns its id.
func open(t *testing.T, m *fakejuju.Model, spec fakejuju.ContextSpec) string {
	t.Helper()
	c, err := m.Open(spec)
	require.NoError(t, err)
	return c.ID
}

// inAction opens an action context on app/0 with the given parameters.
func inAction(params map[string]any) func(t *testing.T, m *fakejuju.Model) string {
	return func(t *testing.T, m *fakejuju.Model) string {
		return open(t, m, fakejuju.ContextSpec{ID: "a0", Unit: "app/0", Action: &fakejuju.Action{Name: "backup", ID: "1", Params: params}})
	}
}

// action returns the action of an open context.
func action(t *testing.T, s fakejuju.Store, id string) *fakejuju.Action {
	t.Helper()
	c, found := model(t, s).Context(id)
	require.True(t, found, "context %s", id)
	require.NotNil(t, c.Action)
	return c.Action
}

// Ensure the action tools read parameters, nest results, fail and log as
// Juju's do, and refuse to run outside an action.
func TestActionTools(t *testing.T) {
	params := map[string]any{"count": 3, "mode": "fast", "nested": map[string]any{"ratio": 0.5, "deep": map[string]any{"x": "y"}}}
	notAction := "not running an action"
	runToolCases(t, []toolCase{
		{name: "get everything", setup: inAction(params), calls: []toolCall{
			ok(`{"count":3,"mode":"fast","nested":{"deep":{"x":"y"},"ratio":0.5}}`+"\n", "action-get", "--format=json"),
			ok("count: 3\nmode: fast\nnested:\n  deep:\n    x: \"y\"\n  ratio: 0.5\n", "action-get"),
		}},
		{name: "get by dotted path", setup: inAction(params), calls: []toolCall{
			ok("0.5\n", "action-get", "--format=json", "nested.ratio"),
			ok(`{"x":"y"}`+"\n", "action-get", "--format", "json", "nested.deep"),
			ok("fast\n", "action-get", "mode"),
			ok("null\n", "action-get", "--format=json", "nested.missing"),
			ok("null\n", "action-get", "--format=json", "mode.deeper"),
			ok("", "action-get", "missing"),
		}},
		{name: "no parameters print {}", setup: inAction(nil), calls: []toolCall{
			ok("{}\n", "action-get", "--format=json"),
			ok("{}\n", "action-get"),
		}},
		{name: "get usage errors come first", calls: []toolCall{
			fails(2, `unrecognized args: ["b"]`, "action-get", "a", "b"),
			fails(2, `invalid value "xml" for option --format: unknown format "xml"`, "action-get", "--format=xml"),
			fails(1, notAction, "action-get", "--format=json"),
		}},
		{name: "set nests dotted keys", setup: inAction(nil), calls: []toolCall{
			ok("", "action-set", "out.size=10", "result=done", "a=b=c", "e="),
			ok("", "action-set", "out.name=x y", "result.now=nested"),
			ok("", "action-set", "--", "n-1.500=v"),
		}, check: func(t *testing.T, s fakejuju.Store) {
			assert.Equal(t, map[string]any{
				"out":    map[string]any{"size": "10", "name": "x y"},
				"result": map[string]any{"now": "nested"},
				"a":      "b=c",
				"e":      "",
				"n-1":    map[string]any{"500": "v"},
			}, action(t, s, "a0").Results)
		}},
		{name: "set refuses bad keys before setting anything", setup: inAction(nil), calls: []toolCall{
			fails(2, `argument "noequals" must be of the form key...=value`, "action-set", "ok=1", "noequals"),
			fails(2, `key "Foo" must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric and hyphens`, "action-set", "ok=1", "Foo=1"),
			fails(2, `key "" must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric and hyphens`, "action-set", "a..b=1"),
			fails(2, `key "foo-" must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric and hyphens`, "action-set", "foo-=1"),
			fails(2, `cannot set reserved action key "stdout"`, "action-set", "ok=1", "stdout=x"),
			fails(2, `cannot set reserved action key "stderr-encoding"`, "action-set", "a.stderr-encoding=x"),
			fails(2, "option provided but not defined: --foo", "action-set", "--foo=1"),
		}, check: func(t *testing.T, s fakejuju.Store) {
			assert.Nil(t, action(t, s, "a0").Results)
		}},
		{name: "set outside an action", calls: []toolCall{
			fails(1, notAction, "action-set", "a=1"),
			ok("", "action-set"), // nothing to set touches no action
			fails(2, `cannot set reserved action key "stdout"`, "action-set", "stdout=1"),
		}},
		{name: "fail with and without a message", setup: inAction(nil), calls: []toolCall{
			ok("", "action-fail", "--", "-boom"),
		}, check: func(t *testing.T, s fakejuju.Store) {
			a := action(t, s, "a0")
			assert.True(t, a.Failed)
			assert.Equal(t, "-boom", a.Message)
		}},
		{name: "fail's default message", setup: inAction(nil), calls: []toolCall{
			ok("", "action-fail"),
		}, check: func(t *testing.T, s fakejuju.Store) {
			assert.Equal(t, fakejuju.DefaultActionFailMessage, action(t, s, "a0").Message)
		}},
		{name: "fail usage and outside an action", calls: []toolCall{
			fails(2, `unrecognized args: ["b"]`, "action-fail", "a", "b"),
			fails(1, notAction, "action-fail"),
		}},
		{name: "log joins its arguments", setup: inAction(nil), calls: []toolCall{
			ok("", "action-log", "--", "step", "1"),
			ok("", "action-log", "--", "-done"),
			fails(2, "no message specified", "action-log"),
		}, check: func(t *testing.T, s fakejuju.Store) {
			assert.Equal(t, []string{"step 1", "-done"}, action(t, s, "a0").Logs)
		}},
		{name: "log outside an action", calls: []toolCall{
			fails(1, notAction, "action-log", "x"),
		}},
	})
}

// Ensure action results and logs are reported when the action's process
// fails: they are not queued with the context's other changes.
func TestActionResultsSurviveFailure(t *testing.T) {
	m := twoUnits(t)
	id := inAction(nil)(t, m)
	for name, s := range stores(t, m) {
		t.Run(name, func(t *testing.T) {
			for _, args := range [][]string{{"action-set", "a=1"}, {"action-log", "half way"}, {"action-fail", "broke"}} {
				reply, err := fakejuju.Run(s, fakejuju.Call{Context: id, Tool: args[0], Args: args[1:]})
				require.NoError(t, err)
				require.Zero(t, reply.ExitCode, "%s", reply.Stderr)
			}
			var commit fakejuju.Commit
			require.NoError(t, s.Update(func(m *fakejuju.Model) (err error) {
				commit, err = m.Close(id, false)
				return err
			}))
			require.NotNil(t, commit.Action)
			assert.Equal(t, map[string]any{"a": "1"}, commit.Action.Results)
			assert.Equal(t, []string{"half way"}, commit.Action.Logs)
			assert.True(t, commit.Action.Failed)
			assert.Equal(t, "broke", commit.Action.Message)
		})
	}
}

// Ensure an empty snapshot is a snapshot: a context that read an empty
// leader-settings bucket keeps reading it empty after another unit's write,
// whatever the store (an empty map must survive the model's JSON form).
func TestEmptySnapshotsAreKept(t *testing.T) {
	runToolCases(t, []toolCase{{
		name: "leader-get",
		setup: func(t *testing.T, m *fakejuju.Model) string {
			return "c1"
		},
		calls: []toolCall{
			ok("{}\n", "leader-get", "--format=json"),
		},
		check: func(t *testing.T, s fakejuju.Store) {
			reply, err := fakejuju.Run(s, fakejuju.Call{Context: "c0", Tool: "leader-set", Args: []string{"k=v"}})
			require.NoError(t, err)
			require.Zero(t, reply.ExitCode, "%s", reply.Stderr)
			reply, err = fakejuju.Run(s, fakejuju.Call{Context: "c1", Tool: "leader-get", Args: []string{"--format=json"}})
			require.NoError(t, err)
			assert.Equal(t, "{}\n", string(reply.Stdout))
		},
	}})
}

// withState gives app/0 server-side state and returns c0.
func withState(state map[string]string) func(t *testing.T, m *fakejuju.Model) string {
	return func(t *testing.T, m *fakejuju.Model) string {
		m.Units["app/0"].State = state
		return "c0"
	}
}

// unitState returns a unit's committed server-side state.
func unitState(t *testing.T, s fakejuju.Store, unit string) map[string]string {
	t.Helper()
	return model(t, s).Units[unit].State
}

// Ensure state-get, state-set and state-delete read one snapshot per
// context, see the context's own writes, and commit only with the context.
func TestStateTools(t *testing.T) {
	big := strings.Repeat("v", fakejuju.MaxStateValueSize+1)
	longKey := strings.Repeat("k", fakejuju.MaxStateKeySize+1)
	runToolCases(t, []toolCase{
		{name: "get", setup: withState(map[string]string{"empty": "", "k": "v"}), calls: []toolCall{
			ok(`{"empty":"","k":"v"}`+"\n", "state-get", "--format=json", "-"),
			ok(`{"empty":"","k":"v"}`+"\n", "state-get", "--format=json"),
			ok("empty: \"\"\nk: v\n", "state-get"),
			ok(`"v"`+"\n", "state-get", "--format=json", "k"),
			ok("v\n", "state-get", "k"),
			ok(`""`+"\n", "state-get", "--format=json", "empty"),
			ok("null\n", "state-get", "--format=json", "gone"),
			ok("", "state-get", "gone"),
			fails(1, `"gone" not found`, "state-get", "--strict", "gone"),
			ok(`"v"`+"\n", "state-get", "--strict", "--format=json", "k"),
			fails(2, `unrecognized args: ["b"]`, "state-get", "a", "b"),
		}},
		{name: "empty state prints null", calls: []toolCall{
			ok("null\n", "state-get", "--format=json", "-"),
			ok("", "state-get"),
		}},
		{name: "set and delete are seen by the context", setup: withState(map[string]string{"k": "v", "keep": "1"}), calls: []toolCall{
			withStdin(ok("", "state-set", "--file", "-"), `{"a":"","b":" padded "}`),
			ok("", "state-set", "c= trimmed ", "d=x=y"),
			ok("", "state-delete", "k"),
			ok("", "state-delete", "never-set"),
			ok("", "state-delete"),
			ok(`{"a":"","b":" padded ","c":"trimmed","d":"x=y","keep":"1"}`+"\n", "state-get", "--format=json"),
		}, check: func(t *testing.T, s fakejuju.Store) {
			assert.Equal(t, map[string]string{"k": "v", "keep": "1"}, unitState(t, s, "app/0"), "nothing committed yet")
			closeContext(t, s, "c0", true)
			assert.Equal(t, map[string]string{"a": "", "b": " padded ", "c": "trimmed", "d": "x=y", "keep": "1"}, unitState(t, s, "app/0"))
		}},
		{name: "a failed hook commits nothing", setup: withState(map[string]string{"k": "v"}), calls: []toolCall{
			ok("", "state-set", "a=1"),
			ok("", "state-delete", "k"),
		}, check: func(t *testing.T, s fakejuju.Store) {
			closeContext(t, s, "c0", false)
			assert.Equal(t, map[string]string{"k": "v"}, unitState(t, s, "app/0"))
		}},
		{name: "arguments override the file", calls: []toolCall{
			withStdin(ok("", "state-set", "--file=-", "a=arg"), "a: file\nb: 2\nc: null\n"),
			ok(`{"a":"arg","b":"2","c":""}`+"\n", "state-get", "--format=json"),
		}},
		{name: "set refusals", calls: []toolCall{
			fails(2, `expected "key=value", got "novalue"`, "state-set", "novalue"),
			fails(2, `key "a" specified more than once`, "state-set", "a=1", "a=2"),
			fails(1, "max allowed key length (256) exceeded", "state-set", longKey+"=v"),
			fails(1, "max allowed value length (65536) exceeded", "state-set", "ok=1", "k="+big),
			fails(2, `unrecognized args: ["b"]`, "state-delete", "a", "b"),
			ok("null\n", "state-get", "--format=json"),
		}},
		{name: "the snapshot is taken at the first state call", setup: withState(map[string]string{"k": "v"}), calls: []toolCall{
			ok("", "state-set", "a=1"),
		}, check: func(t *testing.T, s fakejuju.Store) {
			require.NoError(t, s.Update(func(m *fakejuju.Model) error {
				m.Units["app/0"].State["k"] = "changed elsewhere"
				return nil
			}))
			reply, err := fakejuju.Run(s, fakejuju.Call{Context: "c0", Tool: "state-get", Args: []string{"--format=json"}})
			require.NoError(t, err)
			assert.Equal(t, `{"a":"1","k":"v"}`+"\n", string(reply.Stdout))
		}},
	})
}

// withPorts gives app/0 open ports and returns c0.
func withPorts(all []string, byEndpoint map[string][]string) func(t *testing.T, m *fakejuju.Model) string {
	return func(t *testing.T, m *fakejuju.Model) string {
		m.Units["app/0"].Ports = all
		m.Units["app/0"].EndpointPorts = byEndpoint
		return "c0"
	}
}

// Ensure open-port and close-port parse, refuse and queue requests as
// Juju's unit agent does, that opened-ports shows the context's pending
// requests, and that the requests are committed only with the context.
func TestPortTools(t *testing.T) {
	runToolCases(t, []toolCase{
		{name: "open, close, list", calls: []toolCall{
			ok("[]\n", "opened-ports", "--format=json"),
			ok("", "opened-ports"),
			ok("", "open-port", "8080/TCP"),
			ok("", "open-port", "8000-8100/udp", "--endpoints", "web, api"),
			ok("", "open-port", "icmp"),
			ok("", "open-port", "443"),
			ok(`["443/tcp","8000-8100/udp","8080/tcp","icmp"]`+"\n", "opened-ports", "--format=json"),
			ok("443/tcp\n8000-8100/udp\n8080/tcp\nicmp\n", "opened-ports"),
			ok(`["443/tcp (*)","8000-8100/udp (api, web)","8080/tcp (*)","icmp (*)"]`+"\n", "opened-ports", "--endpoints", "--format=json"),
		}, check: func(t *testing.T, s fakejuju.Store) {
			assert.Empty(t, model(t, s).Units["app/0"].Ports, "nothing committed yet")
			closeContext(t, s, "c0", true)
			u := model(t, s).Units["app/0"]
			assert.Equal(t, []string{"443/tcp", "8080/tcp", "icmp"}, u.Ports)
			assert.Equal(t, map[string][]string{"api": {"8000-8100/udp"}, "web": {"8000-8100/udp"}}, u.EndpointPorts)
		}},
		{name: "close what is open", setup: withPorts([]string{"80/tcp", "icmp"}, map[string][]string{"db": {"5432/tcp"}}), calls: []toolCall{
			ok("", "close-port", "80"),
			ok("", "close-port", "5432/tcp", "--endpoints=db"),
			ok("", "close-port", "9999/udp"), // not open: nothing to do
			ok(`["icmp"]`+"\n", "opened-ports", "--format=json"),
		}, check: func(t *testing.T, s fakejuju.Store) {
			closeContext(t, s, "c0", true)
			u := model(t, s).Units["app/0"]
			assert.Equal(t, []string{"icmp"}, u.Ports)
			assert.Empty(t, u.EndpointPorts)
		}},
		{name: "a close cancels a pending open and the reverse", setup: withPorts([]string{"80/tcp"}, nil), calls: []toolCall{
			ok("", "open-port", "81"),
			ok("", "close-port", "81"),
			ok("", "close-port", "80"),
			ok("", "open-port", "80"),
			ok(`["80/tcp"]`+"\n", "opened-ports", "--format=json"),
		}, check: func(t *testing.T, s fakejuju.Store) {
			c, _ := model(t, s).Context("c0")
			// As in Juju, the close of 81 stays requested (the unit has a
			// port open); committing it changes nothing.
			assert.Equal(t, []fakejuju.PortChange{{Open: false, Port: "81/tcp"}}, c.PendingPorts)
			closeContext(t, s, "c0", true)
			assert.Equal(t, []string{"80/tcp"}, model(t, s).Units["app/0"].Ports)
		}},
		{name: "closing with no port open is a no-op", calls: []toolCall{
			ok("", "close-port", "80"),
		}, check: func(t *testing.T, s fakejuju.Store) {
			c, _ := model(t, s).Context("c0")
			assert.Empty(t, c.PendingPorts)
		}},
		{name: "a failed hook opens nothing", calls: []toolCall{
			ok("", "open-port", "80"),
		}, check: func(t *testing.T, s fakejuju.Store) {
			closeContext(t, s, "c0", false)
			assert.Empty(t, model(t, s).Units["app/0"].Ports)
		}},
		{name: "conflicts", setup: withPorts([]string{"8080/tcp"}, nil), calls: []toolCall{
			ok("", "open-port", "8080"), // already open: no-op
			fails(1, `cannot open 8000-8100/tcp (unit "app/0"): port range conflicts with 8080/tcp (unit "app/0")`, "open-port", "8000-8100"),
			ok("", "open-port", "8080", "--endpoints", "db"), // the same range for one endpoint
			fails(1, `cannot open 8000-8100/tcp (unit "app/0"): port range conflicts with 8080/tcp (unit "app/0") requested earlier`, "open-port", "8000-8100"),
			ok("", "open-port", "9000-9100/udp"),
			ok("", "open-port", "9000-9100/udp"), // requested earlier: no-op
			fails(1, `cannot open 9050/udp (unit "app/0"): port range conflicts with 9000-9100/udp (unit "app/0") requested earlier`, "open-port", "9050/udp"),
			fails(1, `cannot close 8000-8100/tcp (unit "app/0"): port range conflicts with 8080/tcp (unit "app/0")`, "close-port", "8000-8100"),
			ok("", "open-port", "9050/tcp"), // another protocol
		}},
		{name: "usage errors", calls: []toolCall{
			fails(2, "no port or range specified", "open-port"),
			fails(2, `unrecognized args: ["81"]`, "open-port", "80", "81"),
			fails(2, `invalid port "http": strconv.Atoi: parsing "http": invalid syntax`, "open-port", "http"),
			fails(2, `invalid port "x": strconv.Atoi: parsing "x": invalid syntax`, "close-port", "80-x/udp"),
			fails(2, `invalid port range "1-2-3"`, "open-port", "1-2-3"),
			fails(2, `invalid protocol "sctp", expected "tcp", "udp", or "icmp"`, "open-port", "80/SCTP"),
			fails(2, `invalid port range 90-80/tcp`, "open-port", "90-80"),
			fails(2, `port range bounds must be between 0 and 65535, got 1-70000`, "open-port", "1-70000/tcp"),
			fails(2, `option provided but not defined: -4`, "open-port", "-42"),
			fails(2, `unrecognized args: ["x"]`, "opened-ports", "x"),
			fails(2, `invalid value "xml" for option --format: unknown format "xml"`, "opened-ports", "--format", "xml"),
		}},
		{name: "icmp takes no protocol", calls: []toolCall{
			ok("", "open-port", "icmp/tcp"),
			ok("icmp\n", "opened-ports"),
		}},
		{name: "deprecated --format", calls: []toolCall{
			{args: []string{"open-port", "--format=json", "80"}, stderr: `--format flag deprecated for command "open-port"`},
		}},
	})
}

// related gives app/0 the address 10.0.0.1 and relates app's endpoint db to
// mysql (units mysql/0 and mysql/1) as relation 1, with workload statuses
// set a minute apart; it returns c0.
func related(t *testing.T, m *fakejuju.Model) string {
	t.Helper()
	m.Units["app/0"].Address = "10.0.0.1"
	m.Apps["app"].Endpoints["db"] = fakejuju.Endpoint{Role: "requires", Interface: "mysql"}
	_, err := m.AddApp("mysql", map[string]fakejuju.Endpoint{"server": {Role: "provides", Interface: "mysql"}}, nil)
	require.NoError(t, err)
	for _, u := range []string{"mysql/0", "mysql/1"} {
		_, err := m.AddUnit(u, "")
		require.NoError(t, err)
	}
	r, err := m.AddRelation(-1, fakejuju.RelationEndpoint{App: "app", Endpoint: "db"}, fakejuju.RelationEndpoint{App: "mysql", Endpoint: "server"})
	require.NoError(t, err)
	require.Equal(t, 1, r.ID)
	require.NoError(t, m.EnterScope("app/0", r))
	for i, st := range []struct{ unit, state string }{{"app/0", "active"}, {"app/1", "waiting"}, {"mysql/0", "active"}} {
		m.Units[st.unit].Status = fakejuju.Status{State: st.state}
		m.Units[st.unit].StatusSince = start.Add(time.Duration(i+1) * time.Minute)
	}
	return "c0"
}

// Ensure unit-get and network-get report the unit's address as Juju's tools
// do, and goal-state the application's units and related units.
func TestNetworkTools(t *testing.T) {
	netJSON := `{"bind-addresses":[{"mac-address":"00:16:3e:00:00:01","interface-name":"eth0","addresses":[{"hostname":"","value":"10.0.0.1","cidr":"10.0.0.0/24"}]}],"egress-subnets":["10.0.0.1/32"],"ingress-addresses":["10.0.0.1"]}` + "\n"
	// The YAML is jujucmd's (yaml.v3): the keys and their order are Juju's,
	// but Juju's yaml.v2 does not indent the lists.
	netYAML := `bind-addresses:
  - mac-address: 00:16:3e:00:00:01
    interface-name: eth0
    addresses:
      - hostname: ""
        value: 10.0.0.1
        cidr: 10.0.0.0/24
        address: 10.0.0.1
    macaddress: 00:16:3e:00:00:01
    interfacename: eth0
egress-subnets:
  - 10.0.0.1/32
ingress-addresses:
  - 10.0.0.1
`
	runToolCases(t, []toolCase{
		{name: "unit-get", setup: related, calls: []toolCall{
			ok(`"10.0.0.1"`+"\n", "unit-get", "--format=json", "private-address"),
			ok("10.0.0.1\n", "unit-get", "public-address"),
			fails(2, "no setting specified", "unit-get"),
			fails(2, `unknown setting "address"`, "unit-get", "address"),
			fails(2, `unrecognized args: ["x"]`, "unit-get", "private-address", "x"),
		}},
		{name: "unit-get without an address", calls: []toolCall{
			fails(1, "private address not found", "unit-get", "private-address"),
			fails(1, "public address not found", "unit-get", "public-address"),
		}},
		{name: "network-get", setup: related, calls: []toolCall{
			ok(netJSON, "network-get", "--format=json", "-r", "db:1", "db"),
			ok(netJSON, "network-get", "db", "--format", "json"),
			ok(netYAML, "network-get", "db"),
			ok("10.0.0.1\n", "network-get", "db", "--primary-address"),
			ok("10.0.0.1\n", "network-get", "db", "--bind-address"),
			ok(`"10.0.0.1"`+"\n", "network-get", "db", "--ingress-address", "--format=json"),
			ok(`["10.0.0.1/32"]`+"\n", "network-get", "db", "--egress-subnets", "--format=json"),
			ok(`{"bind-address":"10.0.0.1","egress-subnets":["10.0.0.1/32"],"ingress-address":"10.0.0.1"}`+"\n",
				"network-get", "db", "--ingress-address", "--bind-address", "--egress-subnets", "--format=json"),
			fails(1, "--primary-address must be the only flag specified", "network-get", "db", "--primary-address", "--bind-address"),
			fails(1, `no network config found for binding "nope"`, "network-get", "nope"),
			fails(2, "no arguments specified", "network-get"),
			fails(2, "no binding name specified", "network-get", ""),
			fails(2, `unrecognized args: ["x"]`, "network-get", "db", "x"),
			fails(2, `invalid value "db:9" for option -r: relation not found`, "network-get", "-r", "db:9", "db"),
		}},
		{name: "network-get without an address", calls: []toolCall{
			fails(1, `no network config found for binding "peers"`, "network-get", "peers"),
		}},
		{name: "goal-state", setup: related, calls: []toolCall{
			ok(`{"units":{"app/0":{"status":"active","since":"2026-01-01 00:01:00Z"},"app/1":{"status":"waiting","since":"2026-01-01 00:02:00Z"}},`+
				`"relations":{"db":{"mysql":{"status":"joined","since":"2026-01-01 00:00:00Z"},"mysql/0":{"status":"active","since":"2026-01-01 00:03:00Z"},"mysql/1":{"status":"unknown"}}}}`+"\n",
				"goal-state", "--format=json"),
			fails(2, `invalid value "smart" for option --format: unknown format "smart"`, "goal-state", "--format=smart"),
			fails(2, `unrecognized args: ["x"]`, "goal-state", "x"),
		}},
		{name: "goal-state without relations", calls: []toolCall{
			ok(`{"units":{"app/0":{"status":"unknown"},"app/1":{"status":"unknown"}},"relations":{}}`+"\n", "goal-state", "--format=json"),
			ok("units:\n  app/0:\n    status: unknown\n  app/1:\n    status: unknown\nrelations: {}\n", "goal-state"),
		}},
	})
}
