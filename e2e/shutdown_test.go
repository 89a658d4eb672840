package e2e

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/client"
	"github.com/lmshooks/lmshooks/internal/config"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/store/sqlite"
)

// A graceful stop lets the attempt in flight finish and records it, so the
// next start does not send it again.
func TestGracefulShutdownDrainsAttemptsInFlight(t *testing.T) {
	db := filepath.Join(t.TempDir(), "drain.db")
	s := startServer(t, func(c *config.Config) { c.DB = "sqlite:" + db })
	s.createTenant("acme")
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	rc := newReceiver(t, func(n int, r *http.Request) int {
		arrived <- struct{}{}
		<-release
		return 200
	})
	s.createWebhook("acme", client.WebhookRequest{Name: "slow", URL: rc.URL, EventTypes: []string{"*"}})
	s.publishBatch("acme", "user.created", 1, 0)
	select {
	case <-arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("the delivery never arrived")
	}

	closed := make(chan error, 1)
	go func() { closed <- s.app.Close() }()
	// The server is draining: it must wait for the receiver's answer.
	select {
	case err := <-closed:
		t.Fatalf("Close returned before the attempt in flight finished: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}

	st, err := sqlite.Open(context.Background(), db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	list, _, err := st.ListDeliveries(context.Background(), store.DeliveryFilter{TenantID: "acme"})
	if err != nil || len(list) != 1 {
		t.Fatalf("deliveries = %v (err %v)", list, err)
	}
	if d := list[0]; d.State != "succeeded" || d.Attempts != 1 {
		t.Fatalf("after a graceful stop the delivery is %s with %d attempts, want succeeded with 1", d.State, d.Attempts)
	}
}
