// Package hookenv is how a charm process talks to the Juju unit agent: the hook
// context read from the environment, and typed wrappers over Juju's hook tools.
//
// # Environment
//
// [LoadEnv] reads the hook context (unit, application, model, charm directory,
// hook or action name, relation, Juju version) from the variables the agent sets
// (docs/design.md, "The hook environment"). Missing or malformed values are
// errors ([*EnvError], [ErrMissingEnv]), never zero values used silently.
// [HookName] resolves the event: JUJU_HOOK_NAME, else JUJU_DISPATCH_PATH, else
// argv[0].
//
// # Running tools
//
// Every tool is run through a one-method [Runner] (context first); [ExecRunner]
// runs the tool from PATH and captures stdout and stderr. It bounds every call:
// a tool is killed, with its process group, when the context ends, after
// [ExecRunner.Timeout] ([DefaultToolTimeout], a minute; [ErrToolTimeout]), or once
// it writes more than [ExecRunner.MaxOutput] bytes to stdout or stderr
// ([DefaultMaxOutput], 8 MiB; [ErrOutputTooLarge]), and a command line that
// execve would refuse as too long is refused before it starts. A tool that exits
// non-zero is a [*ToolError] carrying the tool, its arguments, the exit code (2 for
// usage errors, 1 for errors while running) and Juju's "ERROR ..." message. A tool
// that is not installed wraps [ErrToolNotFound]: Juju 4 removed leader-get and
// leader-set, and callers must be able to tell. Refusals of leader-only writes match
// [ErrNotLeader].
//
// No error text shows a value, because a hook logs its error to the controller's
// debug-log: [ToolError.Error] hides every argument's value (key=value shows as
// "key=…", free text after "--" as "…"), output that does not decode is described
// by its size and the position of the fault, never quoted, and input refused
// before the call is named by its key. [ToolError.Args] and [ToolError.Stderr]
// keep the data for programmatic use and must never be logged.
//
// [Tools] holds a Runner and offers one typed method per tool. Every tool that
// supports it is called with --format=json and its output decoded into Go types
// (undecodable output wraps [ErrBadOutput]). Free text (log messages, status
// messages, versions) goes after "--", so it may start with "-". Input Juju would
// reject (a key containing "=", an unknown status, a bad port, a value Juju would
// trim) is refused before any tool runs, with an error wrapping [ErrInvalidArgument].
//
// # Secrets
//
// The secret wrappers ([Tools.SecretAdd], [Tools.SecretSet], [Tools.SecretGet],
// [Tools.SecretInfoGet], [Tools.SecretRemove], [Tools.SecretIDs],
// [Tools.SecretGrant], [Tools.SecretRevoke]) follow what Juju does
// (docs/juju-secrets.md); [Version.HasSecrets] says whether a unit's Juju has
// them (3.0.2 and later). Secret content never appears on a command line:
// each value is written to a file of a private temporary directory (0700, files
// 0600) and passed as key#file=<path>, which keeps its exact bytes; the directory
// is removed as soon as the tool returns. IDs are checked with [ParseSecretID]
// before any tool runs; errors name keys, never values. A secret tool's "not
// found" matches [ErrSecretNotFound]. The hook environment of a secret hook is in
// [Env]'s SecretID, SecretLabel and SecretRevision.
//
// # Caching
//
// One Tools value serves one hook, and caches only what Juju itself snapshots per
// hook context: config (config-get) and leader settings (leader-get, until this
// Tools value's own successful leader-set). A cached answer is therefore always the
// answer Juju would give, at the cost of no process.
//
// # Leadership
//
// [Tools.IsLeader] asks is-leader every time; a failed call is an error, never a
// silent false. A [LeaderTracker] keeps one hook's view: it records when leadership
// was confirmed, [LeaderTracker.Guaranteed] says whether Juju's 30-second guarantee
// still holds, [LeaderTracker.RequireLeader] re-checks once it has lapsed, and a
// false answer stays false for the rest of the hook, as in Juju.
//
// # Logging
//
// [NewLogHandler] returns a [log/slog] handler that writes records to juju-log at
// the matching level ([JujuLevel]), falling back to stderr outside a hook. Each
// record costs one process, so keep framework chatter below the handler's level.
//
// # Testing
//
// The package's tests run every wrapper against real child processes that replay
// Juju's exact outputs, kept as golden scripts in package hookenvtest; a fake of
// the hook tools is checked against the same scripts with hookenvtest.TestRunner.
// For unit tests of code that uses Tools, a [RunnerFunc] is enough.
package hookenv
