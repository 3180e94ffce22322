//go:build unix

package reactive

import (
	"os"
	"syscall"
)

// executable is Python's os.access(path, os.X_OK): whether this process
// may execute the file (for root, whether any execute bit is set).
func executable(path string) bool {
	return syscall.Access(path, 1) == nil // X_OK
}

// openNonBlocking opens path for reading without waiting: a FIFO opened
// this way returns at once instead of waiting for a writer.
func openNonBlocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
