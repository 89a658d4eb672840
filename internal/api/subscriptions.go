package api

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/filter"
)

// checkFilterSyntax compiles the webhook's filter, if any: a filter that
// does not compile is refused with or without a catalog.
func (a *API) checkFilterSyntax(w *domain.Webhook) error {
	if w.Filter == "" {
		return nil
	}
	_, err := a.filters.Compile(w.Filter)
	return err
}

// checkAgainstCatalog checks a webhook being saved against the tenant's
// view of the catalog: each subscribed type or pattern the request sent
// must select at least one known type (a concrete type that exists nowhere
// is refused with the closest ones), and the filter must fit the schemas
// and examples of every type the webhook subscribes to. Subscriptions the
// request did not touch are not re-checked, so that a webhook whose custom
// type was deleted can still be changed (disabled, say).
func (a *API) checkAgainstCatalog(ctx context.Context, w *domain.Webhook, in *webhookInput) error {
	if a.catalogs == nil {
		return nil
	}
	typesSent := in.EventTypes != nil || in.Entity != nil || in.Actions != nil
	if !typesSent && (in.Filter == nil || w.Filter == "") {
		return nil
	}
	cat, err := a.catalogs.Tenant(ctx, w.TenantID)
	if err != nil {
		return err
	}
	if typesSent {
		if err := checkPatterns(cat, in); err != nil {
			// The cached view may predate a type registered through
			// another node: saving webhooks is rare, so read it again.
			a.catalogs.Invalidate(w.TenantID)
			if cat, err = a.catalogs.Tenant(ctx, w.TenantID); err != nil {
				return err
			}
			if err := checkPatterns(cat, in); err != nil {
				return err
			}
		}
	}
	if w.Filter == "" {
		return nil
	}
	p, err := a.filters.Compile(w.Filter)
	if err != nil {
		return err
	}
	return p.Check(subscribedTargets(cat, w.EventTypes), w.TenantID, a.clock.Now().UTC())
}

// checkPatterns checks the patterns as the request sent them, so that
// errors point at the element the client wrote: event_types[i], or entity
// and actions[i] for seed 000's form.
func checkPatterns(cat *catalog.Catalog, in *webhookInput) error {
	if in.EventTypes != nil {
		for i, p := range *in.EventTypes {
			if err := checkPattern(cat, strings.TrimSpace(p), fieldAt("event_types", i)); err != nil {
				return err
			}
		}
		return nil
	}
	entity := strings.TrimSpace(*in.Entity)
	if !slices.Contains(cat.Entities(), entity) {
		msg := fmt.Sprintf("%q is not a known entity", entity)
		if s := closest(entity, cat.Entities()); len(s) > 0 {
			msg += "; did you mean " + quoteList(s) + "?"
		}
		return domain.FieldErrorf("entity", "%s", msg)
	}
	for i, act := range *in.Actions {
		act = strings.TrimSpace(act)
		if act == "*" {
			continue
		}
		if _, ok := cat.Lookup(entity + "." + act); !ok {
			msg := fmt.Sprintf("%q is not an action of %s (its actions are %s)", act, entity, strings.Join(cat.Actions(entity), ", "))
			if s := closest(act, cat.Actions(entity)); len(s) > 0 {
				msg += "; did you mean " + quoteList(s) + "?"
			}
			return domain.FieldErrorf(fieldAt("actions", i), "%s", msg)
		}
	}
	return nil
}

// checkPattern refuses a type or pattern that selects no known type.
func checkPattern(cat *catalog.Catalog, p, field string) error {
	if len(cat.Match(p)) > 0 {
		return nil
	}
	if domain.ValidEventType(p) {
		msg := fmt.Sprintf("%q is not a known event type", p)
		if s := cat.Suggest(p); len(s) > 0 {
			msg += "; did you mean " + quoteList(s) + "?"
		}
		return domain.FieldErrorf(field, "%s (a tenant's own types are registered with PUT …/event-types/{type})", msg)
	}
	// A wildcard pattern: "<entity>.*" or "*.<action>".
	entity, action, _ := strings.Cut(p, ".")
	msg := fmt.Sprintf("%q matches no event type", p)
	var s []string
	switch {
	case action == "*":
		for _, e := range closest(entity, cat.Entities()) {
			s = append(s, e+".*")
		}
	case entity == "*":
		for _, x := range closest(action, allActions(cat)) {
			s = append(s, "*."+x)
		}
	}
	if len(s) > 0 {
		msg += "; did you mean " + quoteList(s) + "?"
	}
	return domain.FieldErrorf(field, "%s", msg)
}

// subscribedTargets lists the types the patterns select, for the filter's
// save-time check.
func subscribedTargets(cat *catalog.Catalog, patterns []string) []filter.Target {
	seen := map[string]bool{}
	var out []filter.Target
	for _, p := range patterns {
		for _, t := range cat.Match(p) {
			if seen[t] {
				continue
			}
			seen[t] = true
			if et, ok := cat.Lookup(t); ok {
				out = append(out, filter.Target{Type: et.Type, Schema: et.Schema, Example: et.Example})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Type < out[j].Type })
	return out
}

// allActions lists the distinct actions of every type, sorted.
func allActions(cat *catalog.Catalog) []string {
	var out []string
	for _, et := range cat.All() {
		out = append(out, et.Action)
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// maxSuggestions and maxSuggestDistance bound "did you mean" proposals.
const (
	maxSuggestions     = 3
	maxSuggestDistance = 3
)

// closest returns up to three candidates nearest to s by edit distance,
// nearest first, none farther than a few typos.
func closest(s string, candidates []string) []string {
	if len(s) > 127 {
		return nil
	}
	type scored struct {
		name string
		dist int
	}
	var all []scored
	for _, c := range candidates {
		if d := editDistance(s, c); d <= maxSuggestDistance || strings.HasPrefix(c, s) {
			all = append(all, scored{c, d})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].dist < all[j].dist })
	var out []string
	for _, x := range all[:min(len(all), maxSuggestions)] {
		out = append(out, x.name)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b, in bytes
// (names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
