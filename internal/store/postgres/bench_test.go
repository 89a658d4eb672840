package postgres

import (
	"context"
	"testing"
	"time"
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
			b.ReportMetric(float64(b.N)/float64(max(s.publishes.commits.Load(), 1)), "publishes/commit")
		})
	}
}
