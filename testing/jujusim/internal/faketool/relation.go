package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/charmkit/charmkit/internal/jujucmd"
	"github.com/charmkit/charmkit/testing/jujusim/internal/modelfs"
)

// relationOption is -r/--relation, resolved by relationID.
var relationOption = jujucmd.Option{Name: "relation", Short: "r", Value: true}

// relations lists every relation of the model.
func (inv *invocation) relations() ([]modelfs.RelationMeta, error) {
	entries, err := os.ReadDir(filepath.Join(inv.layout.Root, "relations"))
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	var out []modelfs.RelationMeta
	for _, e := range entries {
		var m modelfs.RelationMeta
		ok, err := modelfs.ReadJSON(filepath.Join(inv.layout.Root, "relations", e.Name(), "meta.json"), &m)
		if err != nil {
			return nil, err
		}
		if ok && slices.Contains(m.Units, inv.ctx.Unit) {
			out = append(out, m)
		}
	}
	return out, nil
}

// relationID resolves -r (N or anything:N), defaulting to the hook's relation.
func (inv *invocation) relationID(p *jujucmd.Args) (modelfs.RelationMeta, error) {
	val := p.Value("relation")
	if val == "" {
		if inv.ctx.RelationID < 0 {
			return modelfs.RelationMeta{}, jujucmd.Usagef("no relation id specified")
		}
		val = strconv.Itoa(inv.ctx.RelationID)
	}
	idText := val
	if i := strings.LastIndex(val, ":"); i >= 0 {
		idText = val[i+1:]
	}
	id, err := strconv.Atoi(idText)
	if err != nil {
		return modelfs.RelationMeta{}, jujucmd.Usagef("invalid value %q for option -r: invalid relation id", val)
	}
	rels, err := inv.relations()
	if err != nil {
		return modelfs.RelationMeta{}, err
	}
	for _, r := range rels {
		if r.ID == id {
			return r, nil
		}
	}
	return modelfs.RelationMeta{}, jujucmd.Usagef("invalid value %q for option -r: relation not found", val)
}

func relationIDs(inv *invocation) error {
	p, err := inv.parse("[options] <name>", jujucmd.FormatOptions("smart")...)
	if p == nil {
		return err
	}
	endpoint := inv.ctx.RelationEndpoint
	if len(p.Positional) > 0 {
		endpoint = p.Positional[0]
		if len(p.Positional) > 1 {
			return jujucmd.Unrecognized(p.Positional[1:])
		}
	}
	if endpoint == "" {
		return jujucmd.Usagef("no endpoint name specified")
	}
	rels, err := inv.relations()
	if err != nil {
		return err
	}
	ids := []string{}
	for _, r := range rels {
		if r.Endpoint == endpoint {
			ids = append(ids, fmt.Sprintf("%s:%d", r.Endpoint, r.ID))
		}
	}
	sort.Strings(ids)
	return inv.emit(p, ids)
}

func relationList(inv *invocation) error {
	p, err := inv.parse("[options]", append(jujucmd.FormatOptions("smart"), relationOption, jujucmd.Option{Name: "app"})...)
	if p == nil {
		return err
	}
	if len(p.Positional) > 0 {
		return jujucmd.Unrecognized(p.Positional)
	}
	rel, err := inv.relationID(p)
	if err != nil {
		return err
	}
	if p.Bool("app") {
		return inv.emit(p, rel.App)
	}
	others := []string{}
	for _, u := range rel.Units {
		if u != inv.ctx.Unit {
			others = append(others, u)
		}
	}
	sort.Strings(others)
	return inv.emit(p, others)
}

var unitNameRE = regexp.MustCompile(`^[a-z][a-z0-9-]*/[0-9]+$`)
var appNameRE = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// pendingPath is where this context keeps relation-set writes for a bag.
func (inv *invocation) pendingPath(rid int, owner string) string {
	return inv.layout.ContextFile(inv.ctx.ID, filepath.Join("pending", fmt.Sprintf("relation-%d-%s.json", rid, modelfs.UnitDirName(owner))))
}

// readBag returns a relation bag as this context sees it: the unit's own
// bags include its pending writes; other bags are read once per context.
func (inv *invocation) readBag(rid int, owner string) (map[string]string, error) {
	var bag map[string]string
	cache := inv.layout.ContextFile(inv.ctx.ID, fmt.Sprintf("relation-%d-%s.json", rid, modelfs.UnitDirName(owner)))
	ok, err := modelfs.ReadJSON(cache, &bag)
	if err != nil {
		return nil, err
	}
	if !ok {
		if _, err := modelfs.ReadJSON(inv.layout.RelationBag(rid, owner), &bag); err != nil {
			return nil, err
		}
		if bag == nil {
			bag = map[string]string{}
		}
		if err := modelfs.WriteJSON(cache, bag); err != nil {
			return nil, err
		}
	}
	if owner == inv.ctx.Unit || owner == inv.ctx.App {
		var pend modelfs.PendingRelationSet
		if _, err := modelfs.ReadJSON(inv.pendingPath(rid, owner), &pend); err != nil {
			return nil, err
		}
		for k, v := range pend.Settings {
			if v == "" {
				delete(bag, k)
			} else {
				bag[k] = v
			}
		}
	}
	return bag, nil
}

func relationGet(inv *invocation) error {
	p, err := inv.parse("[options] <key> <unit id>", append(jujucmd.FormatOptions("smart"), relationOption, jujucmd.Option{Name: "app"})...)
	if p == nil {
		return err
	}
	rel, err := inv.relationID(p)
	if err != nil {
		return err
	}
	key := ""
	if len(p.Positional) > 0 && p.Positional[0] != "-" {
		key = p.Positional[0]
	}
	target := inv.ctx.RemoteUnit
	app := p.Bool("app")
	if target == "" && inv.ctx.RemoteApp != "" {
		target, app = inv.ctx.RemoteApp, true
	}
	if len(p.Positional) > 1 {
		target = p.Positional[1]
		if len(p.Positional) > 2 {
			return jujucmd.Unrecognized(p.Positional[2:])
		}
	}
	if target == "" {
		return jujucmd.Usagef("no unit or application specified")
	}
	if app {
		if !appNameRE.MatchString(target) {
			return jujucmd.Usagef("invalid application name %q", target)
		}
	} else if !unitNameRE.MatchString(target) {
		if appNameRE.MatchString(target) {
			return jujucmd.Usagef("expected unit name, got application name %q", target)
		}
		return jujucmd.Usagef("invalid unit name %q", target)
	}
	if app && target == inv.ctx.App && rel.App != inv.ctx.App {
		ok, err := inv.ensureLeader()
		if err != nil {
			return err
		}
		if !ok {
			return errors.New("permission denied")
		}
	}
	bag, err := inv.readBag(rel.ID, target)
	if err != nil {
		return err
	}
	if key == "" {
		return inv.emit(p, bag)
	}
	if v, ok := bag[key]; ok {
		return inv.emit(p, v)
	}
	return inv.emit(p, nil)
}

func relationSet(inv *invocation) error {
	p, err := inv.parse("[options] key=value [key=value ...]", relationOption, jujucmd.Option{Name: "app"}, jujucmd.Option{Name: "file", Value: true}, jujucmd.Option{Name: "format", Value: true})
	if p == nil {
		return err
	}
	rel, err := inv.relationID(p)
	if err != nil {
		return err
	}
	kv, _, err := parseKeyValues(p.Positional)
	if err != nil {
		return err
	}
	settings := map[string]string{}
	if f := p.Value("file"); f != "" {
		var data []byte
		if f == "-" {
			data, err = io.ReadAll(inv.stdin)
			inv.input = data
		} else {
			if !filepath.IsAbs(f) {
				f = filepath.Join(inv.cwd, f)
			}
			data, err = os.ReadFile(f)
		}
		if err != nil {
			return err
		}
		var m map[string]*string
		if err := yaml.Unmarshal(data, &m); err != nil {
			return fmt.Errorf("cannot parse settings file: %v", err)
		}
		for k, v := range m {
			if v == nil {
				settings[k] = ""
			} else {
				settings[k] = *v
			}
		}
	}
	for k, v := range kv {
		settings[k] = v
	}
	owner := inv.ctx.Unit
	if p.Bool("app") {
		ok, err := inv.ensureLeader()
		if err != nil {
			return err
		}
		if !ok {
			return errors.New("cannot write relation settings")
		}
		owner = inv.ctx.App
	}
	if err := os.MkdirAll(inv.layout.ContextFile(inv.ctx.ID, "pending"), 0o755); err != nil {
		return err
	}
	path := inv.pendingPath(rel.ID, owner)
	pend := modelfs.PendingRelationSet{RelationID: rel.ID, Owner: owner, Settings: map[string]string{}}
	if _, err := modelfs.ReadJSON(path, &pend); err != nil {
		return err
	}
	if pend.Settings == nil {
		pend.Settings = map[string]string{}
	}
	for k, v := range settings {
		pend.Settings[k] = v
	}
	return modelfs.WriteJSON(path, pend)
}
