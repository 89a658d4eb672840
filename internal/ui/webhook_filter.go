package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/filter"
)

// actionTryFilter is the form action that evaluates the filter on an
// example instead of saving.
const actionTryFilter = "try-filter"

// filterExample is a documented filter, shown as a hint under the field.
type filterExample struct {
	Want, Expr string
}

// filterExamples are docs/FILTERS.md's examples (internal/filter tests
// that each one passes the save-time check for the types it is meant for).
var filterExamples = []filterExample{
	{"only some courses", `data.course.id in ["c_1", "c_2"]`},
	{"only the company's own users, on enrollment events", `data.user.email.endsWith("@acme.com")`},
	{"the same on user.* events, where data is the user", `data.email.endsWith("@acme.com")`},
	{"passing scores only", `has(data.score) && data.score.raw >= 80`},
	{"mandatory trainings completed by learners themselves", `data.is_mandatory && data.completion_source == "learner"`},
	{"learners holding a role", `"manager" in data.roles`},
	{"one course code family", `data.course.code.matches("^HSE-[0-9]+$")`},
	{"several types with different rules", `type == "user.created" || (has(data.course) && data.course.id == "c_1")`},
	{"events of weekdays (UTC)", `occurred_at.getDayOfWeek() in [1, 2, 3, 4, 5]`},
}

// filterTry is the outcome of "Try on the example", shown next to the
// filter field.
type filterTry struct {
	EventType string
	// Outcome is "true", "false" or "error".
	Outcome string
	Error   string
	// Data is what the filter was evaluated on; Pasted says it is the
	// admin's own rather than the type's example.
	Data   json.RawMessage
	Pasted bool
	// SaveError is the save-time check across every subscribed type when
	// it would refuse the filter although this try succeeded.
	SaveError string
}

// tryFilter evaluates the form's filter on the example of the chosen type
// (or of the first subscribed one), or on the pasted data, after the same
// compile and schema check the API's filters/check runs. Problems are part
// of the outcome, never an error page: this is a tool for writing filters.
func (c *Console) tryFilter(ctx context.Context, tenantID string, f *webhookForm) *filterTry {
	cat := c.catalogFor(ctx, tenantID)
	subscribed := subscribedTypes(cat, f.types())
	out := &filterTry{EventType: f.TryType, Outcome: "error"}
	if out.EventType == "" && len(subscribed) > 0 {
		out.EventType = subscribed[0]
	}
	expr := strings.TrimSpace(f.Filter)
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
	if data := strings.TrimSpace(f.TryData); data != "" {
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
	p, err := c.filters.Compile(expr)
	if err != nil {
		out.Error = domain.ErrorMessage(err)
		return out
	}
	now := c.clock.Now().UTC()
	if err := p.Check([]filter.Target{{Type: et.Type, Schema: et.Schema, Example: out.Data}}, tenantID, now); err != nil {
		out.Error = domain.ErrorMessage(err)
		return out
	}
	ev := &domain.Event{Type: et.Type, TenantID: tenantID, OccurredAt: now, ReceivedAt: now, Data: out.Data}
	res, err := p.Eval(ev)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	out.Outcome = fmt.Sprint(res)
	if len(subscribed) > 0 {
		if err := p.Check(subscribedTargets(cat, subscribed), tenantID, now); err != nil {
			out.SaveError = domain.ErrorMessage(err)
		}
	}
	return out
}

// checkFilter is the save-time check of w's filter: it must compile and
// fit the schemas and examples of every type w subscribes to, the tenant's
// own included, exactly as the API checks it.
func (c *Console) checkFilter(cat *catalog.Catalog, w *domain.Webhook) error {
	if w.Filter == "" {
		return nil
	}
	p, err := c.filters.Compile(w.Filter)
	if err != nil {
		return err
	}
	return p.Check(subscribedTargets(cat, w.EventTypes), w.TenantID, c.clock.Now().UTC())
}

// subscribedTypes expands subscription patterns to the known types they
// select, sorted and distinct.
func subscribedTypes(cat *catalog.Catalog, patterns []string) []string {
	var out []string
	for _, p := range patterns {
		out = append(out, cat.Match(strings.TrimSpace(p))...)
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// subscribedTargets lists the types the patterns select, with their
// schemas and examples, for the filter's save-time check.
func subscribedTargets(cat *catalog.Catalog, patterns []string) []filter.Target {
	var out []filter.Target
	for _, t := range subscribedTypes(cat, patterns) {
		if et, ok := cat.Lookup(t); ok {
			out = append(out, filter.Target{Type: et.Type, Schema: et.Schema, Example: et.Example})
		}
	}
	return out
}

// checkTypes refuses a subscribed type or pattern that selects no type of
// the tenant's catalog, naming the closest ones, as the API does. Patterns
// in before (the stored subscription) are not re-checked. The error points
// at the picker or at the free patterns, wherever the admin wrote it.
func checkTypes(cat *catalog.Catalog, f *webhookForm, types, before []string) error {
	for _, t := range types {
		if slices.Contains(before, t) || len(cat.Match(t)) > 0 {
			continue
		}
		field := "other_types"
		if slices.Contains(f.EventTypes, t) {
			field = "event_types"
		}
		msg := fmt.Sprintf("%q matches no event type", t)
		if domain.ValidEventType(t) {
			msg = fmt.Sprintf("%q is not a known event type", t)
			if s := cat.Suggest(t); len(s) > 0 {
				msg += "; did you mean " + strings.Join(s, ", ") + "?"
			}
			msg += " Your own types are registered with the API (PUT …/event-types/{type})."
		}
		return domain.FieldErrorf(field, "%s", msg)
	}
	return nil
}
