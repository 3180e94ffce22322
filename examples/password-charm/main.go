// Command password is the password charm's binary: installed as the charm's
// dispatch, it runs every hook (see package charm for what it does). Outside
// a hook it answers the charms.reactive commands against the unit's store.
//
// Build it as one static binary:
//
//	CGO_ENABLED=0 go build -o dispatch ./examples/password-charm
package main

import (
	"os"

	"github.com/charmkit/charmkit/examples/password-charm/charm"
	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/reactive"
)

func main() {
	// The backend follows the Juju version: leader settings up to 3.x, the
	// peer relation from Juju 4. A malformed environment is reported by
	// reactive.Main, which loads it again.
	env, _ := hookenv.LoadEnv(os.Getenv, os.Args[0])
	r := reactive.NewRegistry()
	charm.ForJuju(env).Register(r)
	reactive.Main(r)
}
