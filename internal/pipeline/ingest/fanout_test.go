package ingest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// A filter that cannot be decided on an event fails that delivery at the
// fan-out: stored failed, with an attempt recording the error, never
// handed to the dispatcher nor left for it to claim.
func TestPublishFailsUndecidableFilterAtFanOut(t *testing.T) {
	st, _ := setupFiltered(t, `data.score.raw >= 50`)
	ctx := context.Background()
	var handed []domain.Job
	woken := 0
	s := New(Config{Store: st, Clock: clock.NewFake(now), Owner: "node-1", LeaseFor: time.Minute,
		Handoff: func(j []domain.Job) { handed = append(handed, j...) }, Wake: func() { woken++ }})
	res, err := s.Publish(ctx, "acme", []Input{
		{Type: "user.created", Data: json.RawMessage(`{"score":{"raw":80}}`)},
		{Type: "user.created", Data: json.RawMessage(`{"score":{"raw":20}}`)},
		{Type: "user.created", Data: json.RawMessage(`{}`)},
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(res[0].Deliveries) != 1 || len(res[1].Deliveries) != 0 || len(res[2].Deliveries) != 1 {
		t.Fatalf("deliveries per event = %d %d %d, want 1 0 1", len(res[0].Deliveries), len(res[1].Deliveries), len(res[2].Deliveries))
	}
	if len(handed) != 1 || handed[0].Event.ID != res[0].Event.ID || woken != 0 {
		t.Fatalf("handed over %d jobs, woken %d; want only the passing event's, no wake", len(handed), woken)
	}
	failed := res[2].Deliveries[0]
	d, err := st.GetDelivery(ctx, "acme", failed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.State != domain.Failed || d.Attempts != 1 || !d.NextAttemptAt.IsZero() || !strings.HasPrefix(d.LastError, "filter error: ") {
		t.Fatalf("stored delivery = %+v, want failed with the filter error", d)
	}
	atts, err := st.ListAttempts(ctx, "acme", failed.ID)
	if err != nil || len(atts) != 1 {
		t.Fatalf("%d attempts (%v), want 1", len(atts), err)
	}
	if a := atts[0]; a.Success || a.StatusCode != 0 || a.ResponseBody != nil || !strings.HasPrefix(a.Error, "filter error: ") || !strings.Contains(a.Error, "score") {
		t.Fatalf("attempt = %+v, want a failed attempt with the filter error and no response", a)
	}
	jobs, err := st.ClaimDue(ctx, store.ClaimParams{Owner: "node-2", Now: now.Add(2 * time.Minute), LeaseUntil: now.Add(3 * time.Minute), Limit: 10})
	if err != nil || len(jobs) != 1 || jobs[0].Delivery.ID != res[0].Deliveries[0].ID {
		t.Fatalf("claimable after the lease = %d jobs (%v), want only the passing event's", len(jobs), err)
	}
}

// Later events of a batch with an earlier one's idempotency key replay it:
// same event, same deliveries, nothing stored or handed over twice.
func TestPublishCollapsesRepeatedKeysInABatch(t *testing.T) {
	st, _ := setup(t)
	ctx := context.Background()
	handed := 0
	s := New(Config{Store: st, Clock: clock.NewFake(now), Owner: "node-1", LeaseFor: time.Minute,
		Handoff: func(j []domain.Job) { handed += len(j) }})
	res, err := s.Publish(ctx, "acme", []Input{
		{Type: "user.created", Data: json.RawMessage(`{}`), IdempotencyKey: "k1"},
		{Type: "user.updated", Data: json.RawMessage(`{"x":1}`), IdempotencyKey: "k1"},
		{Type: "user.updated", Data: json.RawMessage(`{}`)},
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Replayed || !res[1].Replayed || res[2].Replayed {
		t.Fatalf("replayed = %v %v %v, want false true false", res[0].Replayed, res[1].Replayed, res[2].Replayed)
	}
	if res[1].Event.ID != res[0].Event.ID || res[1].Event.Type != "user.created" ||
		len(res[1].Deliveries) != 1 || res[1].Deliveries[0].ID != res[0].Deliveries[0].ID {
		t.Fatalf("replay = %+v, want the first event and its delivery", res[1])
	}
	if handed != 2 {
		t.Fatalf("handed over %d jobs, want 2", handed)
	}
	list, _, err := st.ListDeliveries(ctx, store.DeliveryFilter{TenantID: "acme"})
	if err != nil || len(list) != 2 {
		t.Fatalf("%d deliveries stored (%v), want 2", len(list), err)
	}
}

// The dispatcher is asked about room once per webhook per publish, however
// many of the batch's events the webhook gets.
func TestPublishAsksForRoomOncePerWebhook(t *testing.T) {
	st, webhookID := setup(t)
	asked := 0
	s := New(Config{Store: st, Clock: clock.NewFake(now), Owner: "node-1", LeaseFor: time.Minute,
		Handoff:      func([]domain.Job) {},
		AcceptingFor: func(id string, _ int, _ int64) bool { asked++; return id == webhookID }})
	in := []Input{{Type: "user.created", Data: json.RawMessage(`{}`)}, {Type: "user.updated", Data: json.RawMessage(`{}`)}, {Type: "user.deleted", Data: json.RawMessage(`{}`)}}
	if _, err := s.Publish(context.Background(), "acme", in, true); err != nil {
		t.Fatal(err)
	}
	if asked != 1 {
		t.Fatalf("AcceptingFor asked %d times, want once", asked)
	}
}
