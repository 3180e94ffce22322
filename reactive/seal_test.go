package reactive_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/reactive"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// leakScript is an external handler that sets leak.ext through the hook's
// charms.reactive channel the first time it is tested.
const leakScript = shebang + `case "$1" in
--test) ! charms.reactive is_flag_set leak.ext ;;
--invoke) charms.reactive set_flag leak.ext && charms.reactive mark_invoked leak.ext.mark ;;
esac
`

// Ensure that a handler cannot persist anything from a failed hook, by any
// public path it can reach (docs/design.md, "Decision 2"): each row is one
// attempt, made by a handler in the hooks phase; a later handler then fails
// the hook (with an error, a panic or Abort). The store file is closed,
// reopened and compared with what was committed before the hook: same rows,
// same bytes.
func TestFailedHookPersistsNothing(t *testing.T) {
	type attempt struct {
		name string
		// do is the attempting handler; it asserts what each refused call
		// returns.
		do func(t *testing.T, ctx context.Context, h *reactive.Hook, env sealEnv) error
		// files are the charm's files (external handlers).
		files []charmFile
		// fail ends the hook after the attempt: "error", "panic" or "abort".
		fail string
	}
	attempts := []attempt{
		{name: "KV: write, then Commit", fail: "error", do: func(t *testing.T, ctx context.Context, h *reactive.Hook, _ sealEnv) error {
			require.NoError(t, h.KV().Set("leak.kv", 1))
			assert.ErrorIs(t, h.KV().Commit(ctx), flags.ErrTxManaged)
			return h.KV().Set("leak.kv.after", 2) // the transaction is still open
		}},
		{name: "KV: Rollback, then write", fail: "panic", do: func(t *testing.T, ctx context.Context, h *reactive.Hook, _ sealEnv) error {
			assert.ErrorIs(t, h.KV().Rollback(), flags.ErrTxManaged)
			return h.KV().Set("leak.kv", 1)
		}},
		{name: "Flags().Tx(): Commit", fail: "abort", do: func(t *testing.T, ctx context.Context, h *reactive.Hook, _ sealEnv) error {
			require.NoError(t, h.SetFlag("leak.flag"))
			assert.ErrorIs(t, h.Flags().Tx().Commit(ctx), flags.ErrTxManaged)
			assert.ErrorIs(t, h.Flags().Tx().Rollback(), flags.ErrTxManaged)
			return nil
		}},
		{name: "a new flag set on the hook's transaction: Commit", fail: "error", do: func(t *testing.T, ctx context.Context, h *reactive.Hook, _ sealEnv) error {
			f := flags.New(h.KV())
			require.NoError(t, f.Set("leak.flag"))
			assert.ErrorIs(t, f.Tx().Commit(ctx), flags.ErrTxManaged)
			return nil
		}},
		{name: "flags, values, triggers and helpers", fail: "error", do: func(t *testing.T, ctx context.Context, h *reactive.Hook, env sealEnv) error {
			require.NoError(t, h.SetFlag("leak.flag"))
			require.NoError(t, h.SetFlagValue("leak.value", map[string]int{"n": 1}))
			require.NoError(t, h.ClearFlag("seed.flag"))
			require.NoError(t, h.ToggleFlag("leak.toggled", true))
			require.NoError(t, h.RegisterTrigger(flags.Trigger{When: "leak.when", SetFlag: "leak.target"}))
			require.NoError(t, h.KV().Unset("seed.kv"))
			require.NoError(t, h.KV().UpdateValues(map[string]any{"a": 1, "b": "x"}, "leak.update."))
			changed, err := flags.DataChanged(h.KV(), "leak", []int{1, 2}, "")
			require.NoError(t, err)
			assert.True(t, changed)
			changed, err = flags.AnyFileChanged(h.KV(), []string{env.file}, "")
			require.NoError(t, err)
			assert.True(t, changed)
			return flags.MarkInvoked(h.KV(), "leak")
		}},
		{name: "trigger callback writing the transaction", fail: "panic", do: func(t *testing.T, ctx context.Context, h *reactive.Hook, _ sealEnv) error {
			require.NoError(t, h.RegisterTrigger(flags.Trigger{When: "leak.when", Callback: func() error {
				return h.KV().Set("leak.callback", true)
			}}))
			return h.SetFlag("leak.when")
		}},
		{name: "exit callback added by the handler", fail: "abort", do: func(t *testing.T, ctx context.Context, h *reactive.Hook, _ sealEnv) error {
			h.AtExit("leak", func(_ context.Context, h *reactive.Hook) error { return h.SetFlag("leak.exit") })
			return nil
		}},
		{name: "a second store on the same file", fail: "error", do: func(t *testing.T, ctx context.Context, h *reactive.Hook, env sealEnv) error {
			s, err := flags.Open(env.dbPath, &flags.Options{LockTimeout: 50 * time.Millisecond})
			require.NoError(t, err)
			defer s.Close()
			err = s.Update(ctx, func(tx *flags.Tx) error { return tx.Set("leak.other", 1) })
			assert.ErrorIs(t, err, flags.ErrLocked, "the hook holds the write lock")
			return nil
		}},
		{name: "charms.reactive child through RunCommand", fail: "error", do: func(t *testing.T, ctx context.Context, h *reactive.Hook, env sealEnv) error {
			// The charm binary, first on the child's PATH as charms.reactive.
			sh := exec.Command("sh", "-c", "charms.reactive set_flag leak.child && charms.reactive mark_invoked leak.child")
			require.NoError(t, h.RunCommand(sh))
			assert.True(t, h.IsFlagSet("leak.child"), "the child's command joined the hook's transaction")
			return nil
		}},
		{name: "external handler", fail: "panic", files: []charmFile{{path: "reactive/leak.sh", body: leakScript}},
			do: func(t *testing.T, ctx context.Context, h *reactive.Hook, _ sealEnv) error { return nil }},
	}
	for _, tc := range attempts {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeCharm(t, tc.files...)
			env := sealEnv{dbPath: filepath.Join(t.TempDir(), ".unit-state.db"), file: filepath.Join(dir, "watched")}
			require.NoError(t, os.WriteFile(env.file, []byte("content"), 0o644))
			s, err := flags.Open(env.dbPath, nil)
			require.NoError(t, err)
			require.NoError(t, s.Update(t.Context(), func(tx *flags.Tx) error {
				if err := flags.New(tx).Set("seed.flag"); err != nil {
					return err
				}
				return tx.Set("seed.kv", 1)
			}))
			before := dump(t, s)
			require.NoError(t, s.Close())
			beforeBytes, err := os.ReadFile(env.dbPath)
			require.NoError(t, err)

			s, err = flags.Open(env.dbPath, nil)
			require.NoError(t, err)
			reg := reactive.NewRegistry()
			var kept *flags.Tx
			attempted := false
			reg.Handle("attempt", reactive.OnHook("install"), func(ctx context.Context, h *reactive.Hook) error {
				kept, attempted = h.KV(), true
				return tc.do(t, ctx, h, env)
			})
			reg.Handle("fail", reactive.When(), func(context.Context, *reactive.Hook) error {
				switch tc.fail {
				case "panic":
					panic("failing after the attempt")
				case "abort":
					return reactive.Abort(3)
				}
				return errors.New("failing after the attempt")
			})
			r := runExternal(t, reg, s, testBinaryAsCLI(t, env.dbPath), dir, "install", nil)
			require.True(t, attempted)
			require.Error(t, r.err)
			assert.False(t, r.res.Committed)
			assert.NotEqual(t, 0, r.res.ExitCode)
			if tc.files != nil {
				assert.Contains(t, r.res.Invoked, `reactive/leak.sh ""`, "the external handler ran before the failure")
			}

			// The transaction the handler kept refuses every write now.
			assert.ErrorIs(t, kept.Set("leak.late", 1), flags.ErrTxDone)
			assert.ErrorIs(t, kept.SetRaw("leak.late", "1"), flags.ErrTxDone)
			assert.ErrorIs(t, kept.Unset("seed.kv"), flags.ErrTxDone)
			assert.ErrorIs(t, flags.New(kept).Set("leak.late"), flags.ErrTxDone)
			assert.ErrorIs(t, flags.New(kept).Clear("seed.flag"), flags.ErrTxDone)
			assert.Error(t, kept.Commit(t.Context()))

			require.NoError(t, s.Close())
			afterBytes, err := os.ReadFile(env.dbPath)
			require.NoError(t, err)
			assert.Equal(t, beforeBytes, afterBytes, "the store file is byte for byte as before the hook")
			s, err = flags.Open(env.dbPath, nil)
			require.NoError(t, err)
			defer s.Close()
			assert.Equal(t, before, dump(t, s), "the reopened store holds exactly the rows committed before the hook")
		})
	}
}

// sealEnv is what an attempt of TestFailedHookPersistsNothing may use.
type sealEnv struct {
	dbPath string // the hook's store file
	file   string // a file in the charm directory
}
