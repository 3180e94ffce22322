package hookenv

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The secret wrappers follow what Juju does (docs/juju-secrets.md). Secret
// content never goes on a command line, where the process table and the
// agent's trace logs would show it: every value is written to a file of a
// private temporary directory and passed as key#file=<path>, which also
// keeps its exact bytes (empty, surrounding white space, newlines). The
// directory is removed as soon as the tool returns. Errors name keys, never
// values.

// secretKeyRE is Juju's rule for secret content keys: lowercase, at least three
// characters, starting with a letter, single hyphens between alphanumerics.
var secretKeyRE = regexp.MustCompile(`^[a-z](?:-?[a-z0-9]){2,}$`)

// maxSecretSize is the largest content Juju accepts (3.6.9 and later), per
// value and in all, measured on the base64-encoded values; older releases
// have lower limits, which their tools enforce.
const maxSecretSize = 1000 * 1000

// SecretID is a parsed secret ID. Juju prints one secret's ID in several
// forms (secret-add's secret://<model-uuid>/<id>, JUJU_SECRET_ID's
// secret:<id>, secret-ids' bare <id>): compare IDs by their ID field.
type SecretID struct {
	// ModelUUID is the UUID of the model the secret belongs to; "" when
	// the ID does not say.
	ModelUUID string
	// ID is the secret's 20-character ID.
	ID string
}

// String formats the ID as Juju does: secret:<id>, or
// secret://<model-uuid>/<id> when the model is known.
func (id SecretID) String() string {
	if id.ModelUUID == "" {
		return "secret:" + id.ID
	}
	return "secret://" + id.ModelUUID + "/" + id.ID
}

var (
	xidRE     = regexp.MustCompile(`^[0-9a-v]{19}[0g]$`)
	modelIDRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

const secretIDForms = "want <id>, secret:<id>, secret:<model-uuid>/<id> or secret://<model-uuid>/<id>, the id 20 characters of 0-9a-v ending in 0 or g"

// ParseSecretID parses a secret ID in any form Juju's tools accept (the
// bare 20-character ID, secret:<id>, secret:<model-uuid>/<id>,
// secret://<model-uuid>/<id>). Anything else, which Juju would refuse, is
// an error wrapping [ErrInvalidArgument].
func ParseSecretID(s string) (SecretID, error) {
	rest := s
	if r, ok := strings.CutPrefix(rest, "secret:"); ok {
		rest = strings.TrimPrefix(r, "//")
	}
	model, id, hasModel := strings.Cut(rest, "/")
	if !hasModel {
		model, id = "", rest
	}
	if hasModel && !modelIDRE.MatchString(model) || !xidRE.MatchString(id) ||
		strings.HasPrefix(s, "secret://") && !hasModel {
		return SecretID{}, fmt.Errorf("%w: invalid secret ID %q: %s", ErrInvalidArgument, s, secretIDForms)
	}
	return SecretID{ModelUUID: model, ID: id}, nil
}

// checkSecretID validates an ID given to a wrapper.
func checkSecretID(tool, id string) error {
	if _, err := ParseSecretID(id); err != nil {
		return invalidWrap(tool, err)
	}
	return nil
}

// RotatePolicies are the rotation policies Juju accepts.
var RotatePolicies = []string{"never", "hourly", "daily", "weekly", "monthly", "quarterly", "yearly"}

// SecretOptions are the optional flags of secret-add and secret-set; empty
// fields are not passed (and leave a secret's setting as it is).
type SecretOptions struct {
	// Owner is for secret-add only: "application" (Juju's default: the
	// application owns the secret and its leader manages it) or "unit".
	Owner       string
	Label       string
	Description string
	// Expire is when the (new) revision expires: a duration from now
	// ("24h"), an RFC 3339 time, or YYYY-MM-DDTHH:MM:SS in UTC.
	Expire string
	// Rotate is the rotation policy, one of RotatePolicies.
	Rotate string
}

// isZero reports whether no option is set.
func (o SecretOptions) isZero() bool { return o == SecretOptions{} }

func (o SecretOptions) args(tool string, add bool) ([]string, error) {
	var args []string
	if o.Owner != "" {
		if !add {
			return nil, invalidf(tool, "owner can only be given to secret-add")
		}
		if o.Owner != "application" && o.Owner != "unit" {
			return nil, invalidf(tool, "invalid owner %q, expected application or unit", o.Owner)
		}
		args = append(args, "--owner="+o.Owner)
	}
	if o.Rotate != "" && !slices.Contains(RotatePolicies, o.Rotate) {
		return nil, invalidf(tool, "invalid rotate policy %q, expected one of %s", o.Rotate, strings.Join(RotatePolicies, ", "))
	}
	if o.Expire != "" && !validExpire(o.Expire) {
		return nil, invalidf(tool, "invalid expiry %q: want a positive duration, an RFC 3339 time or YYYY-MM-DDTHH:MM:SS", o.Expire)
	}
	for _, f := range []struct{ flag, val string }{
		{"--label", o.Label}, {"--description", o.Description}, {"--expire", o.Expire}, {"--rotate", o.Rotate},
	} {
		if f.val == "" {
			continue
		}
		if err := checkText(tool, f.flag[2:], f.val); err != nil {
			return nil, err
		}
		args = append(args, f.flag+"="+f.val)
	}
	return args, nil
}

// validExpire reports whether secret-add would accept s as --expire.
func validExpire(s string) bool {
	if _, err := time.Parse(time.RFC3339, s); err == nil {
		return true
	}
	if _, err := time.Parse("2006-01-02T15:04:05", s); err == nil {
		return true
	}
	d, err := time.ParseDuration(s)
	return err == nil && d > 0
}

// checkSecretContent validates content as Juju would, naming keys only.
func checkSecretContent(tool string, content map[string]string) error {
	total := 0
	for _, k := range slices.Sorted(maps.Keys(content)) {
		if !secretKeyRE.MatchString(k) {
			return invalidf(tool, "invalid secret key %q: want at least 3 lowercase letters, digits or single hyphens, starting with a letter", k)
		}
		v := content[k]
		if !utf8.ValidString(v) {
			// secret-get could not give it back: its output is text.
			return invalidf(tool, "value of %q is not valid UTF-8", k)
		}
		n := base64.StdEncoding.EncodedLen(len(v))
		if n > maxSecretSize {
			return invalidf(tool, "value of %q is %d bytes base64-encoded, over Juju's %d-byte limit", k, n, maxSecretSize)
		}
		total += n
	}
	if total > maxSecretSize {
		return invalidf(tool, "secret content is %d bytes base64-encoded, over Juju's %d-byte limit", total, maxSecretSize)
	}
	return nil
}

// secretFiles writes each value of content to a file named after its key
// (mode 0600) in a new private directory (mode 0700) and returns the
// key#file=<path> arguments, sorted by key, and the function that removes
// the directory. content must have been checked.
func secretFiles(tool string, content map[string]string) (args []string, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "charmkit-secret-")
	if err != nil {
		return nil, nil, fmt.Errorf("%s: making a directory for secret content: %w", tool, err)
	}
	cleanup = func() { os.RemoveAll(dir) }
	fail := func(err error) ([]string, func(), error) {
		cleanup()
		return nil, nil, err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fail(fmt.Errorf("%s: making a directory for secret content: %w", tool, err))
	}
	for _, k := range slices.Sorted(maps.Keys(content)) {
		path := filepath.Join(dir, k)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fail(fmt.Errorf("%s: writing the value of %q: %w", tool, k, err))
		}
		_, werr := f.WriteString(content[k])
		if err := errors.Join(werr, f.Close()); err != nil {
			return fail(fmt.Errorf("%s: writing the value of %q: %w", tool, k, err))
		}
		args = append(args, k+"#file="+path)
	}
	return args, cleanup, nil
}

// runWithContent runs a secret tool with args followed by content as
// key#file= arguments, the files removed when it returns.
func (t *Tools) runWithContent(ctx context.Context, tool string, args []string, content map[string]string) ([]byte, error) {
	if len(content) > 0 {
		files, cleanup, err := secretFiles(tool, content)
		if err != nil {
			return nil, err
		}
		defer cleanup()
		args = append(args, files...)
	}
	return t.run(ctx, tool, args, nil)
}

// SecretAdd creates a secret with the given content and returns its ID as
// secret-add prints it (secret://<model-uuid>/<id> since Juju 3.1.3,
// secret:<id> before). An application-owned secret (the default) may only
// be added by the leader; the secret exists once the hook succeeds, while
// the hook's own secret-get sees it at once.
func (t *Tools) SecretAdd(ctx context.Context, content map[string]string, opts SecretOptions) (string, error) {
	flags, err := opts.args("secret-add", true)
	if err != nil {
		return "", err
	}
	if len(content) == 0 {
		return "", invalidf("secret-add", "no secret content")
	}
	if err := checkSecretContent("secret-add", content); err != nil {
		return "", err
	}
	out, err := t.runWithContent(ctx, "secret-add", flags, content)
	if err != nil {
		return "", err
	}
	uri := strings.TrimSpace(string(out))
	if _, err := ParseSecretID(uri); err != nil || !strings.HasPrefix(uri, "secret:") {
		return "", badOutputf("secret-add", "%d bytes that are not a secret URI", len(out))
	}
	return uri, nil
}

// SecretSet changes a secret: new content (the whole content: keys not
// given are dropped), options (Owner must be empty), or both; with content
// only, metadata only. The change is committed when the hook succeeds; the
// new content becomes a new revision (from Juju 3.6, only if it differs
// from the latest). On a unit that does not manage the secret (a
// non-leader, for an application-owned secret) the tool succeeds and the
// hook fails at commit: check leadership first.
func (t *Tools) SecretSet(ctx context.Context, id string, content map[string]string, opts SecretOptions) error {
	if err := checkSecretID("secret-set", id); err != nil {
		return err
	}
	flags, err := opts.args("secret-set", false)
	if err != nil {
		return err
	}
	if len(content) == 0 && opts.isZero() {
		return invalidf("secret-set", "nothing to set: no content and no option")
	}
	if err := checkSecretContent("secret-set", content); err != nil {
		return err
	}
	_, err = t.runWithContent(ctx, "secret-set", append([]string{id}, flags...), content)
	return err
}

// SecretGetOptions are the optional flags of secret-get.
type SecretGetOptions struct {
	// Label looks the secret up by label, when the ID is empty: an owner
	// label (of a secret of the unit or its application) or the unit's
	// consumer label.
	Label string
	// Peek reads the latest revision without tracking it.
	Peek bool
	// Refresh reads the latest revision and tracks it from now on.
	Refresh bool
}

// SecretGet returns a secret's content, by ID or by label (exactly one):
// `secret-get --format=json <id> [--peek|--refresh]` or
// `secret-get --format=json --label=<label> [--peek|--refresh]`. Without
// Peek or Refresh it returns the revision the unit tracks (the latest at
// its first read), which may be older than the latest, even on the leader.
// An ID and a label are never sent together: Juju ignores, stores as a
// consumer label, or refuses such a label depending on the release.
func (t *Tools) SecretGet(ctx context.Context, id string, opts SecretGetOptions) (map[string]string, error) {
	args := []string{"--format=json"}
	switch {
	case id != "" && opts.Label != "":
		return nil, invalidf("secret-get", "give a secret ID or a label, not both")
	case id != "":
		if err := checkSecretID("secret-get", id); err != nil {
			return nil, err
		}
		args = append(args, id)
	case opts.Label == "":
		return nil, invalidf("secret-get", "need a secret ID or a label")
	default:
		if err := checkText("secret-get", "label", opts.Label); err != nil {
			return nil, err
		}
		args = append(args, "--label="+opts.Label)
	}
	if opts.Peek && opts.Refresh {
		return nil, invalidf("secret-get", "peek and refresh cannot be used together")
	}
	if opts.Peek {
		args = append(args, "--peek")
	}
	if opts.Refresh {
		args = append(args, "--refresh")
	}
	out, err := t.run(ctx, "secret-get", args, nil)
	if err != nil {
		return nil, err
	}
	return decodeStringMap("secret-get", out)
}

// SecretInfo is a secret's metadata, as secret-info-get reports it.
type SecretInfo struct {
	// ID is the secret's 20-character ID.
	ID string
	// Revision is the latest revision.
	Revision int
	Label    string
	// Owner is "application" or "unit".
	Owner       string
	Description string
	// Rotation is the rotation policy ("" when the secret was added in
	// this hook without one).
	Rotation string
	// Expiry is when the latest revision expires; Rotates when the secret
	// next rotates. Zero when not set.
	Expiry, Rotates time.Time
	// Access lists the view grants.
	Access []SecretAccess
}

// SecretAccess is a view grant of a secret.
type SecretAccess struct {
	Target string `json:"target"` // e.g. "application-mysql"
	Scope  string `json:"scope"`  // e.g. the relation's tag
	Role   string `json:"role"`   // "view"
}

// SecretInfoGet returns the metadata of a secret the unit manages (its
// own; its application's on the leader), by ID or by owner label (exactly
// one): `secret-info-get --format=json <id>` or
// `secret-info-get --format=json --label=<label>`. A secret the unit does
// not manage, or none, is a *ToolError matching [ErrSecretNotFound]: look a
// secret up by label this way before adding it.
func (t *Tools) SecretInfoGet(ctx context.Context, id, label string) (SecretInfo, error) {
	args := []string{"--format=json"}
	switch {
	case id != "" && label != "":
		return SecretInfo{}, invalidf("secret-info-get", "give a secret ID or a label, not both")
	case id != "":
		if err := checkSecretID("secret-info-get", id); err != nil {
			return SecretInfo{}, err
		}
		args = append(args, id)
	case label == "":
		return SecretInfo{}, invalidf("secret-info-get", "need a secret ID or a label")
	default:
		if err := checkText("secret-info-get", "label", label); err != nil {
			return SecretInfo{}, err
		}
		args = append(args, "--label="+label)
	}
	var out map[string]struct {
		Revision    int            `json:"revision"`
		Label       string         `json:"label"`
		Owner       string         `json:"owner"`
		Description string         `json:"description"`
		Rotation    string         `json:"rotation"`
		Expiry      *time.Time     `json:"expiry"`
		Rotates     *time.Time     `json:"rotates"`
		Access      []SecretAccess `json:"access"`
	}
	if err := t.runJSON(ctx, "secret-info-get", args, &out); err != nil {
		return SecretInfo{}, err
	}
	if len(out) != 1 {
		return SecretInfo{}, badOutputf("secret-info-get", "want one secret, got %d", len(out))
	}
	var info SecretInfo
	for k, v := range out {
		info = SecretInfo{ID: k, Revision: v.Revision, Label: v.Label, Owner: v.Owner, Description: v.Description,
			Rotation: v.Rotation, Access: v.Access}
		if v.Expiry != nil {
			info.Expiry = *v.Expiry
		}
		if v.Rotates != nil {
			info.Rotates = *v.Rotates
		}
	}
	return info, nil
}

// SecretRemove removes a secret the unit manages, or one revision of it
// (revision > 0; 0 removes the whole secret), with
// `secret-remove <id> [--revision=N]`. The removal is committed when the
// hook succeeds; as for SecretSet, a unit that does not manage the secret
// fails at commit.
func (t *Tools) SecretRemove(ctx context.Context, id string, revision int) error {
	if err := checkSecretID("secret-remove", id); err != nil {
		return err
	}
	if revision < 0 {
		return invalidf("secret-remove", "invalid revision %d", revision)
	}
	args := []string{id}
	if revision > 0 {
		args = append(args, fmt.Sprintf("--revision=%d", revision))
	}
	_, err := t.run(ctx, "secret-remove", args, nil)
	return err
}

// SecretIDs returns the 20-character IDs of the secrets the unit manages
// (its own; its application's on the leader), sorted, with
// `secret-ids --format=json`.
func (t *Tools) SecretIDs(ctx context.Context) ([]string, error) {
	out, err := t.run(ctx, "secret-ids", []string{"--format=json"}, nil)
	if err != nil {
		return nil, err
	}
	ids, err := decodeStrings("secret-ids", out)
	if err != nil {
		return nil, err
	}
	slices.Sort(ids)
	return ids, nil
}

// SecretGrant gives read access to a secret the unit manages (its own; its
// application's on the leader) to the application at the other end of a
// relation, or only to one of that application's units:
// `secret-grant <id> -r <relation-id> [--unit=<unit>]`. An empty relationID
// means the hook's relation (Juju refuses the call outside a relation
// hook). The grant is committed when the hook succeeds, before the hook's
// relation data, so a reader that finds the ID in relation data can read the
// secret; granting again what is granted changes nothing. A unit that does
// not manage the secret gets a *ToolError matching [ErrSecretNotFound], a
// leader that lost its lease one matching [ErrNotLeader].
func (t *Tools) SecretGrant(ctx context.Context, id, relationID, unit string) error {
	if err := checkSecretID("secret-grant", id); err != nil {
		return err
	}
	r, err := relArgs("secret-grant", relationID)
	if err != nil {
		return err
	}
	args := append([]string{id}, r...)
	if unit != "" {
		if !unitNameRE.MatchString(unit) {
			return invalidf("secret-grant", "invalid unit name %q", unit)
		}
		args = append(args, "--unit="+unit)
	}
	_, err = t.run(ctx, "secret-grant", args, nil)
	return err
}

// SecretRevokeOptions say whose access [Tools.SecretRevoke] withdraws. All
// empty means the hook's relation (Juju refuses that outside a relation
// hook).
type SecretRevokeOptions struct {
	// RelationID withdraws the access of the application at the other end
	// of the relation (or, with Unit, of that unit).
	RelationID string
	// App withdraws an application's access; not with RelationID or Unit.
	App string
	// Unit withdraws a unit's access.
	Unit string
}

// SecretRevoke withdraws read access to a secret the unit manages that
// [Tools.SecretGrant] gave:
// `secret-revoke <id> [-r <relation-id>] [--app=<app> | --unit=<unit>]`.
// The revocation is committed when the hook succeeds.
func (t *Tools) SecretRevoke(ctx context.Context, id string, opts SecretRevokeOptions) error {
	if err := checkSecretID("secret-revoke", id); err != nil {
		return err
	}
	switch {
	case opts.App != "" && opts.Unit != "":
		return invalidf("secret-revoke", "give an application or a unit, not both")
	case opts.App != "" && opts.RelationID != "":
		return invalidf("secret-revoke", "give a relation or an application, not both")
	case opts.App != "" && !appNameRE.MatchString(opts.App):
		return invalidf("secret-revoke", "invalid application name %q", opts.App)
	case opts.Unit != "" && !unitNameRE.MatchString(opts.Unit):
		return invalidf("secret-revoke", "invalid unit name %q", opts.Unit)
	}
	r, err := relArgs("secret-revoke", opts.RelationID)
	if err != nil {
		return err
	}
	args := append([]string{id}, r...)
	if opts.App != "" {
		args = append(args, "--app="+opts.App)
	}
	if opts.Unit != "" {
		args = append(args, "--unit="+opts.Unit)
	}
	_, err = t.run(ctx, "secret-revoke", args, nil)
	return err
}

// MinSecretsVersion is the first Juju whose secret tools the wrappers use:
// it added secret-info-get and secret-get --refresh (docs/juju-secrets.md,
// "1. Which Juju has secrets").
const MinSecretsVersion = "3.0.2"

// HasSecrets reports whether a unit of Juju v has the secret tools the
// wrappers use: 3.0.2 or later, pre-releases of 3.0 not included. The zero
// Version (JUJU_VERSION unset) answers true.
func (v Version) HasSecrets() bool {
	min, _ := ParseVersion(MinSecretsVersion)
	switch {
	case v == Version{}:
		return true
	case v.Major != min.Major || v.Minor != min.Minor:
		return v.AtLeast(min.Major, min.Minor)
	case v.Tag != "":
		return false
	}
	return v.Patch >= min.Patch
}
