package service

import (
	"maps"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// Resend makes a delivery due now and says work is due; an unknown
// delivery is ENOTFOUND, one with an attempt in flight ECONFLICT, and
// neither says anything.
func TestDeliveriesResend(t *testing.T) {
	onEveryStore(t, func(t *testing.T, e *deliveriesEnv) {
		s := NewDeliveries(e.deps, nil)
		e.webhook("crm")
		ds := e.publish(2)
		e.fail(ds[0])
		e.clock.Advance(time.Minute)

		got, err := s.Resend(e.ctx, "acme", ds[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != domain.Scheduled || !got.NextAttemptAt.Equal(e.clock.Now()) {
			t.Fatalf("resent delivery %+v, want scheduled now", got)
		}
		if n := e.notice.due.Load(); n != 1 {
			t.Fatalf("WorkDue said %d times, want 1", n)
		}

		_, err = s.Resend(e.ctx, "acme", "dlv_nope")
		wantError(t, err, domain.ENOTFOUND, "")
		_, err = s.Resend(e.ctx, "other", ds[0].ID)
		wantError(t, err, domain.ENOTFOUND, "")

		// An attempt in flight: the delivery is leased.
		now := e.clock.Now()
		jobs, err := e.st.ClaimDue(e.ctx, store.ClaimParams{Owner: "n1", Now: now, LeaseUntil: now.Add(time.Minute), Limit: 10})
		if err != nil || len(jobs) == 0 {
			t.Fatalf("claim: %d jobs, %v", len(jobs), err)
		}
		_, err = s.Resend(e.ctx, "acme", jobs[0].Delivery.ID)
		wantError(t, err, domain.ECONFLICT, "")
		if n := e.notice.due.Load(); n != 1 {
			t.Fatalf("WorkDue said %d times after refusals, want still 1", n)
		}
	})
}

// Recover checks its range before anything, then schedules again the
// failed deliveries of one webhook, or of all, created in the range.
func TestDeliveriesRecover(t *testing.T) {
	onEveryStore(t, func(t *testing.T, e *deliveriesEnv) {
		s := NewDeliveries(e.deps, nil)
		crm, bi := e.webhook("crm"), e.webhook("bi")
		old := e.publish(1) // one delivery per webhook
		e.clock.Advance(time.Hour)
		since := e.clock.Now()
		recent := e.publish(2)
		e.fail(append(old, recent...)...)
		e.clock.Advance(time.Hour)
		now := e.clock.Now()

		for _, c := range []struct {
			name  string
			r     RecoverRange
			field string
		}{
			{"no since", RecoverRange{WebhookID: crm.ID}, "since"},
			{"until before since", RecoverRange{WebhookID: crm.ID, Since: now.Add(-time.Minute), Until: now.Add(-2 * time.Minute)}, "until"},
			{"until at since", RecoverRange{WebhookID: crm.ID, Since: since, Until: since}, "until"},
			{"future", RecoverRange{WebhookID: crm.ID, Since: now.Add(time.Second)}, "since"},
		} {
			c.r.TenantID = "acme"
			_, err := s.Recover(e.ctx, c.r)
			if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != c.field {
				t.Errorf("%s: %v, want invalid %s", c.name, err, c.field)
			}
		}
		_, err := s.Recover(e.ctx, RecoverRange{TenantID: "acme", WebhookID: "wh_nope", Since: since})
		wantError(t, err, domain.ENOTFOUND, "")
		if n := e.notice.due.Load(); n != 0 {
			t.Fatalf("WorkDue said %d times after refusals, want 0", n)
		}

		n, err := s.Recover(e.ctx, RecoverRange{TenantID: "acme", WebhookID: crm.ID, Since: since})
		if err != nil || n != 2 {
			t.Fatalf("recover crm: %d, %v; want 2", n, err)
		}
		if got := e.notice.due.Load(); got != 1 {
			t.Fatalf("WorkDue said %d times, want 1", got)
		}
		for _, d := range recent {
			want := domain.Failed
			if d.WebhookID == crm.ID {
				want = domain.Scheduled
			}
			if got := e.state(d.ID); got != want {
				t.Errorf("recent delivery of %s is %s, want %s", d.WebhookID, got, want)
			}
		}
		// Every webhook: bi's recent ones; the older ones stay failed.
		n, err = s.Recover(e.ctx, RecoverRange{TenantID: "acme", Since: since})
		if err != nil || n != 2 {
			t.Fatalf("recover all: %d, %v; want bi's 2", n, err)
		}
		for _, d := range old {
			if got := e.state(d.ID); got != domain.Failed {
				t.Errorf("older delivery is %s, want failed", got)
			}
		}
		// Nothing left to recover: no notice.
		if n, err = s.Recover(e.ctx, RecoverRange{TenantID: "acme", WebhookID: bi.ID, Since: since}); err != nil || n != 0 {
			t.Fatalf("recover again: %d, %v", n, err)
		}
		if got := e.notice.due.Load(); got != 2 {
			t.Fatalf("WorkDue said %d times, want 2", got)
		}
	})
}

// The audit list checks its filter, lists newest first by pages, and
// counts every state.
func TestDeliveriesAudit(t *testing.T) {
	onEveryStore(t, func(t *testing.T, e *deliveriesEnv) {
		s := NewDeliveries(e.deps, nil)
		e.webhook("crm")
		ds := e.publish(3)
		e.fail(ds[0])

		bad := []struct {
			f     AuditFilter
			field string
		}{
			{AuditFilter{State: "lost"}, "state"},
			{AuditFilter{Since: deliveriesStart, Until: deliveriesStart}, "until"},
			{AuditFilter{Page: store.Page{Cursor: "wh_01j9x2k7m3"}}, "cursor"},
			{AuditFilter{Page: store.Page{Limit: store.MaxListLimit + 1}}, "limit"},
			{AuditFilter{Page: store.Page{Limit: -1}}, "limit"},
		}
		for _, c := range bad {
			c.f.TenantID = "acme"
			_, err := s.Audit(e.ctx, c.f, ExactCounts)
			wantError(t, err, domain.EINVALID, c.field)
		}
		_, err := s.Audit(e.ctx, AuditFilter{TenantID: "nobody"}, NoCounts)
		wantError(t, err, domain.ENOTFOUND, "")

		a, err := s.Audit(e.ctx, AuditFilter{TenantID: "acme", Page: store.Page{Limit: 2}}, ExactCounts)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Deliveries) != 2 || a.Next == "" || a.Deliveries[0].ID != ds[2].ID {
			t.Fatalf("first page %+v, want the 2 newest and a cursor", a)
		}
		want := map[domain.DeliveryState]int{domain.Scheduled: 2, domain.Succeeded: 0, domain.Failed: 1, domain.Canceled: 0}
		if len(a.Counts) != len(want) {
			t.Fatalf("counts %v, want every state %v", a.Counts, want)
		}
		for st, n := range want {
			if a.Counts[st] != n {
				t.Fatalf("counts %v, want %v", a.Counts, want)
			}
		}
		a, err = s.Audit(e.ctx, AuditFilter{TenantID: "acme", Page: store.Page{Cursor: a.Next, Limit: 2}}, NoCounts)
		if err != nil || len(a.Deliveries) != 1 || a.Deliveries[0].ID != ds[0].ID || a.Next != "" || a.Counts != nil {
			t.Fatalf("second page: %+v, %v", a, err)
		}
		a, err = s.Audit(e.ctx, AuditFilter{TenantID: "acme", State: domain.Failed}, NoCounts)
		if err != nil || len(a.Deliveries) != 1 || a.Deliveries[0].ID != ds[0].ID {
			t.Fatalf("failed ones: %+v, %v", a, err)
		}
	})
}

// OverTime buckets the deliveries by creation hour, by state, every
// bucket with every state, on the hours or the days' quarters; a step
// that does not cut days evenly is refused.
func TestDeliveriesOverTime(t *testing.T) {
	onEveryStore(t, func(t *testing.T, e *deliveriesEnv) {
		s := NewDeliveries(e.deps, nil)
		e.webhook("crm")
		ds := e.publish(3)
		e.fail(ds[0])
		hour := deliveriesStart.UTC().Truncate(time.Hour)
		want := map[domain.DeliveryState]int{domain.Scheduled: 2, domain.Succeeded: 0, domain.Failed: 1, domain.Canceled: 0}

		day, err := s.OverTime(e.ctx, "acme", deliveriesStart.Add(2*time.Hour), 24, time.Hour)
		if err != nil || len(day) != 24 {
			t.Fatalf("OverTime = %d buckets, %v; want 24", len(day), err)
		}
		for i, b := range day {
			if !b.Start.Equal(hour.Add(time.Duration(i-21)*time.Hour)) || len(b.Counts) != len(domain.DeliveryStates) {
				t.Fatalf("bucket %d = %+v; want the hour %v with every state", i, b, hour.Add(time.Duration(i-21)*time.Hour))
			}
			if i == 21 && !maps.Equal(b.Counts, want) {
				t.Fatalf("bucket of the deliveries' hour: %v, want %v", b.Counts, want)
			}
			if i != 21 && b.Counts[domain.Scheduled]+b.Counts[domain.Failed] != 0 {
				t.Fatalf("bucket %d (%v) counts %v, want none", i, b.Start, b.Counts)
			}
		}
		week, err := s.OverTime(e.ctx, "acme", deliveriesStart, 28, 6*time.Hour)
		if err != nil || len(week) != 28 || !maps.Equal(week[27].Counts, want) || week[27].Start.Hour()%6 != 0 {
			t.Fatalf("OverTime by 6 hours: last bucket %+v, %v; want %v", week[len(week)-1], err, want)
		}
		for _, step := range []time.Duration{0, 90 * time.Minute, 5 * time.Hour, 48 * time.Hour} {
			if _, err := s.OverTime(e.ctx, "acme", deliveriesStart, 4, step); err == nil {
				t.Fatalf("OverTime by %v: no error", step)
			}
		}
	})
}

// Get reads a delivery with its attempts, and its event and webhook as
// asked; a deleted webhook is nil, not an error.
func TestDeliveriesGet(t *testing.T) {
	onEveryStore(t, func(t *testing.T, e *deliveriesEnv) {
		s := NewDeliveries(e.deps, nil)
		w := e.webhook("crm")
		ds := e.publish(1)
		e.fail(ds[0])

		d, err := s.Get(e.ctx, "acme", ds[0].ID, Include{})
		if err != nil {
			t.Fatal(err)
		}
		if d.Delivery.ID != ds[0].ID || len(d.Attempts) != 1 || d.Event != nil || d.Webhook != nil {
			t.Fatalf("plain detail %+v", d)
		}
		d, err = s.Get(e.ctx, "acme", ds[0].ID, Include{Event: true, Webhook: true})
		if err != nil || d.Event == nil || d.Event.ID != ds[0].EventID || d.Webhook == nil || d.Webhook.ID != w.ID {
			t.Fatalf("full detail %+v, %v", d, err)
		}
		if err := e.st.DeleteWebhook(e.ctx, "acme", w.ID, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		d, err = s.Get(e.ctx, "acme", ds[0].ID, Include{Event: true, Webhook: true})
		if err != nil || d.Webhook != nil {
			t.Fatalf("after the webhook's deletion: %+v, %v", d, err)
		}
		_, err = s.Get(e.ctx, "other", ds[0].ID, Include{})
		wantError(t, err, domain.ENOTFOUND, "")
	})
}

// The list helpers both surfaces parse with refuse the same text the same
// way.
func TestParsePageAndTime(t *testing.T) {
	if p, err := ParsePage("", "", "dlv_"); err != nil || p.Limit != store.DefaultListLimit {
		t.Fatalf("defaults: %+v, %v", p, err)
	}
	if p, err := ParsePage("dlv_x", "1000", "dlv_"); err != nil || p.Limit != 1000 || p.Cursor != "dlv_x" {
		t.Fatalf("given: %+v, %v", p, err)
	}
	for _, c := range []struct{ cursor, limit, field string }{
		{"wh_x", "", "cursor"}, {"", "0", "limit"}, {"", "1001", "limit"}, {"", "ten", "limit"},
	} {
		_, err := ParsePage(c.cursor, c.limit, "dlv_")
		wantError(t, err, domain.EINVALID, c.field)
	}
	if tm, err := ParseTime("since", "2030-03-04T06:06:07+01:00"); err != nil || !tm.Equal(deliveriesStart) || tm.Location() != time.UTC {
		t.Fatalf("ParseTime: %v, %v", tm, err)
	}
	_, err := ParseTime("until", "yesterday")
	wantError(t, err, domain.EINVALID, "until")
}
