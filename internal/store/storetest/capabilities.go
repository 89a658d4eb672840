package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/stats"
	"github.com/lmshooks/lmshooks/internal/store"
)

// capabilityTests cover what a shared database coordinates and a
// single-process one answers for one node: statistics, membership, the
// change listener, leadership, partitions and roll-ups (retention is in
// tenants.go). They check what holds on every store.
var capabilityTests = []test{
	{"WebhookStatsAgreeWithSamples", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		f.webhook(tn.ID)
		f.webhook(tn.ID)
		other := f.tenant(0)
		f.webhook(other.ID)
		f.deliveries(other.ID, base, 1)
		ds := f.deliveries(tn.ID, base, 6) // 6 events × 2 webhooks
		var recs []store.AttemptRecord
		for i, d := range ds {
			a := f.attempt(&d, base.Add(time.Duration(i)*time.Minute), 200, i%3 != 0)
			a.Duration = time.Duration(i+1) * 7 * time.Millisecond
			recs = append(recs, store.AttemptRecord{Attempt: a, State: domain.Succeeded})
		}
		f.record(recs...)
		since, until := base.Add(-time.Hour), base.Add(3*time.Hour)

		check := func(when string) {
			t.Helper()
			samples, err := f.s.AttemptSamples(f.ctx, tn.ID, since, until)
			if err != nil || len(samples) != len(ds) {
				t.Fatalf("%s: AttemptSamples = %d, %v; want %d", when, len(samples), err, len(ds))
			}
			want := stats.Summarize(samples)
			got, err := f.s.WebhookStats(f.ctx, tn.ID, since, until)
			if err != nil {
				t.Fatalf("%s: WebhookStats: %v", when, err)
			}
			if len(got) != len(want) {
				t.Fatalf("%s: WebhookStats has %d webhooks, want %d", when, len(got), len(want))
			}
			for id, w := range want {
				g := got[id]
				if g.WebhookID != id || g.Calls != w.Calls || g.Errors != w.Errors {
					t.Fatalf("%s: WebhookStats[%s] = %+v, want calls and errors of %+v", when, id, g, w)
				}
				if !f.s.RollsUp() && g != w {
					t.Fatalf("%s: WebhookStats[%s] = %+v, want exactly %+v (no roll-ups)", when, id, g, w)
				}
			}
		}
		check("before roll-ups")
		hours, err := f.s.RollUpAttempts(f.ctx, base.Add(3*time.Hour))
		if err != nil {
			t.Fatalf("RollUpAttempts: %v", err)
		}
		if !f.s.RollsUp() && hours != 0 {
			t.Fatalf("RollUpAttempts rolled up %d hours on a store without roll-ups", hours)
		}
		check("after roll-ups")
		if got, err := f.s.WebhookStats(f.ctx, tn.ID, until, until.Add(time.Hour)); err != nil || len(got) != 0 {
			t.Fatalf("WebhookStats of an empty window = %v, %v; want none", got, err)
		}
	}},
	{"WebhookStatsReadRollUps", func(t *testing.T, f *fixture) {
		if !f.s.RollsUp() {
			t.Skip("the store keeps no roll-ups")
		}
		tn := f.tenant(0)
		f.webhook(tn.ID)
		ds := f.deliveries(tn.ID, base, 4)
		hour := base.Truncate(time.Hour)
		var recs []store.AttemptRecord
		for i, d := range ds[:3] {
			a := f.attempt(&d, hour.Add(time.Duration(10+i)*time.Minute), 200, i != 0)
			recs = append(recs, store.AttemptRecord{Attempt: a, State: domain.Succeeded})
		}
		f.record(recs...)
		if hours, err := f.s.RollUpAttempts(f.ctx, hour.Add(2*time.Hour)); err != nil || hours == 0 {
			t.Fatalf("RollUpAttempts = %d, %v; want the hours up to now", hours, err)
		}
		// A second pass has nothing left to do.
		if hours, err := f.s.RollUpAttempts(f.ctx, hour.Add(2*time.Hour)); err != nil || hours != 0 {
			t.Fatalf("second RollUpAttempts = %d, %v; want 0", hours, err)
		}
		// An attempt recorded into an hour already rolled up is not
		// counted: the whole hour is read from its roll-up.
		late := f.attempt(&ds[3], hour.Add(30*time.Minute), 500, false)
		f.record(store.AttemptRecord{Attempt: late, State: domain.Failed})
		got, err := f.s.WebhookStats(f.ctx, tn.ID, hour, hour.Add(time.Hour))
		if err != nil {
			t.Fatalf("WebhookStats: %v", err)
		}
		if len(got) != 1 {
			t.Fatalf("WebhookStats = %+v, want one webhook", got)
		}
		for _, s := range got {
			if s.Calls != 3 || s.Errors != 1 {
				t.Fatalf("WebhookStats of a rolled-up hour = %+v, want the roll-up's 3 calls, 1 error", s)
			}
		}
		// The edges of a window are read from the attempts themselves.
		got, err = f.s.WebhookStats(f.ctx, tn.ID, hour.Add(25*time.Minute), hour.Add(time.Hour))
		if err != nil {
			t.Fatalf("WebhookStats: %v", err)
		}
		for _, s := range got {
			if s.Calls != 1 || s.Errors != 1 {
				t.Fatalf("WebhookStats of part of an hour = %+v, want the late attempt only", s)
			}
		}
	}},
	{"HeartbeatCountsLiveNodes", func(t *testing.T, f *fixture) {
		ttl := 30 * time.Second
		// A node that went silent longer than ttl ago is not counted.
		f.join("old", "i1", base.Add(-2*ttl), ttl)
		f.join("n1", "i1", base, ttl)
		for range 2 {
			if n, err := f.s.Heartbeat(f.ctx, "n1", "i1", base, ttl); err != nil || n != 1 {
				t.Fatalf("Heartbeat = %d, %v; want 1 (itself)", n, err)
			}
		}
	}},
	{"ListenReturnsWhenDone", func(t *testing.T, f *fixture) {
		ctx, cancel := context.WithCancel(f.ctx)
		done := make(chan error, 1)
		go func() { done <- f.s.Listen(ctx, func() {}) }()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Listen after its context ended = %v, want nil", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Listen did not return when its context ended")
		}
	}},
	{"LeadAloneThenAgain", func(t *testing.T, f *fixture) {
		for i := range 2 {
			lost, release, err := f.s.TryLead(f.ctx)
			if err != nil || lost == nil {
				t.Fatalf("TryLead %d of the only node = %v, %v; want the lead", i, lost, err)
			}
			select {
			case <-lost:
				t.Fatalf("TryLead %d: the leadership is lost at once", i)
			default:
			}
			release()
		}
	}},
	{"EnsurePartitionsKeepsData", func(t *testing.T, f *fixture) {
		tn := f.tenant(0)
		f.webhook(tn.ID)
		ds := f.deliveries(tn.ID, base, 2)
		for range 2 { // idempotent
			if err := f.s.EnsurePartitions(f.ctx, base.AddDate(0, 0, -1), base.AddDate(0, 0, 3)); err != nil {
				t.Fatalf("EnsurePartitions: %v", err)
			}
		}
		for _, d := range ds {
			f.get(tn.ID, d.ID)
		}
		more := f.deliveries(tn.ID, base.Add(time.Hour), 1)
		f.get(tn.ID, more[0].ID)
	}},
}

// callerTests pin down that ids and times come from the caller: a store
// mints no id (a record without one is refused, and nothing is stored)
// and stamps no time of its own.
var callerTests = []test{
	{"RecordsWithoutIDAreRefused", func(t *testing.T, f *fixture) {
		tn := &domain.Tenant{Name: "No id", Environment: domain.Production, CreatedAt: base, UpdatedAt: base}
		if err := f.s.CreateTenant(f.ctx, tn); err == nil || tn.ID != "" {
			t.Fatalf("CreateTenant without an id = %v, id %q; want an error and no id", err, tn.ID)
		}
		if list, _, err := f.s.ListTenants(f.ctx, store.Page{}); err != nil || len(list) != 0 {
			t.Fatalf("tenants after a refused create = %d, %v; want none", len(list), err)
		}
		owner := f.tenant(0)
		w := f.newWebhook(owner.ID)
		w.ID = ""
		if err := f.s.CreateWebhook(f.ctx, w); err == nil || w.ID != "" {
			t.Fatalf("CreateWebhook without an id = %v, id %q; want an error and no id", err, w.ID)
		}
		k := &domain.APIKey{TenantID: owner.ID, Name: "k", Prefix: "lmsk_x", Hash: "hash-x", CreatedAt: base}
		if err := f.s.CreateAPIKey(f.ctx, k); err == nil || k.ID != "" {
			t.Fatalf("CreateAPIKey without an id = %v, id %q; want an error and no id", err, k.ID)
		}
		op := &domain.APIKey{Name: "operator", Prefix: "lmsk_op", Hash: "hash-op", CreatedAt: base}
		if _, err := f.s.SetOperatorKey(f.ctx, op); err == nil {
			t.Fatal("SetOperatorKey without an id succeeded")
		}
		if created, err := f.s.EnsureOperatorKey(f.ctx, op); err == nil || created {
			t.Fatalf("EnsureOperatorKey without an id = %v, %v; want an error", created, err)
		}
		if has, err := f.s.HasOperatorKey(f.ctx); err != nil || has {
			t.Fatalf("HasOperatorKey after refused stores = %v, %v; want false", has, err)
		}

		f.webhook(owner.ID)
		d := f.deliveries(owner.ID, base, 1)[0]
		a := f.attempt(&d, base, 200, true)
		a.ID = ""
		if err := f.s.RecordAttempts(f.ctx, []store.AttemptRecord{{Attempt: a, State: domain.Succeeded}}); err == nil {
			t.Fatal("RecordAttempts of an attempt without an id succeeded")
		}
		if got := f.get(owner.ID, d.ID); got.State != domain.Scheduled || got.Attempts != 0 {
			t.Fatalf("delivery after a refused record: %s, %d attempts; want scheduled, 0", got.State, got.Attempts)
		}
	}},
	{"TimesAreTheCallers", func(t *testing.T, f *fixture) {
		// Zero times stay zero: the store stamps nothing.
		tn := &domain.Tenant{ID: "tnt_zero_times", Name: "Zero", Environment: domain.Production}
		if err := f.s.CreateTenant(f.ctx, tn); err != nil {
			t.Fatalf("CreateTenant: %v", err)
		}
		w := f.newWebhook(tn.ID)
		w.CreatedAt, w.UpdatedAt = time.Time{}, time.Time{}
		if err := f.s.CreateWebhook(f.ctx, w); err != nil {
			t.Fatalf("CreateWebhook: %v", err)
		}
		if _, err := f.s.UpdateWebhook(f.ctx, w, base); err != nil {
			t.Fatalf("UpdateWebhook: %v", err)
		}
		k := &domain.APIKey{ID: "key_zero_times", TenantID: tn.ID, Name: "k", Prefix: "lmsk_z", Hash: "hash-z"}
		if err := f.s.CreateAPIKey(f.ctx, k); err != nil {
			t.Fatalf("CreateAPIKey: %v", err)
		}
		if err := f.s.UpdateTenant(f.ctx, tn); err != nil {
			t.Fatalf("UpdateTenant: %v", err)
		}
		gotT, err := f.s.GetTenant(f.ctx, tn.ID)
		if err != nil || !gotT.CreatedAt.IsZero() || !gotT.UpdatedAt.IsZero() {
			t.Fatalf("tenant times = %v, %v (%v); want zero", gotT.CreatedAt, gotT.UpdatedAt, err)
		}
		gotW, err := f.s.GetWebhook(f.ctx, tn.ID, w.ID)
		if err != nil || !gotW.CreatedAt.IsZero() || !gotW.UpdatedAt.IsZero() {
			t.Fatalf("webhook times = %v, %v (%v); want zero", gotW.CreatedAt, gotW.UpdatedAt, err)
		}
		keys, err := f.s.ListAPIKeys(f.ctx, tn.ID)
		if err != nil || len(keys) != 1 || !keys[0].CreatedAt.IsZero() {
			t.Fatalf("keys = %+v, %v; want one with a zero CreatedAt", keys, err)
		}
	}},
}
