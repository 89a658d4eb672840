package rawjson

import (
	"encoding/json"
	"strings"
)

// Lookup returns the JSON text at pointer (RFC 6901) in data, as written
// (numbers and escapes untouched), and whether there is one; data must be
// valid JSON. "" names data itself. Of repeated object members the first
// counts. An array index is "0" or digits without a leading zero, as RFC
// 6901 spells it.
func Lookup(data json.RawMessage, pointer string) (json.RawMessage, bool) {
	raw := []byte(data)
	if pointer == "" {
		return raw, true
	}
	if pointer[0] != '/' {
		return nil, false
	}
	for tok := range strings.SplitSeq(pointer[1:], "/") {
		var ok bool
		if raw, ok = member(raw, strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")); !ok {
			return nil, false
		}
	}
	return raw, true
}

// member returns the raw text of an object's member named tok, or of an
// array's element at index tok.
func member(raw []byte, tok string) ([]byte, bool) {
	i := SkipSpace(raw, 0)
	if i >= len(raw) {
		return nil, false
	}
	switch raw[i] {
	case '{':
		for k, v := range Members(raw) {
			if k == tok {
				return v, true
			}
		}
	case '[':
		want, ok := arrayIndex(tok)
		if !ok {
			return nil, false
		}
		for n, v := range Elements(raw) {
			if n == want {
				return v, true
			}
		}
	}
	return nil, false
}

// arrayIndex parses an array index token: "0", or up to nine digits
// without a leading zero.
func arrayIndex(tok string) (int, bool) {
	if tok == "" || len(tok) > 9 || (len(tok) > 1 && tok[0] == '0') {
		return 0, false
	}
	n := 0
	for i := 0; i < len(tok); i++ {
		if tok[i] < '0' || tok[i] > '9' {
			return 0, false
		}
		n = n*10 + int(tok[i]-'0')
	}
	return n, true
}
