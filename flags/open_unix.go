//go:build unix

package flags

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// openNoFollow opens the regular file at path for reading and writing, or
// creates it (mode 0600, failing when something is there). It never
// follows a symbolic link (O_NOFOLLOW: ELOOP) and never blocks (O_NONBLOCK:
// a FIFO put there since the caller looked opens at once, and is then
// refused like any file that is not a regular file).
func openNoFollow(path string, create bool) (*os.File, error) {
	flag := syscall.O_RDWR | syscall.O_NOFOLLOW | syscall.O_NONBLOCK | syscall.O_CLOEXEC
	if create {
		flag |= syscall.O_CREAT | syscall.O_EXCL
	}
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, flag, 0o600)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		syscall.Close(fd)
		return nil, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		syscall.Close(fd)
		return nil, fmt.Errorf("%w: it changed into something else while it was opened", ErrNotRegularFile)
	}
	if err := syscall.SetNonblock(fd, false); err != nil {
		syscall.Close(fd)
		return nil, &fs.PathError{Op: "fcntl", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}

// isLinkLoop reports whether an open without following links met one.
func isLinkLoop(err error) bool { return errors.Is(err, syscall.ELOOP) }
