package charmcheck_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/analysis/charmvet"
	"github.com/charmkit/charmkit/internal/charmcheck"
)

// Ensure that the packages asked for are analyzed, with facts from their
// dependencies (the leadership layer's families and flag-name functions),
// and that only they are reported.
func TestRun_Examples(t *testing.T) {
	res, err := charmcheck.Run(context.Background(), charmcheck.Config{Dir: "../..", Patterns: []string{"./examples/..."}})
	require.NoError(t, err)
	assert.Empty(t, res.Diagnostics)
	var pkgs []string
	handlers := map[string]int{}
	for _, c := range res.Charms {
		pkgs = append(pkgs, c.Package)
		handlers[c.Package] = len(c.Handlers)
	}
	assert.Subset(t, pkgs, []string{
		"github.com/charmkit/charmkit/examples/hello",
		"github.com/charmkit/charmkit/examples/password-charm",
		"github.com/charmkit/charmkit/examples/password-charm/charm",
	})
	assert.IsNonDecreasing(t, pkgs, "sorted")
	for _, p := range pkgs {
		assert.Contains(t, p, "/examples/", "no dependency reported")
	}
	assert.Equal(t, 3, handlers["github.com/charmkit/charmkit/examples/hello"])
	assert.Equal(t, 9, handlers["github.com/charmkit/charmkit/examples/password-charm/charm"])
	var h charmvet.Handler
	for _, c := range res.Charms {
		if c.Package == "github.com/charmkit/charmkit/examples/password-charm/charm" {
			h = c.Handlers[0]
		}
	}
	assert.Equal(t, "generate_secret", h.Name)
	assert.Equal(t, "charm.go", filepath.Base(res.Fset.Position(h.Pos).Filename))
}

// Ensure that packages that do not load are an error.
func TestRun_Errors(t *testing.T) {
	_, err := charmcheck.Run(context.Background(), charmcheck.Config{Dir: "../..", Patterns: []string{"./no/such/package"}})
	assert.Error(t, err)
	d := charmcheck.Diagnostic{Message: "warning: x"}
	assert.True(t, d.Warning())
	assert.False(t, charmcheck.Diagnostic{Message: "x"}.Warning())
}
