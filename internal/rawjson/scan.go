// Package rawjson reads JSON text in place, without decoding it: where a
// value ends, an object's members and an array's elements as their raw
// text, and the value a JSON Pointer names. The request decoder uses it to
// check what encoding/json does not, templates and ordering keys to read
// one value of an event's data.
//
// It finds where values end, not whether they are well-formed: on text
// that is not JSON its answers mean nothing (a walk may stop early), so
// callers either leave the verdict to encoding/json or read data already
// known to be valid.
package rawjson

import (
	"bytes"
	"encoding/json"
	"iter"
)

// SkipSpace returns the index of the first byte at or after i that is not
// JSON whitespace.
func SkipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// SkipString returns the index just after the JSON string that starts at
// data[i] (a quote), or -1 when it does not end.
func SkipString(data []byte, i int) int {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// SkipValue returns the index just after the JSON value that starts at
// data[i], or -1 when it does not end.
func SkipValue(data []byte, i int) int {
	if i >= len(data) {
		return -1
	}
	switch data[i] {
	case '"':
		return SkipString(data, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				k := SkipString(data, j)
				if k < 0 {
					return -1
				}
				j = k - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(data) && !bytes.ContainsRune([]byte(",}] \t\r\n"), rune(data[j])) {
		j++
	}
	return j
}

// Unquote decodes the JSON string q (quotes included); without escapes it
// is q's bytes between the quotes.
func Unquote(q []byte) (string, bool) {
	if bytes.IndexByte(q, '\\') < 0 {
		return string(q[1 : len(q)-1]), true
	}
	var s string
	return s, json.Unmarshal(q, &s) == nil
}

// Members yields the key and raw value of each member of the JSON object
// data, in order, repeated keys included. It yields nothing when data is
// not an object, and stops where the object is not well-formed.
func Members(data []byte) iter.Seq2[string, []byte] {
	return func(yield func(string, []byte) bool) {
		i := SkipSpace(data, 0)
		if i >= len(data) || data[i] != '{' {
			return
		}
		for i = SkipSpace(data, i+1); i < len(data) && data[i] == '"'; {
			end := SkipString(data, i)
			if end < 0 {
				return
			}
			key, ok := Unquote(data[i:end])
			if i = SkipSpace(data, end); !ok || i >= len(data) || data[i] != ':' {
				return
			}
			i = SkipSpace(data, i+1)
			vend := SkipValue(data, i)
			if vend < 0 || !yield(key, data[i:vend]) {
				return
			}
			if i = SkipSpace(data, vend); i >= len(data) || data[i] != ',' {
				return
			}
			i = SkipSpace(data, i+1)
		}
	}
}

// Elements yields the index and raw text of each element of the JSON
// array data (see Members).
func Elements(data []byte) iter.Seq2[int, []byte] {
	return func(yield func(int, []byte) bool) {
		i := SkipSpace(data, 0)
		if i >= len(data) || data[i] != '[' {
			return
		}
		for n, i := 0, SkipSpace(data, i+1); i < len(data) && data[i] != ']'; n++ {
			end := SkipValue(data, i)
			if end < 0 || !yield(n, data[i:end]) {
				return
			}
			if i = SkipSpace(data, end); i >= len(data) || data[i] != ',' {
				return
			}
			i = SkipSpace(data, i+1)
		}
	}
}
