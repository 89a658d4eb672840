package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// runDirect measures the one-hop limit: -publishers connections send
// -events requests shaped like deliveries (the same event data, a
// webhook-id header) straight to the receiver, each waiting for its answer
// before the next, as a publisher of lmshooks does. No server sits between,
// so this is the most any webhook server could deliver on this machine
// with this load generator and receiver.
func runDirect(rc *receiver, url string, o options) error {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.publishers}}
	var next atomic.Int64
	var mu sync.Mutex
	var out []pubRecord
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	for p := 0; p < o.publishers; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= o.events {
					return
				}
				id := fmt.Sprintf("evt_direct_%d", i)
				ev := sampleEvent(i)
				// The id leads the body, as in a standard delivery, so the
				// receiver finds it.
				body, err := json.Marshal(struct {
					ID   string `json:"id"`
					Type any    `json:"type"`
					Data any    `json:"data"`
				}{id, ev["type"], ev["data"]})
				if err == nil {
					var req *http.Request
					req, err = http.NewRequest("POST", url, bytes.NewReader(body))
					if err == nil {
						req.Header.Set("Content-Type", "application/json")
						req.Header.Set("webhook-id", "dlv_direct_"+fmt.Sprint(i))
						at := time.Now()
						var resp *http.Response
						if resp, err = hc.Do(req); err == nil {
							_, _ = io.Copy(io.Discard, resp.Body)
							resp.Body.Close()
							mu.Lock()
							out = append(out, pubRecord{id, at})
							mu.Unlock()
						}
					}
				}
				if err != nil {
					mu.Lock()
					firstErr = cmpErr(firstErr, err)
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	elapsed := rc.last().Sub(start)
	lat := rc.latencies(out)
	fmt.Printf("\nmode=direct events=%d publishers=%d (no server: load generator → receiver)\n", len(out), o.publishers)
	fmt.Printf("end-to-end: %s, %.0f deliveries/s\n", elapsed.Round(time.Millisecond), float64(rc.count())/elapsed.Seconds())
	fmt.Printf("send→receive latency: p50 %s  p95 %s  p99 %s  max %s\n", pct(lat, 50), pct(lat, 95), pct(lat, 99), pct(lat, 100))
	fmt.Printf("duplicates received: %d\n", rc.duplicates())
	return nil
}
