package leadership_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/leadership"
	"github.com/charmkit/charmkit/reactive"
	"github.com/charmkit/charmkit/testing/charmtest"
)

const notRegistered = "the leadership layer is not registered on this charm's registry: call leadership.Register(r, nil) where the charm registers its handlers"

// Ensure that a charm that uses the layer's functions without calling
// leadership.Register is told so, at which of its lines, and what to do:
// Set and Delete return an error wrapping ErrNotRegistered (no tool runs),
// Get and GetAll panic with one, which fails the hook with the message.
func TestNotRegistered(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		use    reactive.HandlerFunc
		errMsg string // the hook's error
	}{
		{"Set", func(ctx context.Context, h *reactive.Hook) error {
			return leadership.Set(ctx, h, map[string]string{"greeting": "hello", "b": "2"})
		}, `handler "use": leadership: writing leader settings b, greeting (at leadership/errors_test.go:NN): ` + notRegistered},
		{"Delete", func(ctx context.Context, h *reactive.Hook) error {
			return leadership.Delete(ctx, h, "greeting")
		}, `handler "use": leadership: writing leader settings greeting (at leadership/errors_test.go:NN): ` + notRegistered},
		{"Get", func(_ context.Context, h *reactive.Hook) error {
			leadership.Get(h, "greeting")
			return nil
		}, `handler "use" panicked: leadership: reading leader setting "greeting" (at leadership/errors_test.go:NN): ` + notRegistered},
		{"GetAll", func(_ context.Context, h *reactive.Hook) error {
			leadership.GetAll(h)
			return nil
		}, `handler "use" panicked: leadership: reading leader settings (at leadership/errors_test.go:NN): ` + notRegistered},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			charm := func(r *reactive.Registry) {
				r.Handle("use", reactive.OnHook("install"), tc.use)
			}
			out := charmtest.Unit{Leader: true}.Run(t, charm, "install")
			require.ErrorIs(t, out.Err, leadership.ErrNotRegistered)
			assert.NotErrorIs(t, out.Err, leadership.ErrNotStarted)
			assert.Regexp(t, "^"+strings.ReplaceAll(regexp.QuoteMeta(tc.errMsg), "NN", `\d+`)+"$", out.Err.Error(), "the charm's line")
			assert.Empty(t, out.CallsTo("leader-set"))
			assert.Empty(t, out.CallsTo("is-leader"))
		})
	}
}

// Ensure that where the layer is registered but has not started in the hook,
// Set and Delete return ErrNotStarted saying why, with no tool, and Get and
// GetAll report nothing set: in a restricted hook, and in a start callback
// registered before the layer.
func TestNotStarted(t *testing.T) {
	t.Parallel()
	type seen struct {
		setErr, deleteErr error
		found             bool
		all               map[string]string
	}
	use := func(got *seen) reactive.HandlerFunc {
		return func(ctx context.Context, h *reactive.Hook) error {
			got.setErr = leadership.Set(ctx, h, map[string]string{"k": "v"})
			got.deleteErr = leadership.Delete(ctx, h, "k")
			_, got.found = leadership.Get(h, "k")
			got.all = leadership.GetAll(h)
			return nil
		}
	}
	tests := []struct {
		name  string
		charm func(r *reactive.Registry, got *seen)
		hook  string
		why   string
	}{
		{"restricted hook", func(r *reactive.Registry, got *seen) {
			leadership.Register(r, nil)
			r.Handle("metrics", reactive.CollectMetrics(), use(got))
		}, "collect-metrics",
			"collect-metrics is a restricted hook, in which the layer does not run (no leadership tool may be used there)"},
		{"start callback before the layer's", func(r *reactive.Registry, got *seen) {
			r.AtStart("charm.early", use(got))
			leadership.Register(r, nil)
		}, "config-changed",
			`"charm.early" runs before the layer's start callback "leadership.initialize"; register it after leadership.Register`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got seen
			u := charmtest.Unit{Leader: true, LeaderSettings: map[string]string{"k": "old"}}
			out := u.Run(t, func(r *reactive.Registry) { tc.charm(r, &got) }, tc.hook)
			require.NoError(t, out.Err)
			for _, err := range []error{got.setErr, got.deleteErr} {
				require.ErrorIs(t, err, leadership.ErrNotStarted)
				assert.False(t, errors.Is(err, leadership.ErrNotRegistered))
				assert.Regexp(t, `^leadership: writing leader settings k \(at leadership/errors_test.go:\d+\): the leadership layer has not started in this hook: `+regexp.QuoteMeta(tc.why)+"$", err.Error())
			}
			assert.False(t, got.found)
			assert.Equal(t, map[string]string{}, got.all)
			assert.Empty(t, out.CallsTo("leader-set"))
		})
	}
}
