package client_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/client"
	"github.com/lmshooks/lmshooks/internal/app"
	"github.com/lmshooks/lmshooks/internal/config"
)

const operatorKey = "lmsk_client_operator_key_for_tests_only"

// startApp runs the real server (the wiring the binary runs) on a fresh
// SQLite file in dir, allowing loopback receivers, and returns it
// started. The caller closes it.
func startApp(dir, nodeID string) (*app.App, error) {
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.DB = "sqlite:" + filepath.Join(dir, "lmshooks.db")
	cfg.APIKey = operatorKey
	cfg.AllowPrivateTargets = true
	cfg.PollInterval = 20 * time.Millisecond
	cfg.ShutdownTimeout = 5 * time.Second
	cfg.NodeID = nodeID
	a, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler), app.Options{})
	if err != nil {
		return nil, err
	}
	if err := a.Start(); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// startServer runs the real server for one test and returns a strict
// client with the operator key that records every request it sends.
func startServer(t *testing.T) (*client.Client, *recorder) {
	t.Helper()
	a, err := startApp(t.TempDir(), "client-"+t.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	rec := &recorder{next: http.DefaultTransport}
	c := client.New(
		client.WithBaseURL("http://"+a.Addr()),
		client.WithKey(operatorKey),
		client.WithHTTPClient(&http.Client{Transport: rec, Timeout: 30 * time.Second}),
		client.WithStrictDecoding(),
	)
	return c, rec
}

// recorder is a transport that remembers every request it carries and
// the status of its answer.
type recorder struct {
	next     http.RoundTripper
	mu       sync.Mutex
	sent     []*http.Request
	statuses []int // of sent[i]; 0 when no answer came
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	status := 0
	if err == nil {
		status = resp.StatusCode
	}
	r.mu.Lock()
	r.sent = append(r.sent, req.Clone(context.Background()))
	r.statuses = append(r.statuses, status)
	r.mu.Unlock()
	return resp, err
}

func (r *recorder) requests() []*http.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*http.Request(nil), r.sent...)
}

// exchanges returns the requests sent with the statuses answered.
func (r *recorder) exchanges() ([]*http.Request, []int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*http.Request(nil), r.sent...), append([]int(nil), r.statuses...)
}

// receiver is a real HTTP endpoint that answers 200 and counts requests.
type receiver struct {
	mu sync.Mutex
	n  int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	rc.mu.Lock()
	rc.n++
	rc.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (rc *receiver) count() int { rc.mu.Lock(); defer rc.mu.Unlock(); return rc.n }
