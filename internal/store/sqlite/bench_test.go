package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/domain"
	"github.com/lmshooks/lmshooks/internal/id"
	"github.com/lmshooks/lmshooks/internal/store"
	"github.com/lmshooks/lmshooks/internal/store/storetest"
)

func matchAll(*domain.Webhook, *domain.Event) bool { return true }

// BenchmarkPublish measures durable publishes: one op is one event (with one
// delivery), so events/s = 1e9 / ns/op.
func BenchmarkPublish(b *testing.B) {
	for _, bc := range []struct {
		name    string
		workers int
		batch   int
	}{
		{"single/1-goroutine", 1, 1},
		{"single/64-goroutines", 64, 1},
		{"single/256-goroutines", 256, 1},
		{"batch100/4-goroutines", 4, 100},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := openTest(b, filepath.Join(b.TempDir(), "bench.db"))
			defer s.Close()
			now := time.Now().UTC()
			tn := seed(b, s, now)
			ctx := context.Background()
			calls := make(chan struct{}, 1024)
			b.ResetTimer()
			cpu := startCPU()
			go func() {
				for i := 0; i < b.N; i += bc.batch {
					calls <- struct{}{}
				}
				close(calls)
			}()
			var wg sync.WaitGroup
			for range bc.workers {
				wg.Go(func() {
					for range calls {
						evs := make([]domain.Event, bc.batch)
						for i := range evs {
							evs[i] = testEvent(tn, now, "")
						}
						if _, err := (storetest.Seed{TenantID: tn, Now: now, Match: matchAll, Events: evs}).Publish(ctx, s); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(b.N)/float64(max(s.commits.Load(), 1)), "events/commit")
			b.ReportMetric(cpu.perOp(b), "cpu-µs/op")
		})
	}
}

// benchRef is the reference of the bench's attempts: a CYPHER config, a
// format with options.
var benchRef = domain.BodyRef{
	Config: domain.RenderConfig{WebhookID: "wh_bench", TenantID: "tn_bench", Format: "cypher",
		FormatOptions: []byte(`{"parameters":{"email":"@user_email","course":"@course_name"}}`)},
	Digest: domain.BodyDigest([]byte("body")),
}

// attemptRowBytes returns the attempts table's bytes per row, as the
// dbstat table counts them (pages, less their unused space).
func attemptRowBytes(b *testing.B, s *Store) float64 {
	var bytes, rows float64
	if err := s.rdb.QueryRow(`SELECT (SELECT sum(pgsize - unused) FROM dbstat WHERE name = 'attempts'),
		(SELECT count(*) FROM attempts)`).Scan(&bytes, &rows); err != nil {
		b.Fatal(err)
	}
	return bytes / rows
}

// BenchmarkRecordAttempts measures durable attempt records from 64
// dispatcher goroutines; one op is one attempt (insert + delivery update).
func BenchmarkRecordAttempts(b *testing.B) {
	for _, bc := range []struct {
		per int
		ref bool // the attempt keeps a reference instead of its body (domain.BodyRef)
	}{{1, false}, {20, false}, {1, true}, {20, true}} {
		name := fmt.Sprintf("%d-per-call", bc.per)
		if bc.ref {
			name += "/body-ref"
		}
		per := bc.per
		b.Run(name, func(b *testing.B) {
			s := openTest(b, filepath.Join(b.TempDir(), "bench.db"))
			defer s.Close()
			now := time.Now().UTC()
			tn := seed(b, s, now)
			ctx := context.Background()
			// Deliveries to record attempts against, published in bulk.
			var ds []domain.Delivery
			for len(ds) < b.N {
				evs := make([]domain.Event, min(500, b.N-len(ds)))
				for i := range evs {
					evs[i] = testEvent(tn, now, "")
				}
				res, err := storetest.Seed{TenantID: tn, Now: now, Match: matchAll, Events: evs}.Publish(ctx, s)
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range res {
					ds = append(ds, r.Deliveries...)
				}
			}
			calls := make(chan []domain.Delivery, 1024)
			b.ResetTimer()
			cpu := startCPU()
			go func() {
				for i := 0; i < len(ds); i += per {
					calls <- ds[i:min(i+per, len(ds))]
				}
				close(calls)
			}()
			var wg sync.WaitGroup
			for range 64 {
				wg.Go(func() {
					for chunk := range calls {
						recs := make([]store.AttemptRecord, len(chunk))
						for i := range chunk {
							recs[i] = benchRecord(&chunk[i], now)
							if bc.ref {
								recs[i].Attempt.RequestBodyRef = &benchRef
							}
						}
						if err := s.RecordAttempts(ctx, recs); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "attempts/s")
			b.ReportMetric(cpu.perOp(b), "cpu-µs/op")
			b.ReportMetric(attemptRowBytes(b, s), "row-bytes")
		})
	}
}

func benchRecord(d *domain.Delivery, now time.Time) store.AttemptRecord {
	return store.AttemptRecord{State: domain.Succeeded, Attempt: domain.Attempt{
		ID: testIDs.New(id.Attempt), DeliveryID: d.ID, TenantID: d.TenantID, WebhookID: d.WebhookID, EventID: d.EventID,
		Number: 1, Trigger: domain.TriggerScheduled, StartedAt: now, Duration: 3 * time.Millisecond,
		RequestURL: "https://hris.example.com/hooks",
		RequestHeaders: map[string][]string{
			"Content-Type": {"application/json"}, "User-Agent": {"lmshooks/1.0"}, "Webhook-Id": {d.ID},
			"Webhook-Timestamp": {"1700000000"}, "Webhook-Signature": {"v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="},
		},
		RequestBody:     []byte(`{"type":"user.created","timestamp":"2024-01-01T00:00:00Z","data":{"user":{"id":"u1","email":"ada@example.com"}}}`),
		StatusCode:      200,
		ResponseHeaders: map[string][]string{"Content-Type": {"text/plain"}, "Date": {"Mon, 01 Jan 2024 00:00:00 GMT"}},
		ResponseBody:    []byte("ok"),
		Success:         true,
	}}
}

// cpuClock reads the process's CPU time (user + system): on a shared
// machine, CPU per operation is steadier than wall time per operation.
type cpuClock struct{ start time.Duration }

func startCPU() cpuClock { return cpuClock{processCPU()} }

// perOp returns the CPU microseconds the process spent per benchmark op
// since startCPU.
func (c cpuClock) perOp(b *testing.B) float64 {
	return float64((processCPU() - c.start).Microseconds()) / float64(b.N)
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
