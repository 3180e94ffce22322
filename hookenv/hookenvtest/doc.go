// Package hookenvtest holds what Juju's hook tools answer, as golden scripts,
// and a conformance suite that checks a fake of the tools against them, in the
// spirit of testing/fstest.TestFS and testing/slogtest.
//
// A script records, for one situation, the exact command lines a hookenv
// wrapper runs in one hook context and the exact stdout bytes, stderr bytes
// and exit code Juju answers with, together with the state of the model those
// answers follow from. [Scripts] returns them all; [ParseScript] parses one.
// The hookenv package's tests replay them through child processes standing in
// for the tools; [TestRunner] replays them against a fake's [hookenv.Runner]
// built from each script's [State].
//
// # Format
//
// A script is a text file. Everything before the first section marker is a
// comment saying what the script shows. A section starts with a line
// "-- <name> --"; its content is every following line, each with its newline,
// up to the next marker:
//
//	state   optional, once, before the first call: one JSON object, the State
//	call    starts a call: a JSON list, the tool's name then its arguments
//	stdin   optional: the exact bytes the call reads on stdin
//	files   optional: the files the call reads, a JSON object of name to
//	        exact content; the call names their directory $FILES
//	stdout  the exact stdout bytes (an empty section: nothing printed)
//	stderr  the exact stderr bytes
//	exit    the exit code; 0 when the section is missing
//
// The calls of a script run in order in one hook context, so a script can show
// behaviour that spans calls: the leader-settings snapshot dropped after the
// context's own leader-set, the sticky false of is-leader. testdata/README.md
// describes the state's schema with examples.
package hookenvtest
