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
		n, err := s.Heartbeat(ctx, node, "i", at, ttl)
		if err != nil {
			t.Fatalf("Heartbeat(%s): %v", node, err)
		}
		if n != want {
			t.Fatalf("Heartbeat(%s) at +%v = %d live dispatchers, want %d", node, at.Sub(testNow), n, want)
		}
	}

	join := func(node string, at time.Time) {
		t.Helper()
		if err := s.Join(ctx, node, "i", at, ttl); err != nil {
			t.Fatalf("Join(%s): %v", node, err)
		}
	}
	join("a", testNow)
	beat("a", testNow, 1)
	join("b", testNow.Add(time.Second))
	beat("b", testNow.Add(time.Second), 2)
	beat("a", testNow.Add(5*time.Second), 2)
	// b falls silent: still counted within ttl of its last beat...
	beat("a", testNow.Add(10*time.Second), 2)
	// ...and no longer after it.
	beat("a", testNow.Add(12*time.Second), 1)
	// b was declared dead and forgotten: it must join again.
	if _, err := s.Heartbeat(ctx, "b", "i", testNow.Add(13*time.Second), ttl); err == nil {
		t.Fatal("Heartbeat of a node declared dead succeeded, want ENOTFOUND")
	}
	join("b", testNow.Add(13*time.Second))
	beat("b", testNow.Add(13*time.Second), 2)
}
