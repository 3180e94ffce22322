package leadership

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"

	"github.com/charmkit/charmkit/hookenv"
)

// model is a tiny plain-data model of what Juju holds for one application:
// who leads, the leader-settings bucket and the peer relation's application
// data bag. Every tool call made by any unit is recorded in calls.
type model struct {
	leader        string            // unit name of the leader
	settings      map[string]string // Juju's leader settings
	appData       map[string]string // the peer relation's application bag (committed)
	peerRelID     string            // "" when the peer relation does not exist
	noLeaderTools bool              // Juju 4: leader-get and leader-set are missing
	fail          map[string]bool   // tools that exit 1
	calls         []string          // "unit tool arg..." in order
}

func newModel(leader string) *model {
	return &model{leader: leader, settings: map[string]string{}, appData: map[string]string{}, peerRelID: "peers:1", fail: map[string]bool{}}
}

// hookCtx is one hook context on one unit: it answers tool calls from the
// model and keeps this hook's relation-set writes until the hook ends.
type hookCtx struct {
	m       *model
	unit    string
	pending map[string]string // relation-set --app writes, applied when the hook succeeds
	leader  func() bool       // overrides m.leader == unit when set (lease lost mid-hook)
}

func (m *model) hook(unit string) *hookCtx {
	return &hookCtx{m: m, unit: unit, pending: map[string]string{}}
}

// end applies (ok) or discards this hook's relation-set writes, as Juju does.
func (c *hookCtx) end(ok bool) {
	if ok {
		for k, v := range c.pending {
			if v == "" {
				delete(c.m.appData, k)
			} else {
				c.m.appData[k] = v
			}
		}
	}
	c.pending = map[string]string{}
}

func (c *hookCtx) isLeader() bool {
	if c.leader != nil {
		return c.leader()
	}
	return c.m.leader == c.unit
}

// countCalls counts recorded calls of tool (by any unit).
func (m *model) countCalls(tool string) int {
	n := 0
	for _, c := range m.calls {
		if strings.Fields(c)[1] == tool {
			n++
		}
	}
	return n
}

func jsonOut(v any) []byte {
	b, _ := json.Marshal(v)
	return append(b, '\n')
}

// Run implements hookenv.Runner with Juju's exact outputs and errors for the
// tools the layer uses (docs/design.md, "The hook-tool contract").
func (c *hookCtx) Run(_ context.Context, tool string, args []string, stdin []byte) ([]byte, error) {
	call := strings.Join(append([]string{c.unit, tool}, args...), " ")
	if stdin != nil {
		call += " <<< " + string(stdin)
	}
	c.m.calls = append(c.m.calls, call)
	if c.m.noLeaderTools && (tool == "leader-get" || tool == "leader-set") {
		return nil, fmt.Errorf("%w: %s: exec: %q: executable file not found in $PATH", hookenv.ErrToolNotFound, tool, tool)
	}
	if c.m.fail[tool] {
		return nil, hookenv.NewToolError(tool, args, 1, "ERROR injected failure\n")
	}
	switch tool {
	case "is-leader":
		return jsonOut(c.isLeader()), nil
	case "leader-get":
		return jsonOut(c.m.settings), nil
	case "leader-set":
		if !c.isLeader() {
			return nil, hookenv.NewToolError(tool, args, 1, "ERROR cannot write leadership settings: cannot write settings: not the leader\n")
		}
		kv, err := hookenv.DecodeKeyValues(args)
		if err != nil {
			return nil, hookenv.NewToolError(tool, args, 2, "ERROR "+err.Error()+"\n")
		}
		for k, v := range kv {
			if v == "" {
				delete(c.m.settings, k)
			} else {
				c.m.settings[k] = v
			}
		}
		return nil, nil
	case "relation-ids":
		if c.m.peerRelID == "" || args[len(args)-1] != "peers" {
			return jsonOut([]string{}), nil
		}
		return jsonOut([]string{c.m.peerRelID}), nil
	case "relation-get":
		// --format=json --app -r <id> - <app>: the context's copy, with this
		// hook's pending writes for the leader.
		bag := maps.Clone(c.m.appData)
		for k, v := range c.pending {
			if v == "" {
				delete(bag, k)
			} else {
				bag[k] = v
			}
		}
		return jsonOut(bag), nil
	case "relation-set":
		if !c.isLeader() {
			return nil, hookenv.NewToolError(tool, args, 1, "ERROR cannot write relation settings\n")
		}
		var kv map[string]string
		if err := json.Unmarshal(stdin, &kv); err != nil {
			return nil, hookenv.NewToolError(tool, args, 1, "ERROR "+err.Error()+"\n")
		}
		maps.Copy(c.pending, kv)
		return nil, nil
	}
	return nil, fmt.Errorf("%w: %s", hookenv.ErrToolNotFound, tool)
}
