package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
)

// BenchmarkPublish measures Publish throughput: batches of 100 events from
// one goroutine, and single events from many goroutines (as concurrent API
// requests do). Each tenant has two webhooks, so every event makes two
// deliveries; deliveries/s is reported.
func BenchmarkPublish(b *testing.B) {
	for _, bc := range []struct {
		name     string
		batch    int
		parallel bool
	}{
		{"batch100", 100, false},
		{"single-parallel", 1, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := openTest(b, Options{MaxConns: 16})
			tn := seed(b, s, 2)
			ctx := context.Background()
			start := time.Now()
			publishOne := func() {
				if _, err := publish(ctx, s, tn.ID, newEvents(tn.ID, bc.batch)); err != nil {
					b.Error(err)
				}
			}
			b.ResetTimer()
			if bc.parallel {
				b.SetParallelism(8) // 8 × GOMAXPROCS goroutines
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						publishOne()
					}
				})
			} else {
				for b.Loop() {
					publishOne()
				}
			}
			b.StopTimer()
			elapsed := time.Since(start).Seconds()
			b.ReportMetric(float64(b.N*bc.batch*2)/elapsed, "deliveries/s")
			b.ReportMetric(float64(b.N*bc.batch)/elapsed, "events/s")
			b.ReportMetric(float64(b.N)/float64(max(s.publishes.groups.Load(), 1)), "publishes/commit")
		})
	}
}

// BenchmarkInsertDeliveries compares the two ways of writing a group's
// deliveries: the unnest statement Publish uses, which rides in the
// group's one round trip (BEGIN, the inserts, COMMIT), and COPY, which
// needs round trips of its own (BEGIN and the events, then COPY, then
// COMMIT) and cannot skip the deliveries of replayed events. One op is one
// group's transaction; deliveries/s is reported.
func BenchmarkInsertDeliveries(b *testing.B) {
	for _, n := range []int{32, 1000} {
		for _, mode := range []string{"unnest", "copy"} {
			b.Run(fmt.Sprintf("%s-%d", mode, n), func(b *testing.B) {
				s := openTest(b, Options{})
				tn := seed(b, s, 1)
				hooks, err := s.EnabledWebhooks(context.Background(), tn.ID)
				if err != nil {
					b.Fatal(err)
				}
				ctx := context.Background()
				for b.Loop() {
					evs := newEvents(tn.ID, n)
					var ev eventArrays
					var dlv deliveryArrays
					for i := range evs {
						ev.add(&evs[i])
						nd := store.NewDelivery{Delivery: domain.Delivery{
							ID: testIDs.New(id.Delivery), TenantID: tn.ID, EventID: evs[i].ID, WebhookID: hooks[0].ID,
							EventType: evs[i].Type, State: domain.Scheduled, NextAttemptAt: testNow, CreatedAt: testNow, UpdatedAt: testNow,
						}}
						dlv.add(&nd.Delivery, &nd, "")
					}
					events := &pgx.Batch{}
					events.Queue(insertEventsSQL, ev.tenants, ev.ids, ev.types, ev.occurred, ev.received, ev.data, ev.keys)
					err := s.withPipeTx(ctx, "bench", func(pt *pipeTx) error {
						if mode == "unnest" {
							events.Queue(insertDeliveriesSQL, dlv.ids, dlv.tenants, dlv.eventIDs, dlv.webhookIDs, dlv.types, dlv.states, dlv.attempts,
								dlv.retryFrom, dlv.next, dlv.statuses, dlv.errors, dlv.owners, dlv.leaseUntil, dlv.created, dlv.updated, dlv.keys)
							return pt.send(ctx, events, true)
						}
						if err := pt.send(ctx, events, false); err != nil {
							return err
						}
						_, err := pt.conn.CopyFrom(ctx, pgx.Identifier{"deliveries"},
							[]string{"id", "tenant_id", "event_id", "webhook_id", "event_type", "state", "attempts", "retry_from",
								"next_attempt_at", "last_status", "last_error", "created_at", "updated_at"},
							pgx.CopyFromSlice(len(dlv.ids), func(i int) ([]any, error) {
								return []any{dlv.ids[i], dlv.tenants[i], dlv.eventIDs[i], dlv.webhookIDs[i], dlv.types[i], dlv.states[i],
									dlv.attempts[i], dlv.retryFrom[i], dlv.next[i], dlv.statuses[i], dlv.errors[i], dlv.created[i], dlv.updated[i]}, nil
							}))
						if err != nil {
							return err
						}
						return pt.send(ctx, &pgx.Batch{}, true)
					})
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "deliveries/s")
			})
		}
	}
}
