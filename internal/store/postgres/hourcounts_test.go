package postgres

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/store/storetest"
)

// TestDeliveryCountsBackfilled: a schema that held deliveries before it
// kept delivery counts (migration 0014) gets them counted on upgrade.
func TestDeliveryCountsBackfilled(t *testing.T) {
	ctx := context.Background()
	dsn := testDSN(t)
	schema := newSchemaName(t, dsn)
	s := openTest(t, Options{Schema: schema})
	tn := seed(t, s, 1)
	if _, err := publish(ctx, s, tn.ID, newEvents(tn.ID, 3)); err != nil {
		t.Fatal(err)
	}
	// Back to the schema before 0014, deliveries kept.
	for _, q := range []string{`DROP TABLE delivery_counts`, `DROP FUNCTION delivery_counts_insert, delivery_counts_update,
		delivery_counts_delete, delivery_hour CASCADE`, `DELETE FROM schema_migrations WHERE version >= 14`} {
		if _, err := s.pool.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s.Close()

	s = openTest(t, Options{Schema: schema})
	hour := testNow.UTC().Truncate(time.Hour)
	got, err := s.CountDeliveriesByHour(ctx, tn.ID, hour, hour.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := []store.HourCounts{{Hour: hour, Counts: map[domain.DeliveryState]int{domain.Scheduled: 3}}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("counts after the upgrade = %v, want %v", got, want)
	}
}

// TestDeliveryCountsConcurrentWriters: two stores (two nodes) publishing,
// claiming and recording at once on one schema, each through rows of its
// own backends, keep counts whose sums are exact.
func TestDeliveryCountsConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	dsn := testDSN(t)
	schema := newSchemaName(t, dsn)
	a := openTest(t, Options{Schema: schema})
	b := openTest(t, Options{Schema: schema})
	tn := seed(t, a, 1)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i, s := range []*Store{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				if _, err := publish(ctx, s, tn.ID, newEvents(tn.ID, 5)); err != nil {
					errs <- err
					return
				}
				jobs, err := s.ClaimDue(ctx, store.ClaimParams{Owner: fmt.Sprint("n", i), Now: testNow, LeaseUntil: testNow.Add(time.Minute), Limit: 3})
				if err != nil {
					errs <- err
					return
				}
				var recs []store.AttemptRecord
				for _, j := range jobs {
					d := j.Delivery
					recs = append(recs, storetest.Succeeded(&d, testIDs.New(id.Attempt), testNow))
				}
				if err := s.RecordAttempts(ctx, recs); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	hour := testNow.UTC().Truncate(time.Hour)
	got, err := b.CountDeliveriesByHour(ctx, tn.ID, hour, hour.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	exact, err := a.CountDeliveries(ctx, store.DeliveryFilter{TenantID: tn.ID, Since: hour, Until: hour.Add(time.Hour)}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || exact[domain.Succeeded] == 0 || fmt.Sprint(got[0].Counts) != fmt.Sprint(exact) {
		t.Fatalf("kept counts %v, exact %v", got, exact)
	}
}

// TestDeliveryCountsFoldedAway: once retention drops a day, its counts
// (added by one backend, subtracted by another) are folded and, come to
// zero, removed: no row is left behind.
func TestDeliveryCountsFoldedAway(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{})
	tn := seed(t, s, 1)
	clk := clock.NewFake(time.Now().UTC().AddDate(0, 0, -10))
	ids := id.NewGenerator(clk)
	evs := newEvents(tn.ID, 3)
	for i := range evs {
		evs[i].ID = ids.New(id.Event)
	}
	res, err := storetest.Seed{TenantID: tn.ID, Events: evs, Now: clk.Now(), IDs: ids}.Publish(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EnsurePartitions(ctx, clk.Now(), clk.Now()); err != nil {
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
	var rows int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM delivery_counts`).Scan(&rows); err != nil || rows == 0 {
		t.Fatalf("%d count rows before retention (%v), want some", rows, err)
	}
	if dropped, _, err := s.ApplyRetention(ctx, time.Now(), 1); err != nil || dropped == 0 {
		t.Fatalf("ApplyRetention = %d partitions dropped, %v; want the day's", dropped, err)
	}
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM delivery_counts`).Scan(&rows); err != nil || rows != 0 {
		t.Fatalf("%d count rows left after retention (%v), want none", rows, err)
	}
}
