package catalog

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// badgeType is a tenant's own event type.
func badgeType() EventType {
	return EventType{
		Type:        "acme_badge.earned",
		Description: "A learner earned an Acme internal badge.",
		Schema: json.RawMessage(`{
			"type": "object",
			"required": ["badge_id", "user"],
			"properties": {
				"badge_id": {"type": "string"},
				"user": {"$ref": "#/$defs/person"},
				"level": {"type": "integer", "minimum": 1, "maximum": 5}
			},
			"$defs": {"person": {"type": "object", "required": ["email"], "properties": {"email": {"type": "string", "format": "email"}}}}
		}`),
		Example: json.RawMessage(`{"badge_id":"b_7","user":{"email":"ana.lopez@acme.com"},"level":2}`),
	}
}

func TestWithCustomAddsTenantTypes(t *testing.T) {
	c := load(t)
	view, err := c.WithCustom([]EventType{badgeType()})
	if err != nil {
		t.Fatal(err)
	}
	et, ok := view.Lookup("acme_badge.earned")
	if !ok || !et.Custom || et.Entity != "acme_badge" || et.Action != "earned" || et.Title != "Acme badge earned" {
		t.Fatalf("Lookup = %+v, %v", et, ok)
	}
	if _, ok := c.Lookup("acme_badge.earned"); ok {
		t.Error("WithCustom changed the builtin catalog")
	}
	if _, ok := view.Lookup("course_enrollment.completed"); !ok {
		t.Error("the view lost the builtin types")
	}
	if len(view.All()) != len(c.All())+1 || !slices.Contains(view.Entities(), "acme_badge") {
		t.Error("All or Entities of the view lack the custom type")
	}
	if got := view.Match("*.earned"); !slices.Equal(got, []string{"acme_badge.earned"}) {
		t.Errorf("Match(*.earned) = %v", got)
	}
	if err := view.Validate("acme_badge.earned", et.Example); err != nil {
		t.Errorf("custom example: %v", err)
	}
	de := invalidField(t, view.Validate("acme_badge.earned", json.RawMessage(`{"badge_id":"b_7","user":{"email":"ana@"}}`)), "data/user/email")
	if de.Message != `"ana@" is not a valid email` {
		t.Errorf("message = %q", de.Message)
	}
	invalidField(t, view.Validate("acme_badge.earned", json.RawMessage(`{"badge_id":"b_7","user":{"email":"a@acme.com"},"level":9}`)), "data/level")
	de = invalidField(t, view.Validate("acme_badge.earnd", json.RawMessage(`{}`)), "type")
	if !strings.Contains(de.Message, `did you mean "acme_badge.earned"`) {
		t.Errorf("suggestion ignores custom types: %q", de.Message)
	}

	// A tenant's list is complete: a new view does not keep the old one's.
	other := badgeType()
	other.Type = "acme_kudos.sent"
	view2, err := view.WithCustom([]EventType{other})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := view2.Lookup("acme_badge.earned"); ok {
		t.Error("WithCustom on a view kept the previous custom types")
	}
}

func TestWithCustomDefaultsToAnyObject(t *testing.T) {
	view, err := load(t).WithCustom([]EventType{{Type: "acme_survey.answered"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := view.Validate("acme_survey.answered", json.RawMessage(`{"anything":[1,2]}`)); err != nil {
		t.Errorf("object rejected: %v", err)
	}
	invalidField(t, view.Validate("acme_survey.answered", json.RawMessage(`[1,2]`)), "data")
	et, _ := view.Lookup("acme_survey.answered")
	if !strings.Contains(string(et.Schema), `"type":"object"`) {
		t.Errorf("default schema not recorded: %s", et.Schema)
	}
}

func TestWithCustomRejects(t *testing.T) {
	c := load(t)
	with := func(f func(*EventType)) []EventType {
		et := badgeType()
		f(&et)
		return []EventType{et}
	}
	for _, tc := range []struct {
		name    string
		types   []EventType
		field   string
		message string
	}{
		{"empty name", with(func(e *EventType) { e.Type = "" }), "type", "is required"},
		{"invalid name", with(func(e *EventType) { e.Type = "AcmeBadge.Earned" }), "type", "must have the form <entity>.<action>"},
		{"builtin name", with(func(e *EventType) { e.Type = "course_enrollment.completed" }), "type", "is a built-in event type"},
		{"duplicate", []EventType{badgeType(), badgeType()}, "types[1].type", "is registered twice"},
		{"entity mismatch", with(func(e *EventType) { e.Entity = "badge" }), "entity", `must be "acme_badge"`},
		{"action mismatch", with(func(e *EventType) { e.Action = "won" }), "action", `must be "earned"`},
		{"schema not JSON", with(func(e *EventType) { e.Schema = json.RawMessage(`{"type":`) }), "schema", "does not compile: not valid JSON"},
		{"schema breaks the metaschema", with(func(e *EventType) { e.Schema = json.RawMessage(`{"type":12}`) }), "schema", "does not compile: it is not a valid JSON Schema: at /type, 12 is not one of"},
		{"bad regexp", with(func(e *EventType) { e.Schema = json.RawMessage(`{"properties":{"a":{"pattern":"(("}}}`) }), "schema", `at /properties/a/pattern, "((" is not a valid regex`},
		{"missing local ref", with(func(e *EventType) { e.Schema = json.RawMessage(`{"$ref":"#/$defs/nope"}`) }), "schema", `"schema#/$defs/nope" not found`},
		{"file ref", with(func(e *EventType) { e.Schema = json.RawMessage(`{"$ref":"file:///etc/passwd"}`) }), "schema", "schemas must be self-contained"},
		{"remote ref", with(func(e *EventType) { e.Schema = json.RawMessage(`{"$ref":"https://schemas.example.com/badge.json"}`) }), "schema", "schemas must be self-contained"},
		{"example breaks schema", with(func(e *EventType) { e.Example = json.RawMessage(`{"badge_id":"b_7","user":{}}`) }), "example/user/email", "is required (the example does not match the schema)"},
		{"variables set", with(func(e *EventType) { e.Variables = []Variable{{Name: "@badge", Path: "/badge_id"}} }), "variables", "take their variables from the properties of their schema"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			view, err := c.WithCustom(tc.types)
			if view != nil {
				t.Error("a view was returned with the error")
			}
			de := invalidField(t, err, tc.field)
			if !strings.Contains(de.Message, tc.message) {
				t.Errorf("message = %q, want it to contain %q", de.Message, tc.message)
			}
			if strings.Contains(de.Message, "urn:lmshooks") {
				t.Errorf("message leaks the internal schema URL: %q", de.Message)
			}
		})
	}
}
