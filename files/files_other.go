//go:build !unix

package files

import "io/fs"

// oNoFollow is 0 where the system has no O_NOFOLLOW; Lstat still refuses
// a link found before the file is opened.
const oNoFollow = 0

// ownedBy reports false: the owner cannot be read here, so a file with an
// Owner is always rewritten.
func ownedBy(fs.FileInfo, Owner) bool { return false }
