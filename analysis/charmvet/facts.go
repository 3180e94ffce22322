package charmvet

import (
	"fmt"
	"strings"
)

// pkgFlags is the package fact: what a package does with flags and leader
// settings, so that the packages importing it know. Flag names are patterns
// (see [globMatch]); Sets and Reads come from the package's code and its
// //charmkit:flags directives, or, for charmkit's own layers, from
// [KnownLayers].
type pkgFlags struct {
	Sets         []string // flags (patterns) the package sets
	Reads        []string // flags (patterns) the package reads
	LeaderKeys   []string // leader-setting keys it writes
	AnyLeaderKey bool     // it writes leader settings whose keys are not constant
}

func (*pkgFlags) AFact() {}

func (f *pkgFlags) String() string {
	var parts []string
	if len(f.Sets) > 0 {
		parts = append(parts, "sets "+strings.Join(f.Sets, " "))
	}
	if len(f.Reads) > 0 {
		parts = append(parts, "reads "+strings.Join(f.Reads, " "))
	}
	if len(f.LeaderKeys) > 0 {
		parts = append(parts, "writes leader keys "+strings.Join(f.LeaderKeys, " "))
	}
	if f.AnyLeaderKey {
		parts = append(parts, "writes any leader key")
	}
	return "flags(" + strings.Join(parts, "; ") + ")"
}

func (f *pkgFlags) empty() bool {
	return len(f.Sets) == 0 && len(f.Reads) == 0 && len(f.LeaderKeys) == 0 && !f.AnyLeaderKey
}

// flagFunc is the object fact of a function that builds a flag name from its
// one string argument: func(key string) string { return Prefix + key + Suffix },
// such as leadership.SetFlag. A call with a constant argument then names a
// known flag.
type flagFunc struct {
	Prefix, Suffix string
}

func (*flagFunc) AFact() {}

func (f *flagFunc) String() string { return fmt.Sprintf("flagFunc(%q + key + %q)", f.Prefix, f.Suffix) }
