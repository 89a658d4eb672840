package stats

import (
	"testing"
	"time"
)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func TestPercentileNearestRank(t *testing.T) {
	// The textbook example: 15, 20, 35, 40, 50.
	sorted := []time.Duration{ms(15), ms(20), ms(35), ms(40), ms(50)}
	cases := []struct {
		p    float64
		want time.Duration
	}{
		{0, ms(15)},
		{5, ms(15)},
		{30, ms(20)},
		{40, ms(20)},
		{50, ms(35)},
		{95, ms(50)},
		{100, ms(50)},
	}
	for _, c := range cases {
		if got := Percentile(sorted, c.p); got != c.want {
			t.Errorf("Percentile(%v) = %v, want %v", c.p, got, c.want)
		}
	}
	if got := Percentile(nil, 50); got != 0 {
		t.Errorf("Percentile(empty) = %v, want 0", got)
	}
	if got := Percentile([]time.Duration{ms(7)}, 95); got != ms(7) {
		t.Errorf("Percentile(one) = %v, want 7ms", got)
	}
}

func TestPercentileOfHundredValues(t *testing.T) {
	var sorted []time.Duration
	for i := 1; i <= 100; i++ {
		sorted = append(sorted, ms(i))
	}
	if got := Percentile(sorted, 95); got != ms(95) {
		t.Errorf("p95 = %v, want 95ms", got)
	}
	if got := Percentile(sorted, 50); got != ms(50) {
		t.Errorf("p50 = %v, want 50ms", got)
	}
}

func TestSummarize(t *testing.T) {
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	samples := []Sample{
		{WebhookID: "wh_a", StartedAt: at, Duration: ms(30), Success: true},
		{WebhookID: "wh_b", StartedAt: at, Duration: ms(500), Success: false},
		{WebhookID: "wh_a", StartedAt: at, Duration: ms(10), Success: true},
		{WebhookID: "wh_a", StartedAt: at, Duration: ms(20), Success: false},
		{WebhookID: "wh_a", StartedAt: at, Duration: ms(40), Success: true},
	}
	got := Summarize(samples)
	if len(got) != 2 {
		t.Fatalf("got %d summaries, want 2: %+v", len(got), got)
	}
	a := got["wh_a"]
	if a.WebhookID != "wh_a" || a.Calls != 4 || a.Errors != 1 || a.P50 != ms(20) || a.P95 != ms(40) {
		t.Errorf("wh_a = %+v", a)
	}
	if rate, ok := a.SuccessRate(); !ok || rate != 0.75 {
		t.Errorf("wh_a success rate = %v, %v; want 0.75, true", rate, ok)
	}
	b := got["wh_b"]
	if b.Calls != 1 || b.Errors != 1 || b.P50 != ms(500) || b.P95 != ms(500) {
		t.Errorf("wh_b = %+v", b)
	}
	if rate, ok := b.SuccessRate(); !ok || rate != 0 {
		t.Errorf("wh_b success rate = %v, %v; want 0, true", rate, ok)
	}
	if _, ok := (Summary{}).SuccessRate(); ok {
		t.Error("SuccessRate of no calls reported ok")
	}
	if len(Summarize(nil)) != 0 {
		t.Error("Summarize(nil) is not empty")
	}
}
