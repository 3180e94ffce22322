package jujusim_test

import (
	"fmt"
	"log"

	"github.com/charmkit/charmkit/testing/jujusim"
)

// Deploy three units of a charm, move leadership, and look at what every
// unit did. The charm here is a shell script; a compiled Go charm is run
// the same way (see Options.Dispatch).
func Example() {
	m, err := jujusim.New(jujusim.Options{Charm: "testdata/charms/shared", Units: 3})
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	if err := m.Deploy(); err != nil {
		log.Fatal(err)
	}
	if err := m.Elect(m.Unit(2)); err != nil {
		log.Fatal(err)
	}
	if err := m.Settle(); err != nil {
		log.Fatal(err)
	}
	for _, ev := range m.Timeline() {
		if ev.Kind != jujusim.KindAddUnit {
			fmt.Println(ev)
		}
	}
	for _, u := range m.Units() {
		secret, _ := u.ReadFile("secret")
		fmt.Printf("%s: %s", u.Name(), secret)
	}
	fmt.Println("leases overlap:", m.CheckLeases() != nil)
	// Output:
	// elect    shared/0 initial leader
	// hook     shared/0* install
	// hook     shared/0* leader-elected
	// hook     shared/0* config-changed
	// hook     shared/0* start
	// hook     shared/1 install
	// hook     shared/1 leader-settings-changed
	// hook     shared/1 config-changed
	// hook     shared/1 start
	// hook     shared/2 install
	// hook     shared/2 leader-settings-changed
	// hook     shared/2 config-changed
	// hook     shared/2 start
	// clock    waited 21s for shared/0's leadership guarantee to expire
	// elect    shared/2 was shared/0
	// hook     shared/0 leader-settings-changed
	// hook     shared/2* leader-elected
	// shared/0: secret-from-shared/0-install
	// shared/1: secret-from-shared/0-install
	// shared/2: secret-from-shared/0-install
	// leases overlap: false
}
