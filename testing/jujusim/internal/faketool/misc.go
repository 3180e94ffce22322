package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/charmkit/charmkit/internal/jujucmd"
	"github.com/charmkit/charmkit/testing/jujusim/internal/modelfs"
)

// loadConfig returns the context's config snapshot, taking it from the unit's
// config.json at the first config-get of the context.
func (inv *invocation) loadConfig() (map[string]any, error) {
	snapPath := inv.layout.ContextFile(inv.ctx.ID, "config-snapshot.json")
	raw, err := os.ReadFile(snapPath)
	if os.IsNotExist(err) {
		unlock, lerr := modelfs.Lock(inv.layout.UnitLock(inv.ctx.Unit), false)
		if lerr != nil {
			return nil, lerr
		}
		raw, err = os.ReadFile(inv.layout.UnitFile(inv.ctx.Unit, "config.json"))
		unlock()
		if os.IsNotExist(err) {
			raw, err = []byte("{}"), nil
		}
		if err == nil {
			err = modelfs.WriteFileAtomic(snapPath, raw)
		}
	}
	if err != nil {
		return nil, err
	}
	var opts map[string]struct {
		Type  string          `json:"type"`
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(raw, &opts); err != nil {
		return nil, fmt.Errorf("decoding config: %w", err)
	}
	out := make(map[string]any, len(opts))
	for k, o := range opts {
		v, err := decodeConfigValue(o.Type, o.Value)
		if err != nil {
			return nil, fmt.Errorf("config option %q: %w", k, err)
		}
		out[k] = v
	}
	return out, nil
}

func decodeConfigValue(typ string, raw json.RawMessage) (any, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if n, ok := v.(json.Number); ok {
		if typ == "int" {
			return n.Int64()
		}
		return n.Float64()
	}
	return v, nil
}

func configGet(inv *invocation) error {
	p, err := inv.parse("[options] [<key>]", append(jujucmd.FormatOptions("smart"), jujucmd.Option{Name: "all", Short: "a"})...)
	if p == nil {
		return err
	}
	key := ""
	if len(p.Positional) > 0 {
		key = p.Positional[0]
		if len(p.Positional) > 1 {
			return jujucmd.Unrecognized(p.Positional[1:])
		}
	}
	if key != "" && p.Bool("all") {
		return jujucmd.Usagef("cannot use argument --all together with key %q", key)
	}
	cfg, err := inv.loadConfig()
	if err != nil {
		return err
	}
	if key != "" {
		return inv.emit(p, cfg[key])
	}
	if !p.Bool("all") {
		for k, v := range cfg {
			if v == nil {
				delete(cfg, k)
			}
		}
	}
	return inv.emit(p, cfg)
}

var validStatuses = []string{"maintenance", "blocked", "waiting", "active"}

func statusSet(inv *invocation) error {
	p, err := inv.parse("[options] <maintenance | blocked | waiting | active> [message]", jujucmd.Option{Name: "application"})
	if p == nil {
		return err
	}
	if len(p.Positional) == 0 {
		return jujucmd.Usagef("invalid args, require <status> [message]")
	}
	valid := false
	for _, s := range validStatuses {
		valid = valid || p.Positional[0] == s
	}
	if !valid {
		return jujucmd.Usagef("invalid status %q, expected one of %v", p.Positional[0], validStatuses)
	}
	if len(p.Positional) > 2 {
		return jujucmd.Unrecognized(p.Positional[2:])
	}
	st := modelfs.Status{Status: p.Positional[0], Time: inv.now}
	if len(p.Positional) > 1 {
		st.Message = p.Positional[1]
	}
	if p.Bool("application") {
		ok, err := inv.ensureLeader()
		if err != nil {
			return err
		}
		if !ok {
			return errors.New("this unit is not the leader")
		}
		unlock, err := modelfs.Lock(inv.layout.AppLock(inv.ctx.App), true)
		if err != nil {
			return err
		}
		defer unlock()
		return modelfs.WriteJSON(inv.layout.AppStatusFile(inv.ctx.App), st)
	}
	unlock, err := modelfs.Lock(inv.layout.UnitLock(inv.ctx.Unit), true)
	if err != nil {
		return err
	}
	defer unlock()
	if err := modelfs.WriteJSON(inv.layout.UnitFile(inv.ctx.Unit, "status.json"), st); err != nil {
		return err
	}
	return modelfs.AppendJSONL(inv.layout.UnitFile(inv.ctx.Unit, "status-history.jsonl"), st)
}

func readStatus(path string) (modelfs.Status, error) {
	st := modelfs.Status{Status: "unknown"}
	_, err := modelfs.ReadJSON(path, &st)
	return st, err
}

func statusDetails(st modelfs.Status, includeData bool) map[string]any {
	d := map[string]any{"status": st.Status}
	if includeData {
		d["message"] = st.Message
		d["status-data"] = map[string]any{}
	}
	return d
}

func statusGet(inv *invocation) error {
	p, err := inv.parse("[options]", append(jujucmd.FormatOptions("smart"), jujucmd.Option{Name: "include-data"}, jujucmd.Option{Name: "application"})...)
	if p == nil {
		return err
	}
	if len(p.Positional) > 0 {
		return jujucmd.Unrecognized(p.Positional)
	}
	if p.Bool("application") {
		ok, err := inv.ensureLeader()
		if err != nil {
			return err
		}
		if !ok {
			return errors.New("finding application status: this unit is not the leader")
		}
		app, err := readStatus(inv.layout.AppStatusFile(inv.ctx.App))
		if err != nil {
			return err
		}
		details := statusDetails(app, p.Bool("include-data"))
		unit, err := readStatus(inv.layout.UnitFile(inv.ctx.Unit, "status.json"))
		if err != nil {
			return err
		}
		details["units"] = map[string]any{inv.ctx.Unit: statusDetails(unit, p.Bool("include-data"))}
		return inv.emit(p, map[string]any{"application-status": details})
	}
	st, err := readStatus(inv.layout.UnitFile(inv.ctx.Unit, "status.json"))
	if err != nil {
		return err
	}
	if !p.Bool("include-data") && p.Value("format") == "smart" {
		return inv.emit(p, st.Status)
	}
	return inv.emit(p, statusDetails(st, p.Bool("include-data")))
}

var logLevels = []string{"TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}

func jujuLog(inv *invocation) error {
	p, err := inv.parse("[options] <message>",
		jujucmd.Option{Name: "debug"},
		jujucmd.Option{Name: "log-level", Short: "l", Value: true, Default: "INFO"},
		jujucmd.Option{Name: "format", Value: true}, // deprecated; any value
	)
	if p == nil {
		return err
	}
	if len(p.Positional) == 0 {
		return jujucmd.Usagef("no message specified")
	}
	if p.Value("format") != "" {
		fmt.Fprintf(&inv.errb, "--format flag deprecated for command %q\n", "juju-log")
	}
	level := strings.ToUpper(p.Value("log-level"))
	if level == "WARN" {
		level = "WARNING"
	}
	known := false
	for _, l := range logLevels {
		known = known || l == level
	}
	if !known {
		fmt.Fprintf(&inv.errb, "WARNING unknown log level %q, using INFO\n", p.Value("log-level"))
		level = "INFO"
	}
	if p.Bool("debug") {
		level = "DEBUG"
	}
	msg := strings.Join(p.Positional, " ")
	if inv.ctx.RelationID >= 0 && inv.ctx.RelationEndpoint != "" {
		msg = fmt.Sprintf("%s:%d: %s", inv.ctx.RelationEndpoint, inv.ctx.RelationID, msg)
	}
	unlock, err := modelfs.Lock(inv.layout.UnitLock(inv.ctx.Unit), true)
	if err != nil {
		return err
	}
	defer unlock()
	return modelfs.AppendJSONL(inv.layout.UnitFile(inv.ctx.Unit, "log.jsonl"), modelfs.LogRecord{
		Context: inv.ctx.ID, Level: level, Message: msg, SimTime: inv.now,
	})
}

func applicationVersionSet(inv *invocation) error {
	p, err := inv.parse("<new-version>")
	if p == nil {
		return err
	}
	if len(p.Positional) == 0 {
		return jujucmd.Usagef("no version specified")
	}
	if len(p.Positional) > 1 {
		return jujucmd.Unrecognized(p.Positional[1:])
	}
	unlock, err := modelfs.Lock(inv.layout.UnitLock(inv.ctx.Unit), true)
	if err != nil {
		return err
	}
	defer unlock()
	return modelfs.WriteFileAtomic(inv.layout.UnitFile(inv.ctx.Unit, "version"), []byte(p.Positional[0]))
}
