package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// Ordered delivery (see store.Store's ClaimDue, RecordAttempts,
// SkipDelivery and BlockedKeys): per webhook and key, deliveries take
// turns in the order the store wrote them.

// orderedHook creates an enabled webhook ordered as o, failing as fm.
func (f *fixture) orderedHook(tenantID string, o domain.Ordering, fm domain.OrderingFailure) *domain.Webhook {
	f.t.Helper()
	w := f.newWebhook(tenantID)
	w.Ordering, w.OrderingFailure = o, fm
	if err := f.s.CreateWebhook(f.ctx, w); err != nil {
		f.t.Fatalf("CreateWebhook: %v", err)
	}
	return w
}

// publishKeys publishes, in one batch at now, one event per key to w, and
// returns w's deliveries in batch order, made as the fan-out makes them.
func (f *fixture) publishKeys(w *domain.Webhook, now time.Time, keys ...string) []domain.Delivery {
	f.t.Helper()
	p := store.PublishParams{TenantID: w.TenantID}
	for _, k := range keys {
		e := f.event(w.TenantID, "user.created", "")
		e.OrderingKey = k
		nd := f.newDelivery(&e, w, now)
		d := &nd.Delivery
		d.OrderingKey, d.Ordered = w.DeliveryOrderingKey(k)
		d.HoldsKey = w.HoldsKeyAfter(domain.Scheduled)
		p.Events = append(p.Events, store.PublishEvent{Event: e, Deliveries: []store.NewDelivery{nd}})
	}
	var out []domain.Delivery
	for _, r := range f.store(p) {
		out = append(out, r.Deliveries...)
	}
	return out
}

// turn claims at now (leases of a minute) and returns the ids claimed,
// sorted, with the jobs by delivery id.
func (f *fixture) turn(now time.Time) ([]string, map[string]domain.Job) {
	f.t.Helper()
	jobs := f.claim("n1", now, claimedLease(now), 50)
	byID := map[string]domain.Job{}
	if f.leases == nil {
		f.leases = map[string]time.Time{}
	}
	for _, j := range jobs {
		byID[j.Delivery.ID] = j
		f.leases[j.Delivery.ID] = claimedLease(now)
	}
	return jobIDs(jobs), byID
}

// finish records an attempt of job j under its lease that moves it to
// state, as the dispatcher would for webhook w.
func (f *fixture) finish(w *domain.Webhook, j domain.Job, state domain.DeliveryState, next time.Time) {
	f.t.Helper()
	f.record(f.outcome(w, j, state, next, f.leases[j.Delivery.ID]))
}

// outcome is the record finish makes, under the lease until leaseUntil.
func (f *fixture) outcome(w *domain.Webhook, j domain.Job, state domain.DeliveryState, next, leaseUntil time.Time) store.AttemptRecord {
	d := j.Delivery
	a := f.attempt(&d, base, 500, state == domain.Succeeded)
	return store.AttemptRecord{Attempt: a, State: state, NextAttemptAt: next, HoldsKey: w.HoldsKeyAfter(state), LeaseUntil: leaseUntil}
}

// wantTurn fails unless a claim at now takes exactly want.
func (f *fixture) wantTurn(now time.Time, what string, want ...domain.Delivery) map[string]domain.Job {
	f.t.Helper()
	got, jobs := f.turn(now)
	w := ids(want)
	slices.Sort(w)
	if !equalStrings(got, w) {
		f.t.Fatalf("%s: claimed %v, want %v", what, got, w)
	}
	return jobs
}

// claimedLease returns the lease a claim at now gives (see turn).
func claimedLease(now time.Time) time.Time { return now.Add(time.Minute) }

var orderingTests = []test{
	{"FieldsRoundTrip", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.orderedHook(tn.ID, domain.OrderingKey, domain.FailureSkip)
		got, err := f.s.GetWebhook(f.ctx, tn.ID, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Ordering != domain.OrderingKey || got.OrderingFailure != domain.FailureSkip {
			t.Fatalf("webhook ordering %q/%q, want key/skip", got.Ordering, got.OrderingFailure)
		}
		w.Ordering, w.OrderingFailure = domain.OrderingWebhook, domain.FailureBlock
		if _, err := f.s.UpdateWebhook(f.ctx, w, base); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.s.WebhookByID(f.ctx, w.ID); got.Ordering != domain.OrderingWebhook || got.OrderingFailure != domain.FailureBlock {
			t.Fatalf("updated webhook ordering %q/%q, want webhook/block", got.Ordering, got.OrderingFailure)
		}
		w.Ordering = domain.OrderingKey
		if _, err := f.s.UpdateWebhook(f.ctx, w, base); err != nil {
			t.Fatal(err)
		}

		e := f.event(tn.ID, "user.created", "idem-1")
		e.OrderingKey = "enr-42"
		nd := f.newDelivery(&e, w, base)
		nd.Delivery.Ordered, nd.Delivery.OrderingKey, nd.Delivery.HoldsKey = true, "enr-42", true
		res := f.store(one(e, nd))
		d := res[0].Deliveries[0]
		if !d.Ordered || d.OrderingKey != "enr-42" || !d.HoldsKey {
			t.Fatalf("published delivery %+v, want ordered under enr-42 holding it", d)
		}
		ev, err := f.s.GetEvent(f.ctx, tn.ID, e.ID)
		if err != nil || ev.OrderingKey != "enr-42" {
			t.Fatalf("GetEvent ordering key %q (%v), want enr-42", ev.OrderingKey, err)
		}
		same(t, "GetDelivery", *f.get(tn.ID, d.ID), d, normDelivery)
		list, _, err := f.s.ListDeliveries(f.ctx, store.DeliveryFilter{TenantID: tn.ID})
		if err != nil || len(list) != 1 {
			t.Fatalf("ListDeliveries: %v, %d", err, len(list))
		}
		same(t, "listed delivery", list[0], d, normDelivery)
		// A replay answers the stored event and deliveries, fields and all.
		again := f.event(tn.ID, "user.created", "idem-1")
		rep := f.store(one(again, f.newDelivery(&again, w, base)))
		if !rep[0].Replayed || rep[0].Event.OrderingKey != "enr-42" || len(rep[0].Deliveries) != 1 {
			t.Fatalf("replay %+v, want the stored event with its key", rep[0])
		}
		same(t, "replayed delivery", rep[0].Deliveries[0], d, normDelivery)
		// Unordered deliveries hold nothing.
		plain := f.webhook(tn.ID)
		u := f.publishKeys(plain, base, "enr-42")[0]
		if u.Ordered || u.HoldsKey || u.OrderingKey != "" {
			t.Fatalf("unordered delivery %+v holds a key", u)
		}
	}},
	{"OneAtATimeInPublishOrder", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.orderedHook(tn.ID, domain.OrderingKey, domain.FailureBlock)
		// Batch order a1, a2, b1; a later publish a3; a publish of a4 whose
		// creation time is earlier than the others' (order follows writes,
		// never clocks).
		first := f.publishKeys(w, base, "a", "a", "b")
		a1, a2, b1 := first[0], first[1], first[2]
		a3 := f.publishKeys(w, base, "a")[0]
		a4 := f.publishKeys(w, base.Add(-time.Hour), "a")[0]
		now := base.Add(time.Second)
		jobs := f.wantTurn(now, "first claim: the head of each key", a1, b1)
		f.wantTurn(now, "while the heads are in flight")
		f.finish(w, jobs[a1.ID], domain.Succeeded, time.Time{})
		if d := f.get(tn.ID, a1.ID); d.HoldsKey {
			t.Fatal("a succeeded delivery still holds its key")
		}
		jobs = f.wantTurn(now, "after a1 succeeded", a2)
		f.finish(w, jobs[a2.ID], domain.Succeeded, time.Time{})
		jobs = f.wantTurn(now, "after a2 succeeded", a3)
		f.finish(w, jobs[a3.ID], domain.Succeeded, time.Time{})
		f.wantTurn(now, "after a3 succeeded", a4)
	}},
	{"RetryKeepsItsTurn", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.orderedHook(tn.ID, domain.OrderingKey, domain.FailureBlock)
		ds := f.publishKeys(w, base, "k", "k")
		now := base.Add(time.Second)
		jobs := f.wantTurn(now, "head", ds[0])
		retry := now.Add(10 * time.Minute)
		f.finish(w, jobs[ds[0].ID], domain.Scheduled, retry)
		if d := f.get(tn.ID, ds[0].ID); !d.HoldsKey || d.State != domain.Scheduled {
			t.Fatalf("retrying head %+v, want scheduled holding its key", d)
		}
		f.wantTurn(now.Add(time.Minute), "while the head waits for its retry")
		if d := f.get(tn.ID, ds[1].ID); d.BlockedBy != ds[0].ID {
			t.Fatalf("BlockedBy = %q, want the head %s", d.BlockedBy, ds[0].ID)
		}
		if d := f.get(tn.ID, ds[0].ID); d.BlockedBy != "" {
			t.Fatalf("the head is blocked by %q", d.BlockedBy)
		}
		f.wantTurn(retry, "at the retry", ds[0])
	}},
	{"FailedHeadBlocksUntilSkipped", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.orderedHook(tn.ID, domain.OrderingKey, domain.FailureBlock)
		other := f.orderedHook(tn.ID, domain.OrderingKey, domain.FailureBlock)
		ds := f.publishKeys(w, base, "k", "k", "k", "j")
		now := base.Add(time.Second)
		jobs := f.wantTurn(now, "heads", ds[0], ds[3])
		f.finish(w, jobs[ds[0].ID], domain.Failed, time.Time{})
		f.finish(w, jobs[ds[3].ID], domain.Succeeded, time.Time{})
		f.wantTurn(now, "behind a failed head")
		if d := f.get(tn.ID, ds[1].ID); d.BlockedBy != ds[0].ID {
			t.Fatalf("BlockedBy = %q, want the failed head", d.BlockedBy)
		}

		keys, err := f.s.BlockedKeys(f.ctx, tn.ID, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != 1 || keys[0].WebhookID != w.ID || keys[0].Key != "k" || keys[0].Head.ID != ds[0].ID || keys[0].Waiting != 2 {
			t.Fatalf("BlockedKeys = %+v, want key k of %s headed by %s with 2 waiting", keys, w.ID, ds[0].ID)
		}
		if keys[0].Head.State != domain.Failed || !keys[0].Head.HoldsKey {
			t.Fatalf("blocked head %+v, want failed and holding", keys[0].Head)
		}
		if keys, _ := f.s.BlockedKeys(f.ctx, tn.ID, other.ID, 0); len(keys) != 0 {
			t.Fatalf("BlockedKeys of another webhook = %+v", keys)
		}
		if keys, _ := f.s.BlockedKeys(f.ctx, tn.ID, w.ID, 10); len(keys) != 1 {
			t.Fatalf("BlockedKeys of the webhook = %+v, want 1", keys)
		}
		if keys, _ := f.s.BlockedKeys(f.ctx, f.tenant(0).ID, "", 0); len(keys) != 0 {
			t.Fatalf("BlockedKeys of another tenant = %+v", keys)
		}

		skipAt := now.Add(time.Minute)
		d, err := f.s.SkipDelivery(f.ctx, tn.ID, ds[0].ID, skipAt)
		if err != nil {
			t.Fatal(err)
		}
		if d.HoldsKey || !d.SkippedAt.Equal(skipAt) || d.State != domain.Failed {
			t.Fatalf("skipped delivery %+v, want failed, released, skipped at %v", d, skipAt)
		}
		same(t, "skipped delivery read back", *f.get(tn.ID, d.ID), *d, normDelivery)
		if keys, _ := f.s.BlockedKeys(f.ctx, tn.ID, "", 0); len(keys) != 0 {
			t.Fatalf("BlockedKeys after skip = %+v", keys)
		}
		_, err = f.s.SkipDelivery(f.ctx, tn.ID, ds[0].ID, skipAt)
		wantCode(t, err, domain.ECONFLICT)
		jobs = f.wantTurn(skipAt, "after the skip", ds[1])
		// In flight: no skip.
		_, err = f.s.SkipDelivery(f.ctx, tn.ID, ds[1].ID, skipAt)
		wantCode(t, err, domain.ECONFLICT)
		// A waiting scheduled one is canceled by a skip and never sent.
		d, err = f.s.SkipDelivery(f.ctx, tn.ID, ds[2].ID, skipAt)
		if err != nil {
			t.Fatal(err)
		}
		if d.State != domain.Canceled || d.HoldsKey || !d.NextAttemptAt.IsZero() {
			t.Fatalf("skipped scheduled delivery %+v, want canceled and released", d)
		}
		f.finish(w, jobs[ds[1].ID], domain.Succeeded, time.Time{})
		f.wantTurn(skipAt, "nothing left")
		_, err = f.s.SkipDelivery(f.ctx, tn.ID, "dlv_absent", skipAt)
		wantCode(t, err, domain.ENOTFOUND)
		_, err = f.s.SkipDelivery(f.ctx, f.tenant(0).ID, ds[1].ID, skipAt)
		wantCode(t, err, domain.ENOTFOUND)
		plain := f.webhook(tn.ID)
		u := f.publishKeys(plain, base, "k")[0]
		_, err = f.s.SkipDelivery(f.ctx, tn.ID, u.ID, skipAt)
		wantCode(t, err, domain.ECONFLICT)
	}},
	{"BlockedKeysOldestHeadFirst", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.orderedHook(tn.ID, domain.OrderingKey, domain.FailureBlock)
		ds := f.publishKeys(w, base, "first", "second")
		now := base.Add(time.Second)
		jobs := f.wantTurn(now, "heads", ds[0], ds[1])
		// Heads are listed in the order of writes, not of failures.
		f.finish(w, jobs[ds[1].ID], domain.Failed, time.Time{})
		f.finish(w, jobs[ds[0].ID], domain.Failed, time.Time{})
		keys, err := f.s.BlockedKeys(f.ctx, tn.ID, w.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != 2 || keys[0].Key != "first" || keys[1].Key != "second" || keys[0].Waiting != 0 {
			t.Fatalf("BlockedKeys = %+v, want first then second, none waiting", keys)
		}
		if keys, _ := f.s.BlockedKeys(f.ctx, tn.ID, "", 1); len(keys) != 1 || keys[0].Key != "first" {
			t.Fatalf("BlockedKeys limited to 1 = %+v, want the oldest", keys)
		}
	}},
	{"SkipModeLetsTheNextGo", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.orderedHook(tn.ID, domain.OrderingKey, domain.FailureSkip)
		ds := f.publishKeys(w, base, "k", "k")
		now := base.Add(time.Second)
		jobs := f.wantTurn(now, "head", ds[0])
		f.finish(w, jobs[ds[0].ID], domain.Failed, time.Time{})
		f.wantTurn(now, "after the head finally failed", ds[1])
		if keys, _ := f.s.BlockedKeys(f.ctx, tn.ID, "", 0); len(keys) != 0 {
			t.Fatalf("BlockedKeys under skip = %+v", keys)
		}
	}},
	{"WebhookOrderingIsOneKey", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.orderedHook(tn.ID, domain.OrderingWebhook, domain.FailureBlock)
		ds := f.publishKeys(w, base, "a", "b", "")
		for i, d := range ds {
			if !d.Ordered || d.OrderingKey != "" {
				t.Fatalf("delivery %d: %+v, want ordered under the webhook's one key", i, d)
			}
		}
		now := base.Add(time.Second)
		for _, d := range ds {
			jobs := f.wantTurn(now, "strict FIFO", d)
			f.finish(w, jobs[d.ID], domain.Succeeded, time.Time{})
		}
	}},
	{"ResendTakesItsPlaceBackAfterTheOneInFlight", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.orderedHook(tn.ID, domain.OrderingKey, domain.FailureBlock)
		ds := f.publishKeys(w, base, "k", "k", "k")
		now := base.Add(time.Second)
		jobs := f.wantTurn(now, "head", ds[0])
		f.finish(w, jobs[ds[0].ID], domain.Succeeded, time.Time{})
		jobs = f.wantTurn(now, "second", ds[1])
		// The first is resent while the second is in flight.
		d, err := f.s.Resend(f.ctx, tn.ID, ds[0].ID, now)
		if err != nil {
			t.Fatal(err)
		}
		if !d.HoldsKey {
			t.Fatal("a resent ordered delivery does not hold its key")
		}
		f.wantTurn(now, "resent while another of the key is in flight")
		if got := f.get(tn.ID, ds[0].ID); got.BlockedBy != ds[1].ID {
			t.Fatalf("resent delivery BlockedBy = %q, want the one in flight %s", got.BlockedBy, ds[1].ID)
		}
		f.finish(w, jobs[ds[1].ID], domain.Succeeded, time.Time{})
		jobs = f.wantTurn(now, "the resent one goes before the third", ds[0])
		f.finish(w, jobs[ds[0].ID], domain.Succeeded, time.Time{})
		f.wantTurn(now, "then the third", ds[2])
	}},
	{"ResendOfBlockedHeadUnblocks", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.orderedHook(tn.ID, domain.OrderingKey, domain.FailureBlock)
		ds := f.publishKeys(w, base, "k", "k")
		now := base.Add(time.Second)
		jobs := f.wantTurn(now, "head", ds[0])
		f.finish(w, jobs[ds[0].ID], domain.Failed, time.Time{})
		if _, err := f.s.Resend(f.ctx, tn.ID, ds[0].ID, now); err != nil {
			t.Fatal(err)
		}
		if keys, _ := f.s.BlockedKeys(f.ctx, tn.ID, "", 0); len(keys) != 0 {
			t.Fatalf("BlockedKeys after resend = %+v", keys)
		}
		jobs = f.wantTurn(now, "the resent head", ds[0])
		f.finish(w, jobs[ds[0].ID], domain.Succeeded, time.Time{})
		f.wantTurn(now, "then the next", ds[1])
	}},
	{"CancelReleasesAndRecoverHoldsAgain", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.orderedHook(tn.ID, domain.OrderingKey, domain.FailureBlock)
		ds := f.publishKeys(w, base, "k", "k", "k")
		now := base.Add(time.Second)
		jobs := f.wantTurn(now, "head", ds[0])
		w.Enabled = false
		if _, err := f.s.UpdateWebhook(f.ctx, w, now); err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if got := f.get(tn.ID, d.ID); got.HoldsKey || got.State != domain.Canceled {
				t.Fatalf("after disabling: %+v, want canceled, released", got)
			}
		}
		// The attempt in flight ends; its record leaves the delivery canceled.
		f.finish(w, jobs[ds[0].ID], domain.Scheduled, now.Add(time.Minute))
		if got := f.get(tn.ID, ds[0].ID); got.HoldsKey || got.State != domain.Canceled {
			t.Fatalf("recorded after cancel: %+v, want canceled, released", got)
		}
		w.Enabled = true
		if _, err := f.s.UpdateWebhook(f.ctx, w, now); err != nil {
			t.Fatal(err)
		}
		n, err := f.s.Recover(f.ctx, store.RecoverParams{TenantID: tn.ID, WebhookID: w.ID, Since: base.Add(-time.Hour), Until: now.Add(time.Hour), Now: now})
		if err != nil || n != 3 {
			t.Fatalf("Recover = %d, %v; want 3", n, err)
		}
		for _, d := range ds {
			if got := f.get(tn.ID, d.ID); !got.HoldsKey {
				t.Fatalf("recovered %s does not hold its key", d.ID)
			}
		}
		jobs = f.wantTurn(now, "recovered, in order", ds[0])
		f.finish(w, jobs[ds[0].ID], domain.Succeeded, time.Time{})
		f.wantTurn(now, "recovered, in order", ds[1])

		// Deleting the webhook and stranded cancels release too.
		if err := f.s.DeleteWebhook(f.ctx, tn.ID, w.ID, now); err != nil {
			t.Fatal(err)
		}
		if got := f.get(tn.ID, ds[2].ID); got.HoldsKey {
			t.Fatal("a delivery of a deleted webhook holds its key")
		}
		w2 := f.orderedHook(tn.ID, domain.OrderingKey, domain.FailureBlock)
		w2.Enabled = false
		if _, err := f.s.UpdateWebhook(f.ctx, w2, now); err != nil {
			t.Fatal(err)
		}
		// Written for the disabled webhook, as by a publish that matched
		// it just before it was disabled.
		st := f.publishKeys(w2, base, "k")[0]
		if ok, err := f.s.CancelStranded(f.ctx, st.ID, now); err != nil || !ok {
			t.Fatalf("CancelStranded = %v, %v", ok, err)
		}
		if got := f.get(tn.ID, st.ID); got.HoldsKey {
			t.Fatal("a stranded delivery canceled still holds its key")
		}
	}},
	{"InFlightCanceledBlocksTheKey", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.orderedHook(tn.ID, domain.OrderingKey, domain.FailureBlock)
		first := f.publishKeys(w, base, "k")[0]
		now := base.Add(time.Second)
		jobs := f.wantTurn(now, "head", first)
		w.Enabled = false
		if _, err := f.s.UpdateWebhook(f.ctx, w, now); err != nil {
			t.Fatal(err)
		}
		w.Enabled = true
		if _, err := f.s.UpdateWebhook(f.ctx, w, now); err != nil {
			t.Fatal(err)
		}
		next := f.publishKeys(w, now, "k")[0]
		f.wantTurn(now, "while the canceled one's attempt is in flight")
		f.finish(w, jobs[first.ID], domain.Succeeded, time.Time{})
		f.wantTurn(now, "once it is recorded", next)
	}},
	{"StaleRecordIsFenced", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.orderedHook(tn.ID, domain.OrderingKey, domain.FailureBlock)
		ds := f.publishKeys(w, base, "k", "k")
		now := base.Add(time.Second)
		stale := f.wantTurn(now, "head", ds[0])[ds[0].ID]
		// Its lease runs out; another claim takes it.
		later := claimedLease(now).Add(time.Second)
		fresh := f.wantTurn(later, "head again, its lease run out", ds[0])[ds[0].ID]
		f.record(f.outcome(w, stale, domain.Succeeded, time.Time{}, claimedLease(now)))
		got := f.get(tn.ID, ds[0].ID)
		if got.State != domain.Scheduled || !got.HoldsKey {
			t.Fatalf("after a stale record: %+v, want still scheduled and holding", got)
		}
		if as, err := f.s.ListAttempts(f.ctx, tn.ID, ds[0].ID); err != nil || len(as) != 1 {
			t.Fatalf("ListAttempts = %d, %v; want the stale attempt kept", len(as), err)
		}
		f.wantTurn(later, "the fresh claim still holds the key")
		f.record(f.outcome(w, fresh, domain.Succeeded, time.Time{}, claimedLease(later)))
		if got := f.get(tn.ID, ds[0].ID); got.State != domain.Succeeded || got.HoldsKey {
			t.Fatalf("after the fresh record: %+v, want succeeded and released", got)
		}
		f.wantTurn(later, "the next", ds[1])
	}},
	{"ManyKeysInParallel", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.orderedHook(tn.ID, domain.OrderingKey, domain.FailureBlock)
		plain := f.webhook(tn.ID)
		var keys []string
		for i := range 20 {
			keys = append(keys, string(rune('a'+i)), string(rune('a'+i)))
		}
		ds := f.publishKeys(w, base, keys...)
		us := f.publishKeys(plain, base, "a", "a")
		var heads []domain.Delivery
		for i := 0; i < len(ds); i += 2 {
			heads = append(heads, ds[i])
		}
		f.wantTurn(base.Add(time.Second), "every key's head and every unordered delivery", append(heads, us...)...)
	}},
}
