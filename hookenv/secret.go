package hookenv

import (
	"context"
	"regexp"
	"strings"
)

// secretKeyRE is Juju's rule for secret content keys: lowercase, at least three
// characters, starting with a letter, single hyphens between alphanumerics.
var secretKeyRE = regexp.MustCompile(`^[a-z](?:-?[a-z0-9]){2,}$`)

// SecretOptions are the optional flags of secret-add and secret-set.
type SecretOptions struct {
	Owner       string // secret-add only: "application" (default, leader only) or "unit"
	Label       string
	Description string
	Expire      string // a duration ("24h") or an RFC 3339 time
	Rotate      string // "never", "hourly", "daily", "monthly", "quarterly", "yearly"
}

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
	if o.Rotate != "" {
		switch o.Rotate {
		case "never", "hourly", "daily", "monthly", "quarterly", "yearly":
		default:
			return nil, invalidf(tool, "invalid rotate policy %q", o.Rotate)
		}
	}
	return args, nil
}

func secretContentArgs(tool string, content map[string]string) ([]string, error) {
	if len(content) == 0 {
		return nil, invalidf(tool, "no secret content")
	}
	for k := range content {
		if !secretKeyRE.MatchString(k) {
			return nil, invalidf(tool, "invalid secret key %q: want at least 3 lowercase letters, digits or single hyphens, starting with a letter", k)
		}
	}
	args, err := EncodeKeyValues(content)
	if err != nil {
		return nil, invalidWrap(tool, err)
	}
	return args, nil
}

func checkSecretID(tool, id string) error {
	if id == "" || strings.HasPrefix(id, "-") || strings.ContainsAny(id, " \t\r\n\x00") {
		return invalidf(tool, "invalid secret id %q", id)
	}
	return nil
}

// SecretAdd creates a secret and returns its URI ("secret:..."), with
// `secret-add [flags] k=v ...`. Application-owned secrets are managed by the leader
// only; the write takes effect if the hook succeeds.
func (t *Tools) SecretAdd(ctx context.Context, content map[string]string, opts SecretOptions) (string, error) {
	flags, err := opts.args("secret-add", true)
	if err != nil {
		return "", err
	}
	kv, err := secretContentArgs("secret-add", content)
	if err != nil {
		return "", err
	}
	out, err := t.run(ctx, "secret-add", append(flags, kv...), nil)
	if err != nil {
		return "", err
	}
	uri := strings.TrimSpace(string(out))
	if !strings.HasPrefix(uri, "secret:") || strings.ContainsAny(uri, " \t\n") {
		return "", badOutputf("secret-add", "%q is not a secret URI", clip(out))
	}
	return uri, nil
}

// SecretSet updates a secret's content (and options; Owner must be empty) with
// `secret-set <id> [flags] k=v ...`.
func (t *Tools) SecretSet(ctx context.Context, id string, content map[string]string, opts SecretOptions) error {
	if err := checkSecretID("secret-set", id); err != nil {
		return err
	}
	flags, err := opts.args("secret-set", false)
	if err != nil {
		return err
	}
	kv, err := secretContentArgs("secret-set", content)
	if err != nil {
		return err
	}
	args := append(append([]string{id}, flags...), kv...)
	_, err = t.run(ctx, "secret-set", args, nil)
	return err
}

// SecretGetOptions are the optional flags of secret-get.
type SecretGetOptions struct {
	Label   string // look the secret up by label (id may then be empty)
	Peek    bool   // read the latest revision without tracking it
	Refresh bool   // read the latest revision and track it
}

// SecretGet returns a secret's content (`secret-get --format=json <id> [--label L]
// [--peek|--refresh]`).
func (t *Tools) SecretGet(ctx context.Context, id string, opts SecretGetOptions) (map[string]string, error) {
	args := []string{"--format=json"}
	if id != "" {
		if err := checkSecretID("secret-get", id); err != nil {
			return nil, err
		}
		args = append(args, id)
	} else if opts.Label == "" {
		return nil, invalidf("secret-get", "need a secret id or a label")
	}
	if opts.Label != "" {
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
