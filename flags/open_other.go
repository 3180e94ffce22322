//go:build !unix

package flags

import (
	"fmt"
	"os"
)

// openNoFollow opens the regular file at path for reading and writing, or
// creates it (mode 0600, failing when something is there). The caller has
// looked at path first; a file that is not a regular file is refused.
func openNoFollow(path string, create bool) (*os.File, error) {
	flag := os.O_RDWR
	if create {
		flag |= os.O_CREATE | os.O_EXCL
	}
	f, err := os.OpenFile(path, flag, 0o600)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("%w: it changed into something else while it was opened", ErrNotRegularFile)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// isLinkLoop reports whether an open without following links met one.
func isLinkLoop(error) bool { return false }
