// Package jsonptr finds the JSON text a JSON Pointer (RFC 6901) names in
// a JSON document, without decoding the rest of it: templates and
// ordering keys read one value of an event's data, as written.
package jsonptr

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Lookup returns the JSON text at pointer in data, as written (numbers and
// escapes untouched), and whether there is one. "" names data itself. Of
// repeated object members the first counts. An array index is "0" or
// digits without a leading zero, as RFC 6901 spells it.
func Lookup(data json.RawMessage, pointer string) (json.RawMessage, bool) {
	raw := data
	if pointer == "" {
		return raw, true
	}
	if pointer[0] != '/' {
		return nil, false
	}
	for _, tok := range strings.Split(pointer[1:], "/") {
		var ok bool
		if raw, ok = member(raw, strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")); !ok {
			return nil, false
		}
	}
	return raw, true
}

// member returns the JSON text of an object's member named tok, or of an
// array's element at index tok.
func member(raw json.RawMessage, tok string) (json.RawMessage, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	open, err := dec.Token()
	if err != nil {
		return nil, false
	}
	index := -1
	switch open {
	case json.Delim('['):
		var ok bool
		if index, ok = arrayIndex(tok); !ok {
			return nil, false
		}
	case json.Delim('{'):
	default:
		return nil, false
	}
	for i := 0; dec.More(); i++ {
		key := ""
		if index < 0 {
			kt, err := dec.Token()
			if err != nil {
				return nil, false
			}
			key, _ = kt.(string)
		}
		var v json.RawMessage // Decode keeps a RawMessage's bytes as written
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		if (index < 0 && key == tok) || i == index {
			return v, true
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
