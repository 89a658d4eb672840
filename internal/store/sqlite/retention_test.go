package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/store/storetest"
)

// publishFinished publishes n events of tenant at now and records one
// successful attempt for each of their deliveries.
func publishFinished(t *testing.T, s *Store, tenantID string, now time.Time, n int) []store.PublishResult {
	t.Helper()
	ctx := context.Background()
	evs := make([]domain.Event, n)
	for i := range evs {
		evs[i] = testEvent(tenantID, now, "")
	}
	res, err := storetest.Seed{TenantID: tenantID, Events: evs, Now: now,
		Match: func(*domain.Webhook, *domain.Event) bool { return true }}.Publish(ctx, s)
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	jobs, err := s.ClaimDue(ctx, store.ClaimParams{Owner: "n", Now: now, LeaseUntil: now.Add(time.Minute), Limit: 1000})
	if err != nil {
		t.Fatalf("ClaimDue: %v", err)
	}
	var recs []store.AttemptRecord
	for _, j := range jobs {
		recs = append(recs, store.AttemptRecord{State: domain.Succeeded, Attempt: domain.Attempt{ID: testIDs.New(id.Attempt),
			DeliveryID: j.Delivery.ID, Number: 1, Trigger: domain.TriggerScheduled, StartedAt: now,
			Duration: time.Millisecond, RequestURL: "https://x.example", StatusCode: 200, Success: true,
		}})
	}
	if err := s.RecordAttempts(ctx, recs); err != nil {
		t.Fatalf("RecordAttempts: %v", err)
	}
	return res
}

// count returns the rows of table belonging to tenantID.
func count(t *testing.T, s *Store, table, tenantID string) int {
	t.Helper()
	var n int
	if err := s.rdb.QueryRow(`SELECT count(*) FROM `+table+` WHERE tenant_id = ?`, tenantID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// More rows than a chunk go in several transactions, every one of them;
// a tenant on the default retention keeps its rows.
func TestRetentionInChunks(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "lmshooks.db"))
	t.Cleanup(func() { _ = s.Close() })
	s.retentionBatch = 7
	ctx := context.Background()
	now := time.Now()
	short, other := seed(t, s, now), seed(t, s, now)
	tn, err := s.GetTenant(ctx, short)
	if err != nil {
		t.Fatal(err)
	}
	tn.RetentionDays = 2
	if err := s.UpdateTenant(ctx, tn); err != nil {
		t.Fatalf("UpdateTenant: %v", err)
	}
	publishFinished(t, s, short, now, 20)
	publishFinished(t, s, other, now, 3)

	before := s.commits.Load()
	dropped, deleted, err := s.ApplyRetention(ctx, now.Add(3*24*time.Hour), 30)
	if err != nil {
		t.Fatalf("ApplyRetention: %v", err)
	}
	commits := s.commits.Load() - before
	// 20 events, 20 deliveries, 20 attempts.
	if dropped != 0 || deleted != 60 {
		t.Fatalf("dropped %d, deleted %d rows; want 0 and 60", dropped, deleted)
	}
	// Deliveries (with their attempts) in chunks of 7, 7, 6 and events
	// likewise; nothing to write for the other tenant; then the planner's
	// statistics (PRAGMA optimize).
	if commits != 7 {
		t.Fatalf("retention took %d transactions, want 7 (chunks of 7, then optimize)", commits)
	}
	for _, table := range []string{"events", "deliveries", "attempts"} {
		if n := count(t, s, table, short); n != 0 {
			t.Errorf("%d %s of the short tenant left", n, table)
		}
		if n := count(t, s, table, other); n != 3 {
			t.Errorf("%d %s of the other tenant, want 3", n, table)
		}
	}

	// Past the default, the other tenant's rows go too.
	if _, deleted, err := s.ApplyRetention(ctx, now.Add(31*24*time.Hour), 30); err != nil || deleted != 9 {
		t.Fatalf("ApplyRetention past the default = %d rows, %v; want 9", deleted, err)
	}
}

// The SQLite store always leads its maintenance, until it closes.
func TestTryLeadAlwaysLeads(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "lmshooks.db"))
	ctx := context.Background()
	lost, release, err := s.TryLead(ctx)
	if err != nil || lost == nil {
		t.Fatalf("TryLead = %v, %v; want leadership", lost, err)
	}
	release()
	select {
	case <-lost:
		t.Fatal("leadership lost while the store is open")
	default:
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-lost:
	default:
		t.Fatal("leadership kept after Close")
	}
	if _, _, err := s.TryLead(ctx); domain.ErrorCode(err) != domain.EUNAVAILABLE {
		t.Fatalf("TryLead after Close = %v, want unavailable", err)
	}
}
