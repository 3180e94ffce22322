package leadership_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/reactive"
)

// Ensure that Register adds the layer to the registry under its name, with
// the flags it manages, and that registering it twice panics naming both of
// the charm's lines.
func TestRegister_Layer(t *testing.T) {
	r := reactive.NewRegistry()
	l := leadership.Register(r, nil)
	assert.Same(t, l, r.Layer("leadership"))
	assert.Equal(t, []reactive.Layer{l}, r.Layers())
	assert.Equal(t, "leadership", l.LayerName())
	assert.Equal(t, []string{"leadership.is_leader", "leadership.changed", "leadership.set.*", "leadership.changed.*"}, l.LayerFlags())

	defer func() {
		msg := fmt.Sprint(recover())
		assert.Contains(t, msg, `layer "leadership" registered twice`)
		assert.Contains(t, msg, "leadership/register_test.go:18")
		assert.Contains(t, msg, "leadership/register_test.go:30")
	}()
	leadership.Register(r, &leadership.Options{PeerRelation: "peers"})
}
