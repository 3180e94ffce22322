package fakejuju_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/testing/fakejuju"
)

var start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// twoUnits returns a model with app/0 (leader) and app/1, a peer relation
// "peers:0" both have joined, and a context open on each.
func twoUnits(t *testing.T) *fakejuju.Model {
	t.Helper()
	m := fakejuju.New("m", "uuid", "3.6.4", start)
	_, err := m.AddApp("app", map[string]fakejuju.Endpoint{"peers": {Role: "peers", Interface: "p"}}, nil)
	require.NoError(t, err)
	for _, u := range []string{"app/0", "app/1"} {
		_, err := m.AddUnit(u, "")
		require.NoError(t, err)
	}
	r, err := m.AddRelation(-1, fakejuju.RelationEndpoint{App: "app", Endpoint: "peers"})
	require.NoError(t, err)
	require.NoError(t, m.EnterScope("app/0", r))
	require.NoError(t, m.EnterScope("app/1", r))
	_, err = m.Elect("app/0")
	require.NoError(t, err)
	_, err = m.Open(fakejuju.ContextSpec{ID: "c0", Unit: "app/0", Hook: "install"})
	require.NoError(t, err)
	_, err = m.Open(fakejuju.ContextSpec{ID: "c1", Unit: "app/1", Hook: "install"})
	require.NoError(t, err)
	return m
}

func stores(t *testing.T, m *fakejuju.Model) map[string]fakejuju.Store {
	dir, err := fakejuju.CreateDir(t.TempDir(), m)
	require.NoError(t, err)
	return map[string]fakejuju.Store{"memory": fakejuju.NewMemory(m), "dir": dir}
}

// Ensure leadership, leader settings and their snapshot behave as Juju's,
// whatever the storage.
func TestRun_Leadership(t *testing.T) {
	for name, s := range stores(t, twoUnits(t)) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			lead := hookenv.Tools{Runner: fakejuju.Runner{Store: s, Context: "c0"}}
			follow := hookenv.Tools{Runner: fakejuju.Runner{Store: s, Context: "c1"}}

			ok, err := lead.IsLeader(ctx)
			require.NoError(t, err)
			assert.True(t, ok)
			ok, err = follow.IsLeader(ctx)
			require.NoError(t, err)
			assert.False(t, ok)

			got, err := follow.LeaderGet(ctx)
			require.NoError(t, err)
			assert.Empty(t, got)
			require.NoError(t, lead.LeaderSet(ctx, map[string]string{"k": "v"}))
			err = follow.LeaderSet(ctx, map[string]string{"k": "w"})
			assert.True(t, errors.Is(err, hookenv.ErrNotLeader), "%v", err)

			var settings map[string]string
			require.NoError(t, s.View(func(m *fakejuju.Model) error {
				settings = m.Apps["app"].LeaderSettings
				return nil
			}))
			assert.Equal(t, map[string]string{"k": "v"}, settings)

			j, err := s.Journal()
			require.NoError(t, err)
			var leases, calls int
			for _, e := range j {
				if e.Lease != nil {
					leases++
					assert.Equal(t, "app/0", e.Lease.Unit)
				}
				if e.Call != nil {
					calls++
				}
			}
			assert.Equal(t, 2, leases, "is-leader and leader-set's check")
			assert.Equal(t, 5, calls)
		})
	}
}

// Ensure relation writes are queued until the context closes successfully
// and move the bag's version only when something changed.
func TestClose_CommitsRelationWrites(t *testing.T) {
	for _, ok := range []bool{true, false} {
		m := twoUnits(t)
		s := fakejuju.NewMemory(m)
		tools := hookenv.Tools{Runner: fakejuju.Runner{Store: s, Context: "c0"}}
		ctx := context.Background()
		require.NoError(t, tools.RelationSet(ctx, "peers:0", false, map[string]string{"a": "1"}))
		require.NoError(t, tools.RelationSet(ctx, "peers:0", true, map[string]string{"b": "2"}))
		bag, err := tools.RelationGet(ctx, "peers:0", false, "app/0")
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"a": "1"}, bag, "the context sees its pending write")

		var commit fakejuju.Commit
		require.NoError(t, s.Update(func(m *fakejuju.Model) error {
			commit, err = m.Close("c0", ok)
			return err
		}))
		require.NoError(t, s.View(func(m *fakejuju.Model) error {
			if ok {
				assert.Equal(t, map[string]string{"a": "1"}, m.Relations[0].Bag("app/0"))
				assert.Equal(t, map[string]string{"b": "2"}, m.Relations[0].Bag("app"))
				assert.Len(t, commit.Bags, 2)
			} else {
				assert.Nil(t, m.Relations[0].Bag("app/0"))
				assert.Empty(t, commit.Bags)
			}
			return nil
		}))
		_, err = tools.IsLeader(ctx)
		assert.ErrorIs(t, err, fakejuju.ErrBadRequest, "a closed context serves nothing")
	}
}
