package leadership

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/charmkit/charmkit/internal/callsite"
	"github.com/charmkit/charmkit/reactive"
)

// LayerName is the name the layer is registered under ([reactive.Registry.AddLayer],
// [reactive.Hook.Layer]).
const LayerName = "leadership"

// StartCallback is the name of the start callback [Register] adds.
const StartCallback = "leadership.initialize"

// PublishCallback is the name of the exit callback [Register] adds when
// [Options.Secrets] is set: it publishes, when the hook succeeds, the
// pointers to the secrets that the hook changed.
const PublishCallback = "leadership.publish-secrets"

// Layer is the leadership layer registered on one [reactive.Registry]. It
// holds only its configuration: the per-hook state (hook-start settings,
// lease tracker) lives in the [reactive.Hook], so one Layer serves any
// number of hooks, in parallel. Handlers use the package functions [Set],
// [Delete], [Get] and [GetAll], which find that state from the hook.
type Layer struct {
	opts Options
}

// LayerName implements [reactive.Layer]: "leadership".
func (l *Layer) LayerName() string { return LayerName }

// LayerFlags implements [reactive.Layer]: the flags the layer sets and
// clears (docs/design.md, "Leadership flags").
func (l *Layer) LayerFlags() []string {
	return []string{IsLeaderFlag, ChangedAnyFlag, setFlagPrefix + "*", changedFlagPrefix + "*"}
}

// stateKey is the reactive.Hook value key of the per-hook session.
type stateKey struct{}

var endpointRE = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)

// Register adds the leadership layer to r ([reactive.Registry.AddLayer]) with
// its start callback, and returns the layer. opts nil means the
// leader-settings backend. Register the layer before callbacks that depend on
// its flags; the callback does not run in restricted hooks. It panics when
// opts.PeerRelation is not a valid endpoint name, when opts.Secrets names
// an invalid group or key or a key twice, and when the layer is already
// registered on r, naming the charm's two lines that registered it (all are
// mistakes in the charm's code). With opts.Secrets it also adds the exit
// callback [PublishCallback].
func Register(r *reactive.Registry, opts *Options) *Layer {
	l := &Layer{}
	if opts != nil {
		l.opts = *opts
	}
	if p := l.opts.PeerRelation; p != "" && !endpointRE.MatchString(p) {
		panic(fmt.Sprintf("leadership: Register at %s: invalid peer relation endpoint name %q in Options.PeerRelation: name the peer endpoint of the charm's metadata (lowercase letters, digits, - and _, starting with a letter)",
			charmSite(), p))
	}
	if _, err := newSecretGroups(l.opts.Secrets); err != nil {
		panic(fmt.Sprintf("leadership: Register at %s: Options.Secrets: %v", charmSite(), err))
	}
	r.AddLayer(l)
	r.AtStart(StartCallback, l.start)
	if len(l.opts.Secrets) > 0 {
		r.AtExit(PublishCallback, l.publish)
	}
	return l
}

// start is the start callback: the start-of-hook computation
// (docs/design.md, "The start-of-hook computation").
func (l *Layer) start(ctx context.Context, h *reactive.Hook) error {
	s := newSession(l.opts, h.Tools(), h.Env().AppName, h.Now)
	s.env, s.hookName = h.Env(), h.Name()
	if err := s.start(ctx, h.Flags(), h.Logger()); err != nil {
		return err
	}
	h.SetValue(stateKey{}, s)
	return nil
}

// publish is the exit callback: the pointers to secrets the hook changed
// are written only when every handler has succeeded (docs/leadership.md,
// "The race between leader-set and the secret").
func (l *Layer) publish(ctx context.Context, h *reactive.Hook) error {
	if s := sessionOf(h); s != nil {
		return s.publish(ctx)
	}
	return nil
}

// charmSite returns the charm's line behind the current call into this
// package: the first caller outside charmkit's packages.
func charmSite() callsite.Site { return callsite.Charm(0) }

func sessionOf(h *reactive.Hook) *session {
	s, _ := h.Value(stateKey{}).(*session)
	return s
}

// sessionFor returns the layer's state for h, or why there is none: an
// error wrapping [ErrNotRegistered] when the charm never registered the
// layer, or [ErrNotStarted], with the reason, when the layer has not
// started in this hook.
func sessionFor(h *reactive.Hook) (*session, error) {
	if s := sessionOf(h); s != nil {
		return s, nil
	}
	switch {
	case h.Layer(LayerName) == nil:
		return nil, ErrNotRegistered
	case h.Restricted():
		return nil, fmt.Errorf("%w: %s is a restricted hook, in which the layer does not run (no leadership tool may be used there)", ErrNotStarted, h.Name())
	default:
		return nil, fmt.Errorf("%w: %q runs before the layer's start callback %q; register it after leadership.Register", ErrNotStarted, h.Current(), StartCallback)
	}
}

// writing names a write for error messages: "writing leader settings a, b".
func writing(settings map[string]string) string {
	return "writing leader settings " + strings.Join(slices.Sorted(maps.Keys(settings)), ", ")
}

// Set writes a self-consistent group of leader settings in one tool call
// (leader-set, or relation-set --app with the peer backend) and then updates
// this unit's flags and snapshot at once, in the write's order of flag events
// (docs/design.md, "leadership.Set"), keys sorted, so the leader's handlers that
// watch them run later in the same hook. An empty value deletes the key (see
// the package documentation for how that differs from the Python layer).
//
// On a unit that is not the leader it returns [ErrNotLeader] before any
// tool runs. Once the 30-second leadership guarantee of the hook-start
// is-leader has lapsed, it asks is-leader again first; a false answer gives
// ErrNotLeader, and leadership.is_leader keeps its hook-start value. Bad keys
// or values are an error wrapping [hookenv.ErrInvalidArgument], before any
// tool runs. A failed tool is returned as the hookenv error; flags and the
// snapshot then stay as they were.
//
// In a charm that never called [Register] it returns an error wrapping
// [ErrNotRegistered]; in a hook where the layer has not started (a
// restricted hook, or a start callback that runs before the layer's) one
// wrapping [ErrNotStarted], which says which. No tool runs in either case.
func Set(ctx context.Context, h *reactive.Hook, settings map[string]string) error {
	s, err := sessionFor(h)
	if err != nil {
		return fmt.Errorf("leadership: %s (at %s): %w", writing(settings), charmSite(), err)
	}
	return s.set(ctx, h.Flags(), settings)
}

// Delete deletes leader settings: it is [Set] with an empty value for every
// key, in one tool call, with Set's errors. Deleting a key this unit has seen
// raises leadership.changed.<key> and clears leadership.set.<key>; the
// snapshot keeps a null tombstone for it.
func Delete(ctx context.Context, h *reactive.Hook, keys ...string) error {
	settings := make(map[string]string, len(keys))
	for _, k := range keys {
		settings[k] = ""
	}
	return Set(ctx, h, settings)
}

// Get returns one leader setting and whether it is set, from the settings
// read at the start of the hook plus this hook's successful writes. It runs
// no tool for a plain setting. A key kept in a Juju secret ([Options.Secrets])
// is read from the secret (secret-get --refresh) the first time the hook
// asks for a key of its group, unless the hook has read it already; a read
// that fails (the secret is gone, or the tool failed) makes Get panic with
// the error, which fails the hook, so that Juju retries it (the error names
// the keys and the secret, never a value).
//
// Where leadership is not available it reports false: in a restricted hook
// and in a start callback that runs before the layer's. In a charm that never
// called [Register], which is a mistake in the charm's code, it panics with
// an error wrapping [ErrNotRegistered] that says what to call; the hook fails
// with that message (a [reactive.PanicError], which errors.Is matches with
// ErrNotRegistered), so the mistake shows in the charm's first test.
func Get(h *reactive.Hook, key string) (string, bool) {
	s, err := sessionFor(h)
	if err != nil {
		if errors.Is(err, ErrNotRegistered) {
			panic(fmt.Errorf("leadership: reading leader setting %q (at %s): %w", key, charmSite(), err))
		}
		return "", false
	}
	v, ok, err := s.lookup(key)
	if err != nil {
		panic(fmt.Errorf("leadership: reading leader setting %q: %w", key, err))
	}
	return v, ok
}

// GetAll returns a copy of every leader setting, as [Get] sees them: an
// empty map where leadership is not available, and a panic wrapping
// [ErrNotRegistered] in a charm that never called [Register]. It reads every
// secret that holds a set key, as Get does.
func GetAll(h *reactive.Hook) map[string]string {
	s, err := sessionFor(h)
	if err != nil {
		if errors.Is(err, ErrNotRegistered) {
			panic(fmt.Errorf("leadership: reading leader settings (at %s): %w", charmSite(), err))
		}
		return map[string]string{}
	}
	all, err := s.lookupAll()
	if err != nil {
		panic(fmt.Errorf("leadership: reading leader settings: %w", err))
	}
	return all
}
