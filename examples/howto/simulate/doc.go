// Package simulate holds the how-to's tests that run compiled example charms
// on several simulated units and applications with testing/jujusim: the
// shared-password charm on three units, and the credentials server and
// client related to each other.
package simulate
