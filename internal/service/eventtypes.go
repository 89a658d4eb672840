package service

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/domain"
)

// EventCatalogs gives the event catalog as each tenant sees it.
// *catalog.Views satisfies it.
type EventCatalogs interface {
	// Builtin returns the catalog every tenant shares.
	Builtin() *catalog.Catalog
	// Tenant returns the builtin types plus the tenant's own.
	Tenant(ctx context.Context, tenantID string) (*catalog.Catalog, error)
	// Invalidate drops a tenant's cached view after its types changed.
	Invalidate(tenantID string)
}

// BuiltinOnly is a catalog that every tenant sees alone, without types
// of its own: for a server that keeps none.
type BuiltinOnly struct{ Catalog *catalog.Catalog }

// Builtin returns the catalog.
func (b BuiltinOnly) Builtin() *catalog.Catalog { return b.Catalog }

// Tenant returns the catalog, whatever the tenant.
func (b BuiltinOnly) Tenant(context.Context, string) (*catalog.Catalog, error) { return b.Catalog, nil }

// Invalidate does nothing: nothing is cached.
func (BuiltinOnly) Invalidate(string) {}

// EventTypesConfig is what EventTypes needs besides Deps.
type EventTypesConfig struct {
	// Catalogs is the catalog and the tenants' views of it; nil when the
	// server runs without one, and then every method is EUNAVAILABLE.
	Catalogs EventCatalogs
}

// EventTypes is the event catalog as a tenant sees it (the builtin types
// and its own) and the tenant's own types: registering, replacing and
// deleting them. The catalog packages compile schemas and validate
// examples; this holds the rules around them.
type EventTypes struct {
	d    Deps
	cats EventCatalogs
}

// NewEventTypes returns the event types service.
func NewEventTypes(d Deps, cfg EventTypesConfig) *EventTypes {
	return &EventTypes{d: d.withDefaults(), cats: cfg.Catalogs}
}

// Bounds of a tenant's own type's text.
const (
	maxCustomTitle       = 200
	maxCustomDescription = 2000
)

// catalogs returns the configured catalogs, or EUNAVAILABLE.
func (s *EventTypes) catalogs() (EventCatalogs, error) {
	if s.cats == nil {
		return nil, domain.Errorf(domain.EUNAVAILABLE, "this server runs without an event catalog")
	}
	return s.cats, nil
}

// Builtin returns the catalog every tenant shares.
func (s *EventTypes) Builtin() (*catalog.Catalog, error) {
	c, err := s.catalogs()
	if err != nil {
		return nil, err
	}
	return c.Builtin(), nil
}

// Catalog returns the catalog as tenantID sees it: the builtin types and
// its own. ENOTFOUND for an unknown tenant.
func (s *EventTypes) Catalog(ctx context.Context, tenantID string) (*catalog.Catalog, error) {
	c, err := s.catalogs()
	if err != nil {
		return nil, err
	}
	if _, err := s.d.Store.GetTenant(ctx, tenantID); err != nil {
		return nil, err
	}
	return c.Tenant(ctx, tenantID)
}

// ListBuiltin returns the builtin types, of one entity unless entity is "".
func (s *EventTypes) ListBuiltin(entity string) ([]catalog.EventType, error) {
	cat, err := s.Builtin()
	if err != nil {
		return nil, err
	}
	return ofEntity(cat, entity), nil
}

// List returns the types tenantID sees, of one entity unless entity is "".
func (s *EventTypes) List(ctx context.Context, tenantID, entity string) ([]catalog.EventType, error) {
	cat, err := s.Catalog(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	return ofEntity(cat, entity), nil
}

// ofEntity returns cat's types of entity, or all of them for "".
func ofEntity(cat *catalog.Catalog, entity string) []catalog.EventType {
	entity = strings.TrimSpace(entity)
	var out []catalog.EventType
	for _, et := range cat.All() {
		if entity == "" || et.Entity == entity {
			out = append(out, et)
		}
	}
	return out
}

// GetBuiltin returns one builtin type; ENOTFOUND, naming the closest
// types, otherwise.
func (s *EventTypes) GetBuiltin(name string) (*catalog.EventType, error) {
	cat, err := s.Builtin()
	if err != nil {
		return nil, err
	}
	return lookupType(cat, name)
}

// Get returns one type as tenantID sees it; ENOTFOUND, naming the closest
// types, otherwise.
func (s *EventTypes) Get(ctx context.Context, tenantID, name string) (*catalog.EventType, error) {
	cat, err := s.Catalog(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	return lookupType(cat, name)
}

// lookupType finds name in cat; ENOTFOUND with the closest types otherwise.
func lookupType(cat *catalog.Catalog, name string) (*catalog.EventType, error) {
	if et, ok := cat.Lookup(name); ok {
		return et, nil
	}
	e := domain.NotFound("event type", name)
	// Suggesting compares every type by edit distance: not for long text.
	if len(name) <= 127 {
		e.Message += catalog.DidYouMean(cat.Suggest(name))
	}
	return nil, e
}

// EventTypeInput is a tenant's own event type as given. A JSON null schema
// or example is the same as none.
type EventTypeInput struct {
	Title       string
	Description string
	Schema      json.RawMessage
	Example     json.RawMessage
	// OrderingKey is a JSON Pointer into the data of the default ordering
	// key of the type's events ("" for none).
	OrderingKey string
}

// Put creates or replaces one of the tenant's own event types and returns
// it as it is enforced, and whether it is new. The name may not be a
// builtin type's; the schema must compile and accept some event data, and
// the example, if given, must be an object that follows it (without one,
// an object built from the schema must; see catalog.Catalog.Instance).
func (s *EventTypes) Put(ctx context.Context, tenantID, name string, in EventTypeInput) (et *catalog.EventType, created bool, err error) {
	c, err := s.catalogs()
	if err != nil {
		return nil, false, err
	}
	ct := &domain.CustomEventType{
		TenantID:    tenantID,
		Type:        name,
		Title:       strings.TrimSpace(in.Title),
		Description: strings.TrimSpace(in.Description),
		Schema:      NullAsAbsent(in.Schema),
		Example:     NullAsAbsent(in.Example),
		OrderingKey: strings.TrimSpace(in.OrderingKey),
	}
	if len(ct.Title) > maxCustomTitle {
		return nil, false, domain.FieldErrorf("title", "must be at most %d characters", maxCustomTitle)
	}
	if len(ct.Description) > maxCustomDescription {
		return nil, false, domain.FieldErrorf("description", "must be at most %d characters", maxCustomDescription)
	}
	if len(ct.Example) > 0 && ct.Example[0] != '{' {
		return nil, false, domain.FieldErrorf("example", "must be a JSON object, as event data is")
	}
	// WithCustom checks the name (not a builtin), compiles the schema and
	// validates the example, naming the offending field.
	view, err := c.Builtin().WithCustom([]catalog.EventType{{
		Type: ct.Type, Title: ct.Title, Description: ct.Description, Schema: ct.Schema, Example: ct.Example,
		OrderingKey: ct.OrderingKey,
	}})
	if err != nil {
		return nil, false, err
	}
	// A schema that no data meets would refuse every publish of the type:
	// the example shows that some does, or else an object built from it.
	if _, ok := view.Instance(ct.Type); !ok {
		return nil, false, domain.FieldErrorf("schema", "accepts no event data: no JSON object lmshooks could build from it matches it (is it false, or contradictory, or does it require a property it forbids?). If objects can match it, give an example of one")
	}
	// Store the derived title and schema, so that what is read back is
	// what is enforced.
	et, _ = view.Lookup(ct.Type)
	ct.Title, ct.Schema = et.Title, et.Schema
	existing, err := s.d.Store.ListEventTypes(ctx, tenantID)
	if err != nil {
		return nil, false, err
	}
	now := s.d.Clock.Now().UTC()
	ct.CreatedAt, ct.UpdatedAt, created = now, now, true
	for _, x := range existing {
		if x.Type == ct.Type {
			ct.CreatedAt, created = x.CreatedAt, false
		}
	}
	if err := s.d.Store.PutEventType(ctx, ct); err != nil {
		return nil, false, err
	}
	c.Invalidate(tenantID)
	return et, created, nil
}

// Delete removes one of the tenant's own event types. Webhooks subscribed
// to it keep their subscription; events of that type are refused from now
// on. Builtin types cannot be deleted.
func (s *EventTypes) Delete(ctx context.Context, tenantID, name string) error {
	c, err := s.catalogs()
	if err != nil {
		return err
	}
	if _, ok := c.Builtin().Lookup(name); ok {
		return domain.Errorf(domain.EINVALID, "%q is a built-in event type; only a tenant's own types can be deleted", name)
	}
	if err := s.d.Store.DeleteEventType(ctx, tenantID, name); err != nil {
		return err
	}
	c.Invalidate(tenantID)
	return nil
}

// absentIfNull treats a JSON null as an absent value.
func NullAsAbsent(raw json.RawMessage) json.RawMessage {
	if strings.TrimSpace(string(raw)) == "null" {
		return nil
	}
	return raw
}
