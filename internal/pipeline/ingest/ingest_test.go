package ingest

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/store/sqlite"
)

var now = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func setup(t *testing.T) (store.Store, string) {
	t.Helper()
	return setupFiltered(t, "")
}

// setupFiltered is setup with the webhook's payload filter.
func setupFiltered(t *testing.T, filter string) (store.Store, string) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "ingest.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tn := &domain.Tenant{ID: "acme", Name: "Acme", Environment: domain.Production, CreatedAt: now, UpdatedAt: now}
	if err := st.CreateTenant(ctx, tn); err != nil {
		t.Fatal(err)
	}
	w := &domain.Webhook{ID: "wh_h", TenantID: "acme", Name: "h", URL: "https://example.com", EventTypes: []string{"user.*"}, Enabled: true, Secret: "whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdHRlc3Q=", Filter: filter}
	w.Normalize()
	w.CreatedAt, w.UpdatedAt = now, now
	if err := st.CreateWebhook(ctx, w); err != nil {
		t.Fatal(err)
	}
	return st, w.ID
}

func TestPublishHandsOverLeasedJobs(t *testing.T) {
	st, webhookID := setup(t)
	var got []domain.Job
	s := New(Config{Store: st, Clock: clock.NewFake(now), Owner: "node-1", LeaseFor: time.Minute,
		Handoff: func(j []domain.Job) { got = append(got, j...) }})
	res, err := s.Publish(context.Background(), "acme", []Input{
		{Type: "user.created", Data: json.RawMessage(`{ "user": {"id": "u_1"} }`)},
		{Type: "course.created", Data: json.RawMessage(`{"course":{"id":"c_1"}}`)},
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || len(res[0].Deliveries) != 1 || len(res[1].Deliveries) != 0 {
		t.Fatalf("results = %+v, want one delivery for user.created and none for course.created", res)
	}
	if string(res[0].Event.Data) != `{"user":{"id":"u_1"}}` {
		t.Fatalf("data not compacted: %s", res[0].Event.Data)
	}
	if len(got) != 1 || got[0].Delivery.WebhookID != webhookID || got[0].Event.ID != res[0].Event.ID {
		t.Fatalf("handed over %+v", got)
	}
	// The handed-over delivery is leased to this node: nobody else can claim it.
	jobs, err := st.ClaimDue(context.Background(), store.ClaimParams{Owner: "node-2", Now: now, LeaseUntil: now.Add(time.Minute), Limit: 10})
	if err != nil || len(jobs) != 0 {
		t.Fatalf("another node claimed %d handed-over jobs (err %v)", len(jobs), err)
	}

	// A replay is not handed over again.
	got = nil
	in := []Input{{Type: "user.deleted", Data: json.RawMessage(`{}`), IdempotencyKey: "k1"}}
	if _, err := s.Publish(context.Background(), "acme", in, false); err != nil {
		t.Fatal(err)
	}
	again, err := s.Publish(context.Background(), "acme", in, false)
	if err != nil || !again[0].Replayed || len(got) != 1 {
		t.Fatalf("replay = %+v (err %v), handed over %d jobs, want 1", again, err, len(got))
	}
}

func TestPublishWithoutRoomStoresUnleasedWork(t *testing.T) {
	st, _ := setup(t)
	handed, woken := 0, 0
	s := New(Config{Store: st, Clock: clock.NewFake(now), Owner: "node-1", LeaseFor: time.Minute,
		Handoff:      func(j []domain.Job) { handed += len(j) },
		AcceptingFor: func(string, int, int64) bool { return false },
		Wake:         func() { woken++ }})
	if _, err := s.Publish(context.Background(), "acme", []Input{{Type: "user.created", Data: json.RawMessage(`{}`)}}, false); err != nil {
		t.Fatal(err)
	}
	if handed != 0 || woken != 1 {
		t.Fatalf("handed %d, woken %d; want 0 and 1", handed, woken)
	}
	jobs, err := st.ClaimDue(context.Background(), store.ClaimParams{Owner: "node-2", Now: now, LeaseUntil: now.Add(time.Minute), Limit: 10})
	if err != nil || len(jobs) != 1 {
		t.Fatalf("claimable jobs = %d (err %v), want 1", len(jobs), err)
	}
}

// A webhook the dispatcher has no room for gets its fresh deliveries
// stored unleased (for any node to claim); the others are handed over.
func TestPublishLeasesOnlyWebhooksWithRoom(t *testing.T) {
	st, full := setup(t)
	w := &domain.Webhook{ID: "wh_other", TenantID: "acme", Name: "other", URL: "https://example.org", EventTypes: []string{"user.*"}, Enabled: true, Secret: "whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdHRlc3Q="}
	w.Normalize()
	w.CreatedAt, w.UpdatedAt = now, now
	if err := st.CreateWebhook(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	var handed []domain.Job
	woken := 0
	s := New(Config{Store: st, Clock: clock.NewFake(now), Owner: "node-1", LeaseFor: time.Minute,
		Handoff:      func(j []domain.Job) { handed = append(handed, j...) },
		AcceptingFor: func(webhookID string, _ int, _ int64) bool { return webhookID != full },
		Wake:         func() { woken++ }})
	if _, err := s.Publish(context.Background(), "acme", []Input{
		{Type: "user.created", Data: json.RawMessage(`{}`)},
		{Type: "user.updated", Data: json.RawMessage(`{}`)},
	}, true); err != nil {
		t.Fatal(err)
	}
	if len(handed) != 2 || handed[0].Delivery.WebhookID != w.ID || handed[1].Delivery.WebhookID != w.ID {
		t.Fatalf("handed over %d jobs, want the 2 of the webhook with room", len(handed))
	}
	if !handed[0].LeaseUntil.Equal(now.Add(time.Minute)) {
		t.Fatalf("handed-over job's lease until %v, want %v", handed[0].LeaseUntil, now.Add(time.Minute))
	}
	if woken != 1 {
		t.Fatalf("woken %d times, want 1 for the unleased work", woken)
	}
	jobs, err := st.ClaimDue(context.Background(), store.ClaimParams{Owner: "node-2", Now: now, LeaseUntil: now.Add(time.Minute), Limit: 10})
	if err != nil || len(jobs) != 2 || jobs[0].Delivery.WebhookID != full || jobs[1].Delivery.WebhookID != full {
		t.Fatalf("another node claimed %d jobs (err %v), want the full webhook's 2", len(jobs), err)
	}
}

func TestPublishRejectsBadInputNamingTheField(t *testing.T) {
	st, _ := setup(t)
	s := New(Config{Store: st, Clock: clock.NewFake(now)})
	tests := []struct {
		in    []Input
		batch bool
		field string
	}{
		{[]Input{{Type: "UserCreated", Data: json.RawMessage(`{}`)}}, false, "type"},
		{[]Input{{Type: "user.created"}}, false, "data"},
		{[]Input{{Type: "user.created", Data: json.RawMessage(`[1]`)}}, false, "data"},
		{[]Input{{Type: "user.created", Data: json.RawMessage(`{}`)}, {Type: "user.created", Data: json.RawMessage(`"x"`)}}, true, "events[1].data"},
		{nil, true, "events"},
	}
	for _, tt := range tests {
		_, err := s.Publish(context.Background(), "acme", tt.in, tt.batch)
		if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != tt.field {
			t.Errorf("Publish(%+v) = %v, want EINVALID on %s", tt.in, err, tt.field)
		}
	}
	// Nothing was written by the failed batch.
	list, _, err := st.ListDeliveries(context.Background(), store.DeliveryFilter{TenantID: "acme"})
	if err != nil || len(list) != 0 {
		t.Fatalf("deliveries after failed publishes = %d (err %v)", len(list), err)
	}
	if _, err := s.Publish(context.Background(), "ghost", []Input{{Type: "user.created", Data: json.RawMessage(`{}`)}}, false); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("unknown tenant = %v, want ENOTFOUND", err)
	}
}

// Only lmshooks publishes its operational events: an LMS that could would
// forge them.
func TestPublishRefusesOperationalTypes(t *testing.T) {
	st, _ := setup(t)
	s := New(Config{Store: st, Clock: clock.NewFake(now)})
	ctx := context.Background()
	data := json.RawMessage(`{"id":"wh_x","webhook":{"id":"wh_x"}}`)
	_, err := s.Publish(ctx, "acme", []Input{{Type: domain.EventWebhookDisabled, Data: data}}, true)
	if e, ok := err.(*domain.Error); !ok || e.Field != "events[0].type" {
		t.Fatalf("Publish(webhook.disabled) = %v, want an error on events[0].type", err)
	}
	if _, err := s.PublishOperational(ctx, "acme", Input{Type: domain.EventWebhookDisabled, Data: data}); err != nil {
		t.Fatalf("PublishOperational: %v", err)
	}
	if _, err := s.PublishOperational(ctx, "acme", Input{Type: "user.created", Data: data}); err == nil {
		t.Fatal("PublishOperational took an LMS event")
	}
}
