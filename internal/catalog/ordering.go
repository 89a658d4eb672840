package catalog

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/rawjson"
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
	raw, ok := rawjson.Lookup(data, pointer)
	if !ok {
		return ""
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	switch c := raw[0]; {
	case c == '"':
		s, _ := rawjson.Unquote(raw)
		return s
	case c == '-' || (c >= '0' && c <= '9'):
		return string(raw)
	}
	return ""
}
