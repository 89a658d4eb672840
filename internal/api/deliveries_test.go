package api

import (
	"net/url"
	"testing"
	"time"
)

func TestDeliveryListFilters(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	a := e.webhook("acme", key, m{"name": "A"})
	b := e.webhook("acme", key, m{"name": "B", "event_types": []string{"course.*"}})
	ev1 := e.publish("acme", key, "user.created")     // → A
	ev2 := e.publish("acme", key, "course.published") // → A, B
	e.attemptAll(500, time.Millisecond)               // all three fail
	ev3 := e.publish("acme", key, "course.published") // → A, B scheduled
	_ = ev1

	get := func(q string) deliveryListJSON {
		t.Helper()
		var l deliveryListJSON
		e.call("GET", "/api/v1/tenants/acme/deliveries?"+q, key, nil).ok(200, &l)
		return l
	}
	if n := len(get("").Data); n != 5 {
		t.Errorf("all: %d, want 5", n)
	}
	if n := len(get("webhook_id=" + b.ID).Data); n != 2 {
		t.Errorf("webhook_id: %d, want 2", n)
	}
	if n := len(get("event_type=course.published").Data); n != 4 {
		t.Errorf("event_type: %d, want 4", n)
	}
	if n := len(get("event_id=" + ev2.ID).Data); n != 2 {
		t.Errorf("event_id: %d, want 2", n)
	}
	failed := get("state=failed&webhook_id=" + a.ID)
	if len(failed.Data) != 2 || failed.Data[0].State != "failed" || failed.Data[0].NextAttemptAt != nil ||
		failed.Data[0].LastStatus != 500 || failed.Data[0].Attempts != 1 {
		t.Errorf("failed of A: %+v", failed.Data)
	}
	sched := get("state=scheduled")
	if len(sched.Data) != 2 || sched.Data[0].NextAttemptAt == nil || sched.Data[0].EventID != ev3.ID {
		t.Errorf("scheduled: %+v", sched.Data)
	}
	if failed.Counts != nil {
		t.Error("counts without include_counts")
	}
	counts := get("include_counts=true&webhook_id=" + a.ID).Counts
	if counts["failed"] != 2 || counts["scheduled"] != 1 || counts["succeeded"] != 0 || len(counts) != 4 {
		t.Errorf("counts %v", counts)
	}

	// Every delivery was created at start; the window [since, until) is
	// half-open.
	since := url.QueryEscape(start.Format(time.RFC3339Nano))
	if n := len(get("since=" + since).Data); n != 5 {
		t.Errorf("since=start: %d, want 5", n)
	}
	if n := len(get("until=" + since).Data); n != 0 {
		t.Errorf("until=start: %d, want 0", n)
	}

	page := get("limit=2")
	if len(page.Data) != 2 || page.NextCursor == "" {
		t.Fatalf("limit=2: %d items, cursor %q", len(page.Data), page.NextCursor)
	}
	rest := get("limit=10&cursor=" + url.QueryEscape(page.NextCursor))
	if len(rest.Data) != 3 || rest.NextCursor != "" || rest.Data[0].ID == page.Data[1].ID {
		t.Errorf("page 2: %d items, cursor %q", len(rest.Data), rest.NextCursor)
	}

	p := "/api/v1/tenants/acme/deliveries?"
	e.call("GET", p+"state=lost", key, nil).fails(422, "invalid", "state")
	e.call("GET", p+"since=yesterday", key, nil).fails(422, "invalid", "since")
	e.call("GET", p+"until=2030-13-01T00:00:00Z", key, nil).fails(422, "invalid", "until")
	e.call("GET", p+"since=2030-03-05T00:00:00Z&until=2030-03-04T00:00:00Z", key, nil).fails(422, "invalid", "until")
	e.call("GET", p+"limit=5000", key, nil).fails(422, "invalid", "limit")
	e.call("GET", p+"include_counts=maybe", key, nil).fails(422, "invalid", "include_counts")
	e.call("GET", "/api/v1/tenants/nope/deliveries", e.op, nil).fails(404, "not_found", "")
}

func TestDeliveryDetailAndResend(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	w := e.webhook("acme", key, nil)
	ev := e.publish("acme", key, "user.created")
	ds := e.attemptAll(503, 120*time.Millisecond)
	if len(ds) != 1 {
		t.Fatalf("%d deliveries", len(ds))
	}
	p := "/api/v1/tenants/acme/deliveries/" + ds[0].ID

	var d deliveryDetailJSON
	e.call("GET", p, key, nil).ok(200, &d)
	if d.Delivery.ID != ds[0].ID || d.Delivery.EventID != ev.ID || d.Delivery.WebhookID != w.ID || d.Delivery.State != "failed" ||
		d.Delivery.Attempts != 1 || d.Delivery.EventType != "user.created" {
		t.Errorf("delivery %+v", d.Delivery)
	}
	if len(d.Attempts) != 1 {
		t.Fatalf("attempts %+v", d.Attempts)
	}
	at := d.Attempts[0]
	if at.Number != 1 || at.Trigger != "scheduled" || at.DurationMS != 120 || at.Success || at.StartedAt != "2030-03-04T05:06:07.123Z" ||
		at.Response == nil || at.Response.Status != 503 || at.Response.Body != "receiver says hi" ||
		at.Request.URL != "https://hooks.example.com/lms" || at.Request.Headers["Webhook-Id"] != ds[0].ID {
		t.Errorf("attempt %+v", at)
	}
	if got := at.Request.Headers["Authorization"]; got != "Basic [redacted]" {
		t.Errorf("the audit shows credentials: Authorization %q", got)
	}

	e.clock.Advance(time.Minute)
	var res deliveryJSON
	e.call("POST", p+"/resend", key, nil).ok(202, &res)
	if res.State != "scheduled" || res.NextAttemptAt == nil || *res.NextAttemptAt != "2030-03-04T05:07:07.123Z" {
		t.Errorf("resent %+v", res)
	}
	if wakes, _, _ := e.disp.snapshot(); wakes != 1 {
		t.Errorf("Wake called %d times, want 1", wakes)
	}
	e.call("GET", "/api/v1/tenants/acme/deliveries/dlv_nope", key, nil).fails(404, "not_found", "")
	e.call("POST", "/api/v1/tenants/acme/deliveries/dlv_nope/resend", key, nil).fails(404, "not_found", "")
}

func TestResendOfLeasedDeliveryConflicts(t *testing.T) {
	e := newEnv(t)
	key := e.tenant("acme")
	e.webhook("acme", key, nil)
	e.publish("acme", key, "user.created")
	now := e.clock.Now()
	jobs, err := e.store.ClaimDue(e.ctx, claim(now))
	if err != nil || len(jobs) != 1 {
		t.Fatalf("claim: %v, %d jobs", err, len(jobs))
	}
	e.call("POST", "/api/v1/tenants/acme/deliveries/"+jobs[0].Delivery.ID+"/resend", key, nil).fails(409, "conflict", "")
}
