package leadership_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/testing/charmtest"
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
		assert.Regexp(t, `at leadership/register_test.go:\d+ and at leadership/register_test.go:\d+; register each layer once`, msg)
		assert.Equal(t, 2, strings.Count(msg, "leadership/register_test.go:"))
	}()
	leadership.Register(r, &leadership.Options{PeerRelation: "peers"})
}

// Ensure that a watched leadership.* flag that the layer never sets is
// logged as a WARNING at the start of a hook, naming the handler and its
// line and suggesting the flag; the layer's flags, with any key, are not.
func TestRegister_MisspeltFlag(t *testing.T) {
	register := func(r *reactive.Registry) {
		leadership.Register(r, nil)
		fn := func(context.Context, *reactive.Hook) error { return nil }
		r.Handle("fine", reactive.WhenAny(leadership.IsLeaderFlag, leadership.ChangedAnyFlag, leadership.SetFlag("api_token"), leadership.ChangedFlag("x")), fn)
		r.Handle("typo", reactive.When("leadership.is-leader"), fn)
	}
	out := charmtest.Unit{Leader: true}.Run(t, register, "update-status")
	require.NoError(t, out.Err)
	var w []string
	for _, l := range out.Logs {
		if l.Level == "WARNING" {
			w = append(w, l.Message)
		}
	}
	require.Len(t, w, 1, "%q", w)
	assert.Regexp(t, `^handler "typo" \(registered at leadership/register_test.go:\d+\) watches flag "leadership.is-leader", which the leadership layer never sets in this hook \(did you mean "leadership.is_leader"\?\); its flags are leadership.is_leader, leadership.changed, leadership.set.\*, leadership.changed.\*; fix the name`, w[0])
}

// Ensure that Register's panics name the charm's line that called it.
func TestRegister_PanicsNameTheCharmsLine(t *testing.T) {
	msg := fmt.Sprint(func() (v any) {
		defer func() { v = recover() }()
		leadership.Register(reactive.NewRegistry(), &leadership.Options{PeerRelation: "Bad Name"})
		return nil
	}())
	assert.Regexp(t, `^leadership: Register at leadership/register_test.go:\d+: invalid peer relation endpoint name "Bad Name"`, msg)
}
