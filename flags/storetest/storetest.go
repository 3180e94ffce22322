// Package storetest is a conformance suite for [flags.Store] backends, in
// the manner of testing/fstest and testing/slogtest: any implementation
// (the in-memory store, the SQLite store) must pass [Run].
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/charmkit/charmkit/flags"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Run checks the behaviour every store must have. open is called once per
// subtest and must return a new, empty, open store; Run does not close it
// (open should register its own cleanup, which may also check invariants).
func Run(t *testing.T, open func(t *testing.T) *flags.Store) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

var cases = []struct {
	name string
	fn   func(t *testing.T, s *flags.Store)
}{
	{"Empty", testEmpty},
	{"SetGet", testSetGet},
	{"SetEncodesLikePython", testSetEncodesLikePython},
	{"SetSameValueIsNotAChange", testSetSameValue},
	{"SetRawRejectsBadInput", testSetRawBad},
	{"Unset", testUnset},
	{"KeysAndRange", testKeysAndRange},
	{"UpdateValues", testUpdateValues},
	{"CommitIsDurable", testCommitDurable},
	{"RollbackRestoresExactRows", testRollbackExact},
	{"UpdateRollsBackOnError", testUpdateError},
	{"UpdateRollsBackOnPanic", testUpdatePanic},
	{"ViewNeverCommits", testView},
	{"TxDone", testTxDone},
	{"ManagedTxRefusesCommitAndRollback", testManaged},
	{"ConcurrentBeginBlocks", testConcurrentBegin},
	{"CancelWaitingBegin", testCancelBegin},
	{"UnicodeKeysAndValues", testUnicode},
	{"ManyKeys", testManyKeys},
	{"Close", testClose},
}

// snapshot returns every committed row.
func snapshot(t testing.TB, s *flags.Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, s.View(t.Context(), func(tx *flags.Tx) error {
		for k, v := range tx.Range("", false) {
			out[k] = string(v)
		}
		return nil
	}))
	return out
}

// seed commits rows given as raw JSON text.
func seed(t testing.TB, s *flags.Store, rows map[string]string) {
	t.Helper()
	require.NoError(t, s.Update(t.Context(), func(tx *flags.Tx) error {
		for k, v := range rows {
			if err := tx.SetRaw(k, v); err != nil {
				return err
			}
		}
		return nil
	}))
}

func begin(t testing.TB, s *flags.Store) *flags.Tx {
	t.Helper()
	tx, err := s.Begin(t.Context())
	require.NoError(t, err)
	return tx
}

func testEmpty(t *testing.T, s *flags.Store) {
	tx := begin(t, s)
	defer tx.Rollback()
	assert.Empty(t, tx.Keys(""))
	assert.Empty(t, tx.Range("", false))
	assert.False(t, tx.Has("a"))
	assert.False(t, tx.Dirty())
}

func testSetGet(t *testing.T, s *flags.Store) {
	tx := begin(t, s)
	defer tx.Rollback()
	type pair struct {
		A int    `json:"a"`
		B string `json:"b"`
	}
	tests := []struct {
		key string
		in  any
		out any // pointer to a zero value to decode into
	}{
		{"s", "text", new(string)},
		{"i", 42, new(int)},
		{"f", 1.5, new(float64)},
		{"b", true, new(bool)},
		{"l", []string{"x", "y"}, new([]string)},
		{"m", map[string]int{"k": 1}, new(map[string]int)},
		{"st", pair{A: 1, B: "z"}, new(pair)},
	}
	for _, tc := range tests {
		require.NoError(t, tx.Set(tc.key, tc.in), "Set(%q)", tc.key)
	}
	for _, tc := range tests {
		ok, err := tx.Get(tc.key, tc.out)
		require.NoError(t, err, "Get(%q)", tc.key)
		assert.True(t, ok, "Get(%q)", tc.key)
		got := reflect.ValueOf(tc.out).Elem().Interface()
		assert.Equal(t, tc.in, got, "Get(%q)", tc.key)
	}
	var dst string
	ok, err := tx.Get("absent", &dst)
	require.NoError(t, err)
	assert.False(t, ok)
	// A value of the wrong shape is an error naming the key.
	var n int
	_, err = tx.Get("s", &n)
	assert.ErrorContains(t, err, `"s"`)
	// nil is JSON null, present.
	require.NoError(t, tx.Set("null", nil))
	raw, ok := tx.GetRaw("null")
	assert.True(t, ok)
	assert.Equal(t, "null", raw)
}

func testSetEncodesLikePython(t *testing.T, s *flags.Store) {
	require.NoError(t, s.Update(t.Context(), func(tx *flags.Tx) error {
		if err := tx.Set("w", map[string]any{"pending": []string{}, "changes": []string{"é"}}); err != nil {
			return err
		}
		return tx.Set("f", 2.0)
	}))
	rows := snapshot(t, s)
	assert.Equal(t, `{"changes": ["\u00e9"], "pending": []}`, rows["w"])
	assert.Equal(t, `2.0`, rows["f"])
}

func testSetSameValue(t *testing.T, s *flags.Store) {
	seed(t, s, map[string]string{"k": `"v"`})
	tx := begin(t, s)
	defer tx.Rollback()
	require.NoError(t, tx.Set("k", "v"))
	assert.False(t, tx.Dirty(), "setting the stored value again is not a change")
	require.NoError(t, tx.Set("k", "w"))
	assert.True(t, tx.Dirty())
	require.NoError(t, tx.Set("k", "v"))
	assert.False(t, tx.Dirty(), "setting back the committed value cancels the change")
}

func testSetRawBad(t *testing.T, s *flags.Store) {
	tx := begin(t, s)
	defer tx.Rollback()
	tests := []struct {
		key, text, want string
	}{
		{"", `1`, "empty key"},
		{"k", `{`, "not valid JSON"},
		{"k", ``, "not valid JSON"},
	}
	for _, tc := range tests {
		err := tx.SetRaw(tc.key, tc.text)
		assert.ErrorContains(t, err, tc.want, "SetRaw(%q, %q)", tc.key, tc.text)
	}
	assert.Error(t, tx.Set("k", make(chan int)), "a value with no JSON form")
	assert.False(t, tx.Dirty())
}

func testUnset(t *testing.T, s *flags.Store) {
	seed(t, s, map[string]string{"a": `1`, "b": `2`})
	require.NoError(t, s.Update(t.Context(), func(tx *flags.Tx) error {
		tx.Unset("a")
		tx.Unset("absent")
		assert.False(t, tx.Has("a"))
		require.NoError(t, tx.Set("c", 3))
		tx.Unset("c") // set and unset in one transaction: nothing
		return nil
	}))
	assert.Equal(t, map[string]string{"b": `2`}, snapshot(t, s))
}

func testKeysAndRange(t *testing.T, s *flags.Store) {
	seed(t, s, map[string]string{
		"reactive.states.a": `null`, "reactive.states.b": `1`, "reactive.statesX": `2`,
		"other": `3`, "REACTIVE.STATES.c": `4`,
	})
	tx := begin(t, s)
	defer tx.Rollback()
	tx.Unset("reactive.states.b")
	require.NoError(t, tx.Set("reactive.states.c", "v"))
	assert.Equal(t, []string{"reactive.states.a", "reactive.states.c"}, tx.Keys("reactive.states."))
	assert.Equal(t, map[string]json.RawMessage{"a": json.RawMessage(`null`), "c": json.RawMessage(`"v"`)},
		tx.Range("reactive.states.", true))
	assert.Equal(t, map[string]json.RawMessage{"reactive.states.a": json.RawMessage(`null`), "reactive.states.c": json.RawMessage(`"v"`)},
		tx.Range("reactive.states.", false))
	assert.Len(t, tx.Keys(""), 5)
	assert.Empty(t, tx.Keys("nothing."))
}

func testUpdateValues(t *testing.T, s *flags.Store) {
	require.NoError(t, s.Update(t.Context(), func(tx *flags.Tx) error {
		return tx.UpdateValues(map[string]any{"x": 1, "y": "two"}, "leadership.settings.")
	}))
	assert.Equal(t, map[string]string{"leadership.settings.x": `1`, "leadership.settings.y": `"two"`}, snapshot(t, s))
	err := s.Update(t.Context(), func(tx *flags.Tx) error {
		return tx.UpdateValues(map[string]any{"bad": func() {}}, "p.")
	})
	assert.Error(t, err)
}

func testCommitDurable(t *testing.T, s *flags.Store) {
	tx := begin(t, s)
	require.NoError(t, tx.Set("a", 1))
	require.NoError(t, tx.Commit(t.Context()))
	tx = begin(t, s)
	tx.Unset("a")
	require.NoError(t, tx.Set("b", 2))
	require.NoError(t, tx.Commit(t.Context()))
	assert.Equal(t, map[string]string{"b": `2`}, snapshot(t, s))
}

func testRollbackExact(t *testing.T, s *flags.Store) {
	seed(t, s, map[string]string{"a": `1`, "b": `{"x": [1, 2]}`, "c": `null`})
	before := snapshot(t, s)
	tx := begin(t, s)
	require.NoError(t, tx.Set("a", 100))
	tx.Unset("b")
	require.NoError(t, tx.Set("d", "new"))
	require.NoError(t, tx.Rollback())
	assert.Equal(t, before, snapshot(t, s))
}

func testUpdateError(t *testing.T, s *flags.Store) {
	seed(t, s, map[string]string{"a": `1`})
	before := snapshot(t, s)
	boom := errors.New("boom")
	err := s.Update(t.Context(), func(tx *flags.Tx) error {
		_ = tx.Set("a", 2)
		_ = tx.Set("b", 3)
		return boom
	})
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, before, snapshot(t, s))
}

func testUpdatePanic(t *testing.T, s *flags.Store) {
	seed(t, s, map[string]string{"a": `1`})
	before := snapshot(t, s)
	assert.PanicsWithValue(t, "handler panic", func() {
		_ = s.Update(t.Context(), func(tx *flags.Tx) error {
			_ = tx.Set("a", 2)
			panic("handler panic")
		})
	})
	assert.Equal(t, before, snapshot(t, s))
	// The lock was released: a new transaction starts.
	tx := begin(t, s)
	require.NoError(t, tx.Rollback())
}

func testView(t *testing.T, s *flags.Store) {
	require.NoError(t, s.View(t.Context(), func(tx *flags.Tx) error {
		return tx.Set("a", 1)
	}))
	assert.Empty(t, snapshot(t, s))
}

func testTxDone(t *testing.T, s *flags.Store) {
	tx := begin(t, s)
	require.NoError(t, tx.Set("a", 1))
	require.NoError(t, tx.Commit(t.Context()))
	assert.ErrorIs(t, tx.Commit(t.Context()), flags.ErrTxDone)
	assert.ErrorIs(t, tx.Rollback(), flags.ErrTxDone)
	assert.ErrorIs(t, tx.Set("b", 2), flags.ErrTxDone)
	assert.ErrorIs(t, tx.SetRaw("b", "2"), flags.ErrTxDone)
	assert.ErrorIs(t, tx.Unset("a"), flags.ErrTxDone)
	assert.ErrorIs(t, tx.UpdateValues(map[string]any{"c": 3}, ""), flags.ErrTxDone)
	tx = begin(t, s)
	require.NoError(t, tx.Rollback())
	assert.ErrorIs(t, tx.Rollback(), flags.ErrTxDone)
	assert.ErrorIs(t, tx.Commit(t.Context()), flags.ErrTxDone)
	assert.Equal(t, map[string]string{"a": `1`}, snapshot(t, s))
}

// testManaged checks that the transaction Update and View hand to their
// function cannot be ended by it: Commit and Rollback return ErrTxManaged and
// leave it open, and only the function's result decides.
func testManaged(t *testing.T, s *flags.Store) {
	seed(t, s, map[string]string{"kept": `1`})
	failed := errors.New("fn failed")
	err := s.Update(t.Context(), func(tx *flags.Tx) error {
		require.NoError(t, tx.Set("a", 1))
		assert.ErrorIs(t, tx.Commit(t.Context()), flags.ErrTxManaged)
		assert.ErrorIs(t, tx.Rollback(), flags.ErrTxManaged)
		require.NoError(t, tx.Set("b", 2), "the transaction is still open")
		require.NoError(t, tx.Unset("kept"))
		return failed
	})
	assert.ErrorIs(t, err, failed)
	assert.Equal(t, map[string]string{"kept": `1`}, snapshot(t, s), "a refused Commit persisted nothing")

	require.NoError(t, s.Update(t.Context(), func(tx *flags.Tx) error {
		assert.ErrorIs(t, tx.Rollback(), flags.ErrTxManaged)
		return tx.Set("a", 1)
	}))
	assert.Equal(t, map[string]string{"kept": `1`, "a": `1`}, snapshot(t, s), "a refused Rollback dropped nothing")

	var kept *flags.Tx
	require.NoError(t, s.View(t.Context(), func(tx *flags.Tx) error {
		kept = tx
		require.NoError(t, tx.Set("v", 1))
		assert.ErrorIs(t, tx.Commit(t.Context()), flags.ErrTxManaged)
		return nil
	}))
	assert.Equal(t, map[string]string{"kept": `1`, "a": `1`}, snapshot(t, s), "View never commits")
	assert.ErrorIs(t, kept.Set("w", 1), flags.ErrTxDone, "a transaction kept past View refuses writes")
	assert.ErrorIs(t, kept.Unset("a"), flags.ErrTxDone)
	assert.ErrorIs(t, kept.Commit(t.Context()), flags.ErrTxManaged)
	assert.Equal(t, map[string]string{"kept": `1`, "a": `1`}, snapshot(t, s))
}

func testConcurrentBegin(t *testing.T, s *flags.Store) {
	tx := begin(t, s)
	require.NoError(t, tx.Set("n", 1))
	got := make(chan int, 1)
	go func() {
		tx2, err := s.Begin(context.Background())
		if err != nil {
			got <- -1
			return
		}
		var n int
		_, _ = tx2.Get("n", &n)
		_ = tx2.Set("n", n+1)
		_ = tx2.Commit(context.Background())
		got <- n
	}()
	select {
	case <-got:
		t.Fatal("second Begin returned while the first transaction was open")
	case <-time.After(50 * time.Millisecond):
	}
	require.NoError(t, tx.Commit(t.Context()))
	select {
	case n := <-got:
		assert.Equal(t, 1, n, "the second transaction sees the first one's commit")
	case <-time.After(10 * time.Second):
		t.Fatal("second Begin still blocked after the first commit")
	}
	assert.Equal(t, `2`, snapshot(t, s)["n"])
}

func testCancelBegin(t *testing.T, s *flags.Store) {
	tx := begin(t, s)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
	defer cancel()
	_, err := s.Begin(ctx)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	require.NoError(t, tx.Set("a", 1))
	require.NoError(t, tx.Commit(t.Context()))
	assert.Equal(t, map[string]string{"a": `1`}, snapshot(t, s), "the store is usable after a cancelled Begin")
}

func testUnicode(t *testing.T, s *flags.Store) {
	key := "reactive.states.ñ-😀"
	require.NoError(t, s.Update(t.Context(), func(tx *flags.Tx) error {
		return tx.Set(key, "\ua000\x00<&>")
	}))
	rows := snapshot(t, s)
	assert.Equal(t, `"\ua000\u0000<&>"`, rows[key])
	require.NoError(t, s.View(t.Context(), func(tx *flags.Tx) error {
		var v string
		ok, err := tx.Get(key, &v)
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, "\ua000\x00<&>", v)
		return nil
	}))
}

func testManyKeys(t *testing.T, s *flags.Store) {
	want := map[string]string{}
	require.NoError(t, s.Update(t.Context(), func(tx *flags.Tx) error {
		for i := range 500 {
			k := "k." + string(rune('a'+i%26)) + "." + jsonInt(i)
			want[k] = jsonInt(i)
			if err := tx.Set(k, i); err != nil {
				return err
			}
		}
		return nil
	}))
	assert.Equal(t, want, snapshot(t, s))
}

func jsonInt(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func testClose(t *testing.T, s *flags.Store) {
	seed(t, s, map[string]string{"a": `1`})
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "Close twice is harmless")
	_, err := s.Begin(t.Context())
	assert.ErrorIs(t, err, flags.ErrClosed)
	assert.ErrorIs(t, s.Update(t.Context(), func(*flags.Tx) error { return nil }), flags.ErrClosed)
}
