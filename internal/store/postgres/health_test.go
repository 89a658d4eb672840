package postgres

import (
	"context"
	"testing"
)

// A server that takes no writes (a standby after a failover, a read-only
// session as here) fails a publish with EUNAVAILABLE, so the API answers
// 503, and LastWrite reports it until a write commits again.
func TestLastWriteReportsAReadOnlyServer(t *testing.T) {
	s := openTest(t, Options{MaxConns: 1})
	tn := seed(t, s, 1)
	ctx := context.Background()
	session := func(sql string) {
		t.Helper()
		// The pool's one connection: every later call of the store uses it.
		c, err := s.pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Release()
		if _, err := c.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	session("SET default_transaction_read_only = on")
	_, err := publish(ctx, s, tn.ID, newEvents(tn.ID, 1))
	wantUnavailable(t, "Publish on a read-only server", err)
	wantUnavailable(t, "ProbeWrite on a read-only server", s.ProbeWrite(ctx, "node-a", testNow))
	failed := s.LastWrite()
	if failed.Err == nil {
		t.Fatalf("LastWrite on a read-only server = %+v, want its error", failed)
	}
	if code, _ := pgCode(failed.Err); code != "25006" {
		t.Fatalf("LastWrite error = %v, want PostgreSQL's read-only transaction (25006)", failed.Err)
	}

	session("RESET default_transaction_read_only")
	if err := s.ProbeWrite(ctx, "node-a", testNow); err != nil {
		t.Fatalf("ProbeWrite on a writable server: %v", err)
	}
	if got := s.LastWrite(); got.Err != nil || got.Seq <= failed.Seq {
		t.Fatalf("LastWrite after the probe = %+v, want a newer clean outcome than %+v", got, failed)
	}
	if _, err := publish(ctx, s, tn.ID, newEvents(tn.ID, 1)); err != nil {
		t.Fatalf("Publish on a writable server: %v", err)
	}
}
