package leadership

import (
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/hookenv"
)

// validKey reports why [Set] refuses key, which is also why the layer skips
// it when it reads one
// (docs/leadership.md, "Keys leadership.Set would refuse"):
// a key leader-set would refuse or change
// ([hookenv.ValidateSettingKey]: empty, "=", a leading "-", surrounding white
// space, NUL, invalid UTF-8), one that makes no flag name (a control
// character such as a tab or a newline, [flags.ValidateName]), or one that
// starts with "leadership.secret.", where the layer keeps its pointers to
// secrets.
func validKey(key string) error {
	if err := hookenv.ValidateSettingKey(key); err != nil {
		return err
	}
	if strings.HasPrefix(key, secretPointerPrefix) {
		return fmt.Errorf("%w: key %q: keys starting with %q are the layer's pointers to secrets", hookenv.ErrInvalidArgument, key, secretPointerPrefix)
	}
	if err := flags.ValidateName(SetFlag(key)); err != nil {
		return fmt.Errorf("key %q: %w", key, err)
	}
	return nil
}

// dropBadKeys removes from m, in place, every key [validKey] refuses, logging
// a WARNING for each that names the key (quoted, as %q does) and where it was
// read, never its value. Such a key can come from Juju (`juju exec --
// leader-set`, another writer of the peer bag) or from a store written by
// the Python layer; failing the hook over it would fail every hook of every
// unit before any handler could repair it. log may be nil.
func dropBadKeys[V any](m map[string]V, source string, log *slog.Logger) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		err := validKey(k)
		if err == nil {
			continue
		}
		delete(m, k)
		if log != nil {
			log.Warn(fmt.Sprintf("leadership: ignoring %s key %q, which leadership.Set refuses (handlers do not see it, no flag is set for it): %v", source, k, err))
		}
	}
}
