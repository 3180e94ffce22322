package reactive_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/reactive/internal/layertest"
)

// Ensure that layers are found by name, from the registry and from a hook,
// and that a layer registered twice panics naming both of the charm's lines.
func TestRegistry_AddLayer(t *testing.T) {
	r := reactive.NewRegistry()
	one := layertest.Register(r, "one")
	two := layertest.Register(r, "two")
	assert.Equal(t, []reactive.Layer{one, two}, r.Layers())
	assert.Same(t, two, r.Layer("two"))
	assert.Nil(t, r.Layer("three"))

	var seen reactive.Layer
	r.Handle("look", reactive.OnHook("install"), func(ctx context.Context, h *reactive.Hook) error {
		seen = h.Layer("one")
		return nil
	})
	res, _ := runHook(t, r, newStore(t), "install", nil)
	require.NoError(t, res.Err)
	assert.Same(t, one, seen)

	defer func() {
		msg := fmt.Sprint(recover())
		assert.Contains(t, msg, `layer "one" registered twice`)
		assert.Contains(t, msg, "reactive/layer_test.go:19")
		assert.Contains(t, msg, "reactive/layer_test.go:40")
	}()
	layertest.Register(r, "one")
}

// Ensure that the registration mistakes of layers and of a hook's own
// callbacks name the charm's line: a nil layer, a nil callback function.
func TestMisuse_NamesTheCharmsLine(t *testing.T) {
	r := reactive.NewRegistry()
	assert.Regexp(t, `^reactive: AddLayer at reactive/layer_test.go:\d+: nil layer$`, panicMessage(func() { r.AddLayer(nil) }))
	var msgs []string
	r.AtStart("s", func(_ context.Context, h *reactive.Hook) error {
		msgs = append(msgs, panicMessage(func() { h.AtExit("e", nil) }), panicMessage(func() { h.AtStart("s2", nil) }))
		return nil
	})
	res, _ := runHook(t, r, newStore(t), "install", nil)
	require.NoError(t, res.Err)
	require.Len(t, msgs, 2)
	assert.Regexp(t, `^reactive: Hook.AtExit "e" at reactive/layer_test.go:\d+: nil function$`, msgs[0])
	assert.Regexp(t, `^reactive: Hook.AtStart "s2" at reactive/layer_test.go:\d+: nil function$`, msgs[1])
}
