// Package e2e holds end-to-end tests: the real app (the same wiring the
// binary runs) on a real SQLite file, real HTTP receivers, and — for the
// crash test — the real binary as a child process killed with SIGKILL.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lmshooks/lmshooks/internal/app"
	"github.com/lmshooks/lmshooks/internal/config"
	"github.com/lmshooks/lmshooks/internal/testsupport/poll"
	"github.com/lmshooks/lmshooks/signature"
)

const operatorKey = "lmsk_e2e_operator_key_for_tests_only"

// server is one in-process lmshooks with a client for its API.
type server struct {
	t    *testing.T
	app  *app.App
	base string
	key  string
}

// startServer runs the app on a fresh SQLite file with settings that keep
// tests quick: fast polling and private targets allowed (receivers are on
// loopback).
func startServer(t *testing.T, tweak ...func(*config.Config)) *server {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return startServerWithLog(t, log, tweak...)
}

// startServerWithLog is startServer logging to log.
func startServerWithLog(t *testing.T, log *slog.Logger, tweak ...func(*config.Config)) *server {
	t.Helper()
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.DB = "sqlite:" + filepath.Join(t.TempDir(), "lmshooks.db")
	cfg.APIKey = operatorKey
	cfg.AllowPrivateTargets = true
	cfg.PollInterval = 20 * time.Millisecond
	cfg.LeaseFor = 5 * time.Second
	cfg.ShutdownTimeout = 5 * time.Second
	cfg.NodeID = "e2e-" + t.Name()
	for _, f := range tweak {
		f(&cfg)
	}
	a, err := app.New(context.Background(), cfg, log, app.Options{})
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	if err := a.Start(); err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	key := operatorKey
	if a.GeneratedKey != "" {
		key = a.GeneratedKey
	}
	return &server{t: t, app: a, base: "http://" + a.Addr(), key: key}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// call sends a JSON request and decodes the answer into out (if not nil).
func (s *server) call(method, path string, body any, out any) int {
	s.t.Helper()
	return callAPI(s.t, s.base, s.key, method, path, body, out)
}

func callAPI(t *testing.T, base, key, method, path string, body any, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decode %q: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode
}

// mustCall is call that fails the test unless the status is want.
func (s *server) mustCall(want int, method, path string, body any, out any) {
	s.t.Helper()
	var raw json.RawMessage
	got := s.call(method, path, body, &raw)
	if got != want {
		s.t.Fatalf("%s %s = %d, want %d: %s", method, path, got, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			s.t.Fatalf("decode %s: %v", raw, err)
		}
	}
}

func (s *server) createTenant(id string) {
	s.t.Helper()
	s.mustCall(201, "POST", "/api/v1/tenants", map[string]any{"id": id, "name": "Tenant " + id}, nil)
}

// webhookResp is the part of a webhook answer the tests read.
type webhookResp struct {
	ID             string `json:"id"`
	Secret         string `json:"secret"`
	Enabled        bool   `json:"enabled"`
	DisabledReason string `json:"disabled_reason"`
}

func (s *server) createWebhook(tenant string, body map[string]any) webhookResp {
	s.t.Helper()
	var w webhookResp
	s.mustCall(201, "POST", "/api/v1/tenants/"+tenant+"/webhooks", body, &w)
	if w.ID == "" || !strings.HasPrefix(w.Secret, "whsec_") {
		s.t.Fatalf("webhook answer lacks id or secret: %+v", w)
	}
	return w
}

type attemptResp struct {
	Number    int       `json:"number"`
	Trigger   string    `json:"trigger"`
	StartedAt time.Time `json:"started_at"`
	Success   bool      `json:"success"`
	Error     string    `json:"error"`
	Request   struct {
		Headers map[string]string `json:"headers"`
	} `json:"request"`
	Response *struct {
		Status int `json:"status"`
	} `json:"response"`
}

// deliveryDetail is GET /deliveries/{id}: the delivery and its attempts.
type deliveryDetail struct {
	ID            string
	State         string
	Attempts      []attemptResp
	NextAttemptAt *time.Time
}

func (s *server) delivery(tenant, id string) deliveryDetail {
	s.t.Helper()
	var raw struct {
		Delivery struct {
			ID            string     `json:"id"`
			State         string     `json:"state"`
			NextAttemptAt *time.Time `json:"next_attempt_at"`
		} `json:"delivery"`
		Attempts []attemptResp `json:"attempts"`
	}
	s.mustCall(200, "GET", "/api/v1/tenants/"+tenant+"/deliveries/"+id, nil, &raw)
	return deliveryDetail{ID: raw.Delivery.ID, State: raw.Delivery.State, Attempts: raw.Attempts, NextAttemptAt: raw.Delivery.NextAttemptAt}
}

type deliveryList struct {
	Data []struct {
		ID        string `json:"id"`
		EventID   string `json:"event_id"`
		WebhookID string `json:"webhook_id"`
		State     string `json:"state"`
		Attempts  int    `json:"attempts"`
	} `json:"data"`
	NextCursor string         `json:"next_cursor"`
	Counts     map[string]int `json:"counts"`
}

func (s *server) deliveries(tenant, query string) deliveryList {
	s.t.Helper()
	var l deliveryList
	s.mustCall(200, "GET", "/api/v1/tenants/"+tenant+"/deliveries?"+query, nil, &l)
	return l
}

// eventually polls cond until it holds, failing the test once timeout has
// passed (the suite's short name for poll.For).
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	poll.For(t, timeout, what, cond)
}

// receiver is a real HTTP endpoint that verifies signatures and records
// what it got.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	secret   string
	header   http.Header                      // extra headers on every answer
	answer   func(n int, r *http.Request) int // status for the n-th request (from 1)
	requests []received
	bad      []string
}

type received struct {
	WebhookID string
	EventID   string
	Type      string
	Header    http.Header
	Body      []byte
	At        time.Time
}

func newReceiver(t *testing.T, answer func(n int, r *http.Request) int) *receiver {
	rc := &receiver{answer: answer}
	rc.Server = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var env struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	}
	_ = json.Unmarshal(body, &env)
	rc.mu.Lock()
	secret := rc.secret
	if secret != "" {
		if err := signature.VerifyRequest([]string{secret}, r.Header, body, time.Now(), signature.DefaultTolerance); err != nil {
			rc.bad = append(rc.bad, fmt.Sprintf("%s: %v", r.Header.Get("webhook-id"), err))
		}
	}
	rc.requests = append(rc.requests, received{WebhookID: r.Header.Get("webhook-id"), EventID: env.ID, Type: env.Type, Header: r.Header.Clone(), Body: body, At: time.Now()})
	n := len(rc.requests)
	rc.mu.Unlock()
	status := 200
	if rc.answer != nil {
		status = rc.answer(n, r)
	}
	rc.mu.Lock()
	for k, v := range rc.header {
		w.Header()[k] = v
	}
	rc.mu.Unlock()
	w.WriteHeader(status)
}

func (rc *receiver) setSecret(s string) { rc.mu.Lock(); rc.secret = s; rc.mu.Unlock() }

func (rc *receiver) count() int { rc.mu.Lock(); defer rc.mu.Unlock(); return len(rc.requests) }

func (rc *receiver) snapshot() ([]received, []string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.requests...), append([]string(nil), rc.bad...)
}
