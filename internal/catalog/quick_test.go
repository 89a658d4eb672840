package catalog

import (
	"encoding/json"
	"testing"
)

// libraryValid reports what the full validator says of data for typ.
func libraryValid(t testing.TB, e *entry, data []byte) bool {
	t.Helper()
	slow := &entry{et: e.et, schema: e.schema}
	return slow.validate(data) == nil
}

// quickValid reports what the quick path says of data.
func quickValid(e *entry, data []byte) bool {
	return e.quick != nil && e.quick.valid(data)
}

func TestQuickTakesEveryBuiltinExample(t *testing.T) {
	c := load(t)
	for _, name := range c.names {
		e := c.types[name]
		if e.quick == nil {
			t.Errorf("%s: no quick form of its schema: every publish of it pays the full validator", name)
			continue
		}
		if !quickValid(e, e.et.Example) {
			t.Errorf("%s: the quick path is not sure of the type's own example %s", name, e.et.Example)
		}
	}
}

// TestQuickIsNeverLaxer checks data at the edges of each rule the quick
// path knows: wherever it says "valid", the full validator must agree; and
// it must say "valid" of the plain cases, or it would save nothing.
func TestQuickIsNeverLaxer(t *testing.T) {
	c := load(t)
	typ := "course_enrollment.completed"
	base := `"id":"e1","user":{"id":"u1"},"course":{"id":"c1"}`
	for _, tc := range []struct {
		data      string
		wantQuick bool // the quick path must be sure of it
	}{
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44Z"}`, true},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44.123456+05:30"}`, true},
		{` { ` + base + ` , "completed_at" : "2026-11-23t09:12:44z" } `, true},
		{`{` + base + `,"completed_at":"2024-02-29T00:00:00Z"}`, true},
		{`{` + base + `,"completed_at":"2023-02-29T00:00:00Z"}`, false},
		{`{` + base + `,"completed_at":"2026-12-31T23:59:60Z"}`, false},
		{`{` + base + `,"completed_at":"2026-11-23 09:12:44Z"}`, false},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44"}`, false},
		{`{` + base + `,"completed_at":"2026-11-23T24:00:00Z"}`, false},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44.Z"}`, false},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44+0530"}`, false},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44Z","progress_percent":100}`, true},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44Z","progress_percent":0}`, true},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44Z","progress_percent":99.5}`, true},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44Z","progress_percent":100.0}`, false},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44Z","progress_percent":100.00000000000000001}`, false},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44Z","progress_percent":1e2}`, false},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44Z","progress_percent":-0.000000000000000001}`, false},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44Z","progress_percent":101}`, false},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44Z","attempt":1}`, true},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44Z","attempt":0}`, false},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44Z","attempt":2.0}`, false},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44Z","attempt":"2"}`, false},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44Z","status":"completed"}`, true},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44Z","status":"compl\u0065ted"}`, true},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44Z","status":"done"}`, false},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44Z","status":null}`, false},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44Z","completion_source":null}`, true},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44Z","passed":null}`, true},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44Z","passed":"yes"}`, false},
		{`{"id":"e1","user":{"id":"u1","email":"ana.lopez+x@acme.example"},"course":{"id":"c1"},"completed_at":"2026-11-23T09:12:44Z"}`, true},
		{`{"id":"e1","user":{"id":"u1","email":"ana@-acme.example"},"course":{"id":"c1"},"completed_at":"2026-11-23T09:12:44Z"}`, false},
		{`{"id":"e1","user":{"id":"u1","email":"ana..b@acme.example"},"course":{"id":"c1"},"completed_at":"2026-11-23T09:12:44Z"}`, false},
		{`{"id":"e1","user":{"id":"u1","email":"\"a b\"@acme.example"},"course":{"id":"c1"},"completed_at":"2026-11-23T09:12:44Z"}`, false},
		{`{"id":"e1","user":{"id":""},"course":{"id":"c1"},"completed_at":"2026-11-23T09:12:44Z"}`, false},
		{`{"id":"e1","user":{"id":"é"},"course":{"id":"c1"},"completed_at":"2026-11-23T09:12:44Z"}`, true},
		{`{"id":"e1","user":{},"course":{"id":"c1"},"completed_at":"2026-11-23T09:12:44Z"}`, false},
		{`{"id":"e1","course":{"id":"c1"},"completed_at":"2026-11-23T09:12:44Z"}`, false},
		{`{"id":"e1","user":{"id":"u1"},"course":{"id":"c1","url":"https://lms.example/c/1"},"completed_at":"2026-11-23T09:12:44Z"}`, true},
		{`{"id":"e1","user":{"id":"u1"},"course":{"id":"c1","url":"/c/1"},"completed_at":"2026-11-23T09:12:44Z"}`, false},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44Z","extra":{"a":[1,2,{"b":null}],"c":-1.5e-3}}`, true},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44Z","id":""}`, false},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44Z"} x`, false},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44Z",}`, false},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44Z","n":01}`, false},
		{`{` + base + `,"completed_at":"2026-11-23T09:12:44Z","s":"a` + "\t" + `b"}`, false},
		{`[]`, false},
		{`{"id":"e1"`, false},
	} {
		e := c.types[typ]
		q, lib := quickValid(e, []byte(tc.data)), libraryValid(t, e, []byte(tc.data))
		if q && !lib {
			t.Errorf("%s: quick path says valid, the validator does not", tc.data)
		}
		if q != tc.wantQuick {
			t.Errorf("%s: quick path sure = %v, want %v (validator: %v)", tc.data, q, tc.wantQuick, lib)
		}
	}
}

func TestQuickLeavesUnknownKeywordsToTheValidator(t *testing.T) {
	for _, schema := range []string{
		`{"type":"object","properties":{"n":{"type":"integer","multipleOf":2}}}`,
		`{"$schema":"http://json-schema.org/draft-07/schema#","type":"object"}`,
		`{"type":"object","properties":{"n":{"enum":[1,2]}}}`,
		`{"type":"object","$ref":"#/properties/a"}`,
		`{"type":"object","x-vendor":true}`,
	} {
		if q := compileQuick(json.RawMessage(schema)); q != nil {
			t.Errorf("%s: has a quick form, want none", schema)
		}
	}
	for _, schema := range []string{
		defaultCustomSchema,
		string(badgeType().Schema),
		`{"$defs":{"n":{"type":"object","properties":{"next":{"$ref":"#/$defs/n"}}}},"$ref":"#/$defs/n"}`,
	} {
		if q := compileQuick(json.RawMessage(schema)); q == nil {
			t.Errorf("%s: no quick form", schema)
		}
	}
}

func TestQuickFollowsRecursiveRefs(t *testing.T) {
	c, err := load(t).WithCustom([]EventType{{
		Type:   "acme_tree.changed",
		Schema: json.RawMessage(`{"$defs":{"n":{"type":"object","required":["v"],"properties":{"v":{"type":"integer"},"next":{"$ref":"#/$defs/n"}}}},"$ref":"#/$defs/n"}`),
	}})
	if err != nil {
		t.Fatal(err)
	}
	e := c.types["acme_tree.changed"]
	for data, want := range map[string]bool{
		`{"v":1,"next":{"v":2,"next":{"v":3}}}`:   true,
		`{"v":1,"next":{"v":2,"next":{"v":"3"}}}`: false,
		`{"v":1,"next":{"next":{"v":3}}}`:         false,
	} {
		if got := quickValid(e, []byte(data)); got != want {
			t.Errorf("%s: quick = %v, want %v", data, got, want)
		}
		if got := libraryValid(t, e, []byte(data)); got != want {
			t.Errorf("%s: validator = %v, want %v", data, got, want)
		}
	}
}

// FuzzQuickValidate checks the quick path against the full validator on
// arbitrary data for every builtin type: it may be unsure of valid data,
// never sure of invalid data.
func FuzzQuickValidate(f *testing.F) {
	c, err := Load()
	if err != nil {
		f.Fatal(err)
	}
	for i, name := range c.names {
		f.Add(uint16(i), []byte(c.types[name].et.Example))
	}
	f.Add(uint16(0), []byte(`{"id":"x","progress_percent":100.0,"completed_at":"2026-12-31T23:59:60Z"}`))
	f.Fuzz(func(t *testing.T, typ uint16, data []byte) {
		e := c.types[c.names[int(typ)%len(c.names)]]
		if quickValid(e, data) && !libraryValid(t, e, data) {
			t.Fatalf("%s: quick path says valid, the validator says %v", e.et.Type, (&entry{et: e.et, schema: e.schema}).validate(data))
		}
	})
}
