package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lmshooks/lmshooks/client"
)

// publishThroughput publishes o.events as fast as the server accepts them:
// o.publishers concurrent publishers, each sending its next request as
// soon as the last one is answered, o.batch events a request (1: the
// single-event route, as an LMS publishes).
func publishThroughput(ctx context.Context, api *client.Client, tenant string, o options) ([]pubRecord, error) {
	requests := (o.events + o.batch - 1) / o.batch
	var next atomic.Int64
	var rec records
	var wg sync.WaitGroup
	for range o.publishers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				b := int(next.Add(1)) - 1
				if b >= requests {
					return
				}
				at := time.Now()
				if o.batch == 1 {
					id, err := publishOne(ctx, api, tenant, b, o.orderingKeys())
					if !rec.add(err, at, id) {
						return
					}
					continue
				}
				evs := make([]client.PublishRequest, min(o.batch, o.events-b*o.batch))
				for i := range evs {
					evs[i] = sampleEvent(b*o.batch+i, o.orderingKeys())
				}
				items, err := api.PublishBatch(ctx, tenant, evs)
				ids := make([]string, len(items))
				for i, it := range items {
					ids[i] = it.ID
				}
				if !rec.add(err, at, ids...) {
					return
				}
			}
		}()
	}
	wg.Wait()
	return rec.result(ctx)
}

// publishAtRate publishes single events open-loop at o.rate a second for
// o.duration: each publish starts at its slot whatever the previous ones
// did, so a slow server shows up as latency.
func publishAtRate(ctx context.Context, api *client.Client, tenant string, o options) ([]pubRecord, error) {
	total := int(float64(o.rate) * o.duration.Seconds())
	interval := time.Second / time.Duration(o.rate)
	var rec records
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	start := time.Now()
	for i := 0; i < total && ctx.Err() == nil; i++ {
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(d):
			}
		}
		sem <- struct{}{}
		wg.Add(1)
		go func(i int) {
			defer func() { <-sem; wg.Done() }()
			at := time.Now()
			id, err := publishOne(ctx, api, tenant, i, o.orderingKeys())
			rec.add(err, at, id)
		}(i)
	}
	wg.Wait()
	return rec.result(ctx)
}

// publishOne publishes the i-th sample event (over keys ordering keys, 0
// for none) on its own request and returns its id.
func publishOne(ctx context.Context, api *client.Client, tenant string, i, keys int) (string, error) {
	ev, err := api.Publish(ctx, tenant, sampleEvent(i, keys))
	if err != nil {
		return "", err
	}
	return ev.ID, nil
}

// records collects what publishers published, and their first error.
type records struct {
	mu  sync.Mutex
	out []pubRecord
	err error
}

// add notes ids published at at, or err; it reports whether to go on.
func (r *records) add(err error, at time.Time, ids ...string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		if r.err == nil {
			r.err = err
		}
		return false
	}
	for _, id := range ids {
		r.out = append(r.out, pubRecord{id, at})
	}
	return true
}

func (r *records) result(ctx context.Context) ([]pubRecord, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		r.err = ctx.Err()
	}
	return r.out, r.err
}

// sampleType is the type of every sample event.
const sampleType = "course_enrollment.completed"

// sampleEvent is the i-th sample event to publish, with ordering key
// i mod keys when keys > 0. Its data is encoded once, here: the client
// sends a json.RawMessage byte for byte.
func sampleEvent(i, keys int) client.PublishRequest {
	ev := client.PublishRequest{Type: sampleType, Data: sampleData(i)}
	if keys > 0 {
		ev.OrderingKey = fmt.Sprintf("key_%d", i%keys)
	}
	return ev
}

// orderingKeys is how many ordering keys the events spread over: -keys
// when the run orders, else none (0). The unordered baseline of an ordered
// run publishes the same events, keys included.
func (o options) orderingKeys() int {
	if o.ordering == "none" {
		return 0
	}
	return o.keys
}

// sampleData is a realistic enrollment completion (about 600 bytes) that
// satisfies the catalog's schema for sampleType.
func sampleData(i int) json.RawMessage {
	data, _ := json.Marshal(map[string]any{
		"id":                 fmt.Sprintf("enr_%d", i),
		"status":             "completed",
		"progress_percent":   100,
		"passed":             true,
		"completed_at":       "2026-11-23T09:12:44Z",
		"time_spent_seconds": 5400,
		"user":               map[string]any{"id": fmt.Sprintf("u_%d", i%5000), "email": fmt.Sprintf("learner%d@acme.example", i%5000), "first_name": "Ana", "last_name": "López"},
		"course":             map[string]any{"id": fmt.Sprintf("c_%d", i%40), "code": "HSE-101", "title": "Workplace Safety Fundamentals", "kind": "online"},
		"score":              map[string]any{"raw": 92, "min": 0, "max": 100, "scaled": 0.92},
	})
	return data
}
