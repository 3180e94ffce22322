package fakejuju

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/charmkit/charmkit/internal/jujucmd"
)

func init() {
	serve(map[string]toolFunc{
		"config-get":              configGet,
		"status-set":              statusSet,
		"status-get":              statusGet,
		"juju-log":                jujuLog,
		"application-version-set": applicationVersionSet,
	})
}

// StatusStates are the states status-set accepts, in Juju's order.
var StatusStates = []string{"maintenance", "blocked", "waiting", "active"}

// LogLevels are the level names juju-log accepts.
var LogLevels = []string{"TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}

// optDeprecatedFormat is the --format juju-log and relation-set still accept
// (and ignore): any value, no check.
var optDeprecatedFormat = jujucmd.Option{Name: "format", Value: true}

func configGet(t *invocation) error {
	p, err := t.parse("[options] [<key>]", append(jujucmd.FormatOptions("smart"), jujucmd.Option{Name: "all", Short: "a"})...)
	if p == nil {
		return err
	}
	if len(p.Positional) > 1 {
		return jujucmd.Unrecognized(p.Positional[1:])
	}
	if len(p.Positional) == 1 && p.Bool("all") {
		return jujucmd.Usagef("cannot use argument --all together with key %q", p.Positional[0])
	}
	if t.c.ConfigSnapshot == nil { // fetched once per context
		t.c.ConfigSnapshot = map[string]any{}
		for k, o := range t.app.Config {
			t.c.ConfigSnapshot[k] = o.value()
		}
	}
	cfg := t.c.ConfigSnapshot
	if len(p.Positional) == 1 {
		return t.emit(p, ConfigOption{Type: t.app.Config[p.Positional[0]].Type, Value: cfg[p.Positional[0]]}.value())
	}
	out := map[string]any{}
	for k, v := range cfg {
		v = ConfigOption{Type: t.app.Config[k].Type, Value: v}.value()
		if v != nil || p.Bool("all") {
			out[k] = v
		}
	}
	return t.emit(p, out)
}

func statusSet(t *invocation) error {
	p, err := t.parse("[options] <maintenance | blocked | waiting | active> [message]", jujucmd.Option{Name: "application"})
	if p == nil {
		return err
	}
	if len(p.Positional) == 0 {
		return jujucmd.Usagef("invalid args, require <status> [message]")
	}
	if !slices.Contains(StatusStates, p.Positional[0]) {
		return jujucmd.Usagef("invalid status %q, expected one of %v", p.Positional[0], StatusStates)
	}
	if len(p.Positional) > 2 {
		return jujucmd.Unrecognized(p.Positional[2:])
	}
	st := Status{State: p.Positional[0]}
	if len(p.Positional) == 2 {
		st.Message = p.Positional[1]
	}
	app := p.Bool("application")
	if app {
		if !t.m.CheckLeader(t.c) {
			return errors.New("this unit is not the leader")
		}
		t.app.Status, t.app.StatusSince = st, t.m.Now
	} else {
		t.u.Status, t.u.StatusSince = st, t.m.Now
	}
	t.m.record(Entry{Status: &StatusChange{Unit: t.u.Name, Application: app, Status: st, Time: t.m.Now}})
	return nil
}

func statusView(s Status, data bool) map[string]any {
	v := map[string]any{"status": s.StateOrUnknown()}
	if data {
		v["message"] = s.Message
		v["status-data"] = map[string]any{}
	}
	return v
}

func statusGet(t *invocation) error {
	p, err := t.parse("[options]", append(jujucmd.FormatOptions("smart"), jujucmd.Option{Name: "include-data"}, jujucmd.Option{Name: "application"})...)
	if p == nil {
		return err
	}
	if len(p.Positional) > 0 {
		return jujucmd.Unrecognized(p.Positional)
	}
	data := p.Bool("include-data")
	if p.Bool("application") {
		if !t.m.CheckLeader(t.c) {
			return errors.New("finding application status: this unit is not the leader")
		}
		v := statusView(t.app.Status, data)
		units := map[string]any{}
		for _, name := range t.m.AppUnits(t.app.Name) {
			units[name] = statusView(t.m.Units[name].Status, data)
		}
		v["units"] = units
		return t.emit(p, map[string]any{"application-status": v})
	}
	if !data && p.Value("format") == jujucmd.FormatSmart {
		return t.emit(p, t.u.Status.StateOrUnknown())
	}
	return t.emit(p, statusView(t.u.Status, data))
}

func jujuLog(t *invocation) error {
	p, err := t.parse("[options] <message>", jujucmd.Option{Name: "debug"},
		jujucmd.Option{Name: "log-level", Short: "l", Value: true, Default: "INFO"}, optDeprecatedFormat)
	if p == nil {
		return err
	}
	if len(p.Positional) == 0 {
		return jujucmd.Usagef("no message specified")
	}
	if p.IsSet("format") {
		fmt.Fprintf(&t.errb, "--format flag deprecated for command %q", "juju-log")
	}
	level := "INFO"
	if p.IsSet("log-level") {
		l := p.Value("log-level")
		if u := strings.ToUpper(l); slices.Contains(LogLevels, u) {
			level = u
		} else if u == "WARN" {
			level = "WARNING"
		} else {
			// The agent logs the complaint itself and carries on at INFO.
			t.log("WARNING", fmt.Sprintf("Specified log level (%q) is not valid", l))
		}
	}
	if p.Bool("debug") {
		level = "DEBUG"
	}
	msg := strings.Join(p.Positional, " ")
	if r := t.m.Relations[t.c.Relation]; r != nil {
		msg = r.Key(t.app.Name) + ": " + msg
	}
	t.log(level, msg)
	return nil
}

// log records a log record of the context's unit.
func (t *invocation) log(level, msg string) { t.m.Log(t.c, level, msg) }

// Log records a log record of a context's unit in the journal, as the unit
// agent logs what juju-log sends it. A harness that captures a charm's
// records in process logs them this way too, in order with its tool calls.
func (m *Model) Log(c *Context, level, msg string) {
	m.record(Entry{Log: &LogEntry{Unit: c.Unit, Context: c.ID, Hook: c.Hook, Time: m.Now,
		LogRecord: LogRecord{Level: level, Message: msg}}})
}

func applicationVersionSet(t *invocation) error {
	p, err := t.parse("<new-version>")
	if p == nil {
		return err
	}
	if len(p.Positional) == 0 {
		return jujucmd.Usagef("no version specified")
	}
	if len(p.Positional) > 1 {
		return jujucmd.Unrecognized(p.Positional[1:])
	}
	t.u.Version = p.Positional[0]
	return nil
}
