// Package e2e holds end-to-end tests: the real app (the same wiring the
// binary runs) on a real SQLite file, real HTTP receivers, and — for the
// crash test — the real binary as a child process killed with SIGKILL.
package e2e

import (
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

	"github.com/lmshooks/lmshooks/client"
	"github.com/lmshooks/lmshooks/internal/app"
	"github.com/lmshooks/lmshooks/internal/config"
	"github.com/lmshooks/lmshooks/internal/testsupport/pgtest"
	"github.com/lmshooks/lmshooks/internal/testsupport/poll"
	"github.com/lmshooks/lmshooks/signature"
)

const operatorKey = "lmsk_e2e_operator_key_for_tests_only"

// server is one in-process lmshooks with a client of its API.
type server struct {
	t    *testing.T
	app  *app.App
	base string
	key  string
	api  *client.Client // with key
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
	return startServerWith(t, log, app.Options{}, tweak...)
}

// startServerWith is startServerWithLog with app options (a fake clock).
func startServerWith(t *testing.T, log *slog.Logger, opts app.Options, tweak ...func(*config.Config)) *server {
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
	if kind, _, _ := cfg.Store(); kind == "postgres" && cfg.EncryptionKeys == nil {
		cfg.EncryptionKeys = pgtest.Keys(t)
	}
	a, err := app.New(context.Background(), cfg, log, opts)
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
	base := "http://" + a.Addr()
	return &server{t: t, app: a, base: base, key: key, api: newClient(base, key)}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// newClient returns a client of the API at base with key.
func newClient(base, key string) *client.Client {
	return client.New(client.WithBaseURL(base), client.WithKey(key),
		client.WithHTTPClient(&http.Client{Timeout: 30 * time.Second}))
}

// must fails the test on err, a call of the API that had to succeed.
func (s *server) must(err error) {
	s.t.Helper()
	if err != nil {
		s.t.Fatal(err)
	}
}

func (s *server) createTenant(id string) {
	s.t.Helper()
	_, err := s.api.CreateTenant(s.t.Context(), client.TenantRequest{ID: id, Name: "Tenant " + id})
	s.must(err)
}

func (s *server) createWebhook(tenant string, req client.WebhookRequest) *client.WebhookWithSecret {
	s.t.Helper()
	w, err := s.api.CreateWebhook(s.t.Context(), tenant, req)
	s.must(err)
	if w.ID == "" || w.Secret == "" {
		s.t.Fatalf("webhook answer lacks id or secret: %+v", w)
	}
	return w
}

// publish publishes one event and returns the answer.
func (s *server) publish(tenant string, req client.PublishRequest) *client.PublishedEvent {
	s.t.Helper()
	ev, err := s.api.Publish(s.t.Context(), tenant, req)
	s.must(err)
	return ev
}

// delivery reads a delivery with its attempts.
func (s *server) delivery(tenant, id string) *client.DeliveryDetail {
	s.t.Helper()
	d, err := s.api.GetDelivery(s.t.Context(), tenant, id)
	s.must(err)
	return d
}

// deliveries reads one page of the audit list.
func (s *server) deliveries(tenant string, p client.DeliveryParams) *client.DeliveryPage {
	s.t.Helper()
	l, err := s.api.ListDeliveries(s.t.Context(), tenant, p)
	s.must(err)
	return l
}

// counts returns the tenant's deliveries per state.
func (s *server) counts(tenant string) map[client.DeliveryState]int {
	s.t.Helper()
	return s.deliveries(tenant, client.DeliveryParams{IncludeCounts: true, ListParams: client.ListParams{Limit: 1}}).Counts
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

// mustCall sends a raw request with the operator key and decodes the answer
// into out (when not nil), failing the test unless the status is want. It
// is for tests that check the wire itself (the exact JSON an answer
// carries); everything else goes through the client.
func (s *server) mustCall(want int, method, path string, body, out any) {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			s.t.Fatal(err)
		}
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequestWithContext(s.t.Context(), method, s.base+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	if resp.StatusCode != want {
		s.t.Fatalf("%s %s = %d %s, want %d", method, path, resp.StatusCode, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			s.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
}

// callAPI sends a raw request with key to the server at base (a child
// process, say) and returns the status, decoding the answer into out when
// not nil. It is for tests that watch statuses as they come (a database
// that stops taking writes); everything else goes through the client.
func callAPI(t *testing.T, base, key, method, path string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequestWithContext(t.Context(), method, base+path, rd)
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
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decode %q: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode
}
