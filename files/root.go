package files

import (
	"context"
	"os"
	"path/filepath"
)

// RootEnv is the environment variable that moves the root of system paths
// for a charm process run by an out-of-process test (testing/jujusim's
// Options.Env): [Path] maps "/etc/x" to "$CHARMKIT_ROOT/etc/x". A relative
// value is relative to the working directory, which in a hook is the
// charm directory, so "CHARMKIT_ROOT=root" gives each simulated unit its
// own root. Juju never sets it.
const RootEnv = "CHARMKIT_ROOT"

type rootKey struct{}

// WithRoot returns a context under which [Path] maps system paths under
// root. testing/charmtest runs every hook with the unit's own root; a
// charm never needs to call it.
func WithRoot(ctx context.Context, root string) context.Context {
	return context.WithValue(ctx, rootKey{}, root)
}

// Root returns the directory system paths live under for this hook: the
// root given to [WithRoot], else $CHARMKIT_ROOT ([RootEnv]) made absolute,
// else "/".
func Root(ctx context.Context) string {
	if r, ok := ctx.Value(rootKey{}).(string); ok && r != "" {
		return r
	}
	if r := os.Getenv(RootEnv); r != "" {
		if abs, err := filepath.Abs(r); err == nil {
			return abs
		}
		return r
	}
	return "/"
}

// Path returns where the system path name ("/etc/app/app.conf") lives for
// this hook: name itself on a deployed unit, name under [Root] in a test. A
// relative name is returned unchanged.
func Path(ctx context.Context, name string) string {
	root := Root(ctx)
	if !filepath.IsAbs(name) || root == "/" {
		return name
	}
	return filepath.Join(root, name)
}
