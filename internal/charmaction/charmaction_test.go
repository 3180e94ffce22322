package charmaction

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const actionsYAML = `
resize:
  params:
    size: {type: number}
    unit: {type: [string, "null"], default: GiB}
    tags: {type: array}
    opts: {type: object}
`

// Ensure that the parameter types follow JSON schema (an integer is a
// number, a type may be a list), values are normalised, and defaults fill
// in only what was not given.
func TestCheck(t *testing.T) {
	a, err := Parse([]byte(actionsYAML), "actions.yaml")
	require.NoError(t, err)
	got, err := a.Check("resize", map[string]any{"size": 3, "tags": []string{"a"}, "opts": map[string]any{"x": int32(1)}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"size": int64(3), "unit": "GiB", "tags": []any{"a"}, "opts": map[string]any{"x": int64(1)}}, got)
	got, err = a.Check("resize", map[string]any{"size": 2.5, "unit": nil})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"size": 2.5, "unit": nil}, got, "an explicit null is kept, not defaulted")
	_, err = a.Check("resize", map[string]any{"size": "s3cr3t"})
	require.ErrorContains(t, err, `parameter "size": a string, but actions.yaml declares it of type number or integer`)
	assert.NotContains(t, err.Error(), "s3cr3t", "messages never quote a string value")
	_, err = a.Check("resize", map[string]any{"tags": "a"})
	assert.ErrorContains(t, err, "of type array")
}

// Ensure that without known actions anything goes, and that a charm's
// charmcraft.yaml actions read like actions.yaml.
func TestCheck_NoActionsAndCharmcraft(t *testing.T) {
	var none *Actions
	got, err := none.Check("anything", map[string]any{"n": 1})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"n": int64(1)}, got)
	_, err = (&Actions{File: "actions.yaml (the charm has none)"}).Check("backup", nil)
	assert.ErrorContains(t, err, `action "backup": actions.yaml (the charm has none) declares no such action`)

	text, err := FromCharmcraft([]byte("name: x\nactions:\n  backup: {params: {to: {type: string}}}\n"))
	require.NoError(t, err)
	a, err := Parse(text, "charmcraft.yaml")
	require.NoError(t, err)
	assert.Contains(t, a.Actions, "backup")
	text, err = FromCharmcraft([]byte("name: x\n"))
	require.NoError(t, err)
	assert.Nil(t, text)
}
