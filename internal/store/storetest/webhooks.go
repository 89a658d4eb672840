package storetest

import (
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
)

// fullWebhook sets every field of a webhook to a non-default value.
func (f *fixture) fullWebhook(tenantID string) *domain.Webhook {
	w := f.newWebhook(tenantID, "course_enrollment.*", "user.created")
	w.Description = "Pushes enrollments to the HRIS"
	w.DisabledReason = ""
	w.Format = "cloudevents"
	w.BasicAuth = &domain.BasicAuth{Username: "hris", Password: "s3cret:with:colons"}
	w.PreviousSecret = "whsec_previous"
	w.PreviousSecretExpiresAt = base.Add(24 * time.Hour)
	w.Headers = map[string]string{"X-Api-Key": "abc", "X-Tenant": "acme", "X-Shared": "s3"}
	w.SecretHeaders = []string{"X-Shared"}
	w.Timeout = 7 * time.Second
	w.RetryPolicy = domain.CustomRetryPolicy
	w.RetryWaits = []time.Duration{0, 1500 * time.Millisecond, time.Minute, 6 * time.Hour}
	w.SuccessRule = domain.SuccessRule{Min: 200, Max: 308}
	w.RateLimit = 12.5
	w.MaxConcurrency = 3
	w.Filter = `data.course.id in ["c_1", "c_2"]`
	w.FormatOptions = []byte(`{"parameters":[{"name":"email","value":"@user_email"}]}`)
	return w
}

var webhookTests = []test{
	{"AllFieldsRoundTrip", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.fullWebhook(tn.ID)
		if err := f.s.CreateWebhook(f.ctx, w); err != nil {
			t.Fatalf("CreateWebhook: %v", err)
		}
		got, err := f.s.GetWebhook(f.ctx, tn.ID, w.ID)
		if err != nil {
			t.Fatalf("GetWebhook: %v", err)
		}
		same(t, "GetWebhook", *got, *w, normWebhook)
		got, err = f.s.WebhookByID(f.ctx, w.ID)
		if err != nil {
			t.Fatalf("WebhookByID: %v", err)
		}
		same(t, "WebhookByID", *got, *w, normWebhook)

		// A minimal webhook keeps its empty fields empty.
		m := f.newWebhook(tn.ID, "user.created")
		if err := f.s.CreateWebhook(f.ctx, m); err != nil {
			t.Fatalf("CreateWebhook: %v", err)
		}
		got, err = f.s.GetWebhook(f.ctx, tn.ID, m.ID)
		if err != nil {
			t.Fatalf("GetWebhook: %v", err)
		}
		same(t, "minimal webhook", *got, *m, normWebhook)
		if got.BasicAuth != nil {
			t.Fatalf("BasicAuth = %+v, want nil", got.BasicAuth)
		}
	}},
	{"UpdateReplacesMutableFields", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.newWebhook(tn.ID, "user.created")
		if err := f.s.CreateWebhook(f.ctx, w); err != nil {
			t.Fatalf("CreateWebhook: %v", err)
		}
		upd := f.fullWebhook(tn.ID)
		upd.ID, upd.CreatedAt, upd.UpdatedAt = w.ID, w.CreatedAt, base.Add(time.Hour)
		if _, err := f.s.UpdateWebhook(f.ctx, upd, base.Add(time.Hour)); err != nil {
			t.Fatalf("UpdateWebhook: %v", err)
		}
		got, err := f.s.GetWebhook(f.ctx, tn.ID, w.ID)
		if err != nil {
			t.Fatalf("GetWebhook: %v", err)
		}
		same(t, "updated webhook", *got, *upd, normWebhook)

		// And back to a minimal one: optional fields are cleared.
		back := f.newWebhook(tn.ID, "user.deleted")
		back.ID, back.CreatedAt, back.UpdatedAt = w.ID, w.CreatedAt, base.Add(2*time.Hour)
		if _, err := f.s.UpdateWebhook(f.ctx, back, base.Add(2*time.Hour)); err != nil {
			t.Fatalf("UpdateWebhook: %v", err)
		}
		got, err = f.s.GetWebhook(f.ctx, tn.ID, w.ID)
		if err != nil {
			t.Fatalf("GetWebhook: %v", err)
		}
		same(t, "webhook updated back", *got, *back, normWebhook)
	}},
	{"TenantIsolation", func(t *testing.T, f *fixture) {
		a, b := f.tenant(0), f.tenant(0)
		w := f.webhook(a.ID)
		_, err := f.s.GetWebhook(f.ctx, b.ID, w.ID)
		wantCode(t, err, domain.ENOTFOUND)
		wantCode(t, f.s.DeleteWebhook(f.ctx, b.ID, w.ID, base), domain.ENOTFOUND)
		moved := *w
		moved.TenantID = b.ID
		moved.Name = "hijacked"
		_, err = f.s.UpdateWebhook(f.ctx, &moved, base)
		wantCode(t, err, domain.ENOTFOUND)
		got, err := f.s.GetWebhook(f.ctx, a.ID, w.ID)
		if err != nil {
			t.Fatalf("GetWebhook: %v", err)
		}
		if got.Name != w.Name || got.TenantID != a.ID {
			t.Fatalf("webhook changed through another tenant: %+v", got)
		}
		list, _, err := f.s.ListWebhooks(f.ctx, b.ID, store.Page{})
		if err != nil || len(list) != 0 {
			t.Fatalf("other tenant lists %d webhooks (%v), want 0", len(list), err)
		}
	}},
	{"MissingIsNotFound", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		_, err := f.s.GetWebhook(f.ctx, tn.ID, "wh_nope")
		wantCode(t, err, domain.ENOTFOUND)
		_, err = f.s.WebhookByID(f.ctx, "wh_nope")
		wantCode(t, err, domain.ENOTFOUND)
		_, err = f.s.UpdateWebhook(f.ctx, f.newWebhook(tn.ID), base)
		wantCode(t, err, domain.ENOTFOUND)
		wantCode(t, f.s.DeleteWebhook(f.ctx, tn.ID, "wh_nope", base), domain.ENOTFOUND)
		wantCode(t, f.s.DisableWebhook(f.ctx, "wh_nope", "gone", base), domain.ENOTFOUND)
		wantCode(t, f.s.CreateWebhook(f.ctx, f.newWebhook("ghost")), domain.ENOTFOUND)
	}},
	{"MaxWebhooksIsConflict", func(t *testing.T, f *fixture) {
		tn := f.tenant(2)
		f.webhook(tn.ID)
		second := f.webhook(tn.ID)
		// Disabled webhooks count too.
		second.Enabled = false
		if _, err := f.s.UpdateWebhook(f.ctx, second, base); err != nil {
			t.Fatalf("UpdateWebhook: %v", err)
		}
		wantCode(t, f.s.CreateWebhook(f.ctx, f.newWebhook(tn.ID)), domain.ECONFLICT)
		if err := f.s.DeleteWebhook(f.ctx, tn.ID, second.ID, base); err != nil {
			t.Fatalf("DeleteWebhook: %v", err)
		}
		if err := f.s.CreateWebhook(f.ctx, f.newWebhook(tn.ID)); err != nil {
			t.Fatalf("CreateWebhook after a delete freed a slot: %v", err)
		}
		// 0 is unlimited.
		free := f.tenant(0)
		for range 8 {
			f.webhook(free.ID)
		}
	}},
	{"ListNewestFirstWithCursor", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		var want []string
		for range 5 {
			want = append(want, f.webhook(tn.ID).ID)
		}
		want = sortedDesc(want)
		var got []string
		cursor := ""
		for range 10 {
			list, next, err := f.s.ListWebhooks(f.ctx, tn.ID, store.Page{Cursor: cursor, Limit: 2})
			if err != nil {
				t.Fatalf("ListWebhooks: %v", err)
			}
			if len(list) > 2 {
				t.Fatalf("page of %d, limit 2", len(list))
			}
			for _, w := range list {
				got = append(got, w.ID)
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if !equalStrings(got, want) {
			t.Fatalf("listed %v, want %v", got, want)
		}
	}},
	{"DisableCancelsScheduled", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.webhook(tn.ID)
		f.webhook(tn.ID)                   // another webhook: its deliveries stay scheduled
		ds := f.deliveries(tn.ID, base, 3) // 3 events × 2 webhooks
		var mine, theirs []domain.Delivery
		for _, d := range ds {
			if d.WebhookID == w.ID {
				mine = append(mine, d)
			} else {
				theirs = append(theirs, d)
			}
		}
		// One of w's deliveries already succeeded: it must stay so.
		f.record(store.AttemptRecord{Attempt: f.attempt(&mine[0], base, 200, true), State: domain.Succeeded})

		w.Enabled = false
		later := base.Add(time.Minute)
		w.UpdatedAt = later
		n, err := f.s.UpdateWebhook(f.ctx, w, later)
		if err != nil {
			t.Fatalf("UpdateWebhook: %v", err)
		}
		if n != 2 {
			t.Fatalf("canceled %d, want 2", n)
		}
		if got := f.get(tn.ID, mine[0].ID); got.State != domain.Succeeded {
			t.Fatalf("succeeded delivery became %s", got.State)
		}
		for _, d := range mine[1:] {
			got := f.get(tn.ID, d.ID)
			if got.State != domain.Canceled {
				t.Fatalf("delivery of the disabled webhook is %s, want canceled", got.State)
			}
			if !got.NextAttemptAt.IsZero() {
				t.Fatalf("canceled delivery has NextAttemptAt %v, want zero", got.NextAttemptAt)
			}
		}
		for _, d := range theirs {
			if got := f.get(tn.ID, d.ID); got.State != domain.Scheduled {
				t.Fatalf("other webhook's delivery is %s, want scheduled", got.State)
			}
		}
		if jobs := f.claim("n1", later, later.Add(time.Minute), 100); len(jobs) != len(theirs) {
			t.Fatalf("claimed %d deliveries, want the other webhook's %d", len(jobs), len(theirs))
		}

		// Re-enabling does not revive canceled deliveries, and a disabled
		// webhook gets no new ones.
		f.publish(tn.ID, later, f.event(tn.ID, "user.created", ""))
		w.Enabled = true
		n, err = f.s.UpdateWebhook(f.ctx, w, later)
		if err != nil || n != 0 {
			t.Fatalf("re-enable: canceled %d, %v; want 0", n, err)
		}
		for _, d := range mine[1:] {
			if got := f.get(tn.ID, d.ID); got.State != domain.Canceled {
				t.Fatalf("re-enabling revived a delivery: %s", got.State)
			}
		}
		counts, err := f.s.CountDeliveries(f.ctx, store.DeliveryFilter{TenantID: tn.ID, WebhookID: w.ID}, 0)
		if err != nil {
			t.Fatalf("CountDeliveries: %v", err)
		}
		if counts[domain.Scheduled] != 0 || counts[domain.Canceled] != 2 || counts[domain.Succeeded] != 1 {
			t.Fatalf("counts of the re-enabled webhook = %v", counts)
		}
	}},
	{"DeleteCancelsAndKeepsAudit", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.webhook(tn.ID)
		ds := f.deliveries(tn.ID, base, 2)
		if err := f.s.DeleteWebhook(f.ctx, tn.ID, w.ID, base.Add(time.Minute)); err != nil {
			t.Fatalf("DeleteWebhook: %v", err)
		}
		_, err := f.s.GetWebhook(f.ctx, tn.ID, w.ID)
		wantCode(t, err, domain.ENOTFOUND)
		for _, d := range ds {
			got := f.get(tn.ID, d.ID)
			if got.State != domain.Canceled {
				t.Fatalf("delivery of a deleted webhook is %s, want canceled", got.State)
			}
		}
		if jobs := f.claim("n1", base.Add(time.Hour), base.Add(2*time.Hour), 10); len(jobs) != 0 {
			t.Fatalf("claimed %d deliveries of a deleted webhook", len(jobs))
		}
		list, _, err := f.s.ListDeliveries(f.ctx, store.DeliveryFilter{TenantID: tn.ID, WebhookID: w.ID})
		if err != nil || len(list) != 2 {
			t.Fatalf("audit of a deleted webhook lists %d (%v), want 2", len(list), err)
		}
	}},
	{"DisableWebhookRecordsReason", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		w := f.webhook(tn.ID)
		ds := f.deliveries(tn.ID, base, 2)
		at := base.Add(time.Minute)
		if err := f.s.DisableWebhook(f.ctx, w.ID, "the endpoint answered 410 Gone", at); err != nil {
			t.Fatalf("DisableWebhook: %v", err)
		}
		got, err := f.s.GetWebhook(f.ctx, tn.ID, w.ID)
		if err != nil {
			t.Fatalf("GetWebhook: %v", err)
		}
		if got.Enabled || got.DisabledReason != "the endpoint answered 410 Gone" {
			t.Fatalf("after DisableWebhook: enabled %v, reason %q", got.Enabled, got.DisabledReason)
		}
		if !got.UpdatedAt.Equal(at) {
			t.Fatalf("UpdatedAt = %v, want %v", got.UpdatedAt, at)
		}
		for _, d := range ds {
			if g := f.get(tn.ID, d.ID); g.State != domain.Canceled {
				t.Fatalf("delivery is %s after DisableWebhook, want canceled", g.State)
			}
		}
	}},
}
