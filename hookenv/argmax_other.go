//go:build !linux

package hookenv

// execArgLimit returns a conservative budget for the argument and environment
// strings of a child process where the Linux rule does not apply (Juju runs
// charms on Linux only): 256 KiB.
func execArgLimit() int { return 256 << 10 }
