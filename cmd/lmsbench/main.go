// Command lmsbench measures lmshooks end to end: it builds and starts the
// server as a child process (SQLite, or PostgreSQL with --db), runs a fast
// local receiver and a load generator, and reports throughput (events
// accepted → deliveries received), publish→receive latency percentiles and
// the server's peak memory. See docs/PERFORMANCE.md.
//
//	go run ./cmd/lmsbench -mode throughput -events 100000
//	go run ./cmd/lmsbench -mode throughput -events 30000 -batch 1 -publishers 32
//	go run ./cmd/lmsbench -mode latency -rate 500 -duration 30s
//	go run ./cmd/lmsbench -mode direct -events 30000 -publishers 32
//
// With -batch 1, throughput mode publishes each event on its own request
// to POST …/events, as an LMS does; -mode direct sends the same requests
// straight to the receiver, with no server between: the one-hop limit
// that the end-to-end figure is compared with.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const benchKey = "lmsk_benchmark_operator_key_0123456789"

type options struct {
	mode       string
	events     int
	batch      int
	publishers int
	rate       int
	duration   time.Duration
	webhooks   int
	db         string
	bin        string
	cpuProfile string
	serverArgs string
	// role and dispatchers shape a PostgreSQL cluster (cluster.go).
	role        string
	dispatchers int
}

func main() {
	var o options
	flag.StringVar(&o.mode, "mode", "throughput", "throughput (publish -events as fast as possible in batches of -batch; 1 means one event per request), latency (single events at -rate per second for -duration) or direct (-events sent by -publishers straight to the receiver: the one-hop limit)")
	flag.IntVar(&o.events, "events", 100000, "events to publish in throughput mode")
	flag.IntVar(&o.batch, "batch", 100, "events per batch request in throughput mode")
	flag.IntVar(&o.publishers, "publishers", 4, "concurrent publishing connections")
	flag.IntVar(&o.rate, "rate", 500, "events per second in latency mode")
	flag.DurationVar(&o.duration, "duration", 30*time.Second, "how long latency mode publishes")
	flag.IntVar(&o.webhooks, "webhooks", 1, "webhooks subscribed to every event")
	flag.StringVar(&o.db, "db", "", "database for the server (default: a fresh SQLite file in a temp dir)")
	flag.StringVar(&o.bin, "bin", "", "lmshooks binary (default: go build ./cmd/lmshooks)")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the server during the run to this file")
	flag.StringVar(&o.serverArgs, "server-args", "", "extra flags for lmshooks serve, space-separated")
	flag.StringVar(&o.role, "role", "all", "the main server's --role: all, or api to leave delivery to -dispatchers")
	flag.IntVar(&o.dispatchers, "dispatchers", 0, "extra --role dispatcher servers on the same PostgreSQL -db")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "lmsbench:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	tmp, err := os.MkdirTemp("", "lmsbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if o.bin == "" && o.mode != "direct" {
		o.bin = filepath.Join(tmp, "lmshooks")
		fmt.Println("building lmshooks…")
		if out, err := exec.Command("go", "build", "-o", o.bin, "./cmd/lmshooks").CombinedOutput(); err != nil {
			return fmt.Errorf("go build: %v\n%s", err, out)
		}
	}
	if o.db == "" {
		o.db = "sqlite:" + filepath.Join(tmp, "bench.db")
	}

	rc := newReceiver()
	rln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	rsrv := &http.Server{Handler: rc}
	go rsrv.Serve(rln)
	defer rsrv.Close()
	if o.mode == "direct" {
		return runDirect(rc, "http://"+rln.Addr().String()+"/hook", o)
	}

	addr, debugAddr := freeAddr(), freeAddr()
	args := []string{"serve", "--addr", addr, "--db", o.db, "--role", o.role, "--allow-private-targets", "--log-level", "warn", "--debug-addr", debugAddr}
	if o.serverArgs != "" {
		args = append(args, strings.Fields(o.serverArgs)...)
	}
	srv := exec.Command(o.bin, args...)
	srv.Env = append(os.Environ(), "LMSHOOKS_API_KEY="+benchKey)
	srv.Stdout, srv.Stderr = os.Stderr, os.Stderr
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() {
		_ = srv.Process.Signal(syscall.SIGTERM)
		_ = srv.Wait()
	}()
	base := "http://" + addr
	if err := waitReady(base); err != nil {
		return err
	}
	stopDispatchers, err := startDispatchers(o)
	if err != nil {
		return err
	}
	defer stopDispatchers()
	c := &client{base: base, http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	tenant := fmt.Sprintf("bench_%d", time.Now().UnixNano())
	if err := c.post("/api/v1/tenants", map[string]any{"id": tenant, "name": "Benchmark"}, nil); err != nil {
		return err
	}
	for i := 0; i < o.webhooks; i++ {
		body := map[string]any{"name": fmt.Sprint("bench ", i), "url": "http://" + rln.Addr().String() + "/hook", "event_types": []string{"*"}, "max_concurrency": 64}
		if err := c.post("/api/v1/tenants/"+tenant+"/webhooks", body, nil); err != nil {
			return err
		}
	}

	mem := watchRSS(srv.Process.Pid)
	var profDone chan error
	if o.cpuProfile != "" {
		profDone = make(chan error, 1)
		secs := int(o.duration.Seconds())
		if o.mode == "throughput" {
			secs = 20
		}
		go func() { profDone <- fetchProfile("http://"+debugAddr, secs, o.cpuProfile) }()
	}

	var published []pubRecord
	start := time.Now()
	switch o.mode {
	case "throughput":
		published, err = publishThroughput(c, tenant, o)
	case "latency":
		published, err = publishAtRate(c, tenant, o)
	default:
		err = fmt.Errorf("unknown -mode %q", o.mode)
	}
	if err != nil {
		return err
	}
	accepted := time.Since(start)
	want := len(published) * o.webhooks
	fmt.Printf("published %d events in %s (%.0f events/s accepted); waiting for %d deliveries…\n",
		len(published), accepted.Round(time.Millisecond), float64(len(published))/accepted.Seconds(), want)
	deadline := time.Now().Add(10 * time.Minute)
	for rc.count() < want {
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d deliveries arrived", rc.count(), want)
		}
		// Polling is enough: the timing comes from the receiver's last arrival, not this loop.
		time.Sleep(20 * time.Millisecond)
	}
	elapsed := rc.last().Sub(start)
	peak := mem.stop()
	if profDone != nil {
		if err := <-profDone; err != nil {
			fmt.Fprintln(os.Stderr, "profile:", err)
		}
	}

	lat := rc.latencies(published)
	fmt.Printf("\nmode=%s events=%d webhooks=%d deliveries=%d db=%s role=%s dispatchers=%d\n", o.mode, len(published), o.webhooks, want, strings.SplitN(o.db, ":", 2)[0], o.role, o.dispatchers)
	fmt.Printf("end-to-end: %s, %.0f deliveries/s (first publish → last delivery received)\n", elapsed.Round(time.Millisecond), float64(want)/elapsed.Seconds())
	fmt.Printf("publish→receive latency: p50 %s  p95 %s  p99 %s  max %s\n", pct(lat, 50), pct(lat, 95), pct(lat, 99), pct(lat, 100))
	fmt.Printf("duplicates received: %d\n", rc.duplicates())
	fmt.Printf("server peak RSS: %.1f MB\n", float64(peak)/(1<<20))
	return nil
}

type pubRecord struct {
	id string
	at time.Time
}

func publishThroughput(c *client, tenant string, o options) ([]pubRecord, error) {
	batches := (o.events + o.batch - 1) / o.batch
	var next atomic.Int64
	var mu sync.Mutex
	var out []pubRecord
	var firstErr error
	var wg sync.WaitGroup
	for p := 0; p < o.publishers; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				b := int(next.Add(1)) - 1
				if b >= batches {
					return
				}
				n := min(o.batch, o.events-b*o.batch)
				events := make([]map[string]any, n)
				for i := range events {
					events[i] = sampleEvent(b*o.batch + i)
				}
				var resp struct {
					Data []struct {
						ID string `json:"id"`
					} `json:"data"`
				}
				at := time.Now()
				var err error
				if len(events) == 1 && o.batch == 1 {
					// One event per request, to the single-event route.
					var one struct {
						ID string `json:"id"`
					}
					err = c.post("/api/v1/tenants/"+tenant+"/events", events[0], &one)
					resp.Data = append(resp.Data, struct {
						ID string `json:"id"`
					}{one.ID})
				} else {
					err = c.post("/api/v1/tenants/"+tenant+"/events/batch", map[string]any{"events": events}, &resp)
				}
				if err != nil {
					mu.Lock()
					firstErr = cmpErr(firstErr, err)
					mu.Unlock()
					return
				}
				mu.Lock()
				for _, d := range resp.Data {
					out = append(out, pubRecord{d.ID, at})
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return out, firstErr
}

func publishAtRate(c *client, tenant string, o options) ([]pubRecord, error) {
	total := int(float64(o.rate) * o.duration.Seconds())
	interval := time.Second / time.Duration(o.rate)
	var mu sync.Mutex
	var out []pubRecord
	var firstErr error
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	start := time.Now()
	for i := 0; i < total; i++ {
		// Open-loop pacing: each publish starts at its slot whatever the
		// previous ones did, so a slow server shows up as latency.
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		sem <- struct{}{}
		wg.Add(1)
		go func(i int) {
			defer func() { <-sem; wg.Done() }()
			var resp struct {
				ID string `json:"id"`
			}
			at := time.Now()
			if err := c.post("/api/v1/tenants/"+tenant+"/events", sampleEvent(i), &resp); err != nil {
				mu.Lock()
				firstErr = cmpErr(firstErr, err)
				mu.Unlock()
				return
			}
			mu.Lock()
			out = append(out, pubRecord{resp.ID, at})
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	return out, firstErr
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// sampleEvent is a realistic enrollment completion (about 600 bytes of
// data) that satisfies the catalog's schema for its type.
func sampleEvent(i int) map[string]any {
	return map[string]any{
		"type": "course_enrollment.completed",
		"data": map[string]any{
			"id":                 fmt.Sprintf("enr_%d", i),
			"status":             "completed",
			"progress_percent":   100,
			"passed":             true,
			"completed_at":       "2026-11-23T09:12:44Z",
			"time_spent_seconds": 5400,
			"user":               map[string]any{"id": fmt.Sprintf("u_%d", i%5000), "email": fmt.Sprintf("learner%d@acme.example", i%5000), "first_name": "Ana", "last_name": "López"},
			"course":             map[string]any{"id": fmt.Sprintf("c_%d", i%40), "code": "HSE-101", "title": "Workplace Safety Fundamentals", "kind": "online"},
			"score":              map[string]any{"raw": 92, "min": 0, "max": 100, "scaled": 0.92},
		},
	}
}

type client struct {
	base string
	http *http.Client
}

func (c *client) post(path string, body any, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequest("POST", c.base+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+benchKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("POST %s: %s: %s", path, resp.Status, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// receiver answers 204 at once and notes when each event first arrived.
type receiver struct {
	mu    sync.Mutex
	first map[string]time.Time
	n     int
	dups  int
	lastT time.Time
}

func newReceiver() *receiver { return &receiver{first: map[string]time.Time{}} }

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	now := time.Now()
	id := eventID(body)
	key := r.Header.Get("webhook-id")
	rc.mu.Lock()
	if _, ok := rc.first[key]; ok {
		rc.dups++
	} else {
		rc.first[key] = now
		rc.first["evt:"+id] = minTime(rc.first["evt:"+id], now)
		rc.n++
		rc.lastT = now
	}
	rc.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func minTime(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}

// eventID reads the envelope's leading "id" without a full JSON decode.
func eventID(body []byte) string {
	const p = `{"id":"`
	if !bytes.HasPrefix(body, []byte(p)) {
		return ""
	}
	rest := body[len(p):]
	if i := bytes.IndexByte(rest, '"'); i >= 0 {
		return string(rest[:i])
	}
	return ""
}

func (rc *receiver) count() int { rc.mu.Lock(); defer rc.mu.Unlock(); return rc.n }

func (rc *receiver) last() time.Time { rc.mu.Lock(); defer rc.mu.Unlock(); return rc.lastT }

func (rc *receiver) duplicates() int { rc.mu.Lock(); defer rc.mu.Unlock(); return rc.dups }

func (rc *receiver) latencies(pub []pubRecord) []time.Duration {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := make([]time.Duration, 0, len(pub))
	for _, p := range pub {
		if t, ok := rc.first["evt:"+p.id]; ok {
			out = append(out, t.Sub(p.at))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.5) - 1
	i = max(0, min(i, len(sorted)-1))
	return sorted[i].Round(100 * time.Microsecond)
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitReady(base string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		// The child server's only readiness signal is /readyz: poll it.
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("server at %s not ready after 30s", base)
}

// rssWatcher samples the server's resident memory.
type rssWatcher struct {
	peak atomic.Int64
	done chan struct{}
}

func watchRSS(pid int) *rssWatcher {
	w := &rssWatcher{done: make(chan struct{})}
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-w.done:
				return
			case <-t.C:
			}
			if rss := readRSS(pid); rss > w.peak.Load() {
				w.peak.Store(rss)
			}
		}
	}()
	return w
}

func (w *rssWatcher) stop() int64 { close(w.done); return w.peak.Load() }

func readRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

func fetchProfile(debugBase string, seconds int, path string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(seconds+30)*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", debugBase, seconds), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(f, resp.Body)
	return err
}
