package storetest

import (
	"maps"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

// hourCountTests check that the counts a store keeps per hour follow every
// write that makes, changes or removes a delivery: after each step they
// must equal an exact count of the deliveries themselves.
var hourCountTests = []test{
	{"FollowEveryStateChange", testHourCountsFollowStates},
	{"FollowRemovals", testHourCountsFollowRemovals},
	{"FollowPartitionsAndRetention", testHourCountsFollowRetention},
}

// hourCounts returns CountDeliveriesByHour as a map by hour, without the
// all-zero hours, and checks its order and hours.
func (f *fixture) hourCounts(tenantID string, since, until time.Time) map[time.Time]map[domain.DeliveryState]int {
	f.t.Helper()
	got, err := f.s.CountDeliveriesByHour(f.ctx, tenantID, since, until)
	if err != nil {
		f.t.Fatalf("CountDeliveriesByHour: %v", err)
	}
	out := map[time.Time]map[domain.DeliveryState]int{}
	for i, h := range got {
		if !h.Hour.Equal(h.Hour.Truncate(time.Hour)) || h.Hour.Location() != time.UTC {
			f.t.Fatalf("hour %v is not a whole UTC hour", h.Hour)
		}
		if i > 0 && !got[i-1].Hour.Before(h.Hour) {
			f.t.Fatalf("hours out of order: %v then %v", got[i-1].Hour, h.Hour)
		}
		if h.Hour.Before(since.Truncate(time.Hour)) || !h.Hour.Before(until) {
			f.t.Fatalf("hour %v outside [%v, %v)", h.Hour, since, until)
		}
		counts := map[domain.DeliveryState]int{}
		for st, n := range h.Counts {
			if !st.Valid() {
				f.t.Fatalf("hour %v: unknown state %q", h.Hour, st)
			}
			if n != 0 {
				counts[st] = n
			}
		}
		if len(counts) > 0 {
			out[h.Hour] = counts
		}
	}
	return out
}

// checkHourCounts fails the test unless the kept counts of each hour of
// [since, until) equal CountDeliveries over that hour.
func (f *fixture) checkHourCounts(step, tenantID string, since, until time.Time) {
	f.t.Helper()
	kept := f.hourCounts(tenantID, since, until)
	for h := since; h.Before(until); h = h.Add(time.Hour) {
		exact, err := f.s.CountDeliveries(f.ctx, store.DeliveryFilter{TenantID: tenantID, Since: h, Until: h.Add(time.Hour)}, 0)
		if err != nil {
			f.t.Fatalf("%s: CountDeliveries: %v", step, err)
		}
		maps.DeleteFunc(exact, func(_ domain.DeliveryState, n int) bool { return n == 0 })
		if len(exact) == 0 {
			exact = nil
		}
		if !maps.Equal(kept[h], exact) {
			f.t.Fatalf("%s: hour %v: kept counts %v, exact %v", step, h.Format(time.RFC3339), kept[h], exact)
		}
	}
}

// testHourCountsFollowStates walks deliveries of three hours through
// every state change: publish, success, retry, failure, cancel on disable,
// resend, recover, skip of an ordered delivery, a webhook deleted.
func testHourCountsFollowStates(t *testing.T, f *fixture) {
	tn := f.tenant(0)
	other := f.tenant(0)
	a, b := f.webhook(tn.ID), f.webhook(tn.ID)
	f.webhook(other.ID)
	h0 := base.Truncate(time.Hour)
	since, until := h0.Add(-time.Hour), h0.Add(4*time.Hour)
	// base is mid-hour; the second publish lands on the next hour's very
	// first microsecond, the third just before the hour after ends.
	f.deliveries(tn.ID, base, 3)
	f.deliveries(tn.ID, h0.Add(time.Hour), 2)
	f.deliveries(tn.ID, h0.Add(3*time.Hour-time.Microsecond), 1)
	f.deliveries(other.ID, base, 4)
	f.checkHourCounts("published", tn.ID, since, until)
	if got := f.hourCounts(tn.ID, since, until); got[h0][domain.Scheduled] != 6 || got[h0.Add(2*time.Hour)][domain.Scheduled] != 2 {
		t.Fatalf("after publishing, kept counts %v; want 6 scheduled at %v and 2 at %v", got, h0, h0.Add(2*time.Hour))
	}
	f.checkHourCounts("other tenant", other.ID, since, until)

	// One success, one failure for good, one retry, per webhook a, in
	// one record call; b's go through on their own.
	now := h0.Add(4 * time.Hour)
	jobs := f.claim("n1", now, now.Add(time.Minute), 100)
	var recs []store.AttemptRecord
	var failed, retried domain.Delivery
	for i, j := range jobs {
		d := j.Delivery
		if d.TenantID != tn.ID {
			continue
		}
		switch {
		case d.WebhookID == b.ID:
			recs = append(recs, store.AttemptRecord{Attempt: f.attempt(&d, now, 200, true), State: domain.Succeeded})
		case i%3 == 0:
			recs = append(recs, store.AttemptRecord{Attempt: f.attempt(&d, now, 500, false), State: domain.Failed})
			failed = d
		case i%3 == 1:
			recs = append(recs, store.AttemptRecord{Attempt: f.attempt(&d, now, 503, false), State: domain.Scheduled, NextAttemptAt: now.Add(time.Hour)})
			retried = d
		default:
			recs = append(recs, store.AttemptRecord{Attempt: f.attempt(&d, now, 204, true), State: domain.Succeeded})
		}
	}
	if failed.ID == "" || retried.ID == "" {
		t.Fatalf("claimed %d jobs: no failure or retry among them", len(jobs))
	}
	f.record(recs...)
	f.checkHourCounts("recorded", tn.ID, since, until)

	// Disabling a cancels its scheduled deliveries.
	a.Enabled = false
	if _, err := f.s.UpdateWebhook(f.ctx, a, now); err != nil {
		t.Fatalf("UpdateWebhook: %v", err)
	}
	f.checkHourCounts("webhook disabled", tn.ID, since, until)
	a.Enabled = true
	if _, err := f.s.UpdateWebhook(f.ctx, a, now); err != nil {
		t.Fatalf("UpdateWebhook: %v", err)
	}
	if _, err := f.s.Resend(f.ctx, tn.ID, failed.ID, now); err != nil {
		t.Fatalf("Resend: %v", err)
	}
	f.checkHourCounts("resent", tn.ID, since, until)
	if n, err := f.s.Recover(f.ctx, store.RecoverParams{TenantID: tn.ID, WebhookID: a.ID, Since: since, Until: until, Now: now}); err != nil || n == 0 {
		t.Fatalf("Recover = %d, %v; want the canceled deliveries", n, err)
	}
	f.checkHourCounts("recovered", tn.ID, since, until)

	// An ordered delivery skipped while scheduled is canceled.
	o := f.orderedHook(tn.ID, domain.OrderingKey, domain.FailureBlock)
	ods := f.publishKeys(o, h0.Add(time.Hour+time.Minute), "k1", "k1")
	if _, err := f.s.SkipDelivery(f.ctx, tn.ID, ods[0].ID, now); err != nil {
		t.Fatalf("SkipDelivery: %v", err)
	}
	f.checkHourCounts("skipped", tn.ID, since, until)

	// Deleting a webhook cancels what it still had scheduled.
	if err := f.s.DeleteWebhook(f.ctx, tn.ID, a.ID, now); err != nil {
		t.Fatalf("DeleteWebhook: %v", err)
	}
	f.checkHourCounts("webhook deleted", tn.ID, since, until)
	if got := f.hourCounts(tn.ID, since, until); got[h0][domain.Canceled] == 0 || got[h0][domain.Succeeded] == 0 {
		t.Fatalf("kept counts %v: want canceled and succeeded deliveries at %v", got, h0)
	}
	f.checkHourCounts("other tenant at the end", other.ID, since, until)

	// A range past the deliveries counts none; hours are truncated.
	if got := f.hourCounts(tn.ID, until, until.Add(24*time.Hour)); len(got) != 0 {
		t.Fatalf("kept counts after the last delivery: %v", got)
	}
	if got := f.hourCounts(tn.ID, base, h0.Add(time.Hour)); got[h0][domain.Succeeded] == 0 {
		t.Fatalf("a range starting mid-hour (%v) left out its hour: %v", base, got)
	}
}

// testHourCountsFollowRemovals: a deleted tenant leaves no counts, not
// even for a tenant made again with its id.
func testHourCountsFollowRemovals(t *testing.T, f *fixture) {
	tn := f.tenant(0)
	f.webhook(tn.ID)
	h0 := base.Truncate(time.Hour)
	f.deliveries(tn.ID, base, 3)
	if err := f.s.DeleteTenant(f.ctx, tn.ID); err != nil {
		t.Fatalf("DeleteTenant: %v", err)
	}
	again := *tn
	if err := f.s.CreateTenant(f.ctx, &again); err != nil {
		t.Fatalf("CreateTenant again: %v", err)
	}
	if got := f.hourCounts(tn.ID, h0, h0.Add(time.Hour)); len(got) != 0 {
		t.Fatalf("a deleted tenant's counts live on: %v", got)
	}
	f.webhook(tn.ID)
	f.deliveries(tn.ID, base, 1)
	f.checkHourCounts("tenant made again", tn.ID, h0, h0.Add(time.Hour))
}

// testHourCountsFollowRetention: deliveries stored before their day's
// partition existed, then moved into it, then removed by retention (the
// day dropped at once where a store drops partitions, row by row where it
// holds a scheduled delivery or has no partition) leave the counts exact.
func testHourCountsFollowRetention(t *testing.T, f *fixture) {
	// Rows age by the times in their ids: a fake clock ten days back.
	clk := clock.NewFake(time.Now().UTC().AddDate(0, 0, -11).Truncate(time.Hour).Add(90 * time.Minute))
	f.ids = id.NewGenerator(clk)
	tn := f.tenant(0)
	f.webhook(tn.ID)
	day0 := clk.Now()
	done := f.deliveries(tn.ID, day0, 1)
	clk.Advance(24 * time.Hour)
	day1 := clk.Now()
	done = append(done, f.deliveries(tn.ID, day1, 3)...)
	clk.Advance(24 * time.Hour)
	day2 := clk.Now()
	pinned := f.deliveries(tn.ID, day2, 2)
	since, until := day0.Truncate(time.Hour), day2.Add(time.Hour)

	// Days 1 and 2 get their partitions after their rows (which move
	// in); day 0 none, where a store has partitions (a default one holds
	// its rows).
	if err := f.s.EnsurePartitions(f.ctx, day1, day2); err != nil {
		t.Fatalf("EnsurePartitions: %v", err)
	}
	f.checkHourCounts("partitions made", tn.ID, since, until)

	var recs []store.AttemptRecord
	for _, j := range f.claim("n1", day2, day2.Add(time.Minute), 10) {
		d := j.Delivery
		if d.ID == pinned[0].ID {
			continue // stays scheduled: its day is kept
		}
		recs = append(recs, store.AttemptRecord{Attempt: f.attempt(&d, day2, 200, true), State: domain.Succeeded})
	}
	f.record(recs...)
	f.checkHourCounts("recorded", tn.ID, since, until)

	// Retention of one day, five days on: days 0 and 1 go whole, day 2
	// but for its scheduled delivery.
	if _, _, err := f.s.ApplyRetention(f.ctx, clk.Now().AddDate(0, 0, 5), 1); err != nil {
		t.Fatalf("ApplyRetention: %v", err)
	}
	for _, d := range append(done, pinned[1]) {
		_, err := f.s.GetDelivery(f.ctx, tn.ID, d.ID)
		wantCode(t, err, domain.ENOTFOUND)
	}
	f.checkHourCounts("retention", tn.ID, since, until)
	got := f.hourCounts(tn.ID, since, until)
	if len(got) != 1 || got[day2.Truncate(time.Hour)][domain.Scheduled] != 1 {
		t.Fatalf("after retention, kept counts %v; want the scheduled delivery alone", got)
	}
}
