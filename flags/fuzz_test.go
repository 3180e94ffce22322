package flags_test

import (
	"strings"
	"testing"

	"github.com/charmkit/charmkit/flags"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ensure that any valid flag name and string value round-trips through a
// transaction: Set then List, Value, and Clear.
func FuzzFlags_RoundTrip(f *testing.F) {
	f.Add("app.installed", "v")
	f.Add("endpoint.db.joined", "\ua000<&>\n")
	f.Add("ñ😀", "")
	f.Fuzz(func(t *testing.T, name, value string) {
		s := flags.OpenMemory()
		tx, err := s.Begin(t.Context())
		require.NoError(t, err)
		defer tx.Rollback()
		fl := flags.New(tx)
		if flags.ValidateName(name) != nil {
			assert.ErrorIs(t, fl.Set(name), flags.ErrInvalidFlag)
			return
		}
		require.NoError(t, fl.SetValue(name, value))
		assert.Equal(t, []string{name}, fl.List())
		var got string
		ok, err := fl.Value(name, &got)
		require.NoError(t, err)
		assert.True(t, ok)
		if isValid(value) {
			assert.Equal(t, value, got)
		}
		raw, _ := tx.GetRaw(flags.FlagPrefix + name)
		for _, c := range []byte(raw) {
			require.Less(t, c, byte(0x80), "stored text is ASCII like Python's: %q", raw)
		}
		require.NoError(t, fl.Clear(name))
		assert.Empty(t, fl.List())
	})
}

func isValid(s string) bool { return strings.ToValidUTF8(s, "\ufffd") == s }
