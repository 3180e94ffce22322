package flags

import (
	"errors"
	"os"
	"syscall"
)

// fOFDSetLk is F_OFD_SETLK, the same number on every Linux architecture.
const fOFDSetLk = 37

// nativeLocks reports whether this system has open file description locks,
// which the direct reads of the store rely on (docs/design.md, "A
// steady-state hook writes nothing").
const nativeLocks = true

// setLock sets (typ F_RDLCK or F_WRLCK) or releases (F_UNLCK) an open file
// description lock on n bytes at start, without waiting. A lock held by
// another process or another descriptor is errBusy.
func setLock(f *os.File, typ int16, start, n int64) error {
	lk := syscall.Flock_t{Type: typ, Whence: 0, Start: start, Len: n}
	err := syscall.FcntlFlock(f.Fd(), fOFDSetLk, &lk)
	if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EACCES) {
		return errBusy
	}
	return err
}

const (
	lockRead   = syscall.F_RDLCK
	lockWrite  = syscall.F_WRLCK
	lockUnlock = syscall.F_UNLCK
)

// fOFDGetLk is F_OFD_GETLK, the same number on every Linux architecture.
const fOFDGetLk = 36

// lockHeld reports whether another open file description, or another
// process, holds a lock on any of n bytes at start.
func lockHeld(f *os.File, start, n int64) (bool, error) {
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0, Start: start, Len: n}
	if err := syscall.FcntlFlock(f.Fd(), fOFDGetLk, &lk); err != nil {
		return false, err
	}
	return lk.Type != syscall.F_UNLCK, nil
}
