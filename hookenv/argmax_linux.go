package hookenv

import "syscall"

// execArgLimit returns how many bytes Linux's execve takes for the argument and
// environment strings together, each counted with its NUL and its pointer: a
// quarter of the stack size limit (RLIMIT_STACK, inherited by the tool), at most
// 3/4 of the kernel's 8 MiB _STK_LIM and at least 32 pages (ARG_MAX). With the
// usual 8 MiB stack limit that is 2 MiB, shared by the arguments and the
// environment; `getconf ARG_MAX` prints the same number.
func execArgLimit() int {
	const (
		ceiling = 6 << 20   // 3/4 of _STK_LIM: the limit with an unlimited stack
		floor   = 128 << 10 // 32 pages of 4 KiB
	)
	limit := ceiling
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_STACK, &rl); err == nil && rl.Cur/4 < ceiling {
		limit = int(rl.Cur / 4)
	}
	return max(limit, floor)
}
