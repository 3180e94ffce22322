// Package callsite finds the charm's line behind a call into charmkit, for
// the messages of registration panics and of errors a charm's code can
// only fix at the line that made the call.
package callsite

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
)

// Site is where something was called from. It keeps the program counters
// of the calling stack and is resolved to "dir/file.go:line" only when
// printed: resolving costs more than the call itself, in every hook
// process.
type Site struct {
	pcs  []uintptr // the calling stack, innermost frame first
	skip []string  // package prefixes ("<path>.") whose frames are not the site
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
