package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store/sqlite"
)

// bigDeliveries is how many finished deliveries TestStopOnALargeDatabase
// seeds: enough that a statement scanning the table shows, few enough to
// seed in seconds with the pure-Go SQLite.
const bigDeliveries = 200_000

// seedBigDatabase makes a database of n finished deliveries of one tenant
// in one transaction, written straight in SQL (a recursive CTE): what a
// busy server leaves after weeks, made in seconds. Their ids are stamped
// now, so that retention keeps them.
func seedBigDatabase(t *testing.T, path string, n int) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path, sqlite.Options{}) // the schema
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path+"?_pragma=synchronous(OFF)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ids := id.NewGenerator(nil)
	// An id is its prefix, 10 characters of time and 16 of randomness:
	// keep the time, count in the rest.
	dlv, evt := ids.New(id.Delivery)[:len(id.Delivery)+10], ids.New(id.Event)[:len(id.Event)+10]
	now := time.Now().UnixMicro()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO tenants (id, name, environment, created_at, updated_at) VALUES ('big', 'Big', 'production', ?, ?)`, []any{now, now}},
		// One event for all: the deliveries are what the statements under
		// test read.
		{`INSERT INTO events (id, tenant_id, type, occurred_at, received_at, data) VALUES (? || '0000000000000000', 'big', 'user.created', ?, ?, '{}')`, []any{evt, now, now}},
		{`WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
			INSERT INTO deliveries (id, tenant_id, event_id, webhook_id, event_type, state, attempts, last_status, created_at, updated_at)
			SELECT ? || printf('%016d', n), 'big', ? || '0000000000000000', 'wh_gone', 'user.created', 'succeeded', 1, 200, ?, ?
			FROM seq`, []any{n, dlv, evt, now, now}},
	} {
		if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// A graceful stop on a large database ends within the shutdown timeout,
// with attempts in flight that never finish, and the next start on the
// same file is quick. The statements that made the stop take minutes (a
// lease release that scanned the deliveries, PRAGMA optimize at close) are
// checked to be indexed, or gone, in internal/store/sqlite's
// TestLeaseStatementsUseTheLeaseIndex; this checks the whole stop on the
// real binary. The deadlines are generous: a failure means a stop that
// hangs, not a slow machine.
func TestStopOnALargeDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a large database and runs the binary")
	}
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "big.db")
	start := time.Now()
	seedBigDatabase(t, db, bigDeliveries)
	t.Logf("seeded %d deliveries in %s", bigDeliveries, time.Since(start).Round(time.Millisecond))

	addr := freePort(t)
	starting := time.Now()
	c := startChild(t, bin, addr, db, "--shutdown-timeout", "2s")
	t.Logf("started in %s", time.Since(starting).Round(time.Millisecond))
	// A receiver that never answers: the attempts are in flight, and their
	// deliveries leased, when the stop comes.
	hang := make(chan struct{})
	arrived := make(chan struct{}, 1)
	rc := newReceiver(t, func(int, *http.Request) int {
		select {
		case arrived <- struct{}{}:
		default:
		}
		<-hang
		return 200
	})
	// Before the receiver's own cleanup, which waits for its handlers.
	t.Cleanup(func() { close(hang) })
	if code := callAPI(t, c.base, operatorKey, "POST", "/api/v1/tenants/big/webhooks",
		map[string]any{"name": "hangs", "url": rc.URL, "event_types": []string{"*"}}, nil); code != 201 {
		t.Fatalf("create webhook = %d", code)
	}
	for i := range 3 {
		if code := callAPI(t, c.base, operatorKey, "POST", "/api/v1/tenants/big/events",
			map[string]any{"type": "user.created", "data": map[string]any{"id": fmt.Sprint("u_", i)}}, nil); code != 202 {
			t.Fatalf("publish = %d", code)
		}
	}
	select {
	case <-arrived:
	case <-time.After(30 * time.Second):
		t.Fatal("no attempt reached the receiver")
	}

	stopping := time.Now()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- c.cmd.Wait() }()
	select {
	case err := <-exited:
		t.Logf("stopped in %s (%v)", time.Since(stopping).Round(time.Millisecond), err)
	case <-time.After(60 * time.Second):
		t.Fatalf("still running 60 s after SIGTERM with --shutdown-timeout 2s\n%s", c.log)
	}

	// The next start on the same file is ready within startChild's
	// deadline, and it delivers what the stop left undone.
	starting = time.Now()
	c2 := startChild(t, bin, addr, db)
	t.Logf("started again in %s", time.Since(starting).Round(time.Millisecond))
	stopping = time.Now()
	if err := c2.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	go func() { exited <- c2.cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("second stop: %v\n%s", err, c2.log)
		}
		t.Logf("stopped again in %s", time.Since(stopping).Round(time.Millisecond))
	case <-time.After(60 * time.Second):
		t.Fatalf("still running 60 s after SIGTERM\n%s", c2.log)
	}
}
