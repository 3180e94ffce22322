// Package config is the Go port of layer-basic's config flags: a layer that
// tells handlers which charm options changed since the unit's last
// successful hook, which are set, and which hold their default.
//
// [Register] adds the layer to a [reactive.Registry]; register it first,
// before every other layer (it panics otherwise), as layer-basic sets these
// flags before anything else starts. At the start of every hook that is not
// restricted, for each option of the charm's config.yaml in the file's
// order, it sets or clears:
//
//   - [ChangedAnyFlag] (config.changed) and [ChangedFlag]
//     (config.changed.<opt>): set when the option's value differs from the
//     one saved by the last successful hook; every option counts as changed
//     in the unit's first successful hook;
//   - [SetFlag] (config.set.<opt>): the value is true in Python's sense, so
//     null, false, "", 0 and 0.0 leave it unset;
//   - [DefaultFlag] (config.default.<opt>): the value equals the option's
//     default with Python's equality (1 == 1.0); an option with no value and
//     no default counts as default.
//
// At the end of every successful hook the layer clears all of them, so they
// are never stored: they exist only while the hook runs. There is no
// config.new flag (no released layer-basic has one).
//
// The values of the last successful hook are kept in the charm directory's
// .juju-persistent-config ([PersistentFile]) exactly as charm-helpers'
// Config keeps them: the current values (config-get --all) plus every key
// only an older file had, written as Python's json.dump writes them, mode
// 0600, at the end of a successful hook only. A unit upgraded from a Python
// charm keeps its file and sees no spurious change; an unreadable file is
// logged at ERROR and every option counts as changed. [Changed],
// [Previous] and [Values] give handlers charm-helpers' Config.changed,
// Config.previous and the values.
//
// # Differences from layer-basic
//
//   - The flags appear in the trace (charmtest's Result.Events); upstream
//     sets them before its tracer is installed.
//   - config.yaml is read with yaml.v3 (YAML 1.2): an unquoted yes, no, on
//     or off is a string, where PyYAML reads a boolean.
package config
