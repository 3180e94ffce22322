package fakejuju

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/internal/jujucmd"
)

func init() {
	serve(map[string]toolFunc{
		"relation-ids":  relationIDs,
		"relation-list": relationList,
		"relation-get":  relationGet,
		"relation-set":  relationSet,
	})
}

// Names as Juju's names package defines them.
var (
	appNameRE  = regexp.MustCompile(`^[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*$`)
	unitNameRE = regexp.MustCompile(`^([a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*)/(0|[1-9][0-9]*)$`)
	endpointRE = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)
)

var (
	optRelation = jujucmd.Option{Name: "relation", Short: "r", Value: true}
	optApp      = jujucmd.Option{Name: "app"}
)

// relation resolves -r (N or anything:N) to one of the unit's relations,
// defaulting to the hook's relation.
func (t *invocation) relation(p *jujucmd.Args) (*Relation, error) {
	if !p.IsSet("relation") {
		if r := t.m.Relations[t.c.Relation]; r != nil {
			return r, nil
		}
		return nil, jujucmd.Usagef("no relation id specified")
	}
	val := p.Value("relation")
	num := val
	if i := strings.LastIndex(val, ":"); i >= 0 {
		num = val[i+1:]
	}
	id, err := strconv.Atoi(num)
	if err != nil || id < 0 {
		return nil, jujucmd.Usagef("invalid value %q for option -r: invalid relation id", val)
	}
	r := t.m.Relations[id]
	if r == nil || t.u.Relations[id] == nil && id != t.c.Relation {
		return nil, jujucmd.Usagef("invalid value %q for option -r: relation not found", val)
	}
	return r, nil
}

func relationIDs(t *invocation) error {
	p, err := t.parse("[options] <name>", jujucmd.FormatOptions("smart")...)
	if p == nil {
		return err
	}
	if len(p.Positional) > 1 {
		return jujucmd.Unrecognized(p.Positional[1:])
	}
	var ep string
	switch {
	case len(p.Positional) == 1:
		ep = p.Positional[0]
	case t.m.Relations[t.c.Relation] != nil:
		e, _ := t.m.Relations[t.c.Relation].Local(t.app.Name)
		ep = e.Endpoint
	default:
		return jujucmd.Usagef("no endpoint name specified")
	}
	ids := []string{}
	for id := range t.u.Relations {
		r := t.m.Relations[id]
		if r == nil {
			continue
		}
		if e, _ := r.Local(t.app.Name); e.Endpoint == ep {
			ids = append(ids, r.Key(t.app.Name))
		}
	}
	slices.Sort(ids) // as strings: db:10 before db:2
	return t.emit(p, ids)
}

func relationList(t *invocation) error {
	p, err := t.parse("[options]", append(jujucmd.FormatOptions("smart"), optRelation, optApp)...)
	if p == nil {
		return err
	}
	if len(p.Positional) > 0 {
		return jujucmd.Unrecognized(p.Positional)
	}
	r, err := t.relation(p)
	if err != nil {
		return err
	}
	if p.Bool("app") {
		return t.emit(p, r.Remote(t.app.Name))
	}
	members := slices.Clone(t.c.Members[r.ID])
	if members == nil {
		members = []string{}
	}
	return t.emit(p, members)
}

// ownBag returns one of the unit's own bags (its unit bag or its
// application's) as the context sees it: committed data with the context's
// pending writes applied.
func (t *invocation) ownBag(r *Relation, owner string) map[string]string {
	bag := maps.Clone(r.Bag(owner))
	if bag == nil {
		bag = map[string]string{}
	}
	applyChanges(bag, t.c.PendingBags[bagKey(r.ID, owner)])
	return bag
}

// remoteBag returns another unit's or application's bag, read once per
// context.
func (t *invocation) remoteBag(r *Relation, owner string) map[string]string {
	key := bagKey(r.ID, owner)
	if bag, ok := t.c.BagCache[key]; ok {
		return bag
	}
	bag := maps.Clone(r.Bag(owner))
	if bag == nil {
		bag = map[string]string{}
	}
	if t.c.BagCache == nil {
		t.c.BagCache = map[string]map[string]string{}
	}
	t.c.BagCache[key] = bag
	return bag
}

func relationGet(t *invocation) error {
	p, err := t.parse("[options] <key> <unit id>", append(jujucmd.FormatOptions("smart"), optRelation, optApp)...)
	if p == nil {
		return err
	}
	if len(p.Positional) > 2 {
		return jujucmd.Unrecognized(p.Positional[2:])
	}
	r, err := t.relation(p)
	if err != nil {
		return err
	}
	key := "-"
	if len(p.Positional) >= 1 {
		key = p.Positional[0]
	}
	app := p.Bool("app")
	target := ""
	switch {
	case len(p.Positional) == 2:
		target = p.Positional[1]
	case r.ID != t.c.Relation:
	case t.c.RemoteUnit != "" && !app:
		target = t.c.RemoteUnit
	case t.c.RemoteApp != "":
		target, app = t.c.RemoteApp, true
	}
	if target == "" {
		return jujucmd.Usagef("no unit or application specified")
	}
	if app {
		if unitNameRE.MatchString(target) {
			target = AppOf(target) // a unit's name with --app means its application
		} else if !appNameRE.MatchString(target) {
			return jujucmd.Usagef("invalid application name %q", target)
		}
	} else if !unitNameRE.MatchString(target) {
		if appNameRE.MatchString(target) {
			return jujucmd.Usagef("expected unit name, got application name %q", target)
		}
		return jujucmd.Usagef("invalid unit name %q", target)
	}
	var bag map[string]string
	switch {
	case app && target == t.app.Name:
		if !r.Peer() && !t.m.CheckLeader(t.c) {
			return errors.New("permission denied")
		}
		bag = t.ownBag(r, target)
	case app:
		if _, in := r.Local(target); !in {
			return errors.New("permission denied")
		}
		bag = t.remoteBag(r, target)
	case target == t.u.Name:
		bag = t.ownBag(r, target)
	default:
		if _, in := r.Local(AppOf(target)); !in {
			return errors.New("permission denied")
		}
		if r.Bags[target] == nil && !r.inScope(target) {
			return fmt.Errorf("cannot read settings for unit %q in relation %q: unit %q: settings not found", target, r.Key(t.app.Name), target)
		}
		bag = t.remoteBag(r, target)
	}
	if key == "-" {
		return t.emit(p, bag)
	}
	if v, ok := bag[key]; ok {
		return t.emit(p, v)
	}
	return t.emit(p, nil)
}

func relationSet(t *invocation) error {
	p, err := t.parse("[options] key=value [key=value ...]", optRelation, optApp, jujucmd.Option{Name: "file", Value: true}, optDeprecatedFormat)
	if p == nil {
		return err
	}
	kv, err := hookenv.DecodeKeyValues(p.Positional)
	if err != nil {
		return jujucmd.Usagef("%v", err)
	}
	r, err := t.relation(p)
	if err != nil {
		return err
	}
	if p.IsSet("format") {
		fmt.Fprintf(&t.errb, "--format flag deprecated for command %q", "relation-set")
	}
	settings := map[string]string{}
	if p.IsSet("file") {
		data, err := t.readInput(p.Value("file"))
		if err != nil {
			return err
		}
		if err := decodeSettingsFile(data, settings); err != nil {
			return err
		}
	}
	maps.Copy(settings, kv) // arguments override the file
	owner := t.u.Name
	if p.Bool("app") {
		if !t.m.CheckLeader(t.c) {
			return errors.New("cannot write relation settings")
		}
		owner = t.app.Name
	}
	if t.c.PendingBags == nil {
		t.c.PendingBags = map[string]map[string]string{}
	}
	key := bagKey(r.ID, owner)
	if t.c.PendingBags[key] == nil {
		t.c.PendingBags[key] = map[string]string{}
	}
	maps.Copy(t.c.PendingBags[key], settings)
	return nil
}

// decodeSettingsFile reads relation-set's --file: a YAML (or JSON) map whose
// scalars become their text and whose nulls become "" (a deletion).
func decodeSettingsFile(data []byte, into map[string]string) error {
	var raw map[string]any
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return fmt.Errorf("cannot parse settings file: %v", err)
	}
	for k, v := range raw {
		switch v := v.(type) {
		case nil:
			into[k] = ""
		case string:
			into[k] = v
		case map[string]any, []any:
			return fmt.Errorf("cannot parse settings file: value of %q is not a string", k)
		default:
			b, _ := json.Marshal(v)
			into[k] = string(b)
		}
	}
	return nil
}
