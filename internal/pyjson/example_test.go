package pyjson_test

import (
	"fmt"

	"github.com/charmkit/charmkit/internal/pyjson"
)

func ExampleMarshal() {
	v := map[string]any{"b": []any{1.0, "é<>"}, "a": nil}
	out, _ := pyjson.Marshal(v, true)
	fmt.Println(string(out))
	// Output: {"a": null, "b": [1.0, "\u00e9<>"]}
}
