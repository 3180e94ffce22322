package charmvet

import "go/token"

// Charm is the analyzer's result for one package: the handlers and
// triggers its code registers, with the flags each one reads and writes.
// `charmkit graph` draws it. Flag names that are not constants appear as
// patterns, "*" standing for the part that is only known at run time.
type Charm struct {
	Package  string    // import path
	Handlers []Handler // in source order
	Triggers []Trigger // flags.Trigger literals, in source order
}

// Handler is one registration (reactive.Handle or Registry.Handle).
type Handler struct {
	Name      string    // the handler's name; "?" when it is not a constant
	Pos       token.Pos // the registration call
	Condition string    // the condition as reactive prints it; "?" for parts not known statically
	Reads     []Read    // flags its When* conditions watch, in order
	Writes    []Write   // flags its function sets or clears, in order of appearance
}

// How a condition watches a flag.
const (
	WhenAll    = "when"         // When, WhenAll: runs while set
	WhenNone   = "when-not"     // WhenNot, WhenNone: runs while not set
	WhenAny    = "when-any"     // WhenAny: runs while this or another is set
	WhenNotAll = "when-not-all" // WhenNotAll: runs while this or another is not set
)

// How a handler changes a flag.
const (
	OpSet    = "set"    // SetFlag, SetFlagValue, a leadership write
	OpClear  = "clear"  // ClearFlag, a leadership deletion
	OpToggle = "toggle" // ToggleFlag: set or clear
)

// Read is a flag a handler's condition watches.
type Read struct {
	Flag string
	How  string // WhenAll, WhenNone, WhenAny or WhenNotAll
}

// Write is a flag a handler's function (or a function of the same package
// that it calls) changes.
type Write struct {
	Flag string
	Op   string // OpSet, OpClear or OpToggle
}

// Trigger is a flags.Trigger literal: when When is set (or WhenNot
// cleared), SetFlag is set and ClearFlag cleared.
type Trigger struct {
	Pos                               token.Pos
	When, WhenNot, SetFlag, ClearFlag string
}
