package api

import (
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

// A webhook's ordering settings default to none and block, are kept as
// given, change with PATCH, and a bad value is a 422 naming the field.
func TestWebhookOrderingFields(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	def := e.webhook("acme", key, nil)
	if def.Ordering != "none" || def.OrderingFailure != "block" {
		t.Errorf("defaults: ordering %q, ordering_failure %q; want none, block", def.Ordering, def.OrderingFailure)
	}
	w := e.webhook("acme", key, m{"ordering": "key", "ordering_failure": "skip"})
	var got webhookJSON
	e.call("GET", "/api/v1/tenants/acme/webhooks/"+w.ID, key, nil).ok(200, &got)
	if got.Ordering != "key" || got.OrderingFailure != "skip" {
		t.Errorf("read back: ordering %q, ordering_failure %q; want key, skip", got.Ordering, got.OrderingFailure)
	}
	e.call("PATCH", "/api/v1/tenants/acme/webhooks/"+w.ID, key, m{"ordering": "webhook"}).ok(200, &got)
	if got.Ordering != "webhook" || got.OrderingFailure != "skip" {
		t.Errorf("after PATCH: ordering %q, ordering_failure %q; want webhook, skip (kept)", got.Ordering, got.OrderingFailure)
	}

	p := "/api/v1/tenants/acme/webhooks"
	body := func(k string, v any) m {
		return m{"name": "X", "url": "https://hooks.example.com/x", "event_types": []string{"*"}, k: v}
	}
	e.call("POST", p, key, body("ordering", "fifo")).fails(422, "invalid", "ordering")
	e.call("POST", p, key, body("ordering_failure", "retry")).fails(422, "invalid", "ordering_failure")
	e.call("POST", p, key, body("ordering", 1)).fails(422, "invalid", "ordering")
	e.call("PATCH", p+"/"+w.ID, key, m{"ordering": "KEY"}).fails(422, "invalid", "ordering")
	e.call("PATCH", p+"/"+w.ID, key, m{"ordering_failure": nil}).fails(422, "invalid", "ordering_failure")
}

// Deliveries of an ordered webhook show their key and whether they hold
// it; a waiting one names the delivery it waits for. Skip lets the key
// go on (200), and refuses with 409 what does not hold its key; blocked
// keys lists the failed head with how many wait behind it.
func TestOrderedDeliveriesSkipAndBlockedKeys(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	w := e.webhook("acme", key, m{"ordering": "webhook"})
	plain := e.webhook("acme", key, m{"name": "plain"})
	e.publish("acme", key, "user.created")
	e.publish("acme", key, "user.updated")

	// Only the ordered webhook's first delivery and the plain one's two
	// may go; the ordered head fails for good (block).
	heads := e.attemptOrdered(500)
	var head domain.Delivery
	for _, d := range heads {
		if d.WebhookID == w.ID {
			head = d
		}
	}
	if head.ID == "" || len(heads) != 3 {
		t.Fatalf("claimed %d deliveries, ordered head %q; want 3 with one of %s", len(heads), head.ID, w.ID)
	}

	var ol deliveryListJSON
	e.call("GET", "/api/v1/tenants/acme/deliveries?webhook_id="+w.ID, key, nil).ok(200, &ol)
	if len(ol.Data) != 2 {
		t.Fatalf("%d deliveries of the ordered webhook, want 2", len(ol.Data))
	}
	next := ol.Data[0] // newest first
	if !next.Ordered || next.OrderingKey == nil || *next.OrderingKey != "" || !next.HoldsKey || next.State != "scheduled" {
		t.Errorf("waiting delivery %+v: want ordered, key \"\", holding, scheduled", next)
	}
	var detail deliveryDetailJSON
	e.call("GET", "/api/v1/tenants/acme/deliveries/"+next.ID, key, nil).ok(200, &detail)
	if detail.Delivery.BlockedBy != head.ID {
		t.Errorf("blocked_by %q, want the failed head %s", detail.Delivery.BlockedBy, head.ID)
	}
	var pl deliveryListJSON
	e.call("GET", "/api/v1/tenants/acme/deliveries?webhook_id="+plain.ID, key, nil).ok(200, &pl)
	if len(pl.Data) == 0 || pl.Data[0].Ordered || pl.Data[0].OrderingKey != nil || pl.Data[0].HoldsKey {
		t.Errorf("unordered delivery %+v: want not ordered, no key", pl.Data)
	}

	var blocked list[blockedKeyJSON]
	e.call("GET", "/api/v1/tenants/acme/blocked-keys", key, nil).ok(200, &blocked)
	if len(blocked.Data) != 1 || blocked.Data[0].WebhookID != w.ID || blocked.Data[0].Key != "" ||
		blocked.Data[0].Head.ID != head.ID || blocked.Data[0].Waiting != 1 || blocked.Data[0].Head.State != "failed" {
		t.Fatalf("blocked keys %+v", blocked.Data)
	}
	e.call("GET", "/api/v1/tenants/acme/blocked-keys?webhook_id="+plain.ID, key, nil).ok(200, &blocked)
	if len(blocked.Data) != 0 {
		t.Errorf("blocked keys of the plain webhook: %+v", blocked.Data)
	}
	e.call("GET", "/api/v1/tenants/nope/blocked-keys", e.op, nil).fails(404, "not_found", "")

	p := "/api/v1/tenants/acme/deliveries/"
	// Not ordered, or no longer holding: 409.
	e.call("POST", p+pl.Data[0].ID+"/skip", key, nil).fails(409, "conflict", "")
	e.call("POST", p+"dlv_nope/skip", key, nil).fails(404, "not_found", "")
	wakes, _, _ := e.disp.snapshot()

	e.clock.Advance(time.Minute)
	var skipped deliveryJSON
	e.call("POST", p+head.ID+"/skip", key, nil).ok(200, &skipped)
	if skipped.HoldsKey || skipped.SkippedAt == nil || *skipped.SkippedAt != ts(e.clock.Now()) || skipped.State != "failed" {
		t.Errorf("skipped %+v: want failed, not holding, skipped_at now", skipped)
	}
	if after, _, _ := e.disp.snapshot(); after != wakes+1 {
		t.Errorf("Wake called %d times after the skip, want %d", after, wakes+1)
	}
	e.call("POST", p+head.ID+"/skip", key, nil).fails(409, "conflict", "")
	e.call("GET", "/api/v1/tenants/acme/blocked-keys", key, nil).ok(200, &blocked)
	if len(blocked.Data) != 0 {
		t.Errorf("blocked keys after the skip: %+v", blocked.Data)
	}
	// The key goes on: the next delivery is claimed.
	if got := e.attemptOrdered(200); len(got) != 1 || got[0].ID != next.ID {
		t.Errorf("after the skip claimed %+v, want %s", got, next.ID)
	}
}

// A scheduled ordered delivery in flight cannot be skipped (409); a
// scheduled one that waits can, and is canceled.
func TestSkipOfScheduledAndInFlight(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	e.webhook("acme", key, m{"ordering": "webhook"})
	e.publish("acme", key, "user.created")
	e.publish("acme", key, "user.updated")
	now := e.clock.Now()
	jobs, err := e.store.ClaimDue(e.ctx, claim(now))
	if err != nil || len(jobs) != 1 {
		t.Fatalf("claim: %v, %d jobs; want the first only", err, len(jobs))
	}
	p := "/api/v1/tenants/acme/deliveries/"
	e.call("POST", p+jobs[0].Delivery.ID+"/skip", key, nil).fails(409, "conflict", "")

	var list deliveryListJSON
	e.call("GET", "/api/v1/tenants/acme/deliveries?state=scheduled", key, nil).ok(200, &list)
	var waiting string
	for _, d := range list.Data {
		if d.ID != jobs[0].Delivery.ID {
			waiting = d.ID
		}
	}
	var skipped deliveryJSON
	e.call("POST", p+waiting+"/skip", key, nil).ok(200, &skipped)
	if skipped.State != "canceled" || skipped.HoldsKey || skipped.SkippedAt == nil || skipped.NextAttemptAt != nil {
		t.Errorf("skipped waiting delivery %+v: want canceled, not holding, skipped_at set", skipped)
	}
}

// attemptOrdered claims every delivery that may go and records one
// attempt for each answered with status, as the dispatcher does for
// ordered ones: fenced by the lease, holding the key after a failure
// (the webhooks here block).
func (e *testEnv) attemptOrdered(status int) []domain.Delivery {
	e.t.Helper()
	now := e.clock.Now()
	cp := claim(now)
	jobs, err := e.store.ClaimDue(e.ctx, cp)
	if err != nil {
		e.t.Fatalf("claim: %v", err)
	}
	ok := status >= 200 && status < 300
	state := domain.Failed
	if ok {
		state = domain.Succeeded
	}
	var recs []store.AttemptRecord
	var out []domain.Delivery
	for _, j := range jobs {
		d := j.Delivery
		recs = append(recs, store.AttemptRecord{
			Attempt: domain.Attempt{
				ID: testIDs.New(id.Attempt), DeliveryID: d.ID, TenantID: d.TenantID, WebhookID: d.WebhookID, EventID: d.EventID,
				Number: d.Attempts + 1, Trigger: domain.TriggerScheduled, StartedAt: now, Duration: time.Millisecond,
				RequestURL: "https://hooks.example.com/lms", StatusCode: status, Success: ok,
			},
			State:      state,
			HoldsKey:   d.Ordered && !ok,
			LeaseUntil: cp.LeaseUntil,
		})
		out = append(out, d)
	}
	if err := e.store.RecordAttempts(e.ctx, recs); err != nil {
		e.t.Fatalf("record: %v", err)
	}
	return out
}

// An event's ordering key is the one given at publish, else its type's
// default taken from the data; bad keys are a 422 naming the field, in a
// batch with the event's place.
func TestPublishOrderingKey(t *testing.T) {
	e := newCatalogEnv(t)
	key := e.tenant("acme")
	e.webhook("acme", key, m{"ordering": "key"})
	event := func(id string) eventJSON {
		t.Helper()
		var ev eventJSON
		e.call("GET", "/api/v1/tenants/acme/events/"+id, key, nil).ok(200, &ev)
		return ev
	}
	var p publishedJSON
	e.call("POST", "/api/v1/tenants/acme/events", key, m{"type": "user.created", "data": user("u_1"), "ordering_key": "lrn-7"}).ok(202, &p)
	ev := event(p.ID)
	if ev.OrderingKey != "lrn-7" || len(ev.Deliveries) != 1 || ev.Deliveries[0].OrderingKey == nil || *ev.Deliveries[0].OrderingKey != "lrn-7" {
		t.Errorf("given key: event %q, deliveries %+v; want lrn-7 on both", ev.OrderingKey, ev.Deliveries)
	}
	// user.* orders by the user's id (/id) by default.
	e.call("POST", "/api/v1/tenants/acme/events", key, m{"type": "user.updated", "data": user("u_1")}).ok(202, &p)
	if ev := event(p.ID); ev.OrderingKey != "u_1" {
		t.Errorf("default key %q, want the user's id u_1", ev.OrderingKey)
	}
	var batch struct{ Data []batchItemJSON }
	e.call("POST", "/api/v1/tenants/acme/events/batch", key, m{"events": []m{
		{"type": "user.created", "data": user("u_2")},
		{"type": "user.created", "data": user("u_3"), "ordering_key": "team-1"},
	}}).ok(202, &batch)
	if len(batch.Data) != 2 || event(batch.Data[0].ID).OrderingKey != "u_2" || event(batch.Data[1].ID).OrderingKey != "team-1" {
		t.Errorf("batch keys: want u_2 (default) and team-1 (given)")
	}

	long := strings.Repeat("k", domain.MaxOrderingKeyLength+1)
	p0 := "/api/v1/tenants/acme/events"
	e.call("POST", p0, key, m{"type": "user.created", "data": user("u_1"), "ordering_key": long}).fails(422, "invalid", "ordering_key")
	e.call("POST", p0, key, m{"type": "user.created", "data": user("u_1"), "ordering_key": "k\x00"}).fails(422, "invalid", "ordering_key")
	e.call("POST", p0, key, m{"type": "user.created", "data": user("u_1"), "ordering_key": 7}).fails(422, "invalid", "ordering_key")
	e.call("POST", p0+"/batch", key, m{"events": []m{
		{"type": "user.created", "data": user("u_1")},
		{"type": "user.created", "data": user("u_1"), "ordering_key": long},
	}}).fails(422, "invalid", "events[1].ordering_key")
	e.call("POST", p0+"/batch", key, m{"events": []m{
		{"type": "user.created", "data": user("u_1"), "ordering_key": true},
	}}).fails(422, "invalid", "events[0].ordering_key")
}

// Event types show their default ordering key; a tenant's type may name
// one, which must be a JSON Pointer.
func TestEventTypeOrderingKey(t *testing.T) {
	e := newCatalogEnv(t)
	key := e.tenant("acme")
	var et eventTypeJSON
	e.call("GET", "/api/v1/event-types/course_enrollment.completed", key, nil).ok(200, &et)
	if et.OrderingKey != "/id" {
		t.Errorf("course_enrollment.completed ordering_key %q, want /id", et.OrderingKey)
	}
	p := "/api/v1/tenants/acme/event-types/acme_kudos.awarded"
	e.call("PUT", p, key, m{"ordering_key": "learner.id"}).fails(422, "invalid", "ordering_key")
	e.call("PUT", p, key, m{"ordering_key": 3}).fails(422, "invalid", "ordering_key")
	e.call("PUT", p, key, m{"ordering_key": "/learner/id"}).ok(201, &et)
	if et.OrderingKey != "/learner/id" {
		t.Errorf("put answered ordering_key %q, want /learner/id", et.OrderingKey)
	}
	e.call("GET", p, key, nil).ok(200, &et)
	if et.OrderingKey != "/learner/id" {
		t.Errorf("read back ordering_key %q, want /learner/id", et.OrderingKey)
	}
	e.webhook("acme", key, m{"ordering": "key", "event_types": []string{"acme_kudos.*"}})
	var pub publishedJSON
	e.call("POST", "/api/v1/tenants/acme/events", key, m{"type": "acme_kudos.awarded", "data": m{"learner": m{"id": 42}}}).ok(202, &pub)
	var ev eventJSON
	e.call("GET", "/api/v1/tenants/acme/events/"+pub.ID, key, nil).ok(200, &ev)
	if ev.OrderingKey != "42" {
		t.Errorf("event of the custom type has ordering key %q, want 42 (the number's JSON text)", ev.OrderingKey)
	}
}

// user is the data of a user event.
func user(id string) m { return m{"id": id, "email": id + "@acme.example"} }
