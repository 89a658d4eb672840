package catalog

import (
	"encoding/json"
	"testing"
)

// A schema without an example is shown to match some event data by an
// object built from it; one that matches none gets nothing.
func TestInstanceOfASchema(t *testing.T) {
	c := load(t)
	matchesNothing := []string{
		`false`,
		`{"not": {}}`,
		`{"type": "string"}`,
		`{"type": "object", "enum": [1, 2]}`,
		`{"type": "object", "const": "x"}`,
		`{"type": "object", "required": ["a"], "properties": {"a": false}}`,
		`{"type": "object", "required": ["a"], "additionalProperties": false}`,
		`{"type": "object", "required": ["a"], "properties": {"a": {"type": "integer", "minimum": 5, "maximum": 4}}}`,
		`{"type": "object", "required": ["a"], "properties": {"a": {"type": "string", "enum": [1, true]}}}`,
		`{"allOf": [{"type": "object"}, {"type": "array"}]}`,
		`{"type": "object", "anyOf": [{"required": ["a"], "properties": {"a": false}}, {"not": {}}]}`,
		`{"type": "object", "required": ["a"], "properties": {"a": {"$ref": "#/$defs/never"}}, "$defs": {"never": {"type": "integer", "exclusiveMinimum": 1, "exclusiveMaximum": 2}}}`,
	}
	for _, s := range matchesNothing {
		view, err := c.WithCustom([]EventType{{Type: "acme_x.done", Schema: json.RawMessage(s)}})
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if v, ok := view.Instance("acme_x.done"); ok {
			t.Errorf("%s: Instance = %s, want none", s, v)
		}
	}
	matchesSome := []string{
		`{}`,
		`true`,
		`{"type": "object", "required": ["badge_id", "user", "level"],
		  "properties": {"badge_id": {"type": "string", "minLength": 4}, "user": {"$ref": "#/$defs/person"},
		                 "level": {"type": "integer", "minimum": 1, "maximum": 5, "multipleOf": 2}},
		  "$defs": {"person": {"type": "object", "required": ["email", "seen"],
		            "properties": {"email": {"type": "string", "format": "email"}, "seen": {"type": "string", "format": "date-time"}}}}}`,
		`{"type": "object", "required": ["kind"], "properties": {"kind": {"enum": ["a", "b"]}}}`,
		`{"type": "object", "required": ["v"], "properties": {"v": {"const": 7}}}`,
		`{"type": "object", "required": ["n"], "properties": {"n": {"type": "number", "exclusiveMinimum": 0.5, "exclusiveMaximum": 0.75}}}`,
		`{"type": "object", "required": ["n"], "properties": {"n": {"type": "integer", "exclusiveMinimum": -3, "maximum": -2}}}`,
		`{"type": "object", "required": ["tags"], "properties": {"tags": {"type": "array", "minItems": 2, "items": {"type": "string", "format": "uuid"}}}}`,
		`{"type": "object", "oneOf": [{"required": ["a"], "properties": {"a": {"type": "string"}}}, {"required": ["b"], "properties": {"b": {"type": "integer"}}}], "not": {"required": ["a"]}}`,
		`{"allOf": [{"type": "object", "required": ["a"]}, {"properties": {"a": {"type": "boolean"}}}]}`,
		`{"type": "object", "required": ["a"], "dependentRequired": {"a": ["b"]}, "properties": {"b": {"type": "null"}}}`,
		`{"type": "object", "required": ["tree"], "properties": {"tree": {"$ref": "#/$defs/node"}}, "$defs": {"node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}}}`,
	}
	for _, s := range matchesSome {
		view, err := c.WithCustom([]EventType{{Type: "acme_x.done", Schema: json.RawMessage(s)}})
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		v, ok := view.Instance("acme_x.done")
		if !ok {
			t.Errorf("%s: no instance", s)
			continue
		}
		if err := view.Validate("acme_x.done", v); err != nil || v[0] != '{' {
			t.Errorf("%s: instance %s does not validate: %v", s, v, err)
		}
	}
	// The example is the instance when there is one.
	view, err := c.WithCustom([]EventType{badgeType()})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := view.Instance("acme_badge.earned"); !ok || string(v) != string(badgeType().Example) {
		t.Errorf("Instance = %s, %v; want the example", v, ok)
	}
	if _, ok := view.Instance("acme_nope.done"); ok {
		t.Error("an unknown type has an instance")
	}
}

// Every builtin schema is met by an object built from it alone: the
// search handles the schemas real event types have.
func TestInstanceOfEveryBuiltinSchema(t *testing.T) {
	c := load(t)
	for _, et := range c.All() {
		v, ok := c.types[et.Type].build()
		if !ok {
			t.Errorf("%s: no instance built", et.Type)
			continue
		}
		if err := c.Validate(et.Type, v); err != nil {
			t.Errorf("%s: built %s, which does not validate: %v", et.Type, v, err)
		}
	}
}
