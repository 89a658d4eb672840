package postgres

import (
	"context"
	"sync"
	"testing"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// Concurrent publishes of one idempotency key, each in its own
// transaction: exactly one stores the event, the others wait for it and
// replay it with its deliveries.
func TestPublishConcurrentIdempotencyKey(t *testing.T) {
	s := openTest(t, Options{MaxConns: 8})
	tn := seed(t, s, 2)
	ctx := context.Background()
	const n = 8
	results := make([]store.PublishResult, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			ev := newEvents(tn.ID, 1)
			ev[0].IdempotencyKey = "enrollment-42"
			<-start
			res, err := publish(ctx, s, tn.ID, ev)
			errs[i] = err
			if err == nil {
				results[i] = res[0]
			}
		})
	}
	close(start)
	wg.Wait()

	fresh := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("Publish %d: %v", i, errs[i])
		}
		if !results[i].Replayed {
			fresh++
		}
		if results[i].Event.ID != results[0].Event.ID {
			t.Fatalf("publish %d answered event %s, publish 0 %s", i, results[i].Event.ID, results[0].Event.ID)
		}
		if len(results[i].Deliveries) != 2 {
			t.Fatalf("publish %d answered %d deliveries, want the original 2", i, len(results[i].Deliveries))
		}
	}
	if fresh != 1 {
		t.Fatalf("%d publishes stored the event, want exactly 1", fresh)
	}
	ds, _, err := s.ListDeliveries(ctx, store.DeliveryFilter{TenantID: tn.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 {
		t.Fatalf("stored %d deliveries, want 2", len(ds))
	}
}

// A publish to a tenant that does not exist writes nothing.
func TestPublishUnknownTenant(t *testing.T) {
	s := openTest(t, Options{})
	_, err := publish(context.Background(), s, "nobody", newEvents("nobody", 2))
	if code := domain.ErrorCode(err); code != domain.ENOTFOUND {
		t.Fatalf("Publish to an unknown tenant: %v, want %s", err, domain.ENOTFOUND)
	}
}
