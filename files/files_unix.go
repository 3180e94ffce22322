//go:build unix

package files

import (
	"io/fs"
	"syscall"
)

// oNoFollow makes opening a symbolic link fail instead of following it.
const oNoFollow = syscall.O_NOFOLLOW

// ownedBy reports whether fi (from Lstat) belongs to owner.
func ownedBy(fi fs.FileInfo, owner Owner) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == owner.UID && int(st.Gid) == owner.GID
}
