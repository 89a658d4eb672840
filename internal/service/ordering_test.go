package service

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

// A delivery that finally failed blocks its key (under block); BlockedKeys
// lists it, Skip lets the key go on, says work is due and logs it. What
// does not hold its key cannot be skipped, and nothing is said then.
func TestDeliveriesSkipAndBlockedKeys(t *testing.T) {
	onEveryStore(t, func(t *testing.T, e *deliveriesEnv) {
		var logs bytes.Buffer
		e.deps.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		s := NewDeliveries(e.deps, nil)
		now := e.clock.Now()
		ordered := &domain.Webhook{
			ID: e.ids.New(id.Webhook), TenantID: "acme", Name: "ordered", URL: "https://rx.example.com/ordered",
			EventTypes: []string{"*"}, Enabled: true, Format: domain.DefaultFormat, Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
			RetryPolicy: "standard", Ordering: domain.OrderingWebhook, OrderingFailure: domain.FailureBlock, CreatedAt: now, UpdatedAt: now,
		}
		if err := e.st.CreateWebhook(e.ctx, ordered); err != nil {
			t.Fatal(err)
		}
		plain := e.webhook("plain")
		var mine, others []domain.Delivery
		for _, d := range e.publish(2) {
			if d.WebhookID == ordered.ID {
				mine = append(mine, d)
			} else {
				others = append(others, d)
			}
		}
		if len(mine) != 2 || len(others) != 2 {
			t.Fatalf("%d ordered and %d plain deliveries, want 2 and 2", len(mine), len(others))
		}

		// The ordered webhook's first delivery fails for good.
		lease := now.Add(time.Minute)
		jobs, err := e.st.ClaimDue(e.ctx, store.ClaimParams{Owner: "n1", Now: now, LeaseUntil: lease, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var recs []store.AttemptRecord
		for _, j := range jobs {
			d := j.Delivery
			if d.WebhookID != ordered.ID {
				continue
			}
			if d.ID != mine[0].ID {
				t.Fatalf("claimed %s of the ordered webhook, want only its first, %s", d.ID, mine[0].ID)
			}
			recs = append(recs, store.AttemptRecord{
				Attempt: domain.Attempt{ID: e.ids.New(id.Attempt), DeliveryID: d.ID, TenantID: d.TenantID, WebhookID: d.WebhookID,
					EventID: d.EventID, Number: 1, Trigger: domain.TriggerScheduled, StartedAt: now, RequestURL: ordered.URL, StatusCode: 500},
				State: domain.Failed, HoldsKey: ordered.HoldsKeyAfter(domain.Failed), LeaseUntil: lease,
			})
		}
		if len(recs) != 1 {
			t.Fatalf("claimed %d deliveries of the ordered webhook, want 1", len(recs))
		}
		if err := e.st.RecordAttempts(e.ctx, recs); err != nil {
			t.Fatal(err)
		}

		keys, err := s.BlockedKeys(e.ctx, "acme", "")
		if err != nil || len(keys) != 1 || keys[0].Head.ID != mine[0].ID || keys[0].Waiting != 1 || keys[0].WebhookID != ordered.ID {
			t.Fatalf("blocked keys %+v, %v; want %s with 1 waiting", keys, err, mine[0].ID)
		}
		if keys, err = s.BlockedKeys(e.ctx, "acme", plain.ID); err != nil || len(keys) != 0 {
			t.Errorf("blocked keys of the plain webhook: %+v, %v", keys, err)
		}
		_, err = s.BlockedKeys(e.ctx, "nope", "")
		wantError(t, err, domain.ENOTFOUND, "")

		_, err = s.Skip(e.ctx, "acme", others[0].ID)
		wantError(t, err, domain.ECONFLICT, "")
		_, err = s.Skip(e.ctx, "acme", "dlv_nope")
		wantError(t, err, domain.ENOTFOUND, "")
		_, err = s.Skip(e.ctx, "other", mine[0].ID)
		wantError(t, err, domain.ENOTFOUND, "")
		if n := e.notice.due.Load(); n != 0 {
			t.Fatalf("WorkDue said %d times after refusals, want 0", n)
		}

		e.clock.Advance(time.Minute)
		got, err := s.Skip(e.ctx, "acme", mine[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.HoldsKey || !got.SkippedAt.Equal(e.clock.Now()) || got.State != domain.Failed {
			t.Errorf("skipped %+v: want failed, not holding, skipped now", got)
		}
		if n := e.notice.due.Load(); n != 1 {
			t.Errorf("WorkDue said %d times, want 1", n)
		}
		if !strings.Contains(logs.String(), "delivery skipped") || !strings.Contains(logs.String(), mine[0].ID) {
			t.Errorf("the skip is not logged with its delivery:\n%s", logs.String())
		}
		if keys, err = s.BlockedKeys(e.ctx, "acme", ""); err != nil || len(keys) != 0 {
			t.Errorf("blocked keys after the skip: %+v, %v", keys, err)
		}
		_, err = s.Skip(e.ctx, "acme", mine[0].ID)
		wantError(t, err, domain.ECONFLICT, "")
	})
}
