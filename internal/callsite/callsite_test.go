package callsite_test

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/charmkit/charmkit/internal/callsite"
)

// through calls f through a frame of this package (callsite_test), as a
// library function would.
func through(f func() callsite.Site) callsite.Site { return f() }

func line() int {
	_, _, l, _ := runtime.Caller(1)
	return l
}

// Ensure that Caller names its caller's caller, that Outside skips the
// frames of the given packages, that Charm names the first frame outside
// charmkit's library, and that the zero Site is unknown.
func TestSite(t *testing.T) {
	var want int
	s := func() callsite.Site { return callsite.Caller(1) }
	want = line() + 1
	got := s()
	assert.Equal(t, callsite.Short("callsite/callsite_test.go", want), got.String())

	want = line() + 1
	got = through(func() callsite.Site {
		return callsite.Outside(0, "github.com/charmkit/charmkit/internal/callsite_test")
	})
	assert.NotEqual(t, callsite.Short("callsite/callsite_test.go", want), got.String(), "every frame of the test package is skipped")
	assert.Equal(t, "testing/testing.go", got.String()[:len("testing/testing.go")])

	want = line() + 1
	got = through(func() callsite.Site { return callsite.Outside(0, "github.com/charmkit/charmkit/internal/callsite") })
	assert.Equal(t, callsite.Short("callsite/callsite_test.go", want), got.String(), "the closure is the first frame")

	want = line() + 1
	got = callsite.Charm(0)
	assert.Equal(t, callsite.Short("callsite/callsite_test.go", want), got.String(), "a test package is a charm")

	assert.Equal(t, "unknown site", callsite.Site{}.String())
	assert.Equal(t, "b/c.go:7", callsite.Short("/a/b/c.go", 7))
}
