package api

import (
	"encoding/json"
	"strings"

	"github.com/lmshooks/lmshooks/internal/domain"
)

// builtinExamples are small, realistic payloads for test sends when the
// event catalog has none. Their order decides which type stands in for a
// wildcard subscription.
var builtinExamples = []struct {
	Type string
	Data string
}{
	{"user.created", `{"user":{"id":"usr_1042","email":"ada.lovelace@example.com","first_name":"Ada","last_name":"Lovelace","language":"en"}}`},
	{"course_enrollment.created", `{"enrollment":{"id":"enr_5531","status":"enrolled"},"user":{"id":"usr_1042","email":"ada.lovelace@example.com"},"course":{"id":"crs_207","title":"Workplace Safety Basics"}}`},
	{"course_enrollment.completed", `{"enrollment":{"id":"enr_5531","status":"completed","score":92,"completed_at":"2024-05-01T12:00:00.000Z"},"user":{"id":"usr_1042","email":"ada.lovelace@example.com"},"course":{"id":"crs_207","title":"Workplace Safety Basics"}}`},
	{"course.published", `{"course":{"id":"crs_207","title":"Workplace Safety Basics","kind":"online"}}`},
	{"user.updated", `{"user":{"id":"usr_1042","email":"ada.lovelace@example.com","first_name":"Ada","last_name":"King","language":"en"}}`},
	{"user.deleted", `{"user":{"id":"usr_1042"}}`},
}

// exampleType picks the event type a test send uses for a webhook: its
// first concrete subscribed type, else a plausible type that one of its
// wildcard patterns matches.
func exampleType(patterns []string) string {
	for _, p := range patterns {
		if domain.ValidEventType(p) {
			return p
		}
	}
	for _, p := range patterns {
		for _, ex := range builtinExamples {
			if domain.MatchEventType(p, ex.Type) {
				return ex.Type
			}
		}
	}
	// A wildcard that matches no built-in example, such as "quiz.*":
	// fill each wildcard part with a generic word.
	if len(patterns) > 0 {
		entity, action, _ := strings.Cut(patterns[0], ".")
		if entity == "*" || entity == "" {
			entity = "user"
		}
		if action == "*" || action == "" {
			action = "created"
		}
		return entity + "." + action
	}
	return "user.created"
}

// exampleData returns the example payload of an event type: the catalog's
// when it has one, else a built-in one, else a generic object.
func (a *API) exampleData(eventType string) json.RawMessage {
	if a.examples != nil {
		if d, ok := a.examples(eventType); ok && len(d) > 0 {
			return d
		}
	}
	for _, ex := range builtinExamples {
		if ex.Type == eventType {
			return json.RawMessage(ex.Data)
		}
	}
	entity, _, _ := strings.Cut(eventType, ".")
	b, _ := json.Marshal(map[string]any{entity: map[string]string{"id": entity + "_123", "name": "Example " + entity}})
	return b
}
