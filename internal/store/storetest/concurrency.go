package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// Both stores let writes waiting at the same moment share one transaction
// (group commit). These cases pin down what concurrent callers see: each
// publish and each record keeps its own outcome, whatever else shares its
// transaction.
var concurrencyTests = []test{
	{"PublishesWithDistinctKeys", func(t *testing.T, f *fixture) {
		tenants := []*domain.Tenant{f.tenant(0), f.tenant(0)}
		hooks := map[string][]*domain.Webhook{}
		for _, tn := range tenants {
			hooks[tn.ID] = []*domain.Webhook{f.webhook(tn.ID), f.webhook(tn.ID)}
		}
		const n = 32
		evs := make([]domain.Event, n)
		ps := make([]store.PublishParams, n)
		for i := range evs {
			key := ""
			if i%2 == 1 {
				key = fmt.Sprintf("key-%d", i)
			}
			tn := tenants[i%4/2].ID
			evs[i] = f.event(tn, "user.created", key)
			ps[i] = f.toAll(evs[i], hooks[tn]...)
		}
		res, errs := f.publishAtOnce(ps)
		for i := range evs {
			if errs[i] != nil {
				t.Fatalf("publish %d: %v", i, errs[i])
			}
			if res[i].Replayed || res[i].Event.ID != evs[i].ID || len(res[i].Deliveries) != 2 {
				t.Fatalf("publish %d answered event %s (replayed %v) with %d deliveries; want its own, fresh, with 2",
					i, res[i].Event.ID, res[i].Replayed, len(res[i].Deliveries))
			}
			got, err := f.s.GetEvent(f.ctx, evs[i].TenantID, evs[i].ID)
			if err != nil {
				t.Fatalf("GetEvent(%s): %v", evs[i].ID, err)
			}
			same(t, "stored event", *got, evs[i], normEvent)
			for _, d := range res[i].Deliveries {
				same(t, "stored delivery", *f.get(d.TenantID, d.ID), d, normDelivery)
			}
		}
		for _, tn := range tenants {
			counts, err := f.s.CountDeliveries(f.ctx, store.DeliveryFilter{TenantID: tn.ID}, 0)
			if err != nil || counts[domain.Scheduled] != n {
				t.Fatalf("tenant %s has %v deliveries (%v), want %d scheduled", tn.ID, counts, err, n)
			}
		}
	}},
	{"PublishesWithOneKey", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w1, w2 := f.webhook(tn.ID), f.webhook(tn.ID)
		const n = 16
		evs := make([]domain.Event, n)
		ps := make([]store.PublishParams, n)
		for i := range evs {
			evs[i] = f.event(tn.ID, "user.created", "enrollment-42")
			evs[i].Data = fmt.Appendf(nil, `{"attempt":%d}`, i)
			ps[i] = f.toAll(evs[i], w1, w2)
		}
		res, errs := f.publishAtOnce(ps)
		winner := -1
		for i := range evs {
			if errs[i] != nil {
				t.Fatalf("publish %d: %v", i, errs[i])
			}
			if !res[i].Replayed {
				if winner >= 0 {
					t.Fatalf("publishes %d and %d both stored the key's event", winner, i)
				}
				winner = i
			}
		}
		if winner < 0 {
			t.Fatal("every publish was a replay: none stored the event")
		}
		for i := range evs {
			same(t, fmt.Sprintf("event answered to publish %d", i), res[i].Event, evs[winner], normEvent)
			sameDeliveries(t, fmt.Sprintf("deliveries answered to publish %d", i), res[i].Deliveries, res[winner].Deliveries)
			if i != winner {
				_, err := f.s.GetEvent(f.ctx, tn.ID, evs[i].ID)
				wantCode(t, err, domain.ENOTFOUND)
			}
		}
		counts, err := f.s.CountDeliveries(f.ctx, store.DeliveryFilter{TenantID: tn.ID}, 0)
		if err != nil || counts[domain.Scheduled] != 2 {
			t.Fatalf("deliveries %v (%v), want the 2 of the one event", counts, err)
		}
	}},
	{"BadPublishFailsAlone", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.webhook(tn.ID)
		stored := f.publish(tn.ID, base, f.event(tn.ID, "user.created", ""))[0].Event
		const good = 16
		var ps []store.PublishParams
		for i := range good {
			ps = append(ps, f.toAll(f.event(tn.ID, "user.created", fmt.Sprintf("good-%d", i)), w))
		}
		// A tenant deleted since its webhooks were read, and an event id
		// already stored.
		ghost := f.event("tnt_ghost", "user.created", "ghost-key")
		taken := f.event(tn.ID, "user.created", "bad-key")
		taken.ID = stored.ID
		ps = append(ps, f.toAll(ghost, w), f.toAll(taken, w))
		res, errs := f.publishAtOnce(ps)
		for i := range good {
			if errs[i] != nil {
				t.Fatalf("good publish %d failed with the bad ones: %v", i, errs[i])
			}
			if res[i].Replayed || len(res[i].Deliveries) != 1 {
				t.Fatalf("good publish %d: replayed %v, %d deliveries; want fresh with 1", i, res[i].Replayed, len(res[i].Deliveries))
			}
		}
		wantCode(t, errs[good], domain.ENOTFOUND)
		wantCode(t, errs[good+1], domain.ECONFLICT)
		counts, err := f.s.CountDeliveries(f.ctx, store.DeliveryFilter{TenantID: tn.ID}, 0)
		if err != nil || counts[domain.Scheduled] != good+1 {
			t.Fatalf("deliveries %v (%v), want %d scheduled: the first event's and the good publishes'", counts, err, good+1)
		}
		// Nothing of the failed publishes stayed: their keys are unused.
		if r := f.store(one(f.event(tn.ID, "user.created", "bad-key")))[0]; r.Replayed {
			t.Fatal("the key of a failed publish was remembered")
		}
	}},
	{"EnabledWebhooksAtOnce", func(t *testing.T, f *fixture) {
		// Reads of several tenants at once (a store may answer them with
		// one query) each get their own tenant's enabled webhooks.
		a, b := f.tenant(0), f.tenant(0)
		a1, a2, off := f.webhook(a.ID), f.webhook(a.ID), f.webhook(a.ID)
		if err := f.s.DisableWebhook(f.ctx, off.ID, "410 Gone", base); err != nil {
			t.Fatalf("DisableWebhook: %v", err)
		}
		b1 := f.webhook(b.ID)
		empty := f.tenant(0)
		want := map[string][]string{a.ID: sortedAsc([]string{a1.ID, a2.ID}), b.ID: {b1.ID}, empty.ID: {}}
		tenants := []string{a.ID, b.ID, empty.ID, "tnt_ghost"}
		const n = 32
		got := make([][]domain.Webhook, n)
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				got[i], errs[i] = f.s.EnabledWebhooks(f.ctx, tenants[i%len(tenants)])
			})
		}
		close(start)
		wg.Wait()
		for i := range n {
			tn := tenants[i%len(tenants)]
			if tn == "tnt_ghost" {
				wantCode(t, errs[i], domain.ENOTFOUND)
				continue
			}
			if errs[i] != nil {
				t.Fatalf("EnabledWebhooks(%s): %v", tn, errs[i])
			}
			var ids []string
			for _, w := range got[i] {
				if w.TenantID != tn {
					t.Fatalf("EnabledWebhooks(%s) returned webhook %s of tenant %s", tn, w.ID, w.TenantID)
				}
				ids = append(ids, w.ID)
			}
			if !equalStrings(ids, want[tn]) {
				t.Fatalf("EnabledWebhooks(%s) = %v, want %v", tn, ids, want[tn])
			}
		}
	}},
	{"RecordsAtOnce", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		f.webhook(tn.ID)
		ds := f.deliveries(tn.ID, base, 40)
		f.claim("n1", base, base.Add(time.Minute), len(ds))
		calls := make([][]store.AttemptRecord, 8)
		for i := range ds {
			rec := store.AttemptRecord{Attempt: f.attempt(&ds[i], base.Add(time.Second), 200, true), State: domain.Succeeded}
			calls[i%len(calls)] = append(calls[i%len(calls)], rec)
		}
		for i, err := range f.recordAtOnce(calls) {
			if err != nil {
				t.Fatalf("RecordAttempts call %d: %v", i, err)
			}
		}
		for _, d := range ds {
			got := f.get(tn.ID, d.ID)
			if got.State != domain.Succeeded || got.Attempts != 1 {
				t.Fatalf("delivery %s: %s with %d attempts, want succeeded with 1", d.ID, got.State, got.Attempts)
			}
		}
	}},
	{"RecordsOfAGoneTenantAtOnce", func(t *testing.T, f *fixture) {
		// A tenant deleted while its attempts were in flight: their
		// records are dropped, and the calls that shared a transaction
		// with them are not held up.
		gone, kept := f.tenant(0), f.tenant(0)
		f.webhook(gone.ID)
		f.webhook(kept.ID)
		lost, ds := f.deliveries(gone.ID, base, 4), f.deliveries(kept.ID, base, 8)
		f.claim("n1", base, base.Add(time.Minute), len(lost)+len(ds))
		if err := f.s.DeleteTenant(f.ctx, gone.ID); err != nil {
			t.Fatalf("DeleteTenant: %v", err)
		}
		calls := make([][]store.AttemptRecord, 4)
		for i := range ds {
			calls[i%4] = append(calls[i%4], store.AttemptRecord{Attempt: f.attempt(&ds[i], base, 200, true), State: domain.Succeeded})
		}
		for i := range lost {
			calls[i] = append(calls[i], store.AttemptRecord{Attempt: f.attempt(&lost[i], base, 200, true), State: domain.Succeeded})
		}
		for i, err := range f.recordAtOnce(calls) {
			if err != nil {
				t.Fatalf("RecordAttempts call %d: %v", i, err)
			}
		}
		for _, d := range ds {
			if got := f.get(kept.ID, d.ID); got.State != domain.Succeeded || got.Attempts != 1 {
				t.Fatalf("delivery %s: %s with %d attempts, want succeeded with 1", d.ID, got.State, got.Attempts)
			}
		}
		if atts, err := f.s.ListAttempts(f.ctx, gone.ID, lost[0].ID); err != nil || len(atts) != 0 {
			t.Fatalf("ListAttempts of a deleted tenant's delivery = %d attempts (%v), want none", len(atts), err)
		}
	}},
	{"RecordsOfTwoNodesForOneDelivery", func(t *testing.T, f *fixture) {
		// n1's lease ran out while its attempt was in flight, and n2
		// claimed the delivery and attempted it too. Both requests were
		// sent: both attempts are kept and counted, and the delivery ends
		// without a lease, whichever record came last.
		tn := f.tenant(0)
		f.webhook(tn.ID)
		ds := f.deliveries(tn.ID, base, 10)
		t1 := base.Add(time.Minute)
		f.claim("n1", base, t1, len(ds))
		t2 := t1.Add(time.Minute)
		if j := f.claim("n2", t1, t2, len(ds)); len(j) != len(ds) {
			t.Fatalf("n2 claimed %d after n1's lease ran out, want %d", len(j), len(ds))
		}
		var n1, n2 []store.AttemptRecord
		for i := range ds {
			n1 = append(n1, store.AttemptRecord{Attempt: f.attempt(&ds[i], base, 500, false), State: domain.Succeeded})
			n2 = append(n2, store.AttemptRecord{Attempt: f.attempt(&ds[i], t1, 200, true), State: domain.Succeeded})
		}
		for i, err := range f.recordAtOnce([][]store.AttemptRecord{n1, n2}) {
			if err != nil {
				t.Fatalf("RecordAttempts of node %d: %v", i+1, err)
			}
		}
		var leases []store.Lease
		for _, d := range ds {
			got := f.get(tn.ID, d.ID)
			if got.State != domain.Succeeded || got.Attempts != 2 {
				t.Fatalf("delivery %s: %s with %d attempts, want succeeded with 2", d.ID, got.State, got.Attempts)
			}
			atts, err := f.s.ListAttempts(f.ctx, tn.ID, d.ID)
			if err != nil || len(atts) != 2 {
				t.Fatalf("ListAttempts(%s) = %d attempts (%v), want both", d.ID, len(atts), err)
			}
			leases = append(leases, lease(d.ID, t2))
		}
		if got := f.renew("n2", t1, t2.Add(time.Minute), leases...); len(got) != 0 {
			t.Fatalf("renewed %d leases of recorded deliveries, want none", len(got))
		}
	}},
	{"RecordsRaceRenewals", func(t *testing.T, f *fixture) {
		// A renewal racing the record of an attempt either extends the
		// lease before the record clears it or finds it gone: it never
		// revives it.
		tn := f.tenant(0)
		f.webhook(tn.ID)
		ds := f.deliveries(tn.ID, base, 30)
		t1 := base.Add(time.Minute)
		f.claim("n1", base, t1, len(ds))
		retry := base.Add(time.Second)
		calls := make([][]store.AttemptRecord, 3)
		for i := range ds {
			calls[i%3] = append(calls[i%3], store.AttemptRecord{Attempt: f.attempt(&ds[i], base, 503, false), State: domain.Scheduled, NextAttemptAt: retry})
		}
		var wg sync.WaitGroup
		var renewErr error
		start := make(chan struct{})
		wg.Go(func() {
			<-start
			held := make(map[string]time.Time, len(ds))
			for _, d := range ds {
				held[d.ID] = t1
			}
			for round := range 5 {
				var named []store.Lease
				for id, until := range held {
					named = append(named, lease(id, until))
				}
				until := t1.Add(time.Duration(round+1) * time.Second)
				got, err := f.s.RenewLeases(f.ctx, "n1", named, base, until)
				if err != nil {
					renewErr = err
					return
				}
				for _, l := range got {
					held[l.DeliveryID] = until
				}
			}
		})
		var errs []error
		wg.Go(func() {
			<-start
			errs = f.recordAtOnce(calls)
		})
		close(start)
		wg.Wait()
		if renewErr != nil {
			t.Fatalf("RenewLeases: %v", renewErr)
		}
		for i, err := range errs {
			if err != nil {
				t.Fatalf("RecordAttempts call %d: %v", i, err)
			}
		}
		// Every retry is due at retry and leased to nobody.
		if j := f.claim("n2", retry, retry.Add(time.Minute), len(ds)+1); len(j) != len(ds) {
			t.Fatalf("n2 claimed %d retries, want all %d: a renewal revived a recorded lease", len(j), len(ds))
		}
	}},
}

// toAll is a publish of e with a scheduled delivery to each of hooks.
func (f *fixture) toAll(e domain.Event, hooks ...*domain.Webhook) store.PublishParams {
	ds := make([]store.NewDelivery, len(hooks))
	for i, w := range hooks {
		ds[i] = f.newDelivery(&e, w, base)
	}
	return one(e, ds...)
}

// publishAtOnce makes each publish from its own goroutine, all released at
// once, and returns each one's result and error.
func (f *fixture) publishAtOnce(ps []store.PublishParams) ([]store.PublishResult, []error) {
	res := make([]store.PublishResult, len(ps))
	errs := make([]error, len(ps))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range ps {
		wg.Go(func() {
			<-start
			r, err := f.s.Publish(f.ctx, ps[i])
			if err == nil && len(r) != 1 {
				err = fmt.Errorf("%d results for one event", len(r))
			}
			if err == nil {
				res[i] = r[0]
			}
			errs[i] = err
		})
	}
	close(start)
	wg.Wait()
	return res, errs
}

// recordAtOnce makes each call to RecordAttempts from its own goroutine,
// all released at once, and returns each call's error.
func (f *fixture) recordAtOnce(calls [][]store.AttemptRecord) []error {
	errs := make([]error, len(calls))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range calls {
		wg.Go(func() {
			<-start
			errs[i] = f.s.RecordAttempts(f.ctx, calls[i])
		})
	}
	close(start)
	wg.Wait()
	return errs
}
