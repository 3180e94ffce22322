// Package callsite finds the charm's line behind a call into charmkit, for
// the messages of registration panics and of errors a charm's code can
// only fix at the line that made the call.
package callsite

import (
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
)

// Site is where something was called from. It keeps the program counters
// of the calling stack and is resolved to "dir/file.go:line" only when
// printed: resolving costs more than the call itself, in every hook
// process.
type Site struct {
	pcs     []uintptr // the calling stack, innermost frame first
	skip    []string  // package prefixes ("<path>.") whose frames are not the site
	library bool      // frames of charmkit's library packages are not the site either
}

// Caller returns the site skip frames up from its caller: 1 is the caller
// of the function that calls Caller, as runtime.Caller(2) would say.
func Caller(skip int) Site {
	pcs := make([]uintptr, 1)
	return Site{pcs: pcs[:runtime.Callers(skip+2, pcs)]}
}

// Outside returns the site of the first caller, from skip frames up (as
// for Caller), whose function is in none of the packages pkgs (import
// paths): the charm's line behind a call that went through those
// packages.
func Outside(skip int, pkgs ...string) Site {
	pcs := make([]uintptr, 32)
	s := Site{pcs: pcs[:runtime.Callers(skip+2, pcs)]}
	for _, p := range pkgs {
		s.skip = append(s.skip, p+".")
	}
	return s
}

// Charm returns the site of the first caller, from skip frames up (as for
// Caller), that is not in one of charmkit's library packages: the charm's
// line behind a call that went through several of them (an interface
// package, the endpoint layer). The examples and the external test
// packages (_test) count as charms.
func Charm(skip int) Site {
	s := Outside(skip + 1)
	s.library = true
	return s
}

// modulePrefix is "<charmkit's module path>/".
var modulePrefix = strings.TrimSuffix(reflect.TypeFor[Site]().PkgPath(), "internal/callsite")

// isLibrary reports whether the function (as runtime names it) is in one
// of charmkit's library packages.
func isLibrary(function string) bool {
	rest, ok := strings.CutPrefix(function, modulePrefix)
	if !ok || strings.HasPrefix(rest, "examples/") {
		return false
	}
	// The package path ends at the first dot after the last slash (before
	// the type arguments of a generic function).
	rest, _, _ = strings.Cut(rest, "[")
	if i := strings.LastIndex(rest, "/"); i >= 0 {
		rest = rest[i+1:]
	}
	pkg, _, _ := strings.Cut(rest, ".")
	return !strings.HasSuffix(pkg, "_test")
}

// String returns "dir/file.go:line" of the first frame outside the skipped
// packages, or "unknown site".
func (s Site) String() string {
	if len(s.pcs) == 0 {
		return "unknown site"
	}
	frames := runtime.CallersFrames(s.pcs)
	for {
		f, more := frames.Next()
		inside := false
		for _, p := range s.skip {
			// Function names are "<pkgpath>.<func>" or "<pkgpath>.(*T).m".
			inside = inside || strings.HasPrefix(f.Function, p) && !strings.Contains(strings.TrimPrefix(f.Function, p), "/")
		}
		inside = inside || s.library && isLibrary(f.Function)
		if !inside {
			return Short(f.File, f.Line)
		}
		if !more {
			return "unknown site"
		}
	}
}

// Short renders a source position as "dir/file.go:line".
func Short(file string, line int) string {
	return fmt.Sprintf("%s:%d", filepath.Base(filepath.Dir(file))+"/"+filepath.Base(file), line)
}
