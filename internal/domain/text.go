package domain

import (
	"strings"
	"unicode/utf8"
)

// ValidText reports whether s can be stored as text by every store: valid
// UTF-8 without NUL characters. PostgreSQL refuses both in text and jsonb
// columns, so a field that lets them through turns a typo into a failed
// write; checking here keeps that a 422 on every path (API and console).
func ValidText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// textError is the error for a field that fails ValidText.
func textError(field string) *Error {
	return FieldErrorf(field, "must be UTF-8 text without NUL characters")
}
