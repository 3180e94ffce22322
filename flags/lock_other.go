//go:build !linux

package flags

import (
	"errors"
	"os"
)

// nativeLocks reports whether this system has open file description locks;
// without them every read goes through SQLite.
const nativeLocks = false

func setLock(*os.File, int16, int64, int64) error {
	return errors.New("flags: no open file description locks on this system")
}

func lockHeld(*os.File, int64, int64) (bool, error) {
	return false, errors.New("flags: no open file description locks on this system")
}

const (
	lockRead   = 0
	lockWrite  = 1
	lockUnlock = 2
)
