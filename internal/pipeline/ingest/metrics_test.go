package ingest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lmshooks/lmshooks/internal/clock"
	"github.com/lmshooks/lmshooks/internal/metrics"
)

// Publishing counts the events stored and their deliveries, and the
// deliveries failed at the fan-out as finished; a replay counts nothing.
func TestPublishCountsMetrics(t *testing.T) {
	st, _ := setupFiltered(t, `data.score.raw >= 50`)
	ctx := context.Background()
	reg := prometheus.NewRegistry()
	s := New(Config{Store: st, Clock: clock.NewFake(now), Metrics: metrics.New(reg, func() float64 { return 0 })})
	in := []Input{
		{Type: "user.created", Data: json.RawMessage(`{"score":{"raw":80}}`), IdempotencyKey: "k1"},
		{Type: "user.created", Data: json.RawMessage(`{"score":{"raw":20}}`)},
		{Type: "user.created", Data: json.RawMessage(`{}`)},
	}
	if _, err := s.Publish(ctx, "acme", in, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Publish(ctx, "acme", in[:1], false); err != nil { // a replay
		t.Fatal(err)
	}
	for name, want := range map[string]float64{
		"lmshooks_events_published_total":   3,
		"lmshooks_deliveries_created_total": 2,
	} {
		if got := gathered(t, reg, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if got := gathered(t, reg, "lmshooks_deliveries_finished_total"); got != 1 {
		t.Errorf("finished = %v, want the one failed at the fan-out", got)
	}
}

// gathered sums every series of one metric.
func gathered(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			sum := 0.0
			for _, m := range mf.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
			return sum
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}
