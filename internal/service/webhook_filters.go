package service

import (
	"context"
	"encoding/json"
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

// TryFilter evaluates a filter on one event after the same compile and
// schema check that saving runs.
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
		if !json.Valid([]byte(data)) || data[0] != '{' {
			out.Error = "The data to try on must be a JSON object, like {\"course\": {\"id\": \"c_1\"}}."
			return out
		}
		out.Data, out.Pasted = json.RawMessage(data), true
	}
	if len(out.Data) == 0 {
		out.Error = fmt.Sprintf("%s has no example; paste data to try the filter on.", et.Type)
		return out
	}
	p, err := s.cfg.Filters.Compile(expr)
	if err != nil {
		out.Error = domain.ErrorMessage(err)
		return out
	}
	now := s.now()
	if err := p.Check([]filter.Target{{Type: et.Type, Schema: et.Schema, Example: out.Data}}, tenantID, now); err != nil {
		out.Error = domain.ErrorMessage(err)
		return out
	}
	res, err := p.Eval(&domain.Event{Type: et.Type, TenantID: tenantID, OccurredAt: now, ReceivedAt: now, Data: out.Data})
	if err != nil {
		out.Error = err.Error()
		return out
	}
	out.Outcome = fmt.Sprint(res)
	if len(subscribed) > 0 {
		if err := p.Check(filterTargets(cat, subscribed), tenantID, now); err != nil {
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
