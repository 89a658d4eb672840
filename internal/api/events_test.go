package api

import (
	"fmt"
	"strings"
	"testing"
)

func TestPublishEvent(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	users := e.webhook("acme", key, m{"event_types": []string{"user.*"}})
	e.webhook("acme", key, m{"event_types": []string{"course.*"}})

	var p publishedJSON
	r := e.call("POST", "/api/v1/tenants/acme/events", key, m{
		"type": "user.created", "data": m{"user": m{"id": "u1"}}, "occurred_at": "2030-03-04T01:02:03.5+02:00",
	}).ok(202, &p)
	if !strings.HasPrefix(p.ID, "evt_") || p.Type != "user.created" || p.Deliveries != 1 || p.Replayed {
		t.Errorf("publish answer %+v", p)
	}
	if p.OccurredAt != "2030-03-03T23:02:03.500Z" || p.ReceivedAt != "2030-03-04T05:06:07.123Z" {
		t.Errorf("times %s %s", p.OccurredAt, p.ReceivedAt)
	}
	if r.Header.Get("Idempotent-Replayed") != "" {
		t.Error("first publish marked as replayed")
	}

	var ev eventJSON
	e.call("GET", "/api/v1/tenants/acme/events/"+p.ID, key, nil).ok(200, &ev)
	if ev.ID != p.ID || ev.TenantID != "acme" || string(ev.Data) != `{"user":{"id":"u1"}}` || len(ev.Deliveries) != 1 ||
		ev.Deliveries[0].WebhookID != users.ID || ev.Deliveries[0].State != "scheduled" || ev.Deliveries[0].EventID != p.ID {
		t.Errorf("event %+v", ev)
	}
	e.call("GET", "/api/v1/tenants/acme/events/evt_nope", key, nil).fails(404, "not_found", "")
	e.call("POST", "/api/v1/tenants/nope/events", e.op, m{"type": "user.created", "data": m{}}).fails(404, "not_found", "")
}

func TestIdempotentReplay(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	e.webhook("acme", key, nil)
	body := m{"type": "user.created", "data": m{"n": 1}, "idempotency_key": "lms-42"}

	var first, again publishedJSON
	e.call("POST", "/api/v1/tenants/acme/events", key, body).ok(202, &first)
	r := e.call("POST", "/api/v1/tenants/acme/events", key, body).ok(200, &again)
	if again.ID != first.ID || !again.Replayed || again.Deliveries != 1 {
		t.Errorf("replay %+v, first %+v", again, first)
	}
	if r.Header.Get("Idempotent-Replayed") != "true" {
		t.Error("replay without Idempotent-Replayed: true")
	}

	// The header form of the key works the same way.
	h := func() *response {
		return e.sendWithHeader("POST", "/api/v1/tenants/acme/events", key, "Idempotency-Key", "hdr-1", m{"type": "user.created", "data": m{}})
	}
	var a, b publishedJSON
	h().ok(202, &a)
	h().ok(200, &b)
	if a.ID != b.ID {
		t.Errorf("header key replay gave a new event %s != %s", b.ID, a.ID)
	}

	var l deliveryListJSON
	e.call("GET", "/api/v1/tenants/acme/deliveries?include_counts=true", key, nil).ok(200, &l)
	if l.Counts["scheduled"] != 2 {
		t.Errorf("replays made deliveries: %v", l.Counts)
	}
}

func TestPublishValidation(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	p := "/api/v1/tenants/acme/events"
	e.call("POST", p, key, m{"data": m{}}).fails(422, "invalid", "type")
	e.call("POST", p, key, m{"type": "UserCreated", "data": m{}}).fails(422, "invalid", "type")
	e.call("POST", p, key, m{"type": 5, "data": m{}}).fails(422, "invalid", "type")
	e.call("POST", p, key, m{"type": "user.created"}).fails(422, "invalid", "data")
	e.call("POST", p, key, m{"type": "user.created", "data": []int{1}}).fails(422, "invalid", "data")
	e.call("POST", p, key, m{"type": "user.created", "data": m{}, "occurred_at": "now"}).fails(422, "invalid", "occurred_at")
	e.call("POST", p, key, m{"type": "user.created", "data": m{}, "idempotency_key": strings.Repeat("k", 256)}).fails(422, "invalid", "idempotency_key")
	e.call("POST", p, key, m{"type": "user.created", "data": m{}, "tenant": "x"}).fails(422, "invalid", "tenant")
	e.call("POST", p, key, `{"type": "user.created", "data": {"a": }}`).fails(400, "malformed", "")

	var l list[deliveryJSON]
	e.call("GET", "/api/v1/tenants/acme/deliveries", key, nil).ok(200, &l)
	if len(l.Data) != 0 {
		t.Errorf("refused publishes wrote %d deliveries", len(l.Data))
	}
}

func TestPublishBatch(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	e.webhook("acme", key, m{"event_types": []string{"user.*"}})
	e.call("POST", "/api/v1/tenants/acme/events", key, m{"type": "user.created", "data": m{}, "idempotency_key": "k1"}).ok(202, nil)

	var out struct{ Data []batchItemJSON }
	e.call("POST", "/api/v1/tenants/acme/events/batch", key, m{"events": []m{
		{"type": "user.created", "data": m{"i": 0}},
		{"type": "course.published", "data": m{"i": 1}},
		{"type": "user.updated", "data": m{"i": 2}, "idempotency_key": "k1"},
	}}).ok(202, &out)
	if len(out.Data) != 3 {
		t.Fatalf("batch answer %+v", out)
	}
	if out.Data[0].Deliveries != 1 || out.Data[1].Deliveries != 0 || !out.Data[2].Replayed || out.Data[0].Replayed {
		t.Errorf("batch items %+v", out.Data)
	}
	if out.Data[0].ID == out.Data[1].ID || !strings.HasPrefix(out.Data[1].ID, "evt_") {
		t.Errorf("batch ids %+v", out.Data)
	}
}

func TestPublishBatchErrorsWriteNothing(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	e.webhook("acme", key, nil)
	p := "/api/v1/tenants/acme/events/batch"
	ok := m{"type": "user.created", "data": m{}}
	e.call("POST", p, key, m{"events": []m{ok, {"type": "Bad", "data": m{}}}}).fails(422, "invalid", "events[1].type")
	e.call("POST", p, key, m{"events": []m{ok, ok, {"type": "user.created"}}}).fails(422, "invalid", "events[2].data")
	e.call("POST", p, key, m{"events": []m{ok, {"type": 1, "data": m{}}}}).fails(422, "invalid", "events[1].type")
	e.call("POST", p, key, m{"events": []m{ok, {"type": "user.created", "data": m{}, "colour": "red"}}}).fails(422, "invalid", "events[1].colour")
	e.call("POST", p, key, m{"events": []m{ok, {"type": "user.created", "data": m{}, "occurred_at": "x"}}}).fails(422, "invalid", "events[1].occurred_at")
	e.call("POST", p, key, m{"events": []any{"user.created"}}).fails(422, "invalid", "events[0]")
	e.call("POST", p, key, m{"events": []m{}}).fails(422, "invalid", "events")
	e.call("POST", p, key, m{}).fails(422, "invalid", "events")
	e.call("POST", p, key, m{"events": m{}}).fails(422, "invalid", "events")
	big := m{"type": "user.created", "data": m{"bio": strings.Repeat("b", DefaultMaxBodyBytes)}}
	eb := e.call("POST", p, key, m{"events": []m{ok, big}}).fails(413, "too_large", "events[1]")
	if !strings.Contains(eb.Message, fmt.Sprint(DefaultMaxBodyBytes)) {
		t.Errorf("event size message %q does not name the limit", eb.Message)
	}
	many := make([]m, 1001)
	for i := range many {
		many[i] = ok
	}
	eb = e.call("POST", p, key, m{"events": many}).fails(422, "invalid", "events")
	if !strings.Contains(eb.Message, "1000") {
		t.Errorf("batch limit message %q does not name the limit", eb.Message)
	}

	var l list[deliveryJSON]
	e.call("GET", "/api/v1/tenants/acme/deliveries", key, nil).ok(200, &l)
	if len(l.Data) != 0 {
		t.Errorf("refused batches wrote %d deliveries", len(l.Data))
	}
}

func TestBatchOfAThousand(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	e.webhook("acme", key, nil)
	evs := make([]m, 1000)
	for i := range evs {
		evs[i] = m{"type": "user.created", "data": m{"user": m{"id": fmt.Sprint(i), "bio": strings.Repeat("b", 300)}}}
	}
	var out struct{ Data []batchItemJSON }
	e.call("POST", "/api/v1/tenants/acme/events/batch", key, m{"events": evs}).ok(202, &out)
	if len(out.Data) != 1000 {
		t.Errorf("%d results for 1000 events", len(out.Data))
	}
}
