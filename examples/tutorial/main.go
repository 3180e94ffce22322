// Command mycharm is the mycharm charm's binary: installed as the
// charm's dispatch (charmkit pack does it), it runs every hook; outside a
// hook it answers the charms.reactive commands against the unit's store.
// The handlers are in package charm.
package main

import (
	"github.com/charmkit/charmkit/reactive"

	"github.com/charmkit/charmkit/examples/tutorial/charm"
)

func main() {
	r := reactive.NewRegistry()
	charm.Register(r)
	reactive.Main(r) // runs the hook named by Juju's environment
}
