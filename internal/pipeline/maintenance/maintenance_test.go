package maintenance_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/pipeline/maintenance"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/store/postgres"
	"github.com/lmshooks/lmshooks/internal/store/sqlite"
	"github.com/lmshooks/lmshooks/internal/testsupport/pgtest"
	"github.com/lmshooks/lmshooks/internal/testsupport/poll"
)

// openSchema opens n stores on one fresh schema, dropped when the test
// ends.
func openSchema(t *testing.T, n int) (schema string, stores []*postgres.Store) {
	t.Helper()
	dsn := pgtest.DSN(t)
	schema = pgtest.Schema(t, dsn, "test_maint_")
	for range n {
		s, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema, MaxConns: 2, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { _ = s.Close() })
		stores = append(stores, s)
	}
	return schema, stores
}

// countPartitions counts the daily partitions of events in schema.
func countPartitions(t *testing.T, schema string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, os.Getenv("LMSHOOKS_TEST_POSTGRES"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND tablename LIKE 'events\_p%'`, schema).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// countingElector counts the elections a node has tried, so that a test
// can wait for followers to have tried (and failed) again.
type countingElector struct {
	store.Maintenance
	tries atomic.Int64
}

func (e *countingElector) TryLead(ctx context.Context) (<-chan struct{}, func(), error) {
	lost, release, err := e.Maintenance.TryLead(ctx)
	e.tries.Add(1)
	return lost, release, err
}

// Of three nodes exactly one leads and does the work; when it stops, one
// of the others takes over.
func TestOneLeaderAndReElection(t *testing.T) {
	schema, stores := openSchema(t, 3)
	type node struct {
		r       *maintenance.Runner
		elector *countingElector
		cancel  context.CancelFunc
		done    chan struct{}
	}
	var nodes []*node
	for _, s := range stores {
		elector := &countingElector{Maintenance: s}
		r := maintenance.New(maintenance.Config{
			Store: elector, RetentionDays: 30, Logger: slog.New(slog.DiscardHandler),
			Every: 50 * time.Millisecond, RetryEvery: 50 * time.Millisecond, DaysAhead: 10,
		})
		ctx, cancel := context.WithCancel(context.Background())
		n := &node{r: r, elector: elector, cancel: cancel, done: make(chan struct{})}
		go func() { defer close(n.done); r.Run(ctx) }()
		nodes = append(nodes, n)
	}
	var once sync.Once
	stopAll := func() {
		once.Do(func() {
			for _, n := range nodes {
				n.cancel()
				<-n.done
			}
		})
	}
	t.Cleanup(stopAll)

	leaders := func() (count int, leader *node) {
		for _, n := range nodes {
			if n.r.Leading() {
				count++
				leader = n
			}
		}
		return count, leader
	}
	var first *node
	poll.For(t, 20*time.Second, "a leader that has run", func() bool {
		c, l := leaders()
		first = l
		return c == 1 && l.r.Runs() > 0
	})
	// Yesterday to ten days ahead.
	if got := countPartitions(t, schema); got < 12 {
		t.Fatalf("%d daily events partitions after the leader ran, want at least 12", got)
	}
	// Still one leader a while later: followers keep trying and failing.
	// "A while" is two more elections tried by every follower.
	before := make(map[*node]int64)
	for _, n := range nodes {
		before[n] = n.elector.tries.Load()
	}
	poll.For(t, 20*time.Second, "every follower to try two more elections", func() bool {
		for _, n := range nodes {
			if n != first && n.elector.tries.Load() < before[n]+2 {
				return false
			}
		}
		return true
	})
	if c, l := leaders(); c != 1 || l != first {
		t.Fatalf("%d leaders after a while (same as before: %v), want the first one only", c, l == first)
	}
	for _, n := range nodes {
		if n != first && n.r.Runs() != 0 {
			t.Fatal("a follower ran the leader's tasks")
		}
	}

	first.cancel()
	<-first.done
	poll.For(t, 20*time.Second, "a new leader", func() bool {
		c, l := leaders()
		return c == 1 && l != first && l.r.Runs() > 0
	})
	stopAll()
	if c, _ := leaders(); c != 0 {
		t.Fatalf("%d nodes still lead after stopping", c)
	}
}

// The leader's retention round forgets the portal links used that expired
// more than an hour ago, and keeps the others (their second use must still
// be refused).
func TestRetentionForgetsLongExpiredPortalLinks(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "maint.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	now := time.Date(2030, 3, 4, 5, 6, 7, 0, time.UTC)
	if err := s.UsePortalLink(ctx, "long-expired", now.Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.UsePortalLink(ctx, "just-expired", now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	r := maintenance.New(maintenance.Config{Store: s, Clock: clock.NewFake(now), Logger: slog.New(slog.DiscardHandler), Every: time.Hour})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); r.Run(runCtx) }()
	poll.For(t, 10*time.Second, "a maintenance round", func() bool { return r.Runs() > 0 })
	cancel()
	<-done
	if err := s.UsePortalLink(ctx, "long-expired", now.Add(time.Minute)); err != nil {
		t.Errorf("a link that expired two hours ago is still remembered: %v", err)
	}
	if err := s.UsePortalLink(ctx, "just-expired", now.Add(time.Minute)); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("a link that expired a minute ago was forgotten: %v", err)
	}
}
