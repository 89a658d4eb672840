package dispatch

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/pipeline/outbound"
	"github.com/lmshooks/lmshooks/internal/store"
)

// beatStore injects heartbeat failures into a real store.
type beatStore struct {
	store.Store
	err atomic.Pointer[error]
}

func (s *beatStore) Heartbeat(ctx context.Context, nodeID, incarnation string, now time.Time, ttl time.Duration) (int, error) {
	if err := s.err.Load(); err != nil {
		return 0, *err
	}
	return s.Store.Heartbeat(ctx, nodeID, incarnation, now, ttl)
}

// A node whose heartbeats are late may be declared dead by the others at
// any moment, so it starts no attempt even on a lease with time left; a
// node told that it was declared dead drops its work and joins again.
func TestLateHeartbeatsStopAttempts(t *testing.T) {
	var got atomic.Int32
	f := newLeaseFixture(t, func(w http.ResponseWriter, r *http.Request) { got.Add(1) }, 1)
	f.d.Stop(context.Background())
	bs := &beatStore{Store: f.st}
	f.d = New(Config{Store: bs, Sender: outbound.New(outbound.Options{AllowPrivate: true}), Owner: f.owner, Clock: f.clk,
		LeaseFor: 3 * time.Second, PollInterval: time.Hour})
	f.d.Start()
	t.Cleanup(func() { f.d.Stop(context.Background()) })

	lost := error(errors.New("database unreachable"))
	bs.err.Store(&lost)
	// Two heartbeat intervals (2 × 0.5s) pass without a heartbeat.
	f.clk.Advance(1100 * time.Millisecond)
	f.d.Handoff(f.publish(t, 1, f.clk.Now().Add(3*time.Second)))
	waitFor(t, "the job to leave memory", func() bool { return f.d.Held() == 0 })
	if n := got.Load(); n != 0 {
		t.Fatalf("a node with late heartbeats sent %d requests", n)
	}

	// Declared dead meanwhile: the store no longer knows this incarnation.
	gone := error(domain.Errorf(domain.ENOTFOUND, "declared dead"))
	bs.err.Store(&gone)
	f.d.heartbeat(context.Background())
	if f.d.joined {
		t.Fatal("a node declared dead still thinks it has joined")
	}
	bs.err.Store(nil)
	f.d.heartbeat(context.Background()) // joins again: its leases come back
	f.d.Wake()
	waitFor(t, "the delivery to be sent once the node is back", func() bool { return got.Load() == 1 })
}
