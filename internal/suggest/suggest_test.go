package suggest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDistance(t *testing.T) {
	assert.Equal(t, 1, Distance("config-chagned", "config-changed"), "a swap is one edit")
	assert.Equal(t, 3, Distance("abc", ""))
	assert.Equal(t, 0, Distance("é", "é"))
	assert.Equal(t, 1, Distance("é", "e"), "runes, not bytes")
}

func TestClosest(t *testing.T) {
	hooks := []string{"install", "config-changed", "start", "stop"}
	assert.Equal(t, "config-changed", Closest("config-chagned", hooks))
	assert.Equal(t, "install", Closest("instal", hooks))
	assert.Equal(t, "", Closest("upgrade", hooks), "nothing close")
	assert.Equal(t, "", Closest("start", hooks), "the word itself is not a suggestion")
	assert.Equal(t, "stop", Closest("stip", []string{"stop", "step"}[:1]))
	assert.Equal(t, "step", Closest("stap", []string{"stop", "step"}), "ties go to the smallest")
	assert.Equal(t, "", Closest("a", []string{"b"}), "a one-letter word is not a typo of another")
	assert.Equal(t, ` (did you mean "keep"?)`, DidYouMean("kepe", []string{"keep", "target"}))
	assert.Equal(t, "", DidYouMean("zzz", []string{"keep"}))
}
