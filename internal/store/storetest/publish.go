package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

var publishTests = []test{
	{"FanOut", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		all := f.webhook(tn.ID, "*")
		users := f.webhook(tn.ID, "user.*")
		courses := f.webhook(tn.ID, "course.*")
		off := f.webhook(tn.ID, "*")
		off.Enabled = false
		if _, err := f.s.UpdateWebhook(f.ctx, off, base); err != nil {
			t.Fatalf("UpdateWebhook: %v", err)
		}
		other := f.tenant(0)
		f.webhook(other.ID, "*")

		var seen []string
		e := event(tn.ID, "user.created", "")
		res, err := f.s.Publish(f.ctx, store.PublishParams{
			TenantID: tn.ID, Events: []domain.Event{e}, Now: base,
			Match: func(w *domain.Webhook, ev *domain.Event) bool {
				seen = append(seen, w.ID)
				if w.TenantID != tn.ID || !w.Enabled {
					t.Errorf("Match called with webhook %s of tenant %s, enabled %v", w.ID, w.TenantID, w.Enabled)
				}
				if ev.ID != e.ID {
					t.Errorf("Match called with event %s, want %s", ev.ID, e.ID)
				}
				return subscribes(w, ev)
			},
		})
		if err != nil {
			t.Fatalf("Publish: %v", err)
		}
		slices.Sort(seen)
		if want := []string{all.ID, users.ID, courses.ID}; !equalStrings(seen, sortedAsc(want)) {
			t.Fatalf("Match saw webhooks %v, want the tenant's enabled ones %v", seen, sortedAsc(want))
		}
		if len(res) != 1 || res[0].Replayed {
			t.Fatalf("results = %+v, want one fresh result", res)
		}
		same(t, "published event", res[0].Event, e, normEvent)
		got := res[0].Deliveries
		slices.SortFunc(got, func(a, b domain.Delivery) int { return strings.Compare(a.WebhookID, b.WebhookID) })
		wantHooks := sortedAsc([]string{all.ID, users.ID})
		if len(got) != 2 || got[0].WebhookID != wantHooks[0] || got[1].WebhookID != wantHooks[1] {
			t.Fatalf("deliveries to %v, want to %v", deliveryHooks(got), wantHooks)
		}
		for _, d := range got {
			if d.ID == "" || got[0].ID == got[1].ID {
				t.Fatalf("delivery ids %q and %q must be set and distinct", got[0].ID, got[1].ID)
			}
			want := domain.Delivery{
				ID: d.ID, TenantID: tn.ID, EventID: e.ID, WebhookID: d.WebhookID, EventType: e.Type,
				State: domain.Scheduled, NextAttemptAt: base, CreatedAt: base, UpdatedAt: base,
			}
			same(t, "new delivery", d, want, normDelivery)
			stored := f.get(tn.ID, d.ID)
			same(t, "stored delivery", *stored, want, normDelivery)
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
	}},
	{"EventMatchingNothingIsStored", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		f.webhook(tn.ID, "course.*")
		e := event(tn.ID, "user.deleted", "")
		res := f.publish(tn.ID, base, e)
		if len(res[0].Deliveries) != 0 {
			t.Fatalf("%d deliveries, want 0", len(res[0].Deliveries))
		}
		if _, err := f.s.GetEvent(f.ctx, tn.ID, e.ID); err != nil {
			t.Fatalf("GetEvent: %v", err)
		}
		_, err := f.s.GetEvent(f.ctx, tn.ID, "evt_nope")
		wantCode(t, err, domain.ENOTFOUND)
	}},
	{"IdempotentReplay", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		f.webhook(tn.ID, "*")
		f.webhook(tn.ID, "user.*")
		first := event(tn.ID, "user.created", "lms-msg-1")
		orig := f.publish(tn.ID, base, first)[0]
		if orig.Replayed {
			t.Fatal("first publish reported Replayed")
		}
		// Another tenant may use the same key.
		other := f.tenant(0)
		if r := f.publish(other.ID, base, event(other.ID, "user.created", "lms-msg-1"))[0]; r.Replayed {
			t.Fatal("a key of another tenant replayed")
		}

		again := event(tn.ID, "user.created", "lms-msg-1")
		again.Data = []byte(`{"different":true}`)
		res := f.publish(tn.ID, base.Add(time.Minute), again, event(tn.ID, "user.created", "lms-msg-2"))
		r := res[0]
		if !r.Replayed {
			t.Fatal("replay not reported")
		}
		same(t, "replayed event", r.Event, first, normEvent)
		if got, want := sortedAsc(ids(r.Deliveries)), sortedAsc(ids(orig.Deliveries)); !equalStrings(got, want) {
			t.Fatalf("replay deliveries %v, want the original %v", got, want)
		}
		if res[1].Replayed || len(res[1].Deliveries) != 2 {
			t.Fatalf("second event: replayed %v, %d deliveries; want fresh with 2", res[1].Replayed, len(res[1].Deliveries))
		}
		_, err := f.s.GetEvent(f.ctx, tn.ID, again.ID)
		wantCode(t, err, domain.ENOTFOUND)
		list, _, err := f.s.ListDeliveries(f.ctx, store.DeliveryFilter{TenantID: tn.ID})
		if err != nil || len(list) != 4 {
			t.Fatalf("%d deliveries stored (%v), want 4", len(list), err)
		}
	}},
	{"IdempotentWithinBatch", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		f.webhook(tn.ID, "*")
		a := event(tn.ID, "user.created", "k1")
		b := event(tn.ID, "user.updated", "k1")
		c := event(tn.ID, "user.updated", "")
		d := event(tn.ID, "user.updated", "")
		res := f.publish(tn.ID, base, a, b, c, d)
		if res[0].Replayed || !res[1].Replayed || res[2].Replayed || res[3].Replayed {
			t.Fatalf("replayed flags = %v %v %v %v, want false true false false", res[0].Replayed, res[1].Replayed, res[2].Replayed, res[3].Replayed)
		}
		same(t, "replayed event", res[1].Event, a, normEvent)
		if !equalStrings(sortedAsc(ids(res[1].Deliveries)), sortedAsc(ids(res[0].Deliveries))) {
			t.Fatalf("replay deliveries %v, want %v", ids(res[1].Deliveries), ids(res[0].Deliveries))
		}
		list, _, err := f.s.ListDeliveries(f.ctx, store.DeliveryFilter{TenantID: tn.ID})
		if err != nil || len(list) != 3 {
			t.Fatalf("%d deliveries stored (%v), want 3 (events without a key are never replays)", len(list), err)
		}
	}},
	{"BatchIsAtomic", func(t *testing.T, f *fixture) {
		e := event("ghost", "user.created", "")
		_, err := f.s.Publish(f.ctx, store.PublishParams{TenantID: "ghost", Events: []domain.Event{e}, Match: subscribes, Now: base})
		wantCode(t, err, domain.ENOTFOUND)

		// A failing event (an id already used) fails the whole batch.
		tn := f.tenant(0)
		f.webhook(tn.ID)
		dup := event(tn.ID, "user.created", "")
		f.publish(tn.ID, base, dup)
		fresh := event(tn.ID, "user.created", "fresh-key")
		again := dup
		again.IdempotencyKey = ""
		_, err = f.s.Publish(f.ctx, store.PublishParams{TenantID: tn.ID, Events: []domain.Event{fresh, again}, Match: subscribes, Now: base})
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
		if r := f.publish(tn.ID, base, fresh)[0]; r.Replayed {
			t.Fatal("key of a failed batch was remembered")
		}
	}},
	{"LeasedCreation", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		f.webhook(tn.ID)
		until := base.Add(30 * time.Second)
		res, err := f.s.Publish(f.ctx, store.PublishParams{
			TenantID: tn.ID, Events: []domain.Event{event(tn.ID, "user.created", "")}, Match: subscribes,
			Now: base, LeaseOwner: "node-a", LeaseUntil: until,
		})
		if err != nil {
			t.Fatalf("Publish: %v", err)
		}
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
		_, err = f.s.Resend(f.ctx, tn.ID, d.ID, base.Add(time.Second))
		wantCode(t, err, domain.ECONFLICT)
		jobs := f.claim("node-b", until.Add(time.Millisecond), until.Add(time.Minute), 10)
		if len(jobs) != 1 || jobs[0].Delivery.ID != d.ID {
			t.Fatalf("after lease expiry claimed %v, want [%s]", jobIDs(jobs), d.ID)
		}
	}},
	{"LeaseOnlyChosenWebhooks", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		hot := f.webhook(tn.ID)
		cold := f.webhook(tn.ID)
		until := base.Add(30 * time.Second)
		asked := map[string]int{}
		events := []domain.Event{event(tn.ID, "user.created", ""), event(tn.ID, "user.created", ""), event(tn.ID, "user.created", "")}
		res, err := f.s.Publish(f.ctx, store.PublishParams{
			TenantID: tn.ID, Events: events, Match: subscribes, Now: base, LeaseOwner: "node-a", LeaseUntil: until,
			LeaseWebhook: func(webhookID string) bool { asked[webhookID]++; return webhookID == cold.ID },
		})
		if err != nil {
			t.Fatalf("Publish: %v", err)
		}
		if asked[hot.ID] < 1 || asked[cold.ID] < 1 {
			t.Fatalf("LeaseWebhook asked %v, want each webhook asked", asked)
		}
		var hotIDs []string
		for _, r := range res {
			for _, d := range r.Deliveries {
				if d.WebhookID == hot.ID {
					hotIDs = append(hotIDs, d.ID)
				}
			}
		}
		// The hot webhook's deliveries were stored unleased: another node
		// claims them at once; the cold one's stay leased to node-a.
		jobs := f.claim("node-b", base, base.Add(time.Minute), 10)
		if got, want := jobIDs(jobs), sortedAsc(hotIDs); len(want) != 3 || !equalStrings(got, want) {
			t.Fatalf("node-b claimed %v, want the 3 unleased deliveries %v", got, want)
		}
		if jobs := f.claim("node-b", until.Add(-time.Microsecond), until.Add(time.Minute), 10); len(jobs) != 0 {
			t.Fatalf("node-b claimed %d leased deliveries before their lease expired", len(jobs))
		}
	}},
}

func sortedAsc(ss []string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	return out
}

func deliveryHooks(ds []domain.Delivery) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.WebhookID
	}
	return out
}
