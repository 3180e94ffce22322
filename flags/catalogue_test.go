package flags_test

// Rows of the behaviour catalogue (docs/design.md, "Behaviour catalogue")
// about flags, triggers and helpers: F1-F6, H1-H4, H7-H10, B12 and X16, each
// test named after its row.

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/charmkit/charmkit/flags"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newFlags returns the flag set of an open transaction on a fresh store of
// each kind, rolled back at the end of the test.
func eachStore(t *testing.T, fn func(t *testing.T, f *flags.Flags)) {
	t.Helper()
	stores := []struct {
		name string
		open func(t *testing.T) *flags.Store
	}{
		{"memory", func(*testing.T) *flags.Store { return flags.OpenMemory() }},
		{"sqlite", func(t *testing.T) *flags.Store { return openTemp(t) }},
	}
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			st := s.open(t)
			tx, err := st.Begin(t.Context())
			require.NoError(t, err)
			t.Cleanup(func() { _ = tx.Rollback() })
			fn(t, flags.New(tx))
		})
	}
}

func mustSet(t testing.TB, f *flags.Flags, names ...string) {
	t.Helper()
	for _, n := range names {
		require.NoError(t, f.Set(n), "Set(%q)", n)
	}
}

func mustClear(t testing.TB, f *flags.Flags, names ...string) {
	t.Helper()
	for _, n := range names {
		require.NoError(t, f.Clear(n), "Clear(%q)", n)
	}
}

func mustTrigger(t testing.TB, f *flags.Flags, tr flags.Trigger) {
	t.Helper()
	require.NoError(t, f.RegisterTrigger(tr))
}

// F1: with no triggers, setting a flag sets only that flag.
func TestF1_NoTriggers(t *testing.T) {
	eachStore(t, func(t *testing.T, f *flags.Flags) {
		assert.False(t, f.AnySet("foo", "bar", "qux"))
		mustSet(t, f, "foo")
		assert.True(t, f.IsSet("foo"))
		assert.False(t, f.AnySet("bar", "qux"))
		mustClear(t, f, "foo")
		assert.False(t, f.AnySet("foo", "bar", "qux"))
	})
}

// F2: a when trigger sets its target at once; the target stays set when
// the trigger flag is cleared.
func TestF2_WhenSet(t *testing.T) {
	eachStore(t, func(t *testing.T, f *flags.Flags) {
		mustTrigger(t, f, flags.Trigger{When: "foo", SetFlag: "bar"})
		mustSet(t, f, "foo")
		assert.True(t, f.IsSet("bar"))
		mustClear(t, f, "foo")
		assert.True(t, f.IsSet("bar"))
	})
}

// F3: a when trigger can clear a flag.
func TestF3_WhenClear(t *testing.T) {
	eachStore(t, func(t *testing.T, f *flags.Flags) {
		mustTrigger(t, f, flags.Trigger{When: "foo", ClearFlag: "qux"})
		mustSet(t, f, "qux")
		mustSet(t, f, "foo")
		assert.False(t, f.IsSet("qux"))
	})
}

// F4: a when_not trigger fires only when its own flag goes from set to unset.
func TestF4_WhenNotSetClear(t *testing.T) {
	eachStore(t, func(t *testing.T, f *flags.Flags) {
		mustTrigger(t, f, flags.Trigger{WhenNot: "foo", SetFlag: "bar"})
		mustTrigger(t, f, flags.Trigger{WhenNot: "foo", ClearFlag: "qux"})
		t.Run("F4a other flags do not fire it", func(t *testing.T) {
			mustSet(t, f, "noop")
			mustClear(t, f, "noop")
			assert.False(t, f.IsSet("bar"))
		})
		t.Run("F4b setting foo does not fire it", func(t *testing.T) {
			mustSet(t, f, "foo", "qux")
			assert.False(t, f.IsSet("bar"))
			assert.True(t, f.IsSet("qux"))
		})
		t.Run("F4c clearing foo fires it", func(t *testing.T) {
			mustClear(t, f, "foo")
			assert.True(t, f.IsSet("bar"))
			assert.False(t, f.IsSet("qux"))
		})
	})
}

// F5: callbacks run on their own transitions only.
func TestF5_Callbacks(t *testing.T) {
	eachStore(t, func(t *testing.T, f *flags.Flags) {
		var a, b, c int
		mustTrigger(t, f, flags.Trigger{When: "a", Callback: func() error { a++; return nil }})
		mustTrigger(t, f, flags.Trigger{WhenNot: "b", Callback: func() error { b++; return nil }})
		_ = func() error { c++; return nil } // c: never registered
		steps := []struct {
			op      func() error
			a, b, c int
		}{
			{func() error { return f.Set("a") }, 1, 0, 0},
			{func() error { return f.Clear("a") }, 1, 0, 0},
			{func() error { return f.Set("b") }, 1, 0, 0},
			{func() error { return f.Clear("b") }, 1, 1, 0},
			{func() error { return f.Set("c") }, 1, 1, 0},
			{func() error { return f.Clear("c") }, 1, 1, 0},
		}
		for i, s := range steps {
			require.NoError(t, s.op())
			assert.Equal(t, [3]int{s.a, s.b, s.c}, [3]int{a, b, c}, "counts after step %d", i+1)
		}
	})
}

// F6: List and Unset.
func TestF6_GetUnsetFlags(t *testing.T) {
	eachStore(t, func(t *testing.T, f *flags.Flags) {
		assert.Empty(t, f.List())
		mustSet(t, f, "foo")
		assert.Equal(t, []string{"foo"}, f.List())
		assert.Equal(t, []string{"bar"}, f.Unset("foo", "bar"))
		assert.Equal(t, []string{"a", "b"}, f.Unset("b", "a", "b", "foo"), "sorted and de-duplicated")
	})
}

// H1: toggling is idempotent.
func TestH1_ToggleState(t *testing.T) {
	eachStore(t, func(t *testing.T, f *flags.Flags) {
		for range 2 {
			require.NoError(t, f.Toggle("foo", true))
			require.NoError(t, f.Toggle("bar", false))
		}
		assert.True(t, f.IsSet("foo"))
		assert.False(t, f.IsSet("bar"))
	})
}

// H2: IsSet follows Set.
func TestH2_IsState(t *testing.T) {
	eachStore(t, func(t *testing.T, f *flags.Flags) {
		assert.False(t, f.IsSet("foo"))
		mustSet(t, f, "foo")
		assert.True(t, f.IsSet("foo"))
	})
}

var flagTuples = [][]string{{"foo"}, {"bar"}, {"foo", "bar"}, {"foo", "bar", "qux"}, {"foo", "qux"}, {"bar", "qux"}, {"qux"}}

// H3: AllSet over the catalogue's tuples.
func TestH3_AllFlags(t *testing.T) {
	want := []bool{true, true, true, false, false, false, false}
	eachStore(t, func(t *testing.T, f *flags.Flags) {
		mustSet(t, f, "foo", "bar")
		for i, names := range flagTuples {
			assert.Equal(t, want[i], f.AllSet(names...), "AllSet(%v)", names)
		}
		assert.True(t, f.AllSet(), "AllSet() with no names")
	})
}

// H4: AnySet over the catalogue's tuples.
func TestH4_AnyFlags(t *testing.T) {
	want := []bool{true, true, true, true, true, true, false}
	eachStore(t, func(t *testing.T, f *flags.Flags) {
		mustSet(t, f, "foo", "bar")
		for i, names := range flagTuples {
			assert.Equal(t, want[i], f.AnySet(names...), "AnySet(%v)", names)
		}
		assert.False(t, f.AnySet(), "AnySet() with no names")
	})
}

type digestCall struct{ path, hash string }

// scriptedDigest returns a digest function that answers from values in
// order and records its calls.
func scriptedDigest(values []string, calls *[]digestCall) func(string, string) (*string, error) {
	return func(path, hashType string) (*string, error) {
		*calls = append(*calls, digestCall{path, hashType})
		if len(values) == 0 {
			return nil, errors.New("digest called too often")
		}
		v := values[0]
		values = values[1:]
		return &v, nil
	}
}

// H7: every file is looked at and every digest recorded, even after a change.
func TestH7_AnyFileChanged(t *testing.T) {
	eachStore(t, func(t *testing.T, f *flags.Flags) {
		tx := f.Tx()
		for i := 1; i <= 3; i++ {
			require.NoError(t, tx.Set(fmt.Sprintf("reactive.files_changed.file%d", i), fmt.Sprintf("hash%d", i)))
		}
		var calls []digestCall
		digest := scriptedDigest([]string{"hash1", "hash1", "hash2.1", "hash3.1", "hash1", "hash1", "hash2.1", "hash3.1"}, &calls)
		steps := []struct {
			paths []string
			hash  string
			want  bool
		}{
			{[]string{"file1"}, "", false},
			{[]string{"file1", "file2"}, "", true},
			{[]string{"file3"}, "sha256", true},
			{[]string{"file1"}, "", false},
			{[]string{"file1", "file2"}, "", false},
			{[]string{"file3"}, "md5", false},
		}
		for _, s := range steps {
			got, err := flags.AnyFileChangedWith(tx, s.paths, s.hash, digest)
			require.NoError(t, err)
			assert.Equal(t, s.want, got, "AnyFileChanged(%v, %q)", s.paths, s.hash)
		}
		assert.Equal(t, []digestCall{
			{"file1", "md5"}, {"file1", "md5"}, {"file2", "md5"}, {"file3", "sha256"},
			{"file1", "md5"}, {"file1", "md5"}, {"file2", "md5"}, {"file3", "md5"},
		}, calls)
		raw, _ := tx.GetRaw("reactive.files_changed.file2")
		assert.Equal(t, `"hash2.1"`, raw)
	})
}

// H8: each path is hashed as given, with md5 by default. (Go paths are
// strings; upstream also accepts functions and numbers, turned into strings.)
func TestH8_AnyFileChangedArgTypes(t *testing.T) {
	eachStore(t, func(t *testing.T, f *flags.Flags) {
		var calls []digestCall
		digest := scriptedDigest([]string{"beep", "beep", "beep"}, &calls)
		got, err := flags.AnyFileChangedWith(f.Tx(), []string{"one", "two", "3"}, "", digest)
		require.NoError(t, err)
		assert.True(t, got)
		assert.Equal(t, []digestCall{{"one", "md5"}, {"two", "md5"}, {"3", "md5"}}, calls)
	})
}

// H9: WasInvoked and MarkInvoked.
func TestH9_WasInvoked(t *testing.T) {
	eachStore(t, func(t *testing.T, f *flags.Flags) {
		tx := f.Tx()
		assert.False(t, flags.WasInvoked(tx, "foo"))
		assert.False(t, flags.WasInvoked(tx, "foo"))
		require.NoError(t, flags.MarkInvoked(tx, "foo"))
		assert.True(t, flags.WasInvoked(tx, "foo"))
		raw, _ := tx.GetRaw("reactive.invoked.foo")
		assert.Equal(t, "true", raw)
		require.NoError(t, tx.SetRaw("reactive.invoked.zero", "0"))
		assert.False(t, flags.WasInvoked(tx, "zero"), "stored values are read with Python truthiness")
	})
}

// H10: the data_changed sequence, with data containing U+A000.
func TestH10_DataChanged(t *testing.T) {
	eachStore(t, func(t *testing.T, f *flags.Flags) {
		tx := f.Tx()
		x := map[string]any{"foo": "bar", "baz": []any{1, 2.0, "\ua000"}}
		x2 := map[string]any{"foo": "bar", "baz": []any{1, 2.0, "\ua001"}}
		steps := []struct {
			id   string
			data any
			want bool
		}{
			{"foo", x, true}, {"foo", x, false}, {"bar", x, true}, {"foo", x2, true}, {"foo", x2, false},
		}
		for i, s := range steps {
			is, err := flags.IsDataChanged(tx, s.id, s.data, "")
			require.NoError(t, err)
			got, err := flags.DataChanged(tx, s.id, s.data, "")
			require.NoError(t, err)
			assert.Equal(t, s.want, got, "step %d DataChanged(%q)", i+1, s.id)
			assert.Equal(t, s.want, is, "step %d IsDataChanged(%q) agrees and wrote nothing", i+1, s.id)
		}
	})
}

// Ensure that digests equal Python's hashlib.new(h, json.dumps(data,
// sort_keys=True).encode()).hexdigest(), so a store written by Python
// reports no change.
func TestDataDigest_Python(t *testing.T) {
	data := map[string]any{"foo": "bar", "baz": []any{1, 2.0, "\ua000"}, "n": nil}
	tests := []struct{ hash, want string }{
		{"", "a617e1c61b429b9628927652aa2f1027"},
		{"md5", "a617e1c61b429b9628927652aa2f1027"},
		{"sha1", "45232504006fcb05782e0439d7eb37061f1174fb"},
		{"sha256", "22eb0331f4b2bf7a85706c75e45192420b6e8190353c98f3d8d1a556f7af9978"},
		{"SHA256", "22eb0331f4b2bf7a85706c75e45192420b6e8190353c98f3d8d1a556f7af9978"},
		{"sha512", "bb3cdcca4e8efd23301ce3da83bb312775cd53cf2163b0367fd2d7efb0d98316d603d2dbc8a903610b2299e1ca9a603b4861701b0aa184a483ae57868b97cd67"},
		{"sha3_256", "372e2273fbe1c8fdbce15d3819f8636d82456cf864a5a311678e949b8dc71626"},
	}
	for _, tc := range tests {
		got, err := flags.DataDigest(data, tc.hash)
		require.NoError(t, err, "DataDigest(%q)", tc.hash)
		assert.Equal(t, tc.want, got, "DataDigest(%q)", tc.hash)
	}
	_, err := flags.DataDigest(data, "whirlpool")
	assert.ErrorIs(t, err, flags.ErrUnknownHash)
	assert.ErrorContains(t, err, `"whirlpool"`)

	s := flags.OpenMemory()
	require.NoError(t, s.Update(t.Context(), func(tx *flags.Tx) error {
		// As Python stored it.
		require.NoError(t, tx.SetRaw("reactive.data_changed.cfg", `"a617e1c61b429b9628927652aa2f1027"`))
		changed, err := flags.DataChanged(tx, "cfg", data, "md5")
		require.NoError(t, err)
		assert.False(t, changed)
		_, err = flags.DataChanged(tx, "cfg", data, "nope")
		assert.ErrorIs(t, err, flags.ErrUnknownHash)
		_, err = flags.DataChanged(tx, "cfg", make(chan int), "")
		assert.Error(t, err)
		return nil
	}))
}

// Ensure that FileDigest hashes real files, returns nil for a missing one,
// and that AnyFileChanged sees a file appear, change and disappear.
func TestFileDigest_RealFiles(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	d, err := flags.FileDigest(p, "")
	require.NoError(t, err)
	assert.Nil(t, d, "missing file")
	require.NoError(t, os.WriteFile(p, []byte("hello\n"), 0o600))
	d, err = flags.FileDigest(p, "md5")
	require.NoError(t, err)
	require.NotNil(t, d)
	assert.Equal(t, "b1946ac92492d2347c6235b4d2611184", *d)
	d, err = flags.FileDigest(p, "sha256")
	require.NoError(t, err)
	assert.Equal(t, "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03", *d)
	_, err = flags.FileDigest(p, "crc")
	assert.ErrorIs(t, err, flags.ErrUnknownHash)
	_, err = flags.FileDigest(dir, "md5")
	assert.Error(t, err, "a directory cannot be hashed")

	q := filepath.Join(dir, "never")
	s := flags.OpenMemory()
	require.NoError(t, s.Update(t.Context(), func(tx *flags.Tx) error {
		steps := []struct {
			name string
			do   func()
			want bool
		}{
			{"first look", func() {}, true},
			{"no change", func() {}, false},
			{"changed", func() { require.NoError(t, os.WriteFile(p, []byte("bye\n"), 0o600)) }, true},
			{"deleted", func() { require.NoError(t, os.Remove(p)) }, true},
			{"still deleted", func() {}, false},
		}
		for _, st := range steps {
			st.do()
			got, err := flags.AnyFileChanged(tx, []string{q, p}, "")
			require.NoError(t, err)
			assert.Equal(t, st.want, got, st.name)
		}
		raw, _ := tx.GetRaw("reactive.files_changed." + p)
		assert.Equal(t, "null", raw, "a deleted file's digest is null")
		raw, ok := tx.GetRaw("reactive.files_changed." + q)
		assert.False(t, ok, "a file that never existed is never recorded")
		_ = raw
		_, err := flags.AnyFileChanged(tx, []string{p}, "bogus")
		assert.ErrorIs(t, err, flags.ErrUnknownHash)
		return nil
	}))
}

// B12: values are stored with flags; OnChange sees each transition in order.
func TestB12_SetGetClearFlag(t *testing.T) {
	eachStore(t, func(t *testing.T, f *flags.Flags) {
		var events []string
		f.OnChange = func(flag string, set bool) {
			events = append(events, sign(set)+flag)
		}
		mustSet(t, f, "foo")
		require.NoError(t, f.SetValue("bar.ready", "bar"))
		mustSet(t, f, "qux")
		assert.Equal(t, map[string]json.RawMessage{
			"foo": json.RawMessage("null"), "bar.ready": json.RawMessage(`"bar"`), "qux": json.RawMessage("null"),
		}, f.Values())
		var v string
		ok, err := f.Value("bar.ready", &v)
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, "bar", v)
		mustClear(t, f, "foo", "bar.ready")
		assert.Equal(t, map[string]json.RawMessage{"qux": json.RawMessage("null")}, f.Values())
		assert.Equal(t, []string{"+foo", "+bar.ready", "+qux", "-foo", "-bar.ready"}, events)
		ok, err = f.Value("bar.ready", &v)
		require.NoError(t, err)
		assert.False(t, ok)
	})
}

func sign(set bool) string {
	if set {
		return "+"
	}
	return "-"
}

// Ensure that a value change of a set flag is not a transition, and that
// Clear always records reactive.dispatch.removed_state and counts in
// Clears, whichever Flags of the transaction clears.
func TestSetValue_NotATransition(t *testing.T) {
	eachStore(t, func(t *testing.T, f *flags.Flags) {
		var events []string
		f.OnChange = func(flag string, set bool) { events = append(events, sign(set)+flag) }
		require.NoError(t, f.SetValue("v", 1))
		require.NoError(t, f.SetValue("v", 2))
		var n int
		_, err := f.Value("v", &n)
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		assert.Equal(t, []string{"+v"}, events)
		assert.False(t, f.Tx().Has(flags.RemovedStateKey))
		assert.Equal(t, 0, f.Clears())
		mustClear(t, f, "never-set")
		raw, ok := f.Tx().GetRaw(flags.RemovedStateKey)
		assert.True(t, ok)
		assert.Equal(t, "true", raw)
		assert.Equal(t, []string{"+v"}, events, "clearing an unset flag is not a transition")
		assert.Equal(t, 1, f.Clears(), "but it counts as a clear")
		mustClear(t, flags.New(f.Tx()), "v")
		assert.Equal(t, 2, f.Clears(), "clears through another Flags on the transaction count too")
	})
}

// X16: trigger order is set targets, clear targets, callbacks, depth first.
func TestX16_TriggerOrdering(t *testing.T) {
	eachStore(t, func(t *testing.T, f *flags.Flags) {
		mustSet(t, f, "x")
		var events []string
		f.OnChange = func(flag string, set bool) { events = append(events, sign(set)+flag) }
		mustTrigger(t, f, flags.Trigger{When: "a", SetFlag: "b"})
		mustTrigger(t, f, flags.Trigger{When: "a", ClearFlag: "x"})
		mustTrigger(t, f, flags.Trigger{When: "a", Callback: func() error { events = append(events, "callback"); return nil }})
		mustTrigger(t, f, flags.Trigger{When: "b", SetFlag: "c"})
		mustTrigger(t, f, flags.Trigger{WhenNot: "c", SetFlag: "d"})
		mustSet(t, f, "a")
		assert.Equal(t, []string{"+a", "+b", "+c", "-x", "callback"}, events)
		events = nil
		mustClear(t, f, "c")
		assert.Equal(t, []string{"-c", "+d"}, events)
		raw, _ := f.Tx().GetRaw("reactive.flag_set_triggers.a")
		assert.Equal(t, `{"set_flag": ["b"], "clear_flag": ["x"]}`, raw, "stored as Python stores it")
	})
}

// Ensure that triggers that keep flipping a flag fail with ErrTriggerLoop
// instead of recursing without end.
func TestTrigger_Loop(t *testing.T) {
	eachStore(t, func(t *testing.T, f *flags.Flags) {
		mustTrigger(t, f, flags.Trigger{When: "a", ClearFlag: "a"})
		mustTrigger(t, f, flags.Trigger{WhenNot: "a", SetFlag: "a"})
		err := f.Set("a")
		require.Error(t, err)
		assert.ErrorIs(t, err, flags.ErrTriggerLoop)
	})
}

// Ensure that a cycle made only of sets stops, a callback error is
// returned, and registration de-duplicates targets.
func TestTrigger_CyclesErrorsAndDedup(t *testing.T) {
	eachStore(t, func(t *testing.T, f *flags.Flags) {
		mustTrigger(t, f, flags.Trigger{When: "p", SetFlag: "q"})
		mustTrigger(t, f, flags.Trigger{When: "q", SetFlag: "p"})
		mustTrigger(t, f, flags.Trigger{When: "q", SetFlag: "p"})
		mustSet(t, f, "p")
		assert.True(t, f.AllSet("p", "q"))
		raw, _ := f.Tx().GetRaw("reactive.flag_set_triggers.q")
		assert.Equal(t, `{"set_flag": ["p"], "clear_flag": []}`, raw)

		boom := errors.New("boom")
		mustTrigger(t, f, flags.Trigger{When: "e", Callback: func() error { return boom }})
		assert.ErrorIs(t, f.Set("e"), boom)

		require.NoError(t, f.ClearTriggers())
		assert.Empty(t, f.Tx().Keys("reactive.flag_"))
	})
}

// Ensure that invalid triggers and flag names are rejected with clear errors.
func TestTrigger_Validate(t *testing.T) {
	tests := []struct {
		tr   flags.Trigger
		want string
	}{
		{flags.Trigger{SetFlag: "b"}, "one of When or WhenNot must be given"},
		{flags.Trigger{When: "a", WhenNot: "b", SetFlag: "c"}, "only one of When or WhenNot"},
		{flags.Trigger{When: "a"}, "at least one of SetFlag, ClearFlag or Callback"},
		{flags.Trigger{When: "a\n", SetFlag: "b"}, "control character"},
	}
	f := flags.New(mustBegin(t, flags.OpenMemory()))
	for _, tc := range tests {
		assert.ErrorContains(t, f.RegisterTrigger(tc.tr), tc.want, "RegisterTrigger(%+v)", tc.tr)
	}
	for _, name := range []string{"", "a\x00b", "\xff"} {
		assert.ErrorIs(t, f.Set(name), flags.ErrInvalidFlag, "Set(%q)", name)
		assert.ErrorIs(t, f.Clear(name), flags.ErrInvalidFlag, "Clear(%q)", name)
	}
}

func mustBegin(t testing.TB, s *flags.Store) *flags.Tx {
	t.Helper()
	tx, err := s.Begin(t.Context())
	require.NoError(t, err)
	t.Cleanup(func() { _ = tx.Rollback() })
	return tx
}
