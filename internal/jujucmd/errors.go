package jujucmd

import (
	"errors"
	"fmt"
)

// ErrHelp is returned by [Parse] when the command line asks for help with
// -h or --help. Juju's cmd.Main then prints the usage to stdout and exits 0;
// parsing stops at the help option, so options after it are not checked.
var ErrHelp = errors.New("jujucmd: help requested")

// UsageError is an error in the command line itself: an unknown option, a
// missing or invalid option value, or bad or extra positional arguments.
// Juju's cmd.Main reports it before the command runs, as
// "ERROR <message>\n" on stderr with exit status 2 (see [ExitCode]).
type UsageError struct {
	// Err is the error whose message follows "ERROR ".
	Err error
}

// Error returns the message printed after "ERROR ".
func (e *UsageError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef returns a *[UsageError] whose message is formatted as by
// fmt.Errorf, so a %w verb wraps its operand.
func Usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// ExitCode is the exit status Juju's cmd.Main gives a command that returned
// err: 0 for nil and for [ErrHelp], 2 for a *[UsageError] (anywhere in err's
// chain), 1 for any other error (one raised while running).
func ExitCode(err error) int {
	var ue *UsageError
	switch {
	case err == nil, errors.Is(err, ErrHelp):
		return 0
	case errors.As(err, &ue):
		return 2
	}
	return 1
}

// Unrecognized is cmd.CheckEmpty's error for positional arguments a command
// does not take: `unrecognized args: ["x" "y"]` (Go's %q of the slice), a
// usage error.
func Unrecognized(extra []string) error {
	return Usagef("unrecognized args: %q", extra)
}
