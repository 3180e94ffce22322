//go:build unix

package reactive

import "syscall"

// executable is Python's os.access(path, os.X_OK): whether this process
// may execute the file (for root, whether any execute bit is set).
func executable(path string) bool {
	return syscall.Access(path, 1) == nil // X_OK
}
