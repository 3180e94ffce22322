// Package charmtest runs one hook of a charm in process, against fake hook
// tools, and returns the unit's new state: state in, hook, state out.
package charmtest
