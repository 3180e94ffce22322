package leadership

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/hookenv"
)

// session is the layer's state for one hook: the backend bound to the hook's
// tools, the lease tracker, and the settings read at hook start plus this
// hook's own successful writes (what Get serves).
type session struct {
	be          backend
	tools       *hookenv.Tools
	tracker     *hookenv.LeaderTracker
	isLeader    bool              // the hook-start answer
	settings    map[string]string // plain settings; nil until read
	unavailable error             // why settings could not be read (peer relation missing)

	// Keys kept in secrets (Options.Secrets): cfg as configured, secrets
	// this hook's state of them, nil when there are none, or on a Juju
	// without secrets with Options.PlainFallback.
	cfg      *secretGroups
	secrets  *secretGroups
	opts     Options
	env      hookenv.Env     // the hook's environment (Juju version, secret hooks)
	ctx      context.Context // the hook's, for reads that Get makes
	log      *slog.Logger
	hookName string
}

// newSession returns the layer's state for one hook, whose tools are tools
// and whose clock is clock, and installs its lease tracker as tools.Leader:
// from then on every leader-only write through the hook's tools (leader-set,
// status-set --application, relation-set --app) gets the check that Set
// makes (docs/design.md, "Lease tracking and ErrNotLeader").
func newSession(opts Options, tools *hookenv.Tools, app string, clock func() time.Time) *session {
	s := &session{
		be:      newBackend(opts, tools, app),
		tools:   tools,
		tracker: &hookenv.LeaderTracker{Tools: tools, Clock: clock},
		opts:    opts,
	}
	cfg, err := newSecretGroups(opts.Secrets)
	if err != nil {
		panic("leadership: " + err.Error()) // Register checked them
	}
	s.cfg = cfg
	tools.Leader = s.tracker
	return s
}

// start runs the start-of-hook computation (docs/design.md, "The start-of-hook
// computation"): one is-leader, one read of the settings, the keys kept in
// secrets (startSecrets), then the flags and the snapshot.
func (s *session) start(ctx context.Context, f *flags.Flags, log *slog.Logger) error {
	s.ctx, s.log = ctx, log
	leader, err := s.tracker.IsLeader(ctx)
	if err != nil {
		return fmt.Errorf("leadership: asking is-leader: %w", err)
	}
	s.isLeader = leader
	if log != nil {
		if leader {
			log.Info("Initializing Leadership Layer (is leader)")
		} else {
			log.Info("Initializing Leadership Layer (is follower)")
		}
	}
	cur, err := s.be.read(ctx)
	switch {
	case errors.Is(err, ErrPeerUnavailable):
		s.unavailable = err
		if log != nil {
			log.Info("leadership: peer relation not available yet; leader settings flags left unchanged", "error", err.Error())
		}
		return computeStart(f, leader, nil, false, log)
	case err != nil:
		return fmt.Errorf("leadership: reading leader settings: %w", err)
	}
	ptrs := takePointers(cur, log)
	dropBadKeys(cur, "leader settings", log)
	s.settings = cur
	if err := s.startSecrets(ctx, f, ptrs); err != nil {
		return err
	}
	return computeStartEntries(f, leader, s.entries(), true, log)
}

// entries returns every key's current entry: the plain settings, and the
// keys kept in secrets.
func (s *session) entries() map[string]entry {
	out := make(map[string]entry, len(s.settings))
	for k, v := range s.settings {
		if s.secretGroup(k) == nil {
			out[k] = plainEntry(v)
		}
	}
	if s.secrets != nil {
		for _, g := range s.secrets.groups {
			for _, k := range g.keys {
				if e, ok := g.entry(k, s.settings); ok {
					out[k] = e
				}
			}
		}
	}
	return out
}

// secretGroup returns the group that keeps key in a secret, or nil.
func (s *session) secretGroup(key string) *group {
	if s.secrets == nil {
		return nil
	}
	return s.secrets.byKey[key]
}

// startSecrets is the hook-start work for the keys kept in secrets
// (docs/leadership.md, "Shared values in Juju secrets"), before the flags
// are computed:
//
//   - on a Juju without secrets: an error wrapping ErrNoJujuSecrets, or
//     with Options.PlainFallback a WARNING and every key kept plain;
//   - on the leader, a group's keys that have a plain value in the
//     settings are moved into the group's secret, the plain keys deleted
//     when the hook ends; in a secret-remove hook for a group's secret the
//     obsolete revision is removed;
//   - a group whose secret must be read is read once, with --refresh: when
//     the snapshot does not hold exactly the pointer's tokens (a new
//     revision, a first hook, a value that moved into the secret, the
//     leader's own unconfirmed write), and in a secret-changed hook for
//     it. On a follower a pointer ahead of Juju's secret is an error
//     wrapping ErrSecretNotReady; the leader instead republishes the
//     pointer its secret calls for.
func (s *session) startSecrets(ctx context.Context, f *flags.Flags, ptrs map[string]*pointer) error {
	ignore := func(names []string) {
		if s.log == nil {
			return
		}
		for _, name := range names {
			s.log.Warn(fmt.Sprintf("leadership: ignoring settings key %q: no key group %q in Options.Secrets", SecretPointerKey(name), name))
		}
	}
	names := slices.Sorted(maps.Keys(ptrs))
	if s.cfg == nil {
		ignore(names)
		return nil
	}
	if !secretsSupported(s.env.JujuVersion) {
		keys := slices.Sorted(maps.Keys(s.cfg.byKey))
		if !s.opts.PlainFallback {
			return fmt.Errorf("leadership: keys %s: Juju %s: %w", strings.Join(keys, ", "), s.env.JujuVersion, ErrNoJujuSecrets)
		}
		if s.log != nil {
			s.log.Warn(fmt.Sprintf("leadership: Juju %s has no secrets (they need %s or later): keeping keys %s in plain settings (Options.PlainFallback)",
				s.env.JujuVersion, minSecretsVersion, strings.Join(keys, ", ")))
		}
		ignore(names)
		return nil
	}
	s.secrets = s.cfg.forHook()
	for _, name := range names {
		if g := s.findGroup(name); g != nil {
			g.ptr = ptrs[name]
		} else {
			ignore([]string{name})
		}
	}
	snap := f.Tx().Range(SnapshotPrefix, true)
	for _, g := range s.secrets.groups {
		if s.isLeader {
			if err := s.leaderStart(ctx, g, snap); err != nil {
				return err
			}
			continue
		}
		if s.mustRead(g, snap) {
			if err := s.readGroup(ctx, g); err != nil {
				return err
			}
		}
	}
	return nil
}

// leaderStart is startSecrets' work on the leader for one group.
func (s *session) leaderStart(ctx context.Context, g *group, snap map[string]json.RawMessage) error {
	move := map[string]string{}
	for _, k := range g.keys {
		if v, ok := s.settings[k]; ok {
			move[k] = v
		}
	}
	if s.isSecretHook(g, "secret-remove") && s.env.SecretRevision > 0 {
		if g.ptr != nil && s.env.SecretRevision >= g.ptr.Revision {
			if s.log != nil {
				s.log.Warn(fmt.Sprintf("leadership: %s: not removing revision %d of %s, which the settings point to", g.describe(), s.env.SecretRevision, s.env.SecretID))
			}
		} else {
			g.removeRev = s.env.SecretRevision
		}
	}
	if len(move) > 0 {
		if err := s.tracker.RequireLeader(ctx); err != nil {
			return fmt.Errorf("leadership: %s: moving %s into the secret: %w", g.describe(), strings.Join(slices.Sorted(maps.Keys(move)), ", "), err)
		}
		if err := s.manageGroup(ctx, g); err != nil {
			return err
		}
		s.reconcile(g)
		if err := s.writeGroup(ctx, g, move); err != nil {
			return err
		}
		for k := range move {
			delete(s.settings, k)
			g.dropPlain = append(g.dropPlain, k)
		}
		slices.Sort(g.dropPlain)
		g.publish = true
		if s.log != nil {
			s.log.Info(fmt.Sprintf("leadership: %s: moved %s from the settings into secret %s", g.describe(), strings.Join(g.dropPlain, ", "), g.id))
		}
		return nil
	}
	if s.mustRead(g, snap) {
		if err := s.manageGroup(ctx, g); err != nil {
			return err
		}
		s.reconcile(g)
	}
	return nil
}

// findGroup returns the group named name, or nil.
func (s *session) findGroup(name string) *group {
	for _, g := range s.secrets.groups {
		if g.name == name {
			return g
		}
	}
	return nil
}

// isSecretHook reports whether the hook is the named secret hook about the
// group's secret (by ID, else by label).
func (s *session) isSecretHook(g *group, hook string) bool {
	if s.hookName != hook {
		return false
	}
	if id, err := hookenv.ParseSecretID(s.env.SecretID); err == nil && g.ptr != nil && id.ID == g.ptr.xid() {
		return true
	}
	return s.env.SecretLabel == g.label
}

// mustRead reports whether the hook must read the group's secret before
// computing the flags: the snapshot does not hold exactly the pointer's
// confirmed token for each of its keys, or this is a secret-changed hook
// about it.
func (s *session) mustRead(g *group, snap map[string]json.RawMessage) bool {
	if s.isSecretHook(g, "secret-changed") {
		return true
	}
	if g.ptr == nil {
		return false
	}
	for _, k := range g.keys {
		if g.ptr.Keys[k] == 0 {
			continue
		}
		want := secretToken{id: g.ptr.xid(), revision: g.ptr.Keys[k]}.String()
		var have string
		haveString := json.Unmarshal(snap[k], &have) == nil
		if _, plain := s.settings[k]; plain {
			// A plain value not moved yet wins, unless it is the
			// secret's: read the secret when the snapshot holds a
			// token, to tell.
			if _, isToken := parseSecretToken(have); haveString && isToken {
				return true
			}
			continue
		}
		if !haveString || have != want {
			return true
		}
	}
	return false
}

// set is Set (docs/design.md, "leadership.Set"): validate, check
// leadership (no tool on a follower, a re-check of is-leader once the
// guarantee has lapsed), write (the keys kept in secrets first, each
// group's secret at most once; then the plain settings in one tool call),
// then flags and snapshot.
func (s *session) set(ctx context.Context, f *flags.Flags, settings map[string]string) error {
	what := writing(settings)
	for _, k := range slices.Sorted(maps.Keys(settings)) {
		if err := validKey(k); err != nil { // the rule reads are held to as well
			return fmt.Errorf("leadership: %s: %w", what, err)
		}
	}
	plain := map[string]string{}
	bySecret := map[*group]map[string]string{}
	for k, v := range settings {
		if g := s.secretGroup(k); g != nil {
			if bySecret[g] == nil {
				bySecret[g] = map[string]string{}
			}
			bySecret[g][k] = v
		} else {
			plain[k] = v
		}
	}
	if _, err := hookenv.EncodeKeyValues(plain); err != nil {
		return fmt.Errorf("leadership: %s: %w", what, err)
	}
	for _, upd := range bySecret {
		if err := checkSecretValues(upd); err != nil {
			return fmt.Errorf("leadership: %s: %w", what, err)
		}
	}
	if !s.isLeader {
		return fmt.Errorf("leadership: %s: %w: is-leader answered false at the start of the hook", what, ErrNotLeader)
	}
	if s.unavailable != nil {
		return fmt.Errorf("leadership: %s: %w", what, s.unavailable)
	}
	// The plain write goes through the hook's tools, whose Leader is this
	// tracker: the tool's wrapper checks the lease just before the tool
	// runs. Check here instead when that tool will not run first (nothing
	// plain to write, or secrets to write before it) or when something
	// replaced tools.Leader, so that the lease is checked exactly once per
	// write (a second check within the guarantee asks nothing).
	if len(plain) == 0 || len(bySecret) > 0 || s.tools.Leader != s.tracker {
		if err := s.tracker.RequireLeader(ctx); err != nil {
			return fmt.Errorf("leadership: %s: %w", what, err)
		}
	}
	for _, g := range s.secrets.sorted(bySecret) {
		if err := s.writeGroup(ctx, g, bySecret[g]); err != nil {
			return fmt.Errorf("leadership: %s: %w", what, err)
		}
	}
	if len(plain) > 0 {
		if err := s.be.write(ctx, plain); err != nil {
			return fmt.Errorf("leadership: %s: %w", what, err)
		}
	}
	out := make(map[string]entry, len(settings))
	for k, v := range plain {
		if v == "" {
			delete(s.settings, k)
			out[k] = entry{}
		} else {
			s.settings[k] = v
			out[k] = plainEntry(v)
		}
	}
	for g, upd := range bySecret {
		for k := range upd {
			e, _ := g.entry(k, s.settings)
			out[k] = e
		}
	}
	return applyEntries(f, out)
}

// sorted returns the groups of m in name order.
func (sg *secretGroups) sorted(m map[*group]map[string]string) []*group {
	if sg == nil {
		return nil
	}
	var out []*group
	for _, g := range sg.groups {
		if _, ok := m[g]; ok {
			out = append(out, g)
		}
	}
	return out
}

// get is lookup for the layer's tests: a failed read panics.
func (s *session) get(key string) (string, bool) {
	v, ok, err := s.lookup(key)
	if err != nil {
		panic(err)
	}
	return v, ok
}

// all is lookupAll for the layer's tests: a failed read panics.
func (s *session) all() map[string]string {
	out, err := s.lookupAll()
	if err != nil {
		panic(err)
	}
	return out
}

// lookup returns one setting from the hook-start read plus this hook's
// writes. A key kept in a secret is read from it, once per secret per hook
// (with --refresh); a failed read is returned.
func (s *session) lookup(key string) (string, bool, error) {
	if v, ok := s.settings[key]; ok {
		return v, true, nil
	}
	g := s.secretGroup(key)
	if g == nil || g.tokenFor(key) == "" {
		return "", false, nil
	}
	if err := s.readGroup(s.readContext(), g); err != nil {
		return "", false, err
	}
	v, ok := g.values[key]
	return v, ok, nil
}

// readContext is the context of reads made by Get: the hook's.
func (s *session) readContext() context.Context {
	if s.ctx != nil {
		return s.ctx
	}
	return context.Background()
}

// lookupAll returns a copy of every setting (empty when they could not be
// read), reading each secret that holds a set key.
func (s *session) lookupAll() (map[string]string, error) {
	out := map[string]string{}
	for k, v := range s.settings {
		out[k] = v
	}
	if s.secrets != nil {
		for _, g := range s.secrets.groups {
			for _, k := range g.keys {
				if _, plain := out[k]; plain || g.tokenFor(k) == "" {
					continue
				}
				if err := s.readGroup(s.readContext(), g); err != nil {
					return nil, err
				}
				if v, ok := g.values[k]; ok {
					out[k] = v
				}
			}
		}
	}
	return out, nil
}

// publish writes, when the hook ends, the pointers this hook changed and
// the deletions of plain values it moved into secrets, in one tool call
// (docs/leadership.md, "The race between leader-set and the secret"),
// after removing the obsolete revision of a secret-remove hook.
func (s *session) publish(ctx context.Context) error {
	if s.secrets == nil {
		return nil
	}
	for _, g := range s.secrets.groups {
		if g.removeRev == 0 {
			continue
		}
		if err := s.tools.SecretRemove(ctx, s.env.SecretID, g.removeRev); err != nil {
			return fmt.Errorf("leadership: %s: removing obsolete revision %d: %w", g.describe(), g.removeRev, err)
		}
	}
	settings := map[string]string{}
	var names []string
	for _, g := range s.secrets.groups {
		if !g.publish {
			continue
		}
		names = append(names, g.name)
		if g.ptr == nil {
			settings[SecretPointerKey(g.name)] = ""
		} else {
			settings[SecretPointerKey(g.name)] = g.ptr.encode()
		}
		for _, k := range g.dropPlain {
			settings[k] = ""
		}
	}
	if len(settings) == 0 {
		return nil
	}
	if err := s.be.write(ctx, settings); err != nil {
		return fmt.Errorf("leadership: publishing the pointers of key groups %s: %w", strings.Join(names, ", "), err)
	}
	return nil
}
