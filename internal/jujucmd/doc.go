// Package jujucmd is the one implementation, shared by the project's fake
// hook tools, of how Juju's hook-tool commands read their command line and
// print their output (docs/design.md, "The hook-tool contract"). The fake
// Juju uses it:
// the in-process tools of testing/charmtest and the out-of-process tool
// binary of testing/jujusim, so they cannot drift apart from each other or
// from Juju.
//
// # Parsing
//
// Juju's commands parse options with gnuflag, a GNU-style fork of Go's flag
// package, and call them "options" in their messages. [Parse] does the same
// for a list of [Option] definitions: interspersed options, "--name=value",
// "--name value", "-n value", "-nvalue", clustered one-letter switches,
// "--" ending the options, boolean switches that also accept "=true",
// "=false", "=1", "=0" (anything strconv.ParseBool takes), and -h/--help,
// which returns [ErrHelp]. A command-line mistake is a *[UsageError] with
// the exact text Juju prints after "ERROR ", with one deliberate difference:
// gnuflag names an unknown option as typed, so Juju's message for an option
// containing a newline runs over two lines; here a name with a non-printable
// character is quoted as Go's %q does (`option provided but not defined:
// "-\n"`), and every message is one line.
//
// Tools that print a value declare [FormatOptions]: --format, checked while
// parsing exactly as Juju's formatter value is, and -o/--output. Extra
// positional arguments are refused with [Unrecognized], cmd.CheckEmpty's
// error.
//
// # Exit status
//
// cmd.Main's convention is kept by [ExitCode]: 0 for success and for help,
// 2 for a *[UsageError] (any error before the command runs), 1 for an error
// raised while running. Errors are printed as one line, "ERROR <msg>\n".
//
// # Output
//
// [Format] renders a value as Juju's smart, yaml and json formatters do.
// JSON is byte-exact (Go's encoding/json, as in Juju); YAML comes from
// yaml.v3 with two-space indentation, which matches Juju's yaml.v2 for the
// flat maps and scalars hook tools print.
package jujucmd
