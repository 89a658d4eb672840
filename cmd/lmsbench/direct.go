package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// oneHop measures the one-hop limit: publishers connections send n
// requests shaped like deliveries (the same event data, a webhook-id
// header) straight to a receiver like the server runs' one, each waiting
// for its answer before the next, as a publisher of lmshooks does. No
// server sits between, so this is the most any webhook server could
// deliver on this machine with this load generator and receiver.
func oneHop(ctx context.Context, n, publishers int) (measurement, error) {
	rc, err := startReceiver()
	if err != nil {
		return measurement{}, err
	}
	defer rc.close()
	hc := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: publishers}}
	defer hc.CloseIdleConnections()
	var next atomic.Int64
	var rec records
	var wg sync.WaitGroup
	start := time.Now()
	for range publishers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				id := fmt.Sprintf("evt_direct_%d", i)
				at := time.Now()
				if !rec.add(sendDirect(ctx, hc, rc.url, id, i), at, id) {
					return
				}
			}
		}()
	}
	wg.Wait()
	pub, err := rec.result(ctx)
	if err != nil {
		return measurement{}, err
	}
	return rc.measure(start, pub), nil
}

// sendDirect posts the i-th sample event as a delivery of id would carry it.
func sendDirect(ctx context.Context, hc *http.Client, url, id string, i int) error {
	// The id leads the body, as in a standard delivery, so the receiver
	// finds it.
	body, err := json.Marshal(struct {
		ID   string          `json:"id"`
		Type string          `json:"type"`
		Data json.RawMessage `json:"data"`
	}{id, sampleType, sampleData(i)})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("webhook-id", "dlv_direct_"+fmt.Sprint(i))
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}
