package postgres

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/stats"
	"github.com/lmshooks/lmshooks/internal/store"
)

// idFloor agrees with internal/id: an id made between two instants sorts
// between their floors.
func TestIDFloorMatchesIDs(t *testing.T) {
	for range 100 {
		before := time.Now()
		v := testIDs.New(id.Event)
		after := time.Now()
		if lo, hi := idFloor(id.Event, before), idFloor(id.Event, after.Add(time.Millisecond)); !(lo <= v && v < hi) {
			t.Fatalf("id %q made in [%v, %v] is outside [%q, %q)", v, before, after, lo, hi)
		}
	}
	if a, b := idFloor(id.Event, time.Unix(1, 0)), idFloor(id.Event, time.Unix(2, 0)); !(a < b) || len(a) != len(id.Event)+10 {
		t.Fatalf("floors %q, %q: want ordered, prefix plus 10 characters", a, b)
	}
}

// partitionOf returns the partition a row of table with key value lives in.
func partitionOf(t *testing.T, s *Store, table, key, value string) string {
	t.Helper()
	var name string
	if err := s.pool.QueryRow(context.Background(), `SELECT tableoid::regclass::text FROM `+table+` WHERE `+key+` = $1`, value).Scan(&name); err != nil {
		t.Fatalf("partition of %s %s: %v", table, value, err)
	}
	return name
}

// publishJobs publishes n events of tenant to its webhooks, claims their
// deliveries for owner and records one successful attempt each.
func publishAndAttempt(t *testing.T, s *Store, tenantID, owner string, n int) []store.PublishResult {
	t.Helper()
	ctx := context.Background()
	res, err := publish(ctx, s, tenantID, newEvents(tenantID, n))
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	jobs, err := s.ClaimDue(ctx, store.ClaimParams{Owner: owner, Now: testNow, LeaseUntil: testNow.Add(time.Hour), Limit: 1000})
	if err != nil {
		t.Fatalf("ClaimDue: %v", err)
	}
	var recs []store.AttemptRecord
	for _, j := range jobs {
		recs = append(recs, store.AttemptRecord{State: domain.Succeeded, Attempt: domain.Attempt{
			ID: testIDs.New(id.Attempt), DeliveryID: j.Delivery.ID, TenantID: j.Delivery.TenantID, WebhookID: j.Delivery.WebhookID,
			EventID: j.Event.ID, Number: 1, Trigger: domain.TriggerScheduled, StartedAt: time.Now(),
			Duration: 30 * time.Millisecond, RequestURL: "https://example.com/hook", StatusCode: 200, Success: true,
		}})
	}
	if err := s.RecordAttempts(ctx, recs); err != nil {
		t.Fatalf("RecordAttempts: %v", err)
	}
	return res
}

// Today's rows land in today's partitions; attempts follow their delivery
// and remember the node that held the lease.
func TestRowsLandInDailyPartitions(t *testing.T) {
	s := openTest(t, Options{})
	tn := seed(t, s, 1)
	res := publishAndAttempt(t, s, tn.ID, "node-a", 1)
	d := res[0].Deliveries[0]
	today := day(time.Now())
	if got, want := partitionOf(t, s, "events", "id", res[0].Event.ID), partitionName("events", today); got != want {
		t.Fatalf("event in %s, want %s", got, want)
	}
	if got, want := partitionOf(t, s, "deliveries", "id", d.ID), partitionName("deliveries", today); got != want {
		t.Fatalf("delivery in %s, want %s", got, want)
	}
	if got, want := partitionOf(t, s, "attempts", "delivery_id", d.ID), partitionName("attempts", today); got != want {
		t.Fatalf("attempt in %s, want %s", got, want)
	}
	var node string
	if err := s.pool.QueryRow(context.Background(), `SELECT node FROM attempts WHERE delivery_id = $1`, d.ID).Scan(&node); err != nil || node != "node-a" {
		t.Fatalf("attempt node = %q, %v; want node-a", node, err)
	}
}

// An event whose id is beyond every partition goes to the default
// partition; creating its day's partition later moves it there.
func TestEnsurePartitionsMovesRowsOutOfDefault(t *testing.T) {
	s := openTest(t, Options{})
	tn := seed(t, s, 0)
	ctx := context.Background()
	future := time.Now().AddDate(0, 0, 20)
	ev := newEvents(tn.ID, 1)[0]
	// Not testIDs.NewAt: it would make every later id of the package's
	// tests (monotonic) as late.
	ev.ID = idFloor(id.Event, future) + "0000000000000000"
	if _, err := publish(ctx, s, tn.ID, []domain.Event{ev}); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if got := partitionOf(t, s, "events", "id", ev.ID); got != "events_default" {
		t.Fatalf("future event in %s, want events_default", got)
	}
	if err := s.EnsurePartitions(ctx, future, future); err != nil {
		t.Fatalf("EnsurePartitions: %v", err)
	}
	if got, want := partitionOf(t, s, "events", "id", ev.ID), partitionName("events", day(future)); got != want {
		t.Fatalf("event in %s after EnsurePartitions, want %s", got, want)
	}
	if _, err := s.GetEvent(ctx, tn.ID, ev.ID); err != nil {
		t.Fatalf("GetEvent after the move: %v", err)
	}
	// Idempotent.
	if err := s.EnsurePartitions(ctx, future, future); err != nil {
		t.Fatalf("EnsurePartitions again: %v", err)
	}
}

// Past the longest retention whole partitions are dropped; idempotency
// keys go with their events.
func TestApplyRetentionDropsPartitions(t *testing.T) {
	s := openTest(t, Options{})
	tn := seed(t, s, 1)
	ctx := context.Background()
	ev := newEvents(tn.ID, 1)
	ev[0].IdempotencyKey = "k1"
	if _, err := publish(ctx, s, tn.ID, ev); err != nil {
		t.Fatal(err)
	}
	res := publishAndAttempt(t, s, tn.ID, "n", 2)

	now := time.Now().AddDate(0, 0, 40) // today is 40 days old
	dropped, deleted, err := s.ApplyRetention(ctx, now, 30)
	if err != nil {
		t.Fatalf("ApplyRetention: %v", err)
	}
	if dropped < 3 {
		t.Fatalf("dropped %d partitions, want at least today's three", dropped)
	}
	t.Logf("dropped %d partitions, deleted %d rows", dropped, deleted)
	names, err := s.partitions(ctx, "events")
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(names, partitionName("events", day(time.Now()))) {
		t.Fatalf("today's events partition survived: %v", names)
	}
	_, err = s.GetEvent(ctx, tn.ID, res[0].Event.ID)
	if domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("GetEvent of an expired event: %v, want not found", err)
	}
	// The key was forgotten with its event: publishing it again stores a
	// new event.
	again := newEvents(tn.ID, 1)
	again[0].IdempotencyKey = "k1"
	r, err := publish(ctx, s, tn.ID, again)
	if err != nil || r[0].Replayed {
		t.Fatalf("republish of an expired key: replayed=%v err=%v, want a new event", r != nil && r[0].Replayed, err)
	}
}

// A tenant that keeps less than the others loses its old rows one by one;
// the others keep theirs.
func TestApplyRetentionPerTenant(t *testing.T) {
	s := openTest(t, Options{})
	short, long := seed(t, s, 1), seed(t, s, 1)
	ctx := context.Background()
	rs := publishAndAttempt(t, s, short.ID, "n", 3)
	rl := publishAndAttempt(t, s, long.ID, "n", 3)
	if err := s.SetTenantRetention(ctx, short.ID, 1); err != nil {
		t.Fatalf("SetTenantRetention: %v", err)
	}
	if days, err := s.TenantRetention(ctx, short.ID); err != nil || days != 1 {
		t.Fatalf("TenantRetention = %d, %v; want 1", days, err)
	}
	wantCodeErr(t, s.SetTenantRetention(ctx, "nope", 3), domain.ENOTFOUND)
	wantCodeErr(t, s.SetTenantRetention(ctx, short.ID, -1), domain.EINVALID)

	dropped, deleted, err := s.ApplyRetention(ctx, time.Now().AddDate(0, 0, 2), 30)
	if err != nil {
		t.Fatalf("ApplyRetention: %v", err)
	}
	// 3 events, 3 deliveries, 3 attempts.
	if dropped != 0 || deleted != 9 {
		t.Fatalf("dropped %d partitions and deleted %d rows, want 0 and 9", dropped, deleted)
	}
	_, err = s.GetDelivery(ctx, short.ID, rs[0].Deliveries[0].ID)
	wantCodeErr(t, err, domain.ENOTFOUND)
	if as, _ := s.ListAttempts(ctx, short.ID, rs[0].Deliveries[0].ID); len(as) != 0 {
		t.Fatalf("%d attempts left of an expired delivery", len(as))
	}
	if _, err := s.GetDelivery(ctx, long.ID, rl[0].Deliveries[0].ID); err != nil {
		t.Fatalf("the other tenant's delivery: %v", err)
	}
	if as, _ := s.ListAttempts(ctx, long.ID, rl[0].Deliveries[0].ID); len(as) != 1 {
		t.Fatalf("the other tenant's delivery has %d attempts, want 1", len(as))
	}
}

func wantCodeErr(t *testing.T, err error, code string) {
	t.Helper()
	if got := domain.ErrorCode(err); got != code {
		t.Fatalf("error %v has code %q, want %q", err, got, code)
	}
}

// Roll-ups count calls, errors and latency buckets per webhook and hour,
// and agree with AttemptSamples.
func TestRollUpAttempts(t *testing.T) {
	s := openTest(t, Options{})
	tn := seed(t, s, 1)
	ctx := context.Background()
	res, err := publish(ctx, s, tn.ID, newEvents(tn.ID, 4))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	hour := now.Add(-2 * time.Hour).Truncate(time.Hour)
	durations := []time.Duration{5 * time.Millisecond, 40 * time.Millisecond, 40 * time.Millisecond, 20 * time.Second}
	var recs []store.AttemptRecord
	for i, r := range res {
		d := r.Deliveries[0]
		recs = append(recs, store.AttemptRecord{State: domain.Succeeded, Attempt: domain.Attempt{
			ID: testIDs.New(id.Attempt), DeliveryID: d.ID, TenantID: tn.ID, WebhookID: d.WebhookID, EventID: d.EventID,
			Number: 1, Trigger: domain.TriggerScheduled, StartedAt: hour.Add(time.Duration(i) * time.Minute),
			Duration: durations[i], RequestURL: "https://example.com", StatusCode: 200, Success: i != 3,
		}})
	}
	if err := s.RecordAttempts(ctx, recs); err != nil {
		t.Fatal(err)
	}
	hours, err := s.RollUpAttempts(ctx, now)
	if err != nil || hours == 0 {
		t.Fatalf("RollUpAttempts = %d, %v", hours, err)
	}
	if again, err := s.RollUpAttempts(ctx, now); err != nil || again != 0 {
		t.Fatalf("second RollUpAttempts = %d, %v; want 0 (nothing new)", again, err)
	}
	rus, err := s.AttemptRollups(ctx, tn.ID, hour.Add(-time.Hour), now)
	if err != nil || len(rus) != 1 {
		t.Fatalf("AttemptRollups = %+v, %v; want one row", rus, err)
	}
	ru := rus[0]
	if !ru.Hour.Equal(hour) || ru.Calls != 4 || ru.Errors != 1 || ru.DurationMax != 20*time.Second ||
		ru.DurationSum != 5*time.Millisecond+80*time.Millisecond+20*time.Second {
		t.Fatalf("roll-up %+v", ru)
	}
	want := make([]int64, len(stats.RollupBounds)+1)
	want[0], want[2], want[len(want)-1] = 1, 2, 1
	if !slices.Equal(ru.Buckets, want) {
		t.Fatalf("buckets %v, want %v", ru.Buckets, want)
	}
	samples, err := s.AttemptSamples(ctx, tn.ID, hour, hour.Add(time.Hour))
	if err != nil || int64(len(samples)) != ru.Calls {
		t.Fatalf("AttemptSamples = %d samples, %v; roll-up counts %d", len(samples), err, ru.Calls)
	}
}

// One leader per schema; a released or lost leadership passes on.
func TestTryLead(t *testing.T) {
	dsn := testDSN(t)
	schema := newSchemaName(t, dsn)
	app := "lmshooks_lead_" + schema
	a, err := Open(context.Background(), withAppName(t, dsn, app), Options{Schema: schema, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	b := openTest(t, Options{Schema: schema})
	ctx := context.Background()

	lostA, releaseA, err := a.TryLead(ctx)
	if err != nil || lostA == nil {
		t.Fatalf("first TryLead: lost=%v err=%v, want leadership", lostA, err)
	}
	lostB, _, err := b.TryLead(ctx)
	if err != nil || lostB != nil {
		t.Fatalf("second TryLead while a leads: lost=%v err=%v, want none", lostB, err)
	}
	releaseA()
	releaseA() // harmless
	lostB, releaseB, err := b.TryLead(ctx)
	if err != nil || lostB == nil {
		t.Fatalf("TryLead after release: lost=%v err=%v, want leadership", lostB, err)
	}
	releaseB()

	// The leader's connection dies: it learns it lost, and b takes over.
	lostA, releaseA, err = a.TryLead(ctx)
	if err != nil || lostA == nil {
		t.Fatalf("TryLead again: lost=%v err=%v", lostA, err)
	}
	defer releaseA()
	var n int
	if err := b.pool.QueryRow(ctx, `SELECT count(pg_terminate_backend(l.pid)) FROM pg_locks l
		JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND a.application_name = $1`, app).Scan(&n); err != nil || n != 1 {
		t.Fatalf("terminated %d leader connections (%v), want 1", n, err)
	}
	select {
	case <-lostA:
	case <-time.After(15 * time.Second):
		t.Fatal("the leader did not notice its lost connection")
	}
	lostB, releaseB, err = b.TryLead(ctx)
	if err != nil || lostB == nil {
		t.Fatalf("TryLead after the leader died: lost=%v err=%v", lostB, err)
	}
	releaseB()
}
