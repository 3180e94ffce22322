package charmtest

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// hookRelation returns the relation id and remote unit of a relation hook:
// those given in env, else the first relation on the hook's endpoint and its
// first remote unit. Other hooks get none.
func hookRelation(u Unit, hook string) (relID, remote string) {
	relID = u.Env.RelationID
	ep, event, isRel := strings.Cut(hook, "-relation-")
	if relID == "" {
		if !isRel {
			return "", ""
		}
		for _, r := range u.Relations {
			if r.Endpoint() == ep {
				relID = r.ID
				break
			}
		}
		if relID == "" {
			return "", ""
		}
	}
	remote = u.Env.RemoteUnit
	if remote == "" && event != "created" && event != "broken" {
		for _, r := range u.Relations {
			if r.ID == relID {
				if units := sortedKeys(r.Units); len(units) > 0 {
					remote = units[0]
				}
			}
		}
	}
	return relID, remote
}

// newModel builds the simulated Juju side of one hook of u. u must be valid.
func newModel(u Unit, hook, charmDir string) (*model, error) {
	cfg, err := effectiveConfig(u)
	if err != nil {
		return nil, err
	}
	relID, remote := hookRelation(u, hook)
	if ep, _, isRel := strings.Cut(hook, "-relation-"); isRel && relID == "" {
		return nil, fmt.Errorf("%w: hook %s: no relation on endpoint %q in Relations", ErrInvalidUnit, hook, ep)
	}
	m := &model{
		unit:       u.name(),
		app:        u.app(),
		hook:       hook,
		charmDir:   charmDir,
		relID:      relID,
		remote:     remote,
		restricted: restrictedHooks[hook],
		leader:     u.Leader,
		leaseLeft:  u.LoseLeadershipAfter,
		settings:   maps.Clone(u.LeaderSettings),
		config:     cfg,
		status:     u.Status,
		appStatus:  u.AppStatus,
		faults:     maps.Clone(u.Faults),
	}
	for _, r := range u.Relations {
		m.relations = append(m.relations, r.clone())
	}
	return m, nil
}

// effectiveConfig merges u.Config over the defaults of Files["config.yaml"].
func effectiveConfig(u Unit) (map[string]any, error) {
	cfg := map[string]any{}
	if text, found := u.Files["config.yaml"]; found {
		var doc struct {
			Options map[string]struct {
				Type    string `yaml:"type"`
				Default any    `yaml:"default"`
			} `yaml:"options"`
		}
		if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
			return nil, fmt.Errorf("%w: config.yaml: %v", ErrInvalidUnit, err)
		}
		for name, o := range doc.Options {
			v, err := configDefault(o.Type, o.Default)
			if err != nil {
				return nil, fmt.Errorf("%w: config.yaml: option %q: %v", ErrInvalidUnit, name, err)
			}
			cfg[name] = v
		}
	}
	for k, v := range u.Config {
		nv, err := configValue(v)
		if err != nil {
			return nil, fmt.Errorf("%w: config option %q: %v", ErrInvalidUnit, k, err)
		}
		cfg[k] = nv
	}
	return cfg, nil
}

// configDefault converts a config.yaml default to the option's type.
func configDefault(typ string, def any) (any, error) {
	if def == nil {
		return nil, nil
	}
	switch typ {
	case "string", "secret", "":
		if s, isStr := def.(string); isStr {
			return s, nil
		}
		return fmt.Sprint(def), nil
	case "boolean":
		if b, isBool := def.(bool); isBool {
			return b, nil
		}
	case "int":
		if i, isInt := def.(int); isInt {
			return int64(i), nil
		}
	case "float":
		switch f := def.(type) {
		case float64:
			return f, nil
		case int:
			return float64(f), nil
		}
	default:
		return nil, fmt.Errorf("unknown type %q", typ)
	}
	return nil, fmt.Errorf("default %v is not of type %s", def, typ)
}

// state copies the simulated Juju state back into next: leadership, leader
// settings, status, relations (committed only when the hook succeeded).
func (m *model) state(next *Unit, hookOK bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	next.Leader = m.leader
	next.LoseLeadershipAfter = 0
	if m.leader {
		next.LoseLeadershipAfter = m.leaseLeft
	}
	if hookOK {
		m.commitRelations()
	}
	next.LeaderSettings = maps.Clone(m.settings)
	if len(next.LeaderSettings) == 0 {
		next.LeaderSettings = nil
	}
	next.Status, next.AppStatus = m.status, m.appStatus
	next.Relations = nil
	for _, r := range m.relations {
		next.Relations = append(next.Relations, r.clone())
	}
}

// records returns copies of the recorded calls, logs and status changes.
func (m *model) records() ([]ToolCall, []LogRecord, []StatusChange) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.calls), slices.Clone(m.logs), slices.Clone(m.statusChanges)
}
