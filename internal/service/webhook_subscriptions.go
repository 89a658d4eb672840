package service

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/domain"
)

// checkAgainstCatalog checks a webhook being saved against the tenant's
// view of the catalog: each subscribed type or pattern in sent must
// select at least one known type (a concrete type that exists nowhere is
// refused with the closest ones), and the filter must fit the schemas and
// examples of every type the webhook subscribes to. Patterns of the
// stored subscription (before) are not re-checked, nor is anything when
// the change touches neither the subscription nor the filter, so that a
// webhook whose custom type was deleted can still be changed (disabled,
// say).
func (s *Webhooks) checkAgainstCatalog(ctx context.Context, w *domain.Webhook, in *WebhookInput, before []string) error {
	if s.cfg.Catalogs == nil {
		return nil
	}
	typesSent := in.typesSent()
	if !typesSent && (in.Filter == nil || w.Filter == "") {
		return nil
	}
	cat, err := s.cfg.Catalogs.Tenant(ctx, w.TenantID)
	if err != nil {
		return err
	}
	if typesSent {
		if err := checkPatterns(cat, in, before); err != nil {
			// The cached view may predate a type registered through
			// another node: saving webhooks is rare, so read it again.
			s.cfg.Catalogs.Invalidate(w.TenantID)
			if cat, err = s.cfg.Catalogs.Tenant(ctx, w.TenantID); err != nil {
				return err
			}
			if err := checkPatterns(cat, in, before); err != nil {
				return err
			}
		}
	}
	return s.checkFilter(cat, w)
}

// checkPatterns checks the patterns as the caller sent them, so that
// errors point at the element it wrote: event_types[i], or entity and
// actions[i].
func checkPatterns(cat *catalog.Catalog, in *WebhookInput, before []string) error {
	if in.EventTypes != nil {
		for i, p := range *in.EventTypes {
			p = strings.TrimSpace(p)
			if slices.Contains(before, p) {
				continue
			}
			if err := checkPattern(cat, p, fieldAt("event_types", i)); err != nil {
				return err
			}
		}
		return nil
	}
	entity := strings.TrimSpace(*in.Entity)
	if types, _ := in.entityTypes(); allIn(types, before) {
		return nil
	}
	if !slices.Contains(cat.Entities(), entity) {
		msg := fmt.Sprintf("%q is not a known entity", entity)
		return domain.FieldErrorf("entity", "%s%s", msg, catalog.DidYouMean(catalog.Closest(entity, cat.Entities())))
	}
	for i, act := range *in.Actions {
		act = strings.TrimSpace(act)
		if act == "*" || slices.Contains(before, entity+"."+act) {
			continue
		}
		if _, ok := cat.Lookup(entity + "." + act); !ok {
			msg := fmt.Sprintf("%q is not an action of %s (its actions are %s)", act, entity, strings.Join(cat.Actions(entity), ", "))
			return domain.FieldErrorf(fieldAt("actions", i), "%s%s", msg, catalog.DidYouMean(catalog.Closest(act, cat.Actions(entity))))
		}
	}
	return nil
}

// allIn says whether every one of xs is in set (and there is one).
func allIn(xs, set []string) bool {
	for _, x := range xs {
		if !slices.Contains(set, x) {
			return false
		}
	}
	return len(xs) > 0
}

// checkPattern refuses a type or pattern that selects no known type.
func checkPattern(cat *catalog.Catalog, p, field string) error {
	if len(cat.Match(p)) > 0 {
		return nil
	}
	if domain.ValidEventType(p) {
		msg := fmt.Sprintf("%q is not a known event type", p) + catalog.DidYouMean(cat.Suggest(p))
		return domain.FieldErrorf(field, "%s (a tenant's own types are registered with PUT …/event-types/{type})", msg)
	}
	// A wildcard pattern: "<entity>.*" or "*.<action>".
	entity, action, _ := strings.Cut(p, ".")
	var s []string
	switch {
	case action == "*":
		for _, e := range catalog.Closest(entity, cat.Entities()) {
			s = append(s, e+".*")
		}
	case entity == "*":
		for _, x := range catalog.Closest(action, allActions(cat)) {
			s = append(s, "*."+x)
		}
	}
	return domain.FieldErrorf(field, "%q matches no event type%s", p, catalog.DidYouMean(s))
}

// SubscribedTypes expands subscription patterns to the known types of cat
// they select, sorted and distinct.
func SubscribedTypes(cat *catalog.Catalog, patterns []string) []string {
	var out []string
	for _, p := range patterns {
		out = append(out, cat.Match(strings.TrimSpace(p))...)
	}
	sort.Strings(out)
	return slices.Compact(out)
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
