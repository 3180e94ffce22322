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

// A leader-settings key that leadership.Set would refuse (a tab, a newline, "=",
// ...) can still come from Juju (`juju exec -- leader-set`, another charm's
// write to the peer bag) or from a store the Python layer wrote. It is logged at
// WARNING, named and never with its value, and skipped: every hook still runs,
// and the other keys work (docs/leadership.md, "Keys leadership.Set would refuse").
func TestBadKeys_SkippedWithAWarning(t *testing.T) {
	t.Parallel()
	const value = "v4lue-N0t-Logged"
	// Keys leader-set can write (Juju splits at the first "=" and trims), and
	// more that only a peer bag or a store can hold.
	juju := []string{"tab\tkey", "new\nline", "-dash", "del\x7f"}
	bad := append(juju[:len(juju):len(juju)], "a=b", " padded", "nul\x00byte", "")
	settings := func(keys []string) map[string]string {
		m := map[string]string{"good": "1"}
		for _, k := range keys {
			m[k] = value
		}
		return m
	}
	register := func(opts *leadership.Options) func(r *reactive.Registry) {
		return func(r *reactive.Registry) {
			leadership.Register(r, opts)
			r.Handle("use_good", reactive.When(leadership.SetFlag("good")), func(ctx context.Context, h *reactive.Hook) error {
				v, ok := leadership.Get(h, "good")
				if !ok || v != "1" {
					return fmt.Errorf("good = %q, %v", v, ok)
				}
				all := leadership.GetAll(h)
				if len(all) != 1 {
					return fmt.Errorf("GetAll = %q, want good alone", all)
				}
				for _, k := range bad {
					if _, ok := all[k]; ok {
						return fmt.Errorf("GetAll shows the skipped key %q", k)
					}
				}
				if _, ok := leadership.Get(h, bad[0]); ok {
					return fmt.Errorf("Get shows the skipped key %q", bad[0])
				}
				return nil
			})
		}
	}
	peers := func(data map[string]string) []charmtest.Relation {
		return []charmtest.Relation{{ID: "peers:1", RemoteApp: "app", AppData: data}}
	}
	nonEmpty := bad[:len(bad)-1] // charmtest's Snapshot and Tombstones take no empty key
	kv := map[string]string{}
	for _, k := range nonEmpty {
		kv[leadership.SnapshotPrefix+k] = `"` + value + `"`
	}
	for _, tc := range []struct {
		name   string
		unit   charmtest.Unit
		opts   *leadership.Options
		bad    []string
		source string // where the warning says the key was read
	}{
		{"leader-get, follower", charmtest.Unit{Name: "app/1", LeaderSettings: settings(juju)}, nil, juju, "leader settings"},
		{"leader-get, leader", charmtest.Unit{Name: "app/0", Leader: true, LeaderSettings: settings(juju)}, nil, juju, "leader settings"},
		{"peer relation", charmtest.Unit{Name: "app/1", Relations: peers(settings(bad))},
			&leadership.Options{PeerRelation: "peers"}, bad, "leader settings"},
		{"snapshot in the store", charmtest.Unit{Name: "app/1", LeaderSettings: map[string]string{"good": "1"},
			Snapshot: settings(nonEmpty)}, nil, nonEmpty, "snapshot"},
		{"tombstones in the store", charmtest.Unit{Name: "app/1", LeaderSettings: map[string]string{"good": "1"},
			Tombstones: nonEmpty}, nil, nonEmpty, "snapshot"},
		{"raw store keys", charmtest.Unit{Name: "app/1", LeaderSettings: map[string]string{"good": "1"}, KV: kv}, nil, nonEmpty, "snapshot"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u := tc.unit
			for _, hook := range []string{"config-changed", "update-status"} {
				out := u.Run(t, register(tc.opts), hook)
				require.NoError(t, out.Err, hook)
				assert.Contains(t, out.Invoked, "use_good", hook)
				assert.True(t, out.HasFlag(leadership.SetFlag("good")), hook)
				for _, f := range out.Flags {
					assert.False(t, strings.ContainsFunc(f, func(r rune) bool { return r < 0x20 || r == 0x7f }), "flag %q", f)
				}
				var warnings []string
				for _, l := range out.Logs {
					assert.NotContains(t, l.Message, value, "a value in the log")
					if l.Level == "WARNING" {
						warnings = append(warnings, l.Message)
					}
				}
				all := strings.Join(warnings, "\n")
				for _, k := range tc.bad {
					assert.Contains(t, all, fmt.Sprintf("%q", k), "%s: the WARNING names %q", hook, k)
				}
				assert.Contains(t, all, tc.source, hook)
				u = out.Unit
			}
		})
	}
}

// The rule is the same both ways: a key Set refuses is one a read skips.
func TestBadKeys_SetRefusesThem(t *testing.T) {
	t.Parallel()
	for _, k := range []string{"tab\tkey", "new\nline", "a=b", "-dash", " padded", "nul\x00byte", "del\x7f", ""} {
		var err error
		register := func(r *reactive.Registry) {
			leadership.Register(r, nil)
			r.Handle("write", reactive.When(leadership.IsLeaderFlag), func(ctx context.Context, h *reactive.Hook) error {
				err = leadership.Set(ctx, h, map[string]string{k: "v"})
				return nil
			})
		}
		out := charmtest.Unit{Leader: true}.Run(t, register, "config-changed")
		require.NoError(t, out.Err)
		assert.Error(t, err, "Set(%q)", k)
		assert.Empty(t, out.CallsTo("leader-set"), "Set(%q)", k)
	}
}
