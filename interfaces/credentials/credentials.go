package credentials

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmkit/charmkit/endpoint"
	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/internal/callsite"
	"github.com/charmkit/charmkit/reactive"
)

// Interface is the interface name of the relation endpoints this package
// serves, as metadata.yaml writes it.
const Interface = "credentials"

// Keys of the provider application's relation bag (the wire format; the
// package documentation describes both modes). Values are plain strings,
// as Juju's CLI and charms written with other frameworks read them; a
// JSON-encoded string (a charms.reactive provider's to_publish_app) is
// read too.
const (
	// SecretUserKey holds, in secret mode, the URI of the Juju secret
	// (secret://<model-uuid>/<id>) whose content holds [UsernameKey] and
	// [PasswordKey]; the bag then holds no username or password.
	SecretUserKey = "secret-user"
	UsernameKey   = "username" // plain mode: required; secret mode: a key of the secret's content
	PasswordKey   = "password" // plain mode: required; secret mode: a key of the secret's content
	HostKey       = "host"     // optional, in the bag in both modes
	PortKey       = "port"     // optional, in the bag in both modes; a decimal number from 1 to 65535
)

// Errors of the package; every error it returns for one of these
// situations matches it with errors.Is.
var (
	// ErrInvalidCredentials: credentials to publish that lack a username
	// or a password or hold a bad value, or received credentials with a
	// bad value (a port that is not a number from 1 to 65535, a host with
	// white space).
	ErrInvalidCredentials = errors.New("invalid credentials")
	// ErrNotRegistered: a package function was called for a side whose
	// layer the charm never registered ([RegisterProvides],
	// [RegisterRequires]).
	ErrNotRegistered = errors.New("credentials layer not registered")
	// ErrUnknownEndpoint is endpoint.ErrUnknownEndpoint: a name that is not
	// an endpoint of the credentials interface on that side.
	ErrUnknownEndpoint = endpoint.ErrUnknownEndpoint
	// ErrUnknownRelation is endpoint.ErrUnknownRelation: a relation id that
	// is not one of the endpoint's relations in this hook.
	ErrUnknownRelation = endpoint.ErrUnknownRelation
	// ErrNotLeader is endpoint.ErrNotLeader (hookenv.ErrNotLeader): only
	// the leader writes its application's bag.
	ErrNotLeader = endpoint.ErrNotLeader
)

// Credentials is what a provider application gives each client
// application: a username and a password, and optionally where to use
// them.
type Credentials struct {
	Username string
	Password string
	Host     string // optional; no white space
	Port     int    // optional; 0 means none

	// RelationID and Application say where received credentials came
	// from ([Get]), and SecretURI, in secret mode, the secret the username
	// and password were read from (empty for plain relation data);
	// [Publish] ignores them.
	RelationID  string
	Application string
	SecretURI   string
}

// String describes c without its password, so that logging credentials
// does not leak it.
func (c Credentials) String() string {
	var b strings.Builder
	b.WriteString("credentials{username: " + strconv.Quote(c.Username) + ", password: ")
	if c.Password == "" {
		b.WriteString(`""`)
	} else {
		b.WriteString("(hidden)")
	}
	if c.Host != "" {
		b.WriteString(", host: " + strconv.Quote(c.Host))
	}
	if c.Port != 0 {
		b.WriteString(", port: " + strconv.Itoa(c.Port))
	}
	if c.Application != "" {
		b.WriteString(", from " + c.Application + " on " + c.RelationID)
	}
	b.WriteString("}")
	return b.String()
}

// Validate reports what keeps c from being published: an empty username or
// password, a value that is not valid UTF-8 or holds a NUL byte, a host
// with white space, a port outside 0-65535. The error wraps
// [ErrInvalidCredentials].
func (c Credentials) Validate() error {
	var problems []string
	if c.Username == "" {
		problems = append(problems, "empty username")
	}
	if c.Password == "" {
		problems = append(problems, "empty password")
	}
	for _, f := range []struct{ key, v string }{{UsernameKey, c.Username}, {PasswordKey, c.Password}, {HostKey, c.Host}} {
		if !utf8.ValidString(f.v) || strings.IndexByte(f.v, 0) >= 0 {
			problems = append(problems, f.key+" is not valid UTF-8 text without NUL bytes")
		}
	}
	if strings.IndexFunc(c.Host, unicode.IsSpace) >= 0 {
		problems = append(problems, fmt.Sprintf("host %q holds white space", c.Host))
	}
	if c.Port < 0 || c.Port > 65535 {
		problems = append(problems, fmt.Sprintf("port %d is not in 1-65535 (0 for none)", c.Port))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalidCredentials, strings.Join(problems, "; "))
	}
	return nil
}

// wire returns the bag's keys as published: the optional fields only
// when set.
func (c Credentials) wire() map[string]string {
	m := map[string]string{UsernameKey: c.Username, PasswordKey: c.Password}
	if c.Host != "" {
		m[HostKey] = c.Host
	}
	if c.Port != 0 {
		m[PortKey] = strconv.Itoa(c.Port)
	}
	return m
}

// secretContent is the content of the secret that holds c in secret mode.
func (c Credentials) secretContent() map[string]string {
	return map[string]string{UsernameKey: c.Username, PasswordKey: c.Password}
}

// digest is the sha256 digest of the wire form (as data_changed computes
// it), what the layers keep in the unit's store instead of the password.
func (c Credentials) digest() (string, error) {
	return flags.DataDigest(c.wire(), "sha256")
}

// publishedDigest is what the provider's leader records for a relation it
// published c on: the plain mode's is [Credentials.digest] (what the
// records held before secret mode existed), the secret mode's differs from
// it, so that a change of mode publishes again.
func (c Credentials) publishedDigest(secret bool) (string, error) {
	if !secret {
		return c.digest()
	}
	m := c.wire()
	m[SecretUserKey] = "(secret)"
	return flags.DataDigest(m, "sha256")
}

// decode reads what a provider application's bag says: the credentials of
// the plain mode, or, in secret mode, the host and port and the secret's
// URI (the username and password are then the secret's). ok is false when
// there is no URI and the username or the password is missing or empty; a
// host, port or URI that is present but bad is an error wrapping
// [ErrInvalidCredentials].
func decode(d endpoint.Data) (c Credentials, ok bool, err error) {
	c.Host, _ = d.String(HostKey)
	if strings.IndexFunc(c.Host, unicode.IsSpace) >= 0 {
		return Credentials{}, false, fmt.Errorf("%w: host %q holds white space", ErrInvalidCredentials, c.Host)
	}
	if raw, has := d.String(PortKey); has && raw != "" {
		p, perr := strconv.Atoi(raw)
		if perr != nil || p < 1 || p > 65535 {
			return Credentials{}, false, fmt.Errorf("%w: port %q is not a number from 1 to 65535", ErrInvalidCredentials, raw)
		}
		c.Port = p
	}
	if uri, _ := d.String(SecretUserKey); uri != "" {
		if _, err := hookenv.ParseSecretID(uri); err != nil {
			return Credentials{}, false, fmt.Errorf("%w: %s %q is not a secret URI", ErrInvalidCredentials, SecretUserKey, uri)
		}
		c.SecretURI = uri
		return c, true, nil
	}
	c.Username, _ = d.String(UsernameKey)
	c.Password, _ = d.String(PasswordKey)
	return c, c.Username != "" && c.Password != "", nil
}

// side is what the provides and requires layers share: the endpoints they
// serve.
type side struct {
	role  string // "provides" or "requires"
	names []string
}

// LayerName of each side.
const (
	ProvidesLayerName = "credentials.provides"
	RequiresLayerName = "credentials.requires"
)

// endpoints returns the endpoints of md with the role and this interface,
// and panics, saying what to do, when registration cannot work.
func endpoints(r *reactive.Registry, md *reactive.Metadata, role, fn string) []string {
	if r == nil {
		panic(fmt.Sprintf("credentials: %s at %s: nil registry", fn, callsite.Charm(0)))
	}
	if md == nil {
		panic(fmt.Sprintf("credentials: %s at %s: nil metadata: embed the charm's metadata.yaml and parse it with reactive.ParseMetadata", fn, callsite.Charm(0)))
	}
	if r.Layer(endpoint.LayerName) == nil {
		panic(fmt.Sprintf("credentials: %s at %s: the endpoint layer is not registered: call endpoint.Register(r, &endpoint.Options{Metadata: md}) first", fn, callsite.Charm(0)))
	}
	names := md.RelationsFor(role, Interface)
	if len(names) == 0 {
		var have []string
		rels := md.Provides
		if role == "requires" {
			rels = md.Requires
		}
		for _, n := range slices.Sorted(maps.Keys(rels)) {
			have = append(have, fmt.Sprintf("%s (interface %s)", n, rels[n].Interface))
		}
		if len(have) == 0 {
			have = []string{"none"}
		}
		panic(fmt.Sprintf("credentials: %s at %s: the metadata has no %s endpoint with interface %q (%s: %s): declare one, or do not register this side of the interface",
			fn, callsite.Charm(0), role, Interface, role, strings.Join(have, ", ")))
	}
	return names
}

// get returns the hook's endpoint called name, checking that it is one of
// the side's.
func get(h *reactive.Hook, layerName, name string) (*endpoint.Endpoint, error) {
	var s *side
	if h != nil {
		switch l := h.Layer(layerName).(type) {
		case *Provides:
			s = &l.side
		case *Requires:
			s = &l.side
		}
	}
	if s == nil {
		fn := "RegisterProvides"
		if layerName == RequiresLayerName {
			fn = "RegisterRequires"
		}
		return nil, fmt.Errorf("credentials: endpoint %q (at %s): %w: call credentials.%s(r, md) with the charm's handlers", name, callsite.Charm(0), ErrNotRegistered, fn)
	}
	if !slices.Contains(s.names, name) {
		return nil, fmt.Errorf("credentials: endpoint %q: %w: not a %s endpoint of interface %s (the charm's are: %s)", name, ErrUnknownEndpoint, s.role, Interface, strings.Join(s.names, ", "))
	}
	ep, err := endpoint.Get(h, name)
	if err != nil {
		return nil, fmt.Errorf("credentials: %w", err)
	}
	return ep, nil
}

// registerDeparted adds, for each endpoint of the side, the handler that
// forgets the endpoint's departed units: the layer's flags already say what
// a departure changed, and the endpoint layer would otherwise keep every
// departed unit's data in the store.
func registerDeparted(r *reactive.Registry, md *reactive.Metadata, role string) {
	endpoint.HandleInterface(r, md, role, Interface, "credentials.departed",
		endpoint.When("endpoint.{endpoint_name}.departed"),
		func(ctx context.Context, h *reactive.Hook, ep *endpoint.Endpoint) error {
			if err := ep.ClearDeparted(); err != nil {
				return err
			}
			return h.ClearFlag(endpoint.DepartedFlag(ep.Name()))
		})
}
