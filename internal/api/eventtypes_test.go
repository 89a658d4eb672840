package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/lmshooks/lmshooks/internal/catalog"
	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/pipeline/ingest"
	"github.com/lmshooks/lmshooks/internal/service"
	"github.com/lmshooks/lmshooks/internal/store/sqlite"
)

// loadCatalog loads the builtin catalog once for the package's tests.
var loadCatalog = sync.OnceValues(catalog.Load)

// newCatalogEnv is newEnv with the event catalog wired as the app wires
// it: event types API, subscription and filter checks, ingest validation
// and ordering keys.
func newCatalogEnv(t *testing.T) *testEnv {
	t.Helper()
	builtin, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "api.db"), sqlite.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	e := &testEnv{t: t, ctx: ctx, store: st, clock: clock.NewFake(start), disp: &fakeDispatcher{answer: domain.Attempt{StatusCode: 200, Success: true}}}
	e.op = setOperatorKey(t, st)
	cats := catalog.NewViews(catalog.ViewsConfig{Store: st, Builtin: builtin, Clock: e.clock})
	log := slog.New(slog.DiscardHandler)
	a := New(Config{
		Services:  service.NewSet(e.deps(st, log), service.SetConfig{Catalogs: cats, Tester: e.disp}),
		Publisher: ingest.New(ingest.Config{Store: st, Clock: e.clock, Validate: cats.Validate, OrderingKey: cats.OrderingKey}),
		Logger:    log,
	})
	e.srv = httptest.NewServer(a.Handler())
	t.Cleanup(e.srv.Close)
	return e
}

// example returns the builtin example data of typ.
func example(t *testing.T, typ string) string {
	t.Helper()
	c, _ := loadCatalog()
	et, ok := c.Lookup(typ)
	if !ok {
		t.Fatalf("no %s", typ)
	}
	return string(et.Example)
}

func TestEventTypesList(t *testing.T) {
	e := newCatalogEnv(t)
	key := e.tenant("acme")
	var all list[eventTypeSummaryJSON]
	e.call("GET", "/api/v1/event-types", key, nil).ok(200, &all)
	c, _ := loadCatalog()
	if len(all.Data) != len(c.All()) || len(all.Data) < 50 {
		t.Fatalf("%d event types, want the %d of the catalog", len(all.Data), len(c.All()))
	}
	if all.Data[0].Type == "" || all.Data[0].Title == "" || all.Data[0].Entity == "" || all.Data[0].Variables == nil {
		t.Fatalf("first type lacks fields: %+v", all.Data[0])
	}
	var enr list[eventTypeSummaryJSON]
	e.call("GET", "/api/v1/event-types?entity=course_enrollment", e.op, nil).ok(200, &enr)
	if len(enr.Data) == 0 {
		t.Fatal("no course_enrollment types")
	}
	for _, et := range enr.Data {
		if et.Entity != "course_enrollment" || !strings.HasPrefix(et.Type, "course_enrollment.") {
			t.Fatalf("?entity=course_enrollment answered %s", et.Type)
		}
	}
	e.call("GET", "/api/v1/event-types", "", nil).fails(401, domain.EUNAUTHORIZED, "")
}

func TestEventTypeGet(t *testing.T) {
	e := newCatalogEnv(t)
	var et eventTypeJSON
	e.call("GET", "/api/v1/event-types/course_enrollment.completed", e.op, nil).ok(200, &et)
	if et.Type != "course_enrollment.completed" || !strings.Contains(string(et.Schema), `"$schema"`) || !strings.Contains(string(et.Example), `"course"`) {
		t.Fatalf("event type = %+v", et)
	}
	body := e.call("GET", "/api/v1/event-types/course_enrolment.completed", e.op, nil).fails(404, domain.ENOTFOUND, "")
	if !strings.Contains(body.Message, `did you mean "course_enrollment.completed"`) {
		t.Fatalf("404 message %q lacks a suggestion", body.Message)
	}
}

func TestTenantEventTypes(t *testing.T) {
	e := newCatalogEnv(t)
	acme := e.tenant("acme")
	globex := e.tenant("globex")
	badge := m{
		"title":       "Badge earned",
		"description": "A learner earned an ACME badge.",
		"schema":      m{"type": "object", "required": []string{"badge"}, "properties": m{"badge": m{"type": "object", "properties": m{"id": m{"type": "string"}, "level": m{"type": "integer"}}}}},
		"example":     m{"badge": m{"id": "b_1", "level": 2}},
	}
	var et eventTypeJSON
	e.call("PUT", "/api/v1/tenants/acme/event-types/acme_badge.earned", acme, badge).ok(201, &et)
	if !et.Custom || et.Entity != "acme_badge" || et.Action != "earned" || et.Title != "Badge earned" {
		t.Fatalf("custom type = %+v", et)
	}
	e.call("PUT", "/api/v1/tenants/acme/event-types/acme_badge.earned", acme, badge).ok(200, nil)

	// The tenant sees it among the builtin types; the builtin list and
	// other tenants do not.
	var mine list[eventTypeSummaryJSON]
	e.call("GET", "/api/v1/tenants/acme/event-types", acme, nil).ok(200, &mine)
	found := false
	for _, x := range mine.Data {
		if x.Type == "acme_badge.earned" {
			found = x.Custom
		} else if x.Custom {
			t.Fatalf("builtin %s marked custom", x.Type)
		}
	}
	if !found {
		t.Fatal("the tenant's own type is missing from its list")
	}
	var theirs list[eventTypeSummaryJSON]
	e.call("GET", "/api/v1/tenants/globex/event-types", globex, nil).ok(200, &theirs)
	if len(theirs.Data) != len(mine.Data)-1 {
		t.Fatalf("globex sees %d types, acme %d: want one fewer", len(theirs.Data), len(mine.Data))
	}
	e.call("GET", "/api/v1/tenants/globex/event-types/acme_badge.earned", globex, nil).fails(404, domain.ENOTFOUND, "")
	e.call("GET", "/api/v1/event-types/acme_badge.earned", acme, nil).fails(404, domain.ENOTFOUND, "")
	e.call("GET", "/api/v1/tenants/acme/event-types/acme_badge.earned", acme, nil).ok(200, &et)
	// Another tenant's key cannot read, write or delete acme's types.
	e.call("GET", "/api/v1/tenants/acme/event-types", globex, nil).fails(404, domain.ENOTFOUND, "")
	e.call("PUT", "/api/v1/tenants/acme/event-types/acme_badge.lost", globex, badge).fails(404, domain.ENOTFOUND, "")
	e.call("DELETE", "/api/v1/tenants/acme/event-types/acme_badge.earned", globex, nil).fails(404, domain.ENOTFOUND, "")

	// Events of the type are validated against its schema, for acme only.
	e.call("POST", "/api/v1/tenants/acme/events", acme, m{"type": "acme_badge.earned", "data": m{"badge": m{"id": "b_2", "level": 3}}}).ok(202, nil)
	e.call("POST", "/api/v1/tenants/acme/events", acme, m{"type": "acme_badge.earned", "data": m{"badge": m{"id": "b_2", "level": "high"}}}).
		fails(422, domain.EINVALID, "data/badge/level")
	e.call("POST", "/api/v1/tenants/globex/events", globex, m{"type": "acme_badge.earned", "data": m{"badge": m{"id": "b_2"}}}).
		fails(422, domain.EINVALID, "type")

	// Bad definitions name the field.
	e.call("PUT", "/api/v1/tenants/acme/event-types/user.created", acme, badge).fails(422, domain.EINVALID, "type")
	e.call("PUT", "/api/v1/tenants/acme/event-types/Bad", acme, badge).fails(422, domain.EINVALID, "type")
	e.call("PUT", "/api/v1/tenants/acme/event-types/acme_badge.lost", acme, m{"schema": m{"type": "nonsense"}}).fails(422, domain.EINVALID, "schema")
	e.call("PUT", "/api/v1/tenants/acme/event-types/acme_badge.lost", acme, m{"schema": false}).fails(422, domain.EINVALID, "schema")
	e.call("PUT", "/api/v1/tenants/acme/event-types/acme_badge.lost", acme, m{"schema": m{"type": "object", "required": []string{"a"}, "properties": m{"a": false}}}).fails(422, domain.EINVALID, "schema")
	e.call("POST", "/api/v1/tenants/acme/events", acme, m{"type": "acme_badge.lost", "data": m{}}).fails(422, domain.EINVALID, "type")
	e.call("PUT", "/api/v1/tenants/acme/event-types/acme_badge.lost", acme, m{"schema": badge["schema"], "example": m{"badge": m{"level": "x"}}}).
		fails(422, domain.EINVALID, "example/badge/level")
	e.call("PUT", "/api/v1/tenants/acme/event-types/acme_badge.lost", acme, m{"variables": []string{}}).fails(422, domain.EINVALID, "variables")

	// Delete: gone from the list and refused at ingest at once.
	e.call("DELETE", "/api/v1/tenants/acme/event-types/user.created", acme, nil).fails(422, domain.EINVALID, "")
	e.call("DELETE", "/api/v1/tenants/acme/event-types/acme_badge.earned", acme, nil).ok(204, nil)
	e.call("DELETE", "/api/v1/tenants/acme/event-types/acme_badge.earned", acme, nil).fails(404, domain.ENOTFOUND, "")
	e.call("POST", "/api/v1/tenants/acme/events", acme, m{"type": "acme_badge.earned", "data": m{"badge": m{"id": "b_2"}}}).
		fails(422, domain.EINVALID, "type")
}

func TestIngestValidation(t *testing.T) {
	e := newCatalogEnv(t)
	key := e.tenant("acme")
	e.call("POST", "/api/v1/tenants/acme/events", key, `{"type":"course_enrollment.completed","data":`+example(t, "course_enrollment.completed")+`}`).ok(202, nil)

	body := e.call("POST", "/api/v1/tenants/acme/events", key, m{"type": "course_enrolment.completed", "data": m{"id": "x"}}).fails(422, domain.EINVALID, "type")
	if !strings.Contains(body.Message, `did you mean "course_enrollment.completed"`) {
		t.Fatalf("unknown type message %q lacks the suggestion", body.Message)
	}
	body = e.call("POST", "/api/v1/tenants/acme/events", key, m{"type": "user.created", "data": m{"id": "u_1", "email": "not-an-email"}}).
		fails(422, domain.EINVALID, "data/email")
	if !strings.Contains(body.Message, "email") {
		t.Fatalf("schema message %q does not name the rule", body.Message)
	}
	noDate := strings.Replace(example(t, "course_enrollment.completed"), `"completed_at":`, `"finished_at":`, 1)
	e.call("POST", "/api/v1/tenants/acme/events", key, `{"type":"course_enrollment.completed","data":`+noDate+`}`).
		fails(422, domain.EINVALID, "data/completed_at")

	// In a batch the pointer is prefixed by the event's place, and nothing
	// is stored.
	good := `{"type":"user.created","data":` + example(t, "user.created") + `}`
	e.call("POST", "/api/v1/tenants/acme/events/batch", key, `{"events":[`+good+`,{"type":"user.created","data":{"id":7}}]}`).
		fails(422, domain.EINVALID, "events[1].data/id")
	var l list[deliveryJSON]
	e.call("GET", "/api/v1/tenants/acme/deliveries", key, nil).ok(200, &l)
	if len(l.Data) != 0 {
		t.Fatalf("%d deliveries after refused publishes and no webhooks", len(l.Data))
	}
}

func TestSubscriptionsCheckedAgainstCatalog(t *testing.T) {
	e := newCatalogEnv(t)
	key := e.tenant("acme")
	hook := func(fields m) *response {
		body := m{"name": "h", "url": "https://hooks.example.com/x"}
		for k, v := range fields {
			body[k] = v
		}
		return e.call("POST", "/api/v1/tenants/acme/webhooks", key, body)
	}
	// Both forms are accepted and stored as event types.
	var w webhookJSON
	hook(m{"entity": "course_enrollment", "actions": []string{"completed", "failed"}}).ok(201, &w)
	if strings.Join(w.EventTypes, ",") != "course_enrollment.completed,course_enrollment.failed" {
		t.Fatalf("stored %v", w.EventTypes)
	}
	hook(m{"event_types": []string{"user.created", "course_enrollment.*", "*.completed", "*"}}).ok(201, nil)

	tests := []struct {
		fields m
		field  string
		want   string
	}{
		{m{"event_types": []string{"user.created", "user.craeted"}}, "event_types[1]", `did you mean "user.created"`},
		{m{"event_types": []string{"quizz.*"}}, "event_types[0]", "matches no event type"},
		{m{"event_types": []string{"coures.*"}}, "event_types[0]", `did you mean "course.*"`},
		{m{"event_types": []string{"*.compleeted"}}, "event_types[0]", `did you mean "*.completed"`},
		{m{"entity": "course_enrolment", "actions": []string{"completed"}}, "entity", `did you mean "course_enrollment"`},
		{m{"entity": "course_enrollment", "actions": []string{"completed", "finished"}}, "actions[1]", "is not an action of course_enrollment"},
	}
	for _, tt := range tests {
		body := hook(tt.fields).fails(422, domain.EINVALID, tt.field)
		if !strings.Contains(body.Message, tt.want) {
			t.Errorf("%v: message %q lacks %q", tt.fields, body.Message, tt.want)
		}
	}

	// A tenant's own type can be subscribed to once registered.
	hook(m{"event_types": []string{"acme_badge.earned"}}).fails(422, domain.EINVALID, "event_types[0]")
	e.call("PUT", "/api/v1/tenants/acme/event-types/acme_badge.earned", key, m{}).ok(201, nil)
	hook(m{"event_types": []string{"acme_badge.earned"}}).ok(201, nil)
	hook(m{"event_types": []string{"acme_badge.*"}}).ok(201, nil)
}

func TestWebhookFilters(t *testing.T) {
	e := newCatalogEnv(t)
	key := e.tenant("acme")
	path := "/api/v1/tenants/acme/webhooks"
	body := func(types []string, filter string) m {
		return m{"name": "h", "url": "https://hooks.example.com/x", "event_types": types, "filter": filter}
	}
	var w webhookJSON
	e.call("POST", path, key, body([]string{"course_enrollment.completed"}, `data.course.id in ["c_1", "c_2"]`)).ok(201, &w)
	if w.Filter != `data.course.id in ["c_1", "c_2"]` {
		t.Fatalf("filter = %q", w.Filter)
	}
	e.call("POST", path, key, body([]string{"course_enrollment.*"}, `data.user.email.endsWith("@acme.com")`)).ok(201, nil)

	tests := []struct {
		types  []string
		filter string
		want   string
	}{
		{[]string{"user.created"}, `data.course.id == "c_1"`, "data.course does not exist in user.created"},
		{[]string{"course_enrollment.completed"}, `data.course.id in [`, "Syntax error"},
		{[]string{"course_enrollment.completed"}, `data.course.id`, "not true or false"},
		{[]string{"course_enrollment.completed"}, `1 + 1`, "yields int"},
		{[]string{"course_enrollment.completed", "user.created"}, `data.course.id == "c_1"`, "fails on the example of user.created"},
	}
	for _, tt := range tests {
		b := e.call("POST", path, key, body(tt.types, tt.filter)).fails(422, domain.EINVALID, "filter")
		if !strings.Contains(b.Message, tt.want) {
			t.Errorf("%v %q: message %q lacks %q", tt.types, tt.filter, b.Message, tt.want)
		}
	}

	// PATCH re-checks a filter against changed types, and a new filter
	// against the current types; "" removes the filter.
	wp := path + "/" + w.ID
	e.call("PATCH", wp, key, m{"event_types": []string{"user.created"}}).fails(422, domain.EINVALID, "filter")
	e.call("PATCH", wp, key, m{"filter": `data.cours.id == "c_1"`}).fails(422, domain.EINVALID, "filter")
	e.call("PATCH", wp, key, m{"filter": ""}).ok(200, &w)
	if w.Filter != "" {
		t.Fatalf("filter not removed: %q", w.Filter)
	}
	e.call("PATCH", wp, key, m{"event_types": []string{"user.created"}, "filter": `data.email.endsWith("@acme.com")`}).ok(200, &w)
	if w.Filter == "" || w.EventTypes[0] != "user.created" {
		t.Fatalf("webhook = %+v", w)
	}
}

func TestFilterCheck(t *testing.T) {
	e := newCatalogEnv(t)
	key := e.tenant("acme")
	other := e.tenant("globex")
	path := "/api/v1/tenants/acme/filters/check"
	tests := []struct {
		body   m
		valid  bool
		result *bool
		errHas string
	}{
		{m{"filter": `data.course.id == "c_1042"`, "event_type": "course_enrollment.completed"}, true, ptr(true), ""},
		{m{"filter": `data.course.id == "c_1"`, "event_type": "course_enrollment.completed"}, true, ptr(false), ""},
		{m{"filter": `data.course.id == "c_1"`, "event_type": "course_enrollment.completed", "data": m{"course": m{"id": "c_1"}}}, true, ptr(true), ""},
		{m{"filter": `data.course.id == "c_1"`, "event_type": "user.created"}, false, nil, "data.course does not exist in user.created"},
		{m{"filter": `data.course.id == "c_1"`, "event_type": "course_enrollment.completed", "data": m{"user": m{}}}, false, nil, "no such key"},
		{m{"filter": `data.x == 1`, "data": m{"x": 1}}, true, ptr(true), ""},
		{m{"filter": `data.x ==`}, false, nil, "Syntax error"},
		{m{"filter": `type == "a.b"`}, true, nil, ""},
	}
	for _, tt := range tests {
		var out filterCheckJSON
		e.call("POST", path, key, tt.body).ok(200, &out)
		if out.Valid != tt.valid || (out.Result == nil) != (tt.result == nil) || (out.Result != nil && *out.Result != *tt.result) {
			t.Errorf("%v = %+v, want valid %v result %v", tt.body, out, tt.valid, tt.result)
		}
		if tt.errHas != "" && (out.Error == nil || !strings.Contains(*out.Error, tt.errHas)) {
			t.Errorf("%v: error %v lacks %q", tt.body, out.Error, tt.errHas)
		}
	}
	b := e.call("POST", path, key, m{"filter": "true", "event_type": "user.craeted"}).fails(422, domain.EINVALID, "event_type")
	if !strings.Contains(b.Message, `"user.created"`) {
		t.Fatalf("message %q lacks the suggestion", b.Message)
	}
	e.call("POST", path, key, m{}).fails(422, domain.EINVALID, "filter")
	e.call("POST", path, other, m{"filter": "true"}).fails(404, domain.ENOTFOUND, "")
}

func TestTestSendUsesCatalogExample(t *testing.T) {
	e := newCatalogEnv(t)
	key := e.tenant("acme")
	w := e.webhook("acme", key, m{"event_types": []string{"course_enrollment.completed"}})
	e.call("POST", "/api/v1/tenants/acme/webhooks/"+w.ID+"/test", key, nil).ok(200, nil)
	_, _, tests := e.disp.snapshot()
	if len(tests) != 1 || tests[0].Event.Type != "course_enrollment.completed" || !strings.Contains(string(tests[0].Event.Data), `"c_1042"`) {
		t.Fatalf("test sends = %+v, want the catalog example of course_enrollment.completed", tests)
	}
}

func ptr[T any](v T) *T { return &v }

// A test send of a webhook with patterns uses a real type of the tenant's
// catalog that the subscription selects, and its example — a tenant's own
// type's included; a type with no example is sent with empty data rather
// than invented data.
func TestTestSendPicksFromTenantCatalog(t *testing.T) {
	e := newCatalogEnv(t)
	key := e.tenant("acme")
	kudos := m{"schema": m{"type": "object", "properties": m{"kudos": m{"type": "object", "properties": m{"points": m{"type": "integer"}}}}},
		"example": m{"kudos": m{"points": 5}}}
	e.call("PUT", "/api/v1/tenants/acme/event-types/acme_kudos.awarded", key, kudos).ok(201, nil)
	e.call("PUT", "/api/v1/tenants/acme/event-types/acme_bare.sent", key, m{}).ok(201, nil)
	e.call("PUT", "/api/v1/tenants/acme/event-types/acme_gone.sent", key, m{}).ok(201, nil)

	send := func(types []string, body any) testEventJSON {
		t.Helper()
		w := e.webhook("acme", key, m{"event_types": types})
		var res testResultJSON
		e.call("POST", "/api/v1/tenants/acme/webhooks/"+w.ID+"/test", key, body).ok(200, &res)
		_, _, tests := e.disp.snapshot()
		if got := tests[len(tests)-1].Event; got.ID != res.Event.ID || string(got.Data) != string(res.Event.Data) {
			t.Fatalf("answer %+v does not describe what was sent: %+v", res.Event, got)
		}
		return res.Event
	}
	for _, tc := range []struct {
		types []string
		want  string
		data  string
	}{
		{[]string{"*.awarded"}, "acme_kudos.awarded", `{"kudos":{"points":5}}`},
		{[]string{"*"}, "acme_kudos.awarded", `{"kudos":{"points":5}}`},
		{[]string{"course_enrollment.*"}, "course_enrollment.completed", example(t, "course_enrollment.completed")},
		{[]string{"*.revoked"}, "badge.revoked", example(t, "badge.revoked")},
		{[]string{"acme_bare.sent", "user.*"}, "user.activated", example(t, "user.activated")},
		{[]string{"acme_bare.sent"}, "acme_bare.sent", `{}`},
		{[]string{"acme_bare.*"}, "acme_bare.sent", `{}`},
	} {
		ev := send(tc.types, nil)
		if ev.Type != tc.want || !jsonSame(t, ev.Data, tc.data) {
			t.Errorf("%v tested with %s %s, want %s %s", tc.types, ev.Type, ev.Data, tc.want, tc.data)
		}
	}
	// An asked type gets its example, the tenant's own too.
	if ev := send([]string{"*"}, m{"event_type": "acme_kudos.awarded"}); ev.Type != "acme_kudos.awarded" || string(ev.Data) != `{"kudos":{"points":5}}` {
		t.Errorf("asked type sent as %s %s", ev.Type, ev.Data)
	}
	// A subscription whose only types were deleted names none: the
	// request must.
	gone := e.webhook("acme", key, m{"event_types": []string{"acme_gone.*"}})
	e.call("DELETE", "/api/v1/tenants/acme/event-types/acme_gone.sent", key, nil).ok(204, nil)
	b := e.call("POST", "/api/v1/tenants/acme/webhooks/"+gone.ID+"/test", key, nil).fails(422, domain.EINVALID, "event_type")
	if !strings.Contains(b.Message, "acme_gone.*") || !strings.Contains(b.Message, "match no event type") {
		t.Errorf("message %q", b.Message)
	}
	// Testing before saving picks the same way.
	var res testResultJSON
	e.call("POST", "/api/v1/tenants/acme/webhooks/test", key, m{"name": "draft", "url": "https://hooks.example.com/x", "event_types": []string{"*.awarded"}}).ok(200, &res)
	if res.Event.Type != "acme_kudos.awarded" {
		t.Errorf("unsaved webhook tested with %s", res.Event.Type)
	}
}

// jsonSame reports whether two JSON texts hold the same value.
func jsonSame(t *testing.T, a json.RawMessage, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

// A tenant's own type lists the variables its schema's properties derive,
// in the API as in the catalog.
func TestTenantEventTypeVariables(t *testing.T) {
	e := newCatalogEnv(t)
	key := e.tenant("acme")
	body := m{"schema": m{"type": "object", "properties": m{
		"kudos":     m{"type": "object", "properties": m{"points": m{"type": "integer", "description": "Points given."}}},
		"fromEmail": m{"type": "string"}}}}
	var put eventTypeJSON
	e.call("PUT", "/api/v1/tenants/acme/event-types/acme_kudos.awarded", key, body).ok(201, &put)
	// In schema order: the body's keys are sorted as Go encodes maps.
	want := []catalog.Variable{{Name: "@from_email", Path: "/fromEmail"}, {Name: "@kudos_points", Path: "/kudos/points", Description: "Points given."}}
	if !reflect.DeepEqual(put.Variables, want) {
		t.Fatalf("PUT answered variables %+v, want %+v", put.Variables, want)
	}
	var got eventTypeJSON
	e.call("GET", "/api/v1/tenants/acme/event-types/acme_kudos.awarded", key, nil).ok(200, &got)
	if !reflect.DeepEqual(got.Variables, want) {
		t.Fatalf("GET variables %+v, want %+v", got.Variables, want)
	}
	var l list[eventTypeSummaryJSON]
	e.call("GET", "/api/v1/tenants/acme/event-types?entity=acme_kudos", key, nil).ok(200, &l)
	if len(l.Data) != 1 || !reflect.DeepEqual(l.Data[0].Variables, want) {
		t.Fatalf("list = %+v", l.Data)
	}
}
