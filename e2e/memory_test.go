package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/client"
	"github.com/lmshooks/lmshooks/internal/config"
	"github.com/lmshooks/lmshooks/signature"
)

// hangingReceiver answers nothing until released, then 204 to everything;
// it counts the distinct deliveries it got per path and keeps no bodies, so
// that the test's own heap stays out of the measure.
type hangingReceiver struct {
	release chan struct{}
	once    sync.Once
	mu      sync.Mutex
	got     map[string]map[string]bool // path → delivery ids
}

func (h *hangingReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	select {
	case <-h.release:
	case <-r.Context().Done():
		return
	}
	h.mu.Lock()
	if h.got[r.URL.Path] == nil {
		h.got[r.URL.Path] = map[string]bool{}
	}
	h.got[r.URL.Path][r.Header.Get(signature.HeaderID)] = true
	h.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (h *hangingReceiver) open() { h.once.Do(func() { close(h.release) }) }

func (h *hangingReceiver) count(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.got[path])
}

// heapInUse returns the heap in use once garbage is collected.
func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}

// TestMemoryStaysWithinBudgetWhileReceiversHang is issue 11's scenario,
// scaled down: four webhooks limited to one request at a time point at a
// receiver that hangs, and events of 200 KB arrive until they add up to
// four times the memory budget. What the dispatcher and ingest hold must
// stay within the budget: the rest waits in the store. Once the receiver
// answers, every event reaches every webhook.
func TestMemoryStaysWithinBudgetWhileReceiversHang(t *testing.T) {
	const (
		budget    = 16 << 20
		eventSize = 200_000
		webhooks  = 4
		events    = 4 * budget / eventSize // ~335: 4× the budget in event data alone
		// margin covers what is neither held work nor there at rest: the
		// requests in flight (one publish, four attempts with their
		// rendered bodies: ~1 MB), and buffers the HTTP servers, clients
		// and database driver keep after use. Before the fix, the held
		// work alone was ~4× the budget, far past budget + margin.
		margin = 8 << 20
	)
	s := startServer(t, func(c *config.Config) { c.MemoryBudget = budget })
	s.createTenant("acme")
	rc := &hangingReceiver{release: make(chan struct{}), got: map[string]map[string]bool{}}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	defer rc.open() // before srv closes (cleanups run after defers)
	for i := range webhooks {
		s.createWebhook("acme", client.WebhookRequest{
			Name: fmt.Sprintf("hook %d", i), URL: fmt.Sprintf("%s/w%d", srv.URL, i), EventTypes: []string{"user.*"},
			MaxConcurrency: 1, TimeoutSeconds: 60, RetryPolicy: "custom", RetrySchedule: []float64{1, 1, 1, 1, 1},
		})
	}

	pad := strings.Repeat("x", eventSize)
	base := heapInUse()
	peak := int64(0)
	for i := range events {
		data := exampleData(t, "user.created", i)
		data["pad"] = pad
		s.publish("acme", client.PublishRequest{Type: "user.created", Data: data})
		if i%25 == 24 || i == events-1 {
			peak = max(peak, heapInUse()-base)
		}
	}
	t.Logf("heap in use grew by at most %.1f MiB for %.1f MiB of events (budget %d MiB)", float64(peak)/(1<<20), float64(events*eventSize)/(1<<20), budget>>20)
	if peak > budget+margin {
		t.Errorf("heap in use grew by %.1f MiB while receivers hung, want at most the budget %d MiB + %d MiB", float64(peak)/(1<<20), budget>>20, margin>>20)
	}

	rc.open()
	for i := range webhooks {
		path := fmt.Sprintf("/w%d", i)
		eventually(t, 90*time.Second, fmt.Sprintf("webhook %d to get all %d events", i, events), func() bool { return rc.count(path) >= events })
	}
	eventually(t, 30*time.Second, "the audit to show every delivery succeeded", func() bool {
		return s.counts("acme")["succeeded"] == webhooks*events
	})
}
