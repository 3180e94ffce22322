package pyjson_test

import (
	"testing"

	"github.com/charmkit/charmkit/internal/pyjson"
)

// BenchmarkMarshal encodes a state_watch-like record.
func BenchmarkMarshal(b *testing.B) {
	v := map[string]any{"iteration": 3, "changes": []string{"a.b", "c.d"}, "pending": []string{"é"}, "f": 1.5}
	for b.Loop() {
		if _, err := pyjson.Marshal(v, true); err != nil {
			b.Fatal(err)
		}
	}
}
