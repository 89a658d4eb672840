package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/store/storetest"
)

// BenchmarkAudit lists and counts one page of a tenant's audit among
// 100,000 deliveries, with each filter the API offers.
func BenchmarkAudit(b *testing.B) {
	s := openTest(b, filepath.Join(b.TempDir(), "audit.db"))
	defer s.Close()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	tn := seed(b, s, now)
	w2 := &domain.Webhook{ID: testIDs.New(id.Webhook), TenantID: tn, Name: "w2", URL: "https://y.example", EventTypes: []string{"course.*"},
		Enabled: true, Format: "standard", Secret: "whsec_y", Timeout: time.Second, RetryPolicy: "standard",
		SuccessRule: domain.DefaultSuccessRule, CreatedAt: now, UpdatedAt: now}
	if err := s.CreateWebhook(ctx, w2); err != nil {
		b.Fatal(err)
	}
	var mid string
	for i := range 100 {
		evs := make([]domain.Event, 1000)
		for j := range evs {
			evs[j] = testEvent(tn, now, "")
			if j%10 == 0 {
				evs[j].Type = "course.completed"
			}
		}
		res, err := storetest.Seed{TenantID: tn, Now: now.Add(time.Duration(i) * time.Minute),
			Match: func(w *domain.Webhook, e *domain.Event) bool { return w.Subscribes(e.Type) }, Events: evs}.Publish(ctx, s)
		if err != nil {
			b.Fatal(err)
		}
		var recs []store.AttemptRecord
		for j, r := range res {
			if j%3 == 0 {
				d := r.Deliveries[0]
				recs = append(recs, benchRecord(&d, now))
			}
		}
		if err := s.RecordAttempts(ctx, recs); err != nil {
			b.Fatal(err)
		}
		if i == 50 {
			mid = res[500].Event.ID
		}
	}
	filters := map[string]store.DeliveryFilter{
		"all":        {},
		"state":      {State: domain.Failed},
		"webhook":    {WebhookID: w2.ID},
		"event_type": {EventType: "course.completed"},
		"event_id":   {EventID: mid},
		"until":      {Until: now.Add(10 * time.Minute)},
		"since":      {Since: now.Add(90 * time.Minute)},
	}
	for name, f := range filters {
		f.TenantID = tn
		b.Run("list/"+name, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := s.ListDeliveries(ctx, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	for _, name := range []string{"all", "webhook"} {
		f := filters[name]
		f.TenantID = tn
		b.Run("count/"+name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.CountDeliveries(ctx, f, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
