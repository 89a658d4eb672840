package postgres

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

// orderedPublish is a publish of one event per key to the ordered webhook
// w, as the fan-out makes it.
func orderedPublish(w *domain.Webhook, keys []string) store.PublishParams {
	p := store.PublishParams{TenantID: w.TenantID}
	for _, k := range keys {
		e := newEvents(w.TenantID, 1)[0]
		e.OrderingKey = k
		key, ordered := w.DeliveryOrderingKey(k)
		d := domain.Delivery{
			ID: testIDs.New(id.Delivery), TenantID: w.TenantID, EventID: e.ID, WebhookID: w.ID, EventType: e.Type,
			State: domain.Scheduled, NextAttemptAt: testNow, CreatedAt: testNow, UpdatedAt: testNow,
			Ordered: ordered, OrderingKey: key, HoldsKey: w.HoldsKeyAfter(domain.Scheduled),
		}
		p.Events = append(p.Events, store.PublishEvent{Event: e, Deliveries: []store.NewDelivery{{Delivery: d}}})
	}
	return p
}

// Four nodes claim, record and resend the deliveries of 12 keys while two
// of them publish more: a key never has two deliveries in flight (as
// claims see it, and as the database's committed state shows at any
// moment), and each key's deliveries are first sent in the order of their
// positions. Resends of older deliveries race the claims on purpose:
// they are what could make two claims with different snapshots both find
// it is a key's turn.
func TestOrderedClaimsOneInFlightPerKeyAcrossNodes(t *testing.T) {
	dsn := testDSN(t)
	schema := newSchemaName(t, dsn)
	first := openTest(t, Options{Schema: schema, MaxConns: 4})
	nodes := []*Store{first}
	for range 3 {
		nodes = append(nodes, openTest(t, Options{Schema: schema, MaxConns: 3}))
	}
	ctx := context.Background()
	tn := seed(t, first, 0)
	w := &domain.Webhook{
		ID: testIDs.New(id.Webhook), TenantID: tn.ID, Name: "ordered", URL: "https://example.com/hook", EventTypes: []string{"*"},
		Enabled: true, Format: domain.DefaultFormat, Secret: "whsec_x", Timeout: domain.DefaultTimeout,
		RetryPolicy: domain.DefaultRetryPolicy, SuccessRule: domain.DefaultSuccessRule,
		Ordering: domain.OrderingKey, OrderingFailure: domain.FailureBlock,
	}
	if err := first.CreateWebhook(ctx, w); err != nil {
		t.Fatal(err)
	}
	const keys, rounds = 12, 15
	batch := make([]string, 0, keys)
	for k := range keys {
		batch = append(batch, fmt.Sprintf("key-%d", k))
	}

	var (
		mu         sync.Mutex
		inFlight   = map[string]string{}   // key → delivery
		firstSends = map[string][]string{} // key → deliveries, in order of first claim
		sent       = map[string]bool{}
		succeeded  []string
		problems   []string
		published  atomic.Int32
		resent     atomic.Int32
		stop       = make(chan struct{})
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		problems = append(problems, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	var wg sync.WaitGroup
	// Publishers: two nodes, each publishing rounds of one event per key.
	for _, s := range nodes[:2] {
		wg.Go(func() {
			for range rounds {
				if _, err := s.Publish(ctx, orderedPublish(w, batch)); err != nil {
					fail("Publish: %v", err)
					return
				}
				published.Add(keys)
			}
		})
	}
	// Resender: puts succeeded deliveries back in their place.
	wg.Go(func() {
		for i := 0; resent.Load() < 40; i++ {
			mu.Lock()
			var d string
			if len(succeeded) > 0 {
				d = succeeded[(i*7)%len(succeeded)]
			}
			mu.Unlock()
			if d == "" {
				select {
				case <-stop:
					return
				default:
					continue
				}
			}
			if _, err := nodes[i%len(nodes)].Resend(ctx, tn.ID, d, testNow); err == nil {
				resent.Add(1)
			} else if domain.ErrorCode(err) != domain.ECONFLICT {
				fail("Resend: %v", err)
				return
			}
		}
	})
	// Checker: the committed state never shows two leases of one key.
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			var key string
			var n int
			err := first.pool.QueryRow(ctx, `SELECT ordering_key, count(*) FROM deliveries
				WHERE ordered AND lease_owner IS NOT NULL GROUP BY ordering_key HAVING count(*) > 1 LIMIT 1`).Scan(&key, &n)
			if err == nil {
				fail("the database shows %d deliveries of %s leased at once", n, key)
				return
			}
		}
	})
	// Claimers: every node claims, checks and records.
	var claimers sync.WaitGroup
	for i, s := range nodes {
		owner := fmt.Sprintf("node-%d", i)
		claimers.Go(func() {
			idle := 0
			for idle < 50 {
				until := testNow.Add(time.Hour)
				jobs, err := s.ClaimDue(ctx, store.ClaimParams{Owner: owner, Now: testNow, LeaseUntil: until, Limit: 5})
				if err != nil {
					fail("ClaimDue: %v", err)
					return
				}
				if len(jobs) == 0 {
					if published.Load() == 2*keys*rounds && resent.Load() >= 40 {
						idle++
					}
					continue
				}
				idle = 0
				mu.Lock()
				for _, j := range jobs {
					k := j.Delivery.OrderingKey
					if other, ok := inFlight[k]; ok {
						problems = append(problems, fmt.Sprintf("%s claimed by %s while %s of %s is in flight", j.Delivery.ID, owner, other, k))
					}
					inFlight[k] = j.Delivery.ID
					if !sent[j.Delivery.ID] {
						sent[j.Delivery.ID] = true
						firstSends[k] = append(firstSends[k], j.Delivery.ID)
					}
				}
				mu.Unlock()
				records := make([]store.AttemptRecord, len(jobs))
				for n, j := range jobs {
					records[n] = store.AttemptRecord{
						Attempt: domain.Attempt{
							ID: testIDs.New(id.Attempt), DeliveryID: j.Delivery.ID, TenantID: tn.ID, WebhookID: w.ID,
							EventID: j.Delivery.EventID, Number: j.Delivery.Attempts + 1, Trigger: domain.TriggerScheduled,
							StartedAt: testNow, StatusCode: 200, Success: true,
						},
						State: domain.Succeeded, HoldsKey: w.HoldsKeyAfter(domain.Succeeded), LeaseUntil: until,
					}
				}
				// Out of flight just before the record: a claim that sees
				// the key free can only follow it.
				mu.Lock()
				for _, j := range jobs {
					delete(inFlight, j.Delivery.OrderingKey)
				}
				mu.Unlock()
				if err := s.RecordAttempts(ctx, records); err != nil {
					fail("RecordAttempts: %v", err)
					return
				}
				mu.Lock()
				for _, j := range jobs {
					succeeded = append(succeeded, j.Delivery.ID)
				}
				mu.Unlock()
			}
		})
	}
	claimers.Wait()
	close(stop)
	wg.Wait()
	if len(problems) > 0 {
		t.Fatalf("%d problems, first: %v", len(problems), problems[:min(5, len(problems))])
	}

	// Each key's deliveries were first sent in position order, and all were.
	rows, err := first.pool.Query(ctx, `SELECT id, ordering_key FROM deliveries WHERE webhook_id = $1 ORDER BY ordering_seq`, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{}
	total := 0
	for rows.Next() {
		var d, k string
		if err := rows.Scan(&d, &k); err != nil {
			t.Fatal(err)
		}
		want[k] = append(want[k], d)
		total++
	}
	if total != 2*keys*rounds {
		t.Fatalf("%d deliveries stored, want %d", total, 2*keys*rounds)
	}
	for k, ds := range want {
		if got := firstSends[k]; fmt.Sprint(got) != fmt.Sprint(ds) {
			t.Fatalf("key %s first sent in order\n%v\nwant position order\n%v", k, got, ds)
		}
	}
}
