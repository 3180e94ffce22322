package callsite

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Ensure that charmkit's library packages are told from the charm's code:
// the examples, external test packages and other modules are charms.
func TestIsLibrary(t *testing.T) {
	for f, want := range map[string]bool{
		"github.com/charmkit/charmkit/endpoint.Get":                               true,
		"github.com/charmkit/charmkit/endpoint.(*Layer).start":                    true,
		"github.com/charmkit/charmkit/interfaces/credentials.get":                 true,
		"github.com/charmkit/charmkit/reactive.(*run).call.func1":                 true,
		"github.com/charmkit/charmkit/flags.Get[go.shape.string]":                 true,
		"github.com/charmkit/charmkit/endpoint_test.TestX":                        false,
		"github.com/charmkit/charmkit/examples/password-charm/charm.Register":     false,
		"github.com/charmkit/charmkit/examples/hello.Register.func1":              false,
		"example.com/mycharm.Register":                                            false,
		"main.main":                                                               false,
		"testing.tRunner":                                                         false,
		"github.com/charmkit/charmkitx/foo.Bar":                                   false,
		"github.com/charmkit/charmkit/internal/callsite.Charm":                    true,
		"github.com/charmkit/charmkit/leadership.Set[...]":                        true,
		"github.com/charmkit/charmkit/testing/charmtest.safeRegister":             true,
		"github.com/charmkit/charmkit/interfaces/credentials_test.TestX.func2":    false,
		"github.com/charmkit/charmkit/reactive.Handle":                            true,
		"github.com/charmkit/charmkit/examples/password-charm/charm_test.TestRun": false,
	} {
		assert.Equal(t, want, isLibrary(f), f)
	}
}
