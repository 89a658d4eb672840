package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestSpreadIsTheMedianAndRange(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want spread
	}{
		{[]float64{5}, spread{5, 5, 5, 1}},
		{[]float64{3, 1, 2}, spread{2, 1, 3, 3}},
		{[]float64{4, 1, 3, 2}, spread{2.5, 1, 4, 4}},
		{[]float64{2609, 2293, 3126}, spread{2609, 2293, 3126, 3}},
	} {
		in := append([]float64(nil), c.in...)
		if got := spreadOf(c.in); got != c.want {
			t.Errorf("spreadOf(%v) = %+v, want %+v", c.in, got, c.want)
		}
		for i := range in {
			if in[i] != c.in[i] {
				t.Fatalf("spreadOf sorted its argument: %v", c.in)
			}
		}
	}
}

func TestSummarizeKeepsTheMetricsTheRunsHave(t *testing.T) {
	pg := 1.2
	runs := []result{
		{DeliveriesPerSec: 2000, Latency: latencyMS{P50: 10, P99: 30}, ServerRSSPeakMB: 70, ServerCPUMsPerDelivery: 0.4, PostgresCPUMsPerDelivery: &pg,
			OneHop: &oneHopResult{DeliveriesPerSec: 20000}, Ratio: 0.1},
		{DeliveriesPerSec: 3000, Latency: latencyMS{P50: 12, P99: 20}, ServerRSSPeakMB: 72, ServerCPUMsPerDelivery: 0.5,
			OneHop: &oneHopResult{DeliveriesPerSec: 25000}, Ratio: 0.12},
		{DeliveriesPerSec: 2500, Latency: latencyMS{P50: 11, P99: 25}, ServerRSSPeakMB: 71, ServerCPUMsPerDelivery: 0.45,
			OneHop: &oneHopResult{DeliveriesPerSec: 30000}, Ratio: 0.083},
	}
	s := summarize(runs)
	if got := s["deliveries_per_s"]; got != (spread{2500, 2000, 3000, 3}) {
		t.Errorf("deliveries/s: %+v", got)
	}
	if got := s["latency_p99_ms"]; got != (spread{25, 20, 30, 3}) {
		t.Errorf("p99: %+v", got)
	}
	if got := s["postgres_cpu_ms_per_delivery"]; got != (spread{1.2, 1.2, 1.2, 1}) {
		t.Errorf("postgres CPU, in one run only: %+v", got)
	}
	for _, absent := range []string{"dashboard_median_ms", "latency_last_p99_ms"} {
		if _, ok := s[absent]; ok {
			t.Errorf("%s summarized though no run has it", absent)
		}
	}
	var text bytes.Buffer
	if err := printSummary(&text, runs, false); err != nil || !strings.Contains(text.String(), "deliveries_per_s               2500 [2000–3000]") {
		t.Errorf("summary text (%v):\n%s", err, text.String())
	}
}

func TestJSONIsOneObjectPerRunThenTheSummary(t *testing.T) {
	pg := 0.9
	runs := []result{
		{Kind: "run", Run: 1, Mode: "throughput", DB: "postgres", DeliveriesPerSec: 1000, PostgresCPUMsPerDelivery: &pg,
			History: &historyResult{Tenant: "hist_acme", Attempts: 10_000_000, Dashboard: timing{FirstMS: 90, MedianMS: 40}}},
		{Kind: "run", Run: 2, Mode: "throughput", DB: "postgres", DeliveriesPerSec: 1200, PostgresCPUMsPerDelivery: &pg,
			History: &historyResult{Tenant: "hist_acme", Attempts: 10_000_000, Dashboard: timing{FirstMS: 80, MedianMS: 60}}},
	}
	var out bytes.Buffer
	for _, r := range runs {
		if err := jsonLine(&out, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := printSummary(&out, runs, true); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines:\n%s", len(lines), out.String())
	}
	var first struct {
		Kind             string  `json:"kind"`
		DeliveriesPerSec float64 `json:"deliveries_per_s"`
		PostgresCPU      float64 `json:"postgres_cpu_ms_per_delivery"`
		History          struct {
			Attempts  int64 `json:"attempts"`
			Dashboard struct {
				MedianMS float64 `json:"median_ms"`
			} `json:"dashboard"`
		} `json:"history"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first.Kind != "run" || first.DeliveriesPerSec != 1000 ||
		first.PostgresCPU != 0.9 || first.History.Attempts != 10_000_000 || first.History.Dashboard.MedianMS != 40 {
		t.Fatalf("first line %s: %+v, %v", lines[0], first, err)
	}
	var sum struct {
		Kind    string            `json:"kind"`
		Runs    int               `json:"runs"`
		Metrics map[string]spread `json:"metrics"`
	}
	if err := json.Unmarshal([]byte(lines[2]), &sum); err != nil || sum.Kind != "summary" || sum.Runs != 2 ||
		sum.Metrics["deliveries_per_s"] != (spread{1100, 1000, 1200, 2}) || sum.Metrics["dashboard_median_ms"].Median != 50 {
		t.Fatalf("summary %s: %+v, %v", lines[2], sum, err)
	}
}

func TestPercentilesAreNearestRank(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	l := latencies(d)
	if l.P50 != 50 || l.P95 != 95 || l.P99 != 99 || l.Max != 100 {
		t.Fatalf("latencies of 1…100 ms: %+v", l)
	}
	if (latencies(nil) != latencyMS{}) {
		t.Fatal("latencies of nothing are not zero")
	}
}
