//go:build !unix

package hookenv

import "os/exec"

// ownProcessGroup leaves the default: cancelling the command kills the tool
// alone. Juju runs charms on Linux only.
func ownProcessGroup(*exec.Cmd) {}
