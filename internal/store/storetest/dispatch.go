package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

var dispatchTests = []test{
	{"ClaimReturnsJobsWithEvents", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		f.webhook(tn.ID)
		e := f.event(tn.ID, "user.created", "k")
		d := f.publish(tn.ID, base, e)[0].Deliveries[0]
		if jobs := f.claim("n1", base.Add(-time.Second), base.Add(time.Minute), 10); len(jobs) != 0 {
			t.Fatalf("claimed %d deliveries before they were due", len(jobs))
		}
		jobs := f.claim("n1", base, base.Add(time.Minute), 10)
		if len(jobs) != 1 {
			t.Fatalf("claimed %d, want 1", len(jobs))
		}
		same(t, "job delivery", jobs[0].Delivery, d, normDelivery)
		same(t, "job event", jobs[0].Event, e, normEvent)
	}},
	{"DueOrderAndLimit", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		f.webhook(tn.ID)
		// Published at base+2m, base+1m, base: due in the reverse order.
		late := f.deliveries(tn.ID, base.Add(2*time.Minute), 1)[0]
		mid := f.deliveries(tn.ID, base.Add(time.Minute), 1)[0]
		early := f.deliveries(tn.ID, base, 1)[0]
		now := base.Add(time.Hour)
		j1 := f.claim("n1", now, now.Add(time.Minute), 1)
		j2 := f.claim("n1", now, now.Add(time.Minute), 1)
		j3 := f.claim("n1", now, now.Add(time.Minute), 5)
		if len(j1) != 1 || len(j2) != 1 || len(j3) != 1 {
			t.Fatalf("claims returned %d, %d, %d jobs; want 1, 1, 1", len(j1), len(j2), len(j3))
		}
		got := []string{j1[0].Delivery.ID, j2[0].Delivery.ID, j3[0].Delivery.ID}
		if want := []string{early.ID, mid.ID, late.ID}; !equalStrings(got, want) {
			t.Fatalf("claim order %v, want oldest due first %v", got, want)
		}
		if j := f.claim("n2", now, now.Add(time.Minute), 5); len(j) != 0 {
			t.Fatalf("claimed %d leased deliveries", len(j))
		}
	}},
	{"ConcurrentClaimsAreExclusive", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		f.webhook(tn.ID)
		const n = 120
		var want []string
		for range 4 {
			want = append(want, ids(f.deliveries(tn.ID, base, n/4))...)
		}
		var (
			mu     sync.Mutex
			owners = map[string]string{}
			wg     sync.WaitGroup
			errs   = make(chan error, 8)
		)
		for g := range 4 {
			owner := fmt.Sprintf("node-%d", g)
			wg.Go(func() {
				for {
					jobs, err := f.s.ClaimDue(f.ctx, store.ClaimParams{Owner: owner, Now: base, LeaseUntil: base.Add(time.Minute), Limit: 7})
					if err != nil {
						errs <- err
						return
					}
					if len(jobs) == 0 {
						return
					}
					mu.Lock()
					for _, j := range jobs {
						if prev, ok := owners[j.Delivery.ID]; ok {
							errs <- fmt.Errorf("delivery %s claimed by %s and %s", j.Delivery.ID, prev, owner)
						}
						owners[j.Delivery.ID] = owner
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if len(owners) != len(want) {
			t.Fatalf("claimed %d distinct deliveries, want %d", len(owners), len(want))
		}
		for _, id := range want {
			if _, ok := owners[id]; !ok {
				t.Fatalf("delivery %s never claimed", id)
			}
		}
	}},
	{"ExcludeWebhooksLeavesTheirWork", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		busy := f.webhook(tn.ID)
		calm := f.webhook(tn.ID)
		f.deliveries(tn.ID, base, 3)
		jobs, err := f.s.ClaimDue(f.ctx, store.ClaimParams{Owner: "n1", Now: base, LeaseUntil: base.Add(time.Minute), Limit: 100, ExcludeWebhooks: []string{busy.ID}})
		if err != nil {
			t.Fatalf("ClaimDue: %v", err)
		}
		if len(jobs) != 3 {
			t.Fatalf("claimed %d, want the 3 deliveries of the webhook not excluded", len(jobs))
		}
		for _, j := range jobs {
			if j.Delivery.WebhookID != calm.ID {
				t.Fatalf("claimed a delivery of the excluded webhook")
			}
		}
		if rest := f.claim("n1", base, base.Add(time.Minute), 100); len(rest) != 3 {
			t.Fatalf("without exclusion claimed %d, want the excluded webhook's 3", len(rest))
		}
	}},
	{"LeaseExpiryMakesWorkClaimable", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		f.webhook(tn.ID)
		ds := f.deliveries(tn.ID, base, 3)
		until := base.Add(time.Minute)
		if j := f.claim("dead-node", base, until, 10); len(j) != 3 {
			t.Fatalf("claimed %d, want 3", len(j))
		}
		if j := f.claim("n2", until.Add(-time.Microsecond), until.Add(time.Minute), 10); len(j) != 0 {
			t.Fatalf("claimed %d before the lease expired", len(j))
		}
		j := f.claim("n2", until, until.Add(time.Minute), 10)
		if got, want := jobIDs(j), sortedAsc(ids(ds)); !equalStrings(got, want) {
			t.Fatalf("after expiry claimed %v, want %v", got, want)
		}
	}},
	{"RenewLeases", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		f.webhook(tn.ID)
		f.deliveries(tn.ID, base, 2)
		until := base.Add(time.Minute)
		mine := jobIDs(f.claim("n1", base, until, 1))
		theirs := jobIDs(f.claim("n2", base, until, 1))
		// n2's delivery is named too: only the owner's leases are renewed.
		got := f.renew("n1", base, base.Add(time.Hour), lease(mine[0], until), lease(theirs[0], until))
		if want := []store.Lease{lease(mine[0], until)}; !equalLeases(got, want) {
			t.Fatalf("RenewLeases renewed %v, want %v", got, want)
		}
		j := f.claim("n3", base.Add(2*time.Minute), base.Add(3*time.Hour), 10)
		if len(j) != 1 {
			t.Fatalf("claimed %d after n2's lease expired, want only n2's 1 (n1 renewed)", len(j))
		}
		if j := f.claim("n4", base.Add(time.Hour-time.Microsecond), base.Add(2*time.Hour), 10); len(j) != 0 {
			t.Fatalf("claimed %d before the renewed lease expired", len(j))
		}
		if j := f.claim("n4", base.Add(time.Hour), base.Add(2*time.Hour), 10); len(j) != 1 {
			t.Fatalf("claimed %d after the renewed lease expired, want 1", len(j))
		}
	}},
	{"RenewLeasesFencing", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		f.webhook(tn.ID)
		f.deliveries(tn.ID, base, 4)
		t1, t2 := base.Add(time.Minute), base.Add(2*time.Minute)
		expiring := jobIDs(f.claim("n1", base, t1, 1))[0]
		kept := jobIDs(f.claim("n1", base, t2, 1))[0]
		unnamed := jobIDs(f.claim("n1", base, t2, 1))[0]
		reclaimed := jobIDs(f.claim("n1", base, t1, 1))[0]
		// The last lease ran out and the same owner claimed the delivery
		// again: the old lease is stale, though owner and delivery match.
		t3 := base.Add(70 * time.Second).Add(time.Minute)
		if j := jobIDs(f.claim("n1", base.Add(70*time.Second), t3, 10)); !equalStrings(j, sortedAsc([]string{expiring, reclaimed})) {
			t.Fatalf("reclaimed %v, want %v", j, []string{expiring, reclaimed})
		}
		// At +90s only kept (valid, named with its expiry) is renewed: the
		// first leases of expiring and reclaimed are stale (both were
		// claimed again), and unnamed is not named.
		at := base.Add(90 * time.Second)
		got := f.renew("n1", at, at.Add(time.Hour), lease(expiring, t1), lease(kept, t2), lease(reclaimed, t1))
		if want := []store.Lease{lease(kept, t2)}; !equalLeases(got, want) {
			t.Fatalf("RenewLeases renewed %v, want only %v", got, want)
		}
		// The current lease of reclaimed is renewed when named.
		if got := f.renew("n1", at, at.Add(time.Hour), lease(reclaimed, t3)); !equalLeases(got, []store.Lease{lease(reclaimed, t3)}) {
			t.Fatalf("RenewLeases of the current lease renewed %v", got)
		}
		// An expired lease is never revived, even with the right expiry.
		late := t2.Add(time.Second)
		if got := f.renew("n1", late, late.Add(time.Hour), lease(unnamed, t2)); len(got) != 0 {
			t.Fatalf("RenewLeases revived an expired lease: %v", got)
		}
		// Once the second lease of expiring has run out too, the work that
		// was not renewed is claimable; the renewed work is not.
		if j := jobIDs(f.claim("n3", t3, t3.Add(time.Hour), 10)); !equalStrings(j, sortedAsc([]string{expiring, unnamed})) {
			t.Fatalf("after the renewals claimed %v, want the unrenewed %v", j, []string{expiring, unnamed})
		}
	}},
	{"ReleaseLeases", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		f.webhook(tn.ID)
		f.deliveries(tn.ID, base, 3)
		f.claim("n1", base, base.Add(time.Hour), 2)
		f.claim("n2", base, base.Add(time.Hour), 1)
		if err := f.s.ReleaseLeases(f.ctx, "n1"); err != nil {
			t.Fatalf("ReleaseLeases: %v", err)
		}
		if j := f.claim("n3", base.Add(time.Second), base.Add(time.Minute), 10); len(j) != 2 {
			t.Fatalf("claimed %d after release, want n1's 2", len(j))
		}
		if err := f.s.ReleaseLeases(f.ctx, "nobody"); err != nil {
			t.Fatalf("ReleaseLeases of an owner without leases: %v", err)
		}
	}},
	{"OnlyScheduledIsClaimed", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		f.webhook(tn.ID)
		ds := f.deliveries(tn.ID, base, 3)
		f.record(
			store.AttemptRecord{Attempt: f.attempt(&ds[0], base, 200, true), State: domain.Succeeded},
			store.AttemptRecord{Attempt: f.attempt(&ds[1], base, 500, false), State: domain.Failed},
		)
		j := f.claim("n1", base.Add(time.Hour), base.Add(2*time.Hour), 10)
		if len(j) != 1 || j[0].Delivery.ID != ds[2].ID {
			t.Fatalf("claimed %v, want only the scheduled %s", jobIDs(j), ds[2].ID)
		}
	}},
}
