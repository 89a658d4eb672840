package format

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
)

func TestRegistryDefaultsAndValidate(t *testing.T) {
	r := Default()
	d := r.Defaults("innovative-educators")
	if d.Timeout != 15*time.Second || d.RetryPolicy != "innovative-educators" || d.SuccessRule != (domain.SuccessRule{Min: 200, Max: 308}) {
		t.Fatalf("innovative-educators defaults = %+v", d)
	}
	if d := r.Defaults("cypher"); d.Timeout != 10*time.Second || d.RetryPolicy != "cypher" || d.SuccessRule != domain.DefaultSuccessRule {
		t.Fatalf("cypher defaults = %+v", d)
	}
	if d := r.Defaults("standard"); d.Timeout != domain.DefaultTimeout || d.RetryPolicy != domain.DefaultRetryPolicy {
		t.Fatalf("standard defaults = %+v", d)
	}
	w := &domain.Webhook{Format: "standard", EventTypes: []string{"*"}, FormatOptions: json.RawMessage(`{"x":1}`)}
	if _, err := r.Validate(w); domain.ErrorField(err) != "format_options.x" || !strings.Contains(domain.ErrorMessage(err), "use content_type") {
		t.Fatalf("standard with an unknown option: %v", err)
	}
	w.FormatOptions = json.RawMessage(`{}`)
	if _, err := r.Validate(w); err != nil {
		t.Fatalf("standard with {}: %v", err)
	}
	w.Format = "soap"
	if _, err := r.Validate(w); domain.ErrorField(err) != "format" {
		t.Fatalf("unknown format: %v", err)
	}
}

func TestOptionErrors(t *testing.T) {
	r := Default()
	for _, tt := range []struct {
		format, opts, field, msg string
	}{
		{"riseup", `{"colour":1}`, "format_options.colour", "company_id, content_type, edu_duration_unit, event_names, signature, signature_algorithm, signature_encoding, signing_key, standard_webhooks, webhook_version"},
		{"standard", `{"content_type":"json"}`, "format_options.content_type", "not a media type"},
		{"cloudevents", `{"content_type":"application/json\r\nX-Evil: 1"}`, "format_options.content_type", "one line"},
		{"riseup", `{"signature_algorithm":"md5"}`, "format_options.signature_algorithm", `"sha1", "sha256" or "sha512"`},
		{"riseup", `{"company_id":"x"}`, "format_options.company_id", "number"},
		{"riseup", `[1]`, "format_options", "object"},
		{"articulate", `{"version_header":"X"}`, "format_options.version_header", "Rise-API-Version"},
		{"cypher", `{"parameters":{"a":1}}`, "format_options.parameters.a", "string"},
		{"cypher", `{"parameters":[]}`, "format_options.parameters", "object"},
		{"cloudevents", `{"mode":"batch"}`, "format_options.mode", "structured"},
		{"xapi", `{"base_url":"lms"}`, "format_options.base_url", "http"},
		{"absorb", `{"field_names":{"nope":"x"}}`, "format_options.field_names", "eventName"},
		{"innovative-educators", `{"ref1":"custom"}`, "format_options.ref1", "JSON Pointer"},
	} {
		w := &domain.Webhook{Format: tt.format, TenantID: "6499", EventTypes: []string{"course_enrollment.completed"}, FormatOptions: json.RawMessage(tt.opts)}
		_, err := r.Validate(w)
		if domain.ErrorField(err) != tt.field || !strings.Contains(domain.ErrorMessage(err), tt.msg) {
			t.Errorf("%s %s: %v, want field %s mentioning %q", tt.format, tt.opts, err, tt.field, tt.msg)
		}
	}
}

func TestWarnings(t *testing.T) {
	r := Default()
	w := &domain.Webhook{Format: "riseup", TenantID: "acme", EventTypes: []string{"*"}}
	warn, err := r.Validate(w)
	if err != nil || len(warn) != 1 || !strings.Contains(warn[0], "company_id") {
		t.Fatalf("riseup, non-numeric tenant: %q %v", warn, err)
	}
	w.FormatOptions = json.RawMessage(`{"company_id":6499}`)
	if warn, _ := r.Validate(w); len(warn) != 0 {
		t.Fatalf("riseup with company_id: %q", warn)
	}
	x := &domain.Webhook{Format: "xapi", EventTypes: []string{"course_enrollment.completed"}}
	if warn, _ := r.Validate(x); len(warn) != 1 || !strings.Contains(warn[0], "base_url") {
		t.Fatalf("xapi without base_url: %q", warn)
	}
	c := &domain.Webhook{Format: "cypher", URL: "https://h.example.com/" + strings.Repeat("p", 240), EventTypes: []string{"user.*"},
		FormatOptions: json.RawMessage(`{"parameters":{"mail":"@user_email","to":"ops@acme.com","p":"@{/custom_fields/cost_center}"}}`)}
	if warn, _ := r.Validate(c); len(warn) != 1 || !strings.Contains(warn[0], "256") {
		t.Fatalf("cypher: %q (an email address and a pointer are not variables to warn about)", warn)
	}
}

func TestXAPIRefusesUnmappedTypes(t *testing.T) {
	w := &domain.Webhook{Format: "xapi", EventTypes: []string{"course_enrollment.completed", "course.created", "*.completed"}}
	_, err := Default().Validate(w)
	msg := domain.ErrorMessage(err)
	if domain.ErrorField(err) != "event_types" || !strings.Contains(msg, "course.created, *.completed") ||
		!strings.Contains(msg, "assessment_attempt.completed") {
		t.Fatalf("err = %v", err)
	}
}

func TestJSONLikeJavaScript(t *testing.T) {
	v, err := parseValue([]byte(`{"b":1.50,"a":"<x> & é\u2028\u0001\"","n":[1e2,-0,1e21,0.0000001,12345678901234567890],"o":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	// What JSON.stringify(JSON.parse(input)) prints in Node.js.
	want := "{\"b\":1.5,\"a\":\"<x> & é\u2028\\u0001\\\"\",\"n\":[100,0,1e+21,1e-7,12345678901234567000],\"o\":{}}"
	if got := string(marshal(v)); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestIDs(t *testing.T) {
	if intID("4711") != int64(4711) || intID(json.Number("12")) != int64(12) || intID(nil) != nil {
		t.Fatal("numeric ids are not kept")
	}
	a, b := intID("enr_4711"), intID("enr_4712")
	if a != intID("enr_4711") || a == b || a.(int64) <= 0 || a.(int64) > maxSafeInteger {
		t.Fatalf("hashed ids %v %v", a, b)
	}
	u := stableUUID("evt_1")
	if u != stableUUID("evt_1") || u == stableUUID("evt_2") || !uuidPattern.MatchString(u) || u[14] != '5' {
		t.Fatalf("uuid %s", u)
	}
	if id := "3aabdfb8-3891-5011-ad35-8e2351c5fdaf"; stableUUID(id) != id {
		t.Fatal("a UUID is not kept")
	}
	if isoDuration(4350) != "PT1H12M30S" || isoDuration(0) != "PT0S" {
		t.Fatal("isoDuration")
	}
}

func TestRiseUpStableAcrossRetries(t *testing.T) {
	ev := &domain.Event{ID: "evt_1", TenantID: "6499", Type: "user.created", OccurredAt: time.Unix(0, 0), Data: json.RawMessage(`{"id":"42","first_name":"Ana"}`)}
	w := &domain.Webhook{Format: "riseup", Secret: goldenSecret}
	d := &domain.Delivery{ID: "dlv_a"}
	r1, _ := RiseUp{}.Render(ev, d, w, time.Unix(10, 0))
	r2, _ := RiseUp{}.Render(ev, d, w, time.Unix(99, 0))
	r3, _ := RiseUp{}.Render(ev, &domain.Delivery{ID: "dlv_b"}, w, time.Unix(10, 0))
	id := func(b []byte) string { return string(b[strings.LastIndex(string(b), `"id":`):]) }
	if id(r1.Body) != id(r2.Body) || id(r1.Body) == id(r3.Body) {
		t.Fatalf("ids %s %s %s", id(r1.Body), id(r2.Body), id(r3.Body))
	}
	if !strings.Contains(string(r1.Body), `"content":{"created_date":"1970-01-01T00:00:00.000000Z"`) || !strings.Contains(string(r1.Body), `"id":42,"firstname":"Ana"`) {
		t.Fatalf("body %s", r1.Body)
	}
	// No signature header when the admin turned it off.
	w.FormatOptions = json.RawMessage(`{"signature":false}`)
	if r, _ := (RiseUp{}).Render(ev, d, w, time.Unix(10, 0)); r.Header.Get("X-Riseup-Signature") != "" {
		t.Fatal("signature sent although disabled")
	}
}

func TestCypherExpand(t *testing.T) {
	lookup := func(n string) (string, bool) {
		if n == "@a" {
			return "A", true
		}
		return "", false
	}
	for in, want := range map[string]string{
		"@a":          "A",
		"x @a.y":      "x A.y",
		"(@a)":        "(A)",
		"x@a":         "x@a",
		"bob@acme.io": "bob@acme.io",
		"@ab @a@a":    "@ab A@a",
		"@":           "@",
		"a@":          "a@",
	} {
		if got := expand(in, lookup); got != want {
			t.Errorf("expand(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAbsorbNames(t *testing.T) {
	// "by Admin" or "by Learner" comes from the event's actor; without
	// one, from completion_source. adminId is the acting person.
	for data, want := range map[string]string{
		`{"id":"e","actor":{"type":"admin","id":"u_9"}}`:                                 `"eventName":"Enrollment Completed by Admin","userId":null,"adminId":"u_9"`,
		`{"id":"e","actor":{"type":"manager","id":"u_8"},"completion_source":"learner"}`: `"eventName":"Enrollment Completed by Admin","userId":null,"adminId":"u_8"`,
		`{"id":"e","actor":{"type":"api"}}`:                                              `"eventName":"Enrollment Completed by Admin","userId":null,"adminId":null`,
		`{"id":"e","actor":{"type":"learner","id":"u_1"},"completion_source":"admin"}`:   `"eventName":"Enrollment Completed by Learner","userId":null,"adminId":null`,
		`{"id":"e","actor":{"type":"system"}}`:                                           `"eventName":"Enrollment Completed by Learner","userId":null,"adminId":null`,
		`{"id":"e","completion_source":"admin","admin_id":"u_7"}`:                        `"eventName":"Enrollment Completed by Admin","userId":null,"adminId":"u_7"`,
		`{"id":"e","completion_source":"import"}`:                                        `"eventName":"Enrollment Completed by Admin"`,
		`{"id":"e","completion_source":"learner"}`:                                       `"eventName":"Enrollment Completed by Learner"`,
		`{"id":"e","completion_source":null}`:                                            `"eventName":"Enrollment Completed by Learner"`,
	} {
		ev := &domain.Event{ID: "evt_1", Type: "course_enrollment.completed", Data: json.RawMessage(data)}
		r, err := Absorb{}.Render(ev, nil, &domain.Webhook{}, time.Time{})
		if err != nil || !strings.Contains(string(r.Body), want) {
			t.Errorf("%s: %s %v, want %s", data, r.Body, err, want)
		}
	}
	ev := &domain.Event{ID: "evt_1", Type: "course.published", Data: json.RawMessage(`{"id":"c","kind":"instructor_led"}`)}
	w := &domain.Webhook{FormatOptions: json.RawMessage(`{"event_names":{"Instructor Led Course Activated":"IltActivated"},"field_names":{"entityId":""}}`)}
	r, err := Absorb{}.Render(ev, nil, w, time.Time{})
	if err != nil || string(r.Body) != `{"eventName":"IltActivated","userId":null,"adminId":null,"clientId":"","correlationId":"evt_1"}` {
		t.Fatalf("%s %v", r.Body, err)
	}
}

// Every format lets a webhook replace its Content-Type; the body is the
// same, and a webhook without the option gets the format's own.
func TestContentTypeOverride(t *testing.T) {
	r := Default()
	ev := &domain.Event{ID: "evt_1", TenantID: "6499", Type: "course_enrollment.completed", OccurredAt: time.Unix(0, 0),
		Data: json.RawMessage(`{"id":"enr_1","user":{"id":"u_1","email":"a@acme.com"},"course":{"id":"c_1"},"completed_at":"2025-03-14T09:26:53Z"}`)}
	for _, name := range r.Names() {
		x, _ := r.Lookup(name)
		w := &domain.Webhook{ID: "wh_1", TenantID: "6499", Format: name, EventTypes: []string{ev.Type}, Secret: goldenSecret}
		plain, err := x.Render(ev, &domain.Delivery{ID: "dlv_1"}, w, time.Unix(1, 0))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		w.FormatOptions = json.RawMessage(`{"content_type":"text/plain; charset=utf-8"}`)
		if _, err := r.Validate(w); err != nil {
			t.Fatalf("%s: content_type refused: %v", name, err)
		}
		over, err := x.Render(ev, &domain.Delivery{ID: "dlv_1"}, w, time.Unix(1, 0))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if over.ContentType != "text/plain; charset=utf-8" || plain.ContentType == over.ContentType {
			t.Errorf("%s: content type %q, overridden %q", name, plain.ContentType, over.ContentType)
		}
		if string(over.Body) != string(plain.Body) {
			t.Errorf("%s: the option changed the body", name)
		}
	}
}

// enrollments.created lists the learner in users and, when the learner was
// enrolled through a group, that group in groups (empty otherwise).
func TestArticulateGroups(t *testing.T) {
	w := &domain.Webhook{ID: "wh_1", Format: "articulate", Secret: goldenSecret, FormatOptions: json.RawMessage(`{"api_base_url":"https://api.rise.com/"}`)}
	render := func(data string) map[string]json.RawMessage {
		t.Helper()
		ev := &domain.Event{ID: "evt_1", Type: "course_enrollment.created", Data: json.RawMessage(data)}
		r, err := Articulate{}.Render(ev, nil, w, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		var env struct{ Data map[string]json.RawMessage }
		if err := json.Unmarshal(r.Body, &env); err != nil {
			t.Fatal(err)
		}
		return env.Data
	}
	d := render(`{"id":"e","user":{"id":"u_1"},"course":{"id":"c_1"},"group":{"id":"g_88","name":"EMEA Sales"}}`)
	if string(d["groups"]) != `[{"id":"g_88","name":"EMEA Sales","url":"https://api.rise.com/groups/g_88"}]` {
		t.Errorf("groups = %s", d["groups"])
	}
	if !strings.Contains(string(d["users"]), `"id":"u_1"`) || string(d["learningPath"]) != "null" {
		t.Errorf("users = %s, learningPath = %s", d["users"], d["learningPath"])
	}
	if d := render(`{"id":"e","user":{"id":"u_1"},"course":{"id":"c_1"}}`); string(d["groups"]) != `[]` {
		t.Errorf("groups without a group = %s, want []", d["groups"])
	}
}
