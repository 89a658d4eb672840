package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/testsupport/pgtest"
)

// Short runs of every mode against the real server binary. They check
// that each run completes and reports what it should, never how fast.

var binDir string

var buildOnce = sync.OnceValues(func() (string, error) {
	var err error
	if binDir, err = os.MkdirTemp("", "lmsbench-test"); err != nil {
		return "", err
	}
	return buildServer(context.Background(), binDir)
})

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// benchJSON runs lmsbench with args (and -json) and returns its lines.
func benchJSON(t *testing.T, args ...string) []map[string]any {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the server binary")
	}
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	o, err := parseFlags(append([]string{"-json", "-bin", bin, "-timeout", "2m"}, args...), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out, log bytes.Buffer
	if err := bench(ctx, o, &out, &log); err != nil {
		t.Fatalf("bench: %v\n%s", err, log.String())
	}
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		lines = append(lines, m)
	}
	return lines
}

func field(t *testing.T, m map[string]any, path ...string) float64 {
	t.Helper()
	var v any = m
	for _, p := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%v: no %s in %v", path, p, v)
		}
		v = mm[p]
	}
	f, ok := v.(float64)
	if !ok {
		t.Fatalf("%v: %v is not a number", path, v)
	}
	return f
}

func TestThroughputRunsTwiceAgainstTheOneHopReference(t *testing.T) {
	lines := benchJSON(t, "-events", "300", "-runs", "2")
	if len(lines) != 3 || lines[0]["kind"] != "run" || lines[1]["kind"] != "run" || lines[2]["kind"] != "summary" {
		t.Fatalf("lines: %v", lines)
	}
	for _, r := range lines[:2] {
		if field(t, r, "deliveries") != 300 || field(t, r, "events") != 300 || field(t, r, "batch") != 1 || field(t, r, "publishers") != 32 ||
			field(t, r, "duplicates") != 0 || r["db"] != "sqlite" {
			t.Errorf("run: %v", r)
		}
		for _, p := range [][]string{{"deliveries_per_s"}, {"latency_ms", "p50"}, {"latency_ms", "p99"}, {"server_rss_peak_mb"},
			{"server_cpu_ms_per_delivery"}, {"one_hop", "deliveries_per_s"}, {"ratio_to_one_hop"}} {
			if field(t, r, p...) <= 0 {
				t.Errorf("%v is not positive in %v", p, r)
			}
		}
		if field(t, r, "one_hop", "deliveries") != 300 {
			t.Errorf("the reference did not send the run's deliveries: %v", r["one_hop"])
		}
		if _, ok := r["postgres_cpu_ms_per_delivery"]; ok {
			t.Errorf("PostgreSQL CPU reported on SQLite: %v", r)
		}
	}
	if field(t, lines[2], "runs") != 2 || field(t, lines[2], "metrics", "deliveries_per_s", "n") != 2 {
		t.Errorf("summary: %v", lines[2])
	}
}

func TestFanoutOverAHistoryCountsEveryDelivery(t *testing.T) {
	lines := benchJSON(t, "-mode", "fanout", "-webhooks", "25", "-events", "8", "-history", "1000", "-reference=false")
	r := lines[0]
	if field(t, r, "deliveries") != 200 || field(t, r, "webhooks") != 25 || field(t, r, "latency_last_ms", "p50") < field(t, r, "latency_ms", "p50") {
		t.Errorf("run: %v", r)
	}
	if field(t, r, "history", "attempts") < 1000 || field(t, r, "history", "seed_seconds") <= 0 ||
		field(t, r, "history", "server_rss_peak_mb") <= 0 || r["history"].(map[string]any)["tenant"] != "hist_acme" {
		t.Errorf("history: %v", r["history"])
	}
	for _, page := range []string{"dashboard", "audit_api", "audit_page"} {
		if field(t, r, "history", page, "first_ms") <= 0 || field(t, r, "history", page, "median_ms") <= 0 {
			t.Errorf("%s not timed: %v", page, r["history"])
		}
	}
}

func TestLatencyAndDirectModesReport(t *testing.T) {
	r := benchJSON(t, "-mode", "latency", "-rate", "200", "-duration", "1s")[0]
	if field(t, r, "rate") != 200 || field(t, r, "deliveries") != 200 || field(t, r, "latency_ms", "p99") <= 0 {
		t.Errorf("latency run: %v", r)
	}
	r = benchJSON(t, "-mode", "direct", "-events", "500")[0]
	if r["mode"] != "direct" || field(t, r, "deliveries") != 500 || field(t, r, "deliveries_per_s") <= 0 {
		t.Errorf("direct run: %v", r)
	}
	if _, ok := r["server_rss_peak_mb"]; ok {
		t.Errorf("a server measured without a server: %v", r)
	}
}

func TestPostgresRunsOverAHistoryReportItsCPU(t *testing.T) {
	db := pgtest.SchemaDSN(t, "lmsbench_")
	r := benchJSON(t, "-db", db, "-drop-schema", "-events", "200", "-history", "1000")[0]
	if r["db"] != "postgres" || field(t, r, "deliveries") != 200 || field(t, r, "postgres_cpu_ms_per_delivery") <= 0 || field(t, r, "history", "attempts") < 1000 {
		t.Errorf("run: %v", r)
	}
}

// orderedRun checks an ordered run and its unordered baseline.
func orderedRun(t *testing.T, r map[string]any, events float64) {
	t.Helper()
	if r["ordering"] != "key" || field(t, r, "keys") != 50 || field(t, r, "deliveries") != events || field(t, r, "duplicates") != 0 {
		t.Errorf("run: %v", r)
	}
	for _, p := range [][]string{{"deliveries_per_s"}, {"unordered", "deliveries_per_s"}, {"unordered", "latency_ms", "p50"}, {"ratio_to_unordered"}} {
		if field(t, r, p...) <= 0 {
			t.Errorf("%v is not positive in %v", p, r)
		}
	}
}

func TestOrderedRunBesideItsUnorderedBaseline(t *testing.T) {
	orderedRun(t, benchJSON(t, "-ordering", "key", "-keys", "50", "-events", "400", "-reference=false")[0], 400)
}

func TestOrderedRunOnPostgres(t *testing.T) {
	db := pgtest.SchemaDSN(t, "lmsbench_")
	orderedRun(t, benchJSON(t, "-db", db, "-drop-schema", "-ordering", "key", "-keys", "50", "-events", "300", "-reference=false")[0], 300)
}
