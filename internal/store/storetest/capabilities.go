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
			a := attempt(&d, base.Add(time.Duration(i)*time.Minute), 200, i%3 != 0)
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
	{"HeartbeatCountsLiveNodes", func(t *testing.T, f *fixture) {
		ttl := 30 * time.Second
		// A node that went silent longer than ttl ago is not counted.
		if n, err := f.s.Heartbeat(f.ctx, "old", base.Add(-2*ttl), ttl); err != nil || n != 1 {
			t.Fatalf("first Heartbeat = %d, %v; want 1", n, err)
		}
		for range 2 {
			if n, err := f.s.Heartbeat(f.ctx, "n1", base, ttl); err != nil || n != 1 {
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
