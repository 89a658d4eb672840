package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

// newDelivery builds the scheduled delivery of e to w, due at now, as the
// fan-out would.
func (f *fixture) newDelivery(e *domain.Event, w *domain.Webhook, now time.Time) store.NewDelivery {
	return store.NewDelivery{Delivery: domain.Delivery{
		ID: f.ids.New(id.Delivery), TenantID: e.TenantID, EventID: e.ID, WebhookID: w.ID, EventType: e.Type,
		State: domain.Scheduled, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now,
	}}
}

// leased is d leased to owner until until.
func leased(d store.NewDelivery, owner string, until time.Time) store.NewDelivery {
	d.LeaseOwner, d.LeaseUntil = owner, until
	return d
}

// store publishes p and fails the test on error.
func (f *fixture) store(p store.PublishParams) []store.PublishResult {
	f.t.Helper()
	res, err := f.s.Publish(f.ctx, p)
	if err != nil {
		f.t.Fatalf("Publish: %v", err)
	}
	if len(res) != len(p.Events) {
		f.t.Fatalf("Publish returned %d results for %d events", len(res), len(p.Events))
	}
	return res
}

// one is a publish of one event with its deliveries.
func one(e domain.Event, ds ...store.NewDelivery) store.PublishParams {
	return store.PublishParams{TenantID: e.TenantID, Events: []store.PublishEvent{{Event: e, Deliveries: ds}}}
}

// plain returns the deliveries of ds.
func plain(ds ...store.NewDelivery) []domain.Delivery {
	out := make([]domain.Delivery, len(ds))
	for i := range ds {
		out[i] = ds[i].Delivery
	}
	return out
}

// sameDeliveries fails the test unless got holds want's deliveries, in any
// order.
func sameDeliveries(t *testing.T, what string, got, want []domain.Delivery) {
	t.Helper()
	byID := func(a, b domain.Delivery) int { return strings.Compare(a.ID, b.ID) }
	g, w := slices.Clone(got), slices.Clone(want)
	slices.SortFunc(g, byID)
	slices.SortFunc(w, byID)
	if len(g) != len(w) {
		t.Fatalf("%s: %d deliveries %v, want %d %v", what, len(g), ids(g), len(w), ids(w))
	}
	for i := range g {
		same(t, what, g[i], w[i], normDelivery)
	}
}

var publishTests = []test{
	{"StoresEventsAndDeliveriesAsGiven", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		a, b := f.webhook(tn.ID, "*"), f.webhook(tn.ID, "user.*")
		other := f.tenant(0)
		e := f.event(tn.ID, "user.created", "")
		da, db := f.newDelivery(&e, a, base), f.newDelivery(&e, b, base)
		res := f.store(one(e, da, db))
		if res[0].Replayed {
			t.Fatal("a fresh event reported Replayed")
		}
		same(t, "published event", res[0].Event, e, normEvent)
		sameDeliveries(t, "published deliveries", res[0].Deliveries, plain(da, db))
		for _, d := range plain(da, db) {
			same(t, "stored delivery", *f.get(tn.ID, d.ID), d, normDelivery)
		}
		ev, err := f.s.GetEvent(f.ctx, tn.ID, e.ID)
		if err != nil {
			t.Fatalf("GetEvent: %v", err)
		}
		same(t, "stored event", *ev, e, normEvent)
		if string(ev.Data) != string(e.Data) {
			t.Fatalf("data = %s, want the exact bytes %s", ev.Data, e.Data)
		}
		_, err = f.s.GetEvent(f.ctx, other.ID, e.ID)
		wantCode(t, err, domain.ENOTFOUND)
		// Unleased scheduled deliveries are claimable at once.
		if jobs := f.claim("node-b", base, base.Add(time.Minute), 10); !equalStrings(jobIDs(jobs), sortedAsc(ids(plain(da, db)))) {
			t.Fatalf("claimed %v, want the two new deliveries", jobIDs(jobs))
		}
	}},
	{"EventWithoutDeliveriesIsStored", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		f.webhook(tn.ID, "course.*")
		e := f.event(tn.ID, "user.deleted", "")
		res := f.store(one(e))
		if len(res[0].Deliveries) != 0 {
			t.Fatalf("%d deliveries, want 0", len(res[0].Deliveries))
		}
		if _, err := f.s.GetEvent(f.ctx, tn.ID, e.ID); err != nil {
			t.Fatalf("GetEvent: %v", err)
		}
		_, err := f.s.GetEvent(f.ctx, tn.ID, "evt_nope")
		wantCode(t, err, domain.ENOTFOUND)
	}},
	{"EnabledWebhooks", func(t *testing.T, f *fixture) {
		_, err := f.s.EnabledWebhooks(f.ctx, "ghost")
		wantCode(t, err, domain.ENOTFOUND)
		tn := f.tenant(0)
		enabled := func() []string {
			t.Helper()
			hooks, err := f.s.EnabledWebhooks(f.ctx, tn.ID)
			if err != nil {
				t.Fatalf("EnabledWebhooks: %v", err)
			}
			out := make([]string, len(hooks))
			for i, w := range hooks {
				if w.TenantID != tn.ID || !w.Enabled {
					t.Fatalf("EnabledWebhooks returned webhook %s of tenant %s, enabled %v", w.ID, w.TenantID, w.Enabled)
				}
				out[i] = w.ID
			}
			return out
		}
		if got := enabled(); len(got) != 0 {
			t.Fatalf("a tenant without webhooks has %v", got)
		}
		a, b := f.webhook(tn.ID, "*"), f.webhook(tn.ID, "user.*")
		f.webhook(f.tenant(0).ID, "*")
		// Each call sees every write that returned before it (a store may
		// cache the list).
		if got, want := enabled(), sortedAsc([]string{a.ID, b.ID}); !equalStrings(got, want) {
			t.Fatalf("enabled webhooks %v, want %v in id order", got, want)
		}
		b.Enabled = false
		if _, err := f.s.UpdateWebhook(f.ctx, b, base); err != nil {
			t.Fatalf("UpdateWebhook: %v", err)
		}
		if got := enabled(); !equalStrings(got, []string{a.ID}) {
			t.Fatalf("after disabling %s: %v, want [%s]", b.ID, got, a.ID)
		}
		a.Filter = `data.n == 1`
		if _, err := f.s.UpdateWebhook(f.ctx, a, base); err != nil {
			t.Fatalf("UpdateWebhook: %v", err)
		}
		hooks, err := f.s.EnabledWebhooks(f.ctx, tn.ID)
		if err != nil || len(hooks) != 1 || hooks[0].Filter != a.Filter {
			t.Fatalf("after an update: %+v (%v), want the new filter", hooks, err)
		}
		if err := f.s.DisableWebhook(f.ctx, a.ID, "410 Gone", base); err != nil {
			t.Fatalf("DisableWebhook: %v", err)
		}
		if got := enabled(); len(got) != 0 {
			t.Fatalf("after disabling every webhook: %v", got)
		}
		c := f.webhook(tn.ID, "*")
		if got := enabled(); !equalStrings(got, []string{c.ID}) {
			t.Fatalf("after creating %s: %v", c.ID, got)
		}
		if err := f.s.DeleteWebhook(f.ctx, tn.ID, c.ID, base); err != nil {
			t.Fatalf("DeleteWebhook: %v", err)
		}
		if got := enabled(); len(got) != 0 {
			t.Fatalf("after deleting %s: %v", c.ID, got)
		}
		if err := f.s.DeleteTenant(f.ctx, tn.ID); err != nil {
			t.Fatalf("DeleteTenant: %v", err)
		}
		_, err = f.s.EnabledWebhooks(f.ctx, tn.ID)
		wantCode(t, err, domain.ENOTFOUND)
	}},
	{"IdempotentReplay", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w1, w2 := f.webhook(tn.ID, "*"), f.webhook(tn.ID, "user.*")
		first := f.event(tn.ID, "user.created", "lms-msg-1")
		orig := f.store(one(first, f.newDelivery(&first, w1, base), f.newDelivery(&first, w2, base)))[0]
		if orig.Replayed {
			t.Fatal("first publish reported Replayed")
		}
		// Another tenant may use the same key.
		other := f.tenant(0)
		if r := f.store(one(f.event(other.ID, "user.created", "lms-msg-1")))[0]; r.Replayed {
			t.Fatal("a key of another tenant replayed")
		}
		// The replay answers the deliveries as they are now.
		done := orig.Deliveries[0]
		f.record(store.AttemptRecord{Attempt: f.attempt(&done, base.Add(time.Second), 200, true), State: domain.Succeeded})
		now := []domain.Delivery{*f.get(tn.ID, done.ID), orig.Deliveries[1]}

		again := f.event(tn.ID, "user.created", "lms-msg-1")
		again.Data = []byte(`{"different":true}`)
		fresh := f.event(tn.ID, "user.created", "lms-msg-2")
		dropped := f.newDelivery(&again, w1, base.Add(time.Minute))
		res := f.store(store.PublishParams{TenantID: tn.ID, Events: []store.PublishEvent{
			{Event: again, Deliveries: []store.NewDelivery{dropped}},
			{Event: fresh, Deliveries: []store.NewDelivery{f.newDelivery(&fresh, w1, base.Add(time.Minute)), f.newDelivery(&fresh, w2, base.Add(time.Minute))}},
		}})
		if !res[0].Replayed {
			t.Fatal("replay not reported")
		}
		same(t, "replayed event", res[0].Event, first, normEvent)
		sameDeliveries(t, "replayed deliveries", res[0].Deliveries, now)
		if res[1].Replayed || len(res[1].Deliveries) != 2 {
			t.Fatalf("second event: replayed %v, %d deliveries; want fresh with 2", res[1].Replayed, len(res[1].Deliveries))
		}
		_, err := f.s.GetEvent(f.ctx, tn.ID, again.ID)
		wantCode(t, err, domain.ENOTFOUND)
		_, err = f.s.GetDelivery(f.ctx, tn.ID, dropped.Delivery.ID)
		wantCode(t, err, domain.ENOTFOUND)
		list, _, err := f.s.ListDeliveries(f.ctx, store.DeliveryFilter{TenantID: tn.ID})
		if err != nil || len(list) != 4 {
			t.Fatalf("%d deliveries stored (%v), want 4", len(list), err)
		}
	}},
	{"IdempotentWithinBatch", func(t *testing.T, f *fixture) {
		// The fan-out collapses a batch's repeated keys before the store
		// sees them; a store given them anyway replays the first.
		tn := f.tenant(0)
		w := f.webhook(tn.ID, "*")
		a, b := f.event(tn.ID, "user.created", "k1"), f.event(tn.ID, "user.updated", "k1")
		c, d := f.event(tn.ID, "user.updated", ""), f.event(tn.ID, "user.updated", "")
		var evs []store.PublishEvent
		for _, e := range []domain.Event{a, b, c, d} {
			evs = append(evs, store.PublishEvent{Event: e, Deliveries: []store.NewDelivery{f.newDelivery(&e, w, base)}})
		}
		res := f.store(store.PublishParams{TenantID: tn.ID, Events: evs})
		if res[0].Replayed || !res[1].Replayed || res[2].Replayed || res[3].Replayed {
			t.Fatalf("replayed flags = %v %v %v %v, want false true false false", res[0].Replayed, res[1].Replayed, res[2].Replayed, res[3].Replayed)
		}
		same(t, "replayed event", res[1].Event, a, normEvent)
		sameDeliveries(t, "replayed deliveries", res[1].Deliveries, res[0].Deliveries)
		list, _, err := f.s.ListDeliveries(f.ctx, store.DeliveryFilter{TenantID: tn.ID})
		if err != nil || len(list) != 3 {
			t.Fatalf("%d deliveries stored (%v), want 3 (events without a key are never replays)", len(list), err)
		}
	}},
	{"BatchIsAtomic", func(t *testing.T, f *fixture) {
		_, err := f.s.Publish(f.ctx, one(f.event("ghost", "user.created", "")))
		wantCode(t, err, domain.ENOTFOUND)

		// A failing event (an id already used) fails the whole batch.
		tn := f.tenant(0)
		w := f.webhook(tn.ID)
		dup := f.event(tn.ID, "user.created", "")
		f.store(one(dup, f.newDelivery(&dup, w, base)))
		fresh := f.event(tn.ID, "user.created", "fresh-key")
		again := dup
		again.IdempotencyKey = ""
		_, err = f.s.Publish(f.ctx, store.PublishParams{TenantID: tn.ID, Events: []store.PublishEvent{
			{Event: fresh, Deliveries: []store.NewDelivery{f.newDelivery(&fresh, w, base)}},
			{Event: again, Deliveries: []store.NewDelivery{f.newDelivery(&again, w, base)}},
		}})
		if err == nil {
			t.Fatal("Publish with a duplicate event id succeeded")
		}
		_, err = f.s.GetEvent(f.ctx, tn.ID, fresh.ID)
		wantCode(t, err, domain.ENOTFOUND)
		list, _, err := f.s.ListDeliveries(f.ctx, store.DeliveryFilter{TenantID: tn.ID})
		if err != nil || len(list) != 1 {
			t.Fatalf("%d deliveries after a failed batch (%v), want 1", len(list), err)
		}
		// The key of the failed batch was not consumed.
		if r := f.store(one(fresh))[0]; r.Replayed {
			t.Fatal("key of a failed batch was remembered")
		}
	}},
	{"LeasedCreation", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.webhook(tn.ID)
		until := base.Add(30 * time.Second)
		e := f.event(tn.ID, "user.created", "")
		res := f.store(one(e, leased(f.newDelivery(&e, w, base), "node-a", until)))
		d := res[0].Deliveries[0]
		if d.State != domain.Scheduled {
			t.Fatalf("leased delivery is %s, want scheduled", d.State)
		}
		if jobs := f.claim("node-b", base.Add(time.Second), base.Add(time.Minute), 10); len(jobs) != 0 {
			t.Fatalf("another owner claimed %d leased deliveries", len(jobs))
		}
		if jobs := f.claim("node-a", base.Add(time.Second), base.Add(time.Minute), 10); len(jobs) != 0 {
			t.Fatalf("the lease owner claimed its own leased delivery again (%d)", len(jobs))
		}
		_, err := f.s.Resend(f.ctx, tn.ID, d.ID, base.Add(time.Second))
		wantCode(t, err, domain.ECONFLICT)
		// The lease is the one given: its owner can renew it by its expiry.
		if got := f.renew("node-a", base.Add(time.Second), until.Add(time.Second), lease(d.ID, until)); len(got) != 1 {
			t.Fatalf("renewed %v, want the lease created with the delivery", got)
		}
		jobs := f.claim("node-b", until.Add(time.Second+time.Millisecond), until.Add(time.Minute), 10)
		if len(jobs) != 1 || jobs[0].Delivery.ID != d.ID {
			t.Fatalf("after lease expiry claimed %v, want [%s]", jobIDs(jobs), d.ID)
		}
	}},
	{"LeasedAndUnleasedInOnePublish", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		hot, cold := f.webhook(tn.ID), f.webhook(tn.ID)
		until := base.Add(30 * time.Second)
		var evs []store.PublishEvent
		var hotIDs []string
		for range 3 {
			e := f.event(tn.ID, "user.created", "")
			h := f.newDelivery(&e, hot, base)
			hotIDs = append(hotIDs, h.Delivery.ID)
			evs = append(evs, store.PublishEvent{Event: e, Deliveries: []store.NewDelivery{h, leased(f.newDelivery(&e, cold, base), "node-a", until)}})
		}
		f.store(store.PublishParams{TenantID: tn.ID, Events: evs})
		// The hot webhook's deliveries were stored unleased: another node
		// claims them at once; the cold one's stay leased to node-a.
		jobs := f.claim("node-b", base, base.Add(time.Minute), 10)
		if got, want := jobIDs(jobs), sortedAsc(hotIDs); !equalStrings(got, want) {
			t.Fatalf("node-b claimed %v, want the 3 unleased deliveries %v", got, want)
		}
		if jobs := f.claim("node-b", until.Add(-time.Microsecond), until.Add(time.Minute), 10); len(jobs) != 0 {
			t.Fatalf("node-b claimed %d leased deliveries before their lease expired", len(jobs))
		}
	}},
	{"FailedAtPublish", func(t *testing.T, f *fixture) {
		// A delivery that the fan-out failed (its filter could not be
		// decided) is stored failed with its attempt, and never claimed.
		tn := f.tenant(0)
		ok, broken := f.webhook(tn.ID), f.webhook(tn.ID)
		e := f.event(tn.ID, "user.created", "")
		good := f.newDelivery(&e, ok, base)
		bad := f.newDelivery(&e, broken, base)
		bad.Delivery.State, bad.Delivery.NextAttemptAt, bad.Delivery.Attempts = domain.Failed, time.Time{}, 1
		bad.Delivery.LastError = "filter error: no such key: score"
		att := domain.Attempt{
			ID: f.ids.New(id.Attempt), DeliveryID: bad.Delivery.ID, TenantID: tn.ID, WebhookID: broken.ID, EventID: e.ID,
			Number: 1, Trigger: domain.TriggerScheduled, StartedAt: base, RequestURL: broken.URL, Error: bad.Delivery.LastError,
		}
		bad.Attempt = &att
		res := f.store(one(e, good, bad))
		sameDeliveries(t, "published deliveries", res[0].Deliveries, plain(good, bad))
		same(t, "stored failed delivery", *f.get(tn.ID, bad.Delivery.ID), bad.Delivery, normDelivery)
		atts, err := f.s.ListAttempts(f.ctx, tn.ID, bad.Delivery.ID)
		if err != nil || len(atts) != 1 {
			t.Fatalf("ListAttempts = %d attempts (%v), want 1", len(atts), err)
		}
		same(t, "stored attempt", atts[0], att, normAttempt)
		if jobs := f.claim("node-b", base, base.Add(time.Minute), 10); !equalStrings(jobIDs(jobs), []string{good.Delivery.ID}) {
			t.Fatalf("claimed %v, want only the scheduled delivery %s", jobIDs(jobs), good.Delivery.ID)
		}
		counts, err := f.s.CountDeliveries(f.ctx, store.DeliveryFilter{TenantID: tn.ID}, 0)
		if err != nil || counts[domain.Failed] != 1 || counts[domain.Scheduled] != 1 {
			t.Fatalf("counts = %v (%v), want one failed and one scheduled", counts, err)
		}
	}},
	{"CancelStranded", func(t *testing.T, f *fixture) {
		// A publish that matched a webhook just before it was disabled (or
		// deleted) writes a delivery that the disable did not see.
		tn := f.tenant(0)
		on, off, gone := f.webhook(tn.ID), f.webhook(tn.ID), f.webhook(tn.ID)
		off.Enabled = false
		if _, err := f.s.UpdateWebhook(f.ctx, off, base); err != nil {
			t.Fatalf("UpdateWebhook: %v", err)
		}
		if err := f.s.DeleteWebhook(f.ctx, tn.ID, gone.ID, base); err != nil {
			t.Fatalf("DeleteWebhook: %v", err)
		}
		e := f.event(tn.ID, "user.created", "")
		until := base.Add(time.Minute)
		dOn, dOff, dGone := f.newDelivery(&e, on, base), leased(f.newDelivery(&e, off, base), "node-a", until), f.newDelivery(&e, gone, base)
		f.store(one(e, dOn, dOff, dGone))

		later := base.Add(time.Second)
		for _, tc := range []struct {
			d      store.NewDelivery
			cancel bool
		}{{dOn, false}, {dOff, true}, {dGone, true}} {
			done, err := f.s.CancelStranded(f.ctx, tc.d.Delivery.ID, later)
			if err != nil || done != tc.cancel {
				t.Fatalf("CancelStranded(%s) = %v, %v; want %v", tc.d.Delivery.ID, done, err, tc.cancel)
			}
			got := f.get(tn.ID, tc.d.Delivery.ID)
			want := tc.d.Delivery
			if tc.cancel {
				want.State, want.NextAttemptAt, want.UpdatedAt = domain.Canceled, time.Time{}, later
			}
			same(t, "delivery after CancelStranded", *got, want, normDelivery)
		}
		// The lease went with it: a resend is not refused as in flight.
		if _, err := f.s.Resend(f.ctx, tn.ID, dOff.Delivery.ID, later); err != nil {
			t.Fatalf("Resend of a canceled stranded delivery: %v", err)
		}
		// Only scheduled deliveries are canceled.
		if done, err := f.s.CancelStranded(f.ctx, dGone.Delivery.ID, later); err != nil || done {
			t.Fatalf("CancelStranded of a delivery no longer scheduled = %v, %v; want false", done, err)
		}
		if done, err := f.s.CancelStranded(f.ctx, "dlv_nope", later); err != nil || done {
			t.Fatalf("CancelStranded of an absent delivery = %v, %v; want false, nil", done, err)
		}
	}},
}

func sortedAsc(ss []string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	return out
}
