//go:build unix

package hookenv

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup starts the tool in a process group of its own and makes
// cancelling the command kill that whole group, so a grandchild the tool started
// (a shell script's commands) cannot outlive a killed tool or keep its output
// pipes open.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
}
