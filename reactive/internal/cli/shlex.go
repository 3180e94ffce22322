package cli

import (
	"errors"
	"strings"
)

// Errors of shlexSplit, with Python shlex's messages.
var (
	errNoClosingQuote = errors.New("no closing quotation")
	errNoEscapedChar  = errors.New("no escaped character")
)

// shlexSplit splits s as Python's shlex.split(s) does (POSIX mode): words
// are separated by blanks; single quotes keep everything literally; in
// double quotes a backslash escapes only '"' and '\'; outside quotes it
// escapes any character. An empty quoted string is an empty word.
func shlexSplit(s string) ([]string, error) {
	var (
		words   []string
		cur     strings.Builder
		inWord  bool
		quote   rune // 0, '\'' or '"'
		escaped bool
	)
	for _, r := range s {
		switch {
		case escaped:
			if quote == '"' && r != '"' && r != '\\' {
				cur.WriteRune('\\')
			}
			cur.WriteRune(r)
			escaped = false
		case quote == '\'':
			if r == '\'' {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case quote == '"':
			switch r {
			case '"':
				quote = 0
			case '\\':
				escaped = true
			default:
				cur.WriteRune(r)
			}
		case r == '\\':
			escaped, inWord = true, true
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t' || r == '\r' || r == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, errNoClosingQuote
	}
	if escaped {
		return nil, errNoEscapedChar
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
