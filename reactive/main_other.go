//go:build !linux

package reactive

// diskFullCause names why writing the store at path may fail for lack of
// room; where the filesystem cannot be asked, it names nothing.
func diskFullCause(string) string { return "" }
