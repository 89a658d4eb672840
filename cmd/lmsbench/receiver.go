package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"sort"
	"sync"
	"time"
)

// receiver answers 204 at once and notes when each delivery arrived: the
// first and last delivery of each event, and deliveries seen twice.
type receiver struct {
	url string
	srv *http.Server

	mu     sync.Mutex
	seen   map[string]struct{} // webhook-id headers (delivery ids)
	events map[string]*arrival // by event id
	n      int
	dups   int
	lastT  time.Time
}

// arrival is when an event's first and last deliveries arrived.
type arrival struct{ first, last time.Time }

// startReceiver listens on a free loopback port; close stops it.
func startReceiver() (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	rc := &receiver{url: "http://" + ln.Addr().String() + "/hook", seen: map[string]struct{}{}, events: map[string]*arrival{}}
	rc.srv = &http.Server{Handler: rc, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = rc.srv.Serve(ln) }()
	return rc, nil
}

func (rc *receiver) close() { _ = rc.srv.Close() }

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	now := time.Now()
	id := eventID(body)
	key := r.Header.Get("webhook-id")
	rc.mu.Lock()
	if _, ok := rc.seen[key]; ok {
		rc.dups++
	} else {
		rc.seen[key] = struct{}{}
		a := rc.events[id]
		if a == nil {
			a = &arrival{first: now}
			rc.events[id] = a
		}
		a.last = now
		rc.n++
		rc.lastT = now
	}
	rc.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
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

// latencies returns, sorted, each published event's time from just
// before its publish to its first delivery's arrival, and to its last
// delivery's (the same with one webhook).
func (rc *receiver) latencies(pub []pubRecord) (first, last []time.Duration) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	first = make([]time.Duration, 0, len(pub))
	last = make([]time.Duration, 0, len(pub))
	for _, p := range pub {
		if a, ok := rc.events[p.id]; ok {
			first = append(first, a.first.Sub(p.at))
			last = append(last, a.last.Sub(p.at))
		}
	}
	sort.Slice(first, func(i, j int) bool { return first[i] < first[j] })
	sort.Slice(last, func(i, j int) bool { return last[i] < last[j] })
	return first, last
}

// waitFor waits until want deliveries have arrived or the deadline passes,
// and says how many arrived.
func (rc *receiver) waitFor(want int, deadline time.Time, stop <-chan struct{}) int {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		// Polling is enough: the timing comes from the receiver's last
		// arrival, not this loop.
		n := rc.count()
		if n >= want || time.Now().After(deadline) {
			return n
		}
		select {
		case <-stop:
			return n
		case <-t.C:
		}
	}
}

// pubRecord is an event published and when its publish began.
type pubRecord struct {
	id string
	at time.Time
}

// pct returns the p-th percentile (nearest rank) of sorted.
func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.5) - 1
	i = max(0, min(i, len(sorted)-1))
	return sorted[i]
}
