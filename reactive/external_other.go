//go:build !unix

package reactive

import "os"

// executable approximates os.access(path, os.X_OK) where there is no
// access(2): any execute bit is set.
func executable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode()&0o111 != 0
}

// openNonBlocking opens path for reading.
func openNonBlocking(path string) (*os.File, error) { return os.Open(path) }
