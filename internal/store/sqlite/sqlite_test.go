package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/store/storetest"
)

// testIDs makes the ids of the records tests put in the store directly.
var testIDs = id.NewGenerator(nil)

func openTest(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Exercise(t, func(t *testing.T) store.Store {
		return openTest(t, filepath.Join(t.TempDir(), "lmshooks.db"))
	})
}

func TestSecondOpenIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lmshooks.db")
	s := openTest(t, path)
	_, err := Open(context.Background(), path, Options{})
	if err == nil || !strings.Contains(err.Error(), "another lmshooks process") {
		t.Fatalf("second Open = %v, want a lock error naming the cause", err)
	}
	if err := Migrate(context.Background(), path); err == nil {
		t.Fatal("Migrate beside a live store succeeded")
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	// The lock is released on Close.
	s2 := openTest(t, path)
	if err := s2.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lmshooks.db")
	ctx := context.Background()
	for range 2 {
		if err := Migrate(ctx, path); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
	}
	s := openTest(t, path)
	defer s.Close()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	var n, max int
	if err := s.rdb.QueryRow(`SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&n, &max); err != nil {
		t.Fatal(err)
	}
	if n != len(ms) || max != ms[len(ms)-1].version {
		t.Fatalf("schema_migrations has %d rows up to %d, want %d up to %d", n, max, len(ms), ms[len(ms)-1].version)
	}
}

func TestPragmas(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "lmshooks.db"))
	defer s.Close()
	ctx := context.Background()
	var mode string
	var sync, fk, temp int
	conn := s.wtx.conn
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&temp); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" || sync != 2 || fk != 1 || temp != 2 {
		t.Fatalf("writer: journal_mode %s, synchronous %d, foreign_keys %d, temp_store %d; want wal, 2 (FULL), 1, 2 (MEMORY)", mode, sync, fk, temp)
	}
	if _, err := s.rdb.ExecContext(ctx, "DELETE FROM tenants"); err == nil {
		t.Fatal("a reader connection could write")
	}
}

// tenantWithHook creates the tenant tenantID with one enabled webhook
// subscribed to every type.
func tenantWithHook(t *testing.T, s *Store, tenantID string, now time.Time) {
	t.Helper()
	ctx := context.Background()
	tn := &domain.Tenant{ID: tenantID, Name: "t", Environment: domain.Production, CreatedAt: now, UpdatedAt: now}
	if err := s.CreateTenant(ctx, tn); err != nil {
		t.Fatal(err)
	}
	w := &domain.Webhook{ID: testIDs.New(id.Webhook), TenantID: tenantID, Name: "w", URL: "https://x.example", EventTypes: []string{"*"},
		Enabled: true, Format: "standard", Secret: "whsec_x", Timeout: time.Second, RetryPolicy: "standard",
		SuccessRule: domain.DefaultSuccessRule, CreatedAt: now, UpdatedAt: now}
	if err := s.CreateWebhook(ctx, w); err != nil {
		t.Fatal(err)
	}
}

func TestLeasesClearedAtReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lmshooks.db")
	ctx := context.Background()
	s := openTest(t, path)
	now := time.Now().UTC().Truncate(time.Microsecond)
	tenantWithHook(t, s, "t1", now)
	_, err := storetest.Seed{TenantID: "t1", Now: now, LeaseOwner: "dead", LeaseUntil: now.Add(time.Hour),
		Match:  func(*domain.Webhook, *domain.Event) bool { return true },
		Events: []domain.Event{{ID: testIDs.New(id.Event), TenantID: "t1", Type: "user.created", OccurredAt: now, ReceivedAt: now, Data: json.RawMessage(`{}`)}}}.Publish(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if jobs, err := s.ClaimDue(ctx, store.ClaimParams{Owner: "n", Now: now, LeaseUntil: now.Add(time.Minute), Limit: 10}); err != nil || len(jobs) != 0 {
		t.Fatalf("claimed %d leased deliveries (%v)", len(jobs), err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openTest(t, path)
	defer s.Close()
	jobs, err := s.ClaimDue(ctx, store.ClaimParams{Owner: "n", Now: now, LeaseUntil: now.Add(time.Minute), Limit: 10})
	if err != nil || len(jobs) != 1 {
		t.Fatalf("after reopen claimed %d (%v), want the dead owner's 1", len(jobs), err)
	}
}

// TestGroupCommit publishes from many goroutines at once: every call must
// succeed, every row must be there, and the calls must have shared
// transactions (fewer commits than calls).
func TestGroupCommit(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "lmshooks.db"))
	defer s.Close()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	tn := seed(t, s, now)

	const workers, per = 32, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers*per)
	for g := range workers {
		wg.Go(func() {
			for i := range per {
				key := ""
				if i%4 == 0 {
					key = fmt.Sprintf("k-%d-%d", g, i)
				}
				_, err := storetest.Seed{TenantID: tn, Now: now,
					Match:  func(*domain.Webhook, *domain.Event) bool { return true },
					Events: []domain.Event{testEvent(tn, now, key)}}.Publish(ctx, s)
				if err != nil {
					errs <- err
				}
			}
		})
	}
	// One caller with a bad tenant in the middle of the load gets its own
	// error; the others are not affected.
	_, err := storetest.Seed{TenantID: "ghost", Now: now, Match: func(*domain.Webhook, *domain.Event) bool { return true },
		Events: []domain.Event{testEvent("ghost", now, "")}}.Publish(ctx, s)
	if domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("publish to a missing tenant = %v, want not_found", err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Publish: %v", err)
	}
	counts, err := s.CountDeliveries(ctx, store.DeliveryFilter{TenantID: tn}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if counts[domain.Scheduled] != workers*per {
		t.Fatalf("%d deliveries stored, want %d", counts[domain.Scheduled], workers*per)
	}
	var events int
	if err := s.rdb.QueryRow(`SELECT COUNT(*) FROM events`).Scan(&events); err != nil {
		t.Fatal(err)
	}
	if events != workers*per {
		t.Fatalf("%d events stored, want %d", events, workers*per)
	}
	// 2 writes of seed + 1 failed publish + the publishes.
	if b, calls := s.commits.Load(), int64(workers*per+3); b >= calls {
		t.Fatalf("%d commits for %d write calls: nothing was grouped", b, calls)
	}
}

// TestFailedOpDoesNotSpoilBatch runs a failing and a good operation in one
// batch: the good one commits, the bad one leaves no trace.
func TestFailedOpDoesNotSpoilBatch(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "lmshooks.db"))
	defer s.Close()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	tn := seed(t, s, now)

	dup := testEvent(tn, now, "")
	if _, err := (storetest.Seed{TenantID: tn, Now: now, Events: []domain.Event{dup}}).Publish(ctx, s); err != nil {
		t.Fatal(err)
	}
	good := testEvent(tn, now, "")
	events := func(es ...domain.Event) *store.PublishParams {
		p := &store.PublishParams{TenantID: tn}
		for _, e := range es {
			p.Events = append(p.Events, store.PublishEvent{Event: e})
		}
		return p
	}
	reqs := []*writeReq{
		{ctx: ctx, done: make(chan error, 1), fn: func(tx *wtx) error {
			_, err := publish(tx, events(testEvent(tn, now, "x"), dup), nil)
			return err
		}},
		{ctx: ctx, done: make(chan error, 1), fn: func(tx *wtx) error {
			_, err := publish(tx, events(good), nil)
			return err
		}},
		{ctx: ctx, done: make(chan error, 1), fn: func(tx *wtx) error { panic("boom") }},
	}
	// Hold the writer inside one operation while the three requests queue
	// up, so that they form the next batch together.
	release := make(chan struct{})
	blocked := make(chan struct{})
	go func() {
		_ = s.write(ctx, "block", func(*wtx) error { close(blocked); <-release; return nil })
	}()
	<-blocked
	before := s.commits.Load()
	for _, r := range reqs {
		s.reqs <- r
	}
	close(release)
	errs := make([]error, len(reqs))
	for i, r := range reqs {
		errs[i] = <-r.done
	}
	if got := s.commits.Load() - before; got != 2 {
		t.Fatalf("%d commits, want 2 (the blocking operation, then the three together)", got)
	}
	if domain.ErrorCode(errs[0]) != domain.ECONFLICT || errs[1] != nil || errs[2] == nil {
		t.Fatalf("batch errors = %v, want conflict, nil, panic error", errs)
	}
	if _, err := s.GetEvent(ctx, tn, good.ID); err != nil {
		t.Fatalf("good event of the batch: %v", err)
	}
	var n int
	if err := s.rdb.QueryRow(`SELECT COUNT(*) FROM events WHERE idempotency_key = 'x'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("failed operation left %d events (%v)", n, err)
	}
}

func TestCanceledCallerDoesNotBreakWriter(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "lmshooks.db"))
	defer s.Close()
	now := time.Now().UTC().Truncate(time.Microsecond)
	tn := seed(t, s, now)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := storetest.Seed{TenantID: tn, Now: now, Match: func(*domain.Webhook, *domain.Event) bool { return true },
		Events: []domain.Event{testEvent(tn, now, "")}}.Publish(ctx, s)
	if err == nil {
		t.Fatal("Publish with a canceled context succeeded")
	}
	if _, err := (storetest.Seed{TenantID: tn, Now: now,
		Match:  func(*domain.Webhook, *domain.Event) bool { return true },
		Events: []domain.Event{testEvent(tn, now, "")}}).Publish(context.Background(), s); err != nil {
		t.Fatalf("Publish after a canceled call: %v", err)
	}
}

func TestClosedStore(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "lmshooks.db"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	err := s.CreateTenant(context.Background(), &domain.Tenant{ID: "x", Name: "x", Environment: domain.Production})
	if domain.ErrorCode(err) != domain.EUNAVAILABLE {
		t.Fatalf("write after Close = %v, want unavailable", err)
	}
}

// seed creates a tenant with one enabled catch-all webhook.
func seed(t testing.TB, s *Store, now time.Time) string {
	t.Helper()
	ctx := context.Background()
	tn := testIDs.New(id.Tenant)
	if err := s.CreateTenant(ctx, &domain.Tenant{ID: tn, Name: "t", Environment: domain.Production, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	w := &domain.Webhook{ID: testIDs.New(id.Webhook), TenantID: tn, Name: "w", URL: "https://x.example", EventTypes: []string{"*"},
		Enabled: true, Format: "standard", Secret: "whsec_x", Timeout: time.Second, RetryPolicy: "standard",
		Headers:     map[string]string{"X-A": "b"},
		SuccessRule: domain.DefaultSuccessRule, CreatedAt: now, UpdatedAt: now}
	if err := s.CreateWebhook(ctx, w); err != nil {
		t.Fatal(err)
	}
	return tn
}

func testEvent(tenantID string, now time.Time, key string) domain.Event {
	return domain.Event{ID: testIDs.New(id.Event), TenantID: tenantID, Type: "user.created", OccurredAt: now, ReceivedAt: now,
		Data: json.RawMessage(`{"user":{"id":"u1","email":"ada@example.com","name":"Ada Lovelace"}}`), IdempotencyKey: key}
}

// The planner's statistics are made at Open, with ANALYZE bounded by
// analysis_limit so that it takes milliseconds on any database; Close
// makes none (a full ANALYZE at close held a stop for minutes).
func TestStatisticsAtOpenNotAtClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lmshooks.db")
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	s := openTest(t, path)
	tn := seed(t, s, now)
	publish := func(s *Store, n int) {
		t.Helper()
		events := make([]domain.Event, n)
		for i := range events {
			events[i] = testEvent(tn, now, "")
		}
		if _, err := (storetest.Seed{TenantID: tn, Now: now, Events: events}).Publish(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	// The rows the statistics of the deliveries' primary key count, as
	// the file holds them (0 if none).
	counted := func() int {
		t.Helper()
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var stat string
		err = db.QueryRow(`SELECT stat FROM sqlite_stat1 WHERE tbl = 'deliveries' AND idx = 'deliveries_tenant'`).Scan(&stat)
		if err != nil {
			return 0
		}
		var n int
		fmt.Sscan(stat, &n)
		return n
	}
	publish(s, 100)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, path)
	if n := counted(); n != 100 {
		t.Fatalf("statistics after Open count %d deliveries, want the 100 there are", n)
	}
	var limit int
	if err := s.wtx.conn.QueryRowContext(ctx, "PRAGMA analysis_limit").Scan(&limit); err != nil || fmt.Sprint(limit) != analysisLimit {
		t.Fatalf("writer's analysis_limit = %d (%v), want %s", limit, err, analysisLimit)
	}
	// A server's life: deliveries published, claimed and released.
	publish(s, 3000)
	if _, err := s.ClaimDue(ctx, store.ClaimParams{Owner: "n1", Now: now.Add(time.Hour), LeaseUntil: now.Add(2 * time.Hour), Limit: 10}); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseLeases(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if n := counted(); n != 100 {
		t.Fatalf("statistics after Close count %d deliveries, want the 100 of Open: Close analyzed", n)
	}
}

// Publishes that miss the webhook cache at once share one load: each
// gets the same list (a fan-out's 32 publishers used to read a tenant's
// 1,000 webhooks 32 times over).
func TestEnabledWebhooksMissesShareOneLoad(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "hooks.db"))
	defer s.Close()
	ctx := context.Background()
	now := time.Now().UTC()
	tn := seed(t, s, now)
	const n = 32
	got := make([][]domain.Webhook, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			var err error
			if got[i], err = s.EnabledWebhooks(ctx, tn); err != nil {
				t.Error(err)
			}
		})
	}
	close(start)
	wg.Wait()
	for i := range got {
		if len(got[i]) == 0 || &got[i][0] != &got[0][0] {
			t.Fatalf("caller %d got a list of its own (%d webhooks): the misses were not shared", i, len(got[i]))
		}
	}
}

// TestDeliveryCountsBackfilled: a database that held deliveries before it
// kept delivery counts (migration 0013) gets them counted on upgrade.
func TestDeliveryCountsBackfilled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lmshooks.db")
	ctx := context.Background()
	s := openTest(t, path)
	hour := time.Date(2030, 1, 2, 3, 0, 0, 0, time.UTC)
	tenantWithHook(t, s, "t1", hour)
	for i, at := range []time.Time{hour, hour.Add(time.Hour), hour.Add(time.Hour + time.Minute)} {
		ev := domain.Event{ID: testIDs.New(id.Event), TenantID: "t1", Type: "user.created", OccurredAt: at, ReceivedAt: at, Data: json.RawMessage(`{}`)}
		if _, err := (storetest.Seed{TenantID: "t1", Now: at, Events: []domain.Event{ev}}).Publish(ctx, s); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Back to the schema before 0013, deliveries kept.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP TRIGGER delivery_counts_insert`, `DROP TRIGGER delivery_counts_state`,
		`DROP TRIGGER delivery_counts_delete`, `DROP TABLE delivery_counts`, `DELETE FROM schema_migrations WHERE version >= 13`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	s = openTest(t, path)
	defer s.Close()
	got, err := s.CountDeliveriesByHour(ctx, "t1", hour, hour.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := []store.HourCounts{
		{Hour: hour, Counts: map[domain.DeliveryState]int{domain.Scheduled: 1}},
		{Hour: hour.Add(time.Hour), Counts: map[domain.DeliveryState]int{domain.Scheduled: 2}},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("counts after the upgrade = %v, want %v", got, want)
	}
}

// TestDeliveryCountsLeaveNothingBehind: once retention has taken an
// hour's deliveries, no count row of the hour is left, not even those of
// states they left before (scheduled, here).
func TestDeliveryCountsLeaveNothingBehind(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, filepath.Join(t.TempDir(), "lmshooks.db"))
	defer s.Close()
	clk := clock.NewFake(time.Now().UTC().AddDate(0, 0, -10))
	ids := id.NewGenerator(clk)
	tenantWithHook(t, s, "t1", clk.Now())
	var evs []domain.Event
	for range 3 {
		evs = append(evs, domain.Event{ID: ids.New(id.Event), TenantID: "t1", Type: "user.created", OccurredAt: clk.Now(), ReceivedAt: clk.Now(), Data: json.RawMessage(`{}`)})
	}
	res, err := storetest.Seed{TenantID: "t1", Now: clk.Now(), Events: evs, IDs: ids}.Publish(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	var recs []store.AttemptRecord
	for _, r := range res {
		d := r.Deliveries[0]
		recs = append(recs, storetest.Succeeded(&d, ids.New(id.Attempt), clk.Now()))
	}
	if err := s.RecordAttempts(ctx, recs); err != nil {
		t.Fatal(err)
	}
	rows := func() int {
		t.Helper()
		var n int
		if err := s.rdb.QueryRow(`SELECT COUNT(*) FROM delivery_counts`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := rows(); n != 2 {
		t.Fatalf("%d count rows before retention, want 2 (scheduled at zero, succeeded)", n)
	}
	if _, deleted, err := s.ApplyRetention(ctx, time.Now(), 1); err != nil || deleted == 0 {
		t.Fatalf("ApplyRetention = %d, %v; want the deliveries deleted", deleted, err)
	}
	if n := rows(); n != 0 {
		t.Fatalf("%d count rows left after retention, want none", n)
	}
}
