package suggest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Ensure that suggestions are close names only, a swap counting as one
// edit, and that ties go to the smallest name.
func TestClosest(t *testing.T) {
	assert.Equal(t, 1, Distance("config-chagned", "config-changed"), "a swap is one edit")
	assert.Equal(t, 3, Distance("abc", ""))
	assert.Equal(t, 0, Distance("same", "same"))
	hooks := []string{"install", "config-changed", "upgrade-charm"}
	assert.Equal(t, "config-changed", Closest("config-chagned", hooks))
	assert.Equal(t, "", Closest("frobnicate", hooks))
	assert.Equal(t, "", Closest("x", nil))
	assert.Equal(t, "", Closest("install", []string{"install"}), "the name itself is no suggestion")
	assert.Equal(t, "ab", Closest("aa", []string{"ba", "ab"}), "ties: the smallest name")
	assert.Equal(t, "leadership.is_leader", Closest("leadership.is-leader", []string{"leadership.changed", "leadership.is_leader"}))
}
