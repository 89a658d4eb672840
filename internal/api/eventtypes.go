package api

import (
	"encoding/json"
	"net/http"

	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/service"
)

// eventTypeSummaryJSON is an event type in a list: everything but its
// schema and example, which GET …/event-types/{type} answers.
type eventTypeSummaryJSON struct {
	Type        string             `json:"type"`
	Entity      string             `json:"entity"`
	Action      string             `json:"action"`
	Title       string             `json:"title"`
	Description string             `json:"description"`
	Variables   []catalog.Variable `json:"variables"`
	// OrderingKey is the JSON Pointer into the data of the type's default
	// ordering key; "" when it names none.
	OrderingKey string `json:"ordering_key"`
	Custom      bool   `json:"custom"`
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
		Description: et.Description, Variables: vars, OrderingKey: et.OrderingKey, Custom: et.Custom,
	}
}

func toEventTypeJSON(et *catalog.EventType) eventTypeJSON {
	out := eventTypeJSON{eventTypeSummaryJSON: toEventTypeSummary(et), Schema: et.Schema, Example: et.Example}
	if len(out.Example) == 0 {
		out.Example = json.RawMessage("null")
	}
	return out
}

// writeTypes answers a list of event types.
func writeTypes(w http.ResponseWriter, types []catalog.EventType, err error) error {
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(mapList(types, toEventTypeSummary), ""))
}

// writeType answers one event type with its schema and example.
func writeType(w http.ResponseWriter, status int, et *catalog.EventType, err error) error {
	if err != nil {
		return err
	}
	return writeJSON(w, status, toEventTypeJSON(et))
}

// listEventTypes answers the builtin catalog to any valid key.
func (a *API) listEventTypes(w http.ResponseWriter, r *http.Request) error {
	types, err := a.svc.EventTypes.ListBuiltin(r.URL.Query().Get("entity"))
	return writeTypes(w, types, err)
}

// getEventType answers one builtin type with its schema and example.
func (a *API) getEventType(w http.ResponseWriter, r *http.Request) error {
	et, err := a.svc.EventTypes.GetBuiltin(r.PathValue("type"))
	return writeType(w, http.StatusOK, et, err)
}

// listTenantEventTypes answers the builtin types and the tenant's own.
func (a *API) listTenantEventTypes(w http.ResponseWriter, r *http.Request) error {
	types, err := a.svc.EventTypes.List(r.Context(), r.PathValue("tenant"), r.URL.Query().Get("entity"))
	return writeTypes(w, types, err)
}

// getTenantEventType answers one type as the tenant sees it.
func (a *API) getTenantEventType(w http.ResponseWriter, r *http.Request) error {
	et, err := a.svc.EventTypes.Get(r.Context(), r.PathValue("tenant"), r.PathValue("type"))
	return writeType(w, http.StatusOK, et, err)
}

// customTypeInput is the body of PUT …/event-types/{type}.
type customTypeInput struct {
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Schema      json.RawMessage `json:"schema"`
	Example     json.RawMessage `json:"example"`
	OrderingKey string          `json:"ordering_key"`
}

// putEventType creates or replaces one of the tenant's own event types:
// 201 when new, 200 when replaced.
func (a *API) putEventType(w http.ResponseWriter, r *http.Request) error {
	var in customTypeInput
	if err := readJSON(r, a.maxBody, &in); err != nil {
		return err
	}
	et, created, err := a.svc.EventTypes.Put(r.Context(), r.PathValue("tenant"), r.PathValue("type"), service.EventTypeInput(in))
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return writeType(w, status, et, err)
}

// deleteEventType removes one of the tenant's own event types.
func (a *API) deleteEventType(w http.ResponseWriter, r *http.Request) error {
	if err := a.svc.EventTypes.Delete(r.Context(), r.PathValue("tenant"), r.PathValue("type")); err != nil {
		return err
	}
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

// checkFilter lets an admin try a filter before saving it (the webhooks
// service's CheckFilter). A filter problem is a 200 with valid false and
// the error; a bad request (unknown type) is a 422.
func (a *API) checkFilter(w http.ResponseWriter, r *http.Request) error {
	var in filterCheckInput
	if err := readJSON(r, a.maxBody, &in); err != nil {
		return err
	}
	check := service.FilterCheck{Data: in.Data}
	if in.Filter != nil {
		check.Filter = *in.Filter
	}
	if in.EventType != nil {
		check.EventType = *in.EventType
	}
	res, err := a.svc.Webhooks.CheckFilter(r.Context(), r.PathValue("tenant"), check)
	if err != nil {
		return err
	}
	out := filterCheckJSON{Valid: res.Problem == "", Result: res.Result}
	if !out.Valid {
		out.Error = &res.Problem
	}
	return writeJSON(w, http.StatusOK, out)
}
