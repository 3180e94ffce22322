// Package files writes a charm's files safely: what every charm does with
// its workload's configuration, done once, right.
//
// [Write] puts bytes at a path and [Render] executes a template into one,
// atomically: the content goes to a temporary file in the destination's
// directory, which is synced, given its mode (and owner, when asked) and
// renamed over the destination, and the directory is synced, so a reader
// sees the old file or the new one, never a part, and the new one survives a
// power cut once the call has returned. Nothing is written when the file
// already has the content, mode and owner asked for, and the caller learns
// whether anything changed: the charms.reactive data_changed idiom, for the
// file that matters.
//
//	changed, err := files.Render(ctx, files.Path(ctx, "/etc/app/app.conf"), tmpl, cfg,
//		files.Options{Mode: 0o640, Owner: &files.Owner{UID: 0, GID: appGID}})
//	if err != nil {
//		return err
//	}
//	if changed {
//		return restart(ctx)
//	}
//
// # Safety
//
//   - A symbolic link at the destination is never followed nor replaced:
//     Write, Render and [Remove] return an error matching [ErrSymlink]. (Links
//     in the directories above the destination are followed, as /etc often
//     has them.) Another non-regular file there (a directory, a FIFO) is
//     [ErrNotRegular].
//   - The mode is exact: the umask does not apply to it. Parent directories
//     that do not exist are created with Options.DirMode (before the umask).
//   - Errors name the path, never the content: a file may hold a password.
//   - A template is executed into memory first, so a template error writes
//     nothing at all.
//   - On any error, or when ctx is done before the rename, the temporary
//     file is removed and the destination is left as it was.
//
// # Crashes
//
// A process killed between creating the temporary file and renaming it
// (SIGKILL, a power cut) leaves the temporary file behind, next to the
// destination, named ".<name>.charmkit-tmp-<digits>" (see [IsTemp]); the
// destination itself holds the old content or the new, never a mix.
// Temporary files are hidden (their names start with a dot) and harmless;
// [RemoveTemp] deletes those of a directory, for a charm that wants to
// clean up in its install or upgrade-charm hook.
//
// # Where system paths live in tests
//
// A deployed charm writes to the machine: /etc/app/app.conf. Under test,
// the same code must write somewhere the test can look and that it may
// write to. [Path] maps a system path to where it lives for the current
// hook: the path itself on a real unit, or the same path under the unit's
// root directory, which testing/charmtest gives every run (with
// [WithRoot]) and reports in its result. An out-of-process test (jujusim)
// sets the variable CHARMKIT_ROOT ([RootEnv]) for the charm's processes
// instead; Juju never sets it. Write, Render and Remove take real paths and
// never remap them: call Path for system paths, and use paths under the
// charm directory (hookenv's CHARM_DIR) as they are.
package files
