package api

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/domain"
)

// emptyData is what a test send carries for a type without an example: an
// invented payload would only mislead the receiver's developer.
const emptyData = `{}`

// example picks the event a test send carries when the request leaves it
// open. typ is the asked type, or "" to pick one that the webhook's
// patterns select: the example of the tenant's catalog (builtin and its
// own types, catalog.ExampleFor), else a selected type with no data.
func (a *API) example(ctx context.Context, tenantID string, patterns []string, typ string) (string, json.RawMessage, error) {
	var cat *catalog.Catalog
	if a.catalogs != nil {
		var err error
		if cat, err = a.catalogs.Tenant(ctx, tenantID); err != nil {
			return "", nil, err
		}
	}
	if typ != "" {
		if cat != nil {
			if et, ok := cat.Lookup(typ); ok && len(et.Example) > 0 {
				return typ, et.Example, nil
			}
		}
		return typ, json.RawMessage(emptyData), nil
	}
	if cat != nil {
		if t, data, ok := cat.TestEvent(patterns); ok {
			return t, data, nil
		}
		return "", nil, domain.FieldErrorf("event_type", "is required: the webhook's event types (%s) match no event type of the catalog", strings.Join(patterns, ", "))
	}
	// Without a catalog only a plain type can be sent, with empty data.
	for _, p := range patterns {
		if domain.ValidEventType(p) {
			return p, json.RawMessage(emptyData), nil
		}
	}
	return "", nil, domain.FieldErrorf("event_type", "is required: this server runs without an event catalog to pick a type matching %s", strings.Join(patterns, ", "))
}
