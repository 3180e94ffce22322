package credentials_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/endpoint"
	"github.com/charmkit/charmkit/interfaces/credentials"
	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/testing/charmtest"
)

// vaultMetadata is a provider charm's metadata: a provides endpoint of the
// interface, and a peer endpoint of another interface.
const vaultMetadata = `name: vault
provides:
  clients:
    interface: credentials
  metrics:
    interface: prometheus
peers:
  cluster:
    interface: vault-cluster
`

// appMetadata is a client charm's metadata.
const appMetadata = `name: app
requires:
  server:
    interface: credentials
`

func mustMetadata(text string) *reactive.Metadata {
	md, err := reactive.ParseMetadata([]byte(text))
	if err != nil {
		panic(err)
	}
	return md
}

var (
	vaultMD = mustMetadata(vaultMetadata)
	appMD   = mustMetadata(appMetadata)
)

// provider registers the layers of a provider charm, without handlers.
func provider(r *reactive.Registry) {
	endpoint.Register(r, &endpoint.Options{Metadata: vaultMD})
	leadership.Register(r, nil)
	credentials.RegisterProvides(r, vaultMD)
}

// vault registers a provider charm whose leader publishes creds on the
// clients endpoint whenever it is requested.
func vault(creds credentials.Credentials) func(*reactive.Registry) {
	return vaultWith(credentials.ProvidesOptions{}, creds)
}

// vaultWith is vault with the provides side's options.
func vaultWith(opts credentials.ProvidesOptions, creds credentials.Credentials) func(*reactive.Registry) {
	return func(r *reactive.Registry) {
		endpoint.Register(r, &endpoint.Options{Metadata: vaultMD})
		leadership.Register(r, nil)
		credentials.RegisterProvidesWith(r, vaultMD, opts)
		r.Handle("share", reactive.When(leadership.IsLeaderFlag, credentials.RequestedFlag("clients")),
			func(ctx context.Context, h *reactive.Hook) error {
				return credentials.Publish(ctx, h, "clients", creds)
			})
	}
}

// client registers a client charm that writes the password to the file
// password and removes it when the credentials go away.
func client(r *reactive.Registry) {
	endpoint.Register(r, &endpoint.Options{Metadata: appMD})
	credentials.RegisterRequires(r, appMD)
	r.Handle("use", reactive.When(credentials.AvailableFlag("server"), credentials.ChangedFlag("server")),
		func(ctx context.Context, h *reactive.Hook) error {
			c, _, err := credentials.Get(ctx, h, "server")
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(h.CharmDir(), "password"), []byte(c.Password), 0o600); err != nil {
				return err
			}
			return h.ClearFlag(credentials.ChangedFlag("server"))
		})
	r.Handle("forget", reactive.WhenNot(credentials.AvailableFlag("server")),
		func(ctx context.Context, h *reactive.Hook) error {
			err := os.Remove(filepath.Join(h.CharmDir(), "password"))
			if os.IsNotExist(err) {
				return nil
			}
			return err
		})
}

// addresses is the bag Juju gives a unit when it enters a relation.
func addresses(ip string) map[string]string {
	return map[string]string{"private-address": ip, "ingress-address": ip, "egress-subnets": ip + "/32"}
}

// appCalls returns the calls of tool made with --app, as strings.
func appCalls(out charmtest.Result, tool string) []string {
	var s []string
	for _, c := range out.CallsTo(tool) {
		if slices.Contains(c.Args, "--app") {
			s = append(s, c.String()+strings.TrimRight(" "+c.Stdin, " \n"))
		}
	}
	return s
}

// probe registers fn as a handler that runs in update-status, after reg.
func probe(reg func(*reactive.Registry), fn reactive.HandlerFunc) func(*reactive.Registry) {
	return func(r *reactive.Registry) {
		reg(r)
		r.Handle("probe", reactive.OnHook("update-status"), fn)
	}
}

// secretTools are the secret tools the layers call.
var secretTools = []string{"secret-add", "secret-set", "secret-get", "secret-info-get", "secret-grant", "secret-revoke", "secret-remove"}

// secretCalls returns the calls of the secret tools, as strings, with the
// path of each file of secret content shown as "…": the values themselves
// never are on a command line.
func secretCalls(out charmtest.Result) []string {
	var s []string
	for _, c := range out.Calls {
		if !slices.Contains(secretTools, c.Tool) {
			continue
		}
		c.Args = slices.Clone(c.Args)
		for i, a := range c.Args {
			if k, _, ok := strings.Cut(a, "#file="); ok {
				c.Args[i] = k + "#file=…"
			}
		}
		s = append(s, c.String())
	}
	return s
}

// consumed returns the provider's secret as a client unit of another
// application sees it: owned by the provider application, granted to the
// client's, never read (the client's first read gives the latest).
func consumed(s charmtest.Secret, provider string) charmtest.Secret {
	return charmtest.Secret{ID: s.ID, Owner: provider, Revisions: s.Revisions, Granted: true}
}

// warnings returns the messages of the WARNING log records.
func warnings(out charmtest.Result) []string {
	var s []string
	for _, l := range out.Logs {
		if l.Level == "WARNING" {
			s = append(s, l.Message)
		}
	}
	return s
}

// requireNoValue checks that none of the values shows in a tool call's
// arguments, stdin or stderr (secret-get's output is where a unit reads a
// secret, and is not looked at), a log record or the unit's store.
func requireNoValue(t *testing.T, out charmtest.Result, values ...string) {
	t.Helper()
	var shown []string
	for _, c := range out.Calls {
		shown = append(shown, c.String(), c.Stdin, c.Stderr)
		if c.Tool != "secret-get" {
			shown = append(shown, c.Stdout)
		}
	}
	for _, l := range out.Logs {
		shown = append(shown, l.Message)
	}
	for k, v := range out.KV {
		shown = append(shown, k, v)
	}
	if out.Err != nil {
		shown = append(shown, out.Err.Error())
	}
	for _, v := range values {
		for _, s := range shown {
			require.NotContains(t, s, v)
		}
	}
}
