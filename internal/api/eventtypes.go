package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/filter"
)

// Catalogs gives the event catalog as each tenant sees it.
// *catalogs.Catalogs satisfies it.
type Catalogs interface {
	// Builtin returns the catalog every tenant shares.
	Builtin() *catalog.Catalog
	// Tenant returns the builtin types plus the tenant's own.
	Tenant(ctx context.Context, tenantID string) (*catalog.Catalog, error)
	// Invalidate drops a tenant's cached view after its types changed.
	Invalidate(tenantID string)
}

// eventTypeSummaryJSON is an event type in a list: everything but its
// schema and example, which GET …/event-types/{type} answers.
type eventTypeSummaryJSON struct {
	Type        string             `json:"type"`
	Entity      string             `json:"entity"`
	Action      string             `json:"action"`
	Title       string             `json:"title"`
	Description string             `json:"description"`
	Variables   []catalog.Variable `json:"variables"`
	Custom      bool               `json:"custom"`
}

// eventTypeJSON is one event type with its schema and example.
type eventTypeJSON struct {
	eventTypeSummaryJSON
	Schema  json.RawMessage `json:"schema"`
	Example json.RawMessage `json:"example"`
}

func toEventTypeSummary(et *catalog.EventType) eventTypeSummaryJSON {
	vars := et.Variables
	if vars == nil {
		vars = []catalog.Variable{}
	}
	return eventTypeSummaryJSON{
		Type: et.Type, Entity: et.Entity, Action: et.Action, Title: et.Title,
		Description: et.Description, Variables: vars, Custom: et.Custom,
	}
}

func toEventTypeJSON(et *catalog.EventType) eventTypeJSON {
	out := eventTypeJSON{eventTypeSummaryJSON: toEventTypeSummary(et), Schema: et.Schema, Example: et.Example}
	if len(out.Example) == 0 {
		out.Example = json.RawMessage("null")
	}
	return out
}

// catalogsOrErr returns the configured catalogs, or an error when this API
// runs without one.
func (a *API) catalogsOrErr() (Catalogs, error) {
	if a.catalogs == nil {
		return nil, domain.Errorf(domain.EUNAVAILABLE, "this server runs without an event catalog")
	}
	return a.catalogs, nil
}

// listTypes answers the types of cat, optionally of one ?entity=.
func listTypes(w http.ResponseWriter, r *http.Request, cat *catalog.Catalog) error {
	entity := strings.TrimSpace(r.URL.Query().Get("entity"))
	var out []eventTypeSummaryJSON
	for _, et := range cat.All() {
		if entity == "" || et.Entity == entity {
			out = append(out, toEventTypeSummary(&et))
		}
	}
	return writeJSON(w, http.StatusOK, newList(out, ""))
}

// lookupType finds t in cat; ENOTFOUND with the closest types otherwise.
func lookupType(cat *catalog.Catalog, t string) (*catalog.EventType, error) {
	if et, ok := cat.Lookup(t); ok {
		return et, nil
	}
	e := domain.NotFound("event type", t)
	if len(t) <= 127 {
		if s := cat.Suggest(t); len(s) > 0 {
			e.Message += "; did you mean " + quoteList(s) + "?"
		}
	}
	return nil, e
}

// listEventTypes answers the builtin catalog to any valid key.
func (a *API) listEventTypes(w http.ResponseWriter, r *http.Request) error {
	c, err := a.catalogsOrErr()
	if err != nil {
		return err
	}
	return listTypes(w, r, c.Builtin())
}

// getEventType answers one builtin type with its schema and example.
func (a *API) getEventType(w http.ResponseWriter, r *http.Request) error {
	c, err := a.catalogsOrErr()
	if err != nil {
		return err
	}
	et, err := lookupType(c.Builtin(), r.PathValue("type"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toEventTypeJSON(et))
}

// tenantCatalog returns the {tenant}'s view of the catalog; 404 for a
// tenant that does not exist.
func (a *API) tenantCatalog(r *http.Request) (*catalog.Catalog, error) {
	c, err := a.catalogsOrErr()
	if err != nil {
		return nil, err
	}
	tid := r.PathValue("tenant")
	if err := a.requireTenant(r, tid); err != nil {
		return nil, err
	}
	return c.Tenant(r.Context(), tid)
}

// listTenantEventTypes answers the builtin types and the tenant's own.
func (a *API) listTenantEventTypes(w http.ResponseWriter, r *http.Request) error {
	cat, err := a.tenantCatalog(r)
	if err != nil {
		return err
	}
	return listTypes(w, r, cat)
}

// getTenantEventType answers one type as the tenant sees it.
func (a *API) getTenantEventType(w http.ResponseWriter, r *http.Request) error {
	cat, err := a.tenantCatalog(r)
	if err != nil {
		return err
	}
	et, err := lookupType(cat, r.PathValue("type"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toEventTypeJSON(et))
}

// customTypeInput is the body of PUT …/event-types/{type}.
type customTypeInput struct {
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Schema      json.RawMessage `json:"schema"`
	Example     json.RawMessage `json:"example"`
}

// maxCustomTypeText bounds a custom type's title and description.
const (
	maxCustomTitle       = 200
	maxCustomDescription = 2000
)

// putEventType creates or replaces one of the tenant's own event types: 201
// when new, 200 when replaced. The schema must compile and the example, if
// given, must follow it; builtin names are refused.
func (a *API) putEventType(w http.ResponseWriter, r *http.Request) error {
	c, err := a.catalogsOrErr()
	if err != nil {
		return err
	}
	var in customTypeInput
	if err := readJSON(r, a.maxBody, &in); err != nil {
		return err
	}
	tid, typ := r.PathValue("tenant"), r.PathValue("type")
	ct := &domain.CustomEventType{
		TenantID:    tid,
		Type:        typ,
		Title:       strings.TrimSpace(in.Title),
		Description: strings.TrimSpace(in.Description),
		Schema:      nullAsAbsent(in.Schema),
		Example:     nullAsAbsent(in.Example),
	}
	if len(ct.Title) > maxCustomTitle {
		return domain.FieldErrorf("title", "must be at most %d characters", maxCustomTitle)
	}
	if len(ct.Description) > maxCustomDescription {
		return domain.FieldErrorf("description", "must be at most %d characters", maxCustomDescription)
	}
	if len(ct.Example) > 0 && ct.Example[0] != '{' {
		return domain.FieldErrorf("example", "must be a JSON object, as event data is")
	}
	// WithCustom checks the name (not a builtin), compiles the schema and
	// validates the example, naming the offending field.
	view, err := c.Builtin().WithCustom([]catalog.EventType{{
		Type: ct.Type, Title: ct.Title, Description: ct.Description, Schema: ct.Schema, Example: ct.Example,
	}})
	if err != nil {
		return err
	}
	// Store the derived title and schema, so that what is read back is
	// what is enforced.
	et, _ := view.Lookup(ct.Type)
	ct.Title, ct.Schema = et.Title, et.Schema
	existing, err := a.store.ListEventTypes(r.Context(), tid)
	if err != nil {
		return err
	}
	now := a.clock.Now().UTC()
	ct.CreatedAt, ct.UpdatedAt = now, now
	status := http.StatusCreated
	for _, x := range existing {
		if x.Type == ct.Type {
			ct.CreatedAt = x.CreatedAt
			status = http.StatusOK
		}
	}
	if err := a.store.PutEventType(r.Context(), ct); err != nil {
		return err
	}
	c.Invalidate(tid)
	return writeJSON(w, status, toEventTypeJSON(et))
}

// nullAsAbsent treats a JSON null as an absent value.
func nullAsAbsent(raw json.RawMessage) json.RawMessage {
	if strings.TrimSpace(string(raw)) == "null" {
		return nil
	}
	return raw
}

// deleteEventType removes one of the tenant's own event types. Webhooks
// subscribed to it keep their subscription; events of that type are refused
// from now on.
func (a *API) deleteEventType(w http.ResponseWriter, r *http.Request) error {
	c, err := a.catalogsOrErr()
	if err != nil {
		return err
	}
	tid, typ := r.PathValue("tenant"), r.PathValue("type")
	if _, ok := c.Builtin().Lookup(typ); ok {
		return domain.Errorf(domain.EINVALID, "%q is a built-in event type; only a tenant's own types can be deleted", typ)
	}
	if err := a.store.DeleteEventType(r.Context(), tid, typ); err != nil {
		return err
	}
	c.Invalidate(tid)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// filterCheckInput is the body of POST …/filters/check.
type filterCheckInput struct {
	Filter    *string         `json:"filter"`
	EventType *string         `json:"event_type"`
	Data      json.RawMessage `json:"data"`
}

// filterCheckJSON answers a filter check: whether the filter would be
// accepted for the event type, and what it yields on the data (or the
// type's example).
type filterCheckJSON struct {
	Valid  bool    `json:"valid"`
	Result *bool   `json:"result"`
	Error  *string `json:"error"`
}

// checkFilter lets an admin try a filter before saving it: it compiles the
// filter, checks it against the event type's schema, and evaluates it on
// the given data or the type's example. A filter problem is a 200 with
// valid false and the error; a bad request (unknown type) is a 422.
func (a *API) checkFilter(w http.ResponseWriter, r *http.Request) error {
	var in filterCheckInput
	if err := readJSON(r, a.maxBody, &in); err != nil {
		return err
	}
	if in.Filter == nil || strings.TrimSpace(*in.Filter) == "" {
		return domain.FieldErrorf("filter", "is required")
	}
	data := nullAsAbsent(in.Data)
	if len(data) > 0 && (!json.Valid(data) || strings.TrimSpace(string(data))[0] != '{') {
		return domain.FieldErrorf("data", "must be a JSON object")
	}
	tid := r.PathValue("tenant")
	ev := &domain.Event{TenantID: tid, Data: data, OccurredAt: a.clock.Now().UTC()}
	var targets []filter.Target
	if in.EventType != nil && strings.TrimSpace(*in.EventType) != "" {
		cat, err := a.tenantCatalog(r)
		if err != nil {
			return err
		}
		ev.Type = strings.TrimSpace(*in.EventType)
		et, ok := cat.Lookup(ev.Type)
		if !ok {
			err := cat.Validate(ev.Type, nil) // the unknown-type error, with suggestions
			var de *domain.Error
			if errors.As(err, &de) {
				de.Field = "event_type"
			}
			return err
		}
		if len(ev.Data) == 0 {
			ev.Data = et.Example
		}
		targets = []filter.Target{{Type: et.Type, Schema: et.Schema, Example: ev.Data}}
	} else if err := a.requireTenant(r, tid); err != nil {
		return err
	}
	out := filterCheckJSON{}
	fail := func(err error) error {
		msg := domain.ErrorMessage(err)
		if domain.ErrorCode(err) == domain.EINTERNAL {
			msg = err.Error()
		}
		out.Error = &msg
		return writeJSON(w, http.StatusOK, out)
	}
	p, err := a.filters.Compile(strings.TrimSpace(*in.Filter))
	if err != nil {
		return fail(err)
	}
	if err := p.Check(targets, tid, ev.OccurredAt); err != nil {
		return fail(err)
	}
	if len(ev.Data) > 0 {
		res, err := p.Eval(ev)
		if err != nil {
			return fail(err)
		}
		out.Result = &res
	}
	out.Valid = true
	return writeJSON(w, http.StatusOK, out)
}

// quoteList renders ["a", "b"] as `"a", "b"`.
func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}
