package storetest

import (
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

var attemptTests = []test{
	{"RecordRetryThenSuccess", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		f.webhook(tn.ID)
		d := f.deliveries(tn.ID, base, 1)[0]
		jobs := f.claim("n1", base, base.Add(10*time.Minute), 1)
		if len(jobs) != 1 {
			t.Fatalf("claimed %d", len(jobs))
		}

		// First try fails with a timeout: retry in a minute.
		a1 := f.attempt(&d, base.Add(time.Second), 0, false)
		a1.Error = "context deadline exceeded"
		a1.ResponseHeaders, a1.ResponseBody = nil, nil
		retryAt := base.Add(time.Minute)
		f.record(store.AttemptRecord{Attempt: a1, State: domain.Scheduled, NextAttemptAt: retryAt})
		got := f.get(tn.ID, d.ID)
		if got.State != domain.Scheduled || got.Attempts != 1 || !got.NextAttemptAt.Equal(retryAt) {
			t.Fatalf("after a failed try: state %s, attempts %d, next %v; want scheduled, 1, %v", got.State, got.Attempts, got.NextAttemptAt, retryAt)
		}
		if got.LastStatus != 0 || got.LastError != a1.Error {
			t.Fatalf("last status %d, error %q; want 0, %q", got.LastStatus, got.LastError, a1.Error)
		}
		if got.UpdatedAt.Before(base) {
			t.Fatalf("UpdatedAt %v went back before the delivery's creation", got.UpdatedAt)
		}
		// The lease is gone: another node claims the retry when it is due,
		// long before the original lease would have expired.
		if j := f.claim("n2", retryAt.Add(-time.Second), retryAt.Add(time.Minute), 10); len(j) != 0 {
			t.Fatalf("retry claimed %d before its time", len(j))
		}
		jobs = f.claim("n2", retryAt, retryAt.Add(time.Minute), 10)
		if len(jobs) != 1 || jobs[0].Delivery.Attempts != 1 {
			t.Fatalf("retry claim = %v", jobs)
		}

		// Second try succeeds.
		d2 := jobs[0].Delivery
		a2 := f.attempt(&d2, retryAt.Add(time.Second), 204, true)
		f.record(store.AttemptRecord{Attempt: a2, State: domain.Succeeded})
		got = f.get(tn.ID, d.ID)
		if got.State != domain.Succeeded || got.Attempts != 2 || !got.NextAttemptAt.IsZero() || got.LastStatus != 204 || got.LastError != "" {
			t.Fatalf("after success: %+v", got)
		}

		atts, err := f.s.ListAttempts(f.ctx, tn.ID, d.ID)
		if err != nil {
			t.Fatalf("ListAttempts: %v", err)
		}
		if len(atts) != 2 {
			t.Fatalf("%d attempts, want 2", len(atts))
		}
		same(t, "first attempt", atts[0], a1, normAttempt)
		same(t, "second attempt", atts[1], a2, normAttempt)
	}},
	{"RecordFailed", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		f.webhook(tn.ID)
		d := f.deliveries(tn.ID, base, 1)[0]
		a := f.attempt(&d, base, 503, false)
		a.Error = "status 503 is not a success"
		a.Trigger = domain.TriggerManual
		f.record(store.AttemptRecord{Attempt: a, State: domain.Failed})
		got := f.get(tn.ID, d.ID)
		if got.State != domain.Failed || got.Attempts != 1 || !got.NextAttemptAt.IsZero() || got.LastStatus != 503 || got.LastError != a.Error {
			t.Fatalf("after a final failure: %+v", got)
		}
		atts, err := f.s.ListAttempts(f.ctx, tn.ID, d.ID)
		if err != nil || len(atts) != 1 {
			t.Fatalf("ListAttempts = %d, %v", len(atts), err)
		}
		same(t, "attempt", atts[0], a, normAttempt)
	}},
	{"CanceledStaysCanceled", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.webhook(tn.ID)
		d := f.deliveries(tn.ID, base, 1)[0]
		if j := f.claim("n1", base, base.Add(time.Minute), 1); len(j) != 1 {
			t.Fatalf("claimed %d", len(j))
		}
		// The webhook is disabled while the attempt is in flight.
		if err := f.s.DisableWebhook(f.ctx, w.ID, "410 Gone", base); err != nil {
			t.Fatalf("DisableWebhook: %v", err)
		}
		a := f.attempt(&d, base, 500, false)
		f.record(store.AttemptRecord{Attempt: a, State: domain.Scheduled, NextAttemptAt: base.Add(time.Minute)})
		got := f.get(tn.ID, d.ID)
		if got.State != domain.Canceled || !got.NextAttemptAt.IsZero() {
			t.Fatalf("canceled delivery became %s (next %v) after an attempt", got.State, got.NextAttemptAt)
		}
		if got.Attempts != 1 || got.LastStatus != 500 {
			t.Fatalf("canceled delivery: attempts %d, status %d; want 1, 500", got.Attempts, got.LastStatus)
		}
		atts, err := f.s.ListAttempts(f.ctx, tn.ID, d.ID)
		if err != nil || len(atts) != 1 {
			t.Fatalf("ListAttempts = %d, %v; want the attempt kept", len(atts), err)
		}
		if j := f.claim("n2", base.Add(time.Hour), base.Add(2*time.Hour), 10); len(j) != 0 {
			t.Fatalf("claimed %d canceled deliveries", len(j))
		}
	}},
	{"RecordManyInOneCall", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		f.webhook(tn.ID)
		ds := f.deliveries(tn.ID, base, 50)
		recs := make([]store.AttemptRecord, len(ds))
		for i := range ds {
			recs[i] = store.AttemptRecord{Attempt: f.attempt(&ds[i], base, 200, true), State: domain.Succeeded}
		}
		f.record(recs...)
		counts, err := f.s.CountDeliveries(f.ctx, store.DeliveryFilter{TenantID: tn.ID}, 0)
		if err != nil || counts[domain.Succeeded] != 50 || counts[domain.Scheduled] != 0 {
			t.Fatalf("counts = %v, %v; want 50 succeeded", counts, err)
		}
		if err := f.s.RecordAttempts(f.ctx, nil); err != nil {
			t.Fatalf("RecordAttempts(nil): %v", err)
		}
	}},
	{"RecordOfAGoneDelivery", func(t *testing.T, f *fixture) {
		// The tenant was deleted while the attempt was in flight: the
		// record is dropped, and the others of the call are written.
		gone, kept := f.tenant(0), f.tenant(0)
		f.webhook(gone.ID)
		f.webhook(kept.ID)
		lost, d := f.deliveries(gone.ID, base, 1)[0], f.deliveries(kept.ID, base, 1)[0]
		if err := f.s.DeleteTenant(f.ctx, gone.ID); err != nil {
			t.Fatalf("DeleteTenant: %v", err)
		}
		f.record(
			store.AttemptRecord{Attempt: f.attempt(&lost, base, 200, true), State: domain.Succeeded},
			store.AttemptRecord{Attempt: f.attempt(&d, base, 200, true), State: domain.Succeeded},
		)
		if got := f.get(kept.ID, d.ID); got.State != domain.Succeeded || got.Attempts != 1 {
			t.Fatalf("delivery recorded with a gone one: %s with %d attempts, want succeeded with 1", got.State, got.Attempts)
		}
		if atts, err := f.s.ListAttempts(f.ctx, gone.ID, lost.ID); err != nil || len(atts) != 0 {
			t.Fatalf("ListAttempts of a deleted tenant's delivery = %d attempts (%v), want none", len(atts), err)
		}
	}},
	{"AttemptSamplesWindow", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		f.webhook(tn.ID, "user.*")
		f.webhook(tn.ID, "user.*")
		other := f.tenant(0)
		f.webhook(other.ID)
		ods := f.deliveries(other.ID, base, 1)
		ds := f.deliveries(tn.ID, base, 2) // 4 deliveries
		var recs []store.AttemptRecord
		for i := range ds {
			a := f.attempt(&ds[i], base.Add(time.Duration(i)*time.Minute), 200, i%2 == 0)
			a.Duration = time.Duration(i+1) * time.Millisecond
			recs = append(recs, store.AttemptRecord{Attempt: a, State: domain.Succeeded})
		}
		recs = append(recs, store.AttemptRecord{Attempt: f.attempt(&ods[0], base.Add(time.Minute), 200, true), State: domain.Succeeded})
		f.record(recs...)

		// [base+1m, base+3m) holds attempts 1 and 2.
		samples, err := f.s.AttemptSamples(f.ctx, tn.ID, base.Add(time.Minute), base.Add(3*time.Minute))
		if err != nil {
			t.Fatalf("AttemptSamples: %v", err)
		}
		if len(samples) != 2 {
			t.Fatalf("%d samples, want 2: %+v", len(samples), samples)
		}
		for _, s := range samples {
			var i int
			switch {
			case s.StartedAt.Equal(base.Add(time.Minute)):
				i = 1
			case s.StartedAt.Equal(base.Add(2 * time.Minute)):
				i = 2
			default:
				t.Fatalf("sample started at %v is outside the window", s.StartedAt)
			}
			if s.WebhookID != ds[i].WebhookID || s.Duration != time.Duration(i+1)*time.Millisecond || s.Success != (i%2 == 0) {
				t.Fatalf("sample %+v does not match attempt %d (webhook %s)", s, i, ds[i].WebhookID)
			}
		}
	}},
}

var recoveryTests = []test{
	{"ResendStartsAFreshSchedule", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		f.webhook(tn.ID)
		d := f.deliveries(tn.ID, base, 1)[0]
		f.record(store.AttemptRecord{Attempt: f.attempt(&d, base, 500, false), State: domain.Scheduled, NextAttemptAt: base.Add(time.Minute)})
		d.Attempts = 1
		f.record(store.AttemptRecord{Attempt: f.attempt(&d, base.Add(time.Minute), 500, false), State: domain.Failed})

		now := base.Add(time.Hour)
		got, err := f.s.Resend(f.ctx, tn.ID, d.ID, now)
		if err != nil {
			t.Fatalf("Resend: %v", err)
		}
		if got.State != domain.Scheduled || got.Attempts != 2 || got.RetryFrom != 2 || !got.NextAttemptAt.Equal(now) {
			t.Fatalf("resent delivery: state %s, attempts %d, retry from %d, next %v; want scheduled, 2, 2, %v",
				got.State, got.Attempts, got.RetryFrom, got.NextAttemptAt, now)
		}
		same(t, "stored resent delivery", *f.get(tn.ID, d.ID), *got, normDelivery)
		j := f.claim("n1", now, now.Add(time.Minute), 10)
		if len(j) != 1 || j[0].Delivery.ID != d.ID {
			t.Fatalf("claimed %v after resend, want [%s]", jobIDs(j), d.ID)
		}
		// In flight now: a second resend is refused.
		_, err = f.s.Resend(f.ctx, tn.ID, d.ID, now)
		wantCode(t, err, domain.ECONFLICT)
		_, err = f.s.Resend(f.ctx, tn.ID, "dlv_nope", now)
		wantCode(t, err, domain.ENOTFOUND)
	}},
	{"ResendSucceededAndCanceled", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.webhook(tn.ID)
		ds := f.deliveries(tn.ID, base, 2)
		f.record(store.AttemptRecord{Attempt: f.attempt(&ds[0], base, 200, true), State: domain.Succeeded})
		if err := f.s.DisableWebhook(f.ctx, w.ID, "", base); err != nil {
			t.Fatalf("DisableWebhook: %v", err)
		}
		for i, want := range []int{1, 0} {
			got, err := f.s.Resend(f.ctx, tn.ID, ds[i].ID, base.Add(time.Minute))
			if err != nil {
				t.Fatalf("Resend: %v", err)
			}
			if got.State != domain.Scheduled || got.RetryFrom != want {
				t.Fatalf("resent delivery %d: state %s, retry from %d; want scheduled, %d", i, got.State, got.RetryFrom, want)
			}
		}
	}},
	{"Recover", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.webhook(tn.ID)
		keep := f.webhook(tn.ID)
		// Four deliveries to w, created at base, +1m, +2m, +3m.
		var mine []domain.Delivery
		for i := range 4 {
			for _, r := range f.publish(tn.ID, base.Add(time.Duration(i)*time.Minute), f.event(tn.ID, "user.created", "")) {
				for _, d := range r.Deliveries {
					if d.WebhookID == w.ID {
						mine = append(mine, d)
					} else {
						f.record(store.AttemptRecord{Attempt: f.attempt(&d, base, 500, false), State: domain.Failed})
					}
				}
			}
		}
		// +0m failed, +1m failed (after 3 tries), +2m succeeded, +3m failed.
		f.record(store.AttemptRecord{Attempt: f.attempt(&mine[0], base, 500, false), State: domain.Failed})
		m1 := mine[1]
		m1.Attempts = 2 // pretend two earlier tries
		f.record(store.AttemptRecord{Attempt: f.attempt(&m1, base, 500, false), State: domain.Failed})
		f.record(store.AttemptRecord{Attempt: f.attempt(&mine[2], base, 200, true), State: domain.Succeeded})
		f.record(store.AttemptRecord{Attempt: f.attempt(&mine[3], base, 500, false), State: domain.Failed})

		now := base.Add(time.Hour)
		n, err := f.s.Recover(f.ctx, store.RecoverParams{TenantID: tn.ID, WebhookID: w.ID, Since: base, Until: base.Add(3 * time.Minute), Now: now})
		if err != nil {
			t.Fatalf("Recover: %v", err)
		}
		if n != 2 {
			t.Fatalf("recovered %d, want 2", n)
		}
		for i, want := range []domain.DeliveryState{domain.Scheduled, domain.Scheduled, domain.Succeeded, domain.Failed} {
			got := f.get(tn.ID, mine[i].ID)
			if got.State != want {
				t.Fatalf("delivery %d is %s, want %s", i, got.State, want)
			}
			if want == domain.Scheduled && (!got.NextAttemptAt.Equal(now) || got.RetryFrom != got.Attempts) {
				t.Fatalf("recovered delivery %d: next %v, retry from %d, attempts %d; want due now with a fresh schedule", i, got.NextAttemptAt, got.RetryFrom, got.Attempts)
			}
		}
		// The other webhook's failures are untouched.
		counts, err := f.s.CountDeliveries(f.ctx, store.DeliveryFilter{TenantID: tn.ID, WebhookID: keep.ID}, 0)
		if err != nil || counts[domain.Failed] != 4 {
			t.Fatalf("other webhook counts = %v, %v; want 4 failed", counts, err)
		}

		// Canceled deliveries recover too; a zero Until means now.
		ds := f.deliveries(tn.ID, base.Add(2*time.Hour), 1)
		if err := f.s.DisableWebhook(f.ctx, w.ID, "", base.Add(2*time.Hour)); err != nil {
			t.Fatalf("DisableWebhook: %v", err)
		}
		n, err = f.s.Recover(f.ctx, store.RecoverParams{TenantID: tn.ID, WebhookID: w.ID, Since: base.Add(90 * time.Minute), Now: base.Add(3 * time.Hour)})
		if err != nil || n != 1 {
			t.Fatalf("Recover canceled = %d, %v; want 1", n, err)
		}
		for _, d := range ds {
			if d.WebhookID == w.ID {
				if got := f.get(tn.ID, d.ID); got.State != domain.Scheduled {
					t.Fatalf("canceled delivery recovered to %s", got.State)
				}
			}
		}

		_, err = f.s.Recover(f.ctx, store.RecoverParams{TenantID: tn.ID, WebhookID: "wh_nope", Since: base, Now: now})
		wantCode(t, err, domain.ENOTFOUND)
		other := f.tenant(0)
		_, err = f.s.Recover(f.ctx, store.RecoverParams{TenantID: other.ID, WebhookID: w.ID, Since: base, Now: now})
		wantCode(t, err, domain.ENOTFOUND)
	}},
}
