package fakejuju

import (
	"fmt"
	"strings"
)

// HookVars returns the JUJU_* variables Juju's unit agent exports for the
// context, in a fixed order, as NAME=value. The caller adds what depends on
// where the charm runs: CHARM_DIR and JUJU_CHARM_DIR, the agent socket,
// PATH and the system variables.
//
// JUJU_HOOK_NAME is empty and JUJU_DISPATCH_PATH is actions/<name> in an
// action; relation hooks export JUJU_RELATION, JUJU_RELATION_ID,
// JUJU_REMOTE_UNIT and JUJU_REMOTE_APP (possibly empty) and, in
// -relation-departed, JUJU_DEPARTING_UNIT; secret hooks export
// JUJU_SECRET_ID, JUJU_SECRET_LABEL and, in secret-remove and
// secret-expired when positive, JUJU_SECRET_REVISION (secret-changed does
// not export the revision it is about). A juju exec context has no hook name nor dispatch
// path.
func (m *Model) HookVars(c *Context) []string {
	u := m.Units[c.Unit]
	machine := ""
	if u != nil {
		if _, n, ok := strings.Cut(u.Name, "/"); ok {
			machine = n
		}
	}
	vars := []string{
		"JUJU_CONTEXT_ID=" + c.ID,
		"JUJU_UNIT_NAME=" + c.Unit,
		"JUJU_MODEL_NAME=" + m.Name,
		"JUJU_MODEL_UUID=" + m.UUID,
		"JUJU_VERSION=" + m.JujuVersion,
		"JUJU_API_ADDRESSES=127.0.0.1:17070",
		"JUJU_MACHINE_ID=" + machine,
		"JUJU_PRINCIPAL_UNIT=",
		"JUJU_AVAILABILITY_ZONE=",
		"CLOUD_API_VERSION=",
		"JUJU_CHARM_HTTP_PROXY=",
		"JUJU_CHARM_HTTPS_PROXY=",
		"JUJU_CHARM_FTP_PROXY=",
		"JUJU_CHARM_NO_PROXY=",
	}
	switch {
	case c.Action != nil:
		vars = append(vars, "JUJU_HOOK_NAME=", "JUJU_DISPATCH_PATH=actions/"+c.Action.Name,
			"JUJU_ACTION_NAME="+c.Action.Name, "JUJU_ACTION_UUID="+c.Action.ID, "JUJU_ACTION_TAG=action-"+c.Action.ID)
	case c.Hook != "":
		vars = append(vars, "JUJU_HOOK_NAME="+c.Hook, "JUJU_DISPATCH_PATH=hooks/"+c.Hook)
	}
	if r := m.Relations[c.Relation]; r != nil {
		e, _ := r.Local(AppOf(c.Unit))
		vars = append(vars,
			"JUJU_RELATION="+e.Endpoint,
			fmt.Sprintf("JUJU_RELATION_ID=%s:%d", e.Endpoint, r.ID),
			"JUJU_REMOTE_UNIT="+c.RemoteUnit,
			"JUJU_REMOTE_APP="+c.RemoteApp,
		)
		if c.Departing != "" {
			vars = append(vars, "JUJU_DEPARTING_UNIT="+c.Departing)
		}
	}
	if s := c.Secret; s != nil {
		vars = append(vars, "JUJU_SECRET_ID=secret:"+strings.TrimPrefix(s.ID, "secret:"), "JUJU_SECRET_LABEL="+s.Label)
		if s.Revision > 0 && (c.Hook == "secret-remove" || c.Hook == "secret-expired") {
			vars = append(vars, fmt.Sprintf("JUJU_SECRET_REVISION=%d", s.Revision))
		}
	}
	return vars
}
