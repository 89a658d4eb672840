package postgres

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

// A day past the longest retention that still holds a scheduled delivery
// keeps its partitions; its finished rows go one by one, and the day is
// dropped at the first run after the delivery finishes.
func TestApplyRetentionKeepsDayWithScheduledDelivery(t *testing.T) {
	s := openTest(t, Options{})
	tn := seed(t, s, 1)
	ctx := context.Background()
	if _, err := publish(ctx, s, tn.ID, newEvents(tn.ID, 2)); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	jobs, err := s.ClaimDue(ctx, store.ClaimParams{Owner: "n", Now: testNow, LeaseUntil: testNow.Add(time.Hour), Limit: 10})
	if err != nil || len(jobs) != 2 {
		t.Fatalf("ClaimDue = %d jobs, %v; want 2", len(jobs), err)
	}
	record := func(j domain.Job, state domain.DeliveryState) {
		t.Helper()
		a := domain.Attempt{
			ID: testIDs.New(id.Attempt), DeliveryID: j.Delivery.ID, TenantID: tn.ID, WebhookID: j.Delivery.WebhookID,
			EventID: j.Event.ID, Number: j.Delivery.Attempts + 1, Trigger: domain.TriggerScheduled, StartedAt: time.Now(),
			Duration: time.Millisecond, RequestURL: "https://example.com/hook", StatusCode: 503,
		}
		rec := store.AttemptRecord{State: state, Attempt: a}
		if state == domain.Scheduled {
			rec.NextAttemptAt = testNow.Add(time.Hour)
		} else {
			rec.Attempt.StatusCode, rec.Attempt.Success = 200, true
		}
		if err := s.RecordAttempts(ctx, []store.AttemptRecord{rec}); err != nil {
			t.Fatalf("RecordAttempts: %v", err)
		}
	}
	finished, pending := jobs[0], jobs[1]
	record(finished, domain.Succeeded)
	record(pending, domain.Scheduled)

	today := partitionName("deliveries", day(time.Now()))
	later := time.Now().AddDate(0, 0, 40) // today is 40 days old
	_, deleted, err := s.ApplyRetention(ctx, later, 30)
	if err != nil {
		t.Fatalf("ApplyRetention: %v", err)
	}
	if names, _ := s.partitions(ctx, "deliveries"); !slices.Contains(names, today) {
		t.Fatalf("today's deliveries partition was dropped with a scheduled delivery in it: %v", names)
	}
	// The finished delivery's event, delivery and attempt.
	if deleted < 3 {
		t.Fatalf("deleted %d rows, want at least the finished delivery's 3", deleted)
	}
	_, err = s.GetDelivery(ctx, tn.ID, finished.Delivery.ID)
	wantCodeErr(t, err, domain.ENOTFOUND)
	_, err = s.GetEvent(ctx, tn.ID, finished.Event.ID)
	wantCodeErr(t, err, domain.ENOTFOUND)
	if d, err := s.GetDelivery(ctx, tn.ID, pending.Delivery.ID); err != nil || d.State != domain.Scheduled {
		t.Fatalf("scheduled delivery after retention: %v, %v", d, err)
	}
	if _, err := s.GetEvent(ctx, tn.ID, pending.Event.ID); err != nil {
		t.Fatalf("the scheduled delivery's event: %v", err)
	}
	if as, err := s.ListAttempts(ctx, tn.ID, pending.Delivery.ID); err != nil || len(as) != 1 {
		t.Fatalf("the scheduled delivery's attempts = %d, %v; want 1", len(as), err)
	}

	pending.Delivery.Attempts = 1
	record(pending, domain.Succeeded)
	dropped, _, err := s.ApplyRetention(ctx, later, 30)
	if err != nil {
		t.Fatalf("ApplyRetention: %v", err)
	}
	if names, _ := s.partitions(ctx, "deliveries"); slices.Contains(names, today) || dropped < 3 {
		t.Fatalf("dropped %d partitions, today's survives: %v", dropped, names)
	}
	_, err = s.GetDelivery(ctx, tn.ID, pending.Delivery.ID)
	wantCodeErr(t, err, domain.ENOTFOUND)
}
