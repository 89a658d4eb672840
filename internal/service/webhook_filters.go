package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/filter"
)

// checkFilterSyntax compiles the webhook's filter, if any: a filter that
// does not compile is refused with or without a catalog.
func (s *Webhooks) checkFilterSyntax(w *domain.Webhook) error {
	if w.Filter == "" {
		return nil
	}
	_, err := s.cfg.Filters.Compile(w.Filter)
	return err
}

// checkFilter is the save-time check of w's filter: it must compile and
// fit the schemas and examples of every type w subscribes to, the
// tenant's own included.
func (s *Webhooks) checkFilter(cat *catalog.Catalog, w *domain.Webhook) error {
	if w.Filter == "" {
		return nil
	}
	p, err := s.cfg.Filters.Compile(w.Filter)
	if err != nil {
		return err
	}
	return p.Check(filterTargets(cat, w.EventTypes), w.TenantID, s.now())
}

// filterTargets lists the types the patterns select, with their schemas
// and examples, for the filter's save-time check.
func filterTargets(cat *catalog.Catalog, patterns []string) []filter.Target {
	var out []filter.Target
	for _, t := range SubscribedTypes(cat, patterns) {
		if et, ok := cat.Lookup(t); ok {
			out = append(out, filter.Target{Type: et.Type, Schema: et.Schema, Example: et.Example})
		}
	}
	return out
}

// FilterTrial asks what a filter yields on one event: the example of an
// event type, or data of the caller's own.
type FilterTrial struct {
	Filter string
	// EventType is the type to try on; "" takes the first type that
	// Subscribed selects.
	EventType string
	// Data, when set, is tried instead of the type's example.
	Data json.RawMessage
	// Subscribed are the patterns the webhook would subscribe to: saving
	// checks the filter against all of them.
	Subscribed []string
}

// FilterOutcome is what a filter trial found. Problems are part of the
// outcome, not errors: trying is how filters get written.
type FilterOutcome struct {
	EventType string
	// Outcome is "true", "false" or "error".
	Outcome string
	Error   string
	// Data is what the filter was evaluated on; Pasted says it is the
	// caller's own rather than the type's example.
	Data   json.RawMessage
	Pasted bool
	// SaveError is the save-time check across every subscribed type when
	// it would refuse the filter although this trial succeeded.
	SaveError string
}

// FilterCheck asks whether a filter would be accepted for an event type
// and what it yields on some data. EventType "" checks the filter alone
// (and evaluates it on Data, if any); Data nil takes the type's example.
type FilterCheck struct {
	Filter    string
	EventType string
	Data      json.RawMessage
}

// FilterResult is what a filter check found. A filter problem is part of
// the result, not an error: trying is how filters get written.
type FilterResult struct {
	// Result is what the filter yields, when there was data to evaluate
	// it on; nil otherwise, and when Problem is set.
	Result *bool
	// Problem is why the filter would be refused or failed to evaluate;
	// "" when it is valid.
	Problem string
}

// CheckFilter compiles a filter, checks it against the event type's schema
// (the same check saving runs) and evaluates it on the data or the type's
// example. A missing filter, data that is not a JSON object or an unknown
// event type are EINVALID on filter, data and event_type; an unknown
// tenant is ENOTFOUND.
func (s *Webhooks) CheckFilter(ctx context.Context, tenantID string, in FilterCheck) (*FilterResult, error) {
	expr := strings.TrimSpace(in.Filter)
	if expr == "" {
		return nil, domain.FieldErrorf("filter", "is required")
	}
	data := NullAsAbsent(in.Data)
	if len(data) > 0 && !isJSONObject(data) {
		return nil, domain.FieldErrorf("data", "must be a JSON object")
	}
	var et *catalog.EventType
	if typ := strings.TrimSpace(in.EventType); typ != "" {
		cat, err := s.tenantCatalog(ctx, tenantID)
		if err != nil {
			return nil, err
		}
		var ok bool
		if et, ok = cat.Lookup(typ); !ok {
			return nil, unknownEventType(cat, typ)
		}
		if len(data) == 0 {
			data = et.Example
		}
	} else if _, err := s.d.Store.GetTenant(ctx, tenantID); err != nil {
		return nil, err
	}
	return s.evalFilter(expr, tenantID, et, data), nil
}

// unknownEventType is the catalog's error for a type it does not know, with
// its suggestions, on the field "event_type" of the requests that name a
// type to try or to send.
func unknownEventType(cat *catalog.Catalog, typ string) error {
	err := cat.Validate(typ, nil)
	var de *domain.Error
	if errors.As(err, &de) {
		de.Field = "event_type"
	}
	return err
}

// evalFilter compiles expr, checks it against et when there is one, and
// evaluates it on data when there is some.
func (s *Webhooks) evalFilter(expr, tenantID string, et *catalog.EventType, data json.RawMessage) *FilterResult {
	out := &FilterResult{}
	p, err := s.cfg.Filters.Compile(expr)
	if err != nil {
		out.Problem = filterProblem(err)
		return out
	}
	now := s.now()
	ev := &domain.Event{TenantID: tenantID, OccurredAt: now, ReceivedAt: now, Data: data}
	var targets []filter.Target
	if et != nil {
		ev.Type = et.Type
		targets = []filter.Target{{Type: et.Type, Schema: et.Schema, Example: data}}
	}
	if err := p.Check(targets, tenantID, now); err != nil {
		out.Problem = filterProblem(err)
		return out
	}
	if len(data) > 0 {
		res, err := p.Eval(ev)
		if err != nil {
			out.Problem = filterProblem(err)
			return out
		}
		out.Result = &res
	}
	return out
}

// filterProblem is the text of a filter's problem: an evaluation error is
// no domain error but is about the filter, so its own text is shown.
func filterProblem(err error) string {
	if domain.ErrorCode(err) == domain.EINTERNAL {
		return err.Error()
	}
	return domain.ErrorMessage(err)
}

// isJSONObject says whether data is a JSON object.
func isJSONObject(data json.RawMessage) bool {
	d := strings.TrimSpace(string(data))
	return json.Valid([]byte(d)) && d != "" && d[0] == '{'
}

// TryFilter is the console's CheckFilter: it tries a filter on the example
// of an event type (by default the first one subscribed) or on pasted
// data, and reports every problem, of the filter or of the request, in
// the outcome. It also says when the save-time check across every
// subscribed type would refuse a filter that this trial accepted.
func (s *Webhooks) TryFilter(ctx context.Context, tenantID string, t FilterTrial) *FilterOutcome {
	out := &FilterOutcome{EventType: strings.TrimSpace(t.EventType), Outcome: "error"}
	cat, err := s.tenantCatalog(ctx, tenantID)
	if err != nil {
		out.Error = domain.ErrorMessage(err)
		return out
	}
	subscribed := SubscribedTypes(cat, t.Subscribed)
	if out.EventType == "" && len(subscribed) > 0 {
		out.EventType = subscribed[0]
	}
	expr := strings.TrimSpace(t.Filter)
	if expr == "" {
		out.Error = "Write a filter first; without one every subscribed event is sent."
		return out
	}
	et, ok := cat.Lookup(out.EventType)
	if !ok {
		out.Error = "Choose an event type to try the filter on."
		if out.EventType != "" {
			out.Error = fmt.Sprintf("%q is not a known event type.", out.EventType)
		}
		return out
	}
	out.Data = et.Example
	if data := strings.TrimSpace(string(t.Data)); data != "" {
		if !isJSONObject(json.RawMessage(data)) {
			out.Error = "The data to try on must be a JSON object, like {\"course\": {\"id\": \"c_1\"}}."
			return out
		}
		out.Data, out.Pasted = json.RawMessage(data), true
	}
	if len(out.Data) == 0 {
		out.Error = fmt.Sprintf("%s has no example; paste data to try the filter on.", et.Type)
		return out
	}
	res := s.evalFilter(expr, tenantID, et, out.Data)
	if res.Problem != "" {
		out.Error = res.Problem
		return out
	}
	out.Outcome = fmt.Sprint(*res.Result)
	if len(subscribed) > 0 {
		if err := s.checkFilter(cat, &domain.Webhook{TenantID: tenantID, Filter: expr, EventTypes: subscribed}); err != nil {
			out.SaveError = domain.ErrorMessage(err)
		}
	}
	return out
}

// tenantCatalog returns the tenant's view of the catalog, or EUNAVAILABLE
// when this service runs without one.
func (s *Webhooks) tenantCatalog(ctx context.Context, tenantID string) (*catalog.Catalog, error) {
	if s.cfg.Catalogs == nil {
		return nil, domain.Errorf(domain.EUNAVAILABLE, "this server runs without an event catalog")
	}
	return s.cfg.Catalogs.Tenant(ctx, tenantID)
}
