package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// OrderingKey resolves the ordering key of an event of type t with data:
// given, the key published with the event, when set; else the value at
// the type's OrderingKey pointer in data: a string is the key, a number
// its JSON text; anything else (absent, null, a boolean, an object, an
// array, an unknown type, a type without a pointer) is no key, "". So is
// a value that is not a valid ordering key (domain.ValidateOrderingKey,
// too long say): the event then shares the key "" with the others that
// have none, which keeps it in order, only with more company.
func (c *Catalog) OrderingKey(t, given string, data json.RawMessage) string {
	if given != "" {
		return given
	}
	e, ok := c.types[t]
	if !ok || e.et.OrderingKey == "" {
		return ""
	}
	key := keyAt(data, e.et.OrderingKey)
	if domain.ValidateOrderingKey("", key) != nil {
		return ""
	}
	return key
}

// OrderingKey resolves an event's ordering key in tenantID's catalog (see
// Catalog.OrderingKey); it fits ingest.Config.OrderingKey.
func (c *Views) OrderingKey(ctx context.Context, tenantID, eventType, given string, data json.RawMessage) (string, error) {
	if given != "" {
		return given, nil
	}
	cat, err := c.Tenant(ctx, tenantID)
	if err != nil {
		return "", err
	}
	return cat.OrderingKey(eventType, given, data), nil
}

// keyAt returns the string or number at pointer in data as a key: a
// string's value, a number's JSON text as written; "" for anything else.
// Of repeated object keys the first counts, as templates read them.
func keyAt(data json.RawMessage, pointer string) string {
	raw := data
	if pointer != "" {
		if pointer[0] != '/' {
			return ""
		}
		for _, tok := range strings.Split(pointer[1:], "/") {
			var ok bool
			if raw, ok = step(raw, strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")); !ok {
				return ""
			}
		}
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	switch c := raw[0]; {
	case c == '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return ""
		}
		return s
	case c == '-' || (c >= '0' && c <= '9'):
		return string(raw)
	}
	return ""
}

// step returns the JSON text of the object member named tok, or of the
// array element at index tok, in raw; false when there is none.
func step(raw json.RawMessage, tok string) (json.RawMessage, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	open, err := dec.Token()
	if err != nil {
		return nil, false
	}
	switch open {
	case json.Delim('{'):
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, false
			}
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return nil, false
			}
			if k == tok {
				return v, true
			}
		}
	case json.Delim('['):
		want, ok := arrayIndex(tok)
		if !ok {
			return nil, false
		}
		for i := 0; dec.More(); i++ {
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return nil, false
			}
			if i == want {
				return v, true
			}
		}
	}
	return nil, false
}

// arrayIndex parses an array index token of a JSON Pointer: "0", or digits
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
