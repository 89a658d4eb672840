package postgres

import (
	"context"
	"testing"
	"time"
)

func TestHeartbeatCountsLiveDispatchers(t *testing.T) {
	s := openTest(t, Options{})
	ctx := context.Background()
	const ttl = 10 * time.Second
	beat := func(node string, at time.Time, want int) {
		t.Helper()
		n, err := s.Heartbeat(ctx, node, at, ttl)
		if err != nil {
			t.Fatalf("Heartbeat(%s): %v", node, err)
		}
		if n != want {
			t.Fatalf("Heartbeat(%s) at +%v = %d live dispatchers, want %d", node, at.Sub(testNow), n, want)
		}
	}

	beat("a", testNow, 1)
	beat("b", testNow.Add(time.Second), 2)
	beat("a", testNow.Add(5*time.Second), 2)
	// b falls silent: still counted within ttl of its last beat...
	beat("a", testNow.Add(10*time.Second), 2)
	// ...and no longer after it.
	beat("a", testNow.Add(12*time.Second), 1)
	// b comes back.
	beat("b", testNow.Add(13*time.Second), 2)

	// A row silent for far longer than ttl is deleted.
	beat("a", testNow.Add(13*time.Second+deadNodeAge*ttl+time.Second), 1)
	var rows int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM nodes`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 1 {
		t.Fatalf("nodes holds %d rows after b died long ago, want 1", rows)
	}
}
