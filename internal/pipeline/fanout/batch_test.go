package fanout

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

var now = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func TestBuild(t *testing.T) {
	hooks := []domain.Webhook{
		{ID: "wh_a", TenantID: "acme", URL: "https://a.example", EventTypes: []string{"user.*"}, Enabled: true},
		{ID: "wh_b", TenantID: "acme", URL: "https://b.example", EventTypes: []string{"*"}, Enabled: true},
		{ID: "wh_c", TenantID: "acme", URL: "https://c.example", EventTypes: []string{"*"}, Enabled: true},
	}
	ev := func(id, typ, key string) domain.Event {
		return domain.Event{ID: id, Type: typ, IdempotencyKey: key, Data: json.RawMessage(`{}`), OccurredAt: now, ReceivedAt: now}
	}
	events := []domain.Event{ev("evt_1", "user.created", "k1"), ev("evt_2", "course.created", ""), ev("evt_3", "user.created", "k1")}
	asked := map[string]int{}
	b := Build(Plan{
		TenantID: "acme", Events: events, Webhooks: hooks, Now: now, IDs: id.NewGenerator(nil),
		LeaseOwner: "n1", LeaseUntil: now.Add(time.Minute),
		Leased: func(webhookID string) bool { asked[webhookID]++; return webhookID != "wh_b" },
		Decide: func(w *domain.Webhook, e *domain.Event) Verdict {
			switch {
			case !w.Subscribes(e.Type):
				return Verdict{}
			case w.ID == "wh_c" && e.ID == "evt_2":
				return Verdict{Deliver: true, Failure: errors.New("filter error: no such key: score")}
			}
			return Verdict{Deliver: true}
		},
	})

	// evt_3 repeats evt_1's key: collapsed, no deliveries of its own.
	if n := len(b.Params.Events); n != 2 || b.Params.Events[0].Event.ID != "evt_1" || b.Params.Events[1].Event.ID != "evt_2" {
		t.Fatalf("events to store = %+v, want evt_1 and evt_2", b.Params.Events)
	}
	if b.Params.TenantID != "acme" || b.Params.Events[0].Event.TenantID != "acme" {
		t.Fatalf("tenant not set: %+v", b.Params)
	}
	// Each webhook with a scheduled delivery is asked once, however many
	// events it gets; wh_c's only scheduled delivery is evt_1's.
	if asked["wh_a"] != 1 || asked["wh_b"] != 1 || asked["wh_c"] != 1 {
		t.Fatalf("AcceptingFor asked %v, want each webhook once", asked)
	}
	seen := map[string]bool{}
	for _, pe := range b.Params.Events {
		for _, nd := range pe.Deliveries {
			d := nd.Delivery
			if seen[d.ID] || d.ID == "" {
				t.Fatalf("delivery id %q empty or repeated", d.ID)
			}
			seen[d.ID] = true
			if d.TenantID != "acme" || d.EventID != pe.Event.ID || d.EventType != pe.Event.Type || !d.CreatedAt.Equal(now) || !d.UpdatedAt.Equal(now) {
				t.Fatalf("delivery %+v of event %s", d, pe.Event.ID)
			}
		}
	}
	got := func(i int) map[string]store.NewDelivery {
		out := map[string]store.NewDelivery{}
		for _, nd := range b.Params.Events[i].Deliveries {
			out[nd.Delivery.WebhookID] = nd
		}
		return out
	}
	e1, e2 := got(0), got(1)
	if len(e1) != 3 || len(e2) != 2 {
		t.Fatalf("evt_1 has %d deliveries, evt_2 %d; want 3 and 2", len(e1), len(e2))
	}
	if a := e1["wh_a"]; a.Delivery.State != domain.Scheduled || !a.Delivery.NextAttemptAt.Equal(now) || a.LeaseOwner != "n1" || !a.LeaseUntil.Equal(now.Add(time.Minute)) || a.Attempt != nil {
		t.Fatalf("wh_a delivery = %+v, want scheduled now, leased to n1", a)
	}
	if bd := e2["wh_b"]; bd.LeaseOwner != "" || !bd.LeaseUntil.IsZero() || bd.Delivery.State != domain.Scheduled {
		t.Fatalf("wh_b delivery = %+v, want scheduled and unleased (no room)", bd)
	}
	c := e2["wh_c"]
	if c.Delivery.State != domain.Failed || c.Delivery.Attempts != 1 || !c.Delivery.NextAttemptAt.IsZero() ||
		c.Delivery.LastError != "filter error: no such key: score" || c.LeaseOwner != "" {
		t.Fatalf("wh_c delivery = %+v, want failed with the filter error and unleased", c)
	}
	if a := c.Attempt; a == nil || a.ID == "" || a.DeliveryID != c.Delivery.ID || a.Number != 1 || a.Success ||
		a.Error != c.Delivery.LastError || a.RequestURL != "https://c.example" || !a.StartedAt.Equal(now) || a.StatusCode != 0 ||
		a.EventID != "evt_2" || a.WebhookID != "wh_c" || a.TenantID != "acme" || a.Trigger != domain.TriggerScheduled {
		t.Fatalf("wh_c attempt = %+v", c.Attempt)
	}

	// Results: one per published event; the collapsed one replays the first.
	stored := []store.PublishResult{
		{Event: b.Params.Events[0].Event, Deliveries: []domain.Delivery{{ID: "dlv_x"}}},
		{Event: b.Params.Events[1].Event, Deliveries: []domain.Delivery{{ID: "dlv_y"}}, Replayed: true},
	}
	res := b.Results(stored)
	if len(res) != 3 || res[0].Replayed || !res[1].Replayed || !res[2].Replayed || res[2].Event.ID != "evt_1" ||
		len(res[2].Deliveries) != 1 || res[2].Deliveries[0].ID != "dlv_x" {
		t.Fatalf("results = %+v", res)
	}
	res[2].Deliveries[0].ID = "changed"
	if stored[0].Deliveries[0].ID != "dlv_x" {
		t.Fatal("a collapsed event's result shares its deliveries with the first's")
	}
}

func TestBuildWithoutLeases(t *testing.T) {
	hooks := []domain.Webhook{{ID: "wh_a", EventTypes: []string{"*"}, Enabled: true}}
	b := Build(Plan{TenantID: "acme", Events: []domain.Event{{ID: "evt_1", Type: "user.created"}}, Webhooks: hooks, Now: now,
		IDs: id.NewGenerator(nil), Decide: func(*domain.Webhook, *domain.Event) Verdict { return Verdict{Deliver: true} },
		Leased: func(string) bool { t.Fatal("asked for room without a lease owner"); return false }})
	if nd := b.Params.Events[0].Deliveries[0]; nd.LeaseOwner != "" {
		t.Fatalf("delivery leased to %q without a lease owner", nd.LeaseOwner)
	}
}

func TestDecide(t *testing.T) {
	m := newMatcher(t)
	e := &domain.Event{Type: "course_enrollment.completed", Data: json.RawMessage(`{"course":{"id":"c_1"}}`)}
	for _, tt := range []struct {
		types   []string
		filter  string
		deliver bool
		fails   bool
	}{
		{[]string{"user.*"}, "", false, false},
		{[]string{"*"}, "", true, false},
		{[]string{"*"}, `data.course.id == "c_1"`, true, false},
		{[]string{"*"}, `data.course.id == "c_2"`, false, false},
		{[]string{"*"}, `data.score.raw > 1`, true, true},
		{[]string{"user.*"}, `data.score.raw > 1`, false, false}, // not subscribed: never evaluated
	} {
		v := m.Decide(&domain.Webhook{EventTypes: tt.types, Filter: tt.filter, Enabled: true}, e)
		if v.Deliver != tt.deliver || (v.Failure != nil) != tt.fails {
			t.Errorf("Decide(%v, %q) = %+v, want deliver %v, failure %v", tt.types, tt.filter, v, tt.deliver, tt.fails)
		}
	}
}
