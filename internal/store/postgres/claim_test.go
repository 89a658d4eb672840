package postgres

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/store"
)

// Four nodes claiming the same backlog at once, each through its own pool,
// never get the same delivery: SKIP LOCKED plus the lease re-check.
func TestClaimDueConcurrentNeverDoubleClaims(t *testing.T) {
	dsn := testDSN(t)
	schema := newSchemaName(t, dsn)
	first := openTest(t, Options{Schema: schema, MaxConns: 2})
	tn := seed(t, first, 2)
	ctx := context.Background()
	const events = 150 // × 2 webhooks = 300 deliveries
	res, err := publish(ctx, first, tn.ID, newEvents(tn.ID, events))
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	want := map[string]bool{}
	for _, r := range res {
		for _, d := range r.Deliveries {
			want[d.ID] = true
		}
	}

	nodes := []*Store{first}
	for range 3 {
		nodes = append(nodes, openTest(t, Options{Schema: schema, MaxConns: 2}))
	}
	var (
		mu      sync.Mutex
		claimed = map[string]string{} // delivery → owner
		dups    []string
		wg      sync.WaitGroup
		errs    = make(chan error, len(nodes))
	)
	for i, s := range nodes {
		owner := fmt.Sprintf("node-%d", i)
		wg.Go(func() {
			for {
				jobs, err := s.ClaimDue(ctx, store.ClaimParams{
					Owner: owner, Now: testNow, LeaseUntil: testNow.Add(time.Hour), Limit: 7,
				})
				if err != nil {
					errs <- err
					return
				}
				if len(jobs) == 0 {
					return
				}
				mu.Lock()
				for _, j := range jobs {
					if prev, ok := claimed[j.Delivery.ID]; ok {
						dups = append(dups, fmt.Sprintf("%s by %s and %s", j.Delivery.ID, prev, owner))
					}
					claimed[j.Delivery.ID] = owner
					if j.Event.ID != j.Delivery.EventID || len(j.Event.Data) == 0 {
						dups = append(dups, fmt.Sprintf("%s came with event %q", j.Delivery.ID, j.Event.ID))
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("ClaimDue: %v", err)
	}
	if len(dups) > 0 {
		t.Fatalf("double claims: %v", dups)
	}
	if len(claimed) != len(want) {
		t.Fatalf("claimed %d deliveries, want %d", len(claimed), len(want))
	}
	for id := range want {
		if _, ok := claimed[id]; !ok {
			t.Fatalf("delivery %s was never claimed", id)
		}
	}
}
