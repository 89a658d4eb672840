package dispatch

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/store/sqlite"
)

// slowReads is a store whose webhook reads wait for release: the
// injected delay; it counts them.
type slowReads struct {
	store.Store
	release chan struct{}
	reads   atomic.Int32
}

func (s *slowReads) WebhookByID(ctx context.Context, id string) (*domain.Webhook, error) {
	s.reads.Add(1)
	<-s.release
	return s.Store.WebhookByID(ctx, id)
}

// Workers of one webhook that miss the cache at once share one read.
func TestWebhookCacheSharesConcurrentReads(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	if err := st.CreateTenant(ctx, &domain.Tenant{ID: "acme", Name: "Acme", Environment: domain.Production, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	w := &domain.Webhook{ID: "wh_1", TenantID: "acme", Name: "one", URL: "https://example.org", EventTypes: []string{"user.*"}, Enabled: true,
		Secret: "whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdHRlc3Q=", CreatedAt: now, UpdatedAt: now}
	w.Normalize()
	if err := st.CreateWebhook(ctx, w); err != nil {
		t.Fatal(err)
	}
	slow := &slowReads{Store: st, release: make(chan struct{})}
	c := newWebhookCache(slow, clock.Real{}, time.Minute)

	var wg sync.WaitGroup
	got := make([]*domain.Webhook, 16)
	for i := range got {
		wg.Go(func() {
			var err error
			if got[i], err = c.get(ctx, "wh_1"); err != nil {
				t.Error(err)
			}
		})
	}
	// Release the read once every worker is in: reading, or waiting for
	// another's read.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		in := int(slow.reads.Load())
		if l := c.loading["wh_1"]; l != nil {
			in += l.joined
		}
		c.mu.Unlock()
		if in == len(got) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(slow.release)
	wg.Wait()
	if n := slow.reads.Load(); n != 1 {
		t.Errorf("16 workers missing at once made %d reads, want 1", n)
	}
	for i, g := range got {
		if g == nil || g.ID != "wh_1" {
			t.Fatalf("worker %d got %+v", i, g)
		}
	}
}
