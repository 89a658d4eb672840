package catalog

import (
	"encoding/json"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// ExampleFor returns the event type whose example stands for a webhook's
// subscription in a test send: the first subscribed type, in the order
// given, that the catalog knows and that has an example; else, pattern by
// pattern, the first type in name order that the pattern matches and that
// has an example. A tenant's own types count as much as the builtin ones
// when c is a tenant's view. ok is false when no type the subscription
// selects has an example.
func (c *Catalog) ExampleFor(patterns []string) (et *EventType, ok bool) {
	for _, p := range patterns {
		if e, found := c.types[p]; found && len(e.et.Example) > 0 {
			return c.Lookup(p)
		}
	}
	for _, p := range patterns {
		for _, t := range c.names {
			if domain.MatchEventType(p, t) && len(c.types[t].et.Example) > 0 {
				return c.Lookup(t)
			}
		}
	}
	return nil, false
}

// TestEvent picks the event a test send of a webhook subscribed to
// patterns carries: the example of ExampleFor; else, when no selected type
// has an example (a tenant's own type registered without one, or a type
// since deleted), the first selected type with empty data rather than a
// made-up one. ok is false when the patterns select no type at all.
func (c *Catalog) TestEvent(patterns []string) (eventType string, data json.RawMessage, ok bool) {
	if et, found := c.ExampleFor(patterns); found {
		return et.Type, et.Example, true
	}
	for _, p := range patterns {
		if domain.ValidEventType(p) {
			return p, json.RawMessage(`{}`), true
		}
	}
	for _, p := range patterns {
		if ts := c.Match(p); len(ts) > 0 {
			return ts[0], json.RawMessage(`{}`), true
		}
	}
	return "", nil, false
}
