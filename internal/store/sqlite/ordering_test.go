package sqlite

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

// Positions keep growing across a restart: a delivery published after it
// comes after every one published before, so a resent older delivery
// still goes first.
func TestOrderingPositionsSurviveARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lmshooks.db")
	ctx := context.Background()
	ids := id.NewGenerator(nil)
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	s := openTest(t, path)
	tn := &domain.Tenant{ID: ids.New(id.Tenant), Name: "Acme", Environment: domain.Production, CreatedAt: now, UpdatedAt: now}
	if err := s.CreateTenant(ctx, tn); err != nil {
		t.Fatal(err)
	}
	w := &domain.Webhook{
		ID: ids.New(id.Webhook), TenantID: tn.ID, Name: "hook", URL: "https://example.com/hook", EventTypes: []string{"*"},
		Enabled: true, Format: domain.DefaultFormat, Secret: "whsec_x", Timeout: domain.DefaultTimeout,
		RetryPolicy: domain.DefaultRetryPolicy, SuccessRule: domain.DefaultSuccessRule,
		Ordering: domain.OrderingKey, OrderingFailure: domain.FailureBlock,
	}
	if err := s.CreateWebhook(ctx, w); err != nil {
		t.Fatal(err)
	}
	publishOne := func(s *Store) domain.Delivery {
		t.Helper()
		e := domain.Event{ID: ids.New(id.Event), TenantID: tn.ID, Type: "user.created", OccurredAt: now, ReceivedAt: now,
			Data: json.RawMessage(`{}`), OrderingKey: "k"}
		d := domain.Delivery{ID: ids.New(id.Delivery), TenantID: tn.ID, EventID: e.ID, WebhookID: w.ID, EventType: e.Type,
			State: domain.Scheduled, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now, Ordered: true, OrderingKey: "k", HoldsKey: true}
		res, err := s.Publish(ctx, store.PublishParams{TenantID: tn.ID, Events: []store.PublishEvent{{Event: e, Deliveries: []store.NewDelivery{{Delivery: d}}}}})
		if err != nil {
			t.Fatal(err)
		}
		return res[0].Deliveries[0]
	}
	first := publishOne(s)
	until := now.Add(time.Minute)
	jobs, err := s.ClaimDue(ctx, store.ClaimParams{Owner: "n", Now: now, LeaseUntil: until, Limit: 10})
	if err != nil || len(jobs) != 1 {
		t.Fatalf("ClaimDue = %d jobs, %v", len(jobs), err)
	}
	if err := s.RecordAttempts(ctx, []store.AttemptRecord{{
		Attempt: domain.Attempt{ID: ids.New(id.Attempt), DeliveryID: first.ID, Number: 1, StartedAt: now, StatusCode: 200, Success: true, Trigger: domain.TriggerScheduled},
		State:   domain.Succeeded, LeaseUntil: until,
	}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openTest(t, path)
	defer s.Close()
	second := publishOne(s)
	if _, err := s.Resend(ctx, tn.ID, first.ID, now); err != nil {
		t.Fatal(err)
	}
	jobs, err = s.ClaimDue(ctx, store.ClaimParams{Owner: "n", Now: now, LeaseUntil: until, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].Delivery.ID != first.ID {
		var got []string
		for _, j := range jobs {
			got = append(got, j.Delivery.ID)
		}
		t.Fatalf("claimed %v, want only the resent first delivery %s (before %s)", got, first.ID, second.ID)
	}
}
