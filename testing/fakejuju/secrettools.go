package fakejuju

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/charmkit/charmkit/internal/jujucmd"
)

// The secret tools, as docs/juju-secrets.md, "5. The tools", describes
// them: syntax, checks, messages and exit codes.

func init() {
	serve(map[string]toolFunc{
		"secret-add":      secretAdd,
		"secret-set":      secretSet,
		"secret-get":      secretGet,
		"secret-remove":   secretRemove,
		"secret-ids":      secretIDs,
		"secret-info-get": secretInfoGet,
		"secret-grant":    secretGrant,
		"secret-revoke":   secretRevoke,
	})
}

// Redacted stands for secret content in the journal.
const Redacted = "<redacted>"

// redactSecretCall keeps secret content out of the journal: the values of
// key=value arguments of secret-add and secret-set (and Juju's message that
// quotes a malformed one), and what secret-get printed. The caller gets
// the tool's whole answer; only the record is redacted.
func redactSecretCall(c *ToolCall) {
	switch c.Tool {
	case "secret-add", "secret-set":
		for i, a := range c.Args {
			if k, _, ok := strings.Cut(a, "="); ok && !strings.HasPrefix(a, "-") && !strings.HasSuffix(k, "#file") {
				c.Args[i] = k + "=" + Redacted
			}
		}
		if strings.HasPrefix(c.Stderr, "ERROR key value ") {
			c.Stderr = "ERROR key value " + Redacted + " not valid\n"
		}
	case "secret-get":
		if c.Stdout != "" {
			c.Stdout = Redacted
		}
	}
}

// errNotLeader is the hook context's refusal of a leader-only secret change.
var errNotLeader = errors.New("this unit is not the leader")

// RotatePolicies are the rotation policies secret-add and secret-set accept.
var RotatePolicies = []string{"never", "hourly", "daily", "weekly", "monthly", "quarterly", "yearly"}

// secretKeyRE is the rule for content keys.
var secretKeyRE = regexp.MustCompile(`^([a-z](?:-?[a-z0-9]){2,})$`)

// upsertOptions are the options secret-add and secret-set share.
func upsertOptions() []jujucmd.Option {
	return []jujucmd.Option{
		{Name: "expire", Value: true},
		{Name: "rotate", Value: true},
		{Name: "description", Value: true},
		{Name: "label", Value: true},
		{Name: "file", Value: true},
		{Name: "owner", Value: true, Default: "application"},
	}
}

// upsert is what secret-add and secret-set read from their command line.
type upsert struct {
	expire                     *time.Time
	rotate, description, label *string
	owner                      string
	content                    map[string]string // base64-encoded
}

// optional returns a pointer to v, or nil when v is empty (an empty flag
// value changes nothing).
func optional(v string) *string {
	if v == "" {
		return nil
	}
	return &v
}

// parseUpsert checks the shared options and reads the content of
// secret-add and secret-set, in Juju's order; every error is a usage error.
func (t *invocation) parseUpsert(p *jujucmd.Args, args []string) (*upsert, error) {
	up := &upsert{rotate: optional(p.Value("rotate")), description: optional(p.Value("description")),
		label: optional(p.Value("label")), owner: p.Value("owner")}
	if spec := p.Value("expire"); spec != "" {
		at, err := time.Parse(time.RFC3339, spec)
		if err != nil {
			at, err = time.Parse("2006-01-02T15:04:05", spec)
		}
		if err != nil {
			d, err := time.ParseDuration(spec)
			if err != nil {
				return nil, jujucmd.Usagef("expire time or duration %q not valid", spec)
			}
			if d <= 0 {
				return nil, jujucmd.Usagef("negative expire duration %q not valid", spec)
			}
			at = t.m.Now.Add(d)
		}
		at = at.UTC()
		up.expire = &at
	}
	if up.rotate != nil && !slices.Contains(RotatePolicies, *up.rotate) {
		return nil, jujucmd.Usagef("rotate policy %q not valid", *up.rotate)
	}
	if up.owner != "application" && up.owner != "unit" {
		return nil, jujucmd.Usagef("secret owner %q not valid", up.owner)
	}
	valueLimit, totalLimit := t.m.secretLimits()
	data := map[string]string{}
	for _, arg := range args {
		// Trailing "=" (base64 padding) do not count when looking for the
		// separator, so "k=" and "k===" have no value.
		idx := strings.Index(strings.TrimRight(arg, "="), "=")
		if idx < 1 {
			return nil, jujucmd.Usagef("key value %q not valid", arg)
		}
		key, value := arg[:idx], arg[idx+1:]
		name, isFile := strings.CutSuffix(key, "#file")
		if !isFile {
			data[key] = value
			continue
		}
		path := t.path(value)
		if fi, err := os.Stat(path); err == nil && fi.Size() > int64(valueLimit) {
			return nil, jujucmd.Usagef("secret content in file %q too large: %d bytes", path, fi.Size())
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, jujucmd.Usagef("reading content for secret key %q: %w", name, err)
		}
		data[name] = string(b)
	}
	content, err := encodeSecretData(data, valueLimit, totalLimit)
	if err != nil {
		return nil, jujucmd.Usagef("%w", err)
	}
	if file := p.Value("file"); file != "" {
		fromFile, err := t.readSecretFile(file, valueLimit, totalLimit)
		if err != nil {
			return nil, jujucmd.Usagef("%w", err)
		}
		maps.Copy(content, fromFile)
	}
	up.content = content
	return up, nil
}

// encodeSecretData checks keys and sizes and base64-encodes the values,
// except those of keys with the #base64 suffix, stored as given. Keys are
// taken in order, so that the first bad one is reported.
func encodeSecretData(data map[string]string, valueLimit, totalLimit int) (map[string]string, error) {
	out := make(map[string]string, len(data))
	total := 0
	for _, key := range slices.Sorted(maps.Keys(data)) {
		value := data[key]
		if k, ok := strings.CutSuffix(key, "#base64"); ok {
			key = k
		} else {
			value = base64.StdEncoding.EncodeToString([]byte(value))
		}
		if !secretKeyRE.MatchString(key) {
			return nil, fmt.Errorf("key %q not valid", key)
		}
		if len(value) > valueLimit {
			return nil, fmt.Errorf("base64 encoded secret content for key %q too large: %d bytes", key, len(value))
		}
		out[key] = value
		total += len(value)
	}
	if total > totalLimit {
		return nil, fmt.Errorf("base64 encoded secret content too large: %d bytes", total)
	}
	return out, nil
}

// readSecretFile reads --file: a JSON or YAML map whose scalar values are
// taken as text (null as "").
func (t *invocation) readSecretFile(file string, valueLimit, totalLimit int) (map[string]string, error) {
	path := t.path(file)
	if fi, err := os.Stat(path); err == nil && fi.Size() > int64(totalLimit) {
		return nil, fmt.Errorf("secret content in file %q too large: %d bytes", path, fi.Size())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	data := map[string]string{}
	if err := json.Unmarshal(b, &data); err != nil {
		data = map[string]string{}
		var doc yaml.Node
		if err := yaml.Unmarshal(b, &doc); err != nil {
			return nil, err
		}
		if len(doc.Content) > 0 {
			n := doc.Content[0]
			if n.Kind != yaml.MappingNode {
				return nil, errors.New("yaml: unmarshal errors: secret file is not a map")
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if v.Kind != yaml.ScalarNode {
					return nil, fmt.Errorf("yaml: unmarshal errors: value of %q is not a string", k.Value)
				}
				if v.Tag == "!!null" {
					data[k.Value] = ""
				} else {
					data[k.Value] = v.Value
				}
			}
		}
	}
	return encodeSecretData(data, valueLimit, totalLimit)
}

func secretAdd(t *invocation) error {
	p, err := t.parse("[options] <key>[#base64|#file]=<value> ...", upsertOptions()...)
	if p == nil {
		return err
	}
	if len(p.Positional) == 0 && p.Value("file") == "" {
		return jujucmd.Usagef("missing secret value or filename")
	}
	up, err := t.parseUpsert(p, p.Positional)
	if err != nil {
		return err
	}
	if len(up.content) == 0 {
		return errors.New("empty secret value not valid")
	}
	owner := t.app.Name
	if up.owner == "unit" {
		owner = t.u.Name
	} else if !t.m.CheckLeader(t.c) {
		return errNotLeader
	}
	// The controller reserves the ID at once; it is dropped if the hook
	// fails.
	uri := secretURI{ID: t.m.newSecretID()}
	if t.m.uriWithSource() {
		uri.Source = t.m.UUID
	}
	err = t.c.secretChanges().create(&SecretUpsert{ID: uri.ID, URI: uri.String(), Owner: owner,
		Label: up.label, Description: up.description, RotatePolicy: up.rotate, Expire: up.expire, Content: up.content})
	if err != nil {
		return err
	}
	fmt.Fprintln(&t.out, uri.String())
	return nil
}

// parseURIArg parses a tool's first argument as a secret ID: missing is
// "missing secret URI", a bad one Juju's parse error (usage errors).
func parseURIArg(p *jujucmd.Args) (secretURI, error) {
	if len(p.Positional) == 0 {
		return secretURI{}, jujucmd.Usagef("missing secret URI")
	}
	u, err := parseSecretURI(p.Positional[0])
	if err != nil {
		return secretURI{}, jujucmd.Usagef("%w", err)
	}
	return u, nil
}

// loadSecretMetadata loads, once per context, the secrets the context's
// metadata holds: those the unit owns and, when it leads, its
// application's. The fake keeps their IDs and reads their fields from the
// model.
func (t *invocation) loadSecretMetadata() []string {
	if t.c.SecretMetadata == nil {
		ids := []string{}
		leads := t.m.Leads(t.u.Name)
		for id, s := range t.m.Secrets {
			if s.Owner == t.u.Name || leads && s.Owner == t.app.Name {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		t.c.SecretMetadata = ids
	}
	return t.c.SecretMetadata
}

// knownSecret returns the secret if the context's metadata holds it.
func (t *invocation) knownSecret(id string) *Secret {
	if slices.Contains(t.loadSecretMetadata(), id) {
		return t.m.Secrets[id]
	}
	return nil
}

// secretMeta is one secret as the hook context's metadata shows it.
type secretMeta struct {
	owner string // an application or a unit
	info  secretInfo
}

// secretInfo is one secret as secret-info-get prints it, fields in Juju's
// order.
type secretInfo struct {
	Revision    int            `json:"revision" yaml:"revision"`
	Label       string         `json:"label" yaml:"label"`
	Owner       string         `json:"owner" yaml:"owner"`
	Description string         `json:"description,omitempty" yaml:"description,omitempty"`
	Rotation    string         `json:"rotation,omitempty" yaml:"rotation,omitempty"`
	Expiry      *time.Time     `json:"expiry,omitempty" yaml:"expiry,omitempty"`
	Rotates     *time.Time     `json:"rotates,omitempty" yaml:"rotates,omitempty"`
	Access      []secretAccess `json:"access,omitempty" yaml:"access,omitempty"`
}

type secretAccess struct {
	Target string `json:"target" yaml:"target"`
	Scope  string `json:"scope" yaml:"scope"`
	Role   string `json:"role" yaml:"role"`
}

func ownerKind(owner string) string {
	if strings.Contains(owner, "/") {
		return "unit"
	}
	return "application"
}

// secretMetadata returns the hook context's view of the secrets it
// manages: the loaded metadata with this context's pending changes (its
// creations, updates, grants and revocations; a secret with a pending
// removal, even of one revision, is left out).
func (t *invocation) secretMetadata() map[string]*secretMeta {
	out := map[string]*secretMeta{}
	sc := t.c.PendingSecrets
	if sc == nil {
		sc = &SecretChanges{}
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	for _, cr := range sc.Creates {
		out[cr.ID] = &secretMeta{owner: cr.Owner, info: secretInfo{Revision: 1, Label: str(cr.Label), Owner: ownerKind(cr.Owner),
			Description: str(cr.Description), Rotation: str(cr.RotatePolicy), Expiry: cr.Expire}}
	}
	for _, id := range t.loadSecretMetadata() {
		s := t.m.Secrets[id]
		if s == nil || sc.pendingDelete(id) != nil {
			continue
		}
		md := &secretMeta{owner: s.Owner, info: secretInfo{Revision: s.LatestRevision, Label: s.Label, Owner: ownerKind(s.Owner),
			Description: s.Description, Rotation: s.RotatePolicy}}
		if md.info.Rotation == "" {
			md.info.Rotation = "never" // the controller sends the policy's name
		}
		if l := s.Latest(); l != nil && !l.Expire.IsZero() {
			e := l.Expire
			md.info.Expiry = &e
		}
		if !s.NextRotate.IsZero() {
			r := s.NextRotate
			md.info.Rotates = &r
		}
		for _, sub := range slices.Sorted(maps.Keys(s.Grants)) {
			scope := t.m.relationTag(s.Grants[sub].Relation)
			if scope == "" {
				scope = tag(sub)
			}
			md.info.Access = append(md.info.Access, secretAccess{Target: tag(sub), Scope: scope, Role: "view"})
		}
		if up := sc.pendingUpdate(id); up != nil {
			if up.Label != nil {
				md.info.Label = *up.Label
			}
			if up.Description != nil {
				md.info.Description = *up.Description
			}
			if up.RotatePolicy != nil {
				md.info.Rotation = *up.RotatePolicy
			}
			if up.Expire != nil {
				md.info.Expiry = up.Expire
			}
		}
		out[id] = md
	}
	for id, md := range out {
		for _, g := range sc.Grants {
			if g.ID == id {
				md.info.Access = append(md.info.Access, secretAccess{Target: tag(g.subject()), Scope: t.m.relationTag(g.Relation), Role: "view"})
			}
		}
		for _, r := range sc.Revokes {
			if r.ID != id {
				continue
			}
			if i := slices.IndexFunc(md.info.Access, func(a secretAccess) bool { return a.Target == tag(r.subject()) }); i >= 0 {
				md.info.Access = slices.Delete(md.info.Access, i, i+1)
			}
		}
	}
	return out
}

func secretSet(t *invocation) error {
	p, err := t.parse("[options] <ID> [key[#base64|#file]=value...]", upsertOptions()...)
	if p == nil {
		return err
	}
	uri, err := parseURIArg(p)
	if err != nil {
		return err
	}
	up, err := t.parseUpsert(p, p.Positional[1:])
	if err != nil {
		return err
	}
	// A secret the context's metadata holds is checked now: an
	// application-owned one needs the leader. Another one (e.g. an
	// application-owned secret on a non-leader) is queued and checked at
	// commit.
	known := t.knownSecret(uri.ID)
	if known != nil && !known.IsUnitOwned() && !t.m.CheckLeader(t.c) {
		return errNotLeader
	}
	u := &SecretUpsert{ID: uri.ID, URI: uri.String(), Label: up.label, Description: up.description, RotatePolicy: up.rotate, Expire: up.expire}
	if len(up.content) > 0 {
		var latest map[string]string
		if known != nil && known.Latest() != nil {
			latest = known.Latest().Content
		}
		if known == nil || !t.m.keepsUnchangedRevision() || !maps.Equal(latest, up.content) {
			u.Content = up.content
		}
	}
	if u.Label == nil && u.Description == nil && u.RotatePolicy == nil && u.Expire == nil && u.Content == nil {
		return nil // nothing to change
	}
	t.c.secretChanges().update(u)
	return nil
}

func secretRemove(t *invocation) error {
	p, err := t.parse("[options] <ID>", jujucmd.Option{Name: "revision", Value: true, Default: "0", Check: func(v string) error {
		_, err := strconv.ParseInt(v, 0, 64)
		return err
	}})
	if p == nil {
		return err
	}
	uri, err := parseURIArg(p)
	if err != nil {
		return err
	}
	if len(p.Positional) > 1 {
		return jujucmd.Unrecognized(p.Positional[1:])
	}
	rev, _ := strconv.ParseInt(p.Value("revision"), 0, 64)
	if known := t.knownSecret(uri.ID); known != nil && !known.IsUnitOwned() && !t.m.CheckLeader(t.c) {
		return errNotLeader
	}
	t.c.secretChanges().remove(uri.ID, uri.String(), int(rev))
	return nil
}

func secretGet(t *invocation) error {
	opts := append(jujucmd.FormatOptions(jujucmd.FormatYAML, jujucmd.FormatYAML, jujucmd.FormatJSON),
		jujucmd.Option{Name: "label", Value: true}, jujucmd.Option{Name: "peek"}, jujucmd.Option{Name: "refresh"})
	p, err := t.parse("[options] <ID> [key[#base64]]", opts...)
	if p == nil {
		return err
	}
	args := p.Positional
	var uri *secretURI
	if len(args) > 0 {
		u, err := parseSecretURI(args[0])
		if err != nil {
			return jujucmd.Usagef("secret URI %q not valid", args[0])
		}
		uri, args = &u, args[1:]
	}
	label := p.Value("label")
	if uri == nil && label == "" {
		return jujucmd.Usagef("require either a secret URI or label")
	}
	peek, refresh := p.Bool("peek"), p.Bool("refresh")
	if peek && refresh {
		return jujucmd.Usagef("specify one of --peek or --refresh but not both")
	}
	key := ""
	if len(args) > 0 {
		key = args[0]
		if len(args) > 1 {
			return jujucmd.Unrecognized(args[1:])
		}
	}
	content, err := t.getSecret(uri, label, refresh, peek)
	if err != nil {
		return err
	}
	values, err := decodeSecretContent(content)
	if err != nil {
		return err
	}
	if key == "" {
		return t.emit(p, values)
	}
	name, raw := strings.CutSuffix(key, "#base64")
	v, found := content[name]
	if !found {
		return fmt.Errorf("secret key value %q not found", name)
	}
	if !raw {
		v = values[name]
	}
	return t.emit(p, v)
}

// getSecret is the hook context's read of a secret: the context's own
// pending content when there is some, else the controller's answer.
func (t *invocation) getSecret(uri *secretURI, label string, refresh, peek bool) (map[string]string, error) {
	if uri != nil {
		if v, ok := t.pendingSecretValue(uri.ID, label, refresh, peek); ok {
			return v, nil
		}
		return t.secretContent(uri, label, refresh, peek)
	}
	if id := t.ownedSecretByLabel(label); id != "" {
		if v, ok := t.pendingSecretValue(id, "", refresh, peek); ok {
			return v, nil
		}
		return t.secretContent(&secretURI{ID: id}, "", refresh, peek)
	}
	if v, ok := t.pendingSecretValue("", label, refresh, peek); ok {
		return v, nil
	}
	return t.secretContent(nil, label, refresh, peek)
}

// ownedSecretByLabel finds the secret the unit manages by owner label, in
// the context's metadata and pending changes ("" when none). Like Juju's
// hook context it checks leadership on the way.
func (t *invocation) ownedSecretByLabel(label string) string {
	mds := t.secretMetadata()
	leader := t.m.CheckLeader(t.c)
	for _, id := range slices.Sorted(maps.Keys(mds)) {
		md := mds[id]
		if md.info.Label == label && (md.owner == t.u.Name || leader && md.owner == t.app.Name) {
			return id
		}
	}
	if sc := t.c.PendingSecrets; sc != nil {
		for _, l := range [][]*SecretUpsert{sc.Creates, sc.Updates} {
			for _, u := range l {
				if u.Label != nil && *u.Label == label {
					return u.ID
				}
			}
		}
	}
	return ""
}

// pendingSecretValue returns the content this context set for a secret
// (by ID, or by label when id is ""): that of a secret it created, whatever
// the flags; with --peek or --refresh, that of a secret it updated (a
// --refresh then tracks the new revision once committed). A label given
// with the ID relabels the pending change. Before Juju 3.1.7 (3.3.1) any
// pending content is returned, whatever the flags.
func (t *invocation) pendingSecretValue(id, label string, refresh, peek bool) (map[string]string, bool) {
	sc := t.c.PendingSecrets
	if sc == nil || id == "" && label == "" {
		return nil, false
	}
	old := !t.m.ownersTrack()
	for _, c := range sc.Creates {
		if id != "" && c.ID == id {
			if label != "" && !old {
				c.Label = &label
			}
			return c.Content, true
		}
		if label != "" && c.Label != nil && *c.Label == label {
			return c.Content, true
		}
	}
	if !refresh && !peek && !old {
		return nil, false
	}
	for _, u := range sc.Updates {
		if id != "" && u.ID == id || label != "" && u.Label != nil && *u.Label == label {
			if !old {
				if label != "" && id != "" {
					u.Label = &label
				}
				if refresh {
					sc.trackLatest(u.ID)
				}
			}
			return u.Content, len(u.Content) > 0
		}
	}
	return nil, false
}

// secretContent is the controller's answer to a read: it resolves the
// secret (a secret of the unit or its application by ID or owner label,
// else a consumer label), applies a label given with the ID, checks read
// access and returns the content of the revision the unit reads.
func (t *invocation) secretContent(uri *secretURI, label string, refresh, peek bool) (map[string]string, error) {
	m, unit, app := t.m, t.u.Name, t.app.Name
	consumerLabel := ""
	if uri != nil {
		consumerLabel = label
	}
	owned := func(s *Secret) bool { return s != nil && (s.Owner == unit || s.Owner == app) }
	var s *Secret
	if uri == nil || m.local(*uri) {
		var md *Secret
		if uri != nil {
			if c := m.Secrets[uri.ID]; owned(c) {
				md = c
			}
		} else {
			for _, id := range slices.Sorted(maps.Keys(m.Secrets)) {
				if c := m.Secrets[id]; owned(c) && c.Label == label {
					md = c
					break
				}
			}
		}
		if md != nil {
			keep := false
			if consumerLabel != "" && consumerLabel != md.Label {
				switch {
				case m.manages(md, unit):
					if err := m.labelConflict(md.Owner, consumerLabel, md.ID, false); err != nil {
						return nil, err
					}
					md.Label = consumerLabel
				case m.peerLabel() == peerLabelRefused:
					return nil, notLeaderError(unit)
				case m.peerLabel() == peerLabelConsumer:
					keep = true
				}
			}
			if !keep {
				consumerLabel = ""
			}
			s = md
		}
	}
	if s == nil && uri == nil {
		for _, id := range slices.Sorted(maps.Keys(m.Secrets)) {
			if rec := m.Secrets[id].Consumers[unit]; rec != nil && rec.Label == label {
				s = m.Secrets[id]
				break
			}
		}
		if s == nil {
			return nil, fmt.Errorf("consumer label %q not found", label)
		}
	}
	if s == nil {
		if s = m.Secrets[uri.ID]; s == nil || !m.local(*uri) {
			return nil, fmt.Errorf("secret %q not found", uri.String())
		}
	}
	if !canRead(s, unit) {
		return nil, errors.New("permission denied")
	}
	rev, err := t.consumedRevision(s, refresh, peek, consumerLabel)
	if err != nil {
		return nil, err
	}
	r := s.Revision(rev)
	if r == nil {
		return nil, fmt.Errorf("revison %d for secret %q not found", rev, secretURI{ID: s.ID}.String())
	}
	return r.Content, nil
}

// consumedRevision returns the revision the unit reads and saves its
// consumer record as Juju's controller does: a first read creates the
// record at the latest revision (announced: a first read triggers no
// secret-changed), --refresh moves it to the latest, --peek reads the
// latest without saving, and a consumer label is saved with the record.
func (t *invocation) consumedRevision(s *Secret, refresh, peek bool, label string) (int, error) {
	unit := t.u.Name
	var rec SecretConsumer
	old := s.Consumers[unit]
	if old == nil {
		refresh = true
		rec.Announced = s.LatestRevision
	} else {
		rec = *old
	}
	want := rec.Current
	if refresh || peek {
		rec.Latest = s.LatestRevision
		if refresh {
			rec.Current = s.LatestRevision
		}
		want = s.LatestRevision
	}
	if !t.m.ownersTrack() && AppOf(unit) == s.OwnerApp() {
		want = s.LatestRevision // owners always read the latest
	}
	if refresh || label != "" {
		if label != "" && label != rec.Label {
			if err := t.m.labelConflict(unit, label, s.ID, true); err != nil {
				return 0, fmt.Errorf("getting latest secret revision: %w", err)
			}
			rec.Label = label
		}
		*s.consumer(unit) = rec
	}
	return want, nil
}

func secretInfoGet(t *invocation) error {
	opts := append(jujucmd.FormatOptions(jujucmd.FormatYAML, jujucmd.FormatYAML, jujucmd.FormatJSON), jujucmd.Option{Name: "label", Value: true})
	p, err := t.parse("[options] <ID>", opts...)
	if p == nil {
		return err
	}
	args := p.Positional
	var uri *secretURI
	if len(args) > 0 {
		u, err := parseSecretURI(args[0])
		if err != nil {
			return jujucmd.Usagef("secret URI %q not valid", args[0])
		}
		uri, args = &u, args[1:]
	}
	label := p.Value("label")
	switch {
	case uri == nil && label == "":
		return jujucmd.Usagef("require either a secret URI or label")
	case uri != nil && label != "":
		return jujucmd.Usagef("specify either a secret URI or label but not both")
	case len(args) > 0:
		return jujucmd.Unrecognized(args)
	}
	all := t.secretMetadata()
	want := label
	if uri != nil {
		want = uri.ID
		if md := all[uri.ID]; md != nil {
			return t.emit(p, map[string]secretInfo{uri.ID: md.info})
		}
	} else {
		for _, id := range slices.Sorted(maps.Keys(all)) {
			if all[id].info.Label == label {
				return t.emit(p, map[string]secretInfo{id: all[id].info})
			}
		}
	}
	return fmt.Errorf("secret %q not found", want)
}

func secretIDs(t *invocation) error {
	p, err := t.parse("[options]", jujucmd.FormatOptions(jujucmd.FormatSmart)...)
	if p == nil {
		return err
	}
	if len(p.Positional) > 0 {
		return jujucmd.Unrecognized(p.Positional)
	}
	// Juju prints them in map order; the fake sorts them.
	var ids []string
	for id := range t.secretMetadata() {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return t.emit(p, ids)
}

// checkRelationFlag checks an explicit -r as Juju does while parsing the
// command line, before the arguments.
func (t *invocation) checkRelationFlag(p *jujucmd.Args) error {
	if p.IsSet("relation") {
		_, err := t.relation(p)
		return err
	}
	return nil
}

func secretGrant(t *invocation) error {
	p, err := t.parse("[options] <ID>", optRelation, jujucmd.Option{Name: "unit", Value: true})
	if p == nil {
		return err
	}
	if err := t.checkRelationFlag(p); err != nil {
		return err
	}
	uri, err := parseURIArg(p)
	if err != nil {
		return err
	}
	r, err := t.relation(p)
	if err != nil {
		return err
	}
	app := r.Remote(t.app.Name)
	unit := p.Value("unit")
	if unit != "" {
		if !unitNameRE.MatchString(unit) {
			return jujucmd.Usagef("unit %q not valid", unit)
		}
		if AppOf(unit) != app {
			return jujucmd.Usagef("cannot specify unit %q in relation to application %q", unit, app)
		}
	}
	if len(p.Positional) > 1 {
		return jujucmd.Unrecognized(p.Positional[1:])
	}
	md := t.secretMetadata()[uri.ID]
	if md == nil {
		return fmt.Errorf("secret %q not found", uri.ID)
	}
	if !strings.Contains(md.owner, "/") && !t.m.CheckLeader(t.c) {
		return errNotLeader
	}
	g := &SecretAccessChange{ID: uri.ID, URI: uri.String(), Relation: r.ID, App: app, Unit: unit}
	scope, subject := t.m.relationTag(r.ID), tag(g.subject())
	for _, a := range md.info.Access {
		if a.Scope != scope || a.Role != "view" {
			continue
		}
		if a.Target == subject || strings.HasPrefix(a.Target, "application-") {
			return nil // already granted, to the unit or its application
		}
		if unit == "" {
			return errors.New("any unit level grants need to be revoked before granting access to the corresponding application")
		}
	}
	t.c.secretChanges().grant(g)
	return nil
}

func secretRevoke(t *invocation) error {
	p, err := t.parse("[options] <ID>", optRelation, jujucmd.Option{Name: "app", Value: true},
		jujucmd.Option{Name: "application", Value: true}, jujucmd.Option{Name: "unit", Value: true})
	if p == nil {
		return err
	}
	if err := t.checkRelationFlag(p); err != nil {
		return err
	}
	uri, err := parseURIArg(p)
	if err != nil {
		return err
	}
	app := p.Value("app")
	if p.IsSet("application") {
		app = p.Value("application")
	}
	unit := p.Value("unit")
	switch {
	case app != "" && !appNameRE.MatchString(app):
		return jujucmd.Usagef("application %q not valid", app)
	case unit != "" && !unitNameRE.MatchString(unit):
		return jujucmd.Usagef("unit %q not valid", unit)
	case app != "" && unit != "":
		return jujucmd.Usagef("specify only one of application or unit")
	}
	// The relation defaults to the hook's.
	if p.IsSet("relation") || t.m.Relations[t.c.Relation] != nil {
		r, err := t.relation(p)
		if err != nil {
			return err
		}
		if app != "" {
			return jujucmd.Usagef("do not specify both relation and app")
		}
		app = r.Remote(t.app.Name)
	}
	if app == "" && unit == "" {
		return jujucmd.Usagef("missing relation or application or unit")
	}
	if len(p.Positional) > 1 {
		return jujucmd.Unrecognized(p.Positional[1:])
	}
	if known := t.knownSecret(uri.ID); known != nil && !known.IsUnitOwned() && !t.m.CheckLeader(t.c) {
		return errNotLeader
	}
	t.c.secretChanges().revoke(&SecretAccessChange{ID: uri.ID, URI: uri.String(), Relation: -1, App: app, Unit: unit})
	return nil
}
