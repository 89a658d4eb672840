package domain

import (
	"regexp"
	"strings"
)

var (
	eventTypePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}\.[a-z][a-z0-9_]{0,62}$`)
	partPattern      = regexp.MustCompile(`^([a-z][a-z0-9_]{0,62}|\*)$`)
)

// ValidEventType reports whether t has the form <entity>.<action> with
// lowercase letters, digits and underscores.
func ValidEventType(t string) bool { return eventTypePattern.MatchString(t) }

// ValidEventPattern reports whether p is an event type or a wildcard
// pattern: "*", "<entity>.*", "*.<action>" or "<entity>.<action>".
func ValidEventPattern(p string) bool {
	if p == "*" {
		return true
	}
	entity, action, ok := strings.Cut(p, ".")
	return ok && partPattern.MatchString(entity) && partPattern.MatchString(action)
}

// MatchEventType reports whether the event type t matches pattern p.
func MatchEventType(p, t string) bool {
	if p == "*" || p == t {
		return true
	}
	pe, pa, ok := strings.Cut(p, ".")
	if !ok {
		return false
	}
	te, ta, ok := strings.Cut(t, ".")
	if !ok {
		return false
	}
	return (pe == "*" || pe == te) && (pa == "*" || pa == ta)
}

// Subscribes reports whether the webhook is enabled and one of its patterns
// matches the event type t.
func (w *Webhook) Subscribes(t string) bool {
	if !w.Enabled {
		return false
	}
	for _, p := range w.EventTypes {
		if MatchEventType(p, t) {
			return true
		}
	}
	return false
}
