package charm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"

	"github.com/charmkit/charmkit/hookenv"
)

// juju is a plain-data model of one application for the charm's tests: the
// leader, leader settings, the peer relation's application bag, config,
// and every status each unit set.
type juju struct {
	leader        string
	settings      map[string]string
	appData       map[string]string
	config        map[string]any
	noLeaderTools bool
	status        map[string][]string // unit → "state: message", in order
	calls         []string            // "unit tool args"
}

func newJuju() *juju {
	return &juju{
		settings: map[string]string{},
		appData:  map[string]string{},
		config:   map[string]any{"motd": "", "fail-on-unit": "", "password-file": "admin_password"},
		status:   map[string][]string{},
	}
}

// hookCtx is one hook context: tool calls from one unit, with the hook's
// relation-set writes held until the hook ends.
type hookCtx struct {
	j       *juju
	unit    string
	pending map[string]string
}

func (j *juju) hook(unit string) *hookCtx {
	return &hookCtx{j: j, unit: unit, pending: map[string]string{}}
}

func (c *hookCtx) end(ok bool) {
	if ok {
		for k, v := range c.pending {
			if v == "" {
				delete(c.j.appData, k)
			} else {
				c.j.appData[k] = v
			}
		}
	}
}

func (j *juju) count(tool string) int {
	n := 0
	for _, c := range j.calls {
		if strings.Fields(c)[1] == tool {
			n++
		}
	}
	return n
}

func out(v any) []byte {
	b, _ := json.Marshal(v)
	return append(b, '\n')
}

func (c *hookCtx) Run(_ context.Context, tool string, args []string, stdin []byte) ([]byte, error) {
	call := strings.Join(append([]string{c.unit, tool}, args...), " ")
	if stdin != nil {
		call += " <<< " + strings.TrimSpace(string(stdin))
	}
	c.j.calls = append(c.j.calls, call)
	leader := c.j.leader == c.unit
	if c.j.noLeaderTools && strings.HasPrefix(tool, "leader-") {
		return nil, fmt.Errorf("%w: %s", hookenv.ErrToolNotFound, tool)
	}
	switch tool {
	case "is-leader":
		return out(leader), nil
	case "leader-get":
		return out(c.j.settings), nil
	case "leader-set":
		if !leader {
			return nil, hookenv.NewToolError(tool, args, 1, "ERROR cannot write leadership settings: cannot write settings: not the leader\n")
		}
		kv, err := hookenv.DecodeKeyValues(args)
		if err != nil {
			return nil, hookenv.NewToolError(tool, args, 2, "ERROR "+err.Error()+"\n")
		}
		for k, v := range kv {
			if v == "" {
				delete(c.j.settings, k)
			} else {
				c.j.settings[k] = v
			}
		}
		return nil, nil
	case "config-get":
		return out(c.j.config), nil
	case "status-set":
		a := args
		if len(a) > 0 && a[0] == "--" {
			a = a[1:]
		}
		c.j.status[c.unit] = append(c.j.status[c.unit], strings.Join(a, ": "))
		return nil, nil
	case "relation-ids":
		return out([]string{"cluster:0"}), nil
	case "relation-get":
		bag := maps.Clone(c.j.appData)
		for k, v := range c.pending {
			if v == "" {
				delete(bag, k)
			} else {
				bag[k] = v
			}
		}
		return out(bag), nil
	case "relation-set":
		if !leader {
			return nil, hookenv.NewToolError(tool, args, 1, "ERROR cannot write relation settings\n")
		}
		var kv map[string]string
		if err := json.Unmarshal(stdin, &kv); err != nil {
			return nil, err
		}
		maps.Copy(c.pending, kv)
		return nil, nil
	}
	return nil, fmt.Errorf("%w: %s", hookenv.ErrToolNotFound, tool)
}
