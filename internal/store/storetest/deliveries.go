package storetest

import (
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// listAll pages through ListDeliveries with page size limit and returns the
// ids in the order listed.
func (f *fixture) listAll(flt store.DeliveryFilter, limit int) []string {
	f.t.Helper()
	var out []string
	flt.Limit = limit
	for range 1000 {
		list, next, err := f.s.ListDeliveries(f.ctx, flt)
		if err != nil {
			f.t.Fatalf("ListDeliveries(%+v): %v", flt, err)
		}
		if len(list) > limit {
			f.t.Fatalf("page of %d, limit %d", len(list), limit)
		}
		for _, d := range list {
			if d.TenantID != flt.TenantID {
				f.t.Fatalf("listed a delivery of tenant %s for %s", d.TenantID, flt.TenantID)
			}
			out = append(out, d.ID)
		}
		if next == "" {
			return out
		}
		flt.Cursor = next
	}
	f.t.Fatal("pagination does not end")
	return nil
}

var deliveryTests = []test{
	{"ListFiltersAndPagination", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w1 := f.webhook(tn.ID, "*")
		w2 := f.webhook(tn.ID, "user.*")
		other := f.tenant(0)
		f.webhook(other.ID, "*")
		f.deliveries(other.ID, base, 3)

		// Three publishes a minute apart: user.created (w1, w2),
		// course.completed (w1), user.deleted (w1, w2).
		r1 := f.publish(tn.ID, base, f.event(tn.ID, "user.created", ""))[0]
		r2 := f.publish(tn.ID, base.Add(time.Minute), f.event(tn.ID, "course.completed", ""))[0]
		r3 := f.publish(tn.ID, base.Add(2*time.Minute), f.event(tn.ID, "user.deleted", ""))[0]
		var all []domain.Delivery
		for _, r := range []store.PublishResult{r1, r2, r3} {
			all = append(all, r.Deliveries...)
		}
		// One of them succeeds, one fails.
		succ, fail := r1.Deliveries[0], r3.Deliveries[0]
		f.record(
			store.AttemptRecord{Attempt: f.attempt(&succ, base, 200, true), State: domain.Succeeded},
			store.AttemptRecord{Attempt: f.attempt(&fail, base, 500, false), State: domain.Failed},
		)

		pick := func(keep func(d domain.Delivery) bool) []string {
			var out []string
			for _, d := range all {
				if keep(d) {
					out = append(out, d.ID)
				}
			}
			return sortedDesc(out)
		}
		cases := []struct {
			name string
			flt  store.DeliveryFilter
			want []string
		}{
			{"all", store.DeliveryFilter{}, pick(func(domain.Delivery) bool { return true })},
			{"state", store.DeliveryFilter{State: domain.Scheduled}, pick(func(d domain.Delivery) bool { return d.ID != succ.ID && d.ID != fail.ID })},
			{"succeeded", store.DeliveryFilter{State: domain.Succeeded}, []string{succ.ID}},
			{"webhook", store.DeliveryFilter{WebhookID: w2.ID}, pick(func(d domain.Delivery) bool { return d.WebhookID == w2.ID })},
			{"event type", store.DeliveryFilter{EventType: "user.deleted"}, pick(func(d domain.Delivery) bool { return d.EventType == "user.deleted" })},
			{"event id", store.DeliveryFilter{EventID: r2.Event.ID}, pick(func(d domain.Delivery) bool { return d.EventID == r2.Event.ID })},
			{"since", store.DeliveryFilter{Since: base.Add(time.Minute)}, pick(func(d domain.Delivery) bool { return d.EventID != r1.Event.ID })},
			{"until", store.DeliveryFilter{Until: base.Add(time.Minute)}, pick(func(d domain.Delivery) bool { return d.EventID == r1.Event.ID })},
			{"range", store.DeliveryFilter{Since: base.Add(time.Minute), Until: base.Add(2 * time.Minute)}, pick(func(d domain.Delivery) bool { return d.EventID == r2.Event.ID })},
			{"combined", store.DeliveryFilter{WebhookID: w1.ID, State: domain.Scheduled, EventType: "user.created"}, pick(func(d domain.Delivery) bool {
				return d.WebhookID == w1.ID && d.EventType == "user.created" && d.ID != succ.ID
			})},
			{"none", store.DeliveryFilter{WebhookID: "wh_nope"}, nil},
		}
		for _, c := range cases {
			c.flt.TenantID = tn.ID
			for _, limit := range []int{1, 2, 100} {
				if got := f.listAll(c.flt, limit); !equalStrings(got, c.want) {
					t.Fatalf("%s (limit %d): listed %v, want %v", c.name, limit, got, c.want)
				}
			}
		}

		// Listed deliveries carry their current fields.
		list, _, err := f.s.ListDeliveries(f.ctx, store.DeliveryFilter{TenantID: tn.ID, State: domain.Failed})
		if err != nil || len(list) != 1 {
			t.Fatalf("ListDeliveries(failed) = %d, %v", len(list), err)
		}
		same(t, "listed delivery", list[0], *f.get(tn.ID, fail.ID), normDelivery)
		if list[0].LastStatus != 500 || list[0].Attempts != 1 {
			t.Fatalf("listed failed delivery: status %d, attempts %d; want 500, 1", list[0].LastStatus, list[0].Attempts)
		}
	}},
	{"CountPerState", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w1 := f.webhook(tn.ID, "*")
		f.webhook(tn.ID, "user.*")
		ds := f.deliveries(tn.ID, base, 4) // 8 deliveries
		f.deliveries(tn.ID, base.Add(time.Hour), 1)
		other := f.tenant(0)
		f.webhook(other.ID)
		f.deliveries(other.ID, base, 2)

		f.record(
			store.AttemptRecord{Attempt: f.attempt(&ds[0], base, 200, true), State: domain.Succeeded},
			store.AttemptRecord{Attempt: f.attempt(&ds[1], base, 200, true), State: domain.Succeeded},
			store.AttemptRecord{Attempt: f.attempt(&ds[2], base, 500, false), State: domain.Failed},
		)
		counts, err := f.s.CountDeliveries(f.ctx, store.DeliveryFilter{TenantID: tn.ID, Page: store.Page{Limit: 1}}, 0)
		if err != nil {
			t.Fatalf("CountDeliveries: %v", err)
		}
		want := map[domain.DeliveryState]int{domain.Scheduled: 7, domain.Succeeded: 2, domain.Failed: 1, domain.Canceled: 0}
		for _, st := range domain.DeliveryStates {
			if counts[st] != want[st] {
				t.Fatalf("counts = %v, want %v (the page's limit is ignored)", counts, want)
			}
		}
		counts, err = f.s.CountDeliveries(f.ctx, store.DeliveryFilter{TenantID: tn.ID, State: domain.Scheduled}, 0)
		if err != nil {
			t.Fatalf("CountDeliveries: %v", err)
		}
		if counts[domain.Scheduled] != 7 || counts[domain.Succeeded]+counts[domain.Failed]+counts[domain.Canceled] != 0 {
			t.Fatalf("counts of state scheduled = %v, want 7 scheduled alone", counts)
		}
		counts, err = f.s.CountDeliveries(f.ctx, store.DeliveryFilter{TenantID: tn.ID, WebhookID: w1.ID, Until: base.Add(time.Minute)}, 0)
		if err != nil {
			t.Fatalf("CountDeliveries: %v", err)
		}
		var w1Succ int
		for _, d := range ds[:3] {
			if d.WebhookID == w1.ID && d.ID != ds[2].ID {
				w1Succ++
			}
		}
		w1Failed := 0
		if ds[2].WebhookID == w1.ID {
			w1Failed = 1
		}
		if counts[domain.Succeeded] != w1Succ || counts[domain.Failed] != w1Failed || counts[domain.Scheduled] != 4-w1Succ-w1Failed {
			t.Fatalf("counts for w1 before +1m = %v; want %d succeeded, %d failed, %d scheduled", counts, w1Succ, w1Failed, 4-w1Succ-w1Failed)
		}
	}},
	{"CountNewestUpTo", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w1 := f.webhook(tn.ID, "*")
		f.webhook(tn.ID, "*")
		old := f.deliveries(tn.ID, base, 2) // 4 deliveries
		var recs []store.AttemptRecord
		for i := range old {
			recs = append(recs, store.AttemptRecord{Attempt: f.attempt(&old[i], base, 200, true), State: domain.Succeeded})
		}
		f.record(recs...)
		f.deliveries(tn.ID, base.Add(time.Minute), 3) // 6 newer, scheduled

		// The newest 5 are scheduled: the older, succeeded ones are not read.
		counts, err := f.s.CountDeliveries(f.ctx, store.DeliveryFilter{TenantID: tn.ID}, 5)
		if err != nil {
			t.Fatalf("CountDeliveries: %v", err)
		}
		if counts[domain.Scheduled] != 5 || counts[domain.Succeeded] != 0 {
			t.Fatalf("counts of the newest 5 = %v, want 5 scheduled", counts)
		}
		// Up to 8, past the newest 6: two of the succeeded ones.
		if counts, err = f.s.CountDeliveries(f.ctx, store.DeliveryFilter{TenantID: tn.ID}, 8); err != nil {
			t.Fatalf("CountDeliveries: %v", err)
		}
		if counts[domain.Scheduled] != 6 || counts[domain.Succeeded] != 2 {
			t.Fatalf("counts of the newest 8 = %v, want 6 scheduled, 2 succeeded", counts)
		}
		// Below the limit, the counts are exact, under every filter.
		counts, err = f.s.CountDeliveries(f.ctx, store.DeliveryFilter{TenantID: tn.ID, WebhookID: w1.ID, State: domain.Succeeded}, 100)
		if err != nil {
			t.Fatalf("CountDeliveries: %v", err)
		}
		if counts[domain.Succeeded] != 2 || counts[domain.Scheduled] != 0 {
			t.Fatalf("succeeded counts of w1 = %v, want 2 succeeded alone", counts)
		}
	}},
	{"GetIsTenantScoped", func(t *testing.T, f *fixture) {
		tn, other := f.tenant(0), f.tenant(0)
		f.webhook(tn.ID)
		d := f.deliveries(tn.ID, base, 1)[0]
		f.record(store.AttemptRecord{Attempt: f.attempt(&d, base, 200, true), State: domain.Succeeded})
		_, err := f.s.GetDelivery(f.ctx, other.ID, d.ID)
		wantCode(t, err, domain.ENOTFOUND)
		_, err = f.s.GetDelivery(f.ctx, tn.ID, "dlv_nope")
		wantCode(t, err, domain.ENOTFOUND)
		att, err := f.s.ListAttempts(f.ctx, other.ID, d.ID)
		if domain.ErrorCode(err) != domain.ENOTFOUND && (err != nil || len(att) != 0) {
			t.Fatalf("another tenant listed %d attempts (%v)", len(att), err)
		}
		list, _, err := f.s.ListDeliveries(f.ctx, store.DeliveryFilter{TenantID: other.ID, EventID: d.EventID})
		if err != nil || len(list) != 0 {
			t.Fatalf("another tenant listed %d deliveries (%v)", len(list), err)
		}
		_, err = f.s.Resend(f.ctx, other.ID, d.ID, base)
		wantCode(t, err, domain.ENOTFOUND)
	}},
}
