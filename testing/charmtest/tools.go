package charmtest

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/internal/jujucmd"
	"gopkg.in/yaml.v3"
)

// ToolCall records one hook-tool call the charm made.
type ToolCall struct {
	Tool     string   // e.g. "leader-set"
	Args     []string // the arguments after the tool name
	Stdin    string   // what was fed on stdin, if anything
	ExitCode int      // 0 on success; -1 when the tool was not found
	Stdout   string
	Stderr   string // "ERROR <message>\n" on failure
}

// String renders the call as a command line, e.g. `leader-set motd=hello`;
// an argument that is empty or holds white space or quotes is quoted (%q).
func (c ToolCall) String() string {
	var b strings.Builder
	b.WriteString(c.Tool)
	for _, a := range c.Args {
		b.WriteByte(' ')
		if a == "" || strings.ContainsAny(a, " \t\n\"'\\") {
			b.WriteString(strconv.Quote(a))
		} else {
			b.WriteString(a)
		}
	}
	return b.String()
}

// LogRecord is one log record of the hook: a juju-log call, or a record the
// framework logged through its slog.Logger.
type LogRecord struct {
	Level   string // Juju's level name: DEBUG, INFO, WARNING, ERROR, ...
	Message string // the text (for juju-log: the joined message arguments)
	// JujuLog is true for a record that came from a juju-log call.
	JujuLog bool
}

// StatusChange records one successful status-set call.
type StatusChange struct {
	Application bool // status-set --application
	Status
}

// statusStates lists the states status-set accepts, in Juju's order.
var statusStates = []string{"maintenance", "blocked", "waiting", "active"}

// restrictedHooks run in Juju's restricted context, where most tools fail.
var restrictedHooks = map[string]bool{"collect-metrics": true, "meter-status-changed": true}

const restrictedMsg = "not implemented for restricted context not implemented"

// model is the simulated Juju side of one hook context: the controller's view
// of the unit and its application, plus the context's own caches (sticky
// minion, leader-settings snapshot) and queued relation writes. It implements
// hookenv.Runner; tool calls are serialised, as Juju's per-unit mutex does.
type model struct {
	mu sync.Mutex

	unit, app, hook string
	charmDir        string
	relID, remote   string // current relation and remote unit, for relation hooks
	restricted      bool

	leader    bool // holds the lease
	leaseLeft int  // when positive: true answers left before the lease is lost
	minion    bool // the context saw leadership answered false (sticky)

	settings map[string]string // Juju's leader-settings bucket
	snapshot map[string]string // this context's leader-get cache; nil until read
	config   map[string]any    // every option, nil for no value

	status, appStatus Status
	statusChanges     []StatusChange
	version           string

	relations []Relation        // committed relation data
	pending   map[string]*relOp // queued relation-set writes, by relation id

	faults map[string]Fault
	calls  []ToolCall
	logs   []LogRecord
}

// relOp is the pending relation-set changes of one relation: "" deletes.
type relOp struct {
	unit, app map[string]string
}

var _ hookenv.Runner = (*model)(nil)

type toolFunc func(m *model, args []string, stdin []byte) reply

// fakeTools maps each faked tool to its implementation; any other name is an error.
var fakeTools = map[string]toolFunc{
	"is-leader":               (*model).isLeader,
	"leader-get":              (*model).leaderGet,
	"leader-set":              (*model).leaderSet,
	"config-get":              (*model).configGet,
	"status-set":              (*model).statusSet,
	"status-get":              (*model).statusGet,
	"juju-log":                (*model).jujuLog,
	"application-version-set": (*model).versionSet,
	"relation-ids":            (*model).relationIDs,
	"relation-list":           (*model).relationList,
	"relation-get":            (*model).relationGet,
	"relation-set":            (*model).relationSet,
}

// Run runs one fake tool. A tool the harness does not fake, or one made
// Missing by a [Fault], is an error wrapping hookenv.ErrToolNotFound; a
// non-zero exit is a *hookenv.ToolError, exactly as hookenv.ExecRunner reports it.
func (m *model) Run(ctx context.Context, tool string, args []string, stdin []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", tool, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	call := ToolCall{Tool: tool, Args: slices.Clone(args), Stdin: string(stdin)}
	fn, known := fakeTools[tool]
	f := m.faults[tool]
	if !known || f.Missing {
		call.ExitCode = -1
		m.calls = append(m.calls, call)
		why := "charmtest fakes no such tool"
		if known {
			why = "removed by a fault"
		}
		return nil, fmt.Errorf("%w: %s: %s", hookenv.ErrToolNotFound, tool, why)
	}
	var r reply
	if f.active() {
		code := f.ExitCode
		if code == 0 {
			code = 1
		}
		r = reply{code: code, msg: f.message(tool)}
	} else {
		r = fn(m, args, stdin)
	}
	call.ExitCode, call.Stdout, call.Stderr = r.code, string(r.out), r.stderr()
	m.calls = append(m.calls, call)
	if r.code != 0 {
		return r.out, hookenv.NewToolError(tool, args, r.code, r.stderr())
	}
	return r.out, nil
}

// write formats v and prints it, or writes it to the -o file.
func (m *model) write(p *jujucmd.Args, v any) reply {
	out, err := jujucmd.Format(p.Value("format"), v)
	if err != nil {
		return runErr("%v", err)
	}
	if file := p.Value("output"); file != "" {
		if !filepath.IsAbs(file) {
			file = filepath.Join(m.charmDir, file)
		}
		if err := os.WriteFile(file, out, 0o644); err != nil {
			return runErr("%v", err)
		}
		return ok(nil)
	}
	return ok(out)
}

// ensureLeader is the hook context's leadership check: sticky false.
func (m *model) ensureLeader() bool {
	if m.minion {
		return false
	}
	if m.leader {
		if m.leaseLeft > 0 {
			m.leaseLeft--
			m.leader = m.leaseLeft > 0
		}
		return true
	}
	m.minion = true
	return false
}

func (m *model) isLeader(args []string, _ []byte) reply {
	p, r := parse("Usage: is-leader [options]\n", args, jujucmd.FormatOptions("smart")...)
	if p == nil {
		return r
	}
	if len(p.Positional) > 0 {
		return fail(jujucmd.Unrecognized(p.Positional))
	}
	if m.restricted {
		return runErr("leadership status unknown: %s", restrictedMsg)
	}
	return m.write(p, m.ensureLeader())
}

func (m *model) leaderGet(args []string, _ []byte) reply {
	p, r := parse("Usage: leader-get [options] [<key>]\n", args, jujucmd.FormatOptions("smart")...)
	if p == nil {
		return r
	}
	key := "-"
	switch len(p.Positional) {
	case 0:
	case 1:
		key = p.Positional[0]
	default:
		return fail(jujucmd.Unrecognized(p.Positional[1:]))
	}
	if strings.Contains(key, "=") {
		return usageErr("invalid key %q", key)
	}
	if m.restricted {
		return runErr("cannot read leadership settings: %s", restrictedMsg)
	}
	if m.snapshot == nil {
		m.snapshot = maps.Clone(m.settings)
		if m.snapshot == nil {
			m.snapshot = map[string]string{}
		}
	}
	if key == "-" {
		return m.write(p, m.snapshot)
	}
	if v, found := m.snapshot[key]; found {
		return m.write(p, v)
	}
	return m.write(p, nil)
}

func (m *model) leaderSet(args []string, _ []byte) reply {
	p, r := parse("Usage: leader-set <key>=<value> [...]\n", args) // no options at all, not even --format
	if p == nil {
		return r
	}
	kv, err := hookenv.DecodeKeyValues(p.Positional)
	if err != nil {
		return usageErr("%v", err)
	}
	if m.restricted {
		return runErr("cannot write leadership settings: %s", restrictedMsg)
	}
	if !m.ensureLeader() {
		return runErr("cannot write leadership settings: cannot write settings: not the leader")
	}
	m.snapshot = nil
	if m.settings == nil {
		m.settings = map[string]string{}
	}
	for k, v := range kv {
		if v == "" {
			delete(m.settings, k)
		} else {
			m.settings[k] = v
		}
	}
	return ok(nil)
}

func (m *model) configGet(args []string, _ []byte) reply {
	p, r := parse("Usage: config-get [options] [<key>]\n", args, append(jujucmd.FormatOptions("smart"), jujucmd.Option{Name: "all", Short: "a"})...)
	if p == nil {
		return r
	}
	if len(p.Positional) > 1 {
		return fail(jujucmd.Unrecognized(p.Positional[1:]))
	}
	if len(p.Positional) == 1 {
		if p.Bool("all") {
			return usageErr("cannot use argument --all together with key %q", p.Positional[0])
		}
		return m.write(p, m.config[p.Positional[0]])
	}
	out := map[string]any{}
	for k, v := range m.config {
		if v != nil || p.Bool("all") {
			out[k] = v
		}
	}
	return m.write(p, out)
}

func (m *model) statusSet(args []string, _ []byte) reply {
	p, r := parse("Usage: status-set [options] <maintenance | blocked | waiting | active> [message]\n", args, jujucmd.Option{Name: "application"})
	if p == nil {
		return r
	}
	if len(p.Positional) == 0 {
		return usageErr("invalid args, require <status> [message]")
	}
	if !slices.Contains(statusStates, p.Positional[0]) {
		return usageErr("invalid status %q, expected one of %v", p.Positional[0], statusStates)
	}
	if len(p.Positional) > 2 {
		return fail(jujucmd.Unrecognized(p.Positional[2:]))
	}
	s := Status{State: p.Positional[0]}
	if len(p.Positional) == 2 {
		s.Message = p.Positional[1]
	}
	if m.restricted {
		return runErr("%s", restrictedMsg)
	}
	app := p.Bool("application")
	if app {
		if !m.ensureLeader() {
			return runErr("this unit is not the leader")
		}
		m.appStatus = s
	} else {
		m.status = s
	}
	m.statusChanges = append(m.statusChanges, StatusChange{Application: app, Status: s})
	return ok(nil)
}

func statusView(s Status, data bool) map[string]any {
	state := s.State
	if state == "" {
		state = "unknown"
	}
	v := map[string]any{"status": state}
	if data {
		v["message"] = s.Message
		v["status-data"] = map[string]any{}
	}
	return v
}

func (m *model) statusGet(args []string, _ []byte) reply {
	p, r := parse("Usage: status-get [options]\n", args, append(jujucmd.FormatOptions("smart"), jujucmd.Option{Name: "include-data"}, jujucmd.Option{Name: "application"})...)
	if p == nil {
		return r
	}
	if len(p.Positional) > 0 {
		return fail(jujucmd.Unrecognized(p.Positional))
	}
	if m.restricted {
		return runErr("%s", restrictedMsg)
	}
	data := p.Bool("include-data")
	if p.Bool("application") {
		if !m.ensureLeader() {
			return runErr("finding application status: this unit is not the leader")
		}
		v := statusView(m.appStatus, data)
		v["units"] = map[string]any{m.unit: statusView(m.status, data)}
		return m.write(p, map[string]any{"application-status": v})
	}
	if !data && p.Value("format") == "smart" {
		return m.write(p, statusView(m.status, false)["status"])
	}
	return m.write(p, statusView(m.status, data))
}

// jujuLevels are the loggo level names juju-log accepts.
var jujuLevels = []string{"TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}

func (m *model) jujuLog(args []string, _ []byte) reply {
	p, r := parse("Usage: juju-log [options] <message>\n", args, jujucmd.Option{Name: "debug"}, jujucmd.Option{Name: "log-level", Short: "l", Value: true, Default: "INFO"}, optDeprecatedFormat)
	if p == nil {
		return r
	}
	if len(p.Positional) == 0 {
		return usageErr("no message specified")
	}
	level := "INFO"
	if p.IsSet("log-level") {
		l := p.Value("log-level")
		if u := strings.ToUpper(l); slices.Contains(jujuLevels, u) {
			level = u
		} else {
			m.logs = append(m.logs, LogRecord{Level: "WARNING", Message: fmt.Sprintf("Specified log level (%q) is not valid", l), JujuLog: true})
		}
	}
	if p.Bool("debug") {
		level = "DEBUG"
	}
	msg := strings.Join(p.Positional, " ")
	if m.relID != "" {
		msg = m.relID + ": " + msg
	}
	m.logs = append(m.logs, LogRecord{Level: level, Message: msg, JujuLog: true})
	return ok(nil)
}

func (m *model) versionSet(args []string, _ []byte) reply {
	p, r := parse("Usage: application-version-set <new-version>\n", args)
	if p == nil {
		return r
	}
	if len(p.Positional) == 0 {
		return usageErr("no version specified")
	}
	if len(p.Positional) > 1 {
		return fail(jujucmd.Unrecognized(p.Positional[1:]))
	}
	m.version = p.Positional[0]
	return ok(nil)
}

// relation returns the relation an -r value names, or the current one.
func (m *model) relation(p *jujucmd.Args) (*Relation, *reply) {
	id := p.Value("relation")
	if !p.IsSet("relation") {
		if m.relID == "" {
			r := usageErr("no relation id specified")
			return nil, &r
		}
		id = m.relID
	}
	num := id
	if i := strings.LastIndex(id, ":"); i >= 0 {
		num = id[i+1:]
	}
	if _, err := strconv.Atoi(num); err != nil {
		r := usageErr("invalid value %q for option -r: invalid relation id", id)
		return nil, &r
	}
	for i := range m.relations {
		if _, n, _ := strings.Cut(m.relations[i].ID, ":"); n == num {
			return &m.relations[i], nil
		}
	}
	r := usageErr("invalid value %q for option -r: relation not found", id)
	return nil, &r
}

func (m *model) relationIDs(args []string, _ []byte) reply {
	p, r := parse("Usage: relation-ids [options] <name>\n", args, jujucmd.FormatOptions("smart")...)
	if p == nil {
		return r
	}
	if len(p.Positional) > 1 {
		return fail(jujucmd.Unrecognized(p.Positional[1:]))
	}
	var ep string
	switch {
	case len(p.Positional) == 1:
		ep = p.Positional[0]
	case m.relID != "":
		ep, _, _ = strings.Cut(m.relID, ":")
	default:
		return usageErr("no endpoint name specified")
	}
	if m.restricted {
		return runErr("%s", restrictedMsg)
	}
	ids := []string{}
	for _, r := range m.relations {
		if r.Endpoint() == ep {
			ids = append(ids, r.ID)
		}
	}
	sort.Strings(ids)
	return m.write(p, ids)
}

func (m *model) relationList(args []string, _ []byte) reply {
	p, r := parse("Usage: relation-list [options]\n", args, append(jujucmd.FormatOptions("smart"), optRel, optApp)...)
	if p == nil {
		return r
	}
	if len(p.Positional) > 0 {
		return fail(jujucmd.Unrecognized(p.Positional))
	}
	rel, bad := m.relation(p)
	if bad != nil {
		return *bad
	}
	if m.restricted {
		return runErr("%s", restrictedMsg)
	}
	if p.Bool("app") {
		return m.write(p, rel.RemoteApp)
	}
	return m.write(p, sortedKeys(rel.Units))
}

// isPeer reports whether the relation joins the unit's own application.
func (m *model) isPeer(r *Relation) bool { return r.RemoteApp == m.app }

// view returns the relation's data as this context sees it: committed data
// with this context's pending writes applied to its own bags.
func (m *model) view(r *Relation) (local, app map[string]string) {
	local, app = maps.Clone(r.LocalData), maps.Clone(r.AppData)
	if op := m.pending[r.ID]; op != nil {
		local, app = applyOp(local, op.unit), applyOp(app, op.app)
	}
	return local, app
}

func applyOp(bag, op map[string]string) map[string]string {
	if len(op) == 0 {
		return bag
	}
	if bag == nil {
		bag = map[string]string{}
	}
	for k, v := range op {
		if v == "" {
			delete(bag, k)
		} else {
			bag[k] = v
		}
	}
	return bag
}

func (m *model) relationGet(args []string, _ []byte) reply {
	p, r := parse("Usage: relation-get [options] <key> <unit id>\n", args, append(jujucmd.FormatOptions("smart"), optRel, optApp)...)
	if p == nil {
		return r
	}
	if len(p.Positional) > 2 {
		return fail(jujucmd.Unrecognized(p.Positional[2:]))
	}
	rel, bad := m.relation(p)
	if bad != nil {
		return *bad
	}
	key := "-"
	if len(p.Positional) >= 1 {
		key = p.Positional[0]
	}
	app := p.Bool("app")
	member := ""
	if len(p.Positional) == 2 {
		member = p.Positional[1]
	} else if m.remote != "" && m.relID == rel.ID && !app {
		member = m.remote
	} else if m.relID == rel.ID {
		member, app = rel.RemoteApp, true
	}
	if member == "" {
		return usageErr("no unit or application specified")
	}
	if app {
		if !appNameRE.MatchString(member) {
			return usageErr("invalid application name %q", member)
		}
	} else if !unitNameRE.MatchString(member) {
		if appNameRE.MatchString(member) {
			return usageErr("expected unit name, got application name %q", member)
		}
		return usageErr("invalid unit name %q", member)
	}
	if m.restricted {
		return runErr("%s", restrictedMsg)
	}
	local, ownApp := m.view(rel)
	var bag map[string]string
	switch {
	case app && member == m.app:
		if !m.isPeer(rel) && !m.ensureLeader() {
			return runErr("permission denied")
		}
		bag = ownApp
	case app && member == rel.RemoteApp:
		bag = rel.RemoteAppData
	case !app && member == m.unit:
		bag = local
	case !app:
		b, found := rel.Units[member]
		if !found {
			return runErr("cannot read settings for unit %q in relation %q: unit %q: settings not found", member, rel.ID, member)
		}
		bag = b
	default:
		return runErr("cannot read settings for application %q in relation %q: application %q: settings not found", member, rel.ID, member)
	}
	if bag == nil {
		bag = map[string]string{}
	}
	if key == "-" {
		return m.write(p, bag)
	}
	if v, found := bag[key]; found {
		return m.write(p, v)
	}
	return m.write(p, nil)
}

func (m *model) relationSet(args []string, stdin []byte) reply {
	p, r := parse("Usage: relation-set [options] key=value [key=value ...]\n", args, optRel, optApp, jujucmd.Option{Name: "file", Value: true}, optDeprecatedFormat)
	if p == nil {
		return r
	}
	settings := map[string]string{}
	if p.IsSet("file") {
		file := p.Value("file")
		data := stdin
		if file != "-" {
			if !filepath.IsAbs(file) {
				file = filepath.Join(m.charmDir, file)
			}
			b, err := os.ReadFile(file)
			if err != nil {
				return usageErr("%v", err)
			}
			data = b
		}
		var raw map[string]any
		if err := yaml.Unmarshal(data, &raw); err != nil {
			return usageErr("%v", err)
		}
		for k, v := range raw {
			switch v := v.(type) {
			case nil:
				settings[k] = ""
			case string:
				settings[k] = v
			default:
				b, _ := json.Marshal(v)
				settings[k] = string(b)
			}
		}
	}
	kv, err := hookenv.DecodeKeyValues(p.Positional)
	if err != nil {
		return usageErr("%v", err)
	}
	maps.Copy(settings, kv)
	rel, bad := m.relation(p)
	if bad != nil {
		return *bad
	}
	if m.restricted {
		return runErr("%s", restrictedMsg)
	}
	app := p.Bool("app")
	if app && !m.ensureLeader() {
		return runErr("cannot write relation settings")
	}
	if m.pending == nil {
		m.pending = map[string]*relOp{}
	}
	op := m.pending[rel.ID]
	if op == nil {
		op = &relOp{unit: map[string]string{}, app: map[string]string{}}
		m.pending[rel.ID] = op
	}
	if app {
		maps.Copy(op.app, settings)
	} else {
		maps.Copy(op.unit, settings)
	}
	return ok(nil)
}

// commitRelations applies the queued relation-set writes, as Juju does when
// the hook exits 0.
func (m *model) commitRelations() {
	for i := range m.relations {
		r := &m.relations[i]
		r.LocalData, r.AppData = m.view(r)
	}
	m.pending = nil
}
