package postgres

import (
	"context"
	"maps"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/stats"
	"github.com/lmshooks/lmshooks/internal/store"
)

// recordAttempts publishes n events to every webhook of tenantID and
// records one attempt per delivery, the k-th started at at(k) with a
// pseudo-random duration and every fifth failing.
func recordAttempts(t *testing.T, s *Store, tenantID string, n int, at func(k int) time.Time) {
	t.Helper()
	ctx := context.Background()
	res, err := publish(ctx, s, tenantID, newEvents(tenantID, n))
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	var recs []store.AttemptRecord
	for _, r := range res {
		for _, d := range r.Deliveries {
			k := len(recs)
			recs = append(recs, store.AttemptRecord{State: domain.Succeeded, Attempt: domain.Attempt{
				ID: testIDs.New(id.Attempt), DeliveryID: d.ID, TenantID: tenantID, WebhookID: d.WebhookID, EventID: d.EventID,
				Number: 1, Trigger: domain.TriggerScheduled, StartedAt: at(k),
				Duration:   time.Duration(rng.ExpFloat64() * float64(400*time.Millisecond)),
				RequestURL: "https://example.com/hook", StatusCode: 200, Success: k%5 != 0,
			}})
		}
	}
	if err := s.RecordAttempts(ctx, recs); err != nil {
		t.Fatalf("RecordAttempts: %v", err)
	}
}

// rawStats is the reference: every sample, summarized exactly.
func rawStats(t *testing.T, s *Store, tenantID string, since, until time.Time) map[string]stats.Summary {
	t.Helper()
	samples, err := s.AttemptSamples(context.Background(), tenantID, since, until)
	if err != nil {
		t.Fatalf("AttemptSamples: %v", err)
	}
	return stats.Summarize(samples)
}

// rollupBucket returns the index of the roll-up bucket holding d.
func rollupBucket(d time.Duration) int {
	i := 0
	for i < len(stats.RollupBounds) && d > stats.RollupBounds[i] {
		i++
	}
	return i
}

// wantCloseStats fails unless got has exactly want's webhooks, calls and
// errors, and percentiles in the same roll-up bucket as want's.
func wantCloseStats(t *testing.T, got, want map[string]stats.Summary) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("stats for %d webhooks, want %d:\n got %+v\nwant %+v", len(got), len(want), got, want)
	}
	for id, w := range want {
		g := got[id]
		if g.WebhookID != id || g.Calls != w.Calls || g.Errors != w.Errors {
			t.Errorf("%s: got %+v, want calls and errors of %+v", id, g, w)
		}
		if rollupBucket(g.P50) != rollupBucket(w.P50) || rollupBucket(g.P95) != rollupBucket(w.P95) {
			t.Errorf("%s: percentiles %v/%v not in the buckets of the exact %v/%v", id, g.P50, g.P95, w.P50, w.P95)
		}
	}
}

// A window made of rolled-up hours, hours not rolled up yet and partial
// hours at both edges counts exactly what the raw attempts count, with
// percentiles within the roll-ups' bucket precision.
func TestWebhookStatsMatchesRawAttempts(t *testing.T) {
	s := openTest(t, Options{})
	tn := seed(t, s, 2)
	ctx := context.Background()
	base := time.Now().UTC().Truncate(time.Hour).Add(-12 * time.Hour)
	// 200 attempts, one every 4 minutes from 40 minutes before base.
	recordAttempts(t, s, tn.ID, 100, func(k int) time.Time {
		return base.Add(-40*time.Minute + time.Duration(k)*4*time.Minute)
	})
	since, until := base.Add(-30*time.Minute), base.Add(11*time.Hour+20*time.Minute)

	// Nothing rolled up yet: every attempt is read, and the numbers are
	// exactly the raw ones.
	got, err := s.WebhookStats(ctx, tn.ID, since, until)
	if err != nil {
		t.Fatalf("WebhookStats: %v", err)
	}
	want := rawStats(t, s, tn.ID, since, until)
	if len(want) != 2 || !maps.Equal(got, want) {
		t.Fatalf("WebhookStats before roll-ups\n got %+v\nwant %+v", got, want)
	}

	// Hours up to base+8h are rolled up; base+8h to base+11h are not yet.
	if hours, err := s.RollUpAttempts(ctx, base.Add(8*time.Hour+6*time.Minute)); err != nil || hours != 24 {
		t.Fatalf("RollUpAttempts = %d, %v; want 24 hours", hours, err)
	}
	got, err = s.WebhookStats(ctx, tn.ID, since, until)
	if err != nil {
		t.Fatalf("WebhookStats: %v", err)
	}
	wantCloseStats(t, got, want)

	// Installations that rolled up before the start was recorded find the
	// rolled-up hours from the tenant's first roll-up, to the same result.
	if _, err := s.pool.Exec(ctx, `DELETE FROM maintenance_state WHERE name = $1`, rollupStart); err != nil {
		t.Fatal(err)
	}
	again, err := s.WebhookStats(ctx, tn.ID, since, until)
	if err != nil || !maps.Equal(again, got) {
		t.Fatalf("WebhookStats without the start row = %+v, %v; want %+v", again, err, got)
	}

	// A window inside the hours not rolled up is exact.
	lateSince, lateUntil := base.Add(8*time.Hour+10*time.Minute), base.Add(10*time.Hour)
	late, err := s.WebhookStats(ctx, tn.ID, lateSince, lateUntil)
	if want := rawStats(t, s, tn.ID, lateSince, lateUntil); err != nil || !maps.Equal(late, want) {
		t.Fatalf("WebhookStats of raw hours = %+v, %v; want %+v", late, err, want)
	}

	// The rolled-up hours are read from the roll-ups: an attempt recorded
	// into one after it was rolled up is not seen (the documented cost of
	// the roll-ups' snapshot), while a raw hour's is.
	recordAttempts(t, s, tn.ID, 1, func(k int) time.Time { return base.Add(2*time.Hour + time.Duration(k)*time.Minute) })
	recordAttempts(t, s, tn.ID, 1, func(k int) time.Time { return base.Add(9*time.Hour + time.Duration(k)*time.Minute) })
	after, err := s.WebhookStats(ctx, tn.ID, since, until)
	if err != nil {
		t.Fatalf("WebhookStats: %v", err)
	}
	for id, w := range got {
		if after[id].Calls != w.Calls+1 {
			t.Errorf("%s: %d calls after one late attempt in a rolled-up hour and one in a raw hour, want %d", id, after[id].Calls, w.Calls+1)
		}
	}

	// Another tenant's window sees nothing of this one's.
	other := seed(t, s, 1)
	if none, err := s.WebhookStats(ctx, other.ID, since, until); err != nil || len(none) != 0 {
		t.Fatalf("another tenant's stats = %+v, %v; want none", none, err)
	}
}
