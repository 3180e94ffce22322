package jujusim_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/charmkit/charmkit/testing/jujusim"
)

// fatalTB records the message of a Fatalf and stops the goroutine, as
// testing.T does.
type fatalTB struct {
	testing.TB
	t   *testing.T
	msg string
}

func (f *fatalTB) Helper()               {}
func (f *fatalTB) TempDir() string       { return f.t.TempDir() }
func (f *fatalTB) Cleanup(fn func())     { f.t.Cleanup(fn) }
func (f *fatalTB) Errorf(string, ...any) {}
func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func fatalOf(t *testing.T, fn func(tb testing.TB)) string {
	tb := &fatalTB{t: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(tb)
	}()
	<-done
	return tb.msg
}

// Ensure that Start and BuildCharm fail the test with a clear message.
func TestStartAndBuildCharm_Errors(t *testing.T) {
	t.Parallel()
	msg := fatalOf(t, func(tb testing.TB) { jujusim.Start(tb, jujusim.Options{}) })
	assert.Equal(t, "starting the model: jujusim: options: no charm directory", msg)
	msg = fatalOf(t, func(tb testing.TB) { jujusim.BuildCharm(tb, "./testdata/no-such-charm") })
	assert.Contains(t, msg, "building charm ./testdata/no-such-charm: exit status 1")
	msg = fatalOf(t, func(tb testing.TB) { jujusim.Start(tb, jujusim.Options{Charm: "testdata/charms/shared"}) })
	assert.Empty(t, msg, "a good model starts")
}
