package catalog

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestVariableName(t *testing.T) {
	for _, tc := range []struct {
		path []string
		want string // "" when no variable is derived
	}{
		{[]string{"badge", "level"}, "@badge_level"},
		{[]string{"user", "email"}, "@user_email"},
		{[]string{"levelName"}, "@level_name"},
		{[]string{"HTTPStatus"}, "@http_status"},
		{[]string{"level2Name"}, "@level2_name"},
		{[]string{"cost-center", "Code"}, "@cost_center_code"},
		{[]string{"_private__x_"}, "@private_x"},
		{[]string{"a b.c/d~e"}, "@a_b_c_d_e"},
		{[]string{"2fa"}, ""},         // a name starts with a letter
		{[]string{"user", ""}, ""},    // an empty property name
		{[]string{"ünï"}, "@n"},       // only ASCII letters and digits count
		{[]string{"€"}, ""},           // nothing left
		{[]string{"event_id"}, ""},    // an envelope variable
		{[]string{"data"}, ""},        // an envelope variable
		{[]string{"event", "id"}, ""}, // the same
		{[]string{strings.Repeat("a", 64)}, "@" + strings.Repeat("a", 64)},
		{[]string{strings.Repeat("a", 65)}, ""},  // too long
		{[]string{"user", "data"}, "@user_data"}, // envelope names only whole
	} {
		got, ok := VariableName(tc.path)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("VariableName(%q) = %q, %v; want %q", tc.path, got, ok, tc.want)
		}
		if ok && !IsVariableName(got) {
			t.Errorf("IsVariableName(%q) = false", got)
		}
	}
	for _, bad := range []string{"@", "@Kudos", "@1a", "kudos", "@a-b", "@" + strings.Repeat("a", 65)} {
		if IsVariableName(bad) {
			t.Errorf("IsVariableName(%q) = true", bad)
		}
	}
}

// A tenant's own type lists the variables of its schema's properties: leaves
// of inline objects and of local $refs, arrays whole, in schema order; names
// that two properties derive are left out.
func TestCustomTypeVariablesFromSchema(t *testing.T) {
	view, err := load(t).WithCustom([]EventType{{
		Type: "acme_kudos.awarded",
		Schema: json.RawMessage(`{
			"type": "object",
			"properties": {
				"kudos": {"type": "object", "properties": {
					"id": {"type": "string", "description": "Kudos id."},
					"points": {"type": "integer", "title": "Points"},
					"tags": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}}
				}},
				"from": {"$ref": "#/$defs/person", "description": "Who sent them."},
				"to": {"$ref": "#/$defs/person"},
				"meta": {"type": "object"},
				"sentAt": {"type": "string", "format": "date-time"},
				"a_b": {"type": "string"},
				"a": {"type": "object", "properties": {"b": {"type": "string"}}},
				"event_id": {"type": "string"},
				"self": {"$ref": "#/$defs/loop"}
			},
			"$defs": {
				"person": {"type": "object", "description": "A person.", "properties": {"email": {"type": "string", "description": "Email address."}, "name": {"type": "string"}}},
				"loop": {"$ref": "#/$defs/loop"}
			}
		}`),
		Example: json.RawMessage(`{"kudos":{"id":"k_1","points":5,"tags":[{"name":"team"}]},"from":{"email":"ana@acme.com","name":"Ana"},"to":{"email":"bo@acme.com","name":"Bo"},"meta":{"x":1},"sentAt":"2030-01-02T03:04:05Z","a_b":"x","a":{"b":"y"},"event_id":"e"}`),
	}})
	if err != nil {
		t.Fatal(err)
	}
	et, _ := view.Lookup("acme_kudos.awarded")
	var got []string
	for _, v := range et.Variables {
		got = append(got, v.Name+" "+v.Path+" "+v.Description)
	}
	want := []string{
		"@kudos_id /kudos/id Kudos id.",
		"@kudos_points /kudos/points Points",
		"@kudos_tags /kudos/tags ",
		"@from_email /from/email Email address.",
		"@from_name /from/name ",
		"@to_email /to/email Email address.",
		"@to_name /to/name ",
		"@meta /meta ",
		"@sent_at /sentAt ",
		"@self /self ",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("variables:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if err := checkVariables(et.Variables); err != nil {
		t.Fatalf("derived variables break the rules builtin ones follow: %v", err)
	}

	// What a renderer derives from the data agrees with every listed
	// variable the example has, and also names the rest of the data.
	fromData := DataVariables(et.Example)
	for _, v := range et.Variables {
		if v.Name == "@self" {
			continue // absent from the example
		}
		if fromData[v.Name] != v.Path {
			t.Errorf("DataVariables[%s] = %q, want %q", v.Name, fromData[v.Name], v.Path)
		}
	}
	for name, path := range map[string]string{"@kudos": "/kudos", "@meta_x": "/meta/x"} {
		if fromData[name] != path {
			t.Errorf("DataVariables[%s] = %q, want %q", name, fromData[name], path)
		}
	}
	for _, name := range []string{"@a_b", "@event_id", "@kudos_tags_name"} {
		if p, ok := fromData[name]; ok {
			t.Errorf("DataVariables has %s → %s, want it left out", name, p)
		}
	}
}

func TestCustomTypeVariablesWithoutProperties(t *testing.T) {
	view, err := load(t).WithCustom([]EventType{{Type: "acme_survey.answered"}, {Type: "acme_survey.sent", Schema: json.RawMessage(`true`)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{"acme_survey.answered", "acme_survey.sent"} {
		if et, _ := view.Lookup(typ); len(et.Variables) != 0 {
			t.Errorf("%s: variables %v from a schema without properties", typ, et.Variables)
		}
	}
}

func TestDataVariables(t *testing.T) {
	got := DataVariables(json.RawMessage(`{"user":{"firstName":"Ana","address":{"zip":"1000"}},"n":null,"list":[{"x":1}]}`))
	want := map[string]string{
		"@user": "/user", "@user_first_name": "/user/firstName", "@user_address": "/user/address",
		"@user_address_zip": "/user/address/zip", "@n": "/n", "@list": "/list",
	}
	if !maps.Equal(got, want) {
		t.Fatalf("DataVariables = %v, want %v", got, want)
	}
	for _, bad := range []string{`[1]`, `"x"`, `{`, ``} {
		if got := DataVariables(json.RawMessage(bad)); len(got) != 0 {
			t.Errorf("DataVariables(%s) = %v, want none", bad, got)
		}
	}
	deep := `{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":1}}}}}}}}}`
	got = DataVariables(json.RawMessage(deep))
	if _, ok := got["@a_b_c_d_e_f_g"]; !ok || len(got) != maxVariablePath {
		t.Fatalf("deep data: %v, want the %d first levels", got, maxVariablePath)
	}
}

func TestCheckVariables(t *testing.T) {
	for _, tc := range []struct {
		name    string
		vars    []Variable
		field   string
		message string
	}{
		{"bad name", []Variable{{Name: "user_email", Path: "/user/email"}}, "variables[0].name", "must be '@' followed by"},
		{"duplicate", []Variable{{Name: "@a", Path: "/a"}, {Name: "@a", Path: "/b"}}, "variables[1].name", "is defined twice"},
		{"bad path", []Variable{{Name: "@a", Path: "user.email"}}, "variables[0].path", "must be a JSON Pointer"},
		{"bad pointer escape", []Variable{{Name: "@a", Path: "/a~2b"}}, "variables[0].path", "must be a JSON Pointer"},
	} {
		de := invalidField(t, checkVariables(tc.vars), tc.field)
		if !strings.Contains(de.Message, tc.message) {
			t.Errorf("%s: message %q lacks %q", tc.name, de.Message, tc.message)
		}
	}
	if err := checkVariables([]Variable{{Name: "@a", Path: "/a~1b"}, {Name: "@b", Path: ""}}); err != nil {
		t.Errorf("valid variables refused: %v", err)
	}
}

// A test send stands a subscription in with a real type of the view: the
// first concrete one with an example, else the first match of a pattern,
// the tenant's own types included.
func TestExampleFor(t *testing.T) {
	view, err := load(t).WithCustom([]EventType{
		{Type: "acme_kudos.awarded", Example: json.RawMessage(`{"kudos":{"id":"k_1"}}`)},
		{Type: "aaa_bare.awarded"}, // no example: never chosen
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		patterns []string
		want     string
	}{
		{[]string{"*.awarded"}, "acme_kudos.awarded"},
		{[]string{"aaa_bare.awarded", "*.awarded"}, "acme_kudos.awarded"},
		{[]string{"course_enrollment.*"}, "course_enrollment.completed"},
		{[]string{"user.*", "*.awarded"}, "user.activated"},
		{[]string{"*"}, "acme_kudos.awarded"},
		{[]string{"badge.*", "user.created"}, "user.created"},
		{[]string{"acme_kudos.awarded"}, "acme_kudos.awarded"},
		{[]string{"aaa_bare.awarded"}, ""},
		{[]string{"quiz.*"}, ""},
		{nil, ""},
	} {
		et, ok := view.ExampleFor(tc.patterns)
		got := ""
		if ok {
			got = et.Type
			if ex, _ := view.Lookup(got); string(et.Example) != string(ex.Example) || len(et.Example) == 0 {
				t.Errorf("ExampleFor(%v) example = %s", tc.patterns, et.Example)
			}
		}
		if got != tc.want {
			t.Errorf("ExampleFor(%v) = %q, want %q", tc.patterns, got, tc.want)
		}
	}
	// The builtin catalog knows none of the tenant's types.
	if et, ok := load(t).ExampleFor([]string{"*.awarded"}); !ok || et.Type != "badge.awarded" {
		t.Errorf("builtin ExampleFor(*.awarded) = %v, %v", et, ok)
	}
}

func TestTestEvent(t *testing.T) {
	view, err := load(t).WithCustom([]EventType{{Type: "aaa_bare.awarded"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		patterns []string
		want     string
		data     string // "" for the type's example
		ok       bool
	}{
		{[]string{"course_enrollment.*"}, "course_enrollment.completed", "", true},
		// A selected type without an example goes with empty data.
		{[]string{"aaa_bare.awarded"}, "aaa_bare.awarded", "{}", true},
		{[]string{"aaa_bare.*"}, "aaa_bare.awarded", "{}", true},
		// A plain type no longer in the catalog is still sent as named.
		{[]string{"quiz.passed"}, "quiz.passed", "{}", true},
		{[]string{"quiz.*"}, "", "", false},
		{nil, "", "", false},
	} {
		typ, data, ok := view.TestEvent(tc.patterns)
		if ok != tc.ok || typ != tc.want {
			t.Errorf("TestEvent(%v) = %q, %v; want %q, %v", tc.patterns, typ, ok, tc.want, tc.ok)
			continue
		}
		want := tc.data
		if ok && want == "" {
			et, _ := view.Lookup(typ)
			want = string(et.Example)
		}
		if string(data) != want {
			t.Errorf("TestEvent(%v) data = %s, want %s", tc.patterns, data, want)
		}
	}
}
