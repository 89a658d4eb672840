package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"
)

// measurement is what one burst gave: the deliveries received from the
// first publish to the last arrival, and each event's latencies.
type measurement struct {
	deliveries int
	elapsed    time.Duration
	first      []time.Duration // publish → first delivery of the event, sorted
	last       []time.Duration // publish → last delivery of the event, sorted
	duplicates int
}

func (m measurement) perSecond() float64 {
	if m.elapsed <= 0 {
		return 0
	}
	return float64(m.deliveries) / m.elapsed.Seconds()
}

// measure sums up what arrived since start for the events of pub.
func (rc *receiver) measure(start time.Time, pub []pubRecord) measurement {
	first, last := rc.latencies(pub)
	return measurement{deliveries: rc.count(), elapsed: rc.last().Sub(start), first: first, last: last, duplicates: rc.duplicates()}
}

// latencyMS are percentiles of a latency distribution, in milliseconds.
type latencyMS struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

func latencies(sorted []time.Duration) latencyMS {
	return latencyMS{P50: ms(pct(sorted, 50)), P95: ms(pct(sorted, 95)), P99: ms(pct(sorted, 99)), Max: ms(pct(sorted, 100))}
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/float64(time.Millisecond)*1000) / 1000 }

// oneHopResult is the one-hop reference measured in a run.
type oneHopResult struct {
	Deliveries       int       `json:"deliveries"`
	DeliveriesPerSec float64   `json:"deliveries_per_s"`
	Latency          latencyMS `json:"latency_ms"`
}

// timing is how long a request took the first time and the median of
// timedRequests tries.
type timing struct {
	FirstMS  float64 `json:"first_ms"`
	MedianMS float64 `json:"median_ms"`
}

// historyResult says what the database held and how fast the console's
// heaviest pages answered over it.
type historyResult struct {
	Tenant      string  `json:"tenant"`
	Attempts    int64   `json:"attempts"`
	SeedSeconds float64 `json:"seed_seconds,omitempty"` // 0 when an existing history was used
	// SeedCPUSeconds is the CPU the seeding took (lmsbench's, and
	// PostgreSQL's when seeding it).
	SeedCPUSeconds float64 `json:"seed_cpu_seconds,omitempty"`
	Dashboard      timing  `json:"dashboard"`  // console dashboard page
	AuditAPI       timing  `json:"audit_api"`  // GET …/deliveries, first page
	AuditPage      timing  `json:"audit_page"` // console deliveries page
	// ServerRSSPeakMB is the server's peak RSS during the timings.
	ServerRSSPeakMB float64 `json:"server_rss_peak_mb,omitempty"`
}

// result is one run. Encoded as JSON (-json), one line per run.
type result struct {
	Kind        string `json:"kind"` // "run"
	Run         int    `json:"run"`
	Mode        string `json:"mode"`
	DB          string `json:"db,omitempty"` // sqlite or postgres
	Role        string `json:"role,omitempty"`
	Dispatchers int    `json:"dispatchers,omitempty"`
	Events      int    `json:"events"`
	Batch       int    `json:"batch,omitempty"`
	Publishers  int    `json:"publishers,omitempty"`
	Rate        int    `json:"rate,omitempty"`
	Webhooks    int    `json:"webhooks,omitempty"`
	Ordering    string `json:"ordering,omitempty"` // webhook or key; absent: none
	Keys        int    `json:"keys,omitempty"`     // ordering keys the events spread over

	Deliveries       int        `json:"deliveries"`
	Seconds          float64    `json:"seconds"`
	DeliveriesPerSec float64    `json:"deliveries_per_s"`
	AcceptedPerSec   float64    `json:"events_accepted_per_s,omitempty"`
	Latency          latencyMS  `json:"latency_ms"`                // publish → first delivery of each event
	LatencyLast      *latencyMS `json:"latency_last_ms,omitempty"` // publish → last delivery of each event (fan-out)
	Duplicates       int        `json:"duplicates"`

	ServerRSSPeakMB          float64  `json:"server_rss_peak_mb,omitempty"`
	ServerCPUMsPerDelivery   float64  `json:"server_cpu_ms_per_delivery,omitempty"`
	PostgresCPUMsPerDelivery *float64 `json:"postgres_cpu_ms_per_delivery,omitempty"`

	OneHop *oneHopResult `json:"one_hop,omitempty"`
	// Ratio is deliveries/s of the server run ÷ those of the one-hop reference.
	Ratio   float64        `json:"ratio_to_one_hop,omitempty"`
	History *historyResult `json:"history,omitempty"`

	// Unordered is the same load on an unordered webhook, measured in the
	// same run when it orders (-baseline).
	Unordered *baselineResult `json:"unordered,omitempty"`
	// RatioToUnordered is deliveries/s ordered ÷ unordered.
	RatioToUnordered float64 `json:"ratio_to_unordered,omitempty"`
}

// baselineResult is the unordered baseline of an ordered run.
type baselineResult struct {
	DeliveriesPerSec float64   `json:"deliveries_per_s"`
	Latency          latencyMS `json:"latency_ms"`
}

// printText writes r for a reader.
func (r result) printText(w io.Writer) {
	fmt.Fprintf(w, "\nrun %d: mode=%s", r.Run, r.Mode)
	if r.DB != "" {
		fmt.Fprintf(w, " db=%s role=%s dispatchers=%d", r.DB, r.Role, r.Dispatchers)
	}
	fmt.Fprintf(w, " events=%d", r.Events)
	switch {
	case r.Rate > 0:
		fmt.Fprintf(w, " rate=%d/s", r.Rate)
	case r.Publishers > 0:
		fmt.Fprintf(w, " batch=%d publishers=%d", r.Batch, r.Publishers)
	}
	if r.Webhooks > 0 {
		fmt.Fprintf(w, " webhooks=%d", r.Webhooks)
	}
	if r.Ordering != "" {
		fmt.Fprintf(w, " ordering=%s keys=%d", r.Ordering, r.Keys)
	}
	fmt.Fprintf(w, " deliveries=%d\n", r.Deliveries)
	if h := r.History; h != nil {
		seeded := "already in the database"
		if h.SeedSeconds > 0 {
			seeded = fmt.Sprintf("seeded in %.1f s, %.1f s of CPU", h.SeedSeconds, h.SeedCPUSeconds)
		}
		fmt.Fprintf(w, "history: %d attempts (%s); tenant %s:\n", h.Attempts, seeded, h.Tenant)
		for _, t := range []struct {
			name string
			t    timing
		}{{"console dashboard", h.Dashboard}, {"audit log, API first page", h.AuditAPI}, {"audit log, console page", h.AuditPage}} {
			fmt.Fprintf(w, "  %-27s first %7.1f ms, median of %d %7.1f ms\n", t.name, t.t.FirstMS, timedRequests, t.t.MedianMS)
		}
		if h.ServerRSSPeakMB > 0 {
			fmt.Fprintf(w, "  server peak RSS (VmHWM) during these requests: %.1f MB\n", h.ServerRSSPeakMB)
		}
	}
	fmt.Fprintf(w, "end-to-end: %.3f s, %.0f deliveries/s (first publish → last delivery received)", r.Seconds, r.DeliveriesPerSec)
	if r.AcceptedPerSec > 0 {
		fmt.Fprintf(w, "; %.0f events/s accepted", r.AcceptedPerSec)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "publish→receive latency: %s\n", r.Latency)
	if r.LatencyLast != nil {
		fmt.Fprintf(w, "publish→last delivery of the event: %s\n", *r.LatencyLast)
	}
	fmt.Fprintf(w, "duplicates received: %d\n", r.Duplicates)
	if r.ServerRSSPeakMB > 0 {
		fmt.Fprintf(w, "server peak RSS (VmHWM) during the load: %.1f MB\n", r.ServerRSSPeakMB)
		fmt.Fprintf(w, "server CPU: %.3f ms per delivery\n", r.ServerCPUMsPerDelivery)
	}
	if r.PostgresCPUMsPerDelivery != nil {
		fmt.Fprintf(w, "PostgreSQL CPU: %.3f ms per delivery (every postgres: process of the machine, whoever it serves)\n", *r.PostgresCPUMsPerDelivery)
	}
	if r.OneHop != nil {
		fmt.Fprintf(w, "one-hop reference (load generator → receiver, no server): %.0f deliveries/s, latency %s\n", r.OneHop.DeliveriesPerSec, r.OneHop.Latency)
		fmt.Fprintf(w, "server ÷ one-hop: %.3f\n", r.Ratio)
	}
	if r.Unordered != nil {
		fmt.Fprintf(w, "the same load unordered: %.0f deliveries/s, latency %s\n", r.Unordered.DeliveriesPerSec, r.Unordered.Latency)
		fmt.Fprintf(w, "ordered ÷ unordered: %.3f\n", r.RatioToUnordered)
	}
}

func (l latencyMS) String() string {
	return fmt.Sprintf("p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  max %.1f ms", l.P50, l.P95, l.P99, l.Max)
}

// metric is one figure of a run that repeated runs are summarized by.
type metric struct {
	name string
	get  func(r result) (float64, bool)
}

var metrics = []metric{
	{"deliveries_per_s", func(r result) (float64, bool) { return r.DeliveriesPerSec, true }},
	{"latency_p50_ms", func(r result) (float64, bool) { return r.Latency.P50, true }},
	{"latency_p99_ms", func(r result) (float64, bool) { return r.Latency.P99, true }},
	{"latency_last_p99_ms", func(r result) (float64, bool) {
		if r.LatencyLast == nil {
			return 0, false
		}
		return r.LatencyLast.P99, true
	}},
	{"server_rss_peak_mb", func(r result) (float64, bool) { return r.ServerRSSPeakMB, r.ServerRSSPeakMB > 0 }},
	{"server_cpu_ms_per_delivery", func(r result) (float64, bool) { return r.ServerCPUMsPerDelivery, r.ServerRSSPeakMB > 0 }},
	{"postgres_cpu_ms_per_delivery", func(r result) (float64, bool) {
		if r.PostgresCPUMsPerDelivery == nil {
			return 0, false
		}
		return *r.PostgresCPUMsPerDelivery, true
	}},
	{"one_hop_deliveries_per_s", func(r result) (float64, bool) {
		if r.OneHop == nil {
			return 0, false
		}
		return r.OneHop.DeliveriesPerSec, true
	}},
	{"ratio_to_one_hop", func(r result) (float64, bool) { return r.Ratio, r.OneHop != nil }},
	{"unordered_deliveries_per_s", func(r result) (float64, bool) {
		if r.Unordered == nil {
			return 0, false
		}
		return r.Unordered.DeliveriesPerSec, true
	}},
	{"ratio_to_unordered", func(r result) (float64, bool) { return r.RatioToUnordered, r.Unordered != nil }},
	{"dashboard_median_ms", func(r result) (float64, bool) {
		if r.History == nil {
			return 0, false
		}
		return r.History.Dashboard.MedianMS, true
	}},
	{"audit_api_median_ms", func(r result) (float64, bool) {
		if r.History == nil {
			return 0, false
		}
		return r.History.AuditAPI.MedianMS, true
	}},
	{"audit_page_median_ms", func(r result) (float64, bool) {
		if r.History == nil {
			return 0, false
		}
		return r.History.AuditPage.MedianMS, true
	}},
}

// spread is the median and range of one metric over runs.
type spread struct {
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	N      int     `json:"n"`
}

// summarize returns the median and range of each metric the runs have,
// by name.
func summarize(runs []result) map[string]spread {
	out := map[string]spread{}
	for _, m := range metrics {
		var vs []float64
		for _, r := range runs {
			if v, ok := m.get(r); ok {
				vs = append(vs, v)
			}
		}
		if len(vs) > 0 {
			out[m.name] = spreadOf(vs)
		}
	}
	return out
}

// spreadOf returns the median (the mean of the middle two of an even
// count) and range of vs, which must not be empty.
func spreadOf(vs []float64) spread {
	s := append([]float64(nil), vs...)
	sort.Float64s(s)
	n := len(s)
	med := s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return spread{Median: med, Min: s[0], Max: s[n-1], N: n}
}

// printSummary writes the summary of runs, as a table or (asJSON) as one
// JSON object of kind "summary".
func printSummary(w io.Writer, runs []result, asJSON bool) error {
	sum := summarize(runs)
	if asJSON {
		return json.NewEncoder(w).Encode(struct {
			Kind    string            `json:"kind"`
			Runs    int               `json:"runs"`
			Metrics map[string]spread `json:"metrics"`
		}{"summary", len(runs), sum})
	}
	fmt.Fprintf(w, "\nover %d runs: median [min–max]\n", len(runs))
	for _, m := range metrics {
		if s, ok := sum[m.name]; ok {
			fmt.Fprintf(w, "  %-30s %s [%s–%s]\n", m.name, num(s.Median), num(s.Min), num(s.Max))
		}
	}
	return nil
}

// num prints a figure with the precision its size deserves.
func num(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 1:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", v), ".0")
	default:
		return fmt.Sprintf("%.3f", v)
	}
}
