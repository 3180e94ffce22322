package charm

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/charmkit/charmkit/endpoint"
	"github.com/charmkit/charmkit/files"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/interfaces/credentials"
	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/reactive"
)

// Flags the charm sets.
const (
	// StoredFlag is set while this unit has written the shared password.
	StoredFlag = "password.stored"
	// CrashAttemptedFlag is set by maybe_fail just before it fails the hook
	// (so it is never committed). No handler watches it, tests do: the
	// directive tells charmkit vet that it is read.
	//
	//charmkit:flags reads password.crash-attempted
	CrashAttemptedFlag = "password.crash-attempted"
)

// Leader-setting keys, config options and files.
const (
	// PasswordKey is the leader setting holding the shared password.
	PasswordKey = "admin_password"
	// MotdKey is the leader setting the leader mirrors from config motd.
	MotdKey = "motd"
	// CrashMarkerKey is the leader setting maybe_fail writes on the leader
	// before failing the hook.
	CrashMarkerKey = "crash_marker"
	// PasswordFileOption is the config option naming the password file.
	PasswordFileOption = "password-file"
	// DefaultPasswordFile is the password file when the option is empty.
	DefaultPasswordFile = "admin_password"
	// MotdOption is the config option the leader mirrors into [MotdKey].
	MotdOption = "motd"
	// FailOnUnitOption is the config option listing the units (space
	// separated) whose hooks maybe_fail fails on purpose.
	FailOnUnitOption = "fail-on-unit"
	// MotdFile is the file, in the charm directory, holding the motd setting.
	MotdFile = "motd"
	// PeerRelation is the peer endpoint (metadata.yaml) that holds the
	// settings with the peer-relation backend.
	PeerRelation = "cluster"
	// ClientsRelation is the provides endpoint (metadata.yaml, interface
	// credentials) on which the leader gives the password to related
	// client applications.
	ClientsRelation = "clients"
	// ClientUsername is the username published with the password.
	ClientUsername = "admin"
	// PasswordGroup is the leadership key group ([leadership.Options]
	// Secrets) whose application-owned Juju secret holds [PasswordKey]
	// with [SecretOptions]; the secret is labelled "leadership-admin"
	// ([leadership.SecretLabel]).
	PasswordGroup = "admin"
	// RotateAction is the action (actions.yaml) with which the leader sets
	// a new password: `juju run password/leader rotate-password`.
	RotateAction = "rotate-password"
)

// Relations returns the part of metadata.yaml the endpoint layer manages:
// the clients endpoint (a test checks it against metadata.yaml). The peer
// relation is left out: the leadership layer may keep its settings there.
func Relations() *reactive.Metadata {
	return &reactive.Metadata{Provides: map[string]reactive.Relation{ClientsRelation: {Interface: credentials.Interface}}}
}

// writtenPathKey is the store key recording where this unit last wrote the
// password, so a change of password-file moves the file.
const writtenPathKey = "password.file"

// ErrInjectedFailure is returned by maybe_fail on a unit named in the
// fail-on-unit option.
var ErrInjectedFailure = errors.New("injected failure (fail-on-unit)")

// Charm is the password charm's configuration. The zero value keeps every
// setting, the password included, in plain leader settings and makes
// passwords with crypto/rand: it is the reference charm of the leadership
// scenarios. The charm's binary registers [ForJuju]'s configuration, which
// keeps the password in a Juju secret ([SecretOptions]).
type Charm struct {
	// Leadership configures the leadership layer: set PeerRelation to
	// [PeerRelation] to keep the settings in the peer relation (Juju 4),
	// and Secrets (see [SecretOptions]) to keep the password in a Juju
	// secret.
	Leadership leadership.Options
	// NewPassword makes the shared secret; nil means [NewPassword].
	NewPassword func() (string, error)
}

// Register registers the zero [Charm] on r: every setting, the password
// included, in plain leader settings.
func Register(r *reactive.Registry) { (&Charm{}).Register(r) }

// SecretOptions returns the leadership options that keep [PasswordKey] in
// the application-owned Juju secret of the key group [PasswordGroup]: the
// leader settings then hold only a pointer to the secret (its ID and
// revision), never the password. On a Juju without secrets (before 3.0.2)
// the password stays in plain settings and every hook logs a WARNING
// (PlainFallback); once Juju is upgraded, the leader moves it into the
// secret.
func SecretOptions() leadership.Options {
	return leadership.Options{
		Secrets:       map[string][]string{PasswordGroup: {PasswordKey}},
		PlainFallback: true,
	}
}

// ForJuju returns the charm as its binary runs it for the Juju version in
// env: the password in a Juju secret ([SecretOptions]); the settings
// (motd, crash_marker and the pointer to the secret) in Juju's leader
// settings up to Juju 3, and from Juju 4, which has no leader settings, in
// the peer relation [PeerRelation].
func ForJuju(env hookenv.Env) *Charm {
	c := &Charm{Leadership: SecretOptions()}
	if env.JujuVersion.Major >= 4 {
		c.Leadership.PeerRelation = PeerRelation
	}
	return c
}

// NewPassword returns 32 random bytes from crypto/rand, base64url-encoded
// without padding (43 characters, 256 bits).
func NewPassword() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Register registers the endpoint, leadership and credentials layers and
// the charm's handlers on r, in the order of the reference charm
// (docs/design.md, "The reference charm"), then the handler of the action
// [RotateAction].
func (c *Charm) Register(r *reactive.Registry) {
	relations := Relations()
	endpoint.Register(r, &endpoint.Options{Metadata: relations})
	leadership.Register(r, &c.Leadership)
	credentials.RegisterProvides(r, relations)
	newPassword := c.NewPassword
	if newPassword == nil {
		newPassword = NewPassword
	}

	// setPassword publishes a new password: a leader setting, or a new
	// revision of the secret, which the layer publishes when the hook
	// succeeds.
	setPassword := func(ctx context.Context, h *reactive.Hook) error {
		p, err := newPassword()
		if err != nil {
			return err
		}
		return leadership.Set(ctx, h, map[string]string{PasswordKey: p})
	}

	r.Handle("generate_secret", reactive.All(
		reactive.When(leadership.IsLeaderFlag),
		reactive.WhenNot(leadership.SetFlag(PasswordKey)),
	), func(ctx context.Context, h *reactive.Hook) error {
		err := setPassword(ctx, h)
		if errors.Is(err, leadership.ErrPeerUnavailable) {
			h.Logger().Info("peer relation not there yet; the password will be generated in a later hook")
			return nil
		}
		return err
	})

	r.Handle("store_secret", reactive.When(leadership.ChangedFlag(PasswordKey)), func(ctx context.Context, h *reactive.Hook) error {
		path, err := passwordPath(ctx, h)
		if err != nil {
			return err
		}
		v, ok := leadership.Get(h, PasswordKey)
		if err := syncFile(ctx, path, v, ok); err != nil {
			return err
		}
		if ok {
			if err := h.KV().Set(writtenPathKey, path); err != nil {
				return err
			}
		}
		return h.ToggleFlag(StoredFlag, ok)
	})

	r.Handle("sync_motd", reactive.When(leadership.IsLeaderFlag), func(ctx context.Context, h *reactive.Hook) error {
		cfg, err := h.Tools().ConfigGet(ctx)
		if err != nil {
			return err
		}
		want, _ := cfg.String(MotdOption)
		if cur, _ := leadership.Get(h, MotdKey); cur != want {
			err := leadership.Set(ctx, h, map[string]string{MotdKey: want})
			if errors.Is(err, leadership.ErrPeerUnavailable) {
				return nil
			}
			return err
		}
		return nil
	})

	r.Handle("store_motd", reactive.When(leadership.ChangedFlag(MotdKey)), func(ctx context.Context, h *reactive.Hook) error {
		v, ok := leadership.Get(h, MotdKey)
		return syncFile(ctx, filepath.Join(h.CharmDir(), MotdFile), v, ok)
	})

	r.Handle("maybe_fail", reactive.When(leadership.SetFlag(PasswordKey)), func(ctx context.Context, h *reactive.Hook) error {
		cfg, err := h.Tools().ConfigGet(ctx)
		if err != nil {
			return err
		}
		names, _ := cfg.String(FailOnUnitOption)
		if !slices.Contains(strings.Fields(names), h.Env().UnitName) {
			return nil
		}
		if err := h.SetFlag(CrashAttemptedFlag); err != nil {
			return err
		}
		if h.IsFlagSet(leadership.IsLeaderFlag) {
			if err := leadership.Set(ctx, h, map[string]string{CrashMarkerKey: h.Name()}); err != nil {
				return err
			}
		}
		if err := h.Tools().StatusSet(ctx, hookenv.Status{State: "maintenance", Message: "about to fail (injected)"}); err != nil {
			return err
		}
		return ErrInjectedFailure
	})

	r.Handle("ready", reactive.When(StoredFlag), func(ctx context.Context, h *reactive.Hook) error {
		if err := followPasswordFile(ctx, h); err != nil {
			return err
		}
		msg := "ready (follower)"
		if h.IsFlagSet(leadership.IsLeaderFlag) {
			msg = "ready (leader)"
		}
		return h.Tools().StatusSet(ctx, hookenv.Status{State: "active", Message: msg})
	})

	r.Handle("waiting", reactive.WhenNot(StoredFlag), func(ctx context.Context, h *reactive.Hook) error {
		return h.Tools().StatusSet(ctx, hookenv.Status{State: "waiting", Message: "waiting for admin_password"})
	})

	// The leader gives the password to every related client application,
	// and again when it changes or a relation is new; Publish sends only
	// what a relation has not got yet.
	r.Handle("share_password", reactive.When(
		leadership.IsLeaderFlag, leadership.SetFlag(PasswordKey), credentials.RequestedFlag(ClientsRelation),
	), func(ctx context.Context, h *reactive.Hook) error {
		p, _ := leadership.Get(h, PasswordKey)
		return credentials.Publish(ctx, h, ClientsRelation, credentials.Credentials{Username: ClientUsername, Password: p})
	})

	// juju run password/leader rotate-password: the leader sets a new
	// password; its own store_secret and share_password follow in this
	// action, every other unit's store_secret in its next hook. The
	// results say only that it was done: action-set values are on a
	// command line.
	r.Handle("rotate_password", reactive.OnAction(RotateAction), func(ctx context.Context, h *reactive.Hook) error {
		tools := h.Tools()
		if !h.IsFlagSet(leadership.IsLeaderFlag) {
			return tools.ActionFail(ctx, notLeaderMessage(h))
		}
		err := setPassword(ctx, h)
		switch {
		case errors.Is(err, leadership.ErrNotLeader):
			return tools.ActionFail(ctx, notLeaderMessage(h))
		case errors.Is(err, leadership.ErrPeerUnavailable):
			return tools.ActionFail(ctx, fmt.Sprintf("the peer relation %s is not there yet: run %s again once it is", PeerRelation, RotateAction))
		case err != nil:
			return fmt.Errorf("rotating %s: %w", PasswordKey, err)
		}
		h.Logger().Info(PasswordKey + " rotated: every unit writes the new password in its next hook")
		return tools.ActionSet(ctx, map[string]string{"result": "rotated"})
	})
}

// notLeaderMessage is the failure message of [RotateAction] on a unit
// that does not lead.
func notLeaderMessage(h *reactive.Hook) string {
	env := h.Env()
	return fmt.Sprintf("%s is not the leader: run the action on the leader (juju run %s/leader %s)", env.UnitName, env.AppName, RotateAction)
}

// passwordPath returns the file named by the password-file option (default
// admin_password); a relative path is relative to the charm directory.
func passwordPath(ctx context.Context, h *reactive.Hook) (string, error) {
	cfg, err := h.Tools().ConfigGet(ctx)
	if err != nil {
		return "", err
	}
	p, _ := cfg.String(PasswordFileOption)
	if p == "" {
		p = DefaultPasswordFile
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(h.CharmDir(), p)
	}
	return p, nil
}

// followPasswordFile moves the password when the password-file option
// names another file than the one last written (the change of a config
// option raises no leadership flag, so store_secret would not run): it
// writes the new file, then removes the old one, so the secret is left in
// no file the charm no longer manages.
func followPasswordFile(ctx context.Context, h *reactive.Hook) error {
	path, err := passwordPath(ctx, h)
	if err != nil {
		return err
	}
	var last string
	if _, err := h.KV().Get(writtenPathKey, &last); err != nil {
		return err
	}
	if last == path {
		return nil
	}
	// Only now: with the password in a secret, Get reads it (a secret-get)
	// unless this hook has already.
	v, ok := leadership.Get(h, PasswordKey)
	if !ok {
		return nil
	}
	if err := writeFileAtomic(ctx, path, v); err != nil {
		return err
	}
	if last != "" {
		if _, err := files.Remove(ctx, last); err != nil {
			return fmt.Errorf("removing the old password file: %w", err)
		}
	}
	return h.KV().Set(writtenPathKey, path)
}

// syncFile writes value to path when present and removes path otherwise.
func syncFile(ctx context.Context, path, value string, present bool) error {
	if present {
		return writeFileAtomic(ctx, path, value)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing %s: %w", path, err)
	}
	return nil
}

// writeFileAtomic writes data to path with mode 0600 (directories it
// creates: 0700), atomically: a reader sees the old content or the new,
// never a part. It first removes the temporary copies a hook killed in the
// middle of an earlier write left next to path (the hook holds the unit's
// lock, so no other hook of the unit is writing there).
func writeFileAtomic(ctx context.Context, path, data string) error {
	if _, err := files.RemoveTemp(filepath.Dir(path)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing leftover temporary files: %w", err)
	}
	_, err := files.Write(ctx, path, []byte(data), files.Options{Mode: 0o600, DirMode: 0o700})
	return err
}
