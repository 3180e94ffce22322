package leadership

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/charmkit/charmkit/hookenv"
)

// Keys kept in Juju secrets (Options.Secrets; docs/leadership.md, "Shared
// values in Juju secrets").
//
// Each key group is one application-owned secret, labelled
// "leadership-<group>". Its content holds each key's value under a content
// key Juju accepts (contentKey) and, under metaContentKey, the layer's
// record of the content: its revision and, for each key, the revision in
// which its value last changed. The settings hold a pointer under
// "leadership.secret.<group>": the secret's ID, the same revisions, no
// value. A unit's snapshot holds, for each key, a token naming the secret
// and the key's revision. So a follower learns from the pointer alone which
// keys are set and which changed, and reads the secret only to serve a
// value or to check that Juju has committed the revision the pointer names.

const (
	// secretPointerPrefix starts the settings keys of the pointers; Set
	// refuses keys that start with it.
	secretPointerPrefix = "leadership.secret."
	// secretLabelPrefix starts the labels of the groups' secrets.
	secretLabelPrefix = "leadership-"
	// metaContentKey is the content key of the layer's record in a
	// secret; no key's content key can be it (see contentKey).
	metaContentKey = "x-leadership"
	// minSecretsVersion is the first Juju with secret-info-get and
	// secret-get --refresh (docs/juju-secrets.md, "1. Which Juju has
	// secrets").
	minSecretsVersion = hookenv.MinSecretsVersion
)

// SecretPointerKey returns the settings key under which the layer publishes
// the pointer to a key group's secret: "leadership.secret.<group>".
func SecretPointerKey(group string) string { return secretPointerPrefix + group }

// SecretLabel returns the label of a key group's secret:
// "leadership-<group>". Labels are unique across an application and its
// units: the charm must not use it for another secret.
func SecretLabel(group string) string { return secretLabelPrefix + group }

var groupNameRE = regexp.MustCompile(`^[a-z](?:-?[a-z0-9])*$`)

// pointer is what the settings hold for a key group: the secret's ID
// ("secret:<id>"), the revision the layer last wrote, and for each key the
// revision in which its value last changed. It holds no value.
type pointer struct {
	ID       string         `json:"id"`
	Revision int            `json:"revision"`
	Keys     map[string]int `json:"keys"`
}

// encode returns the pointer's JSON (keys sorted, so equal pointers encode
// equally).
func (p *pointer) encode() string {
	b, err := json.Marshal(p)
	if err != nil {
		panic(err) // strings and ints only
	}
	return string(b)
}

func (p *pointer) xid() string { return strings.TrimPrefix(p.ID, "secret:") }

func samePointer(a, b *pointer) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.ID == b.ID && a.Revision == b.Revision && maps.Equal(a.Keys, b.Keys)
}

// parsePointer decodes a pointer as the settings hold it.
func parsePointer(s string) (*pointer, error) {
	var p pointer
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("not a pointer to a secret: %w", err)
	}
	id, err := hookenv.ParseSecretID(p.ID)
	if err != nil {
		return nil, fmt.Errorf("not a pointer to a secret: %w", err)
	}
	p.ID = "secret:" + id.ID
	if p.Revision < 1 {
		return nil, fmt.Errorf("not a pointer to a secret: revision %d", p.Revision)
	}
	for k, r := range p.Keys {
		if r < 1 || r > p.Revision {
			return nil, fmt.Errorf("not a pointer to a secret: key %q at revision %d of %d", k, r, p.Revision)
		}
	}
	if p.Keys == nil {
		p.Keys = map[string]int{}
	}
	return &p, nil
}

// secretMeta is the layer's record in a secret's content: the revision
// the content was written for and, for each key, the revision in which
// its value last changed.
type secretMeta struct {
	Revision     int            `json:"revision"`
	KeyRevisions map[string]int `json:"key-revisions"`
}

// secretToken is a key's snapshot entry while its value is kept in a
// secret: which secret, and which revision holds the key's value.
// Unconfirmed marks the leader's own write, not yet seen committed.
type secretToken struct {
	id          string // the 20-character ID
	revision    int
	unconfirmed bool
}

func (t secretToken) String() string {
	s := "secret:" + t.id + "?revision=" + strconv.Itoa(t.revision)
	if t.unconfirmed {
		s += "&unconfirmed"
	}
	return s
}

var tokenRE = regexp.MustCompile(`^secret:([0-9a-v]{19}[0g])\?revision=([1-9][0-9]{0,8})(&unconfirmed)?$`)

// parseSecretToken parses a snapshot entry as a token.
func parseSecretToken(s string) (secretToken, bool) {
	m := tokenRE.FindStringSubmatch(s)
	if m == nil {
		return secretToken{}, false
	}
	n, _ := strconv.Atoi(m[2])
	return secretToken{id: m[1], revision: n, unconfirmed: m[3] != ""}, true
}

// Content keys. Juju accepts only ^[a-z](?:-?[a-z0-9]){2,}$ as a content
// key; settings keys are freer (admin_password, adminPassword, a.b). A key
// of lowercase letters and digits in runs joined by single underscores,
// not starting with x, is kept readable with its underscores as hyphens
// (admin_password: admin-password); any other key is "x" and its bytes in
// hex (ab: x6162). The two forms cannot meet (only the second starts with
// x), and metaContentKey, which starts with "x-", is neither.
var (
	readableKeyRE = regexp.MustCompile(`^[a-wyz][a-z0-9]*(?:_[a-z0-9]+)*$`)
	secretKeyRE   = regexp.MustCompile(`^[a-z](?:-?[a-z0-9]){2,}$`)
)

// contentKey returns the secret content key that holds key's value.
func contentKey(key string) string {
	if readableKeyRE.MatchString(key) {
		if ck := strings.ReplaceAll(key, "_", "-"); secretKeyRE.MatchString(ck) {
			return ck
		}
	}
	return "x" + hex.EncodeToString([]byte(key))
}

// keyOfContent returns the settings key a content key holds, if any.
func keyOfContent(ck string) (string, bool) {
	var key string
	if hexKey, ok := strings.CutPrefix(ck, "x"); ok {
		b, err := hex.DecodeString(hexKey)
		if err != nil {
			return "", false
		}
		key = string(b)
	} else {
		key = strings.ReplaceAll(ck, "-", "_")
	}
	if key == "" || contentKey(key) != ck {
		return "", false
	}
	return key, true
}

// encodeContent builds a secret's content from values and the record.
func encodeContent(values map[string]string, meta secretMeta) map[string]string {
	out := make(map[string]string, len(values)+1)
	for k, v := range values {
		out[contentKey(k)] = v
	}
	b, err := json.Marshal(meta)
	if err != nil {
		panic(err)
	}
	out[metaContentKey] = string(b)
	return out
}

// decodeContent reads a secret's content: the values of the keys the
// record lists, and the record. hasMeta is false for content the layer did
// not write (no record); values then holds every key it can decode.
func decodeContent(content map[string]string) (values map[string]string, meta secretMeta, hasMeta bool, err error) {
	values = map[string]string{}
	for ck, v := range content {
		if ck == metaContentKey {
			if err := json.Unmarshal([]byte(v), &meta); err != nil {
				return nil, secretMeta{}, false, fmt.Errorf("the layer's record (content key %s) does not decode: %v", metaContentKey, err)
			}
			hasMeta = true
			continue
		}
		if k, ok := keyOfContent(ck); ok {
			values[k] = v
		}
	}
	if !hasMeta {
		return values, secretMeta{}, false, nil
	}
	if meta.KeyRevisions == nil {
		meta.KeyRevisions = map[string]int{}
	}
	for k := range values {
		if _, listed := meta.KeyRevisions[k]; !listed {
			delete(values, k)
		}
	}
	for k := range meta.KeyRevisions {
		if _, ok := values[k]; !ok {
			return nil, secretMeta{}, false, fmt.Errorf("the layer's record lists key %q, which the content does not hold", k)
		}
	}
	return values, meta, true, nil
}

// group is one key group kept in a secret, for one hook: its pointer as
// the settings hold it (after this hook's changes), and what the hook read
// of the secret.
type group struct {
	name  string
	label string
	keys  []string // sorted

	// ptr is the pointer (nil: none). publish says it must be written to
	// the settings when the hook ends (nil then deletes it), and dropPlain
	// lists plain settings to delete then (values moved into the secret).
	ptr       *pointer
	publish   bool
	dropPlain []string
	// written is true once this hook wrote the secret: the keys' tokens
	// are unconfirmed until a later hook sees the revision committed.
	written bool
	// removeRev is an obsolete revision to remove when the hook ends (in
	// a secret-remove hook): removed last, since Juju's hook context no
	// longer shows a secret with a pending removal to secret-info-get.
	removeRev int

	// What the hook read of the secret. loaded: its content (values and
	// meta; id "" when the leader found no secret with the label).
	// managed: the leader's secret-info-get (latest is Juju's latest
	// revision). pendingRev is the revision this hook's secret-add or
	// secret-set makes (0: none).
	loaded     bool
	managed    bool
	id         string
	values     map[string]string
	meta       secretMeta
	latest     int
	pendingRev int
}

// tokenFor returns key's token under the group's pointer, or "".
func (g *group) tokenFor(key string) string {
	if g.ptr == nil || g.ptr.Keys[key] == 0 {
		return ""
	}
	return secretToken{id: g.ptr.xid(), revision: g.ptr.Keys[key], unconfirmed: g.written}.String()
}

// entry returns key's entry: its plain value while one is in the settings
// (before the leader has moved it) unless the hook read the same value from
// the secret, else its token, with the value when this hook read it.
func (g *group) entry(key string, plain map[string]string) (entry, bool) {
	tok := g.tokenFor(key)
	if v, ok := plain[key]; ok {
		if sv, read := g.values[key]; !g.loaded || !read || sv != v || tok == "" {
			return plainEntry(v), true
		}
	}
	if tok == "" {
		return entry{}, false
	}
	e := entry{token: tok}
	if g.loaded {
		if v, ok := g.values[key]; ok {
			e.value = &v
		}
	}
	return e, true
}

// describe names the group for messages: its name, label and keys.
func (g *group) describe() string {
	return fmt.Sprintf("key group %q (secret %q: %s)", g.name, g.label, strings.Join(g.keys, ", "))
}

// secretGroups is the layer's configuration of Options.Secrets.
type secretGroups struct {
	groups []*group // by name
	byKey  map[string]*group
}

// newSecretGroups validates opts.Secrets; it returns nil for none and an
// error for a misuse (Register panics with it).
func newSecretGroups(secrets map[string][]string) (*secretGroups, error) {
	if len(secrets) == 0 {
		return nil, nil
	}
	sg := &secretGroups{byKey: map[string]*group{}}
	for _, name := range slices.Sorted(maps.Keys(secrets)) {
		if !groupNameRE.MatchString(name) {
			return nil, fmt.Errorf("secret group name %q: want lowercase letters, digits and single hyphens, starting with a letter", name)
		}
		keys := slices.Sorted(slices.Values(secrets[name]))
		if len(keys) == 0 {
			return nil, fmt.Errorf("secret group %q has no key", name)
		}
		g := &group{name: name, label: SecretLabel(name), keys: slices.Compact(keys)}
		for _, k := range g.keys {
			if err := validKey(k); err != nil {
				return nil, fmt.Errorf("secret group %q: %w", name, err)
			}
			if o := sg.byKey[k]; o != nil {
				return nil, fmt.Errorf("key %q is in two secret groups, %q and %q", k, o.name, name)
			}
			sg.byKey[k] = g
		}
		sg.groups = append(sg.groups, g)
	}
	return sg, nil
}

// forHook returns fresh per-hook copies of the groups.
func (sg *secretGroups) forHook() *secretGroups {
	out := &secretGroups{byKey: map[string]*group{}}
	for _, g := range sg.groups {
		c := &group{name: g.name, label: g.label, keys: g.keys}
		out.groups = append(out.groups, c)
		for _, k := range c.keys {
			out.byKey[k] = c
		}
	}
	return out
}

// takePointers removes every pointer key from settings and returns the
// valid pointers by group. A pointer that does not decode is logged (by
// key, with why) and ignored.
func takePointers(settings map[string]string, log *slog.Logger) map[string]*pointer {
	out := map[string]*pointer{}
	for _, k := range slices.Sorted(maps.Keys(settings)) {
		name, ok := strings.CutPrefix(k, secretPointerPrefix)
		if !ok {
			continue
		}
		raw := settings[k]
		delete(settings, k)
		p, err := parsePointer(raw)
		if err != nil {
			if log != nil {
				log.Warn(fmt.Sprintf("leadership: ignoring settings key %q: %v", k, err))
			}
			continue
		}
		out[name] = p
	}
	return out
}

// secretsSupported reports whether the unit's Juju has the secrets the
// layer uses; an unknown version (zero) counts as yes.
func secretsSupported(v hookenv.Version) bool { return v.HasSecrets() }

// notReady is the follower's error for a pointer ahead of the secret.
func notReady(g *group, have int) error {
	what := fmt.Sprintf("Juju has no secret %s yet", g.ptr.ID)
	if have > 0 {
		what = fmt.Sprintf("Juju has only revision %d of it", have)
	}
	return fmt.Errorf("leadership: %s: the settings point to revision %d of secret %s, but %s: %w",
		g.describe(), g.ptr.Revision, g.ptr.ID, what, ErrSecretNotReady)
}

// readGroup reads the group's secret by the pointer's ID, with --refresh
// (so the unit tracks the latest revision), once per hook, and checks
// that it holds at least the pointer's revision: a secret Juju does not
// have, or an older revision, is an error wrapping [ErrSecretNotReady]. A
// newer revision (the secret was committed before the pointer) is taken
// as it is: its record becomes the group's pointer for this hook.
func (s *session) readGroup(ctx context.Context, g *group) error {
	if g.loaded || g.ptr == nil {
		return nil
	}
	content, err := s.tools.SecretGet(ctx, g.ptr.ID, hookenv.SecretGetOptions{Refresh: true})
	if errors.Is(err, hookenv.ErrSecretNotFound) {
		return notReady(g, 0)
	}
	if err != nil {
		return fmt.Errorf("leadership: %s: reading secret %s: %w", g.describe(), g.ptr.ID, err)
	}
	values, meta, hasMeta, err := decodeContent(content)
	if err == nil && !hasMeta {
		err = fmt.Errorf("it holds no record of the layer (content key %s)", metaContentKey)
	}
	if err != nil {
		return fmt.Errorf("leadership: %s: secret %s: %w", g.describe(), g.ptr.ID, err)
	}
	if meta.Revision < g.ptr.Revision {
		return notReady(g, meta.Revision)
	}
	g.loaded, g.id, g.values, g.meta = true, g.ptr.ID, values, meta
	if meta.Revision > g.ptr.Revision {
		g.ptr = &pointer{ID: g.ptr.ID, Revision: meta.Revision, Keys: maps.Clone(meta.KeyRevisions)}
	}
	return nil
}

// manageGroup is the leader's look-up of the group's secret: by label
// (secret-info-get, which gives the ID and Juju's latest revision, so a
// secret added by an earlier leader, or by an earlier attempt of this hook
// whose pointer was lost, is adopted), then its content by ID with
// --refresh, unless this hook has read it already. No secret with the
// label is not an error: id stays "".
func (s *session) manageGroup(ctx context.Context, g *group) error {
	if g.managed {
		return nil
	}
	info, err := s.tools.SecretInfoGet(ctx, "", g.label)
	if errors.Is(err, hookenv.ErrSecretNotFound) {
		g.managed, g.loaded, g.id, g.values, g.meta, g.latest = true, true, "", map[string]string{}, secretMeta{KeyRevisions: map[string]int{}}, 0
		return nil
	}
	if err != nil {
		return fmt.Errorf("leadership: %s: looking the secret up by label: %w", g.describe(), err)
	}
	id := "secret:" + info.ID
	g.managed, g.latest = true, info.Revision
	if g.loaded && g.id == id {
		return nil
	}
	content, err := s.tools.SecretGet(ctx, id, hookenv.SecretGetOptions{Refresh: true})
	if err != nil {
		return fmt.Errorf("leadership: %s: reading secret %s: %w", g.describe(), id, err)
	}
	values, meta, hasMeta, err := decodeContent(content)
	if err != nil {
		return fmt.Errorf("leadership: %s: secret %s: %w", g.describe(), id, err)
	}
	if !hasMeta {
		// Not written by the layer: take its keys as they are, at the
		// latest revision.
		meta = secretMeta{Revision: info.Revision, KeyRevisions: map[string]int{}}
		for k := range values {
			meta.KeyRevisions[k] = info.Revision
		}
		if s.log != nil {
			s.log.Warn(fmt.Sprintf("leadership: %s: secret %s holds no record of the layer (content key %s); taking its keys as of revision %d", g.describe(), id, metaContentKey, info.Revision))
		}
	}
	for k := range values {
		if !slices.Contains(g.keys, k) {
			delete(values, k)
			delete(meta.KeyRevisions, k)
		}
	}
	g.loaded, g.id, g.values, g.meta = true, id, values, meta
	return nil
}

// secretPointer returns the pointer the leader's view of the secret calls
// for: nil when there is no secret.
func (g *group) secretPointer() *pointer {
	if g.id == "" {
		return nil
	}
	return &pointer{ID: g.id, Revision: g.meta.Revision, Keys: maps.Clone(g.meta.KeyRevisions)}
}

// reconcile makes the leader's pointer follow its secret, after
// manageGroup: when the settings point elsewhere (to a revision Juju never
// committed because the hook that wrote it failed when Juju committed it,
// to no secret, or not yet to a secret an earlier leader added), the right
// pointer is published when the hook ends.
func (s *session) reconcile(g *group) {
	want := g.secretPointer()
	if samePointer(g.ptr, want) {
		return
	}
	if s.log != nil {
		from, to := "no pointer", "none (no secret has the label)"
		if g.ptr != nil {
			from = fmt.Sprintf("revision %d of %s", g.ptr.Revision, g.ptr.ID)
		}
		if want != nil {
			to = fmt.Sprintf("revision %d of %s", want.Revision, want.ID)
		}
		s.log.Info(fmt.Sprintf("leadership: %s: the settings hold %s, Juju's secret is at %s; publishing that", g.describe(), from, to))
	}
	g.ptr, g.publish = want, true
}

// writeGroup is the leader's write of some of the group's keys ("" deletes
// one): it looks the secret up (manageGroup), and when the content
// changes, adds the secret (secret-add --label) or sets its new content
// (secret-set; one revision per hook, whatever the number of writes), with
// each changed key's revision; unchanged content makes no tool run, so no
// new revision. The pointer is published when the hook ends.
func (s *session) writeGroup(ctx context.Context, g *group, updates map[string]string) error {
	if err := s.manageGroup(ctx, g); err != nil {
		return err
	}
	values := maps.Clone(g.values)
	var changed []string
	for _, k := range slices.Sorted(maps.Keys(updates)) {
		old, had := values[k]
		v := updates[k]
		switch {
		case v == "" && had:
			delete(values, k)
		case v != "" && (!had || old != v):
			values[k] = v
		default:
			continue
		}
		changed = append(changed, k)
	}
	if len(changed) > 0 && (g.id != "" || len(values) > 0) {
		rev := g.pendingRev
		if rev == 0 {
			rev = g.latest + 1
		}
		meta := secretMeta{Revision: rev, KeyRevisions: maps.Clone(g.meta.KeyRevisions)}
		for _, k := range changed {
			if _, ok := values[k]; ok {
				meta.KeyRevisions[k] = rev
			} else {
				delete(meta.KeyRevisions, k)
			}
		}
		content := encodeContent(values, meta)
		if g.id == "" {
			uri, err := s.tools.SecretAdd(ctx, content, hookenv.SecretOptions{Label: g.label})
			if err != nil {
				return fmt.Errorf("leadership: %s: adding the secret: %w", g.describe(), err)
			}
			id, err := hookenv.ParseSecretID(uri)
			if err != nil {
				return fmt.Errorf("leadership: %s: adding the secret: %w", g.describe(), err)
			}
			g.id = "secret:" + id.ID
		} else if err := s.tools.SecretSet(ctx, g.id, content, hookenv.SecretOptions{}); err != nil {
			return fmt.Errorf("leadership: %s: setting secret %s: %w", g.describe(), g.id, err)
		}
		g.values, g.meta, g.pendingRev, g.written = values, meta, rev, true
	}
	if want := g.secretPointer(); !samePointer(g.ptr, want) {
		g.ptr, g.publish = want, true
	}
	return nil
}

// checkSecretValues refuses, before any tool runs, a value secret-add
// would refuse: one that is not valid UTF-8 (secret-get could not give it
// back). The error names the key, never the value.
func checkSecretValues(settings map[string]string) error {
	for _, k := range slices.Sorted(maps.Keys(settings)) {
		if !utf8.ValidString(settings[k]) {
			return fmt.Errorf("%w: the value of %q is not valid UTF-8", hookenv.ErrInvalidArgument, k)
		}
	}
	return nil
}
