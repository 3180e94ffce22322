//go:build linux

package reactive

import (
	"fmt"
	"path/filepath"
	"syscall"
)

// diskLow is the free space under which a filesystem counts as full: a
// commit writes a journal and whole pages of the store, a few KiB at least.
const diskLow = 1 << 20

// diskFullCause names why writing the store at path may fail for lack of
// room: its filesystem has under diskLow bytes free for this process, or
// the process has a file size limit (RLIMIT_FSIZE). It returns "" when
// neither holds.
func diskFullCause(path string) string {
	var causes []string
	dir := filepath.Dir(path)
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err == nil {
		if free := uint64(st.Bavail) * uint64(st.Bsize); free < diskLow {
			causes = append(causes, fmt.Sprintf("the filesystem holding %s is full (%d bytes free)", dir, free))
		}
	}
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &rl); err == nil && rl.Cur != ^uint64(0) {
		causes = append(causes, fmt.Sprintf("the process may not write files past %d bytes (RLIMIT_FSIZE)", rl.Cur))
	}
	switch len(causes) {
	case 0:
		return ""
	case 1:
		return causes[0]
	}
	return causes[0] + ", and " + causes[1]
}
