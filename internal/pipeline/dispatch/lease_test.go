package dispatch

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/pipeline/outbound"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/store/sqlite"
	"github.com/lmshooks/lmshooks/internal/store/storetest"
)

// leaseFixture is a SQLite store with one webhook pointing at handler, and
// a dispatcher on a fake clock with 3 s leases (so a margin of 1 s).
type leaseFixture struct {
	st    *sqlite.Store
	clk   *clock.Fake
	d     *Dispatcher
	seq   int
	owner string
}

func newLeaseFixture(t *testing.T, handler http.HandlerFunc, concurrency int) *leaseFixture {
	t.Helper()
	return newObservedLeaseFixture(t, handler, concurrency, nil)
}

// newObservedLeaseFixture is newLeaseFixture with an Observer of the
// dispatcher's writes.
func newObservedLeaseFixture(t *testing.T, handler http.HandlerFunc, concurrency int, obs Observer) *leaseFixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "d.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	now := time.Now().UTC().Truncate(time.Second)
	if err := st.CreateTenant(ctx, &domain.Tenant{ID: "acme", Name: "Acme", Environment: domain.Production, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	w := &domain.Webhook{ID: "wh_hris", TenantID: "acme", Name: "hris", URL: srv.URL, EventTypes: []string{"*"}, Enabled: true, MaxConcurrency: concurrency,
		Secret: "whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdHRlc3Q=", CreatedAt: now, UpdatedAt: now}
	w.Normalize()
	if err := st.CreateWebhook(ctx, w); err != nil {
		t.Fatal(err)
	}
	f := &leaseFixture{st: st, clk: clock.NewFake(now), owner: "n1"}
	// A long poll interval: claims happen only when the test wakes the
	// poller, so what is attempted is decided by the handoffs.
	f.d = New(Config{Store: st, Sender: outbound.New(outbound.Options{AllowPrivate: true}), Owner: f.owner, Clock: f.clk,
		LeaseFor: 3 * time.Second, PollInterval: time.Hour, Observer: obs})
	f.d.Start()
	t.Cleanup(func() { f.d.Stop(context.Background()) })
	return f
}

// publish stores n events leased to this node until leaseUntil, as ingest
// does, and returns the jobs ingest would hand over.
func (f *leaseFixture) publish(t *testing.T, n int, leaseUntil time.Time) []domain.Job {
	t.Helper()
	now := f.clk.Now()
	events := make([]domain.Event, n)
	for i := range events {
		f.seq++
		events[i] = domain.Event{ID: fmt.Sprintf("evt_lease_%d", f.seq), TenantID: "acme", Type: "user.created", OccurredAt: now, ReceivedAt: now, Data: json.RawMessage(`{}`)}
	}
	res, err := storetest.Seed{TenantID: "acme", Events: events, Now: now,
		LeaseOwner: f.owner, LeaseUntil: leaseUntil,
		Match: func(w *domain.Webhook, e *domain.Event) bool { return w.Subscribes(e.Type) }}.Publish(context.Background(), f.st)
	if err != nil {
		t.Fatal(err)
	}
	var jobs []domain.Job
	for _, r := range res {
		for _, d := range r.Deliveries {
			jobs = append(jobs, domain.Job{Delivery: d, Event: r.Event, LeaseUntil: leaseUntil})
		}
	}
	return jobs
}

// A job handed over with a lease that is about to run out is not attempted
// (another node may be about to claim it), and is not lost either: once the
// lease has expired it is claimed afresh and delivered once.
func TestJobWithExpiringLeaseIsLeftForAFreshClaim(t *testing.T) {
	var got atomic.Int32
	f := newLeaseFixture(t, func(w http.ResponseWriter, r *http.Request) { got.Add(1) }, 1)

	// Half a second left: less than the one-second margin.
	f.d.Handoff(f.publish(t, 1, f.clk.Now().Add(500*time.Millisecond)))
	waitFor(t, "the job to leave memory", func() bool { return f.d.Held() == 0 })
	if n := got.Load(); n != 0 {
		t.Fatalf("the receiver got %d requests for a job whose lease was running out, want 0", n)
	}

	// The store did not renew the lapsed lease, so the work is claimable.
	f.clk.Advance(time.Second)
	f.d.renew(context.Background())
	f.d.Wake()
	waitFor(t, "the delivery to be claimed again and sent", func() bool { return got.Load() == 1 })
	waitFor(t, "the outcome to be recorded", func() bool {
		ds, _, err := f.st.ListDeliveries(context.Background(), store.DeliveryFilter{TenantID: "acme"})
		return err == nil && len(ds) == 1 && ds[0].State == domain.Succeeded
	})
	if n := got.Load(); n != 1 {
		t.Fatalf("the receiver got %d requests, want exactly 1", n)
	}
}

// Jobs that wait in a queue longer than a lease are kept alive by the
// renewals and attempted, not dropped.
func TestRenewalKeepsQueuedJobsAlive(t *testing.T) {
	release := make(chan struct{})
	var got atomic.Int32
	f := newLeaseFixture(t, func(w http.ResponseWriter, r *http.Request) {
		if got.Add(1) == 1 {
			<-release // the first request holds the only worker
		}
	}, 1)
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})

	f.d.Handoff(f.publish(t, 3, f.clk.Now().Add(3*time.Second)))
	waitFor(t, "the first request to arrive", func() bool { return got.Load() == 1 })

	// Time passes in steps, each followed by a renewal and a heartbeat:
	// ten seconds in all, more than three leases, while two jobs wait
	// behind the first.
	for range 5 {
		f.clk.Advance(2 * time.Second)
		f.d.renew(context.Background())
		f.d.heartbeat(context.Background())
	}
	// Nobody else may claim them: their leases were extended in the store.
	jobs, err := f.st.ClaimDue(context.Background(), store.ClaimParams{Owner: "n2", Now: f.clk.Now(), LeaseUntil: f.clk.Now().Add(time.Minute), Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 0 {
		t.Fatalf("another node claimed %d deliveries this node holds and renews", len(jobs))
	}
	close(release)
	waitFor(t, "all three deliveries", func() bool { return got.Load() == 3 })
	waitFor(t, "the queue to drain", func() bool { return f.d.Held() == 0 })
	if n := got.Load(); n != 3 {
		t.Fatalf("the receiver got %d requests, want 3", n)
	}
}

// recordings is an Observer that keeps the records written.
type recordings struct {
	mu   sync.Mutex
	recs []store.AttemptRecord
}

func (r *recordings) Recorded(batch []Recorded) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, x := range batch {
		r.recs = append(r.recs, x.Record)
	}
}

func (r *recordings) WebhookDisabled(string, string, time.Time) {}

func (r *recordings) all() []store.AttemptRecord {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.recs)
}

// An outcome is written under the lease its delivery holds when it is
// written, renewals included: the store fences ordered deliveries by it,
// so naming the lease claimed would make a long attempt's record stale.
func TestRecordNamesTheRenewedLease(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{})
	obs := &recordings{}
	f := newObservedLeaseFixture(t, func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-release
	}, 1, obs)
	claimed := f.clk.Now().Add(3 * time.Second)
	f.d.Handoff(f.publish(t, 1, claimed))
	select {
	case <-arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("the request did not arrive")
	}
	var renewed time.Time
	for range 3 {
		f.clk.Advance(2 * time.Second)
		f.d.renew(context.Background())
		f.d.heartbeat(context.Background())
		renewed = f.clk.Now().Add(3 * time.Second).Truncate(time.Microsecond)
	}
	close(release)
	waitFor(t, "the outcome to be written", func() bool { return len(obs.all()) == 1 })
	rec := obs.all()[0]
	if !rec.LeaseUntil.Equal(renewed) {
		t.Fatalf("record under lease %v, want the renewed %v (claimed %v)", rec.LeaseUntil, renewed, claimed)
	}
	if rec.HoldsKey {
		t.Fatal("an unordered delivery's record holds a key")
	}
}
