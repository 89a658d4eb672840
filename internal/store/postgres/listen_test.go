package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/testsupport/poll"
)

// listenFor starts s.Listen until the test ends and returns a channel that
// receives once per wake (coalesced).
func listenFor(t *testing.T, s *Store) <-chan struct{} {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	woken := make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() {
		done <- s.Listen(ctx, func() {
			select {
			case woken <- struct{}{}:
			default:
			}
		})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Listen returned %v after its context ended, want nil", err)
		}
	})
	return woken
}

// waitWake publishes (with publish, which may be nil) until woken fires or
// the deadline passes. LISTEN is set up asynchronously, so the first
// notifications may go unheard: trying again is the signal-based way to
// wait for it.
func waitWake(t *testing.T, woken <-chan struct{}, publish func()) bool {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if publish != nil {
			publish()
		}
		select {
		case <-woken:
			return true
		case <-time.After(100 * time.Millisecond):
		}
	}
	return false
}

func TestListenWakesOnPublish(t *testing.T) {
	s := openTest(t, Options{})
	tn := seed(t, s, 1)
	woken := listenFor(t, s)
	ok := waitWake(t, woken, func() {
		if _, err := publish(context.Background(), s, tn.ID, newEvents(tn.ID, 1)); err != nil {
			t.Fatalf("Publish: %v", err)
		}
	})
	if !ok {
		t.Fatal("Listen never woke after publishes")
	}
}

func TestListenReconnects(t *testing.T) {
	dsn := testDSN(t)
	schema := newSchemaName(t, dsn)
	app := "lmshooks_" + schema
	s, err := Open(context.Background(), withAppName(t, dsn, app), Options{Schema: schema, Logger: discardLogger()})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	woken := listenFor(t, s)

	// Wait until the LISTEN connection exists, then cut it: Listen must
	// come back and call wake, since notifications may have been lost.
	if !poll.Until(10*time.Second, func() bool { return terminate(t, app, "idle", "LISTEN "+workChannel) > 0 }) {
		t.Fatal("the LISTEN connection never appeared")
	}
	if !waitWake(t, woken, nil) {
		t.Fatal("Listen did not wake after its connection was cut")
	}
}
