package office

import (
	"strings"
	"unicode"
)

// escapeCell guards a text cell against formula injection: a value that a spreadsheet (or a
// CSV conversion of the sheet) could take for a formula, one starting with = + - @ or a tab or
// carriage return, gets a leading apostrophe. unescapeCell undoes it on import.
func escapeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// unescapeCell removes the apostrophe escapeCell adds; other leading apostrophes are kept.
func unescapeCell(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(s[1])) {
		return s[1:]
	}
	return s
}

// isBlank reports whether r is white space as users type it: ASCII and full-width spaces,
// no-break space, and the zero-width characters pasted in from web pages.
func isBlank(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff'
}

// cleanCell trims blanks around an imported value and removes our export escape.
func cleanCell(s string) string {
	s = strings.TrimFunc(s, isBlank)
	if u := unescapeCell(s); u != s {
		s = strings.TrimFunc(u, isBlank)
	}
	return s
}
